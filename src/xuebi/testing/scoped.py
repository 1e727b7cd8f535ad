"""One scoped-view suite for every app (the idea of NetBox's ViewTestCases, written for this project).

An app declares a table of ``Case`` rows in one test module and hands it to ``scoped_suite``:

    CASES = [
        Case("org:person_detail", obj=lambda ns: ns.org.xilin_person, model=Person),
        Case("org:person_edit", obj=lambda ns: ns.org.xilin_person, model=Person, action="change"),
        Case("/api/v1/people/{pk}", obj=lambda ns: ns.org.bayi, model=Person, api=True),
        Case("org:person_list", model=Person, obj=..., shows=lambda o: o.name),
    ]
    test_scoped = scoped_suite(CASES)

For every case the suite asks every role of the ``users`` fixture (and an anonymous visitor). The expected
answer is derived from the model's ``visible_to(user, action)`` — the one place scope is declared — not from what
the view answers today:

* detail / edit pages and API objects: visible → 200; not visible → 404 (STYLE.md: out of scope and missing look
  the same — never 403); anonymous → the login page (pages) or 401 (API);
* lists (``shows`` given): the object's text appears in the page iff the object is visible to that role
  (a role the page refuses altogether may get 403 or 404 — it sees nothing either way).

One test per case: the data (``org``, ``users`` and what ``setup`` adds) is built once and all roles are asked in
a loop, mismatches collected, so a failing case names every role it got wrong at once.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

ROLES = ("league_admin", "abag_admin", "abag_reviewer", "cadre", "xilin_admin", "judge",
         "sysadmin", "secadmin", "auditor", "nobody")


@dataclass
class Case:
    """One page or API endpoint. ``url`` is a URL name (reversed with ``pk`` when ``obj`` is given) or a path
    with ``{pk}``; ``obj(ns)`` picks the object from the namespace (``ns.org``, ``ns.users`` and whatever the
    module's ``setup(ns)`` added); ``model`` and ``action`` give the rule (``model.objects.visible_to``)."""

    url: str
    model: Any
    obj: Callable[[Any], Any]
    action: str = "view"
    api: bool = False
    shows: Callable[[Any], str] | None = None  # a list page: the text of the object that shows when visible
    id: str = ""
    extra: dict = field(default_factory=dict)

    def path(self, obj) -> str:
        if self.url.startswith("/"):
            return self.url.format(pk=obj.pk)
        if self.shows is not None:
            return reverse(self.url)
        return reverse(self.url, kwargs={"pk": obj.pk, **self.extra})

    def __str__(self):
        return self.id or f"{self.url}[{self.action}]"


def expected(case: Case, user, obj) -> int | None:
    """The status the rule asks for (None for a list: checked on its content)."""
    if user is None:
        return 401 if case.api else 302
    visible = case.model.objects.visible_to(user, case.action).filter(pk=obj.pk).exists()
    return 200 if visible else 404


def check(case: Case, ns, client, api) -> list[str]:
    obj = case.obj(ns)
    path = case.path(obj)
    wrong = []
    client.logout()
    answer = client.get(path)
    want = expected(case, None, obj)
    if answer.status_code != want:
        wrong.append(f"匿名: {path} → {answer.status_code}, 应为 {want}")
    for role in ROLES:
        user = getattr(ns.users, role)
        visible = case.model.objects.visible_to(user, case.action).filter(pk=obj.pk).exists()
        if case.api:
            answer = api.get(user, path.removeprefix("/api/v1"))
        else:
            client.force_login(user)
            answer = client.get(path)
        if case.shows is not None:
            text = case.shows(obj)
            if visible and (answer.status_code != 200 or text not in answer.content.decode()):
                wrong.append(f"{role}: {path} → {answer.status_code}, 应列出「{text}」")
            elif not visible and answer.status_code == 200 and text in answer.content.decode():
                wrong.append(f"{role}: {path} 列出了范围外的「{text}」")
            elif not visible and answer.status_code not in (200, 403, 404):
                wrong.append(f"{role}: {path} → {answer.status_code}")
            continue
        want = 200 if visible else 404
        if answer.status_code != want:
            wrong.append(f"{role}: {path} → {answer.status_code}, 应为 {want}")
    return wrong


def scoped_suite(cases: list[Case], setup: Callable[[Any], None] | None = None):
    """The test function for an app's table: ``test_scoped = scoped_suite(CASES, setup)``."""

    @pytest.mark.django_db
    @pytest.mark.parametrize("case", cases, ids=str)
    def test_scoped(case, org, users, client, api, request):
        from types import SimpleNamespace

        ns = SimpleNamespace(org=org, users=users, request=request)
        if setup is not None:
            setup(ns)
        wrong = check(case, ns, client, api)
        assert not wrong, "\n".join(wrong)

    return test_scoped
