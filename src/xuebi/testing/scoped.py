"""One scoped-view suite for every app (the idea of NetBox's ViewTestCases, written for this project).

An app declares a table of ``Case`` rows in one test module and hands it to ``scoped_suite``:

    CASES = [
        Case("org:person_detail", obj=lambda ns: ns.org.xilin_person, model=Person),
        Case("org:person_edit", obj=lambda ns: ns.org.xilin_person, model=Person, action="change"),
        Case("/api/v1/people/{pk}", obj=lambda ns: ns.org.bayi, model=Person, api=True),
        Case("/api/v1/people/{pk}", obj=lambda ns: ns.org.bayi, model=Person, api=True, action="change",
             method="patch", done_by="abag_admin"),
        Case("org:person_list", model=Person, obj=..., shows=lambda o: o.name),
    ]
    test_scoped = scoped_suite(CASES)

For every case the suite asks every role of the ``users`` fixture (and an anonymous visitor). The expected
answer is derived from the model's ``visible_to(user, action)`` — the one place scope is declared — not from what
the view answers today. There is one right answer for each role, never "403 or 404":

* ``refused`` roles (a page or endpoint the role may not use at all, e.g. 完成情况 for a cadre): 403, and the same
  403 for an object that does not exist — the refusal says nothing about the object;
* every other role: visible for ``action`` → 200; not visible → 404 — also when the role sees the object but may
  not ``action`` it (``get_visible_or_404(model, user, pk, action)``; STYLE.md: out of scope and missing look the
  same, NetBox's ``restrict(user, action)``);
* anonymous → the login page (pages) or 401 (API);
* writes (``method`` "post", "patch", "put" or "delete", with ``data`` as the body): only the roles that may not
  ``action`` the object are asked, by the rules above, and the object must be unchanged afterwards; then, if
  ``done_by`` names a role, that role does the write and must get ``done`` (default: 302 for a page, 200 for an
  API POST or PATCH, 204 for an API DELETE);
* lists (``shows`` given): a role not refused gets 200, and the object's text appears iff the object is visible.

``scope`` replaces ``model.objects.visible_to`` for data that is not kept per unit (campaigns and rules are
league-wide: ``scope=league_wide(Campaign)``, and ``refused`` then says who may not). ``query`` adds a query
string (``"unit={pk}"`` for a board drilled into a unit). ``xfail`` marks a case whose code answers wrong today
(strict: the mark must go when the code is fixed).

One test per case: the data (``org``, ``users`` and what ``setup`` adds) is built once and all roles are asked in
a loop, mismatches collected, so a failing case names every role it got wrong at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

__all__ = ["ROLES", "NO_BUSINESS_ROLE", "Case", "league_wide", "scoped_suite"]

ROLES = (
    "league_admin",
    "abag_admin",
    "abag_reviewer",
    "cadre",
    "xilin_admin",
    "judge",
    "sysadmin",
    "secadmin",
    "auditor",
    "nobody",
)
# 三员 and a user without a grant hold no business role: an app may refuse them its pages altogether.
NO_BUSINESS_ROLE = frozenset({"sysadmin", "secadmin", "auditor", "nobody"})
WRITES = ("post", "patch", "put", "delete")


def league_wide(model):
    """The scope of data every role shares (campaigns, rules): the object is everyone's, ``refused`` says who
    may not use the page."""
    return lambda user, action: model.objects.all()


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
    # "post", "patch", "delete": a write with ``data`` as its body; only the roles that may not ``action`` the
    # object are asked (404, or 403 if refused), so the data stays as it was; then ``done_by`` does it.
    method: str = "get"
    # the body: a dict, or ``data(ns, pk)`` for an object named in the body ({"person_id": pk, …})
    data: dict | Callable[[Any, Any], dict] = field(default_factory=dict)
    query: str = ""  # a query string: "unit={pk}", "person_id={obj.person_id}"
    scope: Callable[[Any, str], Any] | None = None  # default: model.objects.visible_to
    done_by: str = ""  # a role that may do the write: asked last, must get ``done``
    done: int = 0
    xfail: str = ""  # the code answers wrong today: why (the case is run, and must fail)
    # The answer for an object out of scope: 404, unless the object is named in the body, where the endpoint
    # answers as for one that does not exist (422 with the field's message) — checked against a missing one.
    hidden: int = 404

    def path(self, obj, pk=None) -> str:
        pk = obj.pk if pk is None else pk
        if self.url.startswith("/"):
            base = self.url.format(pk=pk, obj=obj)
        elif self.shows is not None or self.query:
            base = reverse(self.url, kwargs=self.extra or None)
        else:
            try:
                base = reverse(self.url, kwargs={"pk": pk, **self.extra})
            except NoReverseMatch:  # a page without an object in its path (a create page)
                base = reverse(self.url, kwargs=self.extra or None)
        if self.query:
            base += ("&" if "?" in base else "?") + self.query.format(pk=pk, obj=obj)
        return base

    def visible(self, user, obj) -> bool:
        scope = self.scope or self.model.objects.visible_to
        return scope(user, self.action).filter(pk=obj.pk).exists()

    def body(self, ns, obj, pk=None) -> dict:
        return self.data(ns, obj.pk if pk is None else pk) if callable(self.data) else self.data

    def done_status(self) -> int:
        if self.done:
            return self.done
        if not self.api:
            return 302
        return 204 if self.method == "delete" else 200

    def __str__(self):
        return self.id or f"{self.url}[{self.action}]" + (f"[{self.method}]" if self.method != "get" else "")


MISSING = 10**8


def ask(case: Case, client, api, user, path, data=None):
    """The request of ``case`` as ``user`` (None: signed out), with ``data`` as the body of a write."""
    data = data or {}
    if case.api:
        if user is None:
            client.logout()
            if case.method == "get":
                return client.get(path)
            return getattr(client, case.method)(path, json.dumps(data), content_type="application/json")
        path = path.removeprefix("/api/v1")
        if case.method == "post":
            return api.post(user, path, data)
        if case.method == "patch":
            return api.patch(user, path, data)
        if case.method == "put":
            return api.put(user, path, data)
        if case.method == "delete":
            return api.delete(user, path)
        return api.get(user, path)
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client.post(path, data) if case.method == "post" else client.get(path)


def _snapshot(case: Case, obj) -> list[dict]:
    # signing in as the account under test stamps its last_login: not a write of the page's
    return [{k: v for k, v in row.items() if k != "last_login"} for row in case.model.objects.filter(pk=obj.pk).values()]


def check(case: Case, ns, client, api) -> list[str]:
    """Ask as every role; the list of answers that differ from the rule (empty when all is well)."""
    obj = case.obj(ns)
    path = case.path(obj)
    data = case.body(ns, obj)
    wrong = []
    before = _snapshot(case, obj)
    answer = ask(case, client, api, None, path, data)
    if case.api:
        if answer.status_code != 401:
            wrong.append(f"匿名: {path} → {answer.status_code}, 应为 401")
    elif answer.status_code != 302 or not answer["Location"].startswith(reverse(settings.LOGIN_URL)):
        wrong.append(f"匿名: {path} → {answer.status_code} {answer.get('Location', '')}, 应转到登录页")
    for role in ROLES:
        user = getattr(ns.users, role)
        refused = role in case.refused
        visible = not refused and case.visible(user, obj)
        if case.method in WRITES and visible and case.shows is None:
            continue
        got = ask(case, client, api, user, path, data)
        status = got.status_code
        if refused:
            if status != 403:
                wrong.append(f"{role}: {path} → {status}, 应为 403（该角色不可用此功能）")
            if case.shows is None:
                missing = ask(case, client, api, user, case.path(obj, MISSING), case.body(ns, obj, MISSING)).status_code
                if missing != status:
                    wrong.append(f"{role}: 不存在的对象 → {missing}, 范围外的 → {status}：应相同")
            continue
        if case.shows is not None:
            text = case.shows(obj)
            body = json.dumps(got.json(), ensure_ascii=False) if case.api and status == 200 else got.content.decode()
            shown = status == 200 and text in body
            if status != 200:
                wrong.append(f"{role}: {path} → {status}, 应为 200")
            elif visible and not shown:
                wrong.append(f"{role}: {path} 应列出「{text}」")
            elif not visible and shown:
                wrong.append(f"{role}: {path} 列出了范围外的「{text}」")
            continue
        want = 200 if visible else case.hidden
        if status != want:
            wrong.append(f"{role}: {path} → {status}, 应为 {want}")
        elif not visible and case.hidden != 404:
            missing = ask(case, client, api, user, case.path(obj, MISSING), case.body(ns, obj, MISSING)).status_code
            if missing != status:
                wrong.append(f"{role}: 不存在的对象 → {missing}, 范围外的 → {status}：应相同")
    if case.method in WRITES and _snapshot(case, obj) != before:
        wrong.append(f"{path}: 无权的写入改变了对象")
    if case.done_by:
        user = getattr(ns.users, case.done_by)
        if not case.visible(user, obj):
            wrong.append(f"{case.done_by}: 用例有误：该角色不可{case.action}此对象")
        answer = ask(case, client, api, user, path, data)
        if answer.status_code != case.done_status():
            wrong.append(
                f"{case.done_by}: {case.method} {path} → {answer.status_code}, 应为 {case.done_status()}: "
                f"{answer.content.decode()[:300]}"
            )
    return wrong


def scoped_suite(cases: list[Case], setup: Callable[[Any], None] | None = None):
    """The test function for an app's table: ``test_scoped = scoped_suite(CASES, setup)``."""
    params = [
        pytest.param(case, id=str(case), marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [])
        for case in cases
    ]

    @pytest.mark.django_db
    @pytest.mark.parametrize("case", params)
    def test_scoped(case, org, users, client, api, request):
        from types import SimpleNamespace

        ns = SimpleNamespace(org=org, users=users, request=request)
        if setup is not None:
            setup(ns)
        wrong = check(case, ns, client, api)
        assert not wrong, "\n".join(wrong)

    return test_scoped
