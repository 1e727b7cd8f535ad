"""Signing in and staying signed in: lockout, idle timeout, forced and expired passwords."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xuebi.audit.models import Action, AuditEntry
from xuebi.testing.helpers import PASSWORD

LOGIN = "/accounts/login/"


def login(client, username, password=PASSWORD, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_good_login_lands_on_the_home_page_and_is_audited(users, client):
    response = login(client, "abag")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "阿巴嘎旗" in client.get("/").content.decode()
    entry = AuditEntry.objects.get(action=Action.LOGIN)
    assert (entry.actor, entry.ip) == (users.abag_admin, "10.1.1.1")


def test_a_wrong_password_gets_a_chinese_message_and_is_audited(users, client):
    response = login(client, "abag", "Wrong@2021")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED, actor_name="abag", outcome="failure").count() == 1


def test_five_failures_lock_the_account_even_with_the_right_password(users, client):
    for _ in range(5):
        login(client, "abag", "Wrong@2021")
    response = login(client, "abag")
    assert response.status_code == 403
    assert "锁定30分钟" in response.content.decode()
    assert client.get("/").status_code == 302  # still signed out
    assert AuditEntry.objects.filter(action=Action.LOCKOUT).exists()


def test_the_lock_holds_from_another_address_too(users, client):
    for _ in range(5):
        login(client, "abag", "Wrong@2021", ip="10.1.1.1")
    assert login(client, "abag", ip="10.9.9.9").status_code == 403


def test_five_failures_from_one_address_lock_that_address_for_other_accounts(users, client):
    for name in ["league", "abag", "cadre", "judge", "reviewer"]:
        login(client, name, "Wrong@2021", ip="10.2.2.2")
    assert login(client, "xilin", ip="10.2.2.2").status_code == 403
    assert login(client, "xilin", ip="10.3.3.3").status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(users, client):
    for _ in range(4):
        login(client, "abag", "Wrong@2021")
    assert login(client, "abag").status_code == 302


def test_the_sysadmin_can_unlock_an_account(users, client):
    for _ in range(5):
        login(client, "abag", "Wrong@2021")
    client.force_login(users.sysadmin)
    assert "已锁定" in client.get("/accounts/users/").content.decode()
    client.post(f"/accounts/users/{users.abag_admin.pk}/unlock/")
    client.logout()
    assert login(client, "abag").status_code == 302
    assert AuditEntry.objects.filter(action=Action.USER_UNLOCK, actor=users.sysadmin).exists()


@pytest.mark.parametrize("shared_cache", [False, True], ids=["database", "shared-cache"])
def test_an_idle_session_ends_after_thirty_minutes(users, client, settings, shared_cache):
    if shared_cache:  # as with XUEBI_REDIS_URL: sessions read from the cache (cached_db), the user too
        settings.XUEBI_SHARED_CACHE = True
        settings.SESSION_ENGINE = "xuebi.accounts.sessions"
    login(client, "abag")
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] -= 31 * 60
    session.save()
    response = client.get("/org/people/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action=Action.SESSION_TIMEOUT, actor=users.abag_admin).exists()


def test_activity_within_the_limit_keeps_the_session(users, client):
    login(client, "abag")
    session = client.session
    session["last_seen"] -= 29 * 60
    session.save()
    assert client.get("/org/people/").status_code == 200


def test_the_idle_limit_is_configurable(users, client, settings):
    settings.XUEBI_IDLE_TIMEOUT_MINUTES = 5
    login(client, "abag")
    session = client.session
    session["last_seen"] -= 6 * 60
    session.save()
    assert client.get("/").status_code == 302


def test_first_login_forces_a_password_change(users, client):
    users.abag_admin.must_change_password = True
    users.abag_admin.save()
    login(client, "abag")
    response = client.get("/org/people/")
    assert response["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "Grass&Sky2026", "new_password2": "Grass&Sky2026"}
    )
    assert response.status_code == 302
    assert client.get("/org/people/").status_code == 200
    assert AuditEntry.objects.filter(action=Action.PASSWORD_CHANGE, actor=users.abag_admin).exists()


def test_a_password_older_than_ninety_days_must_be_changed(users, client):
    users.abag_admin.password_changed_at = timezone.now() - dt.timedelta(days=91)
    users.abag_admin.save()
    login(client, "abag")
    assert client.get("/").headers["Location"] == "/accounts/password/"


@pytest.mark.parametrize(
    "new, message",
    [
        ("Ab1!", "至少"),
        ("abcdefgh1", "至少3类"),
        ("Abag@2021x", "不能包含用户名"),
        (PASSWORD, "不能与当前密码相同"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(users, client, new, message):
    client.force_login(users.abag_admin)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 200
    assert message in response.content.decode()
    users.abag_admin.refresh_from_db()
    assert users.abag_admin.check_password(PASSWORD)


def test_demo_accounts_are_exempt_from_the_forced_change(users, client):
    users.abag_admin.must_change_password = True
    users.abag_admin.is_demo = True
    users.abag_admin.save()
    login(client, "abag")
    assert client.get("/").status_code == 200


def test_logout_is_audited_and_needs_a_post(users, client):
    login(client, "abag")
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action=Action.LOGOUT, actor=users.abag_admin).exists()


def test_a_deactivated_account_cannot_sign_in(users, client):
    users.abag_admin.is_active = False
    users.abag_admin.save()
    assert login(client, "abag").status_code == 200
