"""Campaigns (活动, e.g. 2021年双学双比): the period records count towards.

The ledger only needs a campaign's dates (a record dated outside every open campaign is refused);
the points issue adds dimensions, indicators and rules beneath it.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

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
        periods = "、".join(
            f"{c.name}（{c.start_date:%Y年%-m月%-d日}—{c.end_date:%Y年%-m月%-d日}）" for c in campaigns.open()[:3]
        ) or "无进行中的活动"
        raise ValidationError(f"日期不在进行中的活动期间内：{periods}。")
