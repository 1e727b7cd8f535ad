"""The load driver of ``exams_burst.py``: a second process (no Django in it) that drives the real
HTTP endpoints with asyncio + aiohttp, as the cadres' phones would — each client its own session
cookie and CSRF token, ``concurrency`` clients in flight at once (a closed loop: a client sends
its next request when the last one answered).

    python exams_burst_driver.py PHASE INPUT.json OUTPUT.json

PHASE is one of:

* ``ping``   — ``POST /bench/api/ping`` once per client (the ceiling: the minimal signed-in call);
* ``start``  — ``POST /api/v1/exams/{exam}/attempts`` once per client (the attempt and its items);
* ``save``   — ``PUT /api/v1/exams/attempts/{id}/answers``: the client's answers in its batches,
  one batch after the other (the phone saves as the taker goes);
* ``submit`` — ``POST /api/v1/exams/attempts/{id}/submit`` with every answer (as the phone hands
  in: ``take.js`` sends them all with the submission).

INPUT holds ``port``, ``exam_id``, ``concurrency``, the cookie names and ``clients`` (per client:
``session``, ``csrf`` and, for the later phases, ``attempt`` and ``batches``). OUTPUT gets the
phase's wall time, each request's latency by endpoint, the status codes and, per client, what
the server answered that the next phase or the reconciliation needs."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp

ENDPOINTS = {
    "ping": "POST /bench/api/ping",
    "start": "POST /exams/{id}/attempts",
    "save": "PUT /exams/attempts/{id}/answers",
    "submit": "POST /exams/attempts/{id}/submit",
}


class Recorder:
    def __init__(self):
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[str, int]] = {}
        self.errors: list[str] = []

    def note(self, endpoint: str, ms: float, status: int, body: str | None = None) -> None:
        self.latencies.setdefault(endpoint, []).append(ms)
        counts = self.statuses.setdefault(endpoint, {})
        counts[str(status)] = counts.get(str(status), 0) + 1
        if status >= 400 and len(self.errors) < 20:
            self.errors.append(f"{endpoint} → {status}: {(body or '')[:300]}")


async def call(http, recorder, endpoint, method, url, headers, payload=None):
    begin = time.perf_counter()
    try:
        async with http.request(method, url, headers=headers, json=payload) as response:
            text = await response.text()
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        recorder.note(endpoint, (time.perf_counter() - begin) * 1000, 599, repr(exc))
        return 599, None
    recorder.note(endpoint, (time.perf_counter() - begin) * 1000, status, text)
    try:
        return status, json.loads(text)
    except ValueError:
        return status, None


async def client_work(phase, spec, http, recorder, base, exam_id, names):
    headers = {
        "Cookie": f"{names['session']}={spec['session']}; {names['csrf']}={spec['csrf']}",
        "X-CSRFToken": spec["csrf"],
        "Content-Type": "application/json",
    }
    if phase == "ping":
        status, _body = await call(http, recorder, ENDPOINTS["ping"], "POST", f"{base}/bench/api/ping", headers)
        return {"status": status}
    if phase == "start":
        status, body = await call(http, recorder, ENDPOINTS["start"], "POST", f"{base}/api/v1/exams/{exam_id}/attempts", headers)
        if status not in (200, 201) or not body:
            return {"status": status}
        return {"status": status, "attempt": body["id"], "items": len(body["items"])}
    attempt = spec["attempt"]
    if phase == "save":
        statuses = []
        for batch in spec["batches"]:
            status, _body = await call(
                http,
                recorder,
                ENDPOINTS["save"],
                "PUT",
                f"{base}/api/v1/exams/attempts/{attempt}/answers",
                headers,
                {"answers": [{"position": p, "response": r} for p, r in batch]},
            )
            statuses.append(status)
        return {"statuses": statuses}
    answers = [{"position": p, "response": r} for batch in spec["batches"] for p, r in batch]
    status, body = await call(
        http,
        recorder,
        ENDPOINTS["submit"],
        "POST",
        f"{base}/api/v1/exams/attempts/{attempt}/submit",
        headers,
        {"answers": answers},
    )
    body = body or {}
    return {"status": status, "score": body.get("score"), "attempt_status": body.get("status")}


async def run(phase: str, spec: dict) -> dict:
    recorder = Recorder()
    base = f"http://127.0.0.1:{spec['port']}"
    clients = spec["clients"]
    results: list[dict | None] = [None] * len(clients)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(clients)):
        queue.put_nowait(i)
    connector = aiohttp.TCPConnector(limit=spec["concurrency"])
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as http:

        async def worker():
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                results[i] = await client_work(phase, clients[i], http, recorder, base, spec.get("exam_id"), spec["cookie_names"])

        begin = time.time()
        await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
        end = time.time()
    return {
        "phase": phase,
        "began": begin,
        "ended": end,
        "wall_s": end - begin,
        "latencies": recorder.latencies,
        "statuses": recorder.statuses,
        "errors": recorder.errors,
        "results": results,
    }


def main() -> int:
    phase, source, target = sys.argv[1:4]
    with open(source) as f:
        spec = json.load(f)
    out = asyncio.run(run(phase, spec))
    with open(target, "w") as f:
        json.dump(out, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
