"""Every notice page and API endpoint, for every role: expectations from Notice.visible_to
(xuebi.testing.scoped). A county's notice is read by its own admins and the league's, and written
only by the county's own (``issuing_unit_ids``)."""

import datetime as dt

from xuebi.points import boards
from xuebi.reports.models import Notice
from xuebi.reports.selectors.notices import Question
from xuebi.reports.services import notices as services
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, scoped_suite

ADMINS_ONLY = NO_BUSINESS_ROLE | {"cadre", "judge", "abag_reviewer"}


def setup(ns):
    campaign = ns.request.getfixturevalue("campaign")
    span = boards.span_for(campaign, "month", on=dt.date(2026, 11, 1))
    question = Question(campaign, span, "month:2026-11-01", "units")
    ns.notice = services.notice_create(
        actor=ns.users.abag_admin, issuer=ns.org.abag, question=question, texts={"title": "阿巴嘎旗十一月通报"}
    )


def notice(ns):
    return ns.notice


CASES = [
    Case("reports:notice_list", model=Notice, obj=notice, shows=lambda n: n.title, refused=ADMINS_ONLY, query="below=1"),
    Case("reports:notice_detail", model=Notice, obj=notice, refused=ADMINS_ONLY),
    Case("/reports/notices/{pk}/xlsx/", model=Notice, obj=notice, refused=ADMINS_ONLY, id="reports:notice_file[xlsx]"),
    Case("reports:notice_edit", model=Notice, obj=notice, action="change", refused=ADMINS_ONLY),
    Case("/api/v1/reports/notices", model=Notice, obj=notice, api=True, shows=lambda n: n.title, refused=ADMINS_ONLY),
    Case("/api/v1/reports/notices/{pk}", model=Notice, obj=notice, api=True, refused=ADMINS_ONLY),
    Case("/api/v1/reports/notices/{pk}/files/xlsx", model=Notice, obj=notice, api=True, refused=ADMINS_ONLY),
]


def write(url: str, method: str, **extra) -> Case:
    """A write to the county's draft: refused to all but its own admins, done by 阿巴嘎旗's."""
    return Case(url, model=Notice, obj=notice, action="change", method=method, refused=ADMINS_ONLY, done_by="abag_admin", **extra)


WRITES = [
    write("reports:notice_regenerate", "post"),
    write("reports:notice_delete", "post"),
    write("/api/v1/reports/notices/{pk}", "patch", api=True, data={"opening": "新的开头"}),
    write("/api/v1/reports/notices/{pk}", "delete", api=True, id="api:notice_delete"),
    write("/api/v1/reports/notices/{pk}/issue", "post", api=True, done=202),
]

test_scoped = scoped_suite(CASES, setup)
test_scoped_writes = scoped_suite(WRITES, setup)
