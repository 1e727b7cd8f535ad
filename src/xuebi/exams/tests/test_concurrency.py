"""Two tabs, a retry, a save racing the submit — at the same moment on PostgreSQL, each thread with
its own connection (a barrier releases them together): one active attempt, one result, the
answers saved before the submit marked and none after it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection  # noqa: F401  (the skipif condition reads it)

from xuebi.exams import services
from xuebi.exams.models import Attempt, AttemptStatus
from xuebi.points.tests.test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks and concurrent writers need PostgreSQL"),
]


def test_eight_tabs_starting_at_once_make_one_attempt(users, exam):
    got = []
    errors = run_together([lambda: got.append(services.start(user=users.cadre, exam=exam)[0].pk) for _ in range(8)])
    assert not errors
    assert Attempt.objects.filter(exam=exam).count() == 1 and set(got) == {Attempt.objects.get(exam=exam).pk}


def test_eight_submits_at_once_give_one_result(users, exam):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    right = attempt.items.get(position=1).key["answer"]
    services.save_answers(user=users.cadre, attempt=attempt, answers=[(1, right)])
    results = []
    errors = run_together([lambda: results.append(services.submit(user=users.cadre, attempt=attempt)) for _ in range(8)])
    assert not errors
    assert {(r.status, r.score, r.submitted_at) for r in results} == {
        (AttemptStatus.SUBMITTED, Decimal("2.00"), results[0].submitted_at)
    }


def test_saves_racing_the_submit_are_kept_before_it_or_refused_after_it(users, exam):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    refused = []

    def save(position, response):
        def job():
            try:
                services.save_answers(user=users.cadre, attempt=attempt, answers=[(position, response)])
            except ValidationError:
                refused.append(position)

        return job

    right = {i.position: i.key["answer"] for i in attempt.items.exclude(shown__type__in=["fill", "short"])}
    jobs = [save(p, r) for p, r in right.items()] + [lambda: services.submit(user=users.cadre, attempt=attempt)]
    errors = run_together(jobs)
    assert not errors
    attempt.refresh_from_db()
    kept = set(attempt.items.filter(response__isnull=False).values_list("position", flat=True))
    # every save is either kept (and marked) or refused as after the hand-in: none lost, none half-kept
    assert kept | set(refused) == set(right) and not kept & set(refused)
    assert attempt.score == sum((i.points for i in attempt.items.filter(position__in=kept)), Decimal("0"))
