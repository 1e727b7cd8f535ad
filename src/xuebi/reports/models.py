"""What the department publishes: ranking notices (通报), numbered per issuing unit and year and
kept as issued; the letterhead each issuing unit prints them under."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuebi.campaign.models import Campaign, Indicator
from xuebi.org.choices import ADMIN_ROLES, Role, UnitKind
from xuebi.org.models import Unit
from xuebi.org.scoping import ScopedQuerySet, grants_of

__all__ = ["Letterhead", "NoticeNumber", "Notice", "NoticeStatus", "Ranking", "document_storage", "issuing_unit_ids"]

ISSUING_KINDS = {UnitKind.LEAGUE_DEPT: {Role.LEAGUE_ADMIN}, UnitKind.COUNTY_DEPT: {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}}


def issuing_unit_ids(user) -> list[int]:
    """The units whose notices ``user`` drafts and issues: the 盟委组织部 for a league admin, a
    旗县市区委组织部 for its admins. A section's admin issues none: notices go out under a
    department's name and number. One query, kept on the user object for the request."""
    kept = getattr(user, "_xuebi_issuers", None)
    if kept is not None:
        return kept
    roles: dict[int, set[str]] = {}
    for role, _path, unit_id in grants_of(user):
        if unit_id is not None and role in (Role.LEAGUE_ADMIN, Role.UNIT_ADMIN):
            roles.setdefault(unit_id, set()).add(role)
    kept = []
    if roles:
        units = Unit.objects.filter(pk__in=roles, kind__in=ISSUING_KINDS).values_list("pk", "kind")
        kept = sorted(pk for pk, kind in units if roles[pk] & ISSUING_KINDS[kind])
    if getattr(user, "is_authenticated", False):
        user._xuebi_issuers = kept
    return kept


def document_storage():
    """Where issued documents are kept: ``settings.STORAGES["documents"]`` (files under DATA_DIR
    by default), served only by the notice's download view."""
    return storages["documents"]


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")


class Ranking(models.TextChoices):
    UNITS = "units", _("单位总分")
    UNITS_PER_HEAD = "units_per_head", _("单位人均")
    PEOPLE = "people", _("个人")
    CONTEST = "contest", _("评比结果")
    ORGINFO = "orginfo", _("组工信息采用")


# Notices whose table is not a board's question but another app's result (a contest's awards, the
# 组工信息 ranking): their draft is edited as text only, and regenerated from that app.
TEXT_ONLY_RANKINGS = frozenset({Ranking.CONTEST, Ranking.ORGINFO})


class Letterhead(models.Model):
    """发文机关标志 and 发文字号 of an issuing unit (中共锡林郭勒盟委组织部, 锡组通)."""

    unit = models.OneToOneField(Unit, verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="letterhead")
    authority = models.CharField(_("发文机关标志"), max_length=40)
    prefix = models.CharField(_("发文字号代字"), max_length=10)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = {"view": ADMIN_ROLES, "change": ADMIN_ROLES}

    class Meta:
        verbose_name = _("发文机关")
        verbose_name_plural = _("发文机关")

    def __str__(self) -> str:
        return self.authority


class NoticeNumber(models.Model):
    """The last number given to a notice of ``issuer`` in ``year``: taken under a row lock at
    issue, so numbers run 1, 2, 3 … without a gap or a repeat."""

    issuer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="reports_number_issuer_year")]


class NoticeQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        """Admins read the notices of their subtree (a league admin every county's too); only an
        issuing unit's own admins change or issue its notices (``issuing_unit_ids``)."""
        rows = super().visible_to(user, "view")
        return rows if action == "view" else rows.filter(issuer_id__in=issuing_unit_ids(user))


class Notice(models.Model):
    """A ranking notice (排名通报): a question asked of the boards (campaign, period, what is
    ranked), the framing text an admin edits, and — once issued — its number and the three files
    as issued, which never change."""

    issuer = models.ForeignKey(Unit, verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="notices")
    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="notices")
    period = models.CharField(_("期间"), max_length=24)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    ranking = models.CharField(_("排名对象"), max_length=20, choices=Ranking.choices, default=Ranking.UNITS)
    dimension = models.CharField(_("类别"), max_length=20, default="total")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contest = models.ForeignKey(
        "contests.Contest",
        verbose_name=_("评比"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        help_text=_("评比结果通报：公布哪一次评比的结果"),
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("排名范围"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("个人排名的单位"),
    )
    title = models.CharField(_("标题"), max_length=200)
    recipients = models.CharField(_("主送机关"), max_length=200, blank=True)
    opening = models.TextField(_("开头"), blank=True)
    praise = models.TextField(_("表扬"), blank=True)
    remind = models.TextField(_("提醒"), blank=True)
    closing = models.TextField(_("结尾"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    number = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    number_text = models.CharField(_("发文字号"), max_length=40, blank=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("印发人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(_("排名数据"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("数据生成时间"), null=True, blank=True)
    docx = models.FileField(_("公文"), storage=document_storage, upload_to="notices/", max_length=300, blank=True)
    pdf = models.FileField(_("PDF"), storage=document_storage, upload_to="notices/", max_length=300, blank=True)
    xlsx = models.FileField(_("表格"), storage=document_storage, upload_to="notices/", max_length=300, blank=True)
    digests = models.JSONField(_("文件摘要"), default=dict, blank=True)
    scheduled = models.BooleanField(_("定时生成"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("起草人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = NoticeQuerySet.as_manager()
    scope_unit_field = "issuer"
    scope_roles = {"view": ADMIN_ROLES, "change": ADMIN_ROLES}

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "number"], condition=Q(number__isnull=False), name="reports_notice_number"
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- summary (年度总结) ---------------------------------------------------------------------------


class SummaryFigure(models.Model):
    """A league admin's setting of one figure of the catalogue (``reports.figures.CATALOGUE``): its
    rounding unit and whether a new draft takes it. A figure without a row is as the catalogue says."""

    key = models.CharField(_("数字"), max_length=40, unique=True)
    rounding_unit = models.PositiveIntegerField(_("取整单位"), null=True, blank=True, help_text=_("空表示写确数"))
    included = models.BooleanField(_("默认写入"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("总结数字设置")
        verbose_name_plural = _("总结数字设置")

    def __str__(self) -> str:
        return self.key


class SummaryDraft(models.Model):
    """The annual summary of one campaign for one unit's subtree, as its admin keeps it: the figures
    chosen and the text as edited. ``generated`` is the drafted text the edit started from, so the
    page can tell when the data (or the choice of figures) has moved on since."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField(_("选用的数字"), default=list, blank=True)
    text = models.TextField(_("正文"), blank=True)
    generated = models.TextField(_("生成的正文"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = {"view": ADMIN_ROLES, "change": ADMIN_ROLES}

    class Meta:
        verbose_name = _("年度总结")
        verbose_name_plural = _("年度总结")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="reports_summary_campaign_unit")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.unit}"
