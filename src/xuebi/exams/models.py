"""Exams and quizzes (知识问答、业务测试、现场考评): question banks, papers, exams and the attempts
that take them; practice (练习) and the wrong-answer book (错题本).

* ``Bank`` (题库) holds ``Question`` rows of five types; ``Category`` (党史、党章党规 …) is data.
* ``Paper`` (试卷) is fixed (``PaperQuestion``: chosen questions at their points) or random
  (``PaperRule``: so many questions of a type from a category at so many points, drawn per
  attempt from the paper's banks, ``draw.py``).
* ``Exam`` (考试) publishes a paper to units or people with its window, time limit, attempts,
  pass mark, when answers are shown and the points it gives (a campaign rule, like a contest's).
* ``Attempt`` (答卷) is one sitting; its ``AttemptItem`` rows keep what was shown — the
  question's text, the options in the shown order, the key and the points — so editing the
  bank never changes a past attempt or its score (``grading.py`` grades from the snapshot).
  A practice attempt has no exam and draws from a bank.
* ``Mistake`` (错题本) is a person's wrong answers, for retrying.

Who sees what (``visible_to``): a bank, a paper and an exam's settings — the administrators of
the owning unit's subtree; a published exam also the people it reaches; an attempt — the person
who took it and the administrators over the unit it was taken in.
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
from xuebi.org.choices import ADMIN_ROLES, BUSINESS_ROLES
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import ScopedQuerySet, grants_of, unit_paths

ADMINS = {"view": ADMIN_ROLES, "change": ADMIN_ROLES}


class QuestionType(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    TRUE_FALSE = "truefalse", _("判断题")
    FILL = "fill", _("填空题")
    SHORT = "short", _("简答题")


CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)


class Difficulty(models.IntegerChoices):
    EASY = 1, _("易")
    MEDIUM = 2, _("中")
    HARD = 3, _("难")


def ancestor_paths(path: str, steplen: int = 4) -> list[str]:
    """The paths of a unit's ancestors and itself (treebeard's fixed-width materialized path)."""
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def reaching_q(user, field: str) -> Q:
    """Q for rows whose unit (``field``) is the user's own unit or above it: what a unit above
    publishes reaches the people below (a league bank open for practice reaches every county)."""
    q = Q(pk__in=[])
    paths = {path for role, path, _u in grants_of(user) if role in BUSINESS_ROLES and path}
    for path in paths:
        q |= Q(**{f"{field}__path__in": ancestor_paths(path)})
    return q


class Category(models.Model):
    """A category of questions (党史、党章党规 …); the league keeps the list."""

    name = models.CharField(_("分类"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("试题分类")
        verbose_name_plural = _("试题分类")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class BankQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        own = super().visible_to(user, action)
        if action != "practice":
            return own
        # practice: a bank open for practice reaches the people of its unit's subtree
        return self.filter(Q(pk__in=own.values("pk")) | (Q(practice_open=True) & reaching_q(user, "unit")))


class Bank(models.Model):
    name = models.CharField(_("题库名称"), max_length=100)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="question_banks")
    description = models.TextField(_("说明"), blank=True)
    practice_open = models.BooleanField(_("开放练习"), default=False, help_text=_("本单位及下级单位的干部可以用本题库自由练习"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = BankQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = {**ADMINS, "practice": ADMIN_ROLES}

    class Meta:
        verbose_name = _("题库")
        verbose_name_plural = _("题库")
        ordering = ["unit__path", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class QuestionQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Question(models.Model):
    """One question. ``options`` are the choices' texts (single, multiple); ``answer`` the key:

    * single — ``[i]``, multiple — ``[i, j, …]`` (indexes into ``options``);
    * truefalse — ``[true]`` or ``[false]``;
    * fill — one list of accepted answers per blank, ``[["遵义会议"], ["1935", "1935年"]]``;
    * short — ``[]``; ``reference`` is the reference answer a grader reads.
    """

    bank = models.ForeignKey(Bank, verbose_name=_("题库"), on_delete=models.CASCADE, related_name="questions")
    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="questions")
    type = models.CharField(_("题型"), max_length=10, choices=QuestionType.choices)
    text = models.TextField(_("题干"))
    options = models.JSONField(_("选项"), default=list, blank=True)
    answer = models.JSONField(_("答案"), default=list, blank=True)
    reference = models.TextField(_("参考答案"), blank=True)
    explanation = models.TextField(_("解析"), blank=True)
    difficulty = models.PositiveSmallIntegerField(_("难度"), choices=Difficulty.choices, default=Difficulty.MEDIUM)
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("多个标签用空格或逗号分隔"))
    is_active = models.BooleanField(_("启用"), default=True)
    fingerprint = models.CharField(_("查重指纹"), max_length=40, db_index=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = QuestionQuerySet.as_manager()
    scope_unit_field = "bank__unit"
    scope_roles = ADMINS

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["bank", "pk"]
        indexes = [models.Index(fields=["bank", "category", "type", "is_active"], name="exams_q_draw")]

    def __str__(self) -> str:
        return self.text[:40]

    def tag_list(self) -> list[str]:
        return [t for t in self.tags.replace("，", ",").replace(",", " ").split() if t]


class PaperMode(models.TextChoices):
    FIXED = "fixed", _("固定组卷")
    RANDOM = "random", _("随机抽题")


class Paper(models.Model):
    title = models.CharField(_("试卷名称"), max_length=200)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="exam_papers")
    mode = models.CharField(_("组卷方式"), max_length=10, choices=PaperMode.choices, default=PaperMode.FIXED)
    banks = models.ManyToManyField(Bank, verbose_name=_("抽题题库"), blank=True, related_name="papers")
    shuffle_options = models.BooleanField(_("选项乱序"), default=True, help_text=_("每份答卷的选项顺序各不相同"))
    shuffle_questions = models.BooleanField(_("试题乱序"), default=False)
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = ADMINS

    class Meta:
        verbose_name = _("试卷")
        verbose_name_plural = _("试卷")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title


class PaperQuestion(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="fixed")
    question = models.ForeignKey(Question, verbose_name=_("试题"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))])
    position = models.PositiveSmallIntegerField(_("题号"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["paper", "question"], name="exams_paper_question_once")]


class PaperRule(models.Model):
    """Draw ``count`` questions of ``type`` (from ``category``, of ``difficulty`` when given) at ``points`` each."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="rules")
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    type = models.CharField(_("题型"), max_length=10, choices=QuestionType.choices)
    difficulty = models.PositiveSmallIntegerField(_("难度"), choices=Difficulty.choices, null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("题数"), validators=[MinValueValidator(1), MaxValueValidator(200)])
    points = models.DecimalField(_("每题分值"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class ExamKind(models.TextChoices):
    QUIZ = "quiz", _("知识问答")
    TEST = "test", _("业务测试")
    ONSITE = "onsite", _("现场考评")


class ExamStatus(models.TextChoices):
    DRAFT = "draft", _("未发布")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已撤销")


class Counts(models.TextChoices):
    HIGHEST = "highest", _("取最高分")
    LAST = "last", _("取最后一次")


class Partial(models.TextChoices):
    NONE = "none", _("多选题全对才得分")
    PROPORTIONAL = "proportional", _("少选按比例得分，错选不得分")


class Reveal(models.TextChoices):
    NEVER = "never", _("不公布")
    AFTER_SUBMIT = "after_submit", _("交卷后公布")
    AFTER_CLOSE = "after_close", _("考试结束后公布")


class Layout(models.TextChoices):
    ONE = "one", _("一屏一题")
    ALL = "all", _("整卷一页")


class ExamQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        reached = self.filter(status=ExamStatus.PUBLISHED).filter(reaches_user_q(user))
        if action == "take":
            # only a person takes an exam: an account without one (an administrator's) does not
            return reached if getattr(user, "person_id", None) else self.none()
        own = super().visible_to(user, action)
        if action != "view":
            return own
        # an administrator follows an exam sent to their unit (or above it) too: their people take it
        return self.filter(Q(pk__in=own.values("pk")) | Q(pk__in=reached.values("pk")))


def reaches_user_q(user) -> Q:
    """A published exam reaches the people named on it, and — when it names units — the people of
    those units' subtrees (the user's own unit or one above it)."""
    through = Exam.units.through.objects.filter(reaching_q(user, "unit")).values("exam_id")
    q = Q(pk__in=through)
    if getattr(user, "person_id", None):
        q |= Q(pk__in=Exam.people.through.objects.filter(person_id=user.person_id).values("exam_id"))
    return q


class Exam(models.Model):
    title = models.CharField(_("考试名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=ExamKind.choices, default=ExamKind.QUIZ)
    unit = models.ForeignKey(Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="exams")
    paper = models.ForeignKey(Paper, verbose_name=_("试卷"), on_delete=models.PROTECT, related_name="exams")
    description = models.TextField(_("考试说明"), blank=True)
    room = models.CharField(_("考场"), max_length=100, blank=True, help_text=_("现场考评的考场，如“二楼会议室”"))
    status = models.CharField(_("状态"), max_length=10, choices=ExamStatus.choices, default=ExamStatus.DRAFT)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("结束时间"))
    time_limit = models.PositiveSmallIntegerField(
        _("答题时限（分钟）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("留空：不限时，到结束时间为止"),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("可答次数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    counts = models.CharField(_("成绩计算"), max_length=10, choices=Counts.choices, default=Counts.HIGHEST)
    pass_mark = models.DecimalField(_("及格分"), max_digits=6, decimal_places=1, default=Decimal("60"))
    partial = models.CharField(_("多选题计分"), max_length=15, choices=Partial.choices, default=Partial.NONE)
    reveal = models.CharField(_("答案和解析"), max_length=15, choices=Reveal.choices, default=Reveal.AFTER_CLOSE)
    layout = models.CharField(_("答题方式"), max_length=5, choices=Layout.choices, default=Layout.ONE)
    units = models.ManyToManyField(Unit, verbose_name=_("参考单位"), blank=True, related_name="+")
    people = models.ManyToManyField(Person, verbose_name=_("参考人员"), blank=True, related_name="+")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("计入活动"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("计入考核指标"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    full_points = models.DecimalField(_("满分积分"), max_digits=6, decimal_places=2, null=True, blank=True)
    pass_points = models.DecimalField(_("及格积分"), max_digits=6, decimal_places=2, null=True, blank=True)
    results_version = models.PositiveIntegerField(_("评分版本"), default=1, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ExamQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = ADMINS

    class Meta:
        verbose_name = _("考试")
        verbose_name_plural = _("考试")
        ordering = ["-opens_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def source_kind(self) -> str:
        """The kind code its points go by in the rules (``exam-<pk>``)."""
        return f"exam-{self.pk}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == ExamStatus.PUBLISHED and self.opens_at <= now < self.closes_at

    def is_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    def phase_label(self, now=None) -> str:
        now = now or timezone.now()
        if self.status != ExamStatus.PUBLISHED:
            return self.get_status_display()
        if now < self.opens_at:
            return "未开始"
        return "进行中" if now < self.closes_at else "已结束"

    def reveals_to_taker(self, now=None) -> bool:
        if self.reveal == Reveal.AFTER_SUBMIT:
            return True
        return self.reveal == Reveal.AFTER_CLOSE and self.is_closed(now)


class AttemptStatus(models.TextChoices):
    ACTIVE = "active", _("答题中")
    SUBMITTED = "submitted", _("已交卷")
    TIMED_OUT = "timed_out", _("超时收卷")


DONE_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.TIMED_OUT)


class AttemptQuerySet(ScopedQuerySet):
    def done(self):
        return self.filter(status__in=DONE_STATUSES)

    def counted(self, exam: Exam):
        """The attempt that counts of each person who finished ``exam``: the highest score (the
        earliest of equal ones) or the last submitted, as the exam says. An attempt still waiting
        for a short answer to be marked counts with what it has."""
        from django.db.models import OuterRef, Subquery

        done = Attempt.objects.filter(exam=exam, status__in=DONE_STATUSES, person_id=OuterRef("person_id"))
        if exam.counts == Counts.LAST:
            done = done.order_by("-submitted_at", "-pk")
        else:
            done = done.order_by(models.F("score").desc(nulls_last=True), "submitted_at", "pk")
        return self.filter(exam=exam, status__in=DONE_STATUSES, pk=Subquery(done.values("pk")[:1]))


class Attempt(models.Model):
    exam = models.ForeignKey(
        Exam, verbose_name=_("考试"), on_delete=models.PROTECT, null=True, blank=True, related_name="attempts"
    )
    bank = models.ForeignKey(Bank, verbose_name=_("练习题库"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, verbose_name=_("答题人"), on_delete=models.PROTECT, related_name="exam_attempts")
    unit = models.ForeignKey(Unit, verbose_name=_("答题时所在单位"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("第几次"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.ACTIVE)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    deadline = models.DateTimeField(_("截止时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    max_score = models.DecimalField(_("满分"), max_digits=7, decimal_places=1, default=Decimal("0"))
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    ungraded = models.PositiveSmallIntegerField(_("待阅题数"), default=0)
    passed = models.BooleanField(_("及格"), null=True, blank=True)
    graded_version = models.PositiveIntegerField(default=0, editable=False)
    mistakes_noted = models.BooleanField(default=False, editable=False)  # its wrong answers are in the 错题本

    objects = AttemptQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = ADMINS

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # one active attempt per person per exam, whatever two tabs or a retry do
            models.UniqueConstraint(fields=["exam", "person"], condition=Q(status="active"), name="exams_one_active_attempt"),
            models.UniqueConstraint(fields=["exam", "person", "number"], name="exams_attempt_number_once"),
        ]
        indexes = [
            models.Index(fields=["person", "exam"], name="exams_attempt_person"),
            models.Index(fields=["exam", "status"], name="exams_attempt_exam_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.exam or self.bank} · 第{self.number}次"

    @staticmethod
    def scope_self_q(user, action):
        if action != "view" or not getattr(user, "person_id", None):
            return None
        return Q(person_id=user.person_id)

    @property
    def is_active(self) -> bool:
        return self.status == AttemptStatus.ACTIVE

    @property
    def is_practice(self) -> bool:
        return self.exam_id is None

    def seconds_left(self, now=None) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - (now or timezone.now())).total_seconds()))

    def expired(self, now=None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline


class AttemptItem(models.Model):
    """A question as this attempt showed it. ``shown`` is what the taker sees — ``{"type",
    "text", "options", "blanks"}`` with the options in this attempt's order; ``key`` is the
    answer in the shown order (never sent to the browser before the attempt is done) with the
    explanation and, for a short answer, the reference; ``order`` maps shown options to the
    question's own (for the statistics)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("题号"))
    question = models.ForeignKey(Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    shown = models.JSONField()
    key = models.JSONField()
    order = models.JSONField(default=list)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    response = models.JSONField(_("作答"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    graded_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("评语"), max_length=500, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="exams_item_position_once")]
        indexes = [models.Index(fields=["question"], name="exams_item_question")]

    @property
    def type(self) -> str:
        return self.shown["type"]


class Mistake(models.Model):
    """错题本: a question the person got wrong (in an exam after it, or in practice), until they
    answer it right in practice or put it away."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="exam_mistakes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    times = models.PositiveIntegerField(_("答错次数"), default=1)
    last_wrong_at = models.DateTimeField(_("最近答错"), default=timezone.now)
    cleared = models.BooleanField(_("已掌握"), default=False)

    class Meta:
        verbose_name = _("错题")
        verbose_name_plural = _("错题本")
        ordering = ["cleared", "-last_wrong_at"]
        constraints = [models.UniqueConstraint(fields=["person", "question"], name="exams_mistake_once")]


def admin_paths(user) -> list[str]:
    return unit_paths(user, ADMIN_ROLES)


def fingerprint(qtype: str, text: str, options) -> str:
    """What makes two questions the same for the duplicate check: the type, the text and the
    options, compared as fill-in answers are (width, case, spaces and end punctuation ignored)."""
    import hashlib
    import unicodedata

    def norm(value: str) -> str:
        value = unicodedata.normalize("NFKC", str(value)).casefold()
        return "".join(ch for ch in value if ch.isalnum())

    body = "\x1f".join([qtype, norm(text), *sorted(norm(o) for o in options or [])])
    return hashlib.sha1(body.encode()).hexdigest()
