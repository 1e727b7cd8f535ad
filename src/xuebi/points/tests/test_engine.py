"""The engine through the ledger: rule kinds, every cap kind and caps together, reversal,
corrections, idempotency, and totals that always equal the journal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from xuebi.campaign.services import rules
from xuebi.campaign.models import Indicator, Rule
from xuebi.ledger.services import records as services
from xuebi.ledger.models import Record
from xuebi.ledger.services.records import RecordInput
from xuebi.org.models import UnitMembership
from xuebi.points import engine, recompute, standings
from xuebi.points.models import PersonTotal, PointEntry, RankCount, UnitTotal
from xuebi.points.receivers import source_from_record
from xuebi.testing.helpers import DAY, photo, self_study


@pytest.fixture
def theory(campaign):
    return Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))


def rule(campaign, indicator, kind, **extra):
    return Rule.objects.create(campaign=campaign, indicator=indicator, name=f"{kind}规则", source_kind=kind, **extra)


def approve(users, record):
    return services.record_approve(actor=users.abag_reviewer, record=record)


def total(person, campaign) -> Decimal:
    row = PersonTotal.objects.overall().filter(person=person, campaign=campaign).first()
    return row.total if row else Decimal(0)


def journal(person) -> list[tuple[str, Decimal, str]]:
    return [(e.entry_type, e.points, e.note) for e in PointEntry.objects.filter(person=person).order_by("pk")]


def test_a_fixed_rule_awards_on_approval_with_the_unit_of_the_day(users, kinds, org, campaign, theory):
    rule(campaign, theory, "self_study", points=Decimal(1))
    record = self_study(users.cadre, kinds)
    assert not PointEntry.objects.exists()  # submitted is not approved
    approve(users, record)
    entry = PointEntry.objects.get()
    assert (entry.points, entry.unit, entry.dimension, entry.source_id) == (
        Decimal("1.00"),
        org.abag_section,
        "theory",
        str(record.pk),
    )
    assert total(org.bayi, campaign) == Decimal(1)
    assert PersonTotal.objects.overall().get(person=org.bayi).theory == Decimal(1)


def test_per_hour_rules_pay_each_attendee_for_their_own_hours(users, kinds, org, campaign, theory):
    rule(campaign, theory, "group_study", method="per_unit", points=Decimal("0.5"), field_key="hours", recipients="all")
    record = services.record_create(
        actor=users.cadre,
        kind=kinds.group_study,
        submit=True,
        values=RecordInput(
            occurred_on=DAY,
            study_level="branch",
            data={"topic": "学习条例"},
            attendees=[(org.bayi, Decimal(3)), (org.abag_other, Decimal("1.5"))],
        ),
    )
    approve(users, record)
    assert total(org.bayi, campaign) == Decimal("1.5") and total(org.abag_other, campaign) == Decimal("0.75")


def test_a_lookup_rule_scores_by_the_chosen_level(users, kinds, org, campaign):
    work = Indicator.objects.create(campaign=campaign, dimension="work", name="组工信息")
    rule(
        campaign, work, "org_info", method="lookup", field_key="level", lookup={"中央": 10, "自治区": 5, "盟": 2, "未采用": "0.5"}
    )
    for level in ("自治区", "未采用"):
        record = services.record_create(
            actor=users.cadre,
            kind=kinds.org_info,
            submit=True,
            values=RecordInput(occurred_on=DAY, data={"title": f"信息{level}", "level": level}, files=[("", photo())]),
        )
        approve(users, record)
    assert sorted(PointEntry.objects.values_list("points", flat=True)) == [Decimal("0.50"), Decimal("5.00")]
    assert PersonTotal.objects.overall().get(person=org.bayi).work == Decimal("5.5")


def test_a_daily_cap_holds_and_the_journal_says_why(users, kinds, org, campaign, theory):
    rule(campaign, theory, "self_study", points=Decimal(1), cap_day=Decimal(2))
    for content in ("一", "二", "三"):
        approve(users, self_study(users.cadre, kinds, content=content))
    assert journal(org.bayi) == [
        ("award", Decimal("1.00"), ""),
        ("award", Decimal("1.00"), ""),
        ("award", Decimal("0.00"), "已达每日上限2分"),
    ]
    approve(users, self_study(users.cadre, kinds, day=DAY - dt.timedelta(days=1)))
    assert total(org.bayi, campaign) == Decimal(3)  # the next day has room again


@pytest.mark.parametrize(
    "cap, days, expected",
    [
        ("cap_week", [dt.date(2026, 11, 16), dt.date(2026, 11, 18), dt.date(2026, 11, 22), dt.date(2026, 11, 23)], Decimal(3)),
        ("cap_month", [dt.date(2026, 10, 31), dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)], Decimal(3)),
        ("cap_campaign", [dt.date(2026, 1, 5), dt.date(2026, 6, 1), dt.date(2026, 11, 2)], Decimal(2)),
    ],
)
def test_week_month_and_campaign_caps(users, kinds, org, campaign, theory, cap, days, expected):
    # week of 16–22 Nov holds 2 of 3, the 23rd is a new week; October's 31st is another month
    rule(campaign, theory, "self_study", points=Decimal(1), **{cap: Decimal(2)})
    for day in days:
        approve(users, self_study(users.cadre, kinds, day=day))
    assert total(org.bayi, campaign) == expected


def test_a_daily_cap_and_the_indicator_maximum_hold_together(users, kinds, org, campaign):
    small = Indicator.objects.create(campaign=campaign, dimension="theory", name="自学", max_points=Decimal("2.5"))
    rule(campaign, small, "self_study", points=Decimal(1), cap_day=Decimal("1.5"))
    for day in (DAY, DAY, DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=2)):
        approve(users, self_study(users.cadre, kinds, day=day))
    points = [e.points for e in PointEntry.objects.order_by("pk")]
    assert points == [Decimal(1), Decimal("0.5"), Decimal(1), Decimal(0)]
    assert PointEntry.objects.order_by("pk").last().note == "已达指标“自学”满分2.5分"
    assert total(org.bayi, campaign) == Decimal("2.5")


def test_once_per_value_counts_each_item_once_in_the_campaign(users, kinds, org, campaign, theory):
    rule(campaign, theory, "self_study", points=Decimal(1), field_key="platform", once_per_value=True)
    approve(users, self_study(users.cadre, kinds, content="一"))
    approve(users, self_study(users.cadre, kinds, content="二"))
    assert [e.points for e in PointEntry.objects.order_by("pk")] == [Decimal(1), Decimal(0)]
    assert PointEntry.objects.order_by("pk").last().note == "“学习强国”在活动期间已计分"


def test_reopening_reverses_with_a_visible_reason_and_reapproval_awards_again(users, kinds, org, campaign, theory):
    rule(campaign, theory, "self_study", points=Decimal(1))
    record = approve(users, self_study(users.cadre, kinds))
    services.record_reopen(actor=users.abag_admin, record=record, comment="学时不实")
    assert journal(org.bayi) == [("award", Decimal(1), ""), ("reversal", Decimal(-1), "冲销：学时不实")]
    assert total(org.bayi, campaign) == 0
    services.record_submit(actor=users.cadre, record=record)
    approve(users, record)
    assert total(org.bayi, campaign) == Decimal(1) and PointEntry.objects.count() == 3


def test_an_approved_correction_reverses_the_old_version_and_awards_the_new(users, kinds, org, campaign):
    work = Indicator.objects.create(campaign=campaign, dimension="work", name="组工信息")
    rule(campaign, work, "self_study", method="lookup", field_key="platform", lookup={"学习强国": 1, "北疆先锋": 3})
    record = approve(users, self_study(users.cadre, kinds))
    correction = services.correction_propose(
        actor=users.cadre,
        record=record,
        reason="平台填错",
        values=RecordInput(occurred_on=DAY, data={"platform": "北疆先锋", "content": "x"}),
    )
    services.correction_approve(actor=users.abag_admin, correction=correction)
    assert [(e.entry_type, e.points, e.source_version) for e in PointEntry.objects.order_by("pk")] == [
        ("award", Decimal(1), 1),
        ("reversal", Decimal(-1), 1),
        ("award", Decimal(3), 2),
    ]
    assert total(org.bayi, campaign) == Decimal(3)


def test_awarding_the_same_approval_twice_awards_once(users, kinds, org, campaign, theory):
    rule(campaign, theory, "self_study", points=Decimal(1))
    record = approve(users, self_study(users.cadre, kinds))
    again = engine.award(source_from_record(record))
    assert again == [] and PointEntry.objects.count() == 1 and total(org.bayi, campaign) == 1


def test_points_follow_the_unit_on_the_day_of_the_activity(users, kinds, org, campaign, theory):
    rule(campaign, theory, "self_study", points=Decimal(1))
    UnitMembership.objects.filter(person=org.bayi).update(end_date=dt.date(2026, 10, 31))
    UnitMembership.objects.create(person=org.bayi, unit=org.abag, start_date=dt.date(2026, 11, 1))
    org.bayi.unit = org.abag
    org.bayi.save()
    approve(users, self_study(users.cadre, kinds, day=dt.date(2026, 10, 20)))
    approve(users, self_study(users.cadre, kinds, day=dt.date(2026, 11, 20)))
    assert list(PointEntry.objects.order_by("occurred_on").values_list("unit", flat=True)) == [org.abag_section.pk, org.abag.pk]


def test_a_closed_campaign_awards_nothing(users, kinds, org, campaign, theory):
    rule(campaign, theory, "self_study", points=Decimal(1))
    record = self_study(users.cadre, kinds)
    campaign.is_closed = True
    campaign.save()
    approve(users, record)
    assert not PointEntry.objects.exists()


ACTIONS = st.lists(st.tuples(st.sampled_from(["approve", "reopen", "correct"]), st.integers(0, 3)), max_size=14)


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_after_any_sequence_totals_equal_the_journal(users, kinds, org, campaign, actions):
    """Approvals, reopenings and corrections in any order: the maintained total is always the sum
    of the journal, every reversal points at an award, and no award is reversed twice."""
    # hypothesis runs many examples in one test transaction: start each from an empty ledger
    PointEntry.objects.filter(entry_type="reversal").delete()
    PointEntry.objects.all().delete()
    PersonTotal.objects.all().delete()
    UnitTotal.objects.all().delete()
    RankCount.objects.all().delete()
    Record.objects.all().delete()
    Rule.objects.all().delete()
    Indicator.objects.all().delete()
    indicator = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论", max_points=Decimal(5))
    rule(
        campaign,
        indicator,
        "self_study",
        method="lookup",
        field_key="platform",
        lookup={"学习强国": "1.5", "北疆先锋": 1, "其他": "0.25"},
        cap_day=Decimal(2),
    )
    records = [self_study(users.cadre, kinds, day=DAY - dt.timedelta(days=i % 2), content=f"第{i}篇") for i in range(4)]
    platforms = ["学习强国", "北疆先锋", "其他"]
    for step, (action, index) in enumerate(actions):
        record = records[index]
        record.refresh_from_db()
        if action == "approve" and record.status in ("submitted", "returned"):
            if record.status == "returned":
                services.record_submit(actor=users.cadre, record=record)
            approve(users, record)
        elif action == "reopen" and record.status == "approved" and not record.has_pending_correction:
            services.record_reopen(actor=users.abag_admin, record=record, comment="复核")
        elif action == "correct" and record.status == "approved" and not record.has_pending_correction:
            correction = services.correction_propose(
                actor=users.cadre,
                record=record,
                reason="更正",
                values=RecordInput(occurred_on=record.occurred_on, data={"platform": platforms[step % 3], "content": "x"}),
            )
            services.correction_approve(actor=users.abag_admin, correction=correction)
    assert total(org.bayi, campaign) == engine.journal_total(org.bayi.pk, campaign.pk)
    assert total(org.bayi, campaign) <= Decimal(5)
    assert recompute.preview(actor=users.league_admin, campaign=campaign) == []  # from scratch: the same
    assert standings.stored_rows(campaign) == standings.expected_rows(campaign)  # every period, indicator, unit
    reversals = PointEntry.objects.filter(entry_type="reversal")
    assert all(r.points == -r.reverses.points for r in reversals)
    for record in records:
        record.refresh_from_db()
        live = PointEntry.objects.filter(source_id=str(record.pk), entry_type="award", reversed_by__isnull=True)
        # an approved record has exactly its current version's award standing; any other, none
        assert list(live.values_list("source_version", flat=True)) == ([record.version] if record.status == "approved" else [])


def test_a_rule_change_is_previewed_then_applied_and_nothing_is_lost(users, kinds, org, campaign, theory):
    old = rule(campaign, theory, "self_study", points=Decimal(1))
    for content in ("一", "二"):
        approve(users, self_study(users.cadre, kinds, content=content))
    Rule.objects.filter(pk=old.pk).update(is_active=False)
    rule(campaign, theory, "self_study", points=Decimal("1.5"), supersedes=old)
    assert recompute.preview(actor=users.league_admin, campaign=campaign) == [
        {
            "person_id": org.bayi.pk,
            "name": "巴依斯古楞",
            "unit": "阿巴嘎旗委组织部 · 组织股",
            "before": Decimal(2),
            "after": Decimal(3),
            "change": Decimal(1),
        }
    ]
    assert total(org.bayi, campaign) == Decimal(2) and PointEntry.objects.count() == 2  # the preview wrote nothing
    with pytest.raises(PermissionDenied):
        recompute.apply(actor=users.abag_admin, campaign=campaign)
    recompute.apply(actor=users.league_admin, campaign=campaign)
    assert total(org.bayi, campaign) == Decimal(3) == engine.journal_total(org.bayi.pk, campaign.pk)
    assert [(e.entry_type, e.points) for e in PointEntry.objects.order_by("pk")] == [
        ("award", Decimal(1)),
        ("award", Decimal(1)),
        ("reversal", Decimal(-1)),
        ("reversal", Decimal(-1)),
        ("award", Decimal("1.5")),
        ("award", Decimal("1.5")),
    ]
    assert recompute.preview(actor=users.league_admin, campaign=campaign) == []


def test_a_cap_counts_what_every_earlier_version_of_a_changed_rule_awarded(users, kinds, org, campaign, theory):
    """A rule whose figures changed twice is three rows; its daily cap still counts the day's
    points under all three."""
    first = rule(campaign, theory, "self_study", points=Decimal(1), cap_day=Decimal(2))
    approve(users, self_study(users.cadre, kinds, content="一"))
    second = rules.rule_change(actor=users.league_admin, rule=first, points=Decimal("0.5"))
    approve(users, self_study(users.cadre, kinds, content="二"))
    rules.rule_change(actor=users.league_admin, rule=second, points=Decimal(1))
    approve(users, self_study(users.cadre, kinds, content="三"))
    approve(users, self_study(users.cadre, kinds, content="四"))
    assert journal(org.bayi) == [
        ("award", Decimal(1), ""),
        ("award", Decimal("0.5"), ""),
        ("award", Decimal("0.5"), "已达每日上限2分"),
        ("award", Decimal(0), "已达每日上限2分"),
    ]
    assert total(org.bayi, campaign) == Decimal(2)


def test_an_award_is_recorded_where_the_database_cannot_return_the_new_row(users, kinds, org, campaign, theory, monkeypatch):
    """The journal row usually goes in with the totals' writes (``INSERT … RETURNING``); a
    database without RETURNING (SQLite before 3.35) saves it first, with the same result."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL always returns the new row")
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    rule(campaign, theory, "self_study", points=Decimal(1))
    approve(users, self_study(users.cadre, kinds))
    assert journal(org.bayi) == [("award", Decimal(1), "")]
    assert total(org.bayi, campaign) == Decimal(1) == engine.journal_total(org.bayi.pk, campaign.pk)


def test_a_closed_campaign_is_final(users, kinds, org, campaign, theory):
    rule(campaign, theory, "self_study", points=Decimal(1))
    record = approve(users, self_study(users.cadre, kinds))
    campaign.is_closed = True
    campaign.save()
    services.record_reopen(actor=users.abag_admin, record=record, comment="复核")
    assert total(org.bayi, campaign) == Decimal(1)  # rankings final: no reversal either
    with pytest.raises(ValidationError, match="已结束"):
        recompute.apply(actor=users.league_admin, campaign=campaign)


def test_withdrawing_an_award_releases_the_cap_for_the_one_it_cut(users, kinds, org, campaign, theory):
    """Found by the property test: two 1.5-point records on one day under a 2-point daily cap
    give 1.5 + 0.5; when the first is withdrawn the second must grow to 1.5, as a recomputation
    from scratch would give."""
    rule(campaign, theory, "self_study", method="lookup", field_key="platform", lookup={"学习强国": "1.5"}, cap_day=Decimal(2))
    first = approve(users, self_study(users.cadre, kinds, content="一"))
    approve(users, self_study(users.cadre, kinds, content="二"))
    assert total(org.bayi, campaign) == Decimal(2)
    services.record_reopen(actor=users.abag_admin, record=first, comment="重复记录")
    assert total(org.bayi, campaign) == Decimal("1.5") == engine.journal_total(org.bayi.pk, campaign.pk)
    assert journal(org.bayi)[-1] == ("award", Decimal("1.5"), "其他记录撤销后按上限重新计算")
    assert recompute.preview(actor=users.league_admin, campaign=campaign) == []
