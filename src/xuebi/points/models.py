"""The points journal (积分明细): the only store of points (DESIGN.md "One journal").

Rows are never updated or deleted by the application: a correction is a reversal entry (the
negative of an award, pointing at it) plus, where due, a new award. ``PersonTotal`` keeps each
person's running totals per campaign for rankings; it is derived from the journal and can be
rebuilt from it at any time.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuebi.campaign.choices import Dimension
from xuebi.campaign.models import Campaign, Indicator, Rule
from xuebi.org.choices import Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import ScopedQuerySet

POINTS = {"max_digits": 12, "decimal_places": 2}
VIEW_ROLES = frozenset({Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER})


class EntryType(models.TextChoices):
    AWARD = "award", _("得分")
    REVERSAL = "reversal", _("冲销")
    ADJUSTMENT = "adjustment", _("加分/扣分")


class PointEntry(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, verbose_name=_("考核指标"), on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField(_("类别"), max_length=20, choices=Dimension.choices)
    rule = models.ForeignKey(Rule, verbose_name=_("积分规则"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="point_entries")
    unit = models.ForeignKey(Unit, verbose_name=_("当时所在单位"), on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("日期"))
    entry_type = models.CharField(_("类型"), max_length=10, choices=EntryType.choices)
    points = models.DecimalField(_("积分"), **POINTS)
    base_points = models.DecimalField(_("规则分值"), null=True, blank=True, **POINTS)
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("封顶、冲销或加减分的理由"))
    source_type = models.CharField(_("来源"), max_length=20, blank=True)
    source_id = models.CharField(_("来源编号"), max_length=40, blank=True)
    source_version = models.PositiveIntegerField(_("来源版本"), default=0)
    generation = models.PositiveIntegerField(_("计算轮次"), default=0, help_text=_("重算积分后的新一轮得分"))
    revision = models.PositiveSmallIntegerField(
        _("调整次数"), default=0, help_text=_("撤销别的记录腾出上限后，本项得分按上限重新计算的次数")
    )
    source_label = models.CharField(_("来源"), max_length=200, blank=True)
    value_key = models.CharField(_("计分项"), max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by", verbose_name=_("冲销的明细")
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = {"view": VIEW_ROLES}

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            # The same approval of the same source never awards the same person twice under the
            # same rule — also when two requests race (a database constraint, not a Python check).
            models.UniqueConstraint(
                fields=["rule", "source_type", "source_id", "source_version", "person", "generation", "revision"],
                condition=Q(entry_type="award"),
                name="points_award_once",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "campaign", "occurred_on"]),
            models.Index(fields=["person", "rule", "occurred_on"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.points:+}"

    @staticmethod
    def scope_self_q(user, action):
        if action == "view" and user.person_id:
            return Q(person_id=user.person_id)
        return None


class Period(models.TextChoices):
    """The periods totals are kept for, so a board for any of them is one indexed read."""

    CAMPAIGN = "campaign", _("活动期间")
    QUARTER = "quarter", _("季度")
    MONTH = "month", _("月")
    SNAPSHOT = "snapshot", _("截至月末")  # the standing at the end of a past month: the ↑↓ of the campaign board


class TotalsQuerySet(models.QuerySet):
    def overall(self):
        """The whole campaign, all indicators: the row each person's and unit's total lives in."""
        return self.filter(period=Period.CAMPAIGN, indicator__isnull=True)


class Totals(models.Model):
    """Points summed over one period (and one indicator, or all of them) for a person or a unit,
    kept by the engine in the same transaction as the journal rows (``standings.py``) and
    rebuildable from the journal at any time."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text=_("空：全部指标")
    )
    period = models.CharField(_("期间"), max_length=10, choices=Period.choices, default=Period.CAMPAIGN)
    period_start = models.DateField(_("期间开始"))
    total = models.DecimalField(_("总分"), default=Decimal(0), **POINTS)
    theory = models.DecimalField(_("学理论"), default=Decimal(0), **POINTS)
    business = models.DecimalField(_("学业务"), default=Decimal(0), **POINTS)
    party_spirit = models.DecimalField(_("比党性"), default=Decimal(0), **POINTS)
    work = models.DecimalField(_("比工作"), default=Decimal(0), **POINTS)

    objects = TotalsQuerySet.as_manager()
    owner_field = ""  # person_id / unit_id

    class Meta:
        abstract = True

    @classmethod
    def keys(cls) -> tuple[list[str], list[str]]:
        """The unique keys of the all-indicator rows and of the per-indicator rows (the upsert's
        conflict targets)."""
        return (
            ["campaign_id", cls.owner_field, "period", "period_start"],
            ["campaign_id", cls.owner_field, "indicator_id", "period", "period_start"],
        )


ALL_INDICATORS, ONE_INDICATOR = Q(indicator__isnull=True), Q(indicator__isnull=False)
DIMENSION_COLUMNS = [d.value for d in Dimension]


def _totals_meta(owner: str, verbose: str):
    class Meta:
        verbose_name = verbose
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", owner, "period", "period_start"],
                condition=Q(indicator__isnull=True),
                name=f"points_{owner}_total_unique",
            ),
            models.UniqueConstraint(
                fields=["campaign", owner, "indicator", "period", "period_start"],
                condition=Q(indicator__isnull=False),
                name=f"points_{owner}_indicator_unique",
            ),
        ]
        # A board reads its rows in the order of one of these. "indicator IS NULL" cannot serve as
        # an equality for the order, so the all-indicator rows have partial indexes of their own.
        indexes = [
            models.Index(
                fields=["campaign", "period", "period_start", "-total"], condition=ALL_INDICATORS, name=f"points_{owner}_rank"
            ),
            models.Index(
                fields=["campaign", "period", "period_start", "indicator", "-total"],
                condition=ONE_INDICATOR,
                name=f"points_{owner}_indicator_rank",
            ),
        ]
        if owner == "person":  # a county's board and ranks read their own range
            indexes += [
                models.Index(
                    fields=["campaign", "period", "period_start", "county", "-total"],
                    condition=ALL_INDICATORS,
                    name="points_person_county_rank",
                ),
                models.Index(
                    fields=["campaign", "period", "period_start", "indicator", "county", "-total"],
                    condition=ONE_INDICATOR,
                    name="points_person_county_ind_rank",
                ),
            ]
            # the 类别 boards (学理论 …) of the whole league, and the ranks in them
            indexes += [
                models.Index(
                    fields=["campaign", "period", "period_start", f"-{dimension}"],
                    condition=ALL_INDICATORS,
                    name=f"points_person_{dimension.split('_')[0]}_rank",
                )
                for dimension in DIMENSION_COLUMNS
            ]

    return Meta


class PersonTotal(Totals):
    """A person's totals. The whole-campaign, all-indicator row is also the row that serialises
    awards to one person (the engine locks it before checking caps)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="point_totals")
    county = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("人员现在所在的旗县市区（或盟直科室）：排行榜按人员现在的单位排"),
    )
    owner_field = "person_id"

    Meta = _totals_meta("person", _("个人积分合计"))


class UnitTotal(Totals):
    """Points earned by the people of one unit while they belonged to it — the unit boards'
    source."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="point_totals")
    owner_field = "unit_id"

    Meta = _totals_meta("unit", _("单位积分合计"))


class StandingSnapshot(models.Model):
    """Which month end the campaign's ``Period.SNAPSHOT`` rows hold (one per campaign, replaced
    when a new month begins): the ranking they give is the "previous" one of the campaign board."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="standing_snapshot")
    month = models.DateField(_("月份"))
    taken_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        verbose_name = _("月末积分快照")


class RankCount(models.Model):
    """How many people of a county — or, with ``county`` empty, of the whole league — have totals
    in each whole-point band (``bucket`` = ⌊score⌋)
    for one set of ``PersonTotal`` rows and one column — so a rank among everyone (all counties)
    or within a county is a sum over a few hundred bands plus a count inside one band, not a
    count over every person above.

    Written as deltas (+1 into the new band, −1 out of the old) in the journal's transaction, so
    concurrent awards never wait on a shared row; ``standings.compact_counts`` folds the deltas
    of a key into one row per band."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10, choices=Period.choices)
    period_start = models.DateField()
    column = models.CharField(max_length=20)
    county = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    bucket = models.IntegerField()
    people = models.IntegerField()

    class Meta:
        verbose_name = _("积分分段人数")
        indexes = [
            models.Index(
                fields=["campaign", "period", "period_start", "indicator", "column", "county", "bucket"],
                name="points_rankcount_key",
            )
        ]
