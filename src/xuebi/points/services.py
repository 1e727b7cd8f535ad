"""Manual adjustments (加分/扣分): a permitted role, a reason, the audit log — and the same
journal and totals as every rule's award."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.campaign.models import Indicator
from xuebi.org.models import Person

from .engine import _add_to_total, _lock_total
from .models import EntryType, PointEntry

__all__ = ["points_adjust"]


@transaction.atomic
def points_adjust(*, actor, person: Person, indicator: Indicator, points: Decimal, reason: str,
                  occurred_on: dt.date) -> PointEntry:
    """Add (positive) or deduct (negative) points for a person in the adjuster's scope."""
    if not Person.objects.visible_to(actor, "change").filter(pk=person.pk).exists():
        raise PermissionDenied("只有本单位的管理员可以为该人员加分或扣分。")
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "请填写加分或扣分的理由。"
    if points == 0:
        errors["points"] = "分值不能为 0：加分填正数，扣分填负数。"
    campaign = indicator.campaign
    if campaign.is_closed:
        errors["indicator"] = f"活动“{campaign.name}”已结束，积分已定，不能再调整。"
    if not (campaign.start_date <= occurred_on <= campaign.end_date):
        errors["occurred_on"] = f"日期应在活动期间内（{campaign.start_date:%Y年%-m月%-d日}—{campaign.end_date:%Y年%-m月%-d日}）。"
    if errors:
        raise ValidationError(errors)
    _lock_total(campaign.pk, person.pk)
    entry = PointEntry.objects.create(
        campaign=campaign, indicator=indicator, dimension=indicator.dimension, person=person, unit=person.unit,
        occurred_on=occurred_on, entry_type=EntryType.ADJUSTMENT, points=points, note=reason[:200],
        source_type="adjustment", source_label="加分" if points > 0 else "扣分", created_by=actor,
    )
    _add_to_total(entry)
    audit_record(actor=actor, action=Action.POINTS_ADJUST, target=person,
                 changes={"points": [None, str(points)], "indicator": [None, indicator.name], "reason": [None, reason]})
    return entry
