"""/api/v1/: tokens and sessions, the role × endpoint matrix, search, writes through PersonForm."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xuebi.accounts.models import ApiToken
from xuebi.accounts.services.accounts import token_create, token_revoke
from xuebi.audit.models import Action, AuditEntry
from xuebi.org.models import Person, Unit, UnitMembership
from xuebi.testing.helpers import add_person, make_id

ROLES = [
    "league_admin",
    "abag_admin",
    "abag_reviewer",
    "cadre",
    "xilin_admin",
    "judge",
    "sysadmin",
    "secadmin",
    "auditor",
    "nobody",
]
SEPARATED = ["sysadmin", "secadmin", "auditor"]
NEW_ID = make_id("152522", dt.date(1990, 5, 6), 57)  # 17th digit odd: a man


def names(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["name"] for row in response.json()["items"]}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content.decode()
    return {row["id"] for row in response.json()["items"]}


def error_locs(response) -> list[str]:
    return [e["loc"][-1] for e in response.json()["detail"]]


def new_person(unit, **extra):
    return {"name": "张伟", "unit_id": unit.pk, "id_number": NEW_ID, "position": "科员", "ethnicity": "汉族", **extra}


# --- tokens and sessions -------------------------------------------------------------------------


def test_token_command_prints_a_token_that_works_as_bearer(users, client):
    out = io.StringIO()
    call_command("token", "abag", stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("xb_")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["username"] == "abag"
    assert AuditEntry.objects.filter(action=Action.TOKEN_CREATE, actor=users.abag_admin, ip="cli").exists()


def test_token_command_refuses_an_unknown_or_deactivated_account(users):
    with pytest.raises(CommandError, match="不存在或已停用"):
        call_command("token", "nosuchuser", stdout=io.StringIO())
    users.cadre.is_active = False
    users.cadre.save()
    with pytest.raises(CommandError, match="不存在或已停用"):
        call_command("token", "cadre", stdout=io.StringIO())
    with pytest.raises(CommandError, match="令牌用途"):
        call_command("token", "abag", "--name", " ", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_only_a_hash_of_the_token_is_stored(users, client):
    out = io.StringIO()
    call_command("token", "abag", stdout=out)
    key = out.getvalue().strip()
    client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {key}")  # also sets last_used_at
    row = ApiToken.objects.get()
    assert row.key_hash == ApiToken.hash(key) and row.last_used_at is not None
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for record in cursor.fetchall():
                assert key not in repr(record), table


def test_a_revoked_token_is_refused(users, client):
    token, key = token_create(user=users.abag_admin, name="脚本")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/units", **auth).status_code == 200
    token_revoke(actor=users.abag_admin, token=token)
    response = client.get("/api/v1/units", **auth)
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]


def test_an_expired_token_is_refused(users, client):
    token, key = token_create(user=users.abag_admin, name="脚本")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_the_token_of_a_deactivated_account_is_refused(users, client):
    _token, key = token_create(user=users.abag_admin, name="脚本")
    users.abag_admin.is_active = False
    users.abag_admin.save(update_fields=["is_active"])
    assert client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer xb_notatoken", "Basic YWJhZzpYdWViaUAyMDIx", "xb_bare"])
def test_no_or_a_garbage_token_gets_401_in_chinese(users, org, header):
    # A client that enforces CSRF like a real one: a POST without a session must still hear 401.
    client = Client(enforce_csrf_checks=True)
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    for response in (
        client.get("/api/v1/people", **extra),
        client.post("/api/v1/people", new_person(org.abag_section), content_type="application/json", **extra),
    ):
        assert response.status_code == 401
        assert response.json()["detail"] == "未认证：请提供有效的访问令牌。"
    assert not Person.objects.filter(name="张伟").exists()


def test_a_signed_in_browser_session_reads_the_api(users, client_for):
    client = client_for(users.abag_admin)
    assert names(client.get("/api/v1/units")) == {"阿巴嘎旗委组织部", "组织股"}


def test_a_session_post_needs_the_csrf_token(users, org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.abag_admin)
    refused = client.post("/api/v1/people", new_person(org.abag_section), content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"] and "令牌" in refused.json()["detail"]
    assert not Person.objects.filter(name="张伟").exists()

    csrf = get_token(RequestFactory().get("/"))
    client.cookies["csrftoken"] = csrf
    accepted = client.post("/api/v1/people", new_person(org.abag_section), content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201, accepted.content.decode()


def test_a_session_held_by_the_account_policy_does_not_reach_the_api(users, client_for):
    users.abag_admin.must_change_password = True
    users.abag_admin.save(update_fields=["must_change_password"])
    response = client_for(users.abag_admin).get("/api/v1/people")
    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]


def test_a_session_without_the_required_second_factor_does_not_reach_the_api(users, client_for, settings):
    settings.XUEBI_REQUIRE_2FA = True
    response = client_for(users.league_admin).get("/api/v1/people")
    assert response.status_code == 403
    assert "双因素" in response.json()["detail"]


def test_an_idle_session_does_not_reach_the_api(users, client_for, settings):
    client = client_for(users.abag_admin)
    session = client.session
    session["last_seen"] = time.time() - (settings.XUEBI_IDLE_TIMEOUT_MINUTES + 1) * 60
    session.save()
    assert client.get("/api/v1/people").status_code == 401


def test_the_openapi_document_lists_the_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert {"/api/v1/units", "/api/v1/people", "/api/v1/people/{person_id}", "/api/v1/me"} <= set(doc["paths"])
    assert {"get", "post"} <= set(doc["paths"]["/api/v1/people"])
    assert doc["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    # The document names the fields the answers really carry (masked 身份证号 as "id_number").
    assert "id_number" in doc["components"]["schemas"]["PersonOut"]["properties"]


# --- who sees what -------------------------------------------------------------------------------


def expected_units(org, role):
    everything = {org.league, org.league_section, org.abag, org.abag_section, org.xilin, org.xilin_section}
    return {
        u.pk
        for u in {
            "league_admin": everything,
            "judge": everything,
            "abag_admin": {org.abag, org.abag_section},
            "abag_reviewer": {org.abag, org.abag_section},
            "cadre": {org.abag, org.abag_section},
            "xilin_admin": {org.xilin, org.xilin_section},
        }.get(role, set())
    }


def expected_people(org, role):
    return {
        p.pk
        for p in {
            "league_admin": {org.bayi, org.abag_other, org.xilin_person, org.league_person},
            "abag_admin": {org.bayi, org.abag_other},
            "abag_reviewer": {org.bayi, org.abag_other},
            "cadre": {org.bayi},
            "xilin_admin": {org.xilin_person},
        }.get(role, set())
    }


@pytest.mark.parametrize("role", ROLES)
def test_units_list_exactly_what_the_role_sees(api, users, org, role):
    response = api.get(getattr(users, role), "/units")
    assert ids(response) == expected_units(org, role)
    assert response.json()["count"] == len(expected_units(org, role))


@pytest.mark.parametrize("role", ROLES)
def test_people_list_exactly_what_the_role_sees_and_the_rest_is_404(api, users, org, role):
    user = getattr(users, role)
    visible = expected_people(org, role)
    assert ids(api.get(user, "/people")) == visible
    missing = api.get(user, "/people/999999")
    assert missing.status_code == 404
    for person in Person.objects.all():
        response = api.get(user, f"/people/{person.pk}")
        if person.pk in visible:
            assert response.status_code == 200 and response.json()["id"] == person.pk
        else:
            assert (response.status_code, response.json()) == (404, missing.json())


def test_a_unit_outside_scope_is_404(api, users, org):
    assert api.get(users.abag_admin, f"/units/{org.abag_section.pk}").json()["parent_id"] == org.abag.pk
    assert api.get(users.abag_admin, f"/units/{org.xilin.pk}").status_code == 404
    assert api.get(users.abag_admin, "/people", unit_id=org.xilin.pk).status_code == 404


@pytest.mark.parametrize("role", ["abag_reviewer", "cadre", "judge", "nobody", *SEPARATED])
def test_roles_that_manage_no_roster_cannot_create_people(api, users, org, role):
    response = api.post(getattr(users, role), "/people", new_person(org.abag_section))
    assert response.status_code == 403
    assert "无权" in response.json()["detail"]
    assert not Person.objects.filter(name="张伟").exists()


def test_an_admin_cannot_create_a_person_in_another_county(api, users, org):
    response = api.post(users.xilin_admin, "/people", new_person(org.abag_section))
    assert response.status_code == 422
    assert error_locs(response) == ["unit_id"]
    assert "所在单位" in response.json()["detail"][0]["msg"]
    assert not Person.objects.filter(name="张伟").exists()
    assert not AuditEntry.objects.filter(action=Action.PERSON_CREATE).exists()


def test_moving_a_person_out_of_ones_scope_is_refused_and_changes_nothing(api, users, org):
    response = api.patch(users.abag_admin, f"/people/{org.bayi.pk}", {"unit_id": org.xilin_section.pk, "position": "股长"})
    assert response.status_code == 422
    assert "unit_id" in error_locs(response)
    org.bayi.refresh_from_db()
    assert (org.bayi.unit, org.bayi.position) == (org.abag_section, "")
    assert list(UnitMembership.objects.filter(person=org.bayi).values_list("unit", "end_date")) == [(org.abag_section.pk, None)]
    assert not AuditEntry.objects.filter(target_id=str(org.bayi.pk), target_type="org.person").exists()


def test_changing_people_needs_a_managing_role_and_scope(api, users, org):
    # Not changeable by the caller — seen but not managed, or not seen at all — is 404 as if it did not exist,
    # as on the page (org:person_edit) and for DELETE of a record: one answer (xuebi.testing.scoped).
    assert api.patch(users.abag_reviewer, f"/people/{org.bayi.pk}", {"position": "股长"}).status_code == 404
    assert api.patch(users.cadre, f"/people/{org.bayi.pk}", {"position": "股长"}).status_code == 404
    assert api.patch(users.abag_admin, f"/people/{org.xilin_person.pk}", {"position": "股长"}).status_code == 404
    assert api.patch(users.auditor, f"/people/{org.bayi.pk}", {"position": "股长"}).status_code == 404
    assert not Person.objects.filter(position="股长").exists()


# --- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["bysgl", "bayisi", "巴依", "BYSGL", "巴依斯古楞"])
def test_search_by_name_full_pinyin_or_initials(api, users, text):
    assert names(api.get(users.abag_admin, "/people", search=text)) == {"巴依斯古楞"}


def test_search_stays_within_scope(api, users):
    assert names(api.get(users.league_admin, "/people", search="巴")) == {"巴依斯古楞", "巴图"}
    assert names(api.get(users.abag_admin, "/people", search="巴")) == {"巴依斯古楞"}
    assert names(api.get(users.league_admin, "/people", search="bt")) == {"巴图"}


# --- creating people -----------------------------------------------------------------------------


def test_create_a_person_answers_201_with_a_masked_id_and_is_audited(api, users, org):
    response = api.post(users.abag_admin, "/people", new_person(org.abag_section))
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["id_number"] == NEW_ID[:6] + "********" + NEW_ID[-4:]
    assert NEW_ID not in response.content.decode()
    assert (body["sex"], body["birth_date"], body["unit_name"]) == ("M", "1990-05-06", "组织股")
    person = Person.objects.get(pk=body["id"])
    assert person.id_number == NEW_ID
    assert UnitMembership.objects.filter(person=person, unit=org.abag_section, end_date__isnull=True).exists()
    entry = AuditEntry.objects.get(action=Action.PERSON_CREATE)
    assert (entry.actor, entry.target_id) == (users.abag_admin, str(person.pk))
    assert NEW_ID not in str(entry.changes)


def test_a_bad_check_digit_is_422_naming_id_number_and_creates_nothing(api, users, org):
    wrong = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    response = api.post(users.abag_admin, "/people", new_person(org.abag_section, id_number=wrong))
    assert response.status_code == 422
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["detail"]}
    assert "id_number" in errors
    assert "身份证号" in errors["id_number"] and "校验码" in errors["id_number"]
    assert not Person.objects.filter(name="张伟").exists()
    assert not AuditEntry.objects.filter(action=Action.PERSON_CREATE).exists()


def test_dates_are_accepted_as_people_type_them(api, users, org):
    response = api.post(
        users.abag_admin, "/people", new_person(org.abag_section, joined_party_date="2021年7月1日", work_start_date="2012.8.1")
    )
    assert response.status_code == 201, response.content.decode()
    assert (response.json()["joined_party_date"], response.json()["work_start_date"]) == ("2021-07-01", "2012-08-01")


def test_a_future_date_is_refused(api, users, org):
    tomorrow = timezone.localdate() + dt.timedelta(days=30)
    response = api.post(users.abag_admin, "/people", new_person(org.abag_section, joined_party_date=tomorrow.isoformat()))
    assert response.status_code == 422
    assert error_locs(response) == ["joined_party_date"]
    assert "不能晚于今天" in response.json()["detail"][0]["msg"]
    assert not Person.objects.filter(name="张伟").exists()


def test_a_duplicate_id_number_is_refused(api, users, org):
    response = api.post(users.abag_admin, "/people", new_person(org.abag_section, id_number=org.bayi.id_number))
    assert response.status_code == 422
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["detail"]}
    assert "已登记" in errors["id_number"] and "152522********" in errors["id_number"]
    assert Person.objects.count() == 4


def test_a_malformed_payload_gets_a_chinese_422(api, users, org):
    response = api.post(users.abag_admin, "/people", {"name": "张伟", "unit_id": "阿巴嘎"})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "unit_id"], "msg": "字段“unit_id”格式不正确：应为整数"}]
    broken = api.client.post("/api/v1/people", "{not json", content_type="application/json", **api._headers(users.abag_admin))
    assert broken.status_code == 400 and "JSON" in broken.json()["detail"]


# --- changing people -----------------------------------------------------------------------------


def test_patch_a_position_is_audited_with_before_and_after(api, users, org):
    response = api.patch(users.abag_admin, f"/people/{org.bayi.pk}", {"position": "副股长"})
    assert response.status_code == 200, response.content.decode()
    assert response.json()["position"] == "副股长"
    org.bayi.refresh_from_db()
    assert (org.bayi.position, org.bayi.name, org.bayi.id_number) == (
        "副股长",
        "巴依斯古楞",
        make_id("152522", dt.date(1985, 3, 1), 11),
    )
    entry = AuditEntry.objects.get(action=Action.PERSON_UPDATE, target_id=str(org.bayi.pk))
    assert entry.actor == users.abag_admin
    assert entry.changes == {"position": ["", "副股长"]}


def test_patch_moving_a_person_keeps_membership_history(api, users, org):
    response = api.patch(users.abag_admin, f"/people/{org.bayi.pk}", {"unit_id": org.abag.pk})
    assert response.status_code == 200, response.content.decode()
    assert response.json()["unit_name"] == "阿巴嘎旗委组织部"
    today = timezone.localdate()
    history = list(UnitMembership.objects.filter(person=org.bayi).values_list("unit", "start_date", "end_date"))
    assert history == [
        (org.abag_section.pk, dt.date(2020, 1, 1), today - dt.timedelta(days=1)),
        (org.abag.pk, today, None),
    ]
    entry = AuditEntry.objects.get(action=Action.PERSON_MOVE, target_id=str(org.bayi.pk))
    assert entry.changes == {"unit": ["组织股", "阿巴嘎旗委组织部"]}


# --- pagination and /me ---------------------------------------------------------------------------


def test_limit_and_offset_page_through_with_the_right_count(api, users, org):
    first = api.get(users.league_admin, "/people", limit=3, offset=0).json()
    second = api.get(users.league_admin, "/people", limit=3, offset=3).json()
    assert (first["count"], second["count"]) == (4, 4)
    assert (len(first["items"]), len(second["items"])) == (3, 1)
    seen = [p["id"] for p in first["items"] + second["items"]]
    assert sorted(seen) == sorted(expected_people(org, "league_admin"))
    units = api.get(users.league_admin, "/units", limit=4, offset=4).json()
    assert (units["count"], len(units["items"])) == (6, 2)
    assert api.get(users.league_admin, "/people", limit=0).status_code == 422


def test_lists_cost_the_same_number_of_queries_however_long_they_are(api, users, org):
    def queries(path):
        api.get(users.league_admin, path)  # the token's first use writes last_used_at
        with CaptureQueriesContext(connection) as captured:
            assert api.get(users.league_admin, path).status_code == 200
        return len(captured)

    before = (queries("/people"), queries("/units"))
    for seq in range(60, 72):
        add_person(org.xilin_section, f"测试{seq}", seq)
        Unit.objects.add_child(Unit.objects.get(pk=org.abag.pk), instance=Unit(name=f"第{seq}党支部", kind="branch"))
    assert (queries("/people"), queries("/units")) == before


def test_me_returns_the_roles_and_the_roster_entry(api, users, org):
    me = api.get(users.cadre, "/me").json()
    assert me["username"] == "cadre"
    # The grant, and the cadre role the linked 组工干部 holds on their own unit without one.
    assert me["roles"] == [
        {"role": "cadre", "role_display": "干部", "unit_id": org.abag.pk, "unit_name": "阿巴嘎旗委组织部", "source": "grant"},
        {"role": "cadre", "role_display": "干部", "unit_id": org.abag_section.pk, "unit_name": "组织股", "source": "roster"},
    ]
    assert me["person"]["id"] == org.bayi.pk and me["person"]["id_number"].startswith("152522****")
    auditor = api.get(users.auditor, "/me").json()
    assert auditor["roles"] == [
        {"role": "auditor", "role_display": "审计管理员", "unit_id": None, "unit_name": "", "source": "grant"}
    ]
    assert auditor["person"] is None
