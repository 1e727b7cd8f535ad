"""Every write to 组工信息: an item saved (as a draft, or 报送), changed, withdrawn; an adoption
recorded (采用, by the league department) or undone. Each checks the writer's reach inside the
transaction, audits, and — for adoptions — tells the points engine (``events``).

An item's life: draft → submitted (报送) → withdrawn (撤回). A draft or a submitted item is changed
by its submitter or its unit's admins until it is adopted; an adopted item is fixed (its length
counts for the points) until the adoption is undone. Withdrawing an adopted item is refused.

Separation of duties: nobody records (or undoes) the adoption of an item they submitted or wrote.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot
from xuebi.core.formatting import date_text
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.models import Person, Unit
from xuebi.org.permissions import require_in_scope
from xuebi.org.scoping import has_role

from . import conf, events
from .models import Adoption, InfoAuthor, InfoItem, Instruction, ItemStatus, Length, text_length
from .selectors import submit_units

__all__ = ["item_save", "item_withdraw", "item_delete", "adoption_record", "adoption_undo", "MAX_AUTHORS"]

MAX_AUTHORS = 10
AUDITED = ["unit", "title", "submitted_on", "status", "chars"]
WRITERS = (Role.CADRE, *ADMIN_ROLES)


def _check_item(actor, *, unit, title: str, text: str, submitted_on, authors: list[Person]) -> tuple[str, str]:
    errors: dict[str, str] = {}
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        errors["title"] = "请填写标题。"
    elif len(title) > 200:
        errors["title"] = "标题不能超过200个字。"
    if not text:
        errors["text"] = "请填写正文。"
    if submitted_on is None:
        errors["submitted_on"] = "请填写报送日期。"
    elif submitted_on > timezone.localdate():
        errors["submitted_on"] = "报送日期不能晚于今天。"
    if unit is None or not submit_units(actor).filter(pk=unit.pk).exists():
        errors["unit"] = "报送单位应为您所在的旗县市区委组织部（或盟委组织部的科室）。"
    if not authors:
        errors["authors"] = "请至少选择一位作者。"
    elif len({a.pk for a in authors}) != len(authors):
        errors["authors"] = "作者重复。"
    elif len(authors) > MAX_AUTHORS:
        errors["authors"] = f"作者不能超过{MAX_AUTHORS}人。"
    else:
        reachable = set(
            Person.objects.visible_to(actor, "pick").filter(pk__in=[a.pk for a in authors]).values_list("pk", flat=True)
        )
        outside = [a.name for a in authors if a.pk not in reachable]
        if outside:
            errors["authors"] = f"作者“{'、'.join(outside)}”不在您可以选择的人员范围内。"
    if errors:
        raise ValidationError(errors)
    return title, text


def _set_authors(item: InfoItem, authors: list[Person]) -> None:
    item.author_rows.all().delete()
    InfoAuthor.objects.bulk_create(
        [InfoAuthor(item=item, person=p, unit_id=p.unit_id, sort_order=i) for i, p in enumerate(authors)]
    )


def _author_names(item: InfoItem) -> str:
    return "、".join(row.person.name for row in item.author_rows.select_related("person"))


@transaction.atomic
def item_save(
    *,
    actor,
    unit: Unit | None,
    title: str,
    text: str,
    submitted_on: dt.date | None,
    authors: list[Person],
    submit: bool = False,
    item: InfoItem | None = None,
) -> InfoItem:
    """Create an item (``item`` None) or change one; ``submit``: 报送 it (a submitted item stays
    submitted when changed)."""
    if not has_role(actor, *WRITERS):
        raise PermissionDenied("您的角色不能报送组工信息。")
    before: dict = {}
    if item is not None:
        item = InfoItem.objects.select_for_update().get(pk=item.pk)
        require_in_scope(actor, item, "change")
        if item.status == ItemStatus.WITHDRAWN:
            raise ValidationError("该信息已撤回，不能再修改。")
        if item.adoptions.standing().exists():
            raise ValidationError("该信息已被采用，不能再修改；如需更正，请盟委组织部先撤销采用登记。")
        before = {**snapshot(item, AUDITED), "authors": _author_names(item)}
    title, text = _check_item(actor, unit=unit, title=title, text=text, submitted_on=submitted_on, authors=authors)
    assert unit is not None and submitted_on is not None  # ``_check_item`` refuses them missing
    item = item or InfoItem(submitted_by=actor)
    was = item.status if item.pk else None
    item.unit, item.title, item.text, item.submitted_on = unit, title, text, submitted_on
    item.chars = text_length(text)
    if submit:
        item.status = ItemStatus.SUBMITTED
    item.save()
    _set_authors(item, authors)
    require_in_scope(actor, item, "change")
    submitted = item.status == ItemStatus.SUBMITTED and was != ItemStatus.SUBMITTED
    audit_record(
        action=Action.ORGINFO_SUBMIT if submitted else Action.ORGINFO_SAVE,
        actor=actor,
        target=item,
        changes=diff(before, {**snapshot(item, AUDITED), "authors": "、".join(a.name for a in authors)}),
    )
    return item


@transaction.atomic
def item_withdraw(*, actor, item: InfoItem) -> InfoItem:
    """撤回: the item leaves the ranking. Refused once it is adopted."""
    item = InfoItem.objects.select_for_update().get(pk=item.pk)
    require_in_scope(actor, item, "change")
    if item.status == ItemStatus.WITHDRAWN:
        raise ValidationError("该信息已经撤回。")
    if item.adoptions.standing().exists():
        raise ValidationError("该信息已被采用，不能撤回；如登记有误，请盟委组织部先撤销采用登记。")
    before = snapshot(item, AUDITED)
    item.status = ItemStatus.WITHDRAWN
    item.save(update_fields=["status", "updated_at"])
    audit_record(action=Action.ORGINFO_WITHDRAW, actor=actor, target=item, changes=diff(before, snapshot(item, AUDITED)))
    return item


@transaction.atomic
def item_delete(*, actor, item: InfoItem) -> None:
    """A draft (never sent) may be deleted by whoever may change it; a sent item is withdrawn instead."""
    item = InfoItem.objects.select_for_update().get(pk=item.pk)
    require_in_scope(actor, item, "change")
    if item.status != ItemStatus.DRAFT:
        raise ValidationError("只能删除草稿；已报送的信息请撤回。")
    audit_record(
        action=Action.ORGINFO_DELETE,
        actor=actor,
        target=item,
        changes={k: [v, None] for k, v in {**snapshot(item, AUDITED), "authors": _author_names(item)}.items()},
    )
    item.delete()


def _require_recorder(actor, item: InfoItem) -> None:
    """A league admin, who neither submitted nor wrote the item (separation of duties)."""
    if not has_role(actor, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟委组织部（盟级管理员）可以登记组工信息的采用情况。")
    if not InfoItem.objects.visible_to(actor, "adopt").filter(pk=item.pk).exists():
        raise PermissionDenied("超出您的管理范围。")
    if item.submitted_by_id == actor.pk:
        raise PermissionDenied("不能登记本人报送的信息的采用情况（职责分离），请由其他管理员登记。")
    if actor.person_id and item.author_rows.filter(person_id=actor.person_id).exists():
        raise PermissionDenied("不能登记本人撰写的信息的采用情况（职责分离），请由其他管理员登记。")


def _outlet_list() -> str:
    return "、".join(o.label for o in conf.outlets())


@transaction.atomic
def adoption_record(
    *,
    actor,
    item: InfoItem,
    outlet: str,
    adopted_on: dt.date | None,
    length: str = "",
    instruction: str = "",
    note: str = "",
) -> Adoption:
    """采用: ``outlet`` (a code of ``conf.outlets``) took the item on ``adopted_on``. ``length``
    empty: from the text (``conf.long_from`` characters or more → 长篇); given, the admin's word.
    The adoption's points go to the authors through the engine (``events.adoption_recorded``)."""
    item = InfoItem.objects.select_for_update().get(pk=item.pk)
    _require_recorder(actor, item)
    if item.status != ItemStatus.SUBMITTED:
        raise ValidationError(f"只有已报送的信息可以登记采用，该信息为“{item.get_status_display()}”。")
    errors: dict[str, str] = {}
    found = conf.outlet(outlet or "")
    if found is None:
        errors["outlet"] = f"请选择采用级别：{_outlet_list()}。"
    elif item.adoptions.standing().filter(outlet=found.code).exists():
        earlier = item.adoptions.standing().get(outlet=found.code)
        errors["outlet"] = f"该信息已登记被“{found.label}”采用（{date_text(earlier.adopted_on)}）；如需更改，请先撤销原登记。"
    default = item.default_length
    if length and length not in Length.values:
        errors["length"] = "篇幅应为长篇或短篇；留空则按字数自动判断。"
    if instruction and instruction not in Instruction.values:
        errors["instruction"] = f"领导批示应为{'、'.join(str(c.label) for c in Instruction)}之一，没有批示请留空。"
    if adopted_on is None:
        errors["adopted_on"] = "请填写采用日期。"
    elif adopted_on > timezone.localdate():
        errors["adopted_on"] = "采用日期不能晚于今天。"
    elif adopted_on < item.submitted_on:
        errors["adopted_on"] = f"采用日期不能早于报送日期（{date_text(item.submitted_on)}）。"
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = "备注不能超过200个字。"
    if errors:
        raise ValidationError(errors)
    assert found is not None and adopted_on is not None  # refused above when missing
    adoption = Adoption.objects.create(
        item=item,
        outlet=found.code,
        length=length or default,
        length_overridden=bool(length) and length != default,
        instruction=instruction or "",
        adopted_on=adopted_on,
        note=note,
        recorded_by=actor,
    )
    audit_record(
        action=Action.ORGINFO_ADOPT,
        actor=actor,
        target=item,
        changes={
            "adoption": [None, adoption.pk],
            "outlet": [None, found.label],
            "length": [None, str(Length(adoption.length).label) + ("（管理员指定）" if adoption.length_overridden else "")],
            "instruction": [None, adoption.get_instruction_display() or "无"],
            "adopted_on": [None, adopted_on.isoformat()],
        },
    )
    events.adoption_recorded.send(sender=Adoption, adoption=adoption, actor=actor)
    return adoption


@transaction.atomic
def adoption_undo(*, actor, adoption: Adoption, reason: str) -> Adoption:
    """Undo a wrongly recorded adoption: the row stays (marked undone, with who and why) and its
    points are reversed in the journal (``events.adoption_undone``)."""
    reason = (reason or "").strip()
    adoption = Adoption.objects.select_for_update().select_related("item").get(pk=adoption.pk)
    _require_recorder(actor, adoption.item)
    if not reason:
        raise ValidationError({"reason": "请填写撤销的原因。"})
    if len(reason) > 200:
        raise ValidationError({"reason": "撤销原因不能超过200个字。"})
    if adoption.undone_at is not None:
        raise ValidationError("该采用登记已经撤销。")
    adoption.undone_at, adoption.undone_by, adoption.undo_reason = timezone.now(), actor, reason
    adoption.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    audit_record(
        action=Action.ORGINFO_UNDO,
        actor=actor,
        target=adoption.item,
        changes={"adoption": [adoption.pk, None], "outlet": [adoption.outlet_label, None], "reason": [None, reason]},
    )
    events.adoption_undone.send(sender=Adoption, adoption=adoption, actor=actor, reason=reason)
    return adoption
