"""三员分立 and role grants; account management by the system administrator."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuebi.accounts.services import accounts as services
from xuebi.audit.models import Action, AuditEntry
from xuebi.org.choices import Role
from xuebi.org.models import RoleGrant, User


def test_a_business_role_reaches_the_whole_subtree(org, users, client):
    client.force_login(users.abag_admin)
    assert client.get(f"/org/units/{org.abag_section.pk}/").status_code == 200


def test_secadmin_grants_a_role_and_it_takes_effect(org, users, client):
    client.force_login(users.secadmin)
    response = client.post("/accounts/grants/", {"user": users.nobody.pk, "role": Role.REVIEWER, "unit": org.xilin.pk})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=users.nobody)
    assert (grant.role, grant.unit, grant.granted_by) == (Role.REVIEWER, org.xilin, users.secadmin)
    assert AuditEntry.objects.filter(action=Action.ROLE_GRANT, target_id=str(users.nobody.pk)).exists()
    client.force_login(users.nobody)
    assert client.get("/org/people/").status_code == 200


@pytest.mark.parametrize(
    "holder, role, field, message",
    [
        ("sysadmin", Role.CADRE, "role", "三员"),
        ("cadre", Role.AUDITOR, "role", "三员"),
        ("auditor", Role.SECADMIN, "role", "三员"),
    ],
)
def test_separation_of_duties_is_refused(holder, role, field, message, org, users):
    with pytest.raises(ValidationError) as err:
        services.role_grant(actor=users.secadmin, user=getattr(users, holder), role=role, unit=org.abag)
    assert message in str(err.value.message_dict[field])


def test_business_roles_need_a_unit(org, users):
    with pytest.raises(ValidationError) as err:
        services.role_grant(actor=users.secadmin, user=users.nobody, role=Role.CADRE, unit=None)
    assert "单位" in err.value.message_dict["unit"][0]


def test_the_page_shows_the_refusal_and_grants_nothing(org, users, client):
    client.force_login(users.secadmin)
    response = client.post("/accounts/grants/", {"user": users.sysadmin.pk, "role": Role.LEAGUE_ADMIN, "unit": org.league.pk})
    assert response.status_code == 200 and "三员分立" in response.content.decode()
    assert not RoleGrant.objects.filter(user=users.sysadmin, role=Role.LEAGUE_ADMIN).exists()


def test_only_the_secadmin_grants_roles(org, users):
    for actor in (users.league_admin, users.sysadmin, users.auditor):
        with pytest.raises(PermissionDenied):
            services.role_grant(actor=actor, user=users.nobody, role=Role.CADRE, unit=org.abag)


def test_nobody_grants_themselves_a_role(org, users):
    with pytest.raises(ValidationError):
        services.role_grant(actor=users.secadmin, user=users.secadmin, role=Role.AUDITOR)


def test_revoking_a_role_removes_access_and_is_audited(org, users, client):
    client.force_login(users.secadmin)
    grant = RoleGrant.objects.get(user=users.abag_admin)
    client.post(f"/accounts/grants/{grant.pk}/revoke/")
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.filter(action=Action.ROLE_REVOKE, target_id=str(users.abag_admin.pk)).exists()
    client.force_login(users.abag_admin)
    assert client.get("/org/people/").status_code == 403


def test_sysadmin_creates_an_account_that_must_change_its_password(users, client):
    client.force_login(users.sysadmin)
    response = client.post("/accounts/users/new/", {"username": "zhangsan", "full_name": "张三", "password": "Steppe#2026"})
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert user.must_change_password and not user.role_grants.exists()
    assert AuditEntry.objects.filter(action=Action.USER_CREATE, target_id=str(user.pk)).exists()


def test_a_weak_initial_password_is_refused(users, client):
    client.force_login(users.sysadmin)
    response = client.post("/accounts/users/new/", {"username": "lisi", "full_name": "李四", "password": "12345678"})
    assert "至少3类" in response.content.decode()
    assert not User.objects.filter(username="lisi").exists()


def test_a_deactivated_account_loses_its_tokens(users):
    _token, _key = services.token_create(user=users.abag_admin, name="测试")
    services.user_deactivate(actor=users.sysadmin, user=users.abag_admin)
    assert not users.abag_admin.api_tokens.unrevoked().exists()


def test_sysadmin_resets_a_password_and_the_user_must_change_it(users, client):
    client.force_login(users.sysadmin)
    client.post(f"/accounts/users/{users.cadre.pk}/password/", {"password": "Temp#Pass2026"})
    users.cadre.refresh_from_db()
    assert users.cadre.check_password("Temp#Pass2026") and users.cadre.must_change_password
