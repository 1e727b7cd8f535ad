"""Judged contests at the size of a league-wide essay contest and beyond: the organiser's results
page (every judge's total, trimmed means, spread checks), the big screen's API, a judge's task
list and scoring page, the whole-contest publication, and the assignment arithmetic alone —
medians against /healthz measured in the same run. Not a test: nothing here passes or fails.

    PYTHONPATH=src .venv/bin/python bench/contests.py     # BENCH_ENTRIES=N (default 300), BENCH_RUNS
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from decimal import Decimal

from common import RUNS, measure, median_ms, report  # sets up Django first

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

ENTRIES = int(os.environ.get("BENCH_ENTRIES", "300"))
JUDGES = 15
PER_ENTRY = 7


def build():
    from django.contrib.auth.hashers import make_password

    from xuebi.contests.models import Assignment, AssignmentStatus, Contest, Entry, EntryAuthor, Score
    from xuebi.contests.services import contests as setup
    from xuebi.contests.services import judging
    from xuebi.org.choices import PersonStatus, Role
    from xuebi.org.models import Person, RoleGrant, Unit, User

    league = User.objects.get(username="league")
    root = Unit.objects.get_root_nodes().first()
    today = timezone.localdate()
    password = make_password("Xuebi@2021")
    judges = []
    for i in range(JUDGES):
        user, _ = User.objects.get_or_create(
            username=f"bench_judge{i}",
            defaults={
                "full_name": f"评委{i}",
                "password": password,
                "must_change_password": False,
                "password_changed_at": timezone.now(),
            },
        )
        RoleGrant.objects.get_or_create(user=user, role=Role.JUDGE, unit=root)
        judges.append(user)
    contest = setup.contest_save(
        actor=league,
        values={
            "title": f"基准评比{ENTRIES}",
            "kind": "essay",
            "organizer": root,
            "description": "",
            "entry_start": today,
            "entry_end": today + dt.timedelta(days=10),
            "review_start": today + dt.timedelta(days=11),
            "review_end": today + dt.timedelta(days=20),
            "live": True,
            "blind": True,
            "judges_per_entry": PER_ENTRY,
            "trim_from": 5,
            "tie_break": "full_mean",
            "award_by": "share",
            "final_top": None,
            "normalise": True,
            "campaign": None,
            "indicator": None,
        },
        criteria=setup.parse_criteria("选题 20\n内容 40\n对策 30\n文字 10"),
        levels=setup.parse_levels("一等奖 5% 0\n二等奖 10% 0\n三等奖 15% 0\n优秀奖 20% 0", "share"),
    )
    setup.contest_open(actor=league, contest=contest)
    setup.panels_save(actor=league, contest=contest, panels=[{"name": "评审组", "is_final": False, "judges": judges}])
    people = list(Person.objects.filter(status=PersonStatus.ACTIVE).select_related("unit").order_by("pk"))
    rng = random.Random(1)
    with transaction.atomic():
        entries = Entry.objects.bulk_create(
            [
                Entry(
                    contest=contest,
                    code=f"B{i:05d}",
                    title=f"调研文章{i}",
                    text="正文",
                    unit=people[i % len(people)].unit,
                    submitted_by=league,
                )
                for i in range(ENTRIES)
            ]
        )
        EntryAuthor.objects.bulk_create(
            [
                EntryAuthor(entry=e, person=people[i % len(people)], unit=people[i % len(people)].unit)
                for i, e in enumerate(entries)
            ]
        )
    judging.assign(actor=league, contest=contest)
    Contest.objects.filter(pk=contest.pk).update(review_start=today, entry_end=today - dt.timedelta(days=1))
    criteria = list(contest.criteria.all())
    with transaction.atomic():
        rows = list(Assignment.objects.filter(entry__contest=contest))
        scores = []
        for a in rows:
            quality = rng.uniform(0.55, 0.95)
            values = [(c.max_score * Decimal(str(round(quality, 2)))).quantize(Decimal("0.01")) for c in criteria]
            scores += [Score(assignment=a, criterion=c, value=v) for c, v in zip(criteria, values)]
            a.total, a.status, a.submitted_at = sum(values), AssignmentStatus.SUBMITTED, timezone.now()
        Score.objects.bulk_create(scores, batch_size=2000)
        Assignment.objects.bulk_update(rows, ["total", "status", "submitted_at"], batch_size=2000)
    contest.refresh_from_db()
    return contest, judges, rows


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("demo", "--people", "400", verbosity=0, stdout=open(os.devnull, "w"))
    from xuebi.contests import assignment as arithmetic
    from xuebi.contests.selectors import results as result_selectors
    from xuebi.org.models import User

    contest, judges, rows = build()
    league = User.objects.get(username="league")
    client = Client()
    client.force_login(league)
    baseline, _ = measure(client, "/healthz")
    figures = [("baseline /healthz", baseline, 0)]
    for label, url in [
        (f"results page: {ENTRIES} entries × {PER_ENTRY} judges", f"/contests/{contest.pk}/results/"),
        ("big screen API (every contestant)", f"/api/v1/contests/{contest.pk}/screen"),
        ("assignments page", f"/contests/{contest.pk}/assignments/"),
    ]:
        median, queries = measure(client, url, runs=max(RUNS // 3, 5))
        figures.append((label, median, queries))
    judge = Client()
    judge.force_login(judges[0])
    mine = next(a for a in rows if a.judge_id == judges[0].pk)
    for label, url in [
        (f"a judge's task list (~{ENTRIES * PER_ENTRY // JUDGES} tasks)", "/contests/judging/"),
        ("a judge's scoring page", f"/contests/judging/{mine.pk}/"),
    ]:
        median, queries = measure(judge, url)
        figures.append((label, median, queries))
    figures.append(("results() selector alone", median_ms(lambda: result_selectors.results(contest), max(RUNS // 3, 5)), 0))
    rng = random.Random(2)
    candidates = [arithmetic.Candidate(i, f"H{rng.randrange(14)}") for i in range(2000)]
    panel = [arithmetic.Candidate(10_000 + i, f"H{i % 14}") for i in range(30)]
    figures.append(
        ("assign(): 2000 entries, 30 judges, 7 each", median_ms(lambda: arithmetic.assign(candidates, panel, 7), 5), 0)
    )
    print(f"database: {connection.vendor}; entries: {ENTRIES}; judges: {JUDGES}; runs per figure: {RUNS}")
    report(figures, width=48)
    return 0


if __name__ == "__main__":
    sys.exit(main())
