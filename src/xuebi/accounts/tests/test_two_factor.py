"""Two-factor sign-in with TOTP: available to everyone, required for the admin roles outside demo mode."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xuebi.audit.models import Action, AuditEntry
from xuebi.testing.helpers import PASSWORD


@pytest.fixture(autouse=True)
def _required(settings):
    settings.XUEBI_REQUIRE_2FA = True


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def enrol(client, user) -> TOTPDevice:
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/2fa/", {"token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    return device


@pytest.mark.parametrize("role", ["league_admin", "sysadmin", "secadmin", "auditor"])
def test_admin_roles_must_enrol_before_anything_else(role, users, client):
    user = getattr(users, role)
    sign_in(client, user.username)
    response = client.get("/")
    assert response["Location"] == "/accounts/2fa/"
    enrol(client, user)
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action=Action.OTP_ENABLE, actor=user).exists()


@pytest.mark.parametrize("role", ["abag_admin", "cadre", "abag_reviewer"])
def test_other_roles_may_sign_in_with_a_password_alone(role, users, client):
    sign_in(client, getattr(users, role).username)
    assert client.get("/").status_code == 200


def test_an_enrolled_user_is_asked_for_the_code_and_a_wrong_one_is_refused(users, client):
    client.force_login(users.league_admin)
    device = enrol(client, users.league_admin)
    client.post("/accounts/logout/")
    response = sign_in(client, "league")
    assert response["Location"] == "/accounts/login/2fa/"
    assert client.get("/").status_code == 302  # not signed in yet
    wrong = f"{(int(code(device)) + 1) % 1000000:06d}"
    response = client.post("/accounts/login/2fa/", {"token": wrong})
    assert "动态口令不正确" in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.OTP_FAILED, actor=users.league_admin).exists()


def test_the_right_code_completes_sign_in(users, client):
    client.force_login(users.league_admin)
    device = enrol(client, users.league_admin)
    client.post("/accounts/logout/")
    sign_in(client, "league")
    device.refresh_from_db()
    # Each code works once (django-otp refuses reuse), so wait for nothing: use the next step's code.
    device.drift = 1
    response = client.post("/accounts/login/2fa/", {"token": code(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_demo_mode_does_not_require_it(users, client, settings):
    settings.XUEBI_REQUIRE_2FA = False
    sign_in(client, "league")
    assert client.get("/").status_code == 200


def test_the_setup_page_shows_a_qr_code_served_inline(users, client):
    client.force_login(users.cadre)
    page = client.get("/accounts/2fa/").content.decode()
    assert "<svg" in page and "动态口令" in page


# --- which roles must: XUEBI_REQUIRE_2FA_ROLES -----------------------------------------------------


def test_the_setting_can_require_it_of_cadres_too(users, client, settings):
    settings.XUEBI_REQUIRE_2FA_ROLES = ("league_admin", "sysadmin", "secadmin", "auditor", "cadre")
    sign_in(client, "cadre")
    assert client.get("/")["Location"] == "/accounts/2fa/"
    assert client.get("/api/v1/me").status_code == 403  # nor does the session reach the API
    enrol(client, users.cadre)
    assert client.get("/").status_code == 200


def test_by_default_cadres_are_left_alone(users, client):
    from django.conf import settings

    assert settings.XUEBI_REQUIRE_2FA_ROLES == ("league_admin", "sysadmin", "secadmin", "auditor")
    sign_in(client, "cadre")
    assert client.get("/").status_code == 200


def test_the_policy_page_names_the_roles_that_must(users, client, settings):
    settings.XUEBI_REQUIRE_2FA_ROLES = ("sysadmin", "secadmin", "auditor", "unit_admin")
    client.force_login(users.secadmin)
    enrol(client, users.secadmin)
    assert "系统管理员、安全管理员、审计管理员、单位管理员必须启用" in client.get("/accounts/policy/").content.decode()


def test_an_unknown_role_code_stops_the_start(settings):
    from django.core.checks import run_checks

    settings.XUEBI_REQUIRE_2FA_ROLES = ("league_admin", "cadres")
    errors = [e for e in run_checks() if e.id == "xuebi.accounts.E001"]
    assert len(errors) == 1 and "cadres" in errors[0].msg
