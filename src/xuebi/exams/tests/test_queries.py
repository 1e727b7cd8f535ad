"""The deadline burst's three requests read and write a fixed number of times, whatever the paper's
length or the person's history: starting (a random draw of 15), saving a batch of answers, handing in."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xuebi.exams.models import Attempt


def _count(call):
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx.captured_queries), result


def test_start_save_and_submit_cost_a_fixed_number_of_queries(users, random_exam, client, django_capture_on_commit_callbacks):
    client.force_login(users.cadre)
    url = f"/api/v1/exams/{random_exam.pk}/attempts"
    started, response = _count(lambda: client.post(url, content_type="application/json"))
    assert response.status_code == 201
    pk = response.json()["id"]
    attempt = Attempt.objects.get(pk=pk)
    answers = [{"position": item.position, "response": item.key["answer"]} for item in attempt.items.all()]
    saved, response = _count(
        lambda: client.put(f"/api/v1/exams/attempts/{pk}/answers", {"answers": answers}, content_type="application/json")
    )
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        submitted, response = _count(
            lambda: client.post(f"/api/v1/exams/attempts/{pk}/submit", {}, content_type="application/json")
        )
    assert response.status_code == 200 and response.json()["score"] == "40.00"
    # the session, the account and its grants are 3 of each; a session written at most once a minute
    assert started <= 21 and saved <= 9 and submitted <= 11, (started, saved, submitted)
