"""The demo campaigns, dated from today: this year's 双学双比 (open) and last year's (closed once its
records are in, so its rankings are final). Idempotent: a campaign is found by name, created only
when missing; one that exists is left as it is.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..models import Campaign
from ..services.campaigns import campaign_create, campaign_update

__all__ = ["demo_campaigns", "load_demo_campaigns", "close_past_campaigns"]


def demo_campaigns(today: dt.date | None = None) -> list[dict]:
    """Last year's and this year's campaign, as ``campaign_create`` takes them (oldest first)."""
    year = (today or timezone.localdate()).year
    return [{"name": f"{y}年双学双比", "start_date": dt.date(y, 1, 1), "end_date": dt.date(y, 12, 31)} for y in (year - 1, year)]


def load_demo_campaigns(actor=None, today: dt.date | None = None) -> list[Campaign]:
    """Create the demo campaigns that are missing, all open (the demo's records must be accepted
    in last year's too); return those created. ``close_past_campaigns`` closes them after."""
    created = []
    for spec in demo_campaigns(today):
        if not Campaign.objects.filter(name=spec["name"]).exists():
            created.append(campaign_create(actor=actor, **spec))
    return created


def close_past_campaigns(campaigns: list[Campaign], *, actor=None, today: dt.date | None = None) -> int:
    """Close those of ``campaigns`` that ended before today — the ones this load created, so an
    admin who reopened last year's campaign keeps it open on the next load. Returns how many."""
    today = today or timezone.localdate()
    past = [c for c in campaigns if c.end_date < today]
    for campaign in past:
        campaign_update(actor=actor, campaign=campaign, is_closed=True)
    return len(past)
