"""Reads of a campaign's rules: the score sheet (计分细则) as the campaign page shows it."""

from __future__ import annotations

from decimal import Decimal

from xuebi.core.formatting import points_text

from .. import sources
from ..choices import Dimension
from ..models import Campaign, Rule
from ..services.rules import describe_rule

__all__ = ["score_sheet"]


def score_sheet(campaign: Campaign, *, include_inactive: bool = False) -> list[dict]:
    """[{dimension, label, max_total, indicators: [{indicator, rules: [{rule, kind, text, state}]}]}] in
    three queries whatever the size of the sheet."""
    indicators = list(campaign.indicators.all())
    queryset = Rule.objects.filter(campaign=campaign).order_by("indicator_id", "-is_active", "pk")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    rules = list(queryset)
    kinds = {k.code: k for k in sources.kinds(codes={r.source_kind for r in rules}, active_only=False)}
    superseded = {r.supersedes_id for r in rules if r.supersedes_id}
    by_indicator: dict[int, list[dict]] = {}
    for rule in rules:
        kind = kinds.get(rule.source_kind)
        labels = {f["key"]: f["label"] for f in kind.fields} if kind else {}
        state = "active" if rule.is_active else ("superseded" if rule.pk in superseded else "inactive")
        by_indicator.setdefault(rule.indicator_id, []).append(
            {
                "rule": rule,
                "kind": kind.name if kind else rule.source_kind,
                "text": describe_rule(rule, field_labels=labels),
                "state": state,
            }
        )
    groups = []
    for value, label in Dimension.choices:
        lines = [
            {"indicator": i, "max": points_text(i.max_points), "rules": by_indicator.get(i.pk, [])}
            for i in indicators
            if i.dimension == value
        ]
        maxima = [i.max_points for i in indicators if i.dimension == value]
        total = points_text(sum((m for m in maxima if m is not None), Decimal(0))) if maxima and None not in maxima else ""
        groups.append({"dimension": value, "label": label, "indicators": lines, "max_total": total})
    return groups
