"""Checklist items in and out of .xlsx, the way departments keep them in Excel today.

Import is all or nothing, as the roster's: every row is checked (the list, the responsible unit by
name within the list's unit, the responsible person by name within that unit, the dates as people
type them, the rules of ``services.check_item``) and any problem is reported by row and column
with nothing written. Export writes the same columns (plus status and progress) through
``core.sheets``, so an exported sheet can be edited and imported as new items of another year."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import dates, sheets
from xuebi.core.sheets import ImportResult, RowError
from xuebi.org.choices import PersonStatus
from xuebi.org.models import Person, Unit

from . import services
from .models import ListKind, Priority, Supervision

__all__ = ["COLUMNS", "RowError", "ImportResult", "import_items", "template", "export"]

COLUMNS = ["清单", "事项", "内容和标准", "责任单位", "责任人", "责任领导", "开始日期", "完成时限", "优先级", "督办级别"]
REQUIRED = ["清单", "事项", "责任单位"]
MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 6
LISTS = {str(k.label): k.value for k in ListKind if k != ListKind.PLEDGE} | {
    "科室责任": "duty",
    "阶段任务": "task",
    "督查项目": "supervision",
}
PRIORITIES = {str(p.label): p.value for p in Priority}
SUPERVISIONS = {str(s.label): s.value for s in Supervision if s} | {"一般督办": "general", "重点督办": "key"}
FIELD_COLUMN = {
    "kind": "清单",
    "title": "事项",
    "responsible_unit": "责任单位",
    "responsible_person": "责任人",
    "leader": "责任领导",
    "start_date": "开始日期",
    "due_date": "完成时限",
    "priority": "优先级",
    "supervision": "督办级别",
    "unit": "责任单位",
}


def _text(value) -> str:
    return sheets.cell_text(value)


class _Units:
    """Units by name (or short name) within the list's unit."""

    def __init__(self, top: Unit):
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in Unit.objects.filter(path__startswith=top.path, is_active=True):
            for name in {unit.name, unit.short_name} - {""}:
                self.by_name[name].append(unit)

    def find(self, name: str) -> Unit:
        found = self.by_name.get(name, [])
        if not found:
            raise ValidationError(f"没有名为“{name}”的单位（须是本单位或下属单位）。")
        if len(found) > 1:
            raise ValidationError(f"有 {len(found)} 个单位名为“{name}”，请写所属单位的全称，或把事项分开导入到各单位。")
        return found[0]


def _person(name: str, unit: Unit) -> Person | None:
    if not name:
        return None
    people = list(
        Person.objects.filter(name=name, unit__path__startswith=unit.path, status=PersonStatus.ACTIVE).select_related("unit")[:3]
    )
    if not people:
        raise ValidationError(f"{unit.name}没有在职人员“{name}”。")
    if len(people) > 1:
        raise ValidationError(f"{unit.name}有 {len(people)} 位“{name}”，请把责任单位写到股室，以区分同名的人。")
    return people[0]


def _date(value) -> dt.date | None:
    parsed = dates.parse(value, allow_partial=False)
    return parsed.date if parsed else None


def _pick(text: dict, column: str, table: dict, number: int, errors: list, default: str = "") -> str:
    """The code of a choice written in words, or ``default`` (with the row's error when unknown)."""
    if not text[column]:
        return default
    if text[column] not in table:
        errors.append(RowError(number, column, f"“{text[column]}”不是可选的值（{'、'.join(sorted(set(table)))}）。"))
        return default
    return table[text[column]]


def import_items(file, *, user, unit: Unit | None) -> ImportResult:
    """Check every row, then create all the items in one transaction, or none."""
    result = ImportResult()
    if unit is None or not services.administers(user, unit):
        result.errors.append(RowError(0, "", "请选择本人管理的单位：导入的事项是这个单位的清单。"))
        return result
    table = sheets.read_for_import(
        file,
        result,
        columns=COLUMNS,
        header_has=["事项", "责任单位"],
        required=REQUIRED,
        max_rows=MAX_ROWS,
        noun="事项",
        measure="项",
        search_rows=HEADER_SEARCH_ROWS,
    )
    if table is None:
        return result
    _header, columns, body = table
    units, planned = _Units(unit), []
    for number, values in body:
        cell = {name: values[i] if i < len(values) else None for name, i in columns.items()}
        text = {name: _text(cell.get(name)) for name in COLUMNS}
        errors: list[RowError] = []
        kind = _pick(text, "清单", LISTS, number, errors)
        priority = _pick(text, "优先级", PRIORITIES, number, errors, Priority.NORMAL)
        supervision = _pick(text, "督办级别", SUPERVISIONS, number, errors)
        responsible_unit = person = None
        try:
            responsible_unit = units.find(text["责任单位"]) if text["责任单位"] else None
            if responsible_unit is not None:
                person = _person(text["责任人"], responsible_unit)
        except ValidationError as exc:
            errors.append(RowError(number, "责任人" if responsible_unit else "责任单位", exc.messages[0]))
        day = {}
        for column in ("开始日期", "完成时限"):
            try:
                day[column] = _date(cell.get(column))
            except ValidationError as exc:
                errors.append(RowError(number, column, exc.messages[0]))
                day[column] = None
        data = services.ItemData(
            kind=kind or "",
            unit=unit,
            title=text["事项"],
            description=_text(cell.get("内容和标准")),
            responsible_unit=responsible_unit,
            responsible_person=person,
            leader=text["责任领导"],
            start_date=day["开始日期"],
            due_date=day["完成时限"],
            priority=priority,
            supervision=supervision,
        )
        if not errors:
            for name, message in services.check_item(user, data).items():
                errors.append(RowError(number, FIELD_COLUMN.get(name, ""), message))
        result.errors += errors
        planned.append(data)
    if result.errors:
        return result
    with transaction.atomic():
        for data in planned:
            services.save_item(actor=user, data=data)
        audit_record(action=Action.CHECKLIST_IMPORT, target=unit, changes={"事项数": [0, len(planned)]})
    result.created = len(planned)
    return result


def template() -> bytes:
    wb = sheets.new_workbook()
    sheets.table_sheet(
        wb,
        "清单事项",
        title="清单事项导入模板",
        subtitle="清单填：科室责任清单 / 阶段任务清单 / 督查项目清单；督办级别只填督查项目（一般 / 重点 / 挂牌督办）",
        header=COLUMNS,
        rows=[
            [
                "阶段任务清单",
                "报送第四季度组织生活会情况",
                "12月底前报送书面材料",
                "组织股",
                "",
                "副部长",
                "",
                "2026-12-25",
                "重要",
                "",
            ],
            ["督查项目清单", "软弱涣散基层党组织整顿", "", "组织股", "", "", "2026-10-01", "2026-12-31", "紧急", "挂牌督办"],
        ],
        widths=[14, 30, 30, 16, 10, 12, 12, 12, 8, 10],
        landscape=True,
    )
    return sheets.workbook_bytes(wb)


def export(rows, *, title: str, today: dt.date) -> bytes:
    wb = sheets.new_workbook()
    sheets.table_sheet(
        wb,
        "清单事项",
        title=title,
        subtitle=sheets.drawn_up(today),
        header=[*COLUMNS, "状态", "完成进度（%）", "销号日期"],
        rows=(
            [
                item.get_kind_display(),
                item.title,
                item.description,
                item.responsible_unit.name,
                item.responsible_person.name if item.responsible_person_id else "",
                item.leader,
                dates.display(item.start_date) if item.start_date else "",
                dates.display(item.due_date) if item.due_date else "",
                item.get_priority_display(),
                item.get_supervision_display() if item.supervision else "",
                item.get_status_display() + ("（逾期）" if item.is_overdue(today) else ""),
                item.percent,
                dates.display(item.closed_on) if item.closed_on else "",
            ]
            for item in rows
        ),
        widths=[14, 30, 30, 16, 10, 12, 12, 12, 8, 10, 10, 10, 12],
        landscape=True,
    )
    return sheets.workbook_bytes(wb)
