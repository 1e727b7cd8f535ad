from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

from xuebi.campaign.models import Indicator
from xuebi.core.forms import StyledFormMixin, TypedDateField, add_validation_error
from xuebi.org.widgets import PersonChoiceField
from xuebi.org.models import Person, Unit

from . import boards, services, standings


class AdjustForm(StyledFormMixin, forms.Form):
    """加分/扣分 — the one validator of the page and of ``POST /api/v1/points/adjustments`` (the API
    builds this form from its JSON), so a value is refused in both with the same message."""

    person = PersonChoiceField(Person.objects.none(), action="change", label="人员")
    indicator = forms.ModelChoiceField(label="考核指标", queryset=Indicator.objects.none())
    points = forms.DecimalField(
        label="分值",
        validators=[services.validate_points],
        error_messages={"invalid": services.NOT_A_NUMBER},
        help_text=f"加分填正数，扣分填负数，最多两位小数，-{services.ADJUST_LIMIT}～{services.ADJUST_LIMIT}；"
        "加分计至指标满分为止，扣分扣至0分为止",
    )
    occurred_on = TypedDateField(label="日期", allow_partial=False)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=200)
    # the credited figure the admin saw before confirming: nothing is booked if it has changed since
    expected = forms.DecimalField(label="确认的计入分值", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.visible_to(user, "change").filter(status="active").select_related("unit")
        self.fields["indicator"].queryset = Indicator.objects.filter(campaign=campaign)
        self.fields["indicator"].label_from_instance = lambda i: f"{i.get_dimension_display()} · {i.name}"

    def adjustment(self) -> dict:
        """The valid input as ``points_adjust_preview``'s keyword arguments."""
        data = self.cleaned_data
        return {
            "person": data["person"],
            "indicator": data["indicator"],
            "points": data["points"],
            "occurred_on": data["occurred_on"].date,
        }

    def booking(self) -> dict:
        """The valid input as ``points_adjust``'s keyword arguments."""
        return {**self.adjustment(), "reason": self.cleaned_data["reason"], "expected": self.cleaned_data["expected"]}


UNIT_NOT_FOUND = "没有这个单位，或您无权查看。"


@dataclass(frozen=True)
class BoardSpec:
    """What a valid ``BoardForm`` asks for, without the form: small and picklable, so the board
    page can keep it in the cache with the rendered form (``views.board_question``)."""

    span: boards.Span
    dimension: str
    indicator: Indicator | None
    per_head: bool
    parent: Unit | None
    period: str  # as asked, for the page's links to the same period and 类别
    category: str
    campaign: int | None = None  # as asked (the view has found it), for the same links

    def board(self, campaign) -> boards.Board:
        return boards.Board(campaign, self.span, dimension=self.dimension, indicator=self.indicator)

    @property
    def links(self) -> str:
        """The query string of the period and 类别 asked for (the unit board's links keep them)."""
        asked = {"campaign": self.campaign} if self.campaign else {}
        return urlencode({**asked, "period": self.period, "category": self.category})


class BoardForm(StyledFormMixin, forms.Form):
    """What a leaderboard shows — one parser for the page (GET) and the API (query parameters).

    ``period`` is ``campaign``, ``year``, ``quarter``, ``month`` or ``custom``; a quarter or month
    names its first day after a colon (``month:2026-11-01``, as the page's one drop-down sends it)
    or in ``on``. ``category`` is ``total``, a 类别 or ``indicator:<id>``."""

    period = forms.CharField(label="期间", required=False)
    on = TypedDateField(label="日期", required=False, allow_partial=False)
    start = TypedDateField(label="开始日期", required=False, allow_partial=False)
    end = TypedDateField(label="结束日期", required=False, allow_partial=False)
    category = forms.CharField(label="类别/指标", required=False)
    per_head = forms.BooleanField(label="按人均", required=False)
    unit = forms.IntegerField(label="单位", required=False)
    campaign = forms.IntegerField(label="活动", required=False, widget=forms.HiddenInput)  # found by the view

    def __init__(self, *args, campaign, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign, self.today = campaign, today
        self.indicators = list(Indicator.objects.filter(campaign=campaign).order_by("sort_order", "pk"))
        self.fields["period"].widget = forms.Select(choices=self.period_choices())
        self.fields["category"].widget = forms.Select(choices=self.category_choices())
        for name in ("on", "start", "end"):
            self.fields[name].widget.attrs["placeholder"] = "如 2026-11-01"
        self.style_fields()

    def period_choices(self) -> list[tuple[str, str]]:
        """活动期间, then every quarter and month so far (newest first), then 自定义."""
        campaign = self.campaign
        last = min(max(self.today, campaign.start_date), campaign.end_date)
        months, quarters, day = [], [], standings.month_start(campaign.start_date)
        while day <= last:
            months.append((f"month:{day:%Y-%m-%d}", f"{day.year}年{day.month}月"))
            if day == standings.quarter_start(day) or day == standings.month_start(campaign.start_date):
                start = standings.quarter_start(day)
                quarters.append((f"quarter:{start:%Y-%m-%d}", f"{start.year}年第{(start.month - 1) // 3 + 1}季度"))
            day = standings.month_end(day) + dt.timedelta(days=1)
        return [
            ("campaign", "活动期间（全年）"),
            *reversed(quarters),
            *reversed(months),
            ("custom", "自定义（填写开始、结束日期）"),
        ]

    def category_choices(self) -> list[tuple[str, str]]:
        return [("total", "总分"), *boards.DIMENSIONS, *((f"indicator:{i.pk}", f"指标：{i.name}") for i in self.indicators)]

    def clean(self):
        data = super().clean()
        kind, _, on = (data.get("period") or "campaign").partition(":")
        try:
            day = data.get("on").date if data.get("on") else (dt.date.fromisoformat(on) if on else None)
        except ValueError:
            raise forms.ValidationError({"period": "期间的日期应写成 2026-11-01。"}) from None
        start, end = (data[name].date if data.get(name) else None for name in ("start", "end"))
        try:
            data["span"] = boards.span_for(self.campaign, kind, on=day, start=start, end=end, today=self.today)
        except ValidationError as exc:
            add_validation_error(self, exc, default_field="period")
        category = data.get("category") or "total"
        data["indicator"] = None
        if category.startswith("indicator:"):
            data["indicator"] = next((i for i in self.indicators if f"indicator:{i.pk}" == category), None)
            if data["indicator"] is None:
                self.add_error("category", "没有这个考核指标。")
        elif category not in ("total", *dict(boards.DIMENSIONS)):
            self.add_error("category", "类别应为总分、学理论、学业务、比党性或比工作。")
        data["dimension"] = category if category in dict(boards.DIMENSIONS) else "total"
        if data.get("unit") is not None:
            data["parent"] = Unit.objects.filter(pk=data["unit"], is_active=True).first()
            if data["parent"] is None:
                # 404, as for a unit outside the viewer's reach (selectors.drill_down_or_404): the two look the same.
                raise Http404(UNIT_NOT_FOUND)
        return data

    def spec(self) -> BoardSpec:
        data = self.cleaned_data
        return BoardSpec(
            data["span"],
            data["dimension"],
            data["indicator"],
            bool(data["per_head"]),
            data.get("parent"),
            data.get("period") or "campaign",
            data.get("category") or "total",
            data.get("campaign"),
        )
