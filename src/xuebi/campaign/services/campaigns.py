"""Every write to campaigns. Campaigns are league-wide, so the check is the role, not a unit scope."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot
from xuebi.org.choices import Role
from xuebi.org.scoping import has_role

from ..models import Campaign

__all__ = ["campaign_create", "campaign_update", "CAMPAIGN_ATTRS"]

CAMPAIGN_ATTRS = ["name", "start_date", "end_date", "is_closed"]


def _require_league_admin(actor) -> None:
    """Only the 盟委组织部 sets the periods that every unit's records count towards.

    ``actor=None`` is the system itself (the demo loader, management commands), never a request.
    """
    if actor is not None and not has_role(actor, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟级管理员可以设置活动。")


@transaction.atomic
def campaign_create(*, actor, name: str, start_date: dt.date, end_date: dt.date, is_closed: bool = False) -> Campaign:
    _require_league_admin(actor)
    campaign = Campaign(name=name.strip(), start_date=start_date, end_date=end_date, is_closed=is_closed)
    campaign.full_clean()
    campaign.save()
    audit_record(
        action=Action.CAMPAIGN_CREATE, actor=actor, target=campaign, changes=diff({}, snapshot(campaign, CAMPAIGN_ATTRS))
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, **attrs) -> Campaign:
    _require_league_admin(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = snapshot(campaign, CAMPAIGN_ATTRS)
    for name, value in attrs.items():
        if name not in CAMPAIGN_ATTRS:
            raise ValueError(f"campaign_update does not change {name}")
        setattr(campaign, name, value.strip() if name == "name" else value)
    campaign.full_clean()
    campaign.save()
    changes = diff(before, snapshot(campaign, CAMPAIGN_ATTRS))
    if changes:
        audit_record(action=Action.CAMPAIGN_UPDATE, actor=actor, target=campaign, changes=changes)
    return campaign
