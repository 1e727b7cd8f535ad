"""Writes of the 光荣在党50年纪念章: recording medals given (with the date and the unit that gave
them) and taking one back when it was recorded by mistake. Both check the writer's reach inside the
transaction and are audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, audit_record_many
from xuebi.core import sheets
from xuebi.core.formatting import date_text

from .. import medals, party
from ..models import MedalIssue, MedalKind, Person, Unit
from ..permissions import require_in_scope

__all__ = ["medals_issue", "medal_undo", "medals_workbook"]

MAX_AT_ONCE = 2000


@transaction.atomic
def medals_issue(*, actor, person_ids: list[int], issued_on: dt.date, unit: Unit, cutoff: dt.date) -> list[MedalIssue]:
    """Record the medal as given to each person: they must be in the actor's reach, qualify by
    ``cutoff`` and not have it yet — else nothing is written and the message names them."""
    if not person_ids:
        raise ValidationError({"person_ids": "请勾选要登记颁发的人员。"})
    if len(person_ids) > MAX_AT_ONCE:
        raise ValidationError({"person_ids": f"一次最多登记{MAX_AT_ONCE}人。"})
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "颁发日期不能晚于今天。"})
    if not Unit.objects.visible_to(actor, "change").filter(pk=unit.pk).exists():
        raise ValidationError({"unit_id": "颁发单位应在您的管理范围内。"})
    wanted = set(person_ids)
    people = {p.pk: p for p in Person.objects.visible_to(actor, "change").select_for_update().filter(pk__in=wanted)}
    if missing := wanted - people.keys():
        raise ValidationError({"person_ids": f"有{len(missing)}人不存在或不在您的管理范围内。"})
    qualifying = {c.person.pk: c for c in medals.candidates(actor, cutoff) if c.person.pk in wanted}
    if refused := [people[pk].name for pk in person_ids if pk not in qualifying]:
        raise ValidationError(
            {
                "person_ids": f"{'、'.join(refused[:10])}{'等' if len(refused) > 10 else ''}截至{cutoff.year}年{cutoff.month}月{cutoff.day}日党龄不满{party.MEDAL_YEARS}年，或不是健在的中共党员。"
            }
        )
    if given := [qualifying[pk].person.name for pk in person_ids if qualifying[pk].medal is not None]:
        raise ValidationError(
            {"person_ids": f"{'、'.join(given[:10])}{'等' if len(given) > 10 else ''}已登记颁发，不能重复登记。"}
        )
    rows = MedalIssue.objects.bulk_create(
        [
            MedalIssue(
                person_id=pk, kind=MedalKind.FIFTY_YEARS, year=cutoff.year, issued_on=issued_on, unit=unit, created_by=actor
            )
            for pk in person_ids
        ]
    )
    audit_record_many(
        action=Action.MEDAL_ISSUE,
        actor=actor,
        targets=[
            (people[row.person_id], {"medal": [None, f"光荣在党50年纪念章（{issued_on:%Y-%m-%d}，{unit.name}）"]}) for row in rows
        ],
    )
    return rows


@transaction.atomic
def medal_undo(*, actor, medal: MedalIssue) -> None:
    medal = MedalIssue.objects.select_for_update().select_related("person", "unit").get(pk=medal.pk)
    require_in_scope(actor, medal, "change")
    audit_record(
        action=Action.MEDAL_UNDO,
        actor=actor,
        target=medal.person,
        changes={"medal": [f"光荣在党50年纪念章（{medal.issued_on:%Y-%m-%d}，{medal.unit.name}）", None]},
    )
    medal.delete()


def medals_workbook(actor, found: list[medals.Candidate], cutoff: dt.date) -> bytes:
    """The list as an .xlsx (the cells through ``core.sheets``, neutralised against formulas); audited."""
    wb = sheets.new_workbook()
    rows = [
        [
            i,
            c.person.name,
            c.unit_label,
            c.person.get_sex_display(),
            c.person.date_display("birth_date"),
            c.person.date_display("joined_party_date"),
            c.full_member_text,
            c.years,
            c.person.get_status_display(),
            f"{c.medal.issued_on:%Y-%m-%d} {c.medal.unit.name}" if c.medal else "未颁发",
        ]
        for i, c in enumerate(found, start=1)
    ]
    sheets.table_sheet(
        wb,
        "光荣在党50年",
        title="光荣在党50年纪念章名单",
        subtitle=f"党龄算至{date_text(cutoff)}，共{len(found)}人　{sheets.drawn_up(timezone.localdate())}",
        header=["序号", "姓名", "单位", "性别", "出生日期", "入党日期", "转正日期", "党龄（年）", "状态", "颁发情况"],
        rows=rows,
        widths=[6, 10, 34, 6, 14, 14, 14, 10, 8, 28],
        landscape=True,
    )
    audit_record(
        action=Action.MEDAL_EXPORT, actor=actor, changes={"rows": [None, len(found)], "cutoff": [None, cutoff.isoformat()]}
    )
    return sheets.workbook_bytes(wb)
