"""The ledger (台账): record kinds as data, records with participants and evidence, their review.

A kind's fields are a JSON list of field definitions (see ``schema.py``); every change to them
is a new ``RecordKindVersion`` and each record points at the version it was written with, so an
old record always renders with the fields it had (DESIGN.md "Record kinds are data").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from xuebi.core.models import StoredFile
from xuebi.campaign.choices import Dimension
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import ScopedQuerySet

from .choices import (
    CorrectionStatus,
    Frequency,
    LectureStatus,
    ParticipantRole,
    Participation,
    RecordEventKind,
    RecordStatus,
    StudyLevel,
)

REVIEW_ROLES = frozenset({Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER})


# --- kinds ------------------------------------------------------------------------------------


class RecordKind(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    dimension = models.CharField(_("类别"), max_length=20, choices=Dimension.choices)
    description = models.TextField(_("说明"), blank=True)
    participation = models.CharField(_("记录方式"), max_length=10, choices=Participation.choices, default=Participation.SINGLE)
    evidence_required = models.BooleanField(_("须上传佐证材料"), default=False)
    review_required = models.BooleanField(_("须审核"), default=True)
    attendee_hours = models.BooleanField(_("按人记录学时"), default=False, help_text=_("集体活动中为每位参加人员填写学时"))
    has_study_level = models.BooleanField(_("五学联动层级"), default=False, help_text=_("记录时选择中心组领学、党支部深学等层级"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    version = models.PositiveIntegerField(_("字段版本"), default=1, editable=False)
    fields = models.JSONField(_("字段"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("台账类型")
        verbose_name_plural = _("台账类型")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.participation == Participation.GROUP


class RecordKindVersion(models.Model):
    """The fields of a kind as they were from one change to the next. Never edited."""

    kind = models.ForeignKey(RecordKind, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    fields = models.JSONField(_("字段"), default=list)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("台账类型版本")
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="ledger_kind_version_unique")]
        ordering = ["kind", "-version"]

    def __str__(self) -> str:
        return f"{self.kind.name} v{self.version}"


# --- records ----------------------------------------------------------------------------------


class RecordQuerySet(ScopedQuerySet):
    LIST_FIELDS = (
        "pk",
        "title",
        "occurred_on",
        "status",
        "author_id",
        "kind__name",
        "unit__name",
        "unit__short_name",
        "author__name",
    )

    def for_list(self, *extra: str):
        """Just what a list row shows: narrow rows sort fast when a person has thousands."""
        return self.select_related("kind", "unit", "author").only(*self.LIST_FIELDS, *extra)


class Record(models.Model):
    kind = models.ForeignKey(RecordKind, verbose_name=_("台账类型"), on_delete=models.PROTECT, related_name="records")
    schema = models.ForeignKey(RecordKindVersion, on_delete=models.PROTECT, related_name="records")
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="records")
    author = models.ForeignKey(Person, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="authored_records")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    occurred_on = models.DateField(_("日期"))
    data = models.JSONField(_("内容"), default=dict, blank=True)
    study_level = models.CharField(_("学习层级"), max_length=10, choices=StudyLevel.choices, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    version = models.PositiveIntegerField(_("版本"), default=0, help_text=_("已通过的版本号；0 表示尚未通过"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review_comment = models.TextField(_("审核意见"), blank=True)
    has_pending_correction = models.BooleanField(_("更正待审批"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RecordQuerySet.as_manager()

    # view: read; review: approve/return; correct: approve corrections of approved records.
    scope_unit_field = "unit"
    scope_roles = {"view": REVIEW_ROLES, "review": REVIEW_ROLES, "correct": ADMIN_ROLES, "edit": frozenset()}

    class Meta:
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["author", "occurred_on"]),
            models.Index(fields=["status", "submitted_at"]),  # the league's queue, oldest first
            models.Index(fields=["unit", "status", "submitted_at"]),  # a unit subtree's queue and its count
            models.Index(fields=["unit", "occurred_on"]),
            models.Index(fields=["kind", "occurred_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_self_q(user, action):
        """A cadre sees what they wrote and what they took part in; the author (or who recorded it
        for them) edits it."""
        if action == "view":
            if not user.person_id:
                return Q(created_by=user)
            attended = Participant.objects.filter(record=OuterRef("pk"), person_id=user.person_id)
            return Q(author_id=user.person_id) | Q(Exists(attended)) | Q(created_by=user)
        if action == "edit":
            # the author, or whoever recorded it on the author's behalf (代录)
            return Q(author_id=user.person_id) | Q(created_by=user) if user.person_id else Q(created_by=user)
        return None

    @property
    def is_editable(self) -> bool:
        return self.status in (RecordStatus.DRAFT, RecordStatus.RETURNED)

    @property
    def is_frozen(self) -> bool:
        return self.status == RecordStatus.APPROVED


class Participant(models.Model):
    """A person who took part, with the unit they belonged to on the day (points follow it)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="participations")
    unit = models.ForeignKey(Unit, verbose_name=_("当时所在单位"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("身份"), max_length=10, choices=ParticipantRole.choices, default=ParticipantRole.ATTENDEE)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1, null=True, blank=True)
    # the record's date, kept here so that a person's timeline is one ordered index range
    # (person, date) — whatever the size of the ledger; services write it with the participants
    occurred_on = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("参加人员")
        verbose_name_plural = _("参加人员")
        constraints = [models.UniqueConstraint(fields=["record", "person"], name="ledger_participant_unique")]
        indexes = [models.Index(fields=["person", "occurred_on", "record"], name="ledger_participant_timeline")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.record_id}"


class Evidence(StoredFile):
    """An uploaded photo or document of a record (``core.models.StoredFile``)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="evidence")
    field_key = models.CharField(_("字段"), max_length=40, blank=True, help_text=_("附件字段的键；空表示佐证材料"))

    class Meta(StoredFile.Meta):
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")


class RecordEvent(models.Model):
    """The record's own history (提交、退回、通过、更正), shown on its page and kept for the points
    engine to replay. The audit log holds the same facts for the auditor."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("操作"), max_length=20, choices=RecordEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    comment = models.TextField(_("意见"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("台账记录日志")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.record_id}"


class RecordVersion(models.Model):
    """A frozen copy of a record as approved. Version 1 is the first approval; each approved
    correction adds one. Never edited."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    schema = models.ForeignKey(RecordKindVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    occurred_on = models.DateField(_("日期"))
    data = models.JSONField(default=dict)
    study_level = models.CharField(max_length=10, blank=True)
    participants = models.JSONField(default=list)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("通过时间"), auto_now_add=True)
    reason = models.TextField(_("更正理由"), blank=True)

    class Meta:
        verbose_name = _("台账记录版本")
        constraints = [models.UniqueConstraint(fields=["record", "number"], name="ledger_record_version_unique")]
        ordering = ["record", "number"]


class RecordCorrection(models.Model):
    """A proposed change to an approved record. The record stays as approved until an admin
    approves the correction; then the record takes the new content and a new version."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="corrections")
    base_version = models.PositiveIntegerField()
    schema = models.ForeignKey(RecordKindVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    occurred_on = models.DateField(_("日期"))
    data = models.JSONField(default=dict)
    study_level = models.CharField(max_length=10, blank=True)
    participants = models.JSONField(default=list, help_text="[{person_id, role, hours}]")
    reason = models.TextField(_("更正理由"))
    status = models.CharField(_("状态"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("更正申请")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status="pending"),
                name="ledger_one_pending_correction",
            ),
        ]


# --- 三会一课 and 业务讲堂 --------------------------------------------------------------------------


class MeetingRequirement(models.Model):
    """A meeting a 党支部 must hold at a frequency (支部党员大会 quarterly, 支委会 monthly …)."""

    kind = models.OneToOneField(RecordKind, verbose_name=_("台账类型"), on_delete=models.CASCADE, related_name="requirement")
    frequency = models.CharField(_("频次"), max_length=10, choices=Frequency.choices)
    min_count = models.PositiveSmallIntegerField(_("每期至少次数"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织生活要求")
        verbose_name_plural = _("组织生活要求")
        ordering = ["kind__sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.kind.name}（{self.get_frequency_display()}）"


class LectureSeries(models.Model):
    """业务讲堂 (组工干部上讲台): a section's series of sessions with rotating presenters."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="lecture_series")
    kind = models.ForeignKey(RecordKind, verbose_name=_("台账类型"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(_("进行中"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = {"view": REVIEW_ROLES | {Role.CADRE}, "change": ADMIN_ROLES | {Role.REVIEWER}}

    class Meta:
        verbose_name = _("业务讲堂")
        verbose_name_plural = _("业务讲堂")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class LectureMember(models.Model):
    series = models.ForeignKey(LectureSeries, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("轮次顺序"))

    class Meta:
        ordering = ["series", "position"]
        constraints = [models.UniqueConstraint(fields=["series", "person"], name="ledger_lecture_member_unique")]


class LectureSession(models.Model):
    series = models.ForeignKey(LectureSeries, on_delete=models.CASCADE, related_name="sessions")
    planned_on = models.DateField(_("日期"))
    presenter = models.ForeignKey(Person, verbose_name=_("主讲人"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("主题"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=LectureStatus.choices, default=LectureStatus.PLANNED)
    absentees = models.ManyToManyField(Person, verbose_name=_("缺席（本次跳过）"), blank=True, related_name="+")
    record = models.OneToOneField(Record, null=True, blank=True, on_delete=models.SET_NULL, related_name="lecture_session")

    class Meta:
        verbose_name = _("讲堂场次")
        ordering = ["series", "planned_on", "pk"]
