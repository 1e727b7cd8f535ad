"""Bad input never gets a 500: integers past 64 bits, NUL characters and lone surrogates, bodies
over the limit, unknown addresses and methods under /api/ — a Chinese 4xx naming the field,
nothing changed. Runs on SQLite and on PostgreSQL (which refuses NUL in text)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xuebi.audit.models import AuditEntry
from xuebi.org.models import Person

HUGE = 2**70  # past any 64-bit column


@pytest.fixture
def raw():
    """A client that answers a server error as the 500 a user would see, instead of raising."""
    return Client(raise_request_exception=False)


@pytest.fixture
def token(users):
    from xuebi.accounts.services.accounts import token_create

    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users.league_admin, name='测试')[1]}"}


def _messages(response) -> str:
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else " ".join(f"{d['loc']} {d['msg']}" for d in detail)


def _unchanged():
    return Person.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize(
    "path, field",
    [
        (f"/api/v1/people?offset={HUGE}", "offset"),
        (f"/api/v1/people?unit_id={HUGE}", "unit_id"),
        (f"/api/v1/people/{HUGE}", "person_id"),
        (f"/api/v1/points/journal?person_id={HUGE}", "person_id"),
        (f"/api/v1/study/plans?year=-{HUGE}", "year"),
    ],
)
def test_huge_integers_in_the_query_or_path_get_a_422_naming_the_parameter(raw, token, path, field):
    response = raw.get(path, **token)
    assert response.status_code == 422
    assert f"字段“{field}”" in _messages(response)
    assert "不能大于" in _messages(response) or "不能小于" in _messages(response)


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/v1/review/approve", {"ids": [1, HUGE]}, "ids"),
        ("/api/v1/records", {"kind": "self_study", "occurred_on": "2026-11-20", "attendees": [{"person_id": HUGE}]}, "person_id"),
        ("/api/v1/people", {"name": "苏和", "unit_id": HUGE}, "unit_id"),
    ],
)
def test_huge_integers_in_a_body_get_a_422_naming_the_field_and_change_nothing(raw, token, path, body, field):
    before = _unchanged()
    response = raw.post(path, json.dumps(body), content_type="application/json", **token)
    assert response.status_code == 422
    assert f"字段“{field}”格式不正确" in _messages(response)
    assert _unchanged() == before


@pytest.mark.parametrize("name, problem", [('"\\ud800苏和"', "不成对的代理项"), ('"苏\\u0000和"', "空字符")])
def test_a_lone_surrogate_or_nul_in_a_json_string_gets_a_400_naming_the_field(raw, token, org, name, problem):
    before = _unchanged()
    body = '{"name": %s, "unit_id": %d, "sex": "M"}' % (name, org.abag.pk)
    response = raw.post("/api/v1/people", body, content_type="application/json", **token)
    assert response.status_code == 400
    assert response.json()["detail"] == [{"loc": ["body", "name"], "msg": response.json()["detail"][0]["msg"]}]
    assert "字段“name”" in _messages(response) and problem in _messages(response)
    assert _unchanged() == before


def test_nul_inside_a_record_s_own_fields_is_named_by_its_key(raw, token):
    body = '{"kind": "self_study", "occurred_on": "2026-11-20", "data": {"topic": "a\\u0000b"}}'
    response = raw.post("/api/v1/records", body, content_type="application/json", **token)
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["body", "data", "topic"]


def test_nul_in_an_api_query_parameter_gets_a_400_naming_it(raw, token):
    response = raw.get("/api/v1/people?search=%E5%B7%B4%00", **token)
    assert response.status_code == 400
    assert response.json()["detail"] == [{"loc": ["query", "search"], "msg": "字段“search”含有空字符（NUL），请删除后重试。"}]


def test_nul_in_a_page_search_box_gets_a_clear_message(raw, users):
    raw.force_login(users.abag_admin)
    response = raw.get("/org/people/", {"q": "巴\x00"})
    assert response.status_code == 400
    assert "字段“q”含有空字符（NUL）" in response.content.decode()


def test_nul_in_a_page_form_changes_nothing(raw, users, org):
    raw.force_login(users.abag_admin)
    before = _unchanged()
    response = raw.post("/org/people/new/", {"name": "苏\x00和", "unit": org.abag_section.pk, "sex": "M"})
    assert response.status_code == 400
    assert "字段“name”含有空字符（NUL）" in response.content.decode()
    assert _unchanged() == before


@pytest.mark.parametrize(
    "path",
    [
        "/ledger/?kind={n}",
        "/ledger/review/?unit={n}&kind={n}",
        "/ledger/pick/add/?person={n}",
        "/ledger/pick/add/?unit=%C2%B2",
        "/study/plans/?year={n}",
    ],
)
def test_pages_ignore_an_id_the_database_cannot_hold(raw, users, path):
    raw.force_login(users.league_admin)
    assert raw.get(path.format(n=HUGE)).status_code == 200


def test_a_body_over_the_limit_gets_a_chinese_json_413(raw, token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = raw.post(
        "/api/v1/people", json.dumps({"name": "苏" * 2000, "unit_id": 1}), content_type="application/json", **token
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("请求内容过大")


def test_a_form_post_over_the_limit_on_the_api_is_json_too(raw, token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = raw.post("/api/v1/records/1/evidence", {"field_key": "x" * 4000}, **token)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("请求内容过大")


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("get", "/api/v1/no-such-thing", 404),
        ("delete", "/api/v1/people", 405),
        ("get", "/api/v1/people/abc", 422),
    ],
)
def test_every_api_error_is_json_in_chinese(raw, token, method, path, status):
    response = getattr(raw, method)(path, **token)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert "找不到该对象" in _messages(response) or "不支持该请求方法" in _messages(response) or "应为整数" in _messages(response)


def test_a_server_error_under_the_api_is_json(raw, token, org, monkeypatch):
    from xuebi.org import api as org_api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(org_api, "_with_parents", broken)
    response = raw.get(f"/api/v1/units/{org.league.pk}", **token)
    assert response.status_code == 500
    assert response.json()["detail"].startswith("服务器内部错误")


def test_the_openapi_document_lists_the_error_answers_and_the_right_lecture_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    session = schema["paths"]["/api/v1/ledger/lectures/{series_id}/sessions"]["post"]
    ref = session["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "presenter_id" in schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
    study_plan = schema["paths"]["/api/v1/study/plans"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref != study_plan
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "403", "404", "422"):
                assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"
                }, (method, path, code)
    offset = next(p for p in schema["paths"]["/api/v1/people"]["get"]["parameters"] if p["name"] == "offset")
    assert offset["schema"]["maximum"] < 2**63
