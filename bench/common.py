"""What every benchmark shares: a throw-away data dir, Django set up, the median of N requests,
and the table of medians against the minimal view measured in the same run.

Also, for benchmarks that need them: the median of any callable (``median_ms``), the queries of
one call with their times (``QueryLog``), PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` of one of
them (``explain``), a table printer that keeps Chinese labels aligned (``table``), and the app
served by gunicorn (``served``) under wrk from a second process (``wrk``)."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata

os.environ.setdefault("XUEBI_DATA_DIR", tempfile.mkdtemp(prefix="xuebi-bench-"))
os.environ.setdefault("XUEBI_DEMO", "1")
os.environ.setdefault("XUEBI_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuebi.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def median_ms(fn, runs: int = RUNS, *, before=None) -> float:
    """Median milliseconds of ``runs`` calls of ``fn`` (after one uncounted call); ``before``, if
    given, runs untimed before each call."""
    fn()
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(client: Client, url: str, runs: int | None = None, **headers) -> tuple[float, int]:
    """(median milliseconds over RUNS requests after one warm-up, queries of one more request)."""

    def get():
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)

    median = median_ms(get, runs or RUNS)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    return median, len(queries)


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(width - _width(text), 0)
    return space + text if right else text + space


def report(rows: list[tuple[str, float, int]], width: int = 52) -> None:
    """Print the table; the first row is the baseline every ratio is against."""
    baseline = rows[0][1]
    print(f"{'what':{width}} {'median ms':>10} {'× baseline':>11} {'queries':>8}")
    for label, median, queries in rows:
        print(f"{_pad(label, width)} {median:10.2f} {median / baseline:11.1f} {queries:8d}")


def table(headers: list[str], rows: list[list], title: str | None = None) -> None:
    """Print rows under headers: the first column left-aligned, the others right-aligned; a
    float is shown with two decimals, an int with thousands separators, ``None`` as a dash."""

    def cell(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "NO"
        if isinstance(value, float):
            return f"{value:,.2f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in text]) for i, h in enumerate(headers)]
    if title:
        print(f"\n{title}")
    print("  ".join(_pad(h, w, right=i > 0) for i, (h, w) in enumerate(zip(headers, widths))))
    print("  ".join("-" * w for w in widths))
    for row in text:
        print("  ".join(_pad(v, w, right=i > 0) for i, (v, w) in enumerate(zip(row, widths))))


class QueryLog:
    """The SQL, parameters and milliseconds of every query run inside the block."""

    def __init__(self):
        self.queries: list[tuple[str, tuple, float]] = []

    def _wrapper(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - start) * 1000))

    def __enter__(self):
        self._context = connection.execute_wrapper(self._wrapper)
        self._context.__enter__()
        return self

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)

    @property
    def total_ms(self) -> float:
        return sum(ms for _sql, _params, ms in self.queries)

    def slowest(self) -> tuple[str, tuple, float] | None:
        return max(self.queries, key=lambda q: q[2], default=None)


def explain(sql: str, params=None, runs: int = 1) -> tuple[str, float]:
    """PostgreSQL only: (the EXPLAIN (ANALYZE, BUFFERS) plan of the last run, the median
    "Execution Time" in milliseconds over ``runs`` runs). ANALYZE executes the statement, so
    each run is rolled back: a captured INSERT or DELETE changes nothing."""
    times, plan = [], ""
    for _ in range(runs):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
        times.append(float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)))
    return plan, statistics.median(times)


def is_write(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}


# --- a production server and a load tool, each in its own process -------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_status(port: int, path: str, cookie: str | None = None) -> tuple[int, int]:
    """(status, body bytes) of one plain HTTP GET, redirects not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, len(response.read())
    finally:
        conn.close()


class Server:
    """A running gunicorn: its port, its command line and what it has logged so far."""

    def __init__(self, port: int, command: str, log):
        self.port, self.command, self._log = port, command, log

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read()


@contextlib.contextmanager
def served(workers: int = 2, extra_args: tuple[str, ...] = ()):
    """gunicorn serving xuebi.wsgi on a free port with this process's environment (same data
    dir and database), as a ``Server``. Stopped — by its own pid — on leaving."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "xuebi.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *extra_args,
    ]
    env = {**os.environ, "XUEBI_ALLOWED_HOSTS": "127.0.0.1"}
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    server = Server(port, " ".join(["gunicorn", *command[3:]]), log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get_status(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {' '.join(command)}\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


_WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("bad") end
  io.write(string.format("non-200: %d\\n", n))
end
"""


def _duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000, "h": 3600000}[unit]


def wrk(url: str, *, seconds: int = 10, connections: int = 8, threads: int = 2, cookie: str | None = None) -> dict:
    """Run wrk against ``url``: requests/second, requests, responses other than 200 (counted by a
    Lua hook: wrk itself counts only non-2xx/3xx, so a redirect to the login page would pass),
    socket errors and timeouts (30 s), latency median and 99th percentile; and the command line."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        script.name,
        url,
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)

    def latency(percent: str) -> float | None:
        found = re.search(rf"^\s+{percent}%\s+(\S+)\s*$", out, re.M)
        return _duration_ms(found.group(1)) if found else None

    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk gave no figures: {' '.join(command)}\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "non200": int(re.search(r"non-200: (\d+)", out).group(1)),
        "errors": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out)),
        "p50": latency("50"),
        "p99": latency("99"),
        "command": " ".join(
            "'Cookie: sessionid=…'" if c.startswith("Cookie:") else c for c in command if not c.endswith(".lua") and c != "-s"
        ),
        "output": out,
    }


def have_wrk() -> bool:
    return shutil.which("wrk") is not None
