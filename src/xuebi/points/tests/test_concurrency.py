"""Idempotency and caps under real concurrency: many threads, each with its own PostgreSQL
connection, award at the same moment (a barrier releases them together)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from xuebi.campaign.models import Campaign, Indicator, Rule
from xuebi.points import boards, engine, standings
from xuebi.points.models import PersonTotal, PointEntry, UnitTotal
from xuebi.testing.helpers import add_person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks and concurrent writers need PostgreSQL"),
]

THREADS = 8
DAY = dt.date(2026, 11, 20)


@pytest.fixture
def setup(org):
    campaign = Campaign.objects.create(name="2026年双学双比", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    indicator = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))
    rule = Rule.objects.create(
        campaign=campaign,
        indicator=indicator,
        name="自学",
        source_type="test",
        source_kind="self_study",
        points=Decimal(1),
        cap_day=Decimal(2),
    )
    return campaign, rule


def source(org, number: int) -> engine.Source:
    return engine.Source(
        type="test",
        id=str(number),
        version=1,
        kind="self_study",
        occurred_on=DAY,
        label=f"自学{number}",
        participants=(engine.Participation(person_id=org.bayi.pk, unit_id=org.abag_section.pk, role="author"),),
    )


def run_together(jobs) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def worker(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # noqa: BLE001 — reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_the_same_approval_submitted_by_many_at_once_awards_exactly_once(org, setup):
    campaign, _ = setup
    errors = run_together([lambda: engine.award(source(org, 1))] * THREADS)
    assert errors == []
    assert PointEntry.objects.count() == 1
    assert PersonTotal.objects.overall().get(campaign=campaign, person=org.bayi).total == Decimal(1)
    # his first award: every thread found his row missing, and he is still counted once in his band
    assert standings.stored_rows(campaign) == standings.expected_rows(campaign)


def test_a_cap_that_fits_two_holds_when_eight_approvals_land_at_once(org, setup):
    campaign, _ = setup
    errors = run_together([lambda n=n: engine.award(source(org, n)) for n in range(THREADS)])
    assert errors == []
    awarded = sorted(PointEntry.objects.values_list("points", flat=True))
    assert awarded == [Decimal(0)] * (THREADS - 2) + [Decimal(1), Decimal(1)]
    assert PersonTotal.objects.overall().get(campaign=campaign, person=org.bayi).total == Decimal(2)
    assert connection.vendor == "postgresql"
    # the person's first rows, created by eight at once, are counted in the rank bands once
    assert standings.stored_rows(campaign) == standings.expected_rows(campaign)


def test_many_people_awarded_at_once_keep_every_total_and_rank_count_exact(org, setup):
    """Eight people of one unit approved at the same moment: the unit's rows and the rank
    counts take every award, and nobody waits on a lock that another holds in reverse order."""
    campaign, _ = setup
    people = [add_person(org.abag_section, f"同事{n}", 60 + n) for n in range(THREADS)]

    def award(n):
        who = engine.Participation(person_id=people[n].pk, unit_id=org.abag_section.pk, role="author")
        engine.award(
            engine.Source(
                type="test", id=f"p{n}", version=1, kind="self_study", occurred_on=DAY, label="自学", participants=(who,)
            )
        )

    assert run_together([lambda n=n: award(n) for n in range(THREADS)]) == []
    assert UnitTotal.objects.overall().get(campaign=campaign, unit=org.abag_section).total == Decimal(THREADS)
    assert standings.stored_rows(campaign) == standings.expected_rows(campaign)
    assert boards.person_rank(campaign, people[0], None) == (1, Decimal(1))  # eight share first place


def test_eight_adjustments_at_once_fill_the_indicator_maximum_exactly(users, org, setup):
    """Each asks 加10 on a 满分 30 indicator: under the person's lock the first three fit, the rest
    are refused (nothing fits any more) — never 80 points."""
    from django.core.exceptions import ValidationError

    from xuebi.points import services

    campaign, rule = setup
    errors = run_together(
        [
            lambda: services.points_adjust(
                actor=users.abag_admin,
                person=org.bayi,
                indicator=rule.indicator,
                points=Decimal(10),
                reason="获评优秀",
                occurred_on=DAY,
            )
        ]
        * THREADS
    )
    assert len(errors) == THREADS - 3 and all(isinstance(e, ValidationError) for e in errors)
    assert sorted(PointEntry.objects.values_list("points", flat=True)) == [Decimal(10)] * 3
    assert PersonTotal.objects.overall().get(campaign=campaign, person=org.bayi).total == Decimal(30)
    assert standings.stored_rows(campaign) == standings.expected_rows(campaign)


# --- approvals through the API: one bulk approval racing single ones ------------------------------


def _mixed_ledger(users, org, kinds, campaign):
    """Eight self-study records of 巴依斯古楞 for the bulk approval; for the single approvals, two
    of those eight again, one more of his, and four group records whose authors and attendees
    overlap in different orders and across two units — everything entered (代录) by the league
    admin, so that neither approver has a stake in any of them."""
    from xuebi.ledger.services.records import RecordInput, record_create
    from xuebi.testing.helpers import DAY as RECORDED_ON
    from xuebi.testing.helpers import self_study

    theory = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习")
    Rule.objects.create(campaign=campaign, indicator=theory, name="自学", source_kind="self_study", points=Decimal(1))
    Rule.objects.create(campaign=campaign, indicator=theory, name="集中学习记录人", source_kind="group_study", points=Decimal(2))
    Rule.objects.create(
        campaign=campaign,
        indicator=theory,
        name="集中学习学时",
        source_kind="group_study",
        method="per_unit",
        points=Decimal("0.5"),
        field_key="hours",
        recipients="all",
    )
    colleagues = [org.abag_other, add_person(org.abag, "其木格", 71), add_person(org.abag_section, "张伟", 72)]
    bayi = org.bayi
    mine = [self_study(users.league_admin, kinds, author=bayi, content=f"第{n}篇") for n in range(9)]

    def group(author, *attendees):
        return record_create(
            actor=users.league_admin,
            kind=kinds.group_study,
            submit=True,
            values=RecordInput(
                occurred_on=RECORDED_ON,
                study_level="branch",
                data={"topic": "学习党的二十届四中全会精神"},
                author=author,
                attendees=[(p, Decimal(2)) for p in attendees],
            ),
        )

    groups = [
        group(bayi, colleagues[1], colleagues[0]),
        group(colleagues[1], bayi, colleagues[2]),
        group(colleagues[2], colleagues[0], bayi, colleagues[1]),
        group(colleagues[0], colleagues[2], bayi),
    ]
    return mine[:8], [mine[2], mine[5], mine[8], *groups]


def test_a_bulk_approval_racing_single_approvals_never_deadlocks(users, org, kinds, campaign, api):
    """The issue's run: one bulk approval of eight records of one person against seven single
    approvals of his records and of group records he attends. Every request answers 200, each
    record is approved once, and the totals equal the journal."""
    from django.test import Client

    from xuebi.ledger.models import Record, RecordEvent

    bulk, singles = _mixed_ledger(users, org, kinds, campaign)
    bulk_headers, single_headers = api._headers(users.abag_reviewer), api._headers(users.abag_admin)
    answers: list[tuple[int, str]] = []

    def post(headers, path, body):
        response = Client(raise_request_exception=False).post(path, body, content_type="application/json", **headers)
        answers.append((response.status_code, response.content.decode()[:300]))

    jobs = [lambda: post(bulk_headers, "/api/v1/review/approve", {"ids": [r.pk for r in bulk]})]
    jobs += [lambda r=r: post(single_headers, f"/api/v1/records/{r.pk}/approve", {}) for r in singles]
    assert run_together(jobs) == []
    # two single approvals race the bulk one for the same record: one of each pair finds it approved (422)
    assert sorted(code for code, _ in answers) in ([200] * 8, [200] * 7 + [422], [200] * 6 + [422] * 2), answers
    assert all("deadlock" not in body for _, body in answers)
    records = {r.pk for r in bulk} | {r.pk for r in singles}
    assert set(Record.objects.filter(pk__in=records).values_list("status", flat=True)) == {"approved"}
    assert sorted(RecordEvent.objects.filter(kind="approve").values_list("record_id", flat=True)) == sorted(records)
    assert standings.stored_rows(campaign) == standings.expected_rows(campaign)
    for person_id in PointEntry.objects.values_list("person_id", flat=True).distinct():
        assert PersonTotal.objects.overall().get(campaign=campaign, person_id=person_id).total == engine.journal_total(
            person_id, campaign.pk
        )
    assert PersonTotal.objects.overall().get(campaign=campaign, person=org.bayi).total == Decimal(
        9 + 2 + 3 * 1
    )  # nine self-studies, one group record as its author, three attended for 2 hours
