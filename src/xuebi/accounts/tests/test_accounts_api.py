"""/api/v1/accounts: the 系统管理员's accounts through the API, under the pages' rules."""

from __future__ import annotations

import pytest

from xuebi.audit.models import Action, AuditEntry
from xuebi.org.models import User
from xuebi.testing.helpers import add_person, make_user

pytestmark = pytest.mark.django_db


def test_only_the_sysadmin(api, users):
    for user in (users.secadmin, users.auditor, users.league_admin, users.abag_admin, users.cadre):
        assert api.get(user, "/accounts").status_code == 403
    for user in (users.secadmin, users.auditor, users.abag_reviewer, users.cadre):
        assert api.post(user, "/account-openings/preview", {"unit_id": 1}).status_code == 403


def test_a_county_admin_opens_their_own_cadres(api, users, org):
    from xuebi.testing.helpers import add_person

    add_person(org.abag_section, "张伟", 71)
    preview = api.post(users.abag_admin, "/account-openings/preview", {"unit_id": org.abag.pk, "without_account_only": True})
    assert preview.status_code == 200
    assert [a["username"] for a in preview.json()["accounts"]] == ["wangfang", "zhangwei"]
    # another county's unit is unknown to this admin
    other = api.post(users.abag_admin, "/account-openings/preview", {"unit_id": org.xilin.pk})
    assert other.status_code == 422 and other.json()["detail"][0]["msg"] == "找不到该单位。"
    ids = [a["person_id"] for a in preview.json()["accounts"]]
    opened = api.post(users.abag_admin, "/account-openings", {"person_ids": ids})
    assert opened.status_code == 201
    assert {a["username"] for a in opened.json()["accounts"]} == {"wangfang", "zhangwei"}


def test_list_with_filters(api, users, org):
    make_user("xilinren", None, None, "x", person=org.xilin_person)
    body = api.get(users.sysadmin, "/accounts", unit_id=org.abag.pk).json()
    assert [a["username"] for a in body["items"]] == ["cadre"]
    cadre = body["items"][0]
    assert cadre["person_name"] == "巴依斯古楞" and cadre["unit_name"] == "组织股" and cadre["roster_cadre"]
    assert cadre["roles"] == ["cadre"]
    linked = api.get(users.sysadmin, "/accounts", linked=True).json()["items"]
    assert {a["username"] for a in linked} == {"cadre", "xilinren"}
    never = {a["username"] for a in api.get(users.sysadmin, "/accounts", signed_in="never").json()["items"]}
    assert "xilinren" in never
    assert api.get(users.sysadmin, "/accounts", signed_in="soon").status_code == 422
    assert api.get(users.sysadmin, "/accounts", unit_id=2**63 - 1).status_code == 404


def test_edit_link_unlink(api, users, org):
    account = make_user("wf", None, None, "x")
    response = api.patch(users.sysadmin, f"/accounts/{account.pk}", {"full_name": "王芳", "person_id": org.abag_other.pk})
    assert response.status_code == 200, response.content
    assert response.json()["person_name"] == "王芳" and response.json()["full_name"] == "王芳"
    assert api.post(users.sysadmin, f"/accounts/{account.pk}/unlink").json()["person_id"] is None
    assert (
        api.post(users.sysadmin, f"/accounts/{account.pk}/link", {"person_id": org.abag_other.pk}).json()["person_id"]
        == org.abag_other.pk
    )
    refused = api.post(users.sysadmin, f"/accounts/{account.pk}/link", {"person_id": org.bayi.pk})
    assert refused.status_code == 422 and "已有账号 cadre" in str(refused.json())
    refused = api.post(users.sysadmin, f"/accounts/{users.auditor.pk}/link", {"person_id": org.league_person.pk})
    assert refused.status_code == 422 and "三员分立" in str(refused.json())
    assert api.patch(users.sysadmin, f"/accounts/{account.pk}", {"person_id": 2**62}).status_code == 422
    assert api.patch(users.sysadmin, f"/accounts/{account.pk}", {"person_id": None}).json()["person_id"] is None
    assert api.patch(users.sysadmin, f"/accounts/{account.pk}", {"full_name": " "}).status_code == 422
    assert api.get(users.sysadmin, "/accounts/999999").status_code == 404


def test_open_preview_then_confirm_returns_passwords_once(api, users, org):
    add_person(org.abag_section, "王芳", 61)
    preview = api.post(users.sysadmin, "/account-openings/preview", {"unit_id": org.abag.pk}).json()
    assert [a["username"] for a in preview["accounts"]] == ["wangfang", "wangfang2"]
    assert preview["skipped"][0]["reason"] == "已有账号 cadre"
    ids = [a["person_id"] for a in preview["accounts"]]
    expected = {str(a["person_id"]): a["username"] for a in preview["accounts"]}
    response = api.post(users.sysadmin, "/account-openings", {"person_ids": ids, "expected": expected})
    assert response.status_code == 201, response.content
    opened = response.json()["accounts"]
    assert [a["username"] for a in opened] == ["wangfang", "wangfang2"]
    assert User.objects.get(username="wangfang").check_password(opened[0]["password"])
    assert AuditEntry.objects.filter(action=Action.USER_CREATE).count() == 2
    again = api.post(users.sysadmin, "/account-openings", {"person_ids": ids})
    assert again.status_code == 422 and "已有账号 wangfang" in str(again.json())


def test_open_bad_input_is_422(api, users, org):
    assert api.post(users.sysadmin, "/account-openings/preview", {}).status_code == 422
    assert api.post(users.sysadmin, "/account-openings/preview", {"unit_id": 2**63 - 1}).status_code == 422
    assert api.post(users.sysadmin, "/account-openings", {"person_ids": []}).status_code == 422
    assert api.post(users.sysadmin, "/account-openings", {"person_ids": [2**63 - 1]}).status_code == 422
    assert api.post(users.sysadmin, "/account-openings", {"person_ids": list(range(1, 600))}).status_code == 422
    assert (
        api.post(users.sysadmin, "/account-openings", {"person_ids": [org.abag_other.pk], "expected": {"x": "y"}}).status_code
        == 422
    )
    assert not User.objects.filter(person=org.abag_other).exists()
