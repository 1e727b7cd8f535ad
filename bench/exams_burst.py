"""The deadline burst of a league-wide quiz (issue 18): 10,000 cadres start their attempts, save
their 20 answers and hand in — on PostgreSQL, the app under gunicorn, the load from a second
process (``exams_burst_driver.py``, asyncio + aiohttp) over the real HTTP endpoints; against the
minimal signed-in API call served the same way in the same run; then the database reconciled
and the points the exam gives awarded by the task workers, timed.

    make bench-exams
    BENCH_CADRES=500 make bench-exams          # a quick run

The database (``XUEBI_DATABASE_URL``, default ``postgresql://postgres@127.0.0.1:5432/xuebi_bench_exams``;
its name must contain "bench") is dropped and created again, migrated and given the demo; Redis
(``XUEBI_REDIS_URL``, default ``redis://127.0.0.1:6379/11`` — that Redis database is emptied) holds
the cache, the sessions (``cached_db``) and the task queue (RQ), as docs/deployment.md deploys it.
``XUEBI_DEBUG`` is off.

    BENCH_CADRES       cadres who take the exam (default 10000)
    BENCH_SAVES        PUTs of answers per attempt, the 20 answers split evenly (default 4: five a PUT)
    BENCH_CONCURRENCY  requests in flight at once from the driver (default 8)
    BENCH_GUNICORN     "sync:4" (4 sync workers, the default) or "gthread:2x4" (2 workers of 4 threads)
    BENCH_TASK_WORKERS task workers (``xuebi worker``) started after the burst (default 2)

The setup is not measured: the people come from the points benchmark's set-based generator
(``points.Generator``) and their accounts, sessions (the app's session engine, written straight to
``django_session``) and CSRF tokens are made in bulk. The paper draws 20 questions per attempt from
a bank of 200 (10 single choice, 4 multiple, 4 true/false, 2 fill-in) with the options shuffled.
Each cadre answers each question right with their own probability (uniform 0.4…1.0), so results
spread over 满分, 及格 and failed: the exam gives 3 points for 满分 and 1 for 及格 (a campaign rule,
``exams.services.exam_save``), nothing for a fail.

Order of the run: the ceiling (``POST /bench/api/ping`` once per cadre), the starts, the saves, the
burst (every cadre's submission, as fast as the server takes them), the ceiling again; then the
reconciliation, then the task workers are started and the points awaited. Figures on stdout and in
``$XUEBI_DATA_DIR/exams_burst.json``; the in-process cost of each endpoint (queries, ms) comes first.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("XUEBI_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/xuebi_bench_exams")
os.environ.setdefault("XUEBI_REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("XUEBI_DATA_DIR", os.path.join(tempfile.gettempdir(), "xuebi-exams-bench"))
os.environ.pop("XUEBI_DEBUG", None)
os.makedirs(os.environ["XUEBI_DATA_DIR"], exist_ok=True)

from points import Generator, code_version, log, recreate_postgres_database  # noqa: E402  (sets up Django)

from common import served, table  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

CADRES = int(os.environ.get("BENCH_CADRES", "10000"))
SAVES = int(os.environ.get("BENCH_SAVES", "4"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
GUNICORN = os.environ.get("BENCH_GUNICORN", "sync:4")
TASK_WORKERS = int(os.environ.get("BENCH_TASK_WORKERS", "2"))
SPARE = 30  # more cadres, for the in-process measurement (not in the burst)
QUESTIONS = 20
BURST_S, SHARE, P99_MS = 60, 0.30, 500
PASSWORD_HASH_OF = "Bench@2026-exams"


# --- setting up ------------------------------------------------------------------------------------


def build():
    """The demo, the cadres with their accounts, the bank, the random paper and the exam."""
    from django.contrib.auth.hashers import make_password

    from xuebi.campaign.models import Indicator
    from xuebi.exams import services as exams
    from xuebi.exams.models import Bank, Category, Paper, PaperMode, PaperRule, Question, QuestionType, fingerprint
    from xuebi.org.models import Person, Unit, User
    from xuebi.points.selectors import current_campaign

    recreate_postgres_database()
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))
    league_admin = User.objects.get(username="league")
    root = Unit.objects.get_root_nodes().first()
    campaign = current_campaign(timezone.localdate())
    before = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    Generator(campaign).people(Person.objects.count() + CADRES + SPARE)
    people = list(Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", "name"))
    password = make_password(PASSWORD_HASH_OF)
    now = timezone.now()
    User.objects.bulk_create(
        [
            User(
                username=f"bench{n:05d}",
                full_name=name,
                person_id=pk,
                password=password,
                must_change_password=False,
                password_changed_at=now,
            )
            for n, (pk, name) in enumerate(people)
        ],
        batch_size=2000,
    )
    bank = Bank.objects.create(name="基准测试题库", unit=root, created_by=league_admin)
    cats = {name: Category.objects.get_or_create(name=name)[0] for name in ("党史", "组织工作", "党章党规")}
    rows = []

    def q(qtype, cat, text, options=(), answer=()):
        rows.append(
            Question(
                bank=bank,
                category=cats[cat],
                type=qtype,
                text=text,
                options=list(options),
                answer=list(answer),
                explanation="解析：见教材。",
                fingerprint=fingerprint(qtype, text, options),
            )
        )

    for i in range(100):
        q(QuestionType.SINGLE, "党史", f"党史单选题第{i + 1}题：下列哪一项正确？", [f"选项{c}{i}" for c in "甲乙丙丁"], [i % 4])
    for i in range(40):
        q(
            QuestionType.MULTIPLE,
            "组织工作",
            f"组织工作多选题第{i + 1}题",
            [f"选项{c}{i}" for c in "甲乙丙丁"],
            [0, 2] if i % 2 else [1, 2, 3],
        )
    for i in range(40):
        q(QuestionType.TRUE_FALSE, "党章党规", f"党章党规判断题第{i + 1}题", (), [i % 3 != 0])
    for i in range(20):
        q(
            QuestionType.FILL,
            "党史",
            f"党史填空题第{i + 1}题：（　）年，（　）。",
            (),
            [[f"{1921 + i}", f"{1921 + i}年"], [f"答案{i}"]],
        )
    Question.objects.bulk_create(rows)
    paper = Paper.objects.create(title="基准测试随机卷", unit=root, mode=PaperMode.RANDOM, shuffle_options=True)
    paper.banks.set([bank])
    for position, (cat, qtype, count, points) in enumerate(
        [("党史", "single", 10, 2), ("组织工作", "multiple", 4, 4), ("党章党规", "truefalse", 4, 2), ("党史", "fill", 2, 4)], 1
    ):
        PaperRule.objects.create(
            paper=paper, category=cats[cat], type=qtype, count=count, points=Decimal(points), position=position
        )
    indicator = (
        Indicator.objects.filter(campaign=campaign, name="知识测试").first()
        or Indicator.objects.filter(campaign=campaign).first()
    )
    exam = exams.exam_save(
        actor=league_admin,
        data=exams.ExamData(
            title="全盟组工干部党史知识竞答（基准测试）",
            unit=root,
            paper=paper,
            opens_at=now - dt.timedelta(minutes=5),
            closes_at=now + dt.timedelta(hours=6),
            time_limit=240,
            pass_mark=Decimal("31"),
            partial="proportional",
            reveal="after_close",
            units=[root],
            campaign=campaign,
            indicator=indicator,
            full_points=Decimal("3"),
            pass_points=Decimal("1"),
        ),
    )
    exams.exam_publish(actor=league_admin, exam=exam)
    users = list(User.objects.filter(person_id__gt=before).order_by("person_id"))
    return exam, users, indicator


def sign_in(users) -> list[dict]:
    """A session per user, made with the app's session engine and written straight to its table
    (what signing in leaves behind, without the password hashing), and a CSRF secret each."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils.crypto import get_random_string

    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = "xuebi.accounts.backends.UserBackend"
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    clients, rows = [], []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            "last_seen": time.time(),
        }
        rows.append(Session(session_key=key, session_data=store().encode(data), expire_date=expires))
        clients.append({"user": user.pk, "person": user.person_id, "session": key, "csrf": get_random_string(32)})
    Session.objects.bulk_create(rows, batch_size=2000)
    return clients


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(os.environ["XUEBI_REDIS_URL"]).flushdb()


# --- in process: what one request costs ---------------------------------------------------------------


def in_process(exam, clients) -> list[list]:
    """Start, save (five answers) and submit for the spare cadres through Django's test client:
    median ms and the queries of one request (the server side alone, no HTTP)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xuebi.org.models import User

    import cProfile
    import io
    import pstats

    times: dict[str, list[float]] = {"start": [], "save": [], "submit": [], "ping": []}
    db: dict[str, list[float]] = {name: [] for name in times}
    queries: dict[str, int] = {}
    profile = cProfile.Profile()
    for spec in clients:
        client = Client(enforce_csrf_checks=False)
        client.force_login(User.objects.get(pk=spec["user"]))

        def timed(name, fn):
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                if name == "submit":
                    response = profile.runcall(fn)
                else:
                    response = fn()
                times[name].append((time.perf_counter() - begin) * 1000)
            db[name].append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            assert response.status_code in (200, 201), (name, response.status_code, response.content[:300])
            queries[name] = len(captured)
            return response

        started = timed("start", lambda: client.post(f"/api/v1/exams/{exam.pk}/attempts")).json()
        answers = [{"position": item["position"], "response": guess(item)} for item in started["items"]]
        url = f"/api/v1/exams/attempts/{started['id']}"
        timed("save", lambda: client.put(f"{url}/answers", {"answers": answers[:5]}, content_type="application/json"))
        timed("submit", lambda: client.post(f"{url}/submit", {"answers": answers}, content_type="application/json"))
        timed("ping", lambda: client.get("/api/v1/notifications/unread"))
    labels = {
        "ping": "GET /notifications/unread (for scale)",
        "start": "POST …/attempts (draw 20, store)",
        "save": "PUT …/answers (5 answers)",
        "submit": "POST …/submit (20 answers, mark)",
    }
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(r"xuebi|ninja|pydantic|django/db/models", 25)
    rows = [
        [labels[name], statistics.median(times[name]), statistics.median(db[name]), queries[name]]
        for name in ("ping", "start", "save", "submit")
    ]
    return rows, out.getvalue()


def guess(item: dict):
    """Some answer of the right shape (for the in-process measurement)."""
    if item["type"] in ("single", "multiple"):
        return [0]
    if item["type"] == "truefalse":
        return [True]
    return ["不知道"] * max(item.get("blanks") or 1, 1)


def answers_for(attempt_ids: list[int], rng: random.Random) -> dict[int, list[tuple[int, object]]]:
    """Each attempt's answers: right with the taker's own probability, else a wrong one of the
    same shape. Read from the attempts' keys (the driver never sees them)."""
    from xuebi.exams.models import AttemptItem

    skill = {pk: rng.uniform(0.4, 1.0) for pk in attempt_ids}
    out: dict[int, list[tuple[int, object]]] = {pk: [] for pk in attempt_ids}
    items = AttemptItem.objects.filter(attempt_id__in=attempt_ids).order_by("attempt_id", "position")
    for attempt_id, position, shown, key in items.values_list("attempt_id", "position", "shown", "key").iterator(2000):
        right = rng.random() < skill[attempt_id]
        qtype, answer = shown["type"], key["answer"]
        if qtype == "single":
            response = answer if right else [(answer[0] + 1 + rng.randrange(len(shown["options"]) - 1)) % len(shown["options"])]
        elif qtype == "multiple":
            response = answer if right else (answer[:-1] if len(answer) > 1 else sorted({answer[0], (answer[0] + 1) % 4}))
        elif qtype == "truefalse":
            response = answer if right else [not answer[0]]
        elif qtype == "fill":
            response = [accepted[0] for accepted in answer] if right else ["不记得"] * len(answer)
        else:
            response = ["（简答）"]
        out[attempt_id].append((position, response))
    return out


# --- the driver ----------------------------------------------------------------------------------------


def drive(phase: str, port: int, exam_id: int, clients: list[dict]) -> dict:
    spec = {
        "port": port,
        "exam_id": exam_id,
        "concurrency": CONCURRENCY,
        "cookie_names": {"session": settings.SESSION_COOKIE_NAME, "csrf": settings.CSRF_COOKIE_NAME},
        "clients": clients,
    }
    folder = os.environ["XUEBI_DATA_DIR"]
    source, target = os.path.join(folder, f"driver-{phase}-in.json"), os.path.join(folder, f"driver-{phase}-out.json")
    with open(source, "w") as f:
        json.dump(spec, f)
    log(f"{phase}: {len(clients):,} clients, {CONCURRENCY} in flight")
    subprocess.run([sys.executable, os.path.join(BENCH_DIR, "exams_burst_driver.py"), phase, source, target], check=True)
    with open(target) as f:
        out = json.load(f)
    log(f"{phase}: {out['wall_s']:.1f} s; statuses {out['statuses']}")
    for error in out["errors"][:5]:
        log(f"  {error}")
    return out


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def endpoint_rows(phases: list[tuple[str, dict]]) -> list[list]:
    rows = []
    for label, out in phases:
        for endpoint, values in out["latencies"].items():
            ok = sum(n for code, n in out["statuses"][endpoint].items() if code.startswith("2"))
            rows.append(
                [
                    f"{label}: {endpoint}",
                    len(values),
                    len(values) - ok,
                    out["wall_s"],
                    len(values) / out["wall_s"],
                    pct(values, 50),
                    pct(values, 99),
                    max(values),
                ]
            )
    return rows


# --- reconciling -------------------------------------------------------------------------------------


def reconcile(exam, clients, sent: dict[int, list[tuple[int, object]]]) -> tuple[list[list], dict[int, str]]:
    """Check the database against what the driver sent; answer the rows of the table and each
    person's expected result word ("满分", "及格" or "") by a re-grade from the snapshot."""
    from django.db.models import Count

    from xuebi.exams import grading
    from xuebi.exams.models import Attempt, AttemptItem

    people = {c["person"] for c in clients}
    attempts = Attempt.objects.filter(exam=exam, person_id__in=people)
    per_person = dict(attempts.values_list("person_id").annotate(n=Count("pk")).order_by())
    doubled = sum(1 for n in per_person.values() if n > 1)
    missing = len(people - set(per_person))
    by_status = dict(attempts.values_list("status").annotate(n=Count("pk")).order_by())
    active_left = Attempt.objects.filter(exam=exam, status="active").count()
    rows_by_attempt: dict[int, dict] = {}
    for a in attempts.values("pk", "person_id", "score", "max_score", "passed"):
        rows_by_attempt[a["pk"]] = {**a, "items": {}}
    items = AttemptItem.objects.filter(attempt__in=attempts).values_list(
        "attempt_id", "position", "shown", "key", "points", "response", "score"
    )
    for attempt_id, position, shown, key, points, response, score in items.iterator(4000):
        rows_by_attempt[attempt_id]["items"][position] = (shown, key, points, response, score)
    answers_lost = answers_wrong = regrade_differs = item_scores_differ = passed_differs = 0
    expected: dict[int, str] = {}
    for attempt_id, row in rows_by_attempt.items():
        for position, response in sent.get(attempt_id, []):
            shown, _key, _points, stored, _score = row["items"][position]
            wanted = grading.clean_response(shown["type"], shown, response)
            if stored is None:
                answers_lost += 1
            elif stored != wanted:
                answers_wrong += 1
        total = Decimal(0)
        for shown, key, points, stored, score in row["items"].values():
            again = grading.grade(shown["type"], key, stored, points, exam.partial).score
            total += again or 0
            item_scores_differ += again != score
        total = total.quantize(grading.TWO)
        regrade_differs += total != row["score"]
        passed_differs += (total >= exam.pass_mark) != row["passed"]
        expected[row["person_id"]] = "满分" if total >= row["max_score"] else "及格" if total >= exam.pass_mark else ""
    answered = sum(len(v) for v in sent.values())
    rows = [
        ["cadres in the burst", len(people), "—"],
        ["attempts for them", attempts.count(), "= cadres"],
        ["cadres without an attempt", missing, "0"],
        ["cadres with more than one attempt", doubled, "0"],
        ["attempts submitted", by_status.get("submitted", 0), "= cadres"],
        ["attempts timed out", by_status.get("timed_out", 0), "0"],
        ["active attempts left (the whole exam)", active_left, "0"],
        [f"answers sent ({answered:,}): not stored", answers_lost, "0"],
        ["answers stored other than sent", answers_wrong, "0"],
        ["item scores ≠ re-grade from the snapshot", item_scores_differ, "0"],
        ["attempt scores ≠ re-grade", regrade_differs, "0"],
        ["pass/fail ≠ re-grade", passed_differs, "0"],
    ]
    return rows, expected


def points_rows(exam, expected: dict[int, str], waited_s: float | None) -> list[list]:
    from django.db.models import Count, Sum

    from xuebi.points.models import PointEntry

    entries = PointEntry.objects.filter(source_type="exam", source_id__startswith=f"{exam.pk}:")
    awards = dict(entries.filter(entry_type="award").values_list("person_id").annotate(n=Count("pk")).order_by())
    reversals = entries.filter(entry_type="reversal").count()
    want = {p for p, word in expected.items() if word}
    doubled = sum(1 for n in awards.values() if n > 1)
    lost = len(want - set(awards))
    unexpected = len(set(awards) - want)
    total = entries.aggregate(s=Sum("points"))["s"] or 0
    expected_total = sum(3 if w == "满分" else 1 for w in expected.values() if w)
    words = [w for w in expected.values()]
    return [
        ["results: 满分 / 及格 / failed", f"{words.count('满分'):,} / {words.count('及格'):,} / {words.count(''):,}", "—"],
        ["people who should get points", len(want), "—"],
        ["award entries (source 'exam')", sum(awards.values()), "= people"],
        ["people without their award (lost)", lost, "0"],
        ["people with two or more awards (doubled)", doubled, "0"],
        ["people awarded who should not be", unexpected, "0"],
        ["reversals", reversals, "0"],
        ["points awarded / expected", f"{total} / {expected_total}", "equal"],
        ["seconds from the end of the burst to the last award", waited_s, "—"],
    ]


def await_points(exam, want: int, started_at: float, timeout: float = 1800) -> float | None:
    from xuebi.points.models import PointEntry

    import django_rq

    queue = django_rq.get_queue("default")
    entries = PointEntry.objects.filter(source_type="exam", source_id__startswith=f"{exam.pk}:", entry_type="award")
    last_log = 0.0
    while time.time() - started_at < timeout:
        have = entries.count()
        if have >= want and queue.count == 0 and queue.started_job_registry.count == 0:
            last = entries.order_by("-created_at").values_list("created_at", flat=True).first()
            return last.timestamp() - started_at if last else 0.0
        if time.time() - last_log > 20:
            log(f"points: {have:,}/{want:,} awards, {queue.count:,} tasks queued")
            last_log = time.time()
        time.sleep(1)
    return None


def start_task_workers(n: int) -> list[subprocess.Popen]:
    logs = open(os.path.join(os.environ["XUEBI_DATA_DIR"], "workers.log"), "w")
    return [
        subprocess.Popen([sys.executable, "-m", "xuebi", "worker"], env=dict(os.environ), stdout=logs, stderr=logs)
        for _ in range(n)
    ]


def stop(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        p.terminate()
    for p in processes:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# --- the run -----------------------------------------------------------------------------------------


def gunicorn_args() -> tuple[int, tuple[str, ...]]:
    kind, _, size = GUNICORN.partition(":")
    if kind == "gthread":
        workers, threads = (int(n) for n in size.split("x"))
        return workers, ("--worker-class", "gthread", "--threads", str(threads), "--pythonpath", BENCH_DIR)
    return int(size or 4), ("--worker-class", "sync", "--pythonpath", BENCH_DIR)


def main() -> int:
    began = time.perf_counter()
    if connection.vendor != "postgresql":
        sys.exit("exams_burst.py measures PostgreSQL: set XUEBI_DATABASE_URL to a PostgreSQL database whose name has 'bench'.")
    flush_redis()
    log("setting up: the demo, the cadres and their accounts, the bank, the paper, the exam")
    exam, users, indicator = build()
    clients = sign_in(users)
    spare, clients = clients[:SPARE], clients[SPARE:]
    flush_redis()  # the publication's announcement and the demo's tasks: not part of the burst
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    version = connection.cursor().connection.info.server_version
    print(
        f"xuebi exams deadline burst — PostgreSQL {version // 10000}.{version % 10000}; {os.cpu_count()} CPUs; "
        f"code {code_version()}\n{len(clients):,} cadres × {QUESTIONS} questions (random paper, options shuffled); "
        f"answers saved in {SAVES} PUTs an attempt, all of them again with the submission (as take.js does); "
        f"driver: asyncio + aiohttp in a second process, {CONCURRENCY} requests in flight; "
        f"exam {exam.pk}, points to indicator “{indicator.name}”"
    )
    rows, profiled = in_process(exam, spare)
    table(
        ["in process (Django test client, spare cadres)", "median ms", "of it in queries", "queries"],
        rows,
        title=f"What one request costs in the app itself ({SPARE} cadres; no HTTP, no gunicorn; profiled: submit)",
    )
    with open(os.path.join(os.environ["XUEBI_DATA_DIR"], "submit_profile.txt"), "w") as f:
        f.write(profiled)
    flush_redis()
    workers, extra = gunicorn_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "exams_burst_settings"  # for gunicorn: xuebi's settings + the ping
    try:
        with served(workers, extra) as server:
            port = server.port
            drive("ping", port, exam.pk, [spare[i % SPARE] for i in range(300)])  # warm the workers (not counted)
            ceiling = drive("ping", port, exam.pk, clients)  # each session's last_seen written (> 60 s old)
            ceiling_kept = drive("ping", port, exam.pk, clients)  # the session read, not written
            started = drive("start", port, exam.pk, clients)
            for c, r in zip(clients, started["results"]):
                c["attempt"] = r.get("attempt")
            log("the answers (from the attempts' keys, in this process)")
            sent = answers_for([c["attempt"] for c in clients if c.get("attempt")], random.Random(2026))
            per = max(1, -(-QUESTIONS // SAVES))
            for c in clients:
                answers = sent.get(c.get("attempt"), [])
                c["batches"] = [answers[i : i + per] for i in range(0, len(answers), per)]
            saved = drive("save", port, exam.pk, [c for c in clients if c.get("attempt")])
            burst = drive("submit", port, exam.pk, [c for c in clients if c.get("attempt")])
            ceiling_after = drive("ping", port, exam.pk, clients)
            command = server.command.replace(f":{port}", ":PORT")
            gunicorn_log = server.log()
    finally:
        os.environ["DJANGO_SETTINGS_MODULE"] = "xuebi.settings"
    burst_end = burst["ended"]
    phases = [
        ("ceiling, session written", ceiling),
        ("ceiling, session read", ceiling_kept),
        ("starts", started),
        ("saves", saved),
        ("burst", burst),
        ("ceiling after the burst", ceiling_after),
    ]
    table(
        ["served by gunicorn, driven over HTTP", "requests", "non-2xx", "wall s", "req/s", "p50 ms", "p99 ms", "max ms"],
        endpoint_rows(phases),
        title=f"Under load: {command}",
    )
    submit_rate = len(burst["latencies"].get("POST /exams/attempts/{id}/submit", [])) / burst["wall_s"]
    ceilings = [len(o["latencies"]["POST /bench/api/ping"]) / o["wall_s"] for o in (ceiling, ceiling_kept, ceiling_after)]
    submit_p99 = pct(burst["latencies"].get("POST /exams/attempts/{id}/submit", []), 99)
    table(
        ["the burst", "figure", "goal"],
        [
            ["submissions per second (sustained over the burst)", submit_rate, "—"],
            ["the burst's length, s", burst["wall_s"], f"≤ {BURST_S}"],
            ["ceiling: signed-in ping req/s, session written / read / after", " / ".join(f"{c:,.0f}" for c in ceilings), "—"],
            [
                "submissions / ceiling (each of the three)",
                " / ".join(f"{submit_rate / c:.1%}" for c in ceilings),
                f"≥ {SHARE:.0%}",
            ],
            ["submission p99, ms", submit_p99, f"< {P99_MS}"],
        ],
        title="The deadline burst against the ceiling",
    )
    if "Traceback" in gunicorn_log or "ERROR" in gunicorn_log:
        print(f"\ngunicorn's log had errors:\n{gunicorn_log[-3000:]}")
    log("reconciling")
    sent_by_attempt = {c["attempt"]: [p for batch in c["batches"] for p in batch] for c in clients if c.get("attempt")}
    rows, expected = reconcile(exam, clients, sent_by_attempt)
    table(["reconciliation (the database after the burst)", "count", "must be"], rows, title="Nothing lost, nothing doubled")
    log(f"points: starting {TASK_WORKERS} task workers (xuebi worker, RQ)")
    worker_start = time.time()
    task_workers = start_task_workers(TASK_WORKERS)
    try:
        want = sum(1 for w in expected.values() if w)
        done = await_points(exam, want, worker_start)
    finally:
        stop(task_workers)
    waited = (worker_start - burst_end) + done if done is not None else None
    table(
        ["points (after the burst, by the task)", "figure", "must be"],
        points_rows(exam, expected, waited),
        title=f"Points: {TASK_WORKERS} task workers started {worker_start - burst_end:.0f} s after the burst; "
        f"all awarded {done:.0f} s after they started"
        if done is not None
        else "Points: NOT all awarded in time",
    )
    summary = {
        "cadres": len(clients),
        "gunicorn": command,
        "concurrency": CONCURRENCY,
        "saves_per_attempt": SAVES,
        "submissions_per_s": submit_rate,
        "burst_s": burst["wall_s"],
        "ceiling_per_s": ceilings,
        "share": [submit_rate / c for c in ceilings],
        "endpoints": {
            f"{label}: {endpoint}": {"n": len(v), "p50": pct(v, 50), "p99": pct(v, 99), "statuses": out["statuses"][endpoint]}
            for label, out in phases
            for endpoint, v in out["latencies"].items()
        },
        "reconciliation": {r[0]: r[1] for r in rows},
        "points_s_after_burst": waited,
    }
    with open(os.path.join(os.environ["XUEBI_DATA_DIR"], "exams_burst.json"), "w") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1, default=str)
    print(
        f"\nsummary written to {os.environ['XUEBI_DATA_DIR']}/exams_burst.json; total run time "
        f"{(time.perf_counter() - began) / 60:.1f} min"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
