"""Every write to study lists, progress, plans and notes (STYLE.md: services).

Each service checks the actor may do it, validates what needs the database (the forms have
already checked the shape of the input), writes in one transaction, checks the result is still
in the actor's scope, and writes the audit entry. Bad input raises ValidationError naming the
field, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot
from xuebi.org.models import Person, Unit

from .choices import ListStatus
from .models import StudyItem, StudyList, StudyNote, StudyPlan, StudyPlanItem, StudyProgress
from .selectors import hours_text, tenths

__all__ = [
    "study_list_create",
    "study_list_update",
    "study_list_publish",
    "study_item_create",
    "study_item_update",
    "study_item_delete",
    "study_progress_log",
    "study_plan_save",
    "study_plan_item_toggle",
    "study_note_save",
    "MAX_HOURS_PER_DAY",
]

LIST_AUDIT_FIELDS = ["title", "description", "unit", "status"]
ITEM_AUDIT_FIELDS = ["title", "material_type", "source", "required_hours", "due_date", "order"]
PROGRESS_AUDIT_FIELDS = ["item", "person", "hours", "studied_on", "note"]
PLAN_AUDIT_FIELDS = ["year", "title", "goals", "target_hours"]
NOTE_AUDIT_FIELDS = ["kind", "title", "body", "item"]
MAX_HOURS_PER_DAY = Decimal("24")


def _require(qs, obj, message: str = "超出您的管理范围。") -> None:
    """Inside the transaction: the object must be in the actor's scope for the action."""
    if not qs.filter(pk=obj.pk).exists():
        raise PermissionDenied(message)


def _shorten(text):
    """Long note bodies are audited as their start and length, not copied whole into the log."""
    return text if not isinstance(text, str) or len(text) <= 200 else text[:200] + f"…（共{len(text)}字）"


def _own_person_id(actor, what: str) -> int:
    if not actor.person_id:
        raise PermissionDenied(f"您的账号未关联花名册人员，不能{what}。请联系系统管理员在“账号管理”中关联。")
    return actor.person_id


# --- lists and items --------------------------------------------------------------------------


def _targets_snapshot(study_list: StudyList) -> str:
    return "、".join(u.name for u in study_list.target_units.order_by("path"))


def _check_targets(unit: Unit, targets) -> list[Unit]:
    targets = list(targets)
    if not targets:
        raise ValidationError({"target_units": "请选择至少一个下发单位。"})
    outside = [t.name for t in targets if not t.path.startswith(unit.path)]
    if outside:
        raise ValidationError({"target_units": f"下发单位须是发布单位“{unit.name}”或其下级单位：{'、'.join(outside)}不在其中。"})
    inactive = [t.name for t in targets if not t.is_active]
    if inactive:
        raise ValidationError({"target_units": f"{'、'.join(inactive)}已停用，不能下发。"})
    return targets


def _check_publisher(actor, unit: Unit) -> None:
    _require(Unit.objects.visible_to(actor, "change"), unit, "您不能以该单位名义发布学习清单。")
    if not unit.is_active:
        raise ValidationError({"unit": f"“{unit.name}”已停用，不能发布学习清单。"})


@transaction.atomic
def study_list_create(*, actor, unit: Unit, title: str, target_units, description: str = "") -> StudyList:
    """A new list starts as a draft: items are added before it is published to anyone."""
    _check_publisher(actor, unit)
    targets = _check_targets(unit, target_units)
    study_list = StudyList.objects.create(unit=unit, title=title, description=description, created_by=actor)
    study_list.target_units.set(targets)
    _require(StudyList.objects.visible_to(actor, "change"), study_list)
    after = snapshot(study_list, LIST_AUDIT_FIELDS) | {"target_units": _targets_snapshot(study_list)}
    audit_record(action=Action.STUDY_LIST_CREATE, target=study_list, changes=diff({}, after), actor=actor)
    return study_list


@transaction.atomic
def study_list_update(*, actor, study_list: StudyList, unit: Unit, title: str, target_units, description: str = "") -> StudyList:
    study_list = StudyList.objects.select_for_update().get(pk=study_list.pk)
    _require(StudyList.objects.visible_to(actor, "change"), study_list)
    _check_publisher(actor, unit)
    targets = _check_targets(unit, target_units)
    before = snapshot(study_list, LIST_AUDIT_FIELDS) | {"target_units": _targets_snapshot(study_list)}
    study_list.unit, study_list.title, study_list.description = unit, title, description
    study_list.save()
    study_list.target_units.set(targets)
    _require(StudyList.objects.visible_to(actor, "change"), study_list)
    changes = diff(before, snapshot(study_list, LIST_AUDIT_FIELDS) | {"target_units": _targets_snapshot(study_list)})
    if changes:
        audit_record(action=Action.STUDY_LIST_UPDATE, target=study_list, changes=changes, actor=actor)
    return study_list


@transaction.atomic
def study_list_publish(*, actor, study_list: StudyList) -> StudyList:
    """From now on the list reaches the people of its target units and its completion counts."""
    study_list = StudyList.objects.select_for_update().get(pk=study_list.pk)
    _require(StudyList.objects.visible_to(actor, "change"), study_list)
    if study_list.is_published:
        raise ValidationError("该学习清单已经发布。")
    if not study_list.items.exists():
        raise ValidationError("请先添加至少一项学习内容，再发布。")
    if not study_list.target_units.exists():
        raise ValidationError("请先选择下发单位，再发布。")
    study_list.status = ListStatus.PUBLISHED
    study_list.published_at = timezone.now()
    study_list.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        action=Action.STUDY_LIST_PUBLISH,
        target=study_list,
        actor=actor,
        changes={
            "status": [str(ListStatus.DRAFT.label), str(ListStatus.PUBLISHED.label)],
            "target_units": _targets_snapshot(study_list),
        },
    )
    return study_list


def _locked_list_for_change(actor, study_list_id: int) -> StudyList:
    study_list = StudyList.objects.select_for_update().get(pk=study_list_id)
    _require(StudyList.objects.visible_to(actor, "change"), study_list)
    return study_list


@transaction.atomic
def study_item_create(
    *,
    actor,
    study_list: StudyList,
    title: str,
    due_date: dt.date,
    required_hours: Decimal,
    material_type: str,
    source: str = "",
    order: int | None = None,
) -> StudyItem:
    study_list = _locked_list_for_change(actor, study_list.pk)
    if order is None:
        order = (study_list.items.count() + 1) * 10
    item = StudyItem.objects.create(
        study_list=study_list,
        title=title,
        due_date=due_date,
        required_hours=tenths(required_hours),
        material_type=material_type,
        source=source,
        order=order,
    )
    audit_record(
        action=Action.STUDY_LIST_UPDATE,
        target=item,
        actor=actor,
        changes=diff({}, snapshot(item, ITEM_AUDIT_FIELDS)) | {"study_list": study_list.title},
    )
    return item


@transaction.atomic
def study_item_update(
    *,
    actor,
    item: StudyItem,
    title: str,
    due_date: dt.date,
    required_hours: Decimal,
    material_type: str,
    source: str = "",
    order: int | None = None,
) -> StudyItem:
    """Items stay editable after publishing (a deadline extended, a link fixed); every change is audited."""
    _locked_list_for_change(actor, item.study_list_id)
    item = StudyItem.objects.get(pk=item.pk)
    before = snapshot(item, ITEM_AUDIT_FIELDS)
    item.title, item.due_date, item.required_hours = title, due_date, tenths(required_hours)
    item.material_type, item.source = material_type, source
    if order is not None:
        item.order = order
    item.save()
    changes = diff(before, snapshot(item, ITEM_AUDIT_FIELDS))
    if changes:
        audit_record(action=Action.STUDY_LIST_UPDATE, target=item, changes=changes, actor=actor)
    return item


@transaction.atomic
def study_item_delete(*, actor, item: StudyItem) -> None:
    """Only an item nobody has studied yet can go: logged hours are part of people's records."""
    study_list = _locked_list_for_change(actor, item.study_list_id)
    if StudyProgress.objects.filter(item=item).exists():
        raise ValidationError(f"已有人登记了“{item.title}”的学习进度，不能删除；可修改其内容或完成时限。")
    if study_list.is_published and study_list.items.count() <= 1:
        raise ValidationError("已发布的学习清单至少要保留一项学习内容。")
    audit_record(action=Action.STUDY_LIST_UPDATE, target=study_list, actor=actor, changes={"删除学习内容": [item.title, None]})
    item.delete()


# --- progress ---------------------------------------------------------------------------------


@transaction.atomic
def study_progress_log(*, actor, item: StudyItem, hours: Decimal, studied_on: dt.date, note: str = "") -> StudyProgress:
    """The actor logs hours they studied an item of a published list that reaches them.

    The form has checked each entry (0 < hours ≤ 24, one decimal, not in the future); here the
    person's whole day is checked, under a lock on the person so two entries sent at once cannot
    together exceed 24 hours.
    """
    person_id = _own_person_id(actor, "登记学习")
    hours = tenths(hours)
    _require(StudyItem.objects.reaching(person_id), item, "该学习内容没有下发给您。")
    if studied_on > timezone.localdate():
        raise ValidationError({"studied_on": "学习日期不能晚于今天。"})
    Person.objects.select_for_update().get(pk=person_id)
    logged = StudyProgress.objects.filter(person_id=person_id, studied_on=studied_on).aggregate(s=Sum("hours"))["s"] or Decimal(
        "0"
    )
    if logged + hours > MAX_HOURS_PER_DAY:
        raise ValidationError(
            {
                "hours": f"{studied_on.year}年{studied_on.month}月{studied_on.day}日已登记{hours_text(logged)}学时，"
                f"再加{hours_text(hours)}学时将超过每天24小时。"
            }
        )
    progress = StudyProgress.objects.create(
        item=item,
        person_id=person_id,
        hours=hours,
        studied_on=studied_on,
        note=note,
        created_by=actor,
    )
    _require(StudyProgress.objects.visible_to(actor), progress)
    audit_record(
        action=Action.STUDY_PROGRESS, target=progress, actor=actor, changes=diff({}, snapshot(progress, PROGRESS_AUDIT_FIELDS))
    )
    return progress


# --- plans ------------------------------------------------------------------------------------


def _step_text(step: StudyPlanItem) -> str:
    return f"{'☑' if step.done else '☐'} {step.text}" + (f"（{step.due_date.isoformat()}）" if step.due_date else "")


def _plan_snapshot(plan: StudyPlan) -> dict:
    return snapshot(plan, PLAN_AUDIT_FIELDS) | {"items": [_step_text(i) for i in plan.items.all()]}


@transaction.atomic
def study_plan_save(
    *,
    actor,
    plan: StudyPlan | None = None,
    year: int,
    title: str,
    goals: str = "",
    target_hours: Decimal = Decimal("0"),
    items: list[dict],
) -> StudyPlan:
    """Create the actor's plan, or save their changes to it. ``items`` ({text, due_date, done})
    replace the plan's steps as a whole, as the edit form shows them all at once."""
    if plan is None:
        plan = StudyPlan(person_id=_own_person_id(actor, "填写学习计划"))
        before = {}
    else:
        plan = StudyPlan.objects.select_for_update().get(pk=plan.pk)
        _require(StudyPlan.objects.visible_to(actor, "edit"), plan, "只有本人可以修改自己的学习计划。")
        before = _plan_snapshot(plan)
    plan.year, plan.title, plan.goals, plan.target_hours = year, title, goals, tenths(target_hours)
    plan.save()
    plan.items.all().delete()
    StudyPlanItem.objects.bulk_create(
        [
            StudyPlanItem(plan=plan, text=i["text"], due_date=i.get("due_date"), done=bool(i.get("done")), order=n)
            for n, i in enumerate(items, start=1)
        ]
    )
    _require(StudyPlan.objects.visible_to(actor, "edit"), plan)
    changes = diff(before, _plan_snapshot(plan))
    if changes:
        audit_record(action=Action.STUDY_PLAN_SAVE, target=plan, changes=changes, actor=actor)
    return plan


@transaction.atomic
def study_plan_item_toggle(*, actor, item: StudyPlanItem, done: bool) -> StudyPlanItem:
    plan = StudyPlan.objects.select_for_update().get(pk=item.plan_id)
    _require(StudyPlan.objects.visible_to(actor, "edit"), plan, "只有本人可以修改自己的学习计划。")
    item = StudyPlanItem.objects.get(pk=item.pk)
    if item.done != done:
        before = _step_text(item)
        item.done = done
        item.save(update_fields=["done"])
        audit_record(action=Action.STUDY_PLAN_SAVE, target=plan, actor=actor, changes={"items": [before, _step_text(item)]})
    return item


# --- notes ------------------------------------------------------------------------------------


@transaction.atomic
def study_note_save(
    *, actor, note: StudyNote | None = None, kind: str, title: str, body: str, item: StudyItem | None = None
) -> StudyNote:
    """A note or reflection of the actor's own, optionally on an item of a list that reaches them."""
    if note is None:
        note = StudyNote(person_id=_own_person_id(actor, "写学习笔记"))
        before = {}
    else:
        note = StudyNote.objects.select_for_update().get(pk=note.pk)
        _require(StudyNote.objects.visible_to(actor, "edit"), note, "只有本人可以修改自己的学习笔记。")
        before = snapshot(note, NOTE_AUDIT_FIELDS)
    kept = item is not None and note.item_id == item.pk  # a note keeps its item after its author moves
    if item is not None and not kept and not StudyItem.objects.reaching(note.person_id).filter(pk=item.pk).exists():
        raise ValidationError({"item": "所选学习内容没有下发给您。"})
    note.kind, note.title, note.body, note.item = kind, title, body, item
    note.save()
    _require(StudyNote.objects.visible_to(actor, "edit"), note)
    changes = diff(before, snapshot(note, NOTE_AUDIT_FIELDS))
    if "body" in changes:
        changes["body"] = [_shorten(v) for v in changes["body"]]
    if changes:
        audit_record(action=Action.STUDY_NOTE_SAVE, target=note, changes=changes, actor=actor)
    return note
