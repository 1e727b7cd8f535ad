"""Campaigns (活动, e.g. 2021年双学双比): the period records count towards.

A campaign has 考核指标 (indicators, each under one of the four 类别 with a maximum) and 积分规则
(rules: how a source — a ledger record of a kind, later an exam or a contest award — turns into
points for an indicator). The ledger uses a campaign's dates: a record dated outside every open
campaign is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from xuebi.core.formatting import date_text

from .choices import Dimension, Recipients, RuleMethod


class CampaignQuerySet(models.QuerySet):
    def open(self):
        return self.filter(is_closed=False)

    def covering(self, day: dt.date):
        return self.filter(start_date__lte=day, end_date__gte=day)


class Campaign(models.Model):
    name = models.CharField(_("活动名称"), max_length=100, unique=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    is_closed = models.BooleanField(_("已结束"), default=False, help_text=_("结束后不再接受该期间的台账记录"))
    points_generation = models.PositiveIntegerField(
        _("积分计算轮次"), default=0, editable=False, help_text=_("每次重算积分加一；同一轮次内同一来源只计一次分")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(
        _("修改时间"), auto_now=True
    )  # the leaderboards keep the campaign they show under the latest

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})


def check_activity_date(day: dt.date, *, today: dt.date) -> None:
    """A record's date: not in the future, and inside an open campaign when campaigns are set up."""
    if day > today:
        raise ValidationError("日期不能晚于今天。")
    campaigns = Campaign.objects.all()
    if not campaigns.exists():
        return
    if not campaigns.open().covering(day).exists():
        periods = (
            "、".join(f"{c.name}（{date_text(c.start_date)}—{date_text(c.end_date)}）" for c in campaigns.open()[:3])
            or "无进行中的活动"
        )
        raise ValidationError(f"日期不在进行中的活动期间内：{periods}。")


class Indicator(models.Model):
    """考核指标: a line of the campaign's score sheet under one 类别, with the most a person can
    earn on it in the campaign (理论学习 up to 30)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="indicators")
    dimension = models.CharField(_("类别"), max_length=20, choices=Dimension.choices)
    name = models.CharField(_("指标名称"), max_length=100)
    max_points = models.DecimalField(
        _("满分（上限）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("本活动期间每人在该指标上的最高得分；空为不设上限"),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)  # the leaderboards' cache is keyed on the latest

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["campaign", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="campaign_indicator_unique")]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """积分规则: which source gives how many points to whom on which indicator, with caps.

    A source is named by its type and kind (``ledger`` + a record kind's code); the engine does
    not know what a record is. Changing a rule's figures is a new rule row (``supersedes``), so
    the journal always points at the figures it was computed with.
    """

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="rules")
    indicator = models.ForeignKey(Indicator, verbose_name=_("考核指标"), on_delete=models.PROTECT, related_name="rules")
    name = models.CharField(_("规则名称"), max_length=100)
    source_type = models.CharField(_("来源"), max_length=20, default="ledger")
    source_kind = models.CharField(_("来源类型代码"), max_length=40, help_text=_("如台账类型代码 self_study"))
    method = models.CharField(_("计分方式"), max_length=10, choices=RuleMethod.choices, default=RuleMethod.FIXED)
    points = models.DecimalField(
        _("分值"), max_digits=10, decimal_places=2, default=Decimal("1"), help_text=_("固定分值，或按数值计分时每单位的分值")
    )
    field_key = models.CharField(
        _("计分字段"),
        max_length=40,
        blank=True,
        help_text=_("按数值计分：数字字段的键，或 hours 表示学时；按选项计分：单选字段的键"),
    )
    lookup = models.JSONField(_("选项分值"), default=dict, blank=True, help_text=_('如 {"中央": 10, "自治区": 5}'))
    recipients = models.CharField(_("得分人"), max_length=10, choices=Recipients.choices, default=Recipients.AUTHOR)
    cap_day = models.DecimalField(_("每日上限"), max_digits=10, decimal_places=2, null=True, blank=True)
    cap_week = models.DecimalField(_("每周上限"), max_digits=10, decimal_places=2, null=True, blank=True)
    cap_month = models.DecimalField(_("每月上限"), max_digits=10, decimal_places=2, null=True, blank=True)
    cap_campaign = models.DecimalField(_("活动期间上限"), max_digits=10, decimal_places=2, null=True, blank=True)
    once_per_value = models.BooleanField(
        _("每个选项只计一次"), default=False, help_text=_("如廉政“六个一”：每个项目在活动期间只计一次")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by", verbose_name=_("取代的规则")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["campaign", "indicator__sort_order", "pk"]
        indexes = [models.Index(fields=["source_type", "source_kind", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def caps(self) -> list[tuple[str, Decimal]]:
        """[(period, cap)] for the caps that are set: day, week, month, campaign."""
        return [
            (period, cap)
            for period, cap in (
                ("day", self.cap_day),
                ("week", self.cap_week),
                ("month", self.cap_month),
                ("campaign", self.cap_campaign),
            )
            if cap is not None
        ]
