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

* detail / edit pages and API objects: visible for ``action`` → 200; not visible → 404 (STYLE.md: out of scope and
  missing look the same — never 403 for an object the role cannot see); a role that sees the object but may not
  ``action`` it gets 404 or 403 (a transition refused with its reason, e.g. 须由他人审核: nothing is hidden from it);
  anonymous → the login page (pages) or 401 (API);
* writes (``method="post"``, an empty form): only the roles that may not ``action`` the object are asked, with the
  rule above, and the object must be unchanged afterwards;
* ``refused`` roles: 403 whatever the object, and the same 403 for a missing one (a page a role may not use at all);
* lists (``shows`` given): the object's text appears in the page iff the object is visible to that role
  (a role the page refuses altogether may get 403 or 404 — it sees nothing either way).

One test per case: the data (``org``, ``users`` and what ``setup`` adds) is built once and all roles are asked in
a loop, mismatches collected, so a failing case names every role it got wrong at once.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

ROLES = ("league_admin", "abag_admin", "abag_reviewer", "cadre", "xilin_admin", "judge",
         "sysadmin", "secadmin", "auditor", "nobody")
# 三员 and a user without a grant hold no business role: an app may refuse them its pages altogether.
NO_BUSINESS_ROLE = frozenset({"sysadmin", "secadmin", "auditor", "nobody"})


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
    # Roles the endpoint refuses whatever the object (403 for a missing one too, so nothing leaks): declared
    # from the role rules (e.g. 完成情况 is for admins and reviewers), checked against a missing pk.
    refused: frozenset[str] = frozenset()
    # "post": a write (edit, delete, submit …) with an empty form; only the roles that may not ``action`` the
    # object are asked (they must get 404, or 403 if refused), so the data stays as it was for the others.
    method: str = "get"

    def path(self, obj, pk=None) -> str:
        pk = obj.pk if pk is None else pk
        if self.url.startswith("/"):
            return self.url.format(pk=pk)
        if self.shows is not None:
            return reverse(self.url)
        return reverse(self.url, kwargs={"pk": pk, **self.extra})

    def __str__(self):
        return self.id or f"{self.url}[{self.action}]"


MISSING = 10**8


def ask(case: Case, client, api, user, path):
    if case.api:
        call = api.post if case.method == "post" else api.get
        return call(user, path.removeprefix("/api/v1"))
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client.post(path, {}) if case.method == "post" else client.get(path)


def check(case: Case, ns, client, api) -> list[str]:
    """Ask as every role; the list of answers that differ from the rule (empty when all is well)."""
    obj = case.obj(ns)
    path = case.path(obj)
    wrong = []
    before = list(case.model.objects.filter(pk=obj.pk).values())
    if case.api:
        client.logout()
        answer = client.post(path, {}, content_type="application/json") if case.method == "post" else client.get(path)
    else:
        answer = ask(case, client, api, None, path)
    want = (401,) if case.api else (302,)
    if case.method == "post" and not case.api:
        want = (302, 403)  # a write without a session: to the login page, or refused by CSRF before it
    if answer.status_code not in want:
        wrong.append(f"匿名: {path} → {answer.status_code}, 应为 {want[0]}")
    for role in ROLES:
        user = getattr(ns.users, role)
        visible = case.model.objects.visible_to(user, case.action).filter(pk=obj.pk).exists()
        if case.method == "post" and visible:
            continue
        answer = ask(case, client, api, user, path)
        got = answer.status_code
        if case.shows is not None and role in case.refused:
            if got != 403:
                wrong.append(f"{role}: {path} → {got}, 应为 403（该角色不可用此功能）")
            continue
        if case.shows is not None:
            text = case.shows(obj)
            body = json.dumps(answer.json(), ensure_ascii=False) if case.api and got == 200 else answer.content.decode()
            shown = got == 200 and text in body
            if visible and not shown:
                wrong.append(f"{role}: {path} → {got}, 应列出「{text}」")
            elif not visible and shown:
                wrong.append(f"{role}: {path} 列出了范围外的「{text}」")
            elif not visible and got not in (200, 403, 404):
                wrong.append(f"{role}: {path} → {got}")
            continue
        if role in case.refused:
            if got != 403:
                wrong.append(f"{role}: {path} → {got}, 应为 403（该角色不可用此功能）")
            missing = ask(case, client, api, user, case.path(obj, MISSING)).status_code
            if missing != got:
                wrong.append(f"{role}: 不存在的对象 → {missing}, 范围外的 → {got}：应相同")
            continue
        want = 200 if visible else 404
        if got == 403 and case.action != "view" and case.model.objects.visible_to(user).filter(pk=obj.pk).exists():
            continue  # sees the object but may not do this to it: refused with a reason (nothing to hide)
        if got != want:
            wrong.append(f"{role}: {path} → {got}, 应为 {want}")
    if case.method == "post" and list(case.model.objects.filter(pk=obj.pk).values()) != before:
        wrong.append(f"{path}: 无权的写入改变了对象")
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
