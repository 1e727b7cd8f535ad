"""The demo campaign. Idempotent: found by name, created only when missing."""
from __future__ import annotations

import datetime as dt

from .models import Campaign
from .services import campaign_create

DEMO_CAMPAIGN = {"name": "2026年双学双比", "start_date": dt.date(2026, 1, 1), "end_date": dt.date(2026, 12, 31)}


def load_demo_campaign(actor=None) -> int:
    """Create the demo campaign if it is missing; return how many were created (0 or 1)."""
    if Campaign.objects.filter(name=DEMO_CAMPAIGN["name"]).exists():
        return 0
    campaign_create(actor=actor, **DEMO_CAMPAIGN)
    return 1
