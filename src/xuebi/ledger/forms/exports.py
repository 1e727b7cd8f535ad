"""The ledger export form: a kind, a unit within the user's scope, a period typed as people type dates."""

from __future__ import annotations

import calendar
import datetime as dt

from django import forms
from django.utils import timezone

from xuebi.core import dates
from xuebi.core.forms import StyledFormMixin, TypedDateField
from xuebi.org.forms import UnitChoiceField
from xuebi.org.models import Unit

from ..models import RecordKind


def period_end(value: dates.PartialDate) -> dt.date:
    """The last day a typed date stands for: 2026年 → 12月31日, 2026年2月 → 2月28日."""
    day = value.date
    if value.precision == dates.YEAR:
        return dt.date(day.year, 12, 31)
    if value.precision == dates.MONTH:
        return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


class ExportForm(StyledFormMixin, forms.Form):
    kind = forms.ModelChoiceField(
        label="台账类型", queryset=RecordKind.objects.none(), required=False, empty_label="全部类型（每类一页）"
    )
    unit = UnitChoiceField(label="单位（含下级）", queryset=Unit.objects.none(), required=False, empty_label="全部（本人范围）")
    date_from = TypedDateField(label="起始日期", required=False, help_text="可写 2026年、2026年3月 或具体日期；不填为今年1月1日")
    date_to = TypedDateField(label="截止日期", required=False, help_text="不填为今年12月31日")
    approved_only = forms.BooleanField(label="只导出已通过审核的记录", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = RecordKind.objects.all()
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        year = timezone.localdate().year
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        cleaned["start"] = start.date if start else dt.date(year, 1, 1)
        cleaned["end"] = period_end(end) if end else dt.date(year, 12, 31)
        if cleaned["start"] > cleaned["end"]:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return cleaned
