"""Issue 13's rough edges of the ledger: the return comment where the author edits, removing
evidence, field-level history, the version label, a refused 退回 kept on the record, the queue's
count, order and 下一条, and the points a record will earn."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.storage import default_storage

from xuebi.audit.models import AuditEntry
from xuebi.campaign.models import Indicator, Rule
from xuebi.ledger.services import records as services
from xuebi.ledger.models import Evidence, Record
from xuebi.testing.helpers import DAY, photo, self_study


def _returned(users, kinds, **extra):
    record = self_study(users.cadre, kinds, **extra)
    services.record_return(actor=users.abag_reviewer, record=record, comment="请写明学习的具体篇目")
    return record


def test_the_edit_page_of_a_returned_record_shows_the_return_comment_who_and_when(users, kinds, client_for):
    record = _returned(users, kinds)
    page = client_for(users.cadre).get(f"/ledger/{record.pk}/edit/").content.decode()
    assert 'data-testid="return-comment"' in page
    assert "请写明学习的具体篇目" in page and "reviewer" in page and "2026年11月25日" in page


def test_the_history_names_each_changed_field_as_the_page_shows_it(users, kinds, org, client_for):
    record = _returned(users, kinds)
    client = client_for(users.cadre)
    client.post(
        f"/ledger/{record.pk}/edit/",
        {
            "occurred_on": "2026年11月21日",
            "f_platform": "北疆先锋",
            "f_content": "学习《习近平谈治国理政》第四卷",
            "author_hours": "2",
            "draft": "",
        },
    )
    history = client.get(f"/ledger/{record.pk}/").content.decode()
    assert "日期：2026年11月20日 → 2026年11月21日" in history
    assert "学习平台：学习强国 → 北疆先锋" in history
    assert "学时：1.5 → 2" in history
    assert "学习内容：" not in history  # unchanged fields are not listed


def test_the_history_names_attendees_added_and_hours_changed(users, kinds, org):
    values = services.RecordInput(
        occurred_on=DAY,
        data={"topic": "学习《条例》"},
        study_level="branch",
        attendees=[(org.bayi, Decimal(2)), (org.abag_other, Decimal(2))],
    )
    record = services.record_create(actor=users.cadre, kind=kinds.group_study, values=values)
    values.attendees = [(org.bayi, Decimal(3))]
    services.record_update(actor=users.cadre, record=record, values=values)
    lines = record.events.get(kind="update").comment.splitlines()
    assert "移除参加人员：王芳" in lines and "巴依斯古楞的学时：2 → 3" in lines


def test_a_submitted_record_has_no_version_yet_and_hours_once(users, kinds, client_for):
    record = self_study(users.cadre, kinds)
    page = client_for(users.cadre).get(f"/ledger/{record.pk}/").content.decode()
    assert "未通过" not in page and "暂无（审核通过后为第 1 版）" in page
    assert page.count("学时") == 1


def test_evidence_is_removed_from_a_returned_record_audited_and_its_file_deleted(
    users, kinds, client_for, django_capture_on_commit_callbacks
):
    record = _returned(users, kinds, files=[("", photo("a.jpg")), ("", photo("b.jpg", size=(50, 40)))])
    first, second = record.evidence.order_by("pk")
    stored = first.file.name
    assert default_storage.exists(stored)
    client = client_for(users.cadre)
    assert "a.jpg" in client.get(f"/ledger/{record.pk}/edit/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ledger/evidence/{first.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == f"/ledger/{record.pk}/edit/"
    assert list(record.evidence.values_list("original_name", flat=True)) == ["b.jpg"]
    assert not default_storage.exists(stored)
    assert AuditEntry.objects.filter(action="ledger.evidence.remove", target_id=str(record.pk)).count() == 1
    assert "删除附件：a.jpg" in client.get(f"/ledger/{record.pk}/").content.decode()
    # nobody else removes it; a submitted record keeps its files
    assert client_for(users.xilin_admin).post(f"/ledger/evidence/{second.pk}/remove/").status_code == 404
    services.record_submit(actor=users.cadre, record=record)
    client.post(f"/ledger/evidence/{second.pk}/remove/")
    assert record.evidence.count() == 1


def test_a_file_shared_by_another_record_stays_in_storage(users, kinds, client_for, django_capture_on_commit_callbacks):
    one = self_study(users.cadre, kinds, submit=False, files=[("", photo("same.jpg"))])
    two = self_study(users.cadre, kinds, submit=False, files=[("", photo("same.jpg"))])
    item = one.evidence.get()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(users.cadre).post(f"/ledger/evidence/{item.pk}/remove/")
    assert not one.evidence.exists() and default_storage.exists(two.evidence.get().file.name)


def test_a_return_without_a_comment_keeps_the_reviewer_on_the_record(users, kinds, client_for):
    record = self_study(users.cadre, kinds)
    response = client_for(users.abag_reviewer).post(
        f"/ledger/{record.pk}/review/", {"decision": "return", "comment": "   ", "queue": "sort=author"}
    )
    page = response.content.decode()
    assert response.status_code == 200  # the page again, as any form refused
    assert 'data-testid="review-form"' in page and "退回时请填写退回意见" in page
    assert 'data-field="comment"' in page  # beside the comment box
    assert Record.objects.get().status == "submitted"


def test_the_queue_counts_sorts_and_offers_the_next_record(users, kinds, org, client_for, django_assert_max_num_queries):
    from xuebi.testing.helpers import add_person

    zhao = add_person(org.abag_section, "赵敏", 61)
    first = self_study(users.cadre, kinds, content="第一条")
    second = self_study(users.abag_admin, kinds, content="第二条", author=zhao)
    third = self_study(users.cadre, kinds, content="第三条")
    client = client_for(users.abag_reviewer)
    with django_assert_max_num_queries(15):
        page = client.get("/ledger/review/").content.decode()
    assert "3 条" in page
    assert page.index("第一条") < page.index("第二条") < page.index("第三条")
    by_author = client.get("/ledger/review/", {"sort": "author"}).content.decode()
    assert by_author.index("第一条") < by_author.index("第三条") < by_author.index("第二条")  # 巴… before 赵…
    newest = client.get("/ledger/review/", {"sort": "-submitted"}).content.decode()
    assert newest.index("第三条") < newest.index("第一条")

    # approve the first in 记录人 order, then 下一条 is the next one in that order
    response = client.post(f"/ledger/{first.pk}/review/", {"decision": "approve", "queue": "sort=author"})
    assert response["Location"] == f"/ledger/review/?sort=author&done={first.pk}"
    queue = client.get(response["Location"]).content.decode()
    assert 'data-testid="next-record"' in queue and "2 条" in queue
    following = client.get("/ledger/review/next/", {"after": first.pk, "queue": "sort=author"})
    assert following["Location"] == f"/ledger/{third.pk}/?queue=sort%3Dauthor"
    following = client.get("/ledger/review/next/", {"after": third.pk, "queue": "sort=author"})
    assert following["Location"].startswith(f"/ledger/{second.pk}/")
    last = client.get("/ledger/review/next/", {"after": second.pk, "queue": "sort=author"})
    assert last["Location"] == "/ledger/review/?sort=author"
    assert client.get("/ledger/review/next/", {"after": "x", "queue": "sort=nonsense&unit=%00"}).status_code == 302


def test_the_record_shows_the_points_it_will_earn_and_preview_writes_nothing(users, kinds, campaign, client_for):
    from xuebi.points.models import PointEntry

    theory = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))
    Rule.objects.create(
        campaign=campaign,
        indicator=theory,
        name="自学",
        source_kind="self_study",
        method="per_unit",
        field_key="hours",
        points=Decimal(2),
        cap_day=Decimal(2),
    )
    record = self_study(users.cadre, kinds)
    page = client_for(users.abag_reviewer).get(f"/ledger/{record.pk}/").content.decode()
    assert 'data-testid="points-preview"' in page
    assert "2 分" in page and "已达每日上限2分" in page  # 1.5 学时 × 2 = 3, cut to the day's cap
    assert not PointEntry.objects.exists()
    services.record_approve(actor=users.abag_reviewer, record=record)
    assert PointEntry.objects.get().points == Decimal(2)
    assert 'data-testid="points-preview"' not in client_for(users.cadre).get(f"/ledger/{record.pk}/").content.decode()


def test_all_attendees_hours_fill_the_blank_boxes_and_typed_ones_stay(users, kinds, org, client_for):
    client = client_for(users.cadre)
    form = {
        "occurred_on": "2026年11月18日",
        "study_level": "branch",
        "f_topic": "学习《条例》",
        "attendee": [org.bayi.pk, org.abag_other.pk],
        f"hours_{org.bayi.pk}": "3",
        f"hours_{org.abag_other.pk}": "",
        "submit": "",
    }
    page = client.get("/ledger/new/group_study/").content.decode()
    assert 'name="all_hours"' in page and "全部参加人员" in page
    response = client.post("/ledger/new/group_study/", {**form, "all_hours": "两"})
    assert "“全部参加人员”的学时应为数字。" in response.content.decode() and not Record.objects.exists()
    assert 'value="两"' in response.content.decode()  # what was typed stays
    response = client.post("/ledger/new/group_study/", {**form, "all_hours": "2"})
    record = Record.objects.get()
    hours = dict(record.participants.values_list("person__name", "hours"))
    assert hours == {"巴依斯古楞": Decimal(3), "王芳": Decimal(2)}


def test_the_api_removes_evidence_under_the_same_rules(users, kinds, api):
    record = self_study(users.cadre, kinds, submit=False, files=[("", photo())])
    item = record.evidence.get()
    assert (
        api.client.delete(f"/api/v1/records/{record.pk}/evidence/{item.pk}", **api._headers(users.xilin_admin)).status_code == 404
    )
    submitted = self_study(users.cadre, kinds, files=[("", photo("s.jpg"))])
    kept = submitted.evidence.get()
    response = api.client.delete(f"/api/v1/records/{submitted.pk}/evidence/{kept.pk}", **api._headers(users.cadre))
    assert response.status_code == 422 and "不能删除附件" in response.json()["detail"][0]["msg"]
    response = api.client.delete(f"/api/v1/records/{record.pk}/evidence/{item.pk}", **api._headers(users.cadre))
    assert response.status_code == 204 and not Evidence.objects.filter(pk=item.pk).exists()
    assert (
        api.client.delete(f"/api/v1/records/{record.pk}/evidence/{kept.pk}", **api._headers(users.cadre)).status_code == 404
    )  # not this record's file


def test_the_api_previews_the_points_without_writing(users, kinds, campaign, api):
    from xuebi.points.models import PointEntry

    theory = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))
    Rule.objects.create(campaign=campaign, indicator=theory, name="自学", source_kind="self_study", points=Decimal(1))
    record = self_study(users.cadre, kinds)
    response = api.get(users.abag_reviewer, f"/records/{record.pk}/points-preview")
    assert response.json() == [
        {"person_id": record.author_id, "person_name": "巴依斯古楞", "indicator": "理论学习", "points": "1", "note": ""}
    ]
    assert not PointEntry.objects.exists()
    assert api.get(users.xilin_admin, f"/records/{record.pk}/points-preview").status_code == 404


def test_the_record_page_of_a_large_group_costs_the_same_queries_whatever_its_size(users, kinds, campaign, org, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xuebi.testing.helpers import add_person

    theory = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))
    Rule.objects.create(
        campaign=campaign, indicator=theory, name="集中学习", source_kind="group_study", points=Decimal(1), recipients="all"
    )
    people = [add_person(org.abag_section, f"学员{i:02d}", 200 + i) for i in range(45)]
    client, counts = client_for(users.abag_reviewer), []
    for size in (25, 45):  # past 20 people the preview reads no caps: no statement per person
        values = services.RecordInput(
            occurred_on=DAY,
            data={"topic": f"{size}人"},
            study_level="branch",
            author=people[0],
            attendees=[(p, Decimal(2)) for p in people[:size]],
        )
        record = services.record_create(actor=users.abag_admin, kind=kinds.group_study, values=values, submit=True)
        client.get(f"/ledger/{record.pk}/")  # the session's first read and touch
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/ledger/{record.pk}/").content.decode()
        assert "未计上限" in page and f"参加人员（{size}人）" in page
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_ledger_person_fields_use_the_picker_with_county_and_section(users, kinds, org, client_for):
    page = client_for(users.cadre).get("/ledger/new/group_study/").content.decode()
    assert 'data-person-picker data-search-url="/org/people/pick/?action=pick"' in page
    assert "王芳 · 阿巴嘎旗委组织部 / 组织股</option>" in page and "巴图" not in page  # 巴图 is in 锡林浩特
    found = client_for(users.cadre).get("/ledger/pick/people/", {"q": "wf"}).content.decode()
    assert "王芳 · 阿巴嘎旗委组织部 / 组织股" in found  # the attendee search, labelled the same way
    page = client_for(users.abag_admin).get("/ledger/new/self_study/").content.decode()  # 代录: the 记录人 picker
    assert 'name="author"' in page and "巴依斯古楞 · 阿巴嘎旗委组织部 / 组织股</option>" in page
