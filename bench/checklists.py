"""The checklists' daily reminder sweep at league scale: 100,000 open items, a tenth of them due
(within the reminder window or overdue), against the minimal view measured in the same run; then
the same sweep again, which must send nothing; and the board, due and completion pages of the
league admin over all of it. Not a test: nothing here passes or fails (but the rerun's count is
checked, since sending twice is the failure the sweep exists to avoid).

    PYTHONPATH=src .venv/bin/python bench/checklists.py     # BENCH_ITEMS=N (default 100000), BENCH_RUNS
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

from common import RUNS, measure, median_ms, report  # sets up Django first

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))


def build() -> int:
    from xuebi.checklists.models import Item, ListKind
    from xuebi.org.choices import PersonStatus
    from xuebi.org.models import Person, User

    league = User.objects.get(username="league")
    people = list(Person.objects.filter(status=PersonStatus.ACTIVE).select_related("unit").order_by("pk"))
    have = set(User.objects.filter(person__in=people).values_list("person_id", flat=True))
    hashed = league.password
    User.objects.bulk_create(
        [
            User(username=f"bench_p{p.pk}", full_name=p.name, person=p, password=hashed, must_change_password=False)
            for p in people
            if p.pk not in have
        ]
    )
    today = timezone.localdate()
    root = league.role_grants.first().unit
    rows = []
    for i in range(ITEMS):
        person = people[i % len(people)]
        # a tenth due: from 5 days overdue to 3 days ahead; the rest a month to a year away
        due = today + dt.timedelta(days=(i % 9) - 5 if i % 10 == 0 else 30 + i % 300)
        rows.append(
            Item(
                kind=ListKind.TASK,
                unit=root,
                title=f"基准事项{i}",
                responsible_unit=person.unit,
                responsible_person=person,
                due_date=due,
                year=due.year,
                created_by=league,
            )
        )
    with transaction.atomic():
        Item.objects.bulk_create(rows, batch_size=5000)
    return sum(1 for r in rows if r.due_date <= today + dt.timedelta(days=3))


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("demo", "--people", "400", verbosity=0, stdout=open(os.devnull, "w"))
    from xuebi.checklists import reminders
    from xuebi.notifications.models import Notification
    from xuebi.org.models import User

    due = build()
    client = Client()
    client.force_login(User.objects.get(username="league"))
    baseline, _ = measure(client, "/healthz")
    figures = [("baseline /healthz", baseline, 0)]
    runs = max(RUNS // 10, 3)
    first_times, sent = [], 0
    for _ in range(runs):  # each a first sweep of the day: the day's messages removed before it
        Notification.objects.filter(key__startswith="cl:").delete()
        start = time.perf_counter()
        sent = reminders.sweep()["notified"]
        first_times.append((time.perf_counter() - start) * 1000)
    first_times.sort()
    figures.append((f"sweep: {ITEMS:,} open, {due:,} due → {sent:,} messages", first_times[len(first_times) // 2], 0))
    again = []
    figures.append(
        ("the same sweep again (sends nothing)", median_ms(lambda: again.append(reminders.sweep()["notified"]), runs), 0)
    )
    assert set(again) == {0}, again
    for label, url in [
        ("board page (league: counts, 50 per column)", "/checklists/board/"),
        ("due and overdue page", "/checklists/due/"),
        ("completion by unit and month", "/checklists/stats/"),
        ("the bell's count", "/notifications/unread.json"),
    ]:
        median, queries = measure(client, url, runs=max(RUNS // 3, 5))
        figures.append((label, median, queries))
    print(f"database: {connection.vendor}; items: {ITEMS:,}; runs per sweep figure: {runs}")
    report(figures, width=52)
    return 0


if __name__ == "__main__":
    sys.exit(main())
