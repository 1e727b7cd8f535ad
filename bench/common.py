"""What every benchmark shares: a throw-away data dir, Django set up, the median of N requests,
and the table of medians against the minimal view measured in the same run."""
from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("XUEBI_DATA_DIR", tempfile.mkdtemp(prefix="xuebi-bench-"))
os.environ.setdefault("XUEBI_DEMO", "1")
os.environ.setdefault("XUEBI_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuebi.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def measure(client: Client, url: str, **headers) -> tuple[float, int]:
    """(median milliseconds over RUNS requests after one warm-up, queries of one more request)."""
    client.get(url, **headers)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, **headers)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    return statistics.median(times) * 1000, len(queries)


def report(rows: list[tuple[str, float, int]], width: int = 52) -> None:
    """Print the table; the first row is the baseline every ratio is against."""
    baseline = rows[0][1]
    print(f"{'what':{width}} {'median ms':>10} {'× baseline':>11} {'queries':>8}")
    for label, median, queries in rows:
        print(f"{label:{width}} {median:10.2f} {median / baseline:11.1f} {queries:8d}")
