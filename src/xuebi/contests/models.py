"""Judged contests (评比): 调研文章评比、征文、演讲比赛、朗诵、公文写作现场考评.

A ``Contest`` has a rubric (``Criterion``), award levels (``AwardLevel``), panels of judges
(``Panel``; one preliminary panel at least, and a final panel when the top K of each go to a
final). Entrants submit ``Entry`` rows (each change a new ``EntryVersion``, files cleaned of
names, ``blind.py``); the organiser assigns entries to judges (``Assignment``, one per judge,
entry and stage), judges score each criterion (``Score``); publishing writes ``Award`` rows,
each a source of points for the engine.

Who sees what (``visible_to``):
* a contest — every business role (a cadre must find the contest to enter it; a draft contest
  only the league admins of the organiser);
* an entry — the organiser's league admins; a unit admin the entries of their subtree (they
  enter on behalf of their people); an author or the submitter their own; a judge **never**
  through this queryset: a judge reads ``Assignment.objects.visible_to(judge)`` and the
  entry's blind face (``selectors.judge_view``);
* an assignment — the judge it is for; the organiser's league admins.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuebi.campaign.models import Campaign, Indicator
from xuebi.org.choices import ADMIN_ROLES, BUSINESS_ROLES, Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import ScopedQuerySet, grants_of, has_role


class ContestKind(models.TextChoices):
    ESSAY = "essay", _("征文/调研文章")
    SPEECH = "speech", _("演讲/朗诵")
    ONSITE = "onsite", _("现场考评")
    OTHER = "other", _("其他")


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("已发布")
    PUBLISHED = "published", _("结果已公布")


class AwardBy(models.TextChoices):
    COUNT = "count", _("按名额")
    SHARE = "share", _("按比例")


class TieBreak(models.TextChoices):
    SHARE = "share", _("并列（同分同奖）")
    FULL_MEAN = "full_mean", _("比较全部评分的平均分")
    FIRST_CRITERION = "first_criterion", _("比较第一项评分标准的得分")


class Stage(models.TextChoices):
    PRELIM = "prelim", _("初评")
    FINAL = "final", _("决赛")


class Phase(models.TextChoices):
    """Where a contest stands, from its status and dates (``Contest.phase``)."""

    DRAFT = "draft", _("筹备中")
    UPCOMING = "upcoming", _("即将征集")
    ENTRY = "entry", _("征集中")
    WAITING = "waiting", _("待评审")
    REVIEW = "review", _("评审中")
    CLOSED = "closed", _("评审结束，待公布")
    PUBLISHED = "published", _("结果已公布")


class ContestQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        grants = grants_of(user)
        if not any(role in BUSINESS_ROLES for role, _p, _u in grants):
            return self.none()
        if action == "view":
            # Every business role sees a published contest; a draft, only its organisers.
            return self.filter(~Q(status=ContestStatus.DRAFT) | Q(pk__in=super().visible_to(user, "change").values("pk")))
        return super().visible_to(user, action)


class Contest(models.Model):
    title = models.CharField(_("评比名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=ContestKind.choices, default=ContestKind.ESSAY)
    organizer = models.ForeignKey(Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="contests")
    description = models.TextField(_("评比说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ContestStatus.choices, default=ContestStatus.DRAFT)
    entry_start = models.DateField(_("征集开始日期"))
    entry_end = models.DateField(_("征集截止日期"))
    review_start = models.DateField(_("评审开始日期"))
    review_end = models.DateField(_("评审截止日期"))
    live = models.BooleanField(
        _("现场评分"), default=False, help_text=_("演讲、朗诵等现场比赛：评委用手机打分，大屏实时显示得分")
    )
    blind = models.BooleanField(_("匿名评审"), default=True, help_text=_("评委看不到作者和单位，只看到作品编号"))
    judges_per_entry = models.PositiveSmallIntegerField(
        _("每件作品评委人数"), default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    trim_from = models.PositiveSmallIntegerField(
        _("去掉最高分和最低分的最少评委数"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text=_("评分的评委达到此人数时去掉一个最高分和一个最低分，取其余平均分；不足时取全部平均分"),
    )
    tie_break = models.CharField(_("同分处理"), max_length=20, choices=TieBreak.choices, default=TieBreak.SHARE)
    award_by = models.CharField(_("奖项设置方式"), max_length=10, choices=AwardBy.choices, default=AwardBy.COUNT)
    final_top = models.PositiveSmallIntegerField(
        _("每组进入决赛的名次"), null=True, blank=True, help_text=_("分组初评后，每组前几名进入决赛；不分组决赛时留空")
    )
    normalise = models.BooleanField(
        _("评分标准化"), default=False, help_text=_("评委各看不同作品时，把每位评委的评分换算到本组的平均分和离散程度上")
    )
    units = models.ManyToManyField(
        Unit, verbose_name=_("参评单位"), blank=True, related_name="+", help_text=_("留空：主办单位所辖各单位均可参评")
    )
    people = models.ManyToManyField(
        Person, verbose_name=_("参评人员"), blank=True, related_name="+", help_text=_("留空：不限人员")
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("计入活动"), on_delete=models.PROTECT, null=True, blank=True, related_name="contests"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("计入考核指标"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    results_version = models.PositiveIntegerField(_("结果版本"), default=0, editable=False)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("公布人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ContestQuerySet.as_manager()
    scope_unit_field = "organizer"
    scope_roles = {"view": frozenset({Role.LEAGUE_ADMIN}), "change": frozenset({Role.LEAGUE_ADMIN})}

    class Meta:
        verbose_name = _("评比")
        verbose_name_plural = _("评比")
        ordering = ["-entry_start", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def source_kind(self) -> str:
        """The kind code its award points go by in the rules (``contest-<pk>``)."""
        return f"contest-{self.pk}"

    def phase(self, today=None) -> str:
        today = today or timezone.localdate()
        if self.status == ContestStatus.DRAFT:
            return Phase.DRAFT
        if self.status == ContestStatus.PUBLISHED:
            return Phase.PUBLISHED
        if today < self.entry_start:
            return Phase.UPCOMING
        if today <= self.entry_end:
            return Phase.ENTRY
        if today < self.review_start:
            return Phase.WAITING
        if today <= self.review_end:
            return Phase.REVIEW
        return Phase.CLOSED

    def phase_label(self) -> str:
        return Phase(self.phase()).label

    def accepts_entries(self, today=None) -> bool:
        return self.phase(today) == Phase.ENTRY

    def in_review(self, today=None) -> bool:
        return self.phase(today) == Phase.REVIEW


class Criterion(models.Model):
    """One line of the rubric (评分标准): a judge scores 0…``max_score``; the judge's total is the
    sum of score × ``weight`` (weights of 1 when the maxima already say it: 内容 40, 表达 30 …)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=50)
    max_score = models.DecimalField(_("满分"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=Decimal(1))
    guidance = models.CharField(_("评分要点"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分标准")
        verbose_name_plural = _("评分标准")
        ordering = ["contest", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class AwardLevel(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(_("奖项"), max_length=20)
    count = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    share = models.DecimalField(
        _("比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    points = models.DecimalField(_("积分"), max_digits=8, decimal_places=2, default=Decimal(0))
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("奖项")
        verbose_name_plural = _("奖项")
        ordering = ["contest", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="contests_level_name_once")]

    def __str__(self) -> str:
        return self.name


class Panel(models.Model):
    """A group of judges (评审组). Entries are spread over the preliminary panels; a final panel
    scores the top ``Contest.final_top`` of each."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="panels")
    name = models.CharField(_("评审组"), max_length=50)
    is_final = models.BooleanField(_("决赛评审组"), default=False)
    judges = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("评委"), blank=True, related_name="contest_panels")

    class Meta:
        verbose_name = _("评审组")
        verbose_name_plural = _("评审组")
        ordering = ["contest", "is_final", "pk"]
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="contests_panel_name_once")]

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已报送")
    WITHDRAWN = "withdrawn", _("已撤回")


class EntryQuerySet(ScopedQuerySet):
    pass


class Entry(models.Model):
    contest = models.ForeignKey(Contest, verbose_name=_("评比"), on_delete=models.PROTECT, related_name="entries")
    code = models.CharField(_("作品编号"), max_length=12)
    title = models.CharField(_("作品名称"), max_length=200)
    text = models.TextField(_("正文"), blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="contest_entries")
    authors = models.ManyToManyField(Person, verbose_name=_("作者"), through="EntryAuthor", related_name="contest_entries")
    status = models.CharField(_("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED)
    version = models.PositiveIntegerField(_("版本"), default=1)
    panel = models.ForeignKey(Panel, verbose_name=_("评审组"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    finalist = models.BooleanField(_("进入决赛"), default=False)
    live_order = models.PositiveIntegerField(_("出场顺序"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = EntryQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = {"view": ADMIN_ROLES, "change": ADMIN_ROLES}

    class Meta:
        verbose_name = _("参评作品")
        verbose_name_plural = _("参评作品")
        ordering = ["contest", "pk"]
        constraints = [models.UniqueConstraint(fields=["contest", "code"], name="contests_entry_code_once")]
        indexes = [models.Index(fields=["unit", "contest"])]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_self_q(user, action):
        """An author or the submitter sees their own entry (and may change it while the window
        is open — the service checks the window)."""
        if not has_role(user, Role.CADRE, *ADMIN_ROLES):
            return None
        mine = Q(submitted_by=user)
        if getattr(user, "person_id", None):
            mine |= Q(pk__in=EntryAuthor.objects.filter(person_id=user.person_id).values("entry_id"))
        return mine


class EntryAuthor(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="author_rows")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", help_text=_("报送时作者所在单位"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["entry", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="contests_author_once")]


class EntryVersion(models.Model):
    """What the entry was at each submission: kept when it is replaced."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("作品名称"), max_length=200)
    text = models.TextField(_("正文"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        ordering = ["entry", "-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="contests_version_once")]


class EntryFile(models.Model):
    """A file of one version, stored cleaned of names (``blind.clean``) under a neutral name."""

    version = models.ForeignKey(EntryVersion, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="entries/", max_length=300)  # default storage; served only by the views
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(_("原文件名"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "sort_order", "pk"]

    def blind_name(self, code: str) -> str:
        return f"{code}-{self.sort_order + 1}.{self.extension}"


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待评分")
    SAVED = "saved", _("已暂存")
    SUBMITTED = "submitted", _("已提交")


class AssignmentQuerySet(ScopedQuerySet):
    pass


class Assignment(models.Model):
    entry = models.ForeignKey(Entry, verbose_name=_("作品"), on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评委"), on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices, default=Stage.PRELIM)
    status = models.CharField(_("状态"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评语"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("退回重评次数"), default=0)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = AssignmentQuerySet.as_manager()
    scope_unit_field = "entry__contest__organizer"
    scope_roles = {"view": frozenset({Role.LEAGUE_ADMIN}), "change": frozenset({Role.LEAGUE_ADMIN})}

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["entry__contest", "stage", "entry__live_order", "entry__code", "judge_id"]
        constraints = [models.UniqueConstraint(fields=["entry", "judge", "stage"], name="contests_assignment_once")]
        indexes = [models.Index(fields=["judge", "stage", "status"])]

    @staticmethod
    def scope_self_q(user, action):
        """A judge sees and scores their own assignments, nothing else."""
        if not has_role(user, Role.JUDGE):
            return None
        return Q(judge=user)


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="contests_score_once")]


class Award(models.Model):
    """An entry's result as published: its place, score and level. A source of points (type
    ``contest``, id the entry, version the contest's ``results_version``)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="awards")
    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="award")
    place = models.PositiveIntegerField(_("名次"))
    score = models.DecimalField(_("得分"), max_digits=9, decimal_places=3)
    level = models.CharField(_("奖项"), max_length=20, blank=True)
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices, default=Stage.PRELIM)
    detail = models.JSONField(_("计分过程"), default=dict, blank=True)

    class Meta:
        verbose_name = _("评比结果")
        verbose_name_plural = _("评比结果")
        ordering = ["contest", "place", "entry__code"]


class Certificate(models.Model):
    """A winner's 奖状: one per author of an awarded entry, numbered within the contest, its PDF
    made by the certificates job (``certificates.py``) when the results are published."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="certificates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("证书编号"), max_length=30)
    pdf = models.FileField(upload_to="certificates/", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("奖状")
        verbose_name_plural = _("奖状")
        ordering = ["award__place", "pk"]
        constraints = [models.UniqueConstraint(fields=["award", "person"], name="contests_certificate_once")]
