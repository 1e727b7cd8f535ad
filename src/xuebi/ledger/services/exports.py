"""The ledger as an .xlsx workbook in the layout of a paper 台账: one sheet per kind.

Each sheet: a title row “<单位>·<类型>台账（2026年1月1日—2026年12月31日）”, then the header 序号 /
日期 / 单位 / 记录人 / 参加人员 / the kind's own fields / 佐证材料 / 状态 / 审核人 / 审核时间, frozen
so it stays in view, and one row per record in date order. A kind's fields are the union of
the labels of every schema version its exported records were written with, in order, and each
record fills them from its own version — so a field added or dropped mid-year still lines up.

Only records visible to the exporter are written (``Record.objects.visible_to``); drafts never
are. Every export is audited with its filters and row count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import dates, xlsx
from xuebi.org.models import Unit
from xuebi.org.scoping import grants_of

from ..choices import FieldType, ParticipantRole, RecordStatus, StudyLevel
from ..models import REVIEW_ROLES, Participant, Record, RecordKind, RecordKindVersion
from ..schema import display_value

__all__ = ["MAX_ROWS", "ExportFile", "exported_records", "ledger_export", "build_workbook", "columns_for", "participants_text"]

MAX_ROWS = 50_000
XLSX = xlsx.CONTENT_TYPE

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
_WRAP = Alignment(vertical="top", wrap_text=True)
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

# Widths in characters; a CJK character is about two.
_WIDTH_BY_TYPE = {FieldType.TEXTAREA: 40, FieldType.TEXT: 22, FieldType.MULTICHOICE: 18, FieldType.FILE: 24}


@dataclass
class ExportFile:
    content: bytes
    filename: str
    rows: int


@dataclass(frozen=True)
class Column:
    label: str
    width: int


def columns_for(versions: list[RecordKindVersion]) -> list[tuple[str, int]]:
    """(label, width) of a kind's own fields across the given schema versions: the union of the
    labels, in the order they first appear from the oldest version to the newest."""
    seen: dict[str, int] = {}
    for version in sorted(versions, key=lambda v: v.version):
        for d in version.fields:
            if d["label"] not in seen:
                seen[d["label"]] = _WIDTH_BY_TYPE.get(d["type"], 14)
    return list(seen.items())


def _hours(value: Decimal) -> str:
    return format(value.normalize(), "f")


def participants_text(participants: list[Participant]) -> str:
    """“张三（主讲）、李四（2小时）、王五”: the presenter first, then in the order recorded."""
    ordered = sorted(participants, key=lambda p: (p.role != ParticipantRole.PRESENTER, p.pk))
    parts = []
    for p in ordered:
        notes = []
        if p.role == ParticipantRole.PRESENTER:
            notes.append("主讲")
        if p.hours is not None:
            notes.append(f"{_hours(p.hours)}小时")
        parts.append(f"{p.person.name}（{'，'.join(notes)}）" if notes else p.person.name)
    return "、".join(parts)


def _reviewed_at(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{dates.display(local.date())} {local:%H:%M}"


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub("", name)[:28] or "台账"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:26]}({n})", n + 1
    used.add(title)
    return title


def _record_row(index: int, record: Record, labels: list[str], evidence_names: dict[str, list[str]], with_level: bool) -> list:
    by_label: dict[str, list[str]] = defaultdict(list)
    for d in record.schema.fields:
        if d["type"] == FieldType.FILE:
            text = "、".join(evidence_names.get(d["key"], []))
        else:
            text = display_value(d, record.data.get(d["key"]))
        if text:
            by_label[d["label"]].append(text)
    reviewed = record.status in (RecordStatus.APPROVED, RecordStatus.RETURNED) and record.reviewed_by_id
    row = [
        index,
        dates.display(record.occurred_on),
        record.unit.name,
        record.author.name,
        participants_text(list(record.participants.all())),
    ]
    if with_level:
        row.append(str(StudyLevel(record.study_level).label) if record.study_level in StudyLevel.values else "")
    row += ["；".join(by_label.get(label, [])) for label in labels]
    row += [
        "、".join(evidence_names.get("", [])),
        record.get_status_display(),
        (record.reviewed_by.full_name or record.reviewed_by.username) if reviewed and record.reviewed_by else "",
        _reviewed_at(record.reviewed_at) if reviewed else "",
    ]
    return row


def _write_sheet(
    wb: Workbook,
    used: set[str],
    *,
    kind: RecordKind,
    records: list[Record],
    versions: list[RecordKindVersion],
    scope_label: str,
    date_from: dt.date,
    date_to: dt.date,
) -> None:
    ws = wb.create_sheet(_sheet_title(kind.name, used))
    fields = columns_for(versions) if versions else [(d["label"], _WIDTH_BY_TYPE.get(d["type"], 14)) for d in kind.fields]
    with_level = kind.has_study_level
    columns = [Column("序号", 6), Column("日期", 15), Column("单位", 20), Column("记录人", 10), Column("参加人员", 32)]
    if with_level:
        columns.append(Column("学习层级", 12))
    columns += [Column(label, width) for label, width in fields]
    columns += [Column("佐证材料", 20), Column("状态", 8), Column("审核人", 10), Column("审核时间", 18)]
    title = f"{scope_label}·{kind.name}台账（{dates.display(date_from)}—{dates.display(date_to)}）"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    ws.append([c.label for c in columns])
    for i, column in enumerate(columns, start=1):
        cell = ws.cell(2, i)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = column.width
    labels = [label for label, _ in fields]
    for index, record in enumerate(records, start=1):
        names: dict[str, list[str]] = defaultdict(list)
        for item in record.evidence.all():
            names[item.field_key].append(item.original_name)
        ws.append(_record_row(index, record, labels, names, with_level))
        for cell in ws[ws.max_row]:
            cell.border, cell.alignment = _BORDER, _WRAP
    if not records:
        ws.append(["（本期间没有符合条件的记录）"])
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def scope_label(actor, unit: Unit | None) -> str:
    """Whose ledger the title names: the chosen unit; else the units the exporter looks after;
    else (a cadre exporting their own) their name."""
    if unit is not None:
        return unit.name
    unit_ids = [unit_id for role, _path, unit_id in grants_of(actor) if role in REVIEW_ROLES and unit_id]
    if unit_ids:
        return "、".join(Unit.objects.filter(pk__in=unit_ids).values_list("name", flat=True))
    person = getattr(actor, "person", None)
    return f"{person.name}个人" if person else "本人"


def build_workbook(*, actor, records, kinds: list[RecordKind], unit: Unit | None, date_from: dt.date, date_to: dt.date) -> bytes:
    """Write the workbook for already-filtered ``records`` (a queryset). ``kinds`` fixes which
    sheets appear even when empty (a chosen kind); otherwise each kind with records gets one."""
    records = list(
        records.select_related("kind", "unit", "author", "reviewed_by", "schema")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("person").order_by("pk")), "evidence"
        )
        .order_by("kind__sort_order", "kind_id", "occurred_on", "pk")
    )
    by_kind: dict[int, list[Record]] = defaultdict(list)
    versions: dict[int, dict[int, RecordKindVersion]] = defaultdict(dict)
    kind_objs = {k.pk: k for k in kinds}
    for record in records:
        by_kind[record.kind_id].append(record)
        versions[record.kind_id][record.schema_id] = record.schema
        kind_objs.setdefault(record.kind_id, record.kind)
    label = scope_label(actor, unit)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    ordered = sorted(kind_objs.values(), key=lambda k: (k.sort_order, k.pk))
    for kind in ordered:
        _write_sheet(
            wb,
            used,
            kind=kind,
            records=by_kind.get(kind.pk, []),
            versions=list(versions[kind.pk].values()),
            scope_label=label,
            date_from=date_from,
            date_to=date_to,
        )
    if not ordered:
        ws = wb.create_sheet("台账")
        ws.append([f"{label}·台账（{dates.display(date_from)}—{dates.display(date_to)}）"])
        ws.append(["（本期间没有符合条件的记录）"])
        ws.column_dimensions["A"].width = 60
    return xlsx.save(wb)


def exported_records(
    *,
    actor,
    date_from: dt.date,
    date_to: dt.date,
    kind: RecordKind | None = None,
    unit: Unit | None = None,
    approved_only: bool = False,
):
    """The records an export with these filters writes: visible to ``actor``, of ``kind`` (or every
    kind), in ``unit``'s subtree (or the whole scope), dated ``date_from``..``date_to``."""
    if date_from > date_to:
        raise ValidationError({"date_to": "结束日期不能早于开始日期。"})
    records = Record.objects.visible_to(actor).filter(occurred_on__gte=date_from, occurred_on__lte=date_to)
    records = records.filter(status=RecordStatus.APPROVED) if approved_only else records.exclude(status=RecordStatus.DRAFT)
    if kind is not None:
        records = records.filter(kind=kind)
    if unit is not None:
        records = records.filter(unit__path__startswith=unit.path)
    return records


def ledger_export(
    *,
    actor,
    date_from: dt.date,
    date_to: dt.date,
    kind: RecordKind | None = None,
    unit: Unit | None = None,
    approved_only: bool = False,
) -> ExportFile:
    """The workbook of ``exported_records``; audited. ``unit`` must already be one the actor sees (the
    form, the API and the export job resolve it with ``visible_to``)."""
    records = exported_records(
        actor=actor, date_from=date_from, date_to=date_to, kind=kind, unit=unit, approved_only=approved_only
    )
    count = records.count()
    if count > MAX_ROWS:
        raise ValidationError(f"符合条件的记录有{count}条，超过单次导出上限{MAX_ROWS}条，请缩小单位或日期范围。")
    content = build_workbook(
        actor=actor, records=records, kinds=[kind] if kind else [], unit=unit, date_from=date_from, date_to=date_to
    )
    audit_record(
        action=Action.LEDGER_EXPORT,
        actor=actor,
        changes={
            "filters": {
                "kind": kind.name if kind else "全部类型",
                "unit": unit.name if unit else "全部（本人范围）",
                "date_from": date_from.isoformat(),
                "date_to": date_to.isoformat(),
                "approved_only": approved_only,
            },
            "rows": count,
        },
    )
    stem = f"{kind.name}台账" if kind else "台账"
    return ExportFile(content, f"{stem}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx", count)
