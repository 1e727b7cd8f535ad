"""The record workflow through its services: what is refused, what is kept, what is announced."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from xuebi.audit.models import Action, AuditEntry
from xuebi.campaign.models import Campaign
from xuebi.ledger import events
from xuebi.ledger.services import records as services
from xuebi.ledger.models import (
    Evidence,
    Participant,
    Record,
    RecordCorrection,
    RecordVersion,
)
from xuebi.ledger.services.records import RecordInput
from xuebi.org.models import UnitMembership
from xuebi.testing.helpers import DAY, photo, self_study


@pytest.fixture
def heard():
    """What the points engine would hear: (signal, record id, version)."""
    calls = []

    def approved(sender, record, version, actor, **kw):
        calls.append(("approved", record.pk, version))

    def withdrawn(sender, record, version, actor, reason, **kw):
        calls.append(("withdrawn", record.pk, version))

    events.record_approved.connect(approved)
    events.record_withdrawn.connect(withdrawn)
    yield calls
    events.record_approved.disconnect(approved)
    events.record_withdrawn.disconnect(withdrawn)


def group_values(org, **extra):
    base = dict(
        occurred_on=DAY,
        study_level="branch",
        data={"topic": "学习党的二十届四中全会精神"},
        attendees=[(org.bayi, Decimal("2")), (org.abag_other, Decimal("1.5"))],
    )
    base.update(extra)
    return RecordInput(**base)


def test_submit_approve_freezes_the_record_and_announces_it(users, kinds, heard):
    record = self_study(users.cadre, kinds)
    assert record.status == "submitted"
    record = services.record_approve(actor=users.abag_reviewer, record=record, comment="符合要求")
    assert (record.status, record.version) == ("approved", 1)
    assert heard == [("approved", record.pk, 1)]
    assert RecordVersion.objects.get(record=record).data["content"].startswith("学习《习近平")
    with pytest.raises(ValidationError, match="申请更正"):
        services.record_update(actor=users.cadre, record=record, values=RecordInput(occurred_on=DAY, data={}))
    assert list(record.events.values_list("kind", flat=True)) == ["create", "submit", "approve"]
    assert AuditEntry.objects.filter(action=Action.RECORD_APPROVE, target_id=str(record.pk)).exists()


def test_return_needs_a_comment_then_the_author_revises_and_resubmits(users, kinds, heard):
    record = self_study(users.cadre, kinds)
    with pytest.raises(ValidationError, match="退回意见"):
        services.record_return(actor=users.abag_reviewer, record=record, comment="  ")
    record = services.record_return(actor=users.abag_reviewer, record=record, comment="请补充学习内容")
    assert record.status == "returned" and record.review_comment == "请补充学习内容"
    values = RecordInput(occurred_on=DAY, data={"platform": "学习强国", "content": "第四卷第三专题"}, author_hours=Decimal(2))
    record = services.record_update(actor=users.cadre, record=record, values=values, submit=True)
    assert record.status == "submitted" and record.title == "个人自学：第四卷第三专题"
    services.record_approve(actor=users.abag_reviewer, record=record)
    assert heard == [("approved", record.pk, 1)]


def test_reviewers_review_their_subtree_only_and_never_their_own(users, kinds, org):
    record = self_study(users.cadre, kinds)
    with pytest.raises(PermissionDenied):
        services.record_approve(actor=users.xilin_admin, record=record)
    with pytest.raises(PermissionDenied):
        services.record_approve(actor=users.cadre, record=record)
    users.abag_reviewer.person = org.abag_other
    users.abag_reviewer.save()
    own = self_study(users.abag_reviewer, kinds)
    with pytest.raises(PermissionDenied, match="本人"):
        services.record_approve(actor=users.abag_reviewer, record=own)
    assert Record.objects.get(pk=own.pk).status == "submitted"


def test_a_kind_without_review_is_approved_on_submit(users, kinds, heard):
    kinds.self_study.review_required = False
    kinds.self_study.save()
    record = self_study(users.cadre, kinds)
    assert record.status == "approved" and record.version == 1
    assert heard == [("approved", record.pk, 1)]


def test_a_future_date_or_one_outside_the_campaign_is_refused_and_nothing_saved(users, kinds, today):
    with pytest.raises(ValidationError) as exc:
        self_study(users.cadre, kinds, day=today + dt.timedelta(days=1))
    assert exc.value.message_dict["occurred_on"] == ["日期不能晚于今天。"]
    with pytest.raises(ValidationError) as exc:
        self_study(users.cadre, kinds, day=dt.date(2025, 12, 31))
    assert "不在进行中的活动期间内" in exc.value.message_dict["occurred_on"][0]
    Campaign.objects.update(is_closed=True)
    with pytest.raises(ValidationError):
        self_study(users.cadre, kinds)
    assert not Record.objects.exists()


def test_group_records_check_attendees_scope_and_hours(users, kinds, org):
    with pytest.raises(ValidationError) as exc:
        services.record_create(
            actor=users.cadre,
            kind=kinds.group_study,
            values=group_values(org, attendees=[(org.bayi, Decimal(2)), (org.xilin_person, Decimal(2))]),
        )
    assert exc.value.message_dict["attendees"] == ["以下人员不在您的范围内：巴图。"]
    with pytest.raises(ValidationError) as exc:
        services.record_create(actor=users.cadre, kind=kinds.group_study, values=group_values(org, attendees=[(org.bayi, None)]))
    assert "请填写“巴依斯古楞”的学时。" in exc.value.message_dict["attendees"]
    with pytest.raises(ValidationError) as exc:
        services.record_create(actor=users.cadre, kind=kinds.group_study, values=group_values(org, study_level=""))
    assert exc.value.message_dict["study_level"] == ["请选择学习层级（五学联动）。"]
    assert not Record.objects.exists()
    record = services.record_create(actor=users.cadre, kind=kinds.group_study, values=group_values(org))
    rows = {p.person.name: (p.role, p.hours) for p in record.participants.select_related("person")}
    assert rows == {"巴依斯古楞": ("author", Decimal("2.0")), "王芳": ("attendee", Decimal("1.5"))}


def test_an_attendee_sees_the_record_and_another_county_does_not(users, kinds, org):
    record = services.record_create(
        actor=users.abag_admin, kind=kinds.group_study, values=group_values(org, author=org.abag_other)
    )
    assert Record.objects.visible_to(users.cadre).filter(pk=record.pk).exists()  # attended
    assert not Record.objects.visible_to(users.cadre, "edit").filter(pk=record.pk).exists()
    assert Record.objects.visible_to(users.abag_admin, "edit").filter(pk=record.pk).exists()  # recorded it (代录)
    assert not Record.objects.visible_to(users.xilin_admin).filter(pk=record.pk).exists()
    assert not Record.objects.visible_to(users.auditor).exists()


def test_an_admin_without_a_roster_entry_must_name_the_author(users, kinds, org):
    with pytest.raises(ValidationError) as exc:
        self_study(users.abag_admin, kinds)
    assert "请选择记录人" in exc.value.message_dict["author"][0]
    with pytest.raises(ValidationError) as exc:
        self_study(users.abag_admin, kinds, author=org.xilin_person)
    assert "不在您的管理范围内" in exc.value.message_dict["author"][0]
    record = self_study(users.abag_admin, kinds, author=org.bayi)
    assert record.author == org.bayi and record.created_by == users.abag_admin


def test_points_follow_the_unit_at_the_time(users, kinds, org):
    # 巴依斯古楞 moved from 阿巴嘎 组织股 to 阿巴嘎旗委组织部 itself on 2026-11-01
    UnitMembership.objects.filter(person=org.bayi).update(end_date=dt.date(2026, 10, 31))
    UnitMembership.objects.create(person=org.bayi, unit=org.abag, start_date=dt.date(2026, 11, 1))
    org.bayi.unit = org.abag
    org.bayi.save()
    before = self_study(users.cadre, kinds, day=dt.date(2026, 10, 15))
    after = self_study(users.cadre, kinds, day=dt.date(2026, 11, 15))
    assert Participant.objects.get(record=before).unit == org.abag_section
    assert Participant.objects.get(record=after).unit == org.abag


def test_evidence_is_checked_by_content_stored_by_hash_and_thumbnailed(users, kinds):
    values = RecordInput(occurred_on=DAY, data={"title": "阿巴嘎旗开展党史晨读", "level": "盟"})
    with pytest.raises(ValidationError, match="须上传佐证材料"):
        services.record_create(actor=users.cadre, kind=kinds.org_info, values=values, submit=True)
    assert not Record.objects.exists()  # the failed submit took the draft with it
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")
    values.files = [("", fake)]
    with pytest.raises(ValidationError) as exc:
        services.record_create(actor=users.cadre, kind=kinds.org_info, values=values, submit=True)
    assert "文件“photo.jpg”的类型不受支持" in exc.value.message_dict["evidence"][0]
    values.files = [("", photo("现场.jpg")), ("", photo("现场副本.jpg"))]
    record = services.record_create(actor=users.cadre, kind=kinds.org_info, values=values, submit=True)
    items = list(Evidence.objects.filter(record=record))
    assert [e.original_name for e in items] == ["现场.jpg", "现场副本.jpg"]
    assert items[0].file.name == items[1].file.name == f"evidence/{items[0].sha256[:2]}/{items[0].sha256}.jpg"
    assert default_storage.exists(items[0].thumbnail.name)


def test_evidence_over_the_size_limit_is_refused(users, kinds, settings):
    settings.XUEBI_EVIDENCE_MAX_MB = 0
    values = RecordInput(occurred_on=DAY, data={"title": "信息", "level": "盟"}, files=[("", photo())])
    with pytest.raises(ValidationError, match="超过 0 MB"):
        services.record_create(actor=users.cadre, kind=kinds.org_info, values=values)


def test_a_correction_waits_for_an_admin_and_keeps_every_version(users, kinds, heard):
    record = services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    values = RecordInput(occurred_on=DAY, data={"platform": "北疆先锋", "content": "第四卷"}, author_hours=Decimal(1))
    with pytest.raises(ValidationError, match="更正理由"):
        services.correction_propose(actor=users.cadre, record=record, values=values, reason="")
    correction = services.correction_propose(actor=users.cadre, record=record, values=values, reason="平台填错")
    record.refresh_from_db()
    assert record.data["platform"] == "学习强国" and record.has_pending_correction
    with pytest.raises(PermissionDenied):  # a reviewer approves records, not corrections
        services.correction_approve(actor=users.abag_reviewer, correction=correction)
    record = services.correction_approve(actor=users.abag_admin, correction=correction, comment="同意")
    assert (record.version, record.data["platform"], record.status) == (2, "北疆先锋", "approved")
    assert list(RecordVersion.objects.filter(record=record).values_list("number", "data__platform")) == [
        (1, "学习强国"),
        (2, "北疆先锋"),
    ]
    assert heard == [("approved", record.pk, 1), ("withdrawn", record.pk, 1), ("approved", record.pk, 2)]
    assert RecordCorrection.objects.get().status == "approved"


def test_nobody_approves_their_own_correction(users, kinds):
    record = services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    values = RecordInput(occurred_on=DAY, data={"platform": "其他", "content": "x"})
    correction = services.correction_propose(actor=users.abag_admin, record=record, values=values, reason="核实后更正")
    with pytest.raises(PermissionDenied, match="本人"):
        services.correction_approve(actor=users.abag_admin, correction=correction)
    services.correction_reject(actor=users.league_admin, correction=correction, comment="无依据")
    record.refresh_from_db()
    assert record.version == 1 and not record.has_pending_correction


def test_reopening_an_approval_withdraws_it(users, kinds, heard):
    record = services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    with pytest.raises(PermissionDenied):
        services.record_reopen(actor=users.abag_reviewer, record=record, comment="x")
    record = services.record_reopen(actor=users.abag_admin, record=record, comment="学习时长不实")
    assert record.status == "returned"
    assert heard[-1] == ("withdrawn", record.pk, 1)


def test_bulk_approval_approves_what_it_can_and_says_why_not_the_rest(users, kinds):
    a = self_study(users.cadre, kinds)
    b = self_study(users.cadre, kinds, day=dt.date(2026, 11, 19))
    draft = self_study(users.cadre, kinds, submit=False, day=dt.date(2026, 11, 18))
    approved, skipped = services.records_approve(actor=users.abag_reviewer, records=[a, b, draft])
    assert approved == 2
    assert skipped == [f"“{draft.title}”：该记录当前为“草稿”，不能审核通过。"]


def test_only_drafts_are_deleted(users, kinds):
    record = self_study(users.cadre, kinds)
    with pytest.raises(ValidationError, match="只有草稿"):
        services.record_delete(actor=users.cadre, record=record)
    draft = self_study(users.cadre, kinds, submit=False, day=dt.date(2026, 11, 1))
    services.record_delete(actor=users.cadre, record=draft)
    assert not Record.objects.filter(pk=draft.pk).exists()
