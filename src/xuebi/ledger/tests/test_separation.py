"""Separation of duties in review: nobody decides on a record they entered (代录), authored,
organised or attended — nor on anything that would award them points; the same for 撤销通过 and
corrections. Refused decisions change nothing and say why; the queue does not offer them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from xuebi.audit.models import Action, AuditEntry
from xuebi.campaign.models import Indicator, Rule
from xuebi.ledger.services import records as services
from xuebi.ledger.models import Record, RecordCorrection, RecordEvent
from xuebi.ledger.services.records import RecordInput
from xuebi.org.choices import Role
from xuebi.org.models import RoleGrant
from xuebi.points.models import PointEntry
from xuebi.testing.helpers import DAY, self_study


@pytest.fixture
def points(campaign):
    """Group study pays every participant per hour; self-study pays its author."""
    theory = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习")
    Rule.objects.create(
        campaign=campaign,
        indicator=theory,
        name="集中学习",
        source_kind="group_study",
        method="per_unit",
        points=Decimal("0.5"),
        field_key="hours",
        recipients="all",
    )
    Rule.objects.create(campaign=campaign, indicator=theory, name="自学", source_kind="self_study", points=Decimal(1))


@pytest.fixture
def bayi_reviews(users, org):
    """巴依斯古楞's own account (a cadre) also holds a reviewer grant on 阿巴嘎 — the issue's cadre."""
    RoleGrant.objects.create(user=users.cadre, role=Role.REVIEWER, unit=org.abag)
    return users.cadre


def group_study(users, org, kinds, *, author=None, attendees=None, host=None):
    """A group study entered by the county admin (代录), 王芳 its author unless named."""
    author = author or org.abag_other
    people = attendees if attendees is not None else [org.abag_other, org.bayi]
    data = {"topic": "学习党的二十届四中全会精神"}
    if host is not None:
        data["host"] = {"id": host.pk, "name": host.name}
    return services.record_create(
        actor=users.abag_admin,
        kind=kinds.group_study,
        submit=True,
        values=RecordInput(
            occurred_on=DAY, study_level="branch", data=data, author=author, attendees=[(p, Decimal(2)) for p in people]
        ),
    )


def unchanged(record: Record) -> bool:
    """Still waiting, with no decision in its history, the audit log or the journal."""
    record.refresh_from_db()
    return (
        record.status == "submitted"
        and record.version == 0
        and not RecordEvent.objects.filter(record=record, kind__in=["approve", "return"]).exists()
        and not AuditEntry.objects.filter(
            target_id=str(record.pk), action__in=[Action.RECORD_APPROVE, Action.RECORD_RETURN]
        ).exists()
        and not PointEntry.objects.filter(source_id=str(record.pk)).exists()
    )


# --- services ---------------------------------------------------------------------------------


def test_a_reviewer_who_entered_a_record_for_someone_else_cannot_approve_or_return_it(users, kinds, org, points):
    record = self_study(users.abag_reviewer, kinds, author=org.bayi)  # 代录
    with pytest.raises(PermissionDenied, match="该记录由您代录，须由他人审核。"):
        services.record_approve(actor=users.abag_reviewer, record=record)
    with pytest.raises(PermissionDenied, match="代录"):
        services.record_return(actor=users.abag_reviewer, record=record, comment="请补充")
    assert unchanged(record)
    services.record_approve(actor=users.abag_admin, record=record)  # anyone else in scope may
    assert Record.objects.get(pk=record.pk).status == "approved"


def test_an_attendee_with_a_reviewer_grant_cannot_approve_a_group_record_he_attends_and_gets_no_points(
    users, kinds, org, points, bayi_reviews
):
    record = group_study(users, org, kinds)
    with pytest.raises(PermissionDenied, match="您参加了该活动，通过后将计入您的积分，须由他人审核。"):
        services.record_approve(actor=bayi_reviews, record=record)
    assert unchanged(record)
    assert not PointEntry.objects.filter(person=org.bayi).exists()
    approved, skipped = services.records_approve(actor=bayi_reviews, records=[record])
    assert (approved, skipped) == (0, [f"“{record.title}”：您参加了该活动，通过后将计入您的积分，须由他人审核。"])
    assert unchanged(record)


def test_the_author_and_the_host_cannot_approve(users, kinds, org, points, bayi_reviews):
    own = self_study(users.cadre, kinds)
    with pytest.raises(PermissionDenied, match="这是您本人的记录，须由他人审核。"):
        services.record_approve(actor=bayi_reviews, record=own)
    hosted = group_study(users, org, kinds, attendees=[org.abag_other], host=org.bayi)  # he led it, attended by 王芳 only
    with pytest.raises(PermissionDenied, match="您是该活动的主持人或组织者，须由他人审核。"):
        services.record_approve(actor=bayi_reviews, record=hosted)
    assert unchanged(own) and unchanged(hosted)


def test_bulk_approval_skips_what_the_reviewer_has_a_stake_in_and_approves_the_rest(users, kinds, org, points, bayi_reviews):
    attended = group_study(users, org, kinds)
    others = [self_study(users.abag_admin, kinds, author=org.abag_other, content=f"第{n}篇") for n in range(3)]
    approved, skipped = services.records_approve(actor=bayi_reviews, records=[others[0], attended, *others[1:]])
    assert approved == 3
    assert skipped == [f"“{attended.title}”：您参加了该活动，通过后将计入您的积分，须由他人审核。"]
    assert unchanged(attended)
    assert set(Record.objects.filter(pk__in=[r.pk for r in others]).values_list("status", flat=True)) == {"approved"}


def test_an_admin_does_not_reopen_a_record_they_entered(users, kinds, org, points):
    record = services.record_approve(actor=users.abag_reviewer, record=self_study(users.abag_admin, kinds, author=org.bayi))
    with pytest.raises(PermissionDenied, match="代录"):
        services.record_reopen(actor=users.abag_admin, record=record, comment="学时不符")
    record.refresh_from_db()
    assert record.status == "approved" and PointEntry.objects.filter(source_id=str(record.pk)).count() == 1
    services.record_reopen(actor=users.league_admin, record=record, comment="学时不符")
    assert Record.objects.get(pk=record.pk).status == "returned"


def test_corrections_are_decided_by_someone_without_a_stake(users, kinds, org, points, password_hash):
    from xuebi.testing.helpers import make_user

    chief = make_user("chief", Role.UNIT_ADMIN, org.abag, password_hash, person=org.abag_other)  # 王芳, an admin
    record = services.record_approve(
        actor=users.abag_reviewer, record=group_study(users, org, kinds, author=org.bayi, attendees=[org.bayi])
    )
    values = RecordInput(
        occurred_on=DAY,
        study_level="branch",
        data={"topic": "学习《条例》"},
        attendees=[(org.bayi, Decimal(3)), (org.abag_other, Decimal(3))],
    )
    correction = services.correction_propose(actor=users.cadre, record=record, values=values, reason="漏记了王芳")
    # 王芳 would be added as an attendee and gain points: not hers to decide
    for decide in (
        lambda: services.correction_approve(actor=chief, correction=correction),
        lambda: services.correction_reject(actor=chief, correction=correction, comment="不同意"),
    ):
        with pytest.raises(PermissionDenied, match="更正后您将是该活动的参加人员，通过后将计入您的积分，须由他人审核。"):
            decide()
    # the admin who entered the record neither
    with pytest.raises(PermissionDenied, match="代录"):
        services.correction_approve(actor=users.abag_admin, correction=correction)
    correction.refresh_from_db()
    record.refresh_from_db()
    assert correction.status == "pending" and record.version == 1 and record.has_pending_correction
    assert not PointEntry.objects.filter(person=org.abag_other).exists()
    services.correction_approve(actor=users.league_admin, correction=correction)
    assert RecordCorrection.objects.get(pk=correction.pk).status == "approved"
    assert PointEntry.objects.filter(person=org.abag_other).exists()


def test_the_proposer_of_a_correction_does_not_decide_it(users, kinds, org, points):
    record = services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    values = RecordInput(occurred_on=DAY, data={"platform": "北疆先锋", "content": "第四卷"}, author_hours=Decimal(1))
    correction = services.correction_propose(actor=users.abag_admin, record=record, values=values, reason="平台填错")
    with pytest.raises(PermissionDenied, match="这是您本人提出的更正申请，须由他人审核。"):
        services.correction_approve(actor=users.abag_admin, correction=correction)
    assert RecordCorrection.objects.get(pk=correction.pk).status == "pending"


# --- pages ------------------------------------------------------------------------------------


def test_the_pages_do_not_offer_and_refuse_with_403_what_the_reviewer_has_a_stake_in(
    users, kinds, org, points, bayi_reviews, client_for
):
    attended = group_study(users, org, kinds)
    other = self_study(users.abag_admin, kinds, author=org.abag_other, content="王芳的自学")
    client = client_for(bayi_reviews)
    queue = client.get("/ledger/review/").content.decode()
    assert queue.count('data-testid="queue-row"') == 1 and "王芳的自学" in queue and attended.title not in queue
    detail = client.get(f"/ledger/{attended.pk}/").content.decode()
    assert "需由他人审核" in detail and "您参加了该活动" in detail and 'data-testid="approve"' not in detail
    response = client.post(f"/ledger/{attended.pk}/review/", {"decision": "approve"})
    assert response.status_code == 403 and "您参加了该活动，通过后将计入您的积分，须由他人审核。" in response.content.decode()
    response = client.post(f"/ledger/{attended.pk}/review/", {"decision": "return", "comment": "请补充"})
    assert response.status_code == 403
    response = client.post("/ledger/review/approve/", {"record": [attended.pk, other.pk]}, follow=True)
    page = response.content.decode()
    assert "已批量通过 1 条记录" in page and f"未通过 “{attended.title}”：您参加了该活动" in page
    assert unchanged(attended) and Record.objects.get(pk=other.pk).status == "approved"
    assert not PointEntry.objects.filter(person=org.bayi).exists()


def test_an_admin_who_entered_a_record_sees_who_must_decide_it(users, kinds, org, points, client_for):
    record = self_study(users.abag_admin, kinds, author=org.bayi)
    admin = client_for(users.abag_admin)
    assert 'data-testid="queue-row"' not in admin.get("/ledger/review/").content.decode()
    assert "需由他人审核：</strong>该记录由您代录" in admin.get(f"/ledger/{record.pk}/").content.decode()
    assert 'data-testid="queue-row"' in client_for(users.abag_reviewer).get("/ledger/review/").content.decode()
    services.record_approve(actor=users.abag_reviewer, record=record)
    admin = client_for(users.abag_admin)  # one test client: signed in as the admin again
    response = admin.post(f"/ledger/{record.pk}/reopen/", {"comment": "学时不符"})
    assert response.status_code == 403 and "代录" in response.content.decode()
    assert Record.objects.get(pk=record.pk).status == "approved"


# --- API --------------------------------------------------------------------------------------


def test_the_api_answers_403_in_chinese_and_its_queue_leaves_them_out(users, kinds, org, points, bayi_reviews, api):
    attended = group_study(users, org, kinds)
    own = self_study(users.cadre, kinds)
    other = self_study(users.abag_admin, kinds, author=org.abag_other, content="王芳的自学")
    queue = api.get(bayi_reviews, "/records/review-queue").json()
    assert [row["id"] for row in queue["items"]] == [other.pk]
    response = api.post(bayi_reviews, f"/records/{attended.pk}/approve", {})
    assert response.status_code == 403
    assert response.json()["detail"] == "您参加了该活动，通过后将计入您的积分，须由他人审核。"
    assert api.post(bayi_reviews, f"/records/{own.pk}/approve", {}).json()["detail"] == "这是您本人的记录，须由他人审核。"
    assert api.post(bayi_reviews, f"/records/{own.pk}/return", {"comment": "请补充"}).status_code == 403
    answer = api.post(bayi_reviews, "/review/approve", {"ids": [attended.pk, own.pk, other.pk]}).json()
    assert answer == {
        "approved": 1,
        "skipped": [
            f"“{attended.title}”：您参加了该活动，通过后将计入您的积分，须由他人审核。",
            f"“{own.title}”：这是您本人的记录，须由他人审核。",
        ],
    }
    assert unchanged(attended) and unchanged(own)
    assert not PointEntry.objects.filter(person=org.bayi).exists()


def test_the_api_refuses_a_correction_to_whoever_entered_the_record(users, kinds, org, points, api):
    record = services.record_approve(actor=users.abag_reviewer, record=self_study(users.abag_admin, kinds, author=org.bayi))
    values = {"data": {"platform": "北疆先锋"}, "reason": "平台填错"}
    correction = api.post(users.cadre, f"/records/{record.pk}/corrections", values).json()
    response = api.post(users.abag_admin, f"/corrections/{correction['id']}/approve", {})
    assert response.status_code == 403 and response.json()["detail"] == "该记录由您代录，须由他人审核。"
    assert api.post(users.abag_admin, f"/corrections/{correction['id']}/reject", {"comment": "不同意"}).status_code == 403
    assert RecordCorrection.objects.get(pk=correction["id"]).status == "pending"
    assert api.post(users.league_admin, f"/corrections/{correction['id']}/approve", {}).status_code == 200
