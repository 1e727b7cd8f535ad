"""/api/v1/records: the same rules as the pages, answered in JSON with Chinese messages."""

from __future__ import annotations

import json

import pytest

from xuebi.ledger.models import Record
from xuebi.testing.helpers import photo, self_study

BODY = {
    "kind": "self_study",
    "occurred_on": "2026年11月20日",
    "author_hours": "1.5",
    "data": {"platform": "学习强国", "content": "二十届四中全会公报"},
}


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_create_submit_return_revise_approve(users, kinds, client_for):
    cadre = client_for(users.cadre)
    response = post(cadre, "/api/v1/records", {**BODY, "submit": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["title"], body["schema_version"]) == ("submitted", "个人自学：二十届四中全会公报", 1)
    assert body["fields"][0] == {"key": "platform", "label": "学习平台", "type": "choice", "text": "学习强国"}
    pk = body["id"]
    reviewer = client_for(users.abag_reviewer)
    assert [r["id"] for r in reviewer.get("/api/v1/records/review-queue").json()["items"]] == [pk]
    response = post(reviewer, f"/api/v1/records/{pk}/return", {"comment": ""})
    assert response.status_code == 422 and "退回意见" in response.json()["detail"][0]["msg"]
    assert post(reviewer, f"/api/v1/records/{pk}/return", {"comment": "请补充"}).json()["status"] == "returned"
    cadre = client_for(users.cadre)
    response = cadre.patch(
        f"/api/v1/records/{pk}",
        json.dumps({"data": {"content": "补充后的内容"}, "submit": True}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"platform": "学习强国", "content": "补充后的内容"}
    assert response.json()["status"] == "submitted"
    reviewer = client_for(users.abag_reviewer)
    assert post(reviewer, f"/api/v1/records/{pk}/approve", {}).json()["version"] == 1
    response = client_for(users.cadre).patch(
        f"/api/v1/records/{pk}", json.dumps({"data": {"content": "x"}}), content_type="application/json"
    )
    assert response.status_code == 422 and "申请更正" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    "change, loc, message",
    [
        ({"occurred_on": "2027-01-01"}, ["body", "occurred_on"], "日期不能晚于今天。"),
        ({"data": {"platform": "微信", "content": "x"}}, ["body", "data", "platform"], "学习平台：选择一个有效的选项"),
        ({"data": {"platform": "学习强国"}}, ["body", "data", "content"], "学习内容：这个字段是必填项。"),
        ({"author_hours": "30"}, ["body", "author_hours"], "学时（小时）"),
        ({"kind": "nope"}, ["body", "kind"], "台账类型“nope”不存在或已停用。"),
    ],
)
def test_bad_input_gets_422_naming_the_field_and_saves_nothing(users, kinds, client_for, change, loc, message):
    response = post(client_for(users.cadre), "/api/v1/records", {**BODY, **change})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(d["loc"] == loc and message in d["msg"] for d in detail), detail
    assert not Record.objects.exists()


def test_group_records_take_attendees_and_refuse_people_outside_scope(users, kinds, org, client_for):
    body = {
        "kind": "group_study",
        "occurred_on": "2026-11-18",
        "study_level": "branch",
        "data": {"topic": "学习条例"},
        "attendees": [{"person_id": org.bayi.pk, "hours": 2}, {"person_id": org.xilin_person.pk, "hours": 2}],
    }
    response = post(client_for(users.cadre), "/api/v1/records", body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "attendees"]
    body["attendees"][1]["person_id"] = org.abag_other.pk
    response = post(client_for(users.cadre), "/api/v1/records", body)
    assert response.status_code == 201
    assert sorted(p["name"] for p in response.json()["participants"]) == ["巴依斯古楞", "王芳"]


def test_evidence_upload_checks_the_content(users, kinds, client_for):
    record = self_study(users.cadre, kinds, submit=False)
    client = client_for(users.cadre)
    bad = client.post(f"/api/v1/records/{record.pk}/evidence", {"file": ("x.pdf", b"not a pdf")})
    assert bad.status_code == 422
    response = client.post(f"/api/v1/records/{record.pk}/evidence", {"file": photo("现场.jpg")})
    assert response.status_code == 201 and response.json()["content_type"] == "image/jpeg"
    other = client_for(users.xilin_admin).post(f"/api/v1/records/{record.pk}/evidence", {"file": photo()})
    assert other.status_code == 404


def test_corrections_through_the_api(users, kinds, client_for):
    record = self_study(users.cadre, kinds)
    post(client_for(users.abag_reviewer), f"/api/v1/records/{record.pk}/approve", {})
    response = post(
        client_for(users.cadre),
        f"/api/v1/records/{record.pk}/corrections",
        {"data": {"platform": "北疆先锋"}, "reason": "平台填错"},
    )
    assert response.status_code == 201, response.content
    correction = response.json()["id"]
    response = post(client_for(users.abag_admin), f"/api/v1/corrections/{correction}/approve", {"comment": "同意"})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert response.json()["data"]["platform"] == "北疆先锋"


@pytest.mark.parametrize(
    "who, listed, detail, approve",
    [
        ("cadre", 1, 200, 404),
        ("abag_reviewer", 1, 200, 200),
        ("abag_admin", 1, 200, 200),
        ("league_admin", 1, 200, 200),
        ("xilin_admin", 0, 404, 404),
        ("judge", 0, 404, 404),
        ("sysadmin", 0, 404, 404),
        ("auditor", 0, 404, 404),
        ("nobody", 0, 404, 404),
    ],
)
def test_api_matrix(users, kinds, client_for, who, listed, detail, approve):
    record = self_study(users.cadre, kinds)
    client = client_for(getattr(users, who))
    assert client.get("/api/v1/records", {"scope": "all"}).json()["count"] == listed
    assert client.get(f"/api/v1/records/{record.pk}").status_code == detail
    assert post(client, f"/api/v1/records/{record.pk}/approve", {}).status_code == approve


def test_bulk_approve_reports_what_it_skipped(users, kinds, client_for):
    a = self_study(users.cadre, kinds)
    draft = self_study(users.cadre, kinds, submit=False)
    response = post(client_for(users.abag_reviewer), "/api/v1/review/approve", {"ids": [a.pk, draft.pk, 99999]})
    assert response.json()["approved"] == 1
    assert len(response.json()["skipped"]) == 2
