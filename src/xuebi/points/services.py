"""Manual adjustments (加分/扣分): a permitted role, a reason, the audit log — and the same
journal, totals and indicator maximum as every rule's award (``engine.adjust``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.campaign.models import Campaign, Indicator
from xuebi.org.models import Person

from . import engine
from .models import PointEntry

__all__ = ["ADJUST_LIMIT", "NOT_A_NUMBER", "validate_points", "points_adjust", "points_adjust_preview"]

# No single adjustment is worth more than the whole assessment (its score bands run 0–100): a
# larger figure is a typo. Within it, the indicator's 满分 decides what is credited (engine.Credit).
ADJUST_LIMIT = Decimal(100)
NOT_A_NUMBER = "应为数字，如 2 或 -1.5。"


def validate_points(value: Decimal) -> None:
    """The rules of an adjustment's 分值 — the form's validator (the page's, and the API's, which
    builds the same form) and the service's own check for any other caller. Messages leave out
    the field's name: the page shows them under it and the API prefixes its label."""
    if not value.is_finite():
        raise ValidationError(NOT_A_NUMBER, code="invalid")
    if abs(value) > ADJUST_LIMIT:
        raise ValidationError(f"应在 -{ADJUST_LIMIT} 到 {ADJUST_LIMIT} 之间；超出指标满分的部分不计入。", code="range")
    if value != value.quantize(engine.CENT):
        # refused, not rounded: -0.004 stored as 0.00 while its -0.004 moved the rank bands
        raise ValidationError("最多保留两位小数，如 1.5 或 -0.25。", code="places")
    if value == 0:
        raise ValidationError("不能为 0：加分填正数，扣分填负数。", code="zero")


def _checked(
    *, actor, person: Person, indicator: Indicator, points: Decimal, occurred_on: dt.date, reason: str | None = None
) -> Campaign:
    """What the preview and the booking both refuse; the campaign of the indicator."""
    if not Person.objects.visible_to(actor, "change").filter(pk=person.pk).exists():
        raise PermissionDenied("只有本单位的管理员可以为该人员加分或扣分。")
    errors: dict[str, str | list[str]] = {}
    if reason is not None and not reason.strip():
        errors["reason"] = "请填写加分或扣分的理由。"
    try:
        validate_points(points)
    except ValidationError as exc:
        errors["points"] = exc.messages
    campaign = indicator.campaign
    if campaign.is_closed:
        errors["indicator"] = f"活动“{campaign.name}”已结束，积分已定，不能再调整。"
    if not (campaign.start_date <= occurred_on <= campaign.end_date):
        errors["occurred_on"] = f"日期应在活动期间内（{campaign.start_date:%Y年%-m月%-d日}—{campaign.end_date:%Y年%-m月%-d日}）。"
    if errors:
        raise ValidationError(errors)
    return campaign


def points_adjust_preview(*, actor, person: Person, indicator: Indicator, points: Decimal, occurred_on: dt.date) -> engine.Credit:
    """What ``points_adjust`` would credit now (“将计入 1.5 分（满分 30，已得 28.5）”), writing nothing."""
    campaign = _checked(actor=actor, person=person, indicator=indicator, points=points, occurred_on=occurred_on)
    return engine.adjustment_credit(
        campaign=campaign, indicator=indicator, person_id=person.pk, points=points, occurred_on=occurred_on
    )


@transaction.atomic
def points_adjust(
    *,
    actor,
    person: Person,
    indicator: Indicator,
    points: Decimal,
    reason: str,
    occurred_on: dt.date,
    expected: Decimal | None = None,
) -> PointEntry:
    """Add (positive) or deduct (negative) points for a person in the adjuster's scope: 加分 up to
    the indicator's 满分, 扣分 down to 0, the cut noted in the journal. ``expected``: the credited
    figure the admin saw in the preview; if it changed meanwhile, nothing is booked."""
    reason = (reason or "").strip()
    campaign = _checked(actor=actor, person=person, indicator=indicator, points=points, occurred_on=occurred_on, reason=reason)
    entry, credit = engine.adjust(
        campaign=campaign,
        indicator=indicator,
        person_id=person.pk,
        unit_id=person.unit_id,
        points=points,
        reason=reason,
        occurred_on=occurred_on,
        actor=actor,
        expected=expected,
    )
    changes = {"points": [None, str(entry.points)], "indicator": [None, indicator.name], "reason": [None, reason]}
    if credit.note:
        changes["asked"] = [None, str(points)]
        changes["note"] = [None, credit.note]
    audit_record(actor=actor, action=Action.POINTS_ADJUST, target=person, changes=changes)
    return entry
