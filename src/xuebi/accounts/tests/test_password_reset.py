"""A 系统管理员 resets a password: whoever held the account is put out (API tokens revoked, sessions
ended), the reset is audited, and the user is told at the next login and must change it first."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from xuebi.accounts.services.accounts import token_create
from xuebi.audit.models import Action, AuditEntry
from xuebi.testing.helpers import PASSWORD

TEMPORARY = "Temp#Reset2026"


@pytest.fixture
def cadre_client(users):
    """The cadre, signed in with a password in their own browser, with a token for a script."""
    client = Client()
    assert client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    client.key = token_create(user=users.cadre, name="脚本")[1]
    return client


def reset(users, client_for, target):
    response = client_for(users.sysadmin).post(f"/accounts/users/{target.pk}/password/", {"password": TEMPORARY})
    assert response.status_code == 302
    return response


def sessions_of(user) -> int:
    return sum(s.get_decoded().get("_auth_user_id") == str(user.pk) for s in Session.objects.all())


def test_a_reset_revokes_the_users_tokens(users, client_for, cadre_client):
    assert cadre_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {cadre_client.key}").status_code == 200
    reset(users, client_for, users.cadre)
    response = cadre_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {cadre_client.key}")
    assert response.status_code == 401
    assert not users.cadre.api_tokens.filter(revoked_at__isnull=True).exists()


def test_a_reset_ends_the_users_sessions(users, client_for, cadre_client):
    assert sessions_of(users.cadre) == 1
    reset(users, client_for, users.cadre)
    assert sessions_of(users.cadre) == 0
    response = cadre_client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert cadre_client.get("/api/v1/me").status_code == 401  # the browser session no longer reads the API either


def test_the_reset_is_audited_with_what_it_ended(users, client_for, cadre_client):
    reset(users, client_for, users.cadre)
    entry = AuditEntry.objects.get(action=Action.PASSWORD_RESET)
    assert (entry.actor, entry.target_id) == (users.sysadmin, str(users.cadre.pk))
    assert entry.changes == {"revoked_tokens": 1, "ended_sessions": 1}
    assert TEMPORARY not in str(entry.changes)


def test_the_next_login_tells_the_user_once_and_forces_a_change(users, client_for, cadre_client):
    reset(users, client_for, users.cadre)
    client = Client()
    response = client.post("/accounts/login/", {"username": "cadre", "password": TEMPORARY}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/accounts/password/"
    assert "您的密码已由系统管理员于2026年11月25日 10:00重置，请立即修改密码。" in page
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"username": "cadre", "password": TEMPORARY}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/password/"  # still held at the change…
    assert "由系统管理员于" not in response.content.decode()  # …but told only once
    response = client.post(
        "/accounts/password/", {"old_password": TEMPORARY, "new_password1": "Grass#Land2027", "new_password2": "Grass#Land2027"}
    )
    assert response["Location"] == "/" and client.get("/").status_code == 200


def test_a_first_login_is_not_called_a_reset(users, client):
    users.cadre.must_change_password = True
    users.cadre.save()
    response = client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/password/"
    assert "由系统管理员于" not in response.content.decode()


def test_the_sysadmin_cannot_reset_their_own_password(users, client_for):
    client = client_for(users.sysadmin)
    response = client.post(f"/accounts/users/{users.sysadmin.pk}/password/", {"password": TEMPORARY})
    assert response.status_code == 200 and "不能重置自己的密码" in response.content.decode()
    users.sysadmin.refresh_from_db()
    assert not users.sysadmin.must_change_password and not AuditEntry.objects.filter(action=Action.PASSWORD_RESET).exists()
    assert client.get("/accounts/users/").status_code == 200  # still signed in
