"""Writes of 清单式管理: items of the lists and pledges, their moves through ``TRANSITIONS``, progress
reports with evidence, 践诺评价. Every write is audited; an accepted item tells the points engine
(``events.item_closed``). Who may do what is checked here, so the pages and the API agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot
from xuebi.core import evidence as evidence_files
from xuebi.org.choices import ADMIN_ROLES, PersonStatus
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import unit_paths

from . import events
from .models import (
    ADMIN_MOVES,
    RESPONSIBLE_MOVES,
    TRANSITIONS,
    Item,
    ItemEvent,
    ItemFile,
    ListKind,
    Move,
    PledgeGrade,
    Priority,
    Status,
    Supervision,
)

__all__ = ["ItemData", "save_item", "save_pledge", "move", "review_pledge", "administers", "MAX_FILES"]

ITEM_FIELDS = [
    "kind",
    "unit",
    "title",
    "description",
    "responsible_unit",
    "responsible_person",
    "leader",
    "start_date",
    "due_date",
    "priority",
    "supervision",
    "year",
]
MAX_FILES = 9


@dataclass
class ItemData:
    kind: str
    unit: Unit | None
    title: str
    responsible_unit: Unit | None
    responsible_person: Person | None = None
    description: str = ""
    leader: str = ""
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    priority: str = Priority.NORMAL
    supervision: str = ""
    errors: dict = field(default_factory=dict)


def administers(user, unit: Unit | None) -> bool:
    return unit is not None and any(unit.path.startswith(path) for path in unit_paths(user, ADMIN_ROLES))


def check_item(actor, data: ItemData) -> dict[str, str]:
    """The reasons an item cannot be saved, by field ({} when it can)."""
    errors: dict[str, str] = {}
    if data.kind not in ListKind.values or data.kind == ListKind.PLEDGE:
        errors["kind"] = "请选择科室责任清单、阶段任务清单或督查项目清单。"
    if data.unit is None or not administers(actor, data.unit):
        errors["unit"] = "只能在本人管理的单位建立清单。"
    if not " ".join((data.title or "").split()):
        errors["title"] = "请填写事项名称。"
    elif len(data.title) > 200:
        errors["title"] = "事项名称最多 200 字。"
    if data.responsible_unit is None:
        errors["responsible_unit"] = "请选择责任单位。"
    elif data.unit is not None and not data.responsible_unit.path.startswith(data.unit.path):
        errors["responsible_unit"] = f"责任单位须是{data.unit.name}或其下属单位。"
    person = data.responsible_person
    if person is not None:
        if person.status != PersonStatus.ACTIVE:
            errors["responsible_person"] = f"{person.name}不在职，不能作为责任人。"
        elif data.responsible_unit is not None and not person.unit.path.startswith(data.responsible_unit.path):
            errors["responsible_person"] = f"{person.name}不在{data.responsible_unit.name}，请选择责任单位的人员。"
    if data.kind in (ListKind.TASK, ListKind.SUPERVISION) and data.due_date is None:
        errors["due_date"] = "阶段任务和督查项目须填写完成时限。"
    if data.start_date and data.due_date and data.due_date < data.start_date:
        errors["due_date"] = "完成时限不能早于开始日期。"
    if data.priority not in Priority.values:
        errors["priority"] = "请选择优先级。"
    if data.supervision not in Supervision.values:
        errors["supervision"] = "请选择督办级别。"
    elif data.supervision and data.kind != ListKind.SUPERVISION:
        errors["supervision"] = "只有督查项目有督办级别。"
    elif data.kind == ListKind.SUPERVISION and not data.supervision:
        errors["supervision"] = "请选择督办级别（一般、重点或挂牌督办）。"
    if len(data.leader) > 40:
        errors["leader"] = "责任领导最多 40 字。"
    return errors


def _year_of(data: ItemData) -> int:
    day = data.due_date or data.start_date or timezone.localdate()
    return day.year


@transaction.atomic
def save_item(*, actor, data: ItemData, item: Item | None = None) -> Item:
    """Create an item of a unit's list, or change one that is still open."""
    errors = check_item(actor, data)
    if item is not None:
        item = Item.objects.select_for_update().select_related("unit").get(pk=item.pk)
        if not administers(actor, item.unit):
            raise PermissionDenied("只有清单所属单位的管理员可以修改事项。")
        if not item.is_open:
            raise ValidationError("事项已销号或撤销，不能再修改。")
    if errors:
        raise ValidationError(errors)
    assert data.unit is not None and data.responsible_unit is not None  # checked above
    before = snapshot(item, ITEM_FIELDS) if item else {}
    item = item or Item(created_by=actor)
    item.kind, item.unit, item.title = data.kind, data.unit, " ".join(data.title.split())
    item.description, item.leader = data.description.strip(), " ".join(data.leader.split())
    item.responsible_unit, item.responsible_person = data.responsible_unit, data.responsible_person
    item.start_date, item.due_date, item.year = data.start_date, data.due_date, _year_of(data)
    item.priority, item.supervision = data.priority, data.supervision
    item.save()
    audit_record(action=Action.CHECKLIST_ITEM_SAVE, target=item, changes=diff(before, snapshot(item, ITEM_FIELDS)))
    return item


@transaction.atomic
def save_pledge(
    *, actor, title: str, description: str = "", year: int, due_date: dt.date | None = None, item: Item | None = None
) -> Item:
    """A cadre's own 承诺事项 for a year, made public to their unit. Changed by the pledger while
    nothing has been reported on it."""
    person = actor.person if getattr(actor, "person_id", None) else None
    if person is None or person.status != PersonStatus.ACTIVE:
        raise PermissionDenied("您的账号未关联在职人员，不能作出承诺。")
    title = " ".join((title or "").split())
    errors = {}
    if not title:
        errors["title"] = "请填写承诺事项。"
    elif len(title) > 200:
        errors["title"] = "承诺事项最多 200 字。"
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "请填写正确的年度（2000—2100）。"})
    due = due_date or dt.date(year, 12, 31)
    if due.year != year:
        errors["due_date"] = f"兑现时限须在 {year} 年内。"
    if item is not None:
        item = Item.objects.select_for_update().get(pk=item.pk)
    if item is not None and (item.responsible_person_id != person.pk or item.kind != ListKind.PLEDGE):
        raise PermissionDenied("只能修改本人的承诺。")
    if item is not None and item.status != Status.NOT_STARTED:
        errors["title"] = "承诺已报告进展，不能再修改。"
    if errors:
        raise ValidationError(errors)
    before = snapshot(item, ITEM_FIELDS) if item else {}
    item = item or Item(created_by=actor, kind=ListKind.PLEDGE)
    item.unit = item.responsible_unit = person.unit
    item.responsible_person = person
    item.title, item.description, item.year, item.due_date = title, (description or "").strip(), year, due
    item.save()
    audit_record(action=Action.CHECKLIST_ITEM_SAVE, target=item, changes=diff(before, snapshot(item, ITEM_FIELDS)))
    return item


def _check_files(files) -> list:
    """Every file checked before anything is written: one bad file refuses the report."""
    if len(files) > MAX_FILES:
        raise ValidationError({"files": f"一次最多上传 {MAX_FILES} 个文件。"})
    checked = []
    for upload in files:
        try:
            checked.append(evidence_files.check_upload(upload))
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from None
    return checked


def _store_files(actor, event: ItemEvent, files: list) -> list[ItemFile]:
    made = []
    for checked in files:
        name, thumb = evidence_files.store(checked)
        made.append(
            ItemFile(
                event=event,
                file=name,
                thumbnail=thumb,
                sha256=checked.sha256,
                content_type=checked.content_type,
                size=checked.size,
                original_name=checked.original_name[:200],
                uploaded_by=actor,
            )
        )
    ItemFile.objects.bulk_create(made)
    return made


@transaction.atomic
def move(
    *, actor, item: Item, move: str, text: str = "", percent: int | None = None, files=(), today: dt.date | None = None
) -> ItemEvent:
    """One step of an item: the responsible person reports progress or asks for 验收; an
    administrator of the list's unit accepts, sends back (with a reason) or cancels (with a reason).
    A move the status does not allow, or by someone it is not theirs to make, changes nothing."""
    today = today or timezone.localdate()
    item = Item.objects.select_for_update(of=("self",)).select_related("unit", "responsible_person").get(pk=item.pk)
    if move not in Move.values:
        raise ValidationError({"move": "未知的操作。"})
    person_id = getattr(actor, "person_id", None)
    if move in RESPONSIBLE_MOVES and (person_id is None or item.responsible_person_id != person_id):
        raise PermissionDenied("只有责任人可以报告进展或申请验收。")
    if move in ADMIN_MOVES:
        if not administers(actor, item.unit):
            raise PermissionDenied("只有清单所属单位的管理员可以验收、退回或撤销。")
        if move == Move.ACCEPT and person_id is not None and item.responsible_person_id == person_id:
            raise PermissionDenied("不能验收本人负责的事项，须由其他管理员验收。")
    target = TRANSITIONS.get((item.status, move))
    if target is None:
        raise ValidationError(f"事项“{item.title}”{item.get_status_display()}，不能{Move(move).label}。")
    text = (text or "").strip()
    if move in (Move.RETURN, Move.CANCEL) and not text:
        raise ValidationError({"text": f"请填写{Move(move).label}的理由。"})
    if move == Move.PROGRESS and not text and not files:
        raise ValidationError({"text": "请填写进展情况或上传佐证材料。"})
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationError({"percent": "完成进度须在 0 到 100 之间。"})
    checked = _check_files(list(files))
    before = item.status
    event = ItemEvent.objects.create(
        item=item, move=move, status_from=before, status_to=target, percent=percent, text=text, actor=actor
    )
    if checked:
        _store_files(actor, event, checked)
    item.status = target
    if move == Move.PROGRESS and percent is not None:
        item.percent = percent
    elif move == Move.SUBMIT:
        item.percent = 100
    if target == Status.DONE:
        item.closed_on = today
        item.closed_late = item.due_date is not None and today > item.due_date
    item.save(update_fields=["status", "percent", "closed_on", "closed_late", "updated_at"])
    audit_record(
        action=Action.CHECKLIST_PROGRESS if move == Move.PROGRESS else Action.CHECKLIST_ITEM_MOVE,
        target=item,
        changes={"状态": [str(Status(before).label), str(Status(target).label)], **({"说明": ["", text]} if text else {})},
    )
    if target == Status.DONE:
        transaction.on_commit(lambda: events.item_closed.send(Item, item=item, actor=actor))
    return event


@transaction.atomic
def review_pledge(*, actor, item: Item, grade: str, comment: str = "") -> Item:
    """践诺评价 of a pledge, by an administrator of the pledger's unit (not the pledger)."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.kind != ListKind.PLEDGE:
        raise ValidationError("只有承诺事项有践诺评价。")
    if not administers(actor, item.unit):
        raise PermissionDenied("只有承诺人所在单位的管理员可以作践诺评价。")
    if getattr(actor, "person_id", None) and actor.person_id == item.responsible_person_id:
        raise PermissionDenied("不能评价本人的承诺。")
    if grade not in PledgeGrade.values:
        raise ValidationError({"grade": "请选择已践诺、基本践诺或未践诺。"})
    before = item.pledge_grade
    item.pledge_grade, item.pledge_comment = grade, (comment or "").strip()
    item.reviewed_by, item.reviewed_at = actor, timezone.now()
    item.save(update_fields=["pledge_grade", "pledge_comment", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        action=Action.PLEDGE_REVIEW,
        target=item,
        changes={"践诺评价": [str(PledgeGrade(before).label) if before else "", str(PledgeGrade(grade).label)]},
    )
    return item
