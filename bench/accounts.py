"""Opening accounts from the roster: 300 people in one confirmation (issue 13).

    .venv/bin/python bench/accounts.py       # SQLite in a throw-away data dir
    XUEBI_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuebi_accounts_bench .venv/bin/python bench/accounts.py

Reports the preview and the confirmation (wall time, queries) and, as the baseline measured in
the same run, hashing the same number of passwords with Django's default Argon2 parameters —
what the confirmation would cost without ``opening.InitialPasswordHasher``. Not a test.
"""

from __future__ import annotations

import os
import time

from common import table  # sets up Django first

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "300"))
NAMES = ["张伟", "王芳", "李娜", "刘洋", "巴特尔", "乌云其木格", "苏和", "王磊", "其其格", "陈静"]


def main() -> int:
    call_command("migrate", verbosity=0)
    from xuebi.accounts.services import opening
    from xuebi.core import pinyin
    from xuebi.org.models import Person, RoleGrant, Unit, User

    root = Unit.objects.filter(depth=1).first() or Unit.objects.add_root(
        instance=Unit(name="锡林郭勒盟委组织部", kind="league_dept")
    )
    section = Unit.objects.add_child(root, instance=Unit(name=f"批量开通测试{time.time_ns()}", kind="section"))
    Person.objects.bulk_create(
        [
            Person(
                unit=section,
                name=NAMES[i % len(NAMES)],
                sex="M",
                name_pinyin=pinyin.full(NAMES[i % len(NAMES)]),
                name_initials=pinyin.initials(NAMES[i % len(NAMES)]),
            )
            for i in range(PEOPLE)
        ]
    )
    sysadmin, _ = User.objects.get_or_create(username="bench_sysadmin", defaults={"must_change_password": False})
    RoleGrant.objects.get_or_create(user=sysadmin, role="sysadmin", unit=None)

    start = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        plan = opening.accounts_open_preview(actor=sysadmin, unit=section)
    preview = (time.perf_counter() - start) * 1000, len(q)
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        opened = opening.accounts_open(actor=sysadmin, person_ids=[a.person_id for a in plan.accounts], expected=plan.usernames)
    confirm = (time.perf_counter() - start) * 1000, len(q)
    start = time.perf_counter()
    for i in range(len(opened)):
        make_password(f"Kp7mX-r4tQ{i}")
    baseline = (time.perf_counter() - start) * 1000
    table(
        ["", "ms", "queries"],
        [
            [f"preview of {PEOPLE} people", f"{preview[0]:.0f}", preview[1]],
            [f"confirm: open {len(opened)} accounts", f"{confirm[0]:.0f}", confirm[1]],
            [f"baseline: {len(opened)} hashes, Django's default Argon2", f"{baseline:.0f}", 0],
        ],
        title=f"Opening accounts ({connection.vendor}); confirm / baseline = {confirm[0] / baseline:.2f}",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
