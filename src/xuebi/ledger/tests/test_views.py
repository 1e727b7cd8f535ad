"""Ledger pages: recording from the schema-built form, the timeline, the queue, evidence access,
and who may open what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from xuebi.ledger.services import records as services
from xuebi.ledger.models import Evidence, Record
from xuebi.testing.helpers import DAY, photo, self_study


def test_a_cadre_records_self_study_with_a_photo_and_submits(users, kinds, client_for):
    client = client_for(users.cadre)
    page = client.get("/ledger/new/self_study/").content.decode()
    assert "学习平台" in page and "学习内容" in page and "佐证材料" in page
    response = client.post(
        "/ledger/new/self_study/",
        {
            "occurred_on": "2026.11.20",
            "f_platform": "学习强国",
            "f_content": "党的二十届四中全会公报",
            "author_hours": "1.5",
            "evidence": [photo("学习截图.jpg")],
            "submit": "",
        },
    )
    record = Record.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledger/{record.pk}/"
    assert (record.status, record.occurred_on, record.title) == ("submitted", DAY, "个人自学：党的二十届四中全会公报")
    assert record.evidence.get().original_name == "学习截图.jpg"
    detail = client.get(f"/ledger/{record.pk}/").content.decode()
    assert (
        "待审核" in detail
        and detail.count("学时") == 1
        and "1.5 小时" in detail
        and f"/ledger/evidence/{record.evidence.get().pk}/thumb/" in detail
    )


def test_bad_input_is_shown_in_chinese_beside_the_field_and_nothing_is_saved(users, kinds, client_for):
    client = client_for(users.cadre)
    response = client.post("/ledger/new/self_study/", {"occurred_on": "2027年1月1日", "f_platform": "微信", "f_content": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "选择一个有效的选项" in page and "这个字段是必填项" in page
    assert not Record.objects.exists()
    response = client.post("/ledger/new/self_study/", {"occurred_on": "2026-12-24", "f_platform": "学习强国", "f_content": "x"})
    assert "日期不能晚于今天。" in response.content.decode()
    assert not Record.objects.exists()


def test_an_organizer_records_a_group_study_with_attendees_and_hours(users, kinds, org, client_for):
    client = client_for(users.cadre)
    found = client.get("/ledger/pick/people/", {"q": "wf"}).content.decode()
    assert "王芳" in found
    rows = client.get("/ledger/pick/add/", {"unit": org.abag_section.pk, "hours_field": "1"}).content.decode()
    assert 'name="attendee" value="%d"' % org.abag_other.pk in rows and "巴依斯古楞" in rows
    outside = client.get("/ledger/pick/add/", {"unit": org.xilin.pk})
    assert outside.status_code == 404
    response = client.post(
        "/ledger/new/group_study/",
        {
            "occurred_on": "2026年11月18日",
            "study_level": "branch",
            "f_topic": "学习《条例》",
            "f_host": org.bayi.pk,
            "attendee": [org.bayi.pk, org.abag_other.pk],
            f"hours_{org.bayi.pk}": "2",
            f"hours_{org.abag_other.pk}": "",
            "submit": "",
        },
    )
    assert "请填写“王芳”的学时。" in response.content.decode()
    assert not Record.objects.exists()
    response = client.post(
        "/ledger/new/group_study/",
        {
            "occurred_on": "2026年11月18日",
            "study_level": "branch",
            "f_topic": "学习《条例》",
            "attendee": [org.bayi.pk, org.abag_other.pk, org.xilin_person.pk],
            f"hours_{org.bayi.pk}": "2",
            f"hours_{org.abag_other.pk}": "2",
            f"hours_{org.xilin_person.pk}": "2",
            "submit": "",
        },
    )
    assert "不在您的范围内" in response.content.decode()
    response = client.post(
        "/ledger/new/group_study/",
        {
            "occurred_on": "2026年11月18日",
            "study_level": "branch",
            "f_topic": "学习《条例》",
            "attendee": [org.bayi.pk, org.abag_other.pk],
            f"hours_{org.bayi.pk}": "2",
            f"hours_{org.abag_other.pk}": "1.5",
            "submit": "",
        },
    )
    record = Record.objects.get()
    assert response.status_code == 302 and record.participants.count() == 2
    assert "王芳" in client.get(f"/ledger/{record.pk}/").content.decode()


def test_the_timeline_shows_own_and_attended_records_filtered_and_in_constant_queries(
    users, kinds, org, client_for, django_assert_max_num_queries
):
    for day in range(1, 6):
        self_study(users.cadre, kinds, day=dt.date(2026, 11, day), content=f"第{day}天")
    self_study(users.abag_admin, kinds, author=org.abag_other, content="王芳的自学")
    client = client_for(users.cadre)
    with django_assert_max_num_queries(12):
        page = client.get("/ledger/").content.decode()
    assert page.count('data-testid="record-row"') == 5 and "王芳的自学" not in page
    assert "2026年11月" in page
    for day in range(6, 26):
        self_study(users.cadre, kinds, day=dt.date(2026, 11, day), content=f"第{day}天")
    with django_assert_max_num_queries(12):
        page = client.get("/ledger/").content.decode()
    assert page.count('data-testid="record-row"') == 20 and "共 25 条" in page
    assert client.get("/ledger/", {"page": 2}).content.decode().count('data-testid="record-row"') == 5
    assert client.get("/api/v1/records", {"limit": 10}).json()["count"] == 25
    filtered = client.get("/ledger/", {"q": "第3天"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="record-timeline").content.decode()
    assert filtered.count('data-testid="record-row"') == 1 and "<html" not in filtered


def test_the_review_queue_lists_the_subtree_oldest_first_and_approves_in_bulk(
    users, kinds, org, client_for, django_assert_max_num_queries
):
    records = [self_study(users.cadre, kinds, day=dt.date(2026, 11, d), content=f"第{d}天") for d in (3, 1, 2)]
    self_study(users.cadre, kinds, submit=False, day=dt.date(2026, 11, 4), content="草稿不进队列")
    client = client_for(users.abag_reviewer)
    with django_assert_max_num_queries(14):
        page = client.get("/ledger/review/").content.decode()
    assert page.count('data-testid="queue-row"') == 3 and "草稿不进队列" not in page
    assert page.index("第3天") < page.index("第1天")  # submitted first, reviewed first
    assert client_for(users.xilin_admin).get("/ledger/review/").content.decode().count('data-testid="queue-row"') == 0
    client = client_for(users.abag_reviewer)
    response = client.post("/ledger/review/approve/", {"record": [r.pk for r in records[:2]]})
    assert response.status_code == 302
    assert sorted(Record.objects.values_list("status", flat=True)) == ["approved", "approved", "draft", "submitted"]


def test_review_return_and_resubmit_through_the_pages(users, kinds, client_for):
    record = self_study(users.cadre, kinds)
    reviewer = client_for(users.abag_reviewer)
    reviewer.post(f"/ledger/{record.pk}/review/", {"decision": "return", "comment": ""})
    record.refresh_from_db()
    assert record.status == "submitted"  # a return without a comment is refused
    reviewer.post(f"/ledger/{record.pk}/review/", {"decision": "return", "comment": "请上传截图"})
    record.refresh_from_db()
    assert record.status == "returned"
    cadre = client_for(users.cadre)
    assert "请上传截图" in cadre.get(f"/ledger/{record.pk}/").content.decode()
    cadre.post(
        f"/ledger/{record.pk}/edit/",
        {"occurred_on": "2026-11-20", "f_platform": "学习强国", "f_content": "补充", "evidence": [photo()], "submit": ""},
    )
    record.refresh_from_db()
    assert record.status == "submitted" and record.evidence.count() == 1
    client_for(users.abag_reviewer).post(f"/ledger/{record.pk}/review/", {"decision": "approve"})
    record.refresh_from_db()
    assert record.status == "approved"
    page = client_for(users.cadre).get(f"/ledger/{record.pk}/edit/")
    assert page.status_code == 302  # frozen


def test_evidence_is_served_only_to_who_may_see_the_record(users, kinds, client_for):
    record = self_study(users.cadre, kinds, files=[("", photo())])
    item = Evidence.objects.get(record=record)
    for user, status in [
        (users.cadre, 200),
        (users.abag_reviewer, 200),
        (users.league_admin, 200),
        (users.xilin_admin, 404),
        (users.auditor, 404),
        (users.judge, 404),
    ]:
        assert client_for(user).get(f"/ledger/evidence/{item.pk}/").status_code == status, user.username
        assert client_for(user).get(f"/ledger/evidence/{item.pk}/thumb/").status_code == status, user.username
    response = client_for(users.cadre).get(f"/ledger/evidence/{item.pk}/")
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"


PAGES = ["/ledger/", "/ledger/new/", "/ledger/new/self_study/", "/ledger/review/", "/ledger/pick/people/?q=w"]
MATRIX = {
    # user: status for each of PAGES
    "cadre": [200, 200, 200, 403, 200],
    "abag_reviewer": [200, 200, 200, 200, 200],
    "abag_admin": [200, 200, 200, 200, 200],
    "league_admin": [200, 200, 200, 200, 200],
    "xilin_admin": [200, 200, 200, 200, 200],
    "judge": [403, 403, 403, 403, 403],
    "sysadmin": [403, 403, 403, 403, 403],
    "secadmin": [403, 403, 403, 403, 403],
    "auditor": [403, 403, 403, 403, 403],
    "nobody": [403, 403, 403, 403, 403],
}


@pytest.mark.parametrize("who", MATRIX)
def test_page_matrix(users, kinds, client_for, who):
    client = client_for(getattr(users, who))
    assert [client.get(url).status_code for url in PAGES] == MATRIX[who]


@pytest.mark.parametrize(
    "who, view, edit, review",
    [
        ("cadre", 200, 200, False),
        ("abag_reviewer", 200, 404, True),
        ("abag_admin", 200, 404, True),
        ("league_admin", 200, 404, True),
        ("xilin_admin", 404, 404, False),
        ("judge", 404, 404, False),
        ("auditor", 404, 404, False),
        ("nobody", 404, 404, False),
    ],
)
def test_record_matrix(users, kinds, client_for, who, view, edit, review):
    record = self_study(users.cadre, kinds, submit=False)
    client = client_for(getattr(users, who))
    assert client.get(f"/ledger/{record.pk}/").status_code == view
    assert client.get(f"/ledger/{record.pk}/edit/").status_code == edit
    services.record_submit(actor=users.cadre, record=record)
    client.post(f"/ledger/{record.pk}/review/", {"decision": "approve"})
    record.refresh_from_db()
    assert (record.status == "approved") == review


def test_anonymous_visitors_are_sent_to_sign_in(client, kinds):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_correction_through_the_pages_keeps_both_versions_visible(users, kinds, client_for):
    record = services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    cadre = client_for(users.cadre)
    form = cadre.get(f"/ledger/{record.pk}/correct/").content.decode()
    assert "更正理由" in form and "学习《习近平谈治国理政》第四卷" in form
    response = cadre.post(
        f"/ledger/{record.pk}/correct/",
        {"occurred_on": "2026-11-20", "f_platform": "北疆先锋", "f_content": "第四卷", "reason": ""},
    )
    assert "这个字段是必填项" in response.content.decode()
    cadre.post(
        f"/ledger/{record.pk}/correct/",
        {"occurred_on": "2026-11-20", "f_platform": "北疆先锋", "f_content": "第四卷", "reason": "平台填错了"},
    )
    record.refresh_from_db()
    assert record.has_pending_correction and record.data["platform"] == "学习强国"
    admin = client_for(users.abag_admin)
    page = admin.get(f"/ledger/{record.pk}/").content.decode()
    assert "平台填错了" in page and 'data-testid="correction-approve"' in page
    assert "待审批的更正申请" in admin.get("/ledger/review/").content.decode()
    correction = record.corrections.get()
    admin.post(f"/ledger/corrections/{correction.pk}/decide/", {"decision": "approve", "comment": "同意"})
    record.refresh_from_db()
    assert (record.version, record.data["platform"]) == (2, "北疆先锋")
    page = client_for(users.cadre).get(f"/ledger/{record.pk}/").content.decode()
    assert "历史版本" in page and "第 1 版" in page and "更正理由：平台填错了" in page


def test_an_admin_reopens_an_approved_record_with_a_reason(users, kinds, client_for):
    record = services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    admin = client_for(users.abag_admin)
    admin.post(f"/ledger/{record.pk}/reopen/", {"comment": ""})
    record.refresh_from_db()
    assert record.status == "approved"
    admin.post(f"/ledger/{record.pk}/reopen/", {"comment": "学时与签到表不符"})
    record.refresh_from_db()
    assert record.status == "returned" and record.review_comment == "学时与签到表不符"


def test_the_kind_picker_groups_kinds_by_dimension(users, kinds, client_for):
    page = client_for(users.cadre).get("/ledger/new/").content.decode()
    # the kind's tile, not the navigation's 组工信息 (the orginfo app) that comes before it
    assert page.index("学理论") < page.index("个人自学") < page.index("比工作") < page.index('data-testid="kind-org_info"')


def test_only_the_author_submits_a_draft_anyone_else_finds_no_such_record(users, kinds, client_for, api):
    """Submitting is the author's right, as editing is: a reviewer who may read the draft gets the same
    404 from 提交 as from 修改 and 删除 (not a 403 that confirms the draft is there), page and API alike."""
    draft = self_study(users.cadre, kinds, submit=False)
    reviewer = client_for(users.abag_reviewer)
    for name in ("submit", "edit", "delete"):
        assert reviewer.post(reverse(f"ledger:{name}", args=[draft.pk])).status_code == 404, name
    assert api.post(users.abag_reviewer, f"/records/{draft.pk}/submit", {}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert client_for(users.cadre).post(reverse("ledger:submit", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"
