"""The 系统管理员's pages for accounts of the roster: list and filters, edit, bulk opening, handover."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xuebi.audit.models import Action, AuditEntry
from xuebi.org.models import User
from xuebi.testing.helpers import add_person, make_user

pytestmark = pytest.mark.django_db


def _usernames(response) -> set[str]:
    return {row.record.username for row in response.context["table"].page.object_list}


def test_account_list_filters(users, org, client_for):
    users.cadre.last_login = timezone.now() - dt.timedelta(days=3)
    users.cadre.save()
    users.league_admin.last_login = timezone.now() - dt.timedelta(days=200)
    users.league_admin.save()
    make_user("xilinren", None, None, "x", person=org.xilin_person)
    client = client_for(users.sysadmin)
    assert _usernames(client.get("/accounts/users/", {"unit": org.abag.pk})) == {"cadre"}
    assert _usernames(client.get("/accounts/users/", {"linked": "yes"})) == {"cadre", "xilinren"}
    assert "cadre" not in _usernames(client.get("/accounts/users/", {"linked": "no"}))
    assert _usernames(client.get("/accounts/users/", {"signed_in": "7"})) == {"cadre", "sysadmin"}  # signed in now
    assert _usernames(client.get("/accounts/users/", {"signed_in": "stale"})) == {"league"}
    never = _usernames(client.get("/accounts/users/", {"signed_in": "never"}))
    assert "xilinren" in never and "cadre" not in never and "league" not in never
    # a wrong value is a form error, not a 500
    assert client.get("/accounts/users/", {"unit": "x", "signed_in": "zzz"}).status_code == 200


def test_account_list_query_count_does_not_grow(users, org, client_for, django_assert_max_num_queries):
    for i in range(30):
        person = add_person(org.abag_section, f"测试{i}", 100 + i)
        make_user(f"test{i}", "reviewer", org.abag, "x", person=person)
    client = client_for(users.sysadmin)
    client.get("/accounts/users/")  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get("/accounts/users/")
    assert response.status_code == 200 and len(response.context["table"].page.object_list) == 40


def test_account_pages_are_the_sysadmins(users, client_for):
    for user in (users.secadmin, users.league_admin, users.abag_admin, users.cadre):
        client = client_for(user)
        for path in ("/accounts/users/", f"/accounts/users/{users.cadre.pk}/"):
            assert client.get(path).status_code == 403, (user, path)
    # opening accounts for the cadres of one's own roster is an admin's too (not a reviewer's or a cadre's)
    for user in (users.secadmin, users.abag_reviewer, users.cadre):
        assert client_for(user).get("/accounts/open/").status_code == 403, user


def test_a_county_admin_picks_only_units_of_their_own_roster(users, org, client_for):
    client = client_for(users.abag_admin)
    page = client.get("/accounts/open/").content.decode()
    assert "组织股" in page and "锡林浩特市委组织部" not in page
    refused = client.get("/accounts/open/", {"unit": org.xilin.pk}).content.decode()
    assert "将开通" not in refused
    preview = client.get("/accounts/open/", {"unit": org.abag.pk, "without_account_only": "on"}).content.decode()
    assert "将开通 1 个账号" in preview and "wangfang" in preview


def test_account_page_shows_person_and_unit_and_edits(users, org, client_for):
    client = client_for(users.sysadmin)
    page = client.get(f"/accounts/users/{users.cadre.pk}/").content.decode()
    assert "巴依斯古楞" in page and "组织股" in page and "由花名册自动获得" in page
    account = make_user("wf", None, None, "x")
    response = client.post(
        f"/accounts/users/{account.pk}/", {"full_name": "王芳", "is_active": "on", "person": org.abag_other.pk}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.full_name == "王芳" and account.person == org.abag_other
    # linking a person who has an account: the message is beside the field, nothing changes
    response = client.post(f"/accounts/users/{account.pk}/", {"full_name": "王芳X", "is_active": "on", "person": org.bayi.pk})
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.full_name == "王芳" and account.person == org.abag_other


def test_person_page_shows_the_account(users, org, client_for):
    page = client_for(users.abag_admin).get(f"/org/people/{org.bayi.pk}/").content.decode()
    assert "cadre" in page and "启用" in page
    page = client_for(users.abag_admin).get(f"/org/people/{org.abag_other.pk}/").content.decode()
    assert "未开通账号" in page


def test_bulk_open_and_hand_over_once(users, org, client_for):
    add_person(org.abag_section, "王芳", 61)
    client = client_for(users.sysadmin)
    preview = client.get("/accounts/open/", {"unit": org.abag.pk, "without_account_only": "on"})
    plan = preview.context["plan"]
    assert [a.username for a in plan.accounts] == ["wangfang", "wangfang2"]
    data = {"person": [a.person_id for a in plan.accounts], **{f"username_{a.person_id}": a.username for a in plan.accounts}}
    response = client.post("/accounts/open/", data)
    assert response.status_code == 302
    handover = response["Location"]
    assert User.objects.filter(username__in=["wangfang", "wangfang2"], must_change_password=True).count() == 2

    xlsx = client.post(handover + "xlsx/")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "单位", "用户名", "初始密码")
    assert rows[1][:3] == ("王芳", "阿巴嘎旗委组织部 组织股", "wangfang")
    assert User.objects.get(username="wangfang").check_password(rows[1][3])
    assert rows[1][4] == "http://testserver/"

    slips = client.post(handover + "slips/").content.decode()
    assert slips.count('data-testid="slip"') == 2 and rows[1][3] in slips and "http://testserver/" in slips

    # once: the second time, and on the handover page, the passwords are gone
    assert client.post(handover + "xlsx/").status_code == 302
    page = client.get(handover).content.decode()
    assert "已交接" in page and rows[1][3] not in page
    handovers = AuditEntry.objects.filter(action=Action.ACCOUNTS_HANDOVER)
    assert handovers.count() == 2 and all(rows[1][3] not in str(e.changes) for e in handovers)
    assert rows[1][3] not in str(dict(client.session))


def test_site_url_setting_is_printed(users, org, client_for, settings):
    settings.XUEBI_SITE_URL = "https://xuebi.example.gov.cn/"
    client = client_for(users.sysadmin)
    plan = client.get("/accounts/open/", {"unit": org.abag_section.pk}).context["plan"]
    response = client.post("/accounts/open/", {"person": [a.person_id for a in plan.accounts]})
    slips = client.post(response["Location"] + "slips/").content.decode()
    assert "https://xuebi.example.gov.cn/" in slips


def test_bulk_open_error_is_a_message(users, org, client_for):
    client = client_for(users.sysadmin)
    response = client.post("/accounts/open/", {"person": [org.bayi.pk]}, follow=True)
    assert "已有账号 cadre" in response.content.decode()
    response = client.post("/accounts/open/", {"person": ["abc", "99999999999999999999999"]}, follow=True)
    assert response.status_code == 200 and "请勾选" in response.content.decode()


def test_unknown_handover_batch(users, client_for):
    page = client_for(users.sysadmin).get("/accounts/open/nope/").content.decode()
    assert "已交接或已过期" in page


def test_no_person_message_points_to_the_sysadmin(users, client_for):
    page = client_for(users.abag_admin).get("/study/", follow=True).content.decode()
    assert "本单位管理员" not in page


def _open_section(client, org) -> str:
    plan = client.get("/accounts/open/", {"unit": org.abag_section.pk}).context["plan"]
    return client.post("/accounts/open/", {"person": [a.person_id for a in plan.accounts]})["Location"]


def test_handover_expires_after_thirty_minutes(users, org, client_for, time_machine):
    client = client_for(users.sysadmin)
    handover = _open_section(client, org)
    # (an idle session ends after XUEBI_IDLE_TIMEOUT_MINUTES anyway, and the passwords with it)
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=20))
    assert "下载初始密码表" in client.get(handover).content.decode()
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=11))
    assert client.post(handover + "slips/").status_code == 302
    assert "已交接" in client.get(handover).content.decode()


def test_handover_can_be_finished_early(users, org, client_for):
    client = client_for(users.sysadmin)
    handover = _open_section(client, org)
    client.post(handover + "finish/")
    assert client.post(handover + "xlsx/").status_code == 302
    assert not AuditEntry.objects.filter(action=Action.ACCOUNTS_HANDOVER).exists()


def test_another_sysadmin_cannot_take_the_handover(users, org, client_for, client):
    handover = _open_section(client_for(users.sysadmin), org)
    other = make_user("sysadmin2", "sysadmin", None, "x")
    client.force_login(other)
    assert client.post(handover + "xlsx/").status_code == 302  # not in their session: nothing to hand over
