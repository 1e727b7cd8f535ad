"""清单式管理: a unit's lists of work (科室责任清单, 阶段任务清单, 督查项目清单) and each cadre's yearly
pledges (承诺事项), all as ``Item`` rows of a kind; their history (``ItemEvent``: progress reports,
submission, 验收, 退回, 撤销) and the evidence files of a report (kept the ledger's way,
``core.evidence``).

The status runs 未开始 → 进行中 → 待验收 → 已完成 (销号), or 已撤销; the allowed moves are
``TRANSITIONS``, the only place that says so. 已逾期 is not a status: an open item whose due date
has passed is overdue whatever its status (see docs/decisions.md)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuebi.core.models import StoredFile
from xuebi.org.choices import ADMIN_ROLES, SEPARATED_ROLES, Role
from xuebi.org.scoping import grants_of, subtree_q, unit_paths


class ListKind(models.TextChoices):
    DUTY = "duty", _("科室责任清单")
    TASK = "task", _("阶段任务清单")
    SUPERVISION = "supervision", _("督查项目清单")
    PLEDGE = "pledge", _("承诺事项")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    PENDING = "pending", _("待验收")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.PENDING)


class Move(models.TextChoices):
    """What moves an item, and who may: the responsible person reports and submits; an
    administrator of the list's unit accepts, sends back, cancels."""

    PROGRESS = "progress", _("报告进展")
    SUBMIT = "submit", _("申请验收")
    ACCEPT = "accept", _("验收通过")
    RETURN = "return", _("退回")
    CANCEL = "cancel", _("撤销")


# (from, move) → to
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.NOT_STARTED, Move.PROGRESS): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Move.PROGRESS): Status.IN_PROGRESS,
    (Status.NOT_STARTED, Move.SUBMIT): Status.PENDING,
    (Status.IN_PROGRESS, Move.SUBMIT): Status.PENDING,
    (Status.PENDING, Move.ACCEPT): Status.DONE,
    (Status.PENDING, Move.RETURN): Status.IN_PROGRESS,
    (Status.NOT_STARTED, Move.CANCEL): Status.CANCELLED,
    (Status.IN_PROGRESS, Move.CANCEL): Status.CANCELLED,
    (Status.PENDING, Move.CANCEL): Status.CANCELLED,
}
RESPONSIBLE_MOVES = frozenset({Move.PROGRESS, Move.SUBMIT})
ADMIN_MOVES = frozenset({Move.ACCEPT, Move.RETURN, Move.CANCEL})


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    HIGH = "high", _("重要")
    URGENT = "urgent", _("紧急")


class Supervision(models.TextChoices):
    NONE = "", _("—")
    GENERAL = "general", _("一般")
    KEY = "key", _("重点")
    LISTED = "listed", _("挂牌督办")


class PledgeGrade(models.TextChoices):
    KEPT = "kept", _("已践诺")
    MOSTLY = "mostly", _("基本践诺")
    NOT_KEPT = "not_kept", _("未践诺")


class ItemQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Administrators: the lists of their units and the items their units answer for (a league
        督查项目 given to a county is the county admin's to follow). Everyone: the items they answer
        for. 承诺事项 are public to the pledger's unit. Editing and the admin's moves: administrators
        of the list's unit only."""
        grants = grants_of(user)
        if not grants or all(role in SEPARATED_ROLES for role, _, _ in grants):
            return self.none()
        admin_paths = unit_paths(user, ADMIN_ROLES)
        q = subtree_q(admin_paths, "unit")
        if action == "view":
            q |= subtree_q(admin_paths, "responsible_unit")
            q |= subtree_q(unit_paths(user, {Role.REVIEWER}), "unit")
            person_id = getattr(user, "person_id", None)
            if person_id:
                q |= Q(responsible_person_id=person_id)
            q |= Q(kind=ListKind.PLEDGE) & subtree_q(unit_paths(user, {Role.CADRE}), "responsible_unit")
        elif action == "report":
            person_id = getattr(user, "person_id", None)
            q = Q(responsible_person_id=person_id) if person_id else Q(pk__in=[])
        return self.filter(q)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date):
        return self.open().filter(due_date__lt=today)


class Item(models.Model):
    kind = models.CharField(_("清单"), max_length=20, choices=ListKind.choices, db_index=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("事项"), max_length=200)
    description = models.TextField(_("内容和标准"), blank=True)
    responsible_unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    responsible_person = models.ForeignKey(
        "org.Person", verbose_name=_("责任人"), null=True, blank=True, on_delete=models.PROTECT, related_name="checklist_items"
    )
    leader = models.CharField(_("责任领导"), max_length=40, blank=True)
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    due_date = models.DateField(_("完成时限"), null=True, blank=True, db_index=True)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    supervision = models.CharField(_("督办级别"), max_length=10, choices=Supervision.choices, blank=True, default="")
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED, db_index=True)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_late = models.BooleanField(_("逾期完成"), default=False)
    # 践诺评价 of a pledge, at year end
    pledge_grade = models.CharField(_("践诺评价"), max_length=10, choices=PledgeGrade.choices, blank=True)
    pledge_comment = models.TextField(_("评价意见"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="checklist_open_due"),
            models.Index(fields=["responsible_person", "status"], name="checklist_person_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def visible_to(cls, user, action: str = "view"):
        return cls.objects.visible_to(user, action)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today

    def days_left(self, today: dt.date | None = None) -> int | None:
        if self.due_date is None or not self.is_open:
            return None
        return (self.due_date - (today or timezone.localdate())).days


class ItemEvent(models.Model):
    """One step of an item's history, shown on its page (报告进展 with its text, percentage and files;
    申请验收; 验收通过; 退回 with the reason; 撤销)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    move = models.CharField(_("操作"), max_length=20, choices=Move.choices)
    status_from = models.CharField(max_length=20, choices=Status.choices)
    status_to = models.CharField(max_length=20, choices=Status.choices)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), null=True, blank=True)
    text = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("事项进展")
        verbose_name_plural = _("事项进展")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item} {self.get_move_display()}"


class ItemFile(StoredFile):
    """A file reported with a step (``core.models.StoredFile``: kept by content hash, served
    through a view that checks the item is visible)."""

    event = models.ForeignKey(ItemEvent, on_delete=models.CASCADE, related_name="files")

    class Meta(StoredFile.Meta):
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")


TIMELINESS = {False: "按时完成", True: "逾期完成"}


def source_kinds() -> list[dict]:
    """What a closed item offers the campaign's rules (``campaign.sources``): a kind per list."""
    fields = [
        {"key": "timeliness", "label": "完成情况", "type": "choice", "choices": list(TIMELINESS.values())},
        {"key": "supervision", "label": "督办级别", "type": "choice", "choices": [str(s.label) for s in Supervision if s]},
        {"key": "priority", "label": "优先级", "type": "choice", "choices": [str(p.label) for p in Priority]},
    ]
    return [{"code": kind.value, "name": str(kind.label), "fields": fields} for kind in ListKind]


def source_data(item: Item) -> dict:
    """The fields a rule counts on, for one closed item (``source_kinds``)."""
    return {
        "timeliness": TIMELINESS[item.closed_late],
        "supervision": item.get_supervision_display() if item.supervision else "",
        "priority": item.get_priority_display(),
    }
