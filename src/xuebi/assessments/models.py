"""平时考核 (quarterly) and 年度考核 (annual) of the people of a unit, with grade quotas (DOMAIN.md).

An ``Assessment`` is one round for one unit: a quarter (平时考核, 好/较好/一般/较差) or a year (年度考核,
优秀/称职/基本称职/不称职). Opening it makes one ``Sheet`` (考核表) per person of the unit's subtree on the
roster that day. A sheet holds the person's 个人小结, the grade the system suggests (annual: from the
quarters), the grade the leader proposes, and — once the round is finalised — the final grade.

Life of a round: 考核中 (open) → 公示中 (publicised: the proposed grades shown to the unit from a start to an end
date; objections recorded) → 已确定 (final). A quarterly round may be finalised straight from 考核中. A final
round and its sheets are **frozen**: ``save()`` refuses a change to a row that was final when it was read, so no
code path (a service, the admin site, a shell) edits a final grade by mistake.

Who sees what (``visible_to``):
* a sheet — the admins of its unit's subtree (a league admin all); the person themself (``view``, and
  ``write``: their own 小结); ``grade`` — the admins of the subtree, never for their own sheet (the service
  refuses that: nobody grades themselves);
* a round — the admins of its unit's subtree; a person with a sheet in it (the 公示 page);
* an objection — whoever sees its round.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuebi.org.choices import ADMIN_ROLES, SEPARATED_ROLES
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import ScopedQuerySet, grants_of, subtree_q, unit_paths

__all__ = [
    "Kind",
    "Status",
    "QuarterGrade",
    "AnnualGrade",
    "SmallUnit",
    "Assessment",
    "Sheet",
    "Objection",
    "FrozenError",
    "grade_label",
    "top_grade",
]


class Kind(models.TextChoices):
    QUARTERLY = "quarterly", _("平时考核")
    ANNUAL = "annual", _("年度考核")


class Status(models.TextChoices):
    OPEN = "open", _("考核中")
    PUBLICISED = "publicised", _("公示中")
    FINAL = "final", _("已确定")


class QuarterGrade(models.TextChoices):
    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class AnnualGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class SmallUnit(models.TextChoices):
    ONE = "one", _("至少1个名额")
    NONE = "none", _("不设名额")


GRADES = {Kind.QUARTERLY: QuarterGrade, Kind.ANNUAL: AnnualGrade}


def top_grade(kind: str) -> str:
    return QuarterGrade.GOOD if kind == Kind.QUARTERLY else AnnualGrade.EXCELLENT


def grade_label(kind: str, code: str) -> str:
    if not code:
        return ""
    choices = GRADES[Kind(kind)]
    return str(choices(code).label) if code in choices.values else code


class FrozenError(ValidationError):
    """A change to a final grade (or a final round)."""


def _admin_q(user, field: str) -> Q:
    return subtree_q(unit_paths(user, ADMIN_ROLES), field)


def _no_business(user) -> bool:
    grants = grants_of(user)
    return not grants or all(role in SEPARATED_ROLES for role, _p, _u in grants)


class AssessmentQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        if _no_business(user):
            return self.none()
        q = _admin_q(user, "unit") if action in ("view", "change") else Q(pk__in=[])
        if action == "view" and getattr(user, "person_id", None):
            q |= Q(pk__in=Sheet.objects.filter(person_id=user.person_id).values("assessment_id"))
        return self.filter(q)


class Assessment(models.Model):
    kind = models.CharField(_("考核类型"), max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("考核单位"), on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    start_date = models.DateField(_("考核期起"))
    end_date = models.DateField(_("考核期止"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    # The quota of the top grade (好 / 优秀): a share of the people assessed, or a fixed count.
    top_share = models.DecimalField(_("最高等次比例"), max_digits=5, decimal_places=4)
    top_count = models.PositiveSmallIntegerField(_("最高等次名额"), null=True, blank=True, help_text=_("留空按比例计算"))
    small_unit = models.CharField(_("人数不足一个名额时"), max_length=4, choices=SmallUnit.choices, default=SmallUnit.ONE)
    # A higher limit approved by the competent department (优秀 up to 25%): who approved, on what document.
    approved_share = models.DecimalField(_("批准的比例"), max_digits=5, decimal_places=4, null=True, blank=True)
    approved_by = models.CharField(_("批准单位（人）"), max_length=100, blank=True)
    approval_document = models.CharField(_("批准文号"), max_length=100, blank=True)
    approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    publicity_start = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_end = models.DateField(_("公示结束"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finalised_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确定人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["-year", "-quarter", "unit__path", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year", "quarter"], name="assessment_once_per_period"),
            models.UniqueConstraint(
                fields=["unit", "kind", "year"], condition=Q(quarter__isnull=True), name="assessment_annual_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.period_label}{self.get_kind_display()}"

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._final_when_read = obj.status == Status.FINAL
        return obj

    def save(self, *args, **kwargs):
        if getattr(self, "_final_when_read", False):
            raise FrozenError("考核结果已确定，不能再修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if getattr(self, "_final_when_read", False):
            raise FrozenError("考核结果已确定，不能删除。")
        return super().delete(*args, **kwargs)

    @property
    def period_label(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年度"

    @property
    def grades(self):
        return GRADES[Kind(self.kind)]

    @property
    def top(self) -> str:
        return top_grade(self.kind)

    @property
    def top_label(self) -> str:
        return grade_label(self.kind, self.top)

    @property
    def effective_share(self) -> Decimal:
        return self.approved_share if self.approved_share is not None else self.top_share

    @property
    def is_final(self) -> bool:
        return self.status == Status.FINAL


class SheetQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        if _no_business(user):
            return self.none()
        q = _admin_q(user, "unit") if action in ("view", "grade") else Q(pk__in=[])
        if action in ("view", "write") and getattr(user, "person_id", None):
            q |= Q(person_id=user.person_id)
        return self.filter(q)


class Sheet(models.Model):
    assessment = models.ForeignKey(Assessment, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="sheets")
    person = models.ForeignKey(Person, verbose_name=_("被考核人"), on_delete=models.PROTECT, related_name="assessment_sheets")
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    position = models.CharField(_("职务"), max_length=100, blank=True)
    summary = models.TextField(_("个人小结"), blank=True)
    summary_at = models.DateTimeField(_("小结提交时间"), null=True, blank=True)
    suggested = models.CharField(_("系统建议等次"), max_length=12, blank=True)
    suggested_reason = models.CharField(_("建议依据"), max_length=200, blank=True)
    proposed = models.CharField(_("拟定等次"), max_length=12, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("拟定人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("拟定时间"), null=True, blank=True)
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    grade = models.CharField(_("确定等次"), max_length=12, blank=True)

    objects = SheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核表")
        verbose_name_plural = _("考核表")
        ordering = ["assessment", "unit__path", "person__name_pinyin", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "person"], name="assessment_sheet_once")]
        indexes = [models.Index(fields=["person", "assessment"])]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.assessment}）"

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._final_when_read = bool(obj.__dict__.get("grade"))
        return obj

    def save(self, *args, **kwargs):
        if getattr(self, "_final_when_read", False):
            raise FrozenError("考核结果已确定，不能再修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if getattr(self, "_final_when_read", False):
            raise FrozenError("考核结果已确定，不能删除。")
        return super().delete(*args, **kwargs)

    @property
    def proposed_label(self) -> str:
        return grade_label(self.assessment.kind, self.proposed)

    @property
    def suggested_label(self) -> str:
        return grade_label(self.assessment.kind, self.suggested)

    @property
    def grade_label(self) -> str:
        return grade_label(self.assessment.kind, self.grade)


class ObjectionQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        return self.filter(assessment__in=Assessment.objects.visible_to(user, action).values("pk"))


class Objection(models.Model):
    """An objection (异议) raised during 公示, and the admin's reply."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="objections")
    sheet = models.ForeignKey(
        Sheet, verbose_name=_("涉及人员"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("异议内容"))
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    reply = models.TextField(_("答复"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["assessment", "created_at", "pk"]
