"""A unit's assessment sheet at the size the issue names: 50 people, each with the evidence the providers gather
(points, approved 台账 records, study, contest awards, 组工信息 of the quarter), rendered for the leader; the
person's own sheet; the evidence alone; finalising the round. Medians against /healthz measured in the same run.
Not a test: nothing here passes or fails (the query counts are asserted in assessments/tests/test_views.py).

    PYTHONPATH=src .venv/bin/python bench/assessments.py     # BENCH_PEOPLE=N (default 50), BENCH_RUNS
"""

from __future__ import annotations

import os
import sys

from common import RUNS, measure, median_ms, report  # sets up Django first

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "50"))


def build():
    """A section of PEOPLE people — the demo's people with the most points entries this year, moved there (the
    evidence follows the person) — and this quarter's round for it."""
    from xuebi.assessments import services
    from xuebi.org.choices import PersonStatus
    from xuebi.org.models import Person, Unit, User

    admin = User.objects.get(username="league")
    root = Unit.objects.get_root_nodes().first()
    unit = Unit.objects.filter(name="基准考核科").first() or Unit.objects.add_child(
        root, instance=Unit(name="基准考核科", kind="section")
    )
    today = timezone.localdate()
    busiest = (
        Person.objects.filter(status=PersonStatus.ACTIVE, point_entries__occurred_on__year=today.year)
        .annotate(n=Count("point_entries"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)[:PEOPLE]
    )
    Person.objects.filter(pk__in=list(busiest)).update(unit=unit)
    quarter = (today.month - 1) // 3 + 1
    previous = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return services.assessment_open(actor=admin, unit=unit, kind="quarterly", year=previous[0], quarter=previous[1])


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("demo", "--people", "400", verbosity=0, stdout=open(os.devnull, "w"))
    from xuebi.assessments import evidence, services
    from xuebi.org.models import User

    assessment = build()
    sheets = list(assessment.sheets.select_related("person"))
    league = User.objects.get(username="league")
    client = Client()
    client.force_login(league)
    baseline, _ = measure(client, "/healthz")
    figures = [("baseline /healthz", baseline, 0)]
    for label, url in [
        (f"the leader's sheet: {len(sheets)} people with evidence", f"/assessments/{assessment.pk}/"),
        ("the round's API (the same, as JSON)", f"/api/v1/assessments/{assessment.pk}"),
        ("one person's sheet", f"/assessments/sheets/{sheets[0].pk}/"),
        ("the list of rounds", "/assessments/"),
    ]:
        median, queries = measure(client, url)
        figures.append((label, median, queries))
    ids = [s.person_id for s in sheets]
    figures.append(
        (
            f"evidence.gather() alone ({len(evidence.providers())} providers)",
            median_ms(lambda: evidence.gather(ids, assessment.start_date, assessment.end_date)),
            0,
        )
    )
    rows = evidence.gather(ids, assessment.start_date, assessment.end_date)
    with_rows = sum(1 for sections in rows.values() if any(s.rows for s in sections))
    places = services.top_cap(assessment)
    grades = {s.pk: ("good" if i < places else "fairly_good") for i, s in enumerate(sheets)}
    services.grades_propose(actor=league, assessment=assessment, grades=grades)
    start = timezone.now()
    services.assessment_finalise(actor=league, assessment=assessment)
    figures.append((f"finalise {len(sheets)} sheets (once)", (timezone.now() - start).total_seconds() * 1000, 0))
    print(
        f"database: {connection.vendor}; people: {len(sheets)} ({with_rows} with evidence); "
        f"period: {assessment.period_label}; runs per figure: {RUNS}"
    )
    report(figures, width=48)
    return 0


if __name__ == "__main__":
    sys.exit(main())
