"""The annual summary's pages and API in the scoped suite (docs/testing.md): league and county
admins only, each for their own subtree; out of scope is a 404."""

from __future__ import annotations


from xuebi.org.models import Unit
from xuebi.reports.models import SummaryDraft, SummaryFigure
from xuebi.testing.factories import CampaignFactory
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, league_wide, scoped_suite

# Roles that may not draft a summary at all: 403, whatever the unit.
REFUSED = NO_BUSINESS_ROLE | {"abag_reviewer", "cadre", "judge"}
NOT_LEAGUE = REFUSED | {"abag_admin", "xilin_admin"}
DRAFT_QUERY = "campaign={obj.campaign_id}&unit={obj.unit_id}"


def setup(ns):
    ns.campaign = CampaignFactory()
    ns.draft = SummaryDraft.objects.create(
        campaign=ns.campaign,
        unit=ns.org.abag,
        figures=["feature_films"],
        text="全旗组织系统拍摄党员教育专题片3部。",
        generated="全旗组织系统拍摄党员教育专题片3部。",
        created_by=ns.users.abag_admin,
        updated_by=ns.users.abag_admin,
    )
    ns.figure = SummaryFigure.objects.create(key="video_views", rounding_unit=100)


CASES = [
    Case("reports:summary", model=Unit, obj=lambda ns: ns.org.abag, action="change", query="unit={pk}", refused=REFUSED),
    Case("reports:summary", model=Unit, obj=lambda ns: ns.org.league, action="change", query="unit={pk}", refused=REFUSED),
    Case("/reports/summary/", model=SummaryDraft, obj=lambda ns: ns.draft, query=DRAFT_QUERY, refused=REFUSED),
    Case(
        "reports:summary_figures",
        model=SummaryFigure,
        obj=lambda ns: ns.figure,
        scope=league_wide(SummaryFigure),
        refused=NOT_LEAGUE,
    ),
    Case(
        "/api/v1/reports/summary",
        model=SummaryDraft,
        obj=lambda ns: ns.draft,
        api=True,
        query="campaign_id={obj.campaign_id}&unit_id={obj.unit_id}",
        refused=REFUSED,
    ),
    Case("/reports/summary/export/", model=SummaryDraft, obj=lambda ns: ns.draft, query=DRAFT_QUERY, refused=REFUSED),
]
WRITES = [
    Case(
        "/reports/summary/",
        model=SummaryDraft,
        obj=lambda ns: ns.draft,
        action="change",
        method="post",
        query=DRAFT_QUERY,
        data={"figures": ["feature_films", "practical_services"], "text": "改写的正文。"},
        refused=REFUSED,
        done_by="abag_admin",
    ),
    Case(
        "reports:summary_figures",
        model=SummaryFigure,
        obj=lambda ns: ns.figure,
        scope=league_wide(SummaryFigure),
        action="change",
        method="post",
        data={"video_views-rounding_unit": "1000", "video_views-included": "on"},
        refused=NOT_LEAGUE,
        done_by="league_admin",
    ),
]
test_scoped = scoped_suite(CASES, setup)
test_scoped_writes = scoped_suite(WRITES, setup)
