"""Every campaign page and API endpoint, for every role (xuebi.testing.scoped). Campaigns, their indicators and
rules are league-wide — the same published rules for everyone, which is what makes the 比 fair — so the rule is by
role, not by unit: every business role reads them (the 三员 and a user without a role are refused), only a league
admin changes them (everyone else is refused, 403 also for a campaign that does not exist)."""

import pytest

from xuebi.campaign.models import Campaign, Indicator, Rule
from xuebi.testing.scoped import NO_BUSINESS_ROLE, ROLES, Case, league_wide, scoped_suite

READ = NO_BUSINESS_ROLE
CHANGE = frozenset(ROLES) - {"league_admin"}


def setup(ns):
    ns.campaign = ns.request.getfixturevalue("campaign")
    ns.indicator = ns.request.getfixturevalue("theory")
    ns.rule = Rule.objects.get(indicator=ns.indicator)


def campaign(url, **kw):
    return Case(url, model=Campaign, obj=lambda ns: ns.campaign, scope=league_wide(Campaign), **kw)


def indicator(url, **kw):
    return Case(url, model=Indicator, obj=lambda ns: ns.indicator, scope=league_wide(Indicator), **kw)


def rule(url, **kw):
    return Case(url, model=Rule, obj=lambda ns: ns.rule, scope=league_wide(Rule), **kw)


CASES = [
    campaign("campaign:list", shows=lambda c: c.name, refused=READ),
    campaign("campaign:detail", refused=READ),
    campaign("campaign:create", refused=CHANGE),
    campaign("campaign:edit", action="change", refused=CHANGE),
    campaign("campaign:indicator_create", action="change", refused=CHANGE),
    campaign("campaign:rule_create", action="change", refused=CHANGE),
    indicator("campaign:indicator_edit", action="change", refused=CHANGE),
    rule("campaign:rule_edit", action="change", refused=CHANGE),
    campaign("/api/v1/campaigns", api=True, shows=lambda c: c.name, refused=READ),
    campaign("/api/v1/campaigns/{pk}/indicators", api=True, refused=READ),
    campaign("/api/v1/campaigns/{pk}/rules", api=True, refused=READ),
]

WRITES = [
    campaign(
        "campaign:edit",
        action="change",
        method="post",
        refused=CHANGE,
        data=lambda ns, pk: {"name": "2026年双学双比", "start_date": "2026-01-01", "end_date": "2026-12-31"},
        done_by="league_admin",
    ),
    rule("campaign:rule_deactivate", action="change", method="post", refused=CHANGE, done_by="league_admin"),
    campaign(
        "/api/v1/campaigns",
        api=True,
        action="change",
        method="post",
        refused=CHANGE,
        id="api:campaigns[post]",
        data={"name": "2027年双学双比", "start_date": "2027-01-01", "end_date": "2027-12-31"},
        done_by="league_admin",
        done=201,
    ),
    campaign(
        "/api/v1/campaigns/{pk}",
        api=True,
        action="change",
        method="patch",
        refused=CHANGE,
        data={"is_closed": False},
        done_by="league_admin",
    ),
    campaign(
        "/api/v1/campaigns/{pk}/indicators",
        api=True,
        action="change",
        method="post",
        refused=CHANGE,
        data={"dimension": "work", "name": "工作实绩"},
        done_by="league_admin",
        done=201,
    ),
    indicator(
        "/api/v1/indicators/{pk}",
        api=True,
        action="change",
        method="patch",
        refused=CHANGE,
        data={"sort_order": 3},
        done_by="league_admin",
    ),
    rule(
        "/api/v1/rules/{pk}",
        api=True,
        action="change",
        method="patch",
        refused=CHANGE,
        data={"name": "自学每篇1分"},
        done_by="league_admin",
    ),
    rule("/api/v1/rules/{pk}/deactivate", api=True, action="change", method="post", refused=CHANGE, done_by="league_admin"),
]

test_scoped = pytest.mark.usefixtures("theory")(scoped_suite(CASES, setup))
# the rule names the kind self_study: a rule change is validated against the kinds
test_scoped_writes = pytest.mark.usefixtures("kinds", "theory")(scoped_suite(WRITES, setup))
