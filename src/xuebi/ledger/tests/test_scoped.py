"""Every ledger page and API object that shows one record, for every role: expectations from Record.visible_to
(xuebi.testing.scoped). The record is 巴依斯古楞's (阿巴嘎旗), submitted; a draft is only its author's."""

import pytest

from xuebi.ledger.models import Evidence, LectureSeries, Record, RecordKind
from xuebi.ledger.services.lectures import series_create
from xuebi.ledger.services.records import evidence_add
from xuebi.ledger.tests._reports import lecture_kind
from xuebi.testing.helpers import photo, self_study
from xuebi.testing.scoped import NO_BUSINESS_ROLE, ROLES, Case, league_wide, scoped_suite


def setup(ns):
    ns.kinds = ns.request.getfixturevalue("kinds")
    ns.submitted = self_study(ns.users.cadre, ns.kinds)
    ns.draft = self_study(ns.users.cadre, ns.kinds, submit=False, content="草稿")
    ns.draft_evidence = evidence_add(actor=ns.users.cadre, record=ns.draft, upload=photo())
    lecture_kind(ns.users.league_admin)
    ns.series = series_create(actor=ns.users.abag_admin, unit=ns.org.abag_section, title="阿巴嘎旗业务讲堂")


def evidence_scope(user, action):
    """A file is served to whoever may ``action`` its record."""
    return Evidence.objects.filter(record__in=Record.objects.visible_to(user, action))


KIND_REFUSED = frozenset(ROLES) - {"league_admin"}


CASES = [
    Case("ledger:detail", model=Record, obj=lambda ns: ns.submitted),
    Case("ledger:detail", model=Record, obj=lambda ns: ns.draft, id="ledger:detail[draft]"),
    Case("ledger:edit", model=Record, obj=lambda ns: ns.draft, action="edit"),
    Case("/api/v1/records/{pk}", model=Record, obj=lambda ns: ns.submitted, api=True),
    Case("/api/v1/records?scope=all", model=Record, obj=lambda ns: ns.submitted, api=True, shows=lambda r: f'"id": {r.pk},'),
    # 待审核 lists the submitted record exactly to those who may review it (never to its author)
    Case(
        "ledger:review_queue",
        model=Record,
        obj=lambda ns: ns.submitted,
        action="review",
        shows=lambda r: f"/ledger/{r.pk}/",
        refused=NO_BUSINESS_ROLE | {"cadre", "judge"},
    ),
    Case("/api/v1/records/{pk}", model=Record, obj=lambda ns: ns.draft, api=True, id="api:records[draft]"),
]

KIND_READERS_REFUSED = NO_BUSINESS_ROLE


def kind(url, **kw):
    return Case(url, model=RecordKind, obj=lambda ns: ns.kinds.org_info, scope=league_wide(RecordKind), **kw)


def series(url, **kw):
    return Case(url, model=LectureSeries, obj=lambda ns: ns.series, **kw)


CASES += [
    kind("ledger:kind_list", shows=lambda k: k.name, refused=KIND_READERS_REFUSED),
    kind("ledger:kind_detail", refused=KIND_READERS_REFUSED),
    kind("ledger:kind_edit", action="change", refused=KIND_REFUSED),
    kind("/api/v1/kinds/{pk}", api=True, refused=KIND_READERS_REFUSED),
    series("ledger:lecture_detail"),
    series("ledger:lecture_members", action="change"),
    series("ledger:lecture_plan", action="change"),
    Case("ledger:evidence", model=Evidence, obj=lambda ns: ns.draft_evidence, scope=evidence_scope),
    Case("ledger:evidence_thumb", model=Evidence, obj=lambda ns: ns.draft_evidence, scope=evidence_scope),
]

test_scoped = pytest.mark.usefixtures("kinds")(scoped_suite(CASES, setup))

WRITES = [
    Case("ledger:delete", model=Record, obj=lambda ns: ns.draft, action="edit", method="post"),
    Case("ledger:submit", model=Record, obj=lambda ns: ns.draft, action="edit", method="post"),
    Case("ledger:edit", model=Record, obj=lambda ns: ns.draft, action="edit", method="post", id="ledger:edit[post]"),
    Case("ledger:review", model=Record, obj=lambda ns: ns.submitted, action="review", method="post"),
    Case("/api/v1/records/{pk}/approve", model=Record, obj=lambda ns: ns.submitted, action="review", method="post", api=True),
    Case(
        "/api/v1/records/{pk}",
        model=Record,
        obj=lambda ns: ns.draft,
        action="edit",
        method="patch",
        api=True,
        data={"data": {"content": "补充后的内容"}},
        done_by="cadre",
    ),
    Case(
        "/api/v1/records/{pk}", model=Record, obj=lambda ns: ns.draft, action="edit", method="delete", api=True, done_by="cadre"
    ),
    Case(
        "ledger:evidence_remove",
        model=Evidence,
        obj=lambda ns: ns.draft_evidence,
        scope=evidence_scope,
        action="edit",
        method="post",
        done_by="cadre",
    ),
    Case(
        "/api/v1/records/{obj.record_id}/evidence/{pk}",
        model=Evidence,
        obj=lambda ns: ns.draft_evidence,
        scope=evidence_scope,
        action="edit",
        method="delete",
        api=True,
        done_by="cadre",
    ),
    series("ledger:lecture_toggle_active", action="change", method="post", done_by="abag_reviewer"),
    # kinds are the league's: only its admin changes them
    Case(
        "/api/v1/kinds/{pk}",
        model=RecordKind,
        obj=lambda ns: ns.kinds.org_info,
        scope=league_wide(RecordKind),
        action="change",
        method="patch",
        api=True,
        data={"name": "组工信息稿件"},
        refused=KIND_REFUSED,
        done_by="league_admin",
    ),
    Case("/api/v1/records/{pk}/submit", model=Record, obj=lambda ns: ns.draft, action="edit", method="post", api=True),
]

test_scoped_writes = pytest.mark.usefixtures("kinds")(scoped_suite(WRITES, setup))
