"""Forms of the ledger's reports (三会一课 compliance, 五学联动) and of the meeting requirements.

Choices of units are limited to what the user may see (STYLE.md)."""

from __future__ import annotations

import datetime as dt

from django import forms

from xuebi.core.forms import StyledFormMixin
from xuebi.org.forms import UnitChoiceField
from xuebi.org.models import Unit

from ..choices import Frequency
from ..models import MeetingRequirement, RecordKind
from ..selectors import reports as selectors
from ..services.requirements import MAX_MIN_COUNT


class _YearMixin:
    def set_years(self, today: dt.date) -> None:
        self.fields["year"].choices = [(y, f"{y}年") for y in selectors.year_choices(today)]
        self.fields["year"].initial = today.year


class ComplianceFilterForm(StyledFormMixin, _YearMixin, forms.Form):
    """Year and, for a long list of branches, the county or section to look at."""

    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    unit = UnitChoiceField(label="范围", required=False, empty_label="全部党支部", queryset=Unit.objects.none())

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_years(today)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True).exclude(kind="branch")

    def values(self, today: dt.date) -> tuple[int, Unit | None]:
        if self.is_valid():
            return self.cleaned_data.get("year") or today.year, self.cleaned_data.get("unit")
        return today.year, None


class StudyLevelFilterForm(StyledFormMixin, _YearMixin, forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    depth = forms.TypedChoiceField(label="按哪一级单位汇总", coerce=int, required=False)
    unit = UnitChoiceField(label="范围", required=False, empty_label="全部", queryset=Unit.objects.none())

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_years(today)
        choices, self.default_depth = selectors.depth_choices(user)
        self.fields["depth"].choices = choices
        self.fields["depth"].initial = self.default_depth
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True)

    def values(self, today: dt.date) -> tuple[int, int | None, Unit | None]:
        if self.is_valid():
            data = self.cleaned_data
            return data.get("year") or today.year, data.get("depth") or self.default_depth, data.get("unit")
        return today.year, self.default_depth, None


class RequirementForm(StyledFormMixin, forms.Form):
    kind = forms.ModelChoiceField(label="台账类型", queryset=RecordKind.objects.none(), empty_label="请选择会议类型")
    frequency = forms.ChoiceField(label="频次", choices=Frequency.choices)
    min_count = forms.IntegerField(label="每期至少次数", min_value=1, max_value=MAX_MIN_COUNT, initial=1)
    is_active = forms.BooleanField(label="启用（计入三会一课落实情况）", required=False, initial=True)

    def __init__(self, *args, requirement: MeetingRequirement | None = None, **kwargs):
        if requirement is not None:
            kwargs.setdefault(
                "initial",
                {
                    "frequency": requirement.frequency,
                    "min_count": requirement.min_count,
                    "is_active": requirement.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        if requirement is not None:
            del self.fields["kind"]  # a requirement belongs to its kind for good
        else:
            self.fields["kind"].queryset = RecordKind.objects.filter(is_active=True, requirement__isnull=True)
