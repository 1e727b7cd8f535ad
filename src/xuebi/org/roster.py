"""The roster (花名册) as an .xlsx workbook: import, template and export.

Import is all-or-nothing: every row is validated with the same PersonForm the pages use; if any
row is bad, nothing is written and every problem is reported as (row, column, reason). Rows are
matched to existing people by 身份证号, so importing the same file twice changes nothing.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, snapshot

from . import services
from .choices import ETHNIC_GROUPS, Education, PersonStatus, PoliticalStatus, Sex
from .forms import PersonForm
from .models import Person, Unit

__all__ = ["COLUMNS", "ImportResult", "import_workbook", "template_workbook", "export_workbook"]

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    aliases: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for columns typed as labels
    required: bool = False
    width: int = 12


def _choices(text_choices) -> tuple[tuple[str, str], ...]:
    return tuple((str(v), str(label)) for v, label in text_choices.choices)


YES_NO = (("1", "是"), ("0", "否"))
COLUMNS = [
    Column("姓名", "name", required=True, width=10),
    Column("性别", "sex", choices=_choices(Sex), width=6),
    Column("民族", "ethnicity", choices=tuple((n, n) for n in ETHNIC_GROUPS), width=8),
    Column("出生日期", "birth_date", ("出生年月",), width=12),
    Column("身份证号", "id_number", ("公民身份号码", "身份证号码", "身份证"), required=True, width=21),
    Column("手机号码", "phone", ("手机号", "手机", "联系电话", "联系方式"), width=14),
    Column("所在单位", "unit", ("单位", "工作单位", "所在科室"), required=True, width=28),
    Column("职务", "position", ("现任职务",), width=12),
    Column("职级", "rank", width=12),
    Column("学历", "education", ("文化程度", "最高学历"), choices=_choices(Education), width=10),
    Column("政治面貌", "political_status", choices=_choices(PoliticalStatus), width=12),
    Column("入党日期", "joined_party_date", ("入党时间",), width=12),
    Column("转正日期", "full_member_date", ("转正时间",), width=12),
    Column("参加工作日期", "work_start_date", ("参加工作时间",), width=12),
    Column("组工干部", "is_org_cadre", ("是否组工干部",), choices=YES_NO, width=9),
]
_BY_HEADER = {name: col for col in COLUMNS for name in (col.header, *col.aliases)}
_TRUE = {"是", "1", "y", "yes", "true", "√", "✓"}
_FALSE = {"否", "0", "n", "no", "false", "×", ""}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _UnitResolver:
    """Find a unit from what people write: “组织股” when unique in scope, else “阿巴嘎旗委组织部/组织股”."""

    def __init__(self, user):
        self.units = list(Unit.objects.visible_to(user, "change").filter(is_active=True))
        self.by_path = {u.path: u for u in Unit.objects.filter(path__in={u.path[:i] for u in self.units for i in range(4, len(u.path) + 1, 4)})}

    def _names(self, unit: Unit) -> list[str]:
        return [self.by_path[unit.path[:i]].name for i in range(4, len(unit.path) + 1, 4) if unit.path[:i] in self.by_path]

    def resolve(self, text: str) -> Unit:
        parts = [p.strip() for p in text.replace("／", "/").replace(">", "/").split("/") if p.strip()]
        if not parts:
            raise ValidationError("请填写所在单位。")
        matches = []
        for unit in self.units:
            if unit.name != parts[-1] and unit.short_name != parts[-1]:
                continue
            names = self._names(unit)[:-1]
            # Every earlier part must name an ancestor, in order.
            it = iter(names)
            if all(any(p == n for n in it) for p in parts[:-1]):
                matches.append(unit)
        if not matches:
            raise ValidationError(f"找不到单位“{text}”，或该单位不在您的管理范围内。")
        if len(matches) > 1:
            options = "、".join("/".join(self._names(u)[-2:]) for u in matches[:4])
            raise ValidationError(f"单位“{text}”有多个同名单位，请写明上级单位，如：{options}。")
        return matches[0]


def _read_rows(file) -> tuple[list[str], list[tuple[int, tuple]]]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError("无法读取文件：请上传 Excel 2007 及以上版本的 .xlsx 文件。") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    for number, row in enumerate(rows, start=1):
        cells = [_text(c) for c in row]
        if "姓名" in cells and any(c in _BY_HEADER and _BY_HEADER[c].field == "id_number" for c in cells):
            body = [(n, r) for n, r in enumerate(rows, start=number + 1)]
            return cells, body
        if number >= 10:
            break
    raise ValidationError("未找到表头：第一张工作表的前10行中应有“姓名”和“身份证号”两列。请使用花名册模板。")


def import_workbook(file, *, user, filename: str = "") -> ImportResult:
    result = ImportResult()
    if getattr(file, "size", 0) > MAX_BYTES:
        result.errors.append(RowError(0, "", "文件超过10MB，请分批导入。"))
        return result
    try:
        headers, body = _read_rows(file)
    except ValidationError as exc:
        result.errors.append(RowError(0, "", exc.messages[0]))
        return result
    columns = {i: _BY_HEADER[h] for i, h in enumerate(headers) if h in _BY_HEADER}
    present = {c.field for c in columns.values()}
    for col in COLUMNS:
        if col.required and col.field not in present:
            result.errors.append(RowError(0, col.header, f"缺少必填列“{col.header}”。"))
    if result.errors:
        return result

    resolver = _UnitResolver(user)
    seen_ids: dict[str, int] = {}
    prepared: list[tuple[Person | None, dict]] = []
    for row_number, row in body:
        cells = {col.field: (row[i] if i < len(row) else None) for i, col in columns.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue  # blank lines are common in hand-kept sheets
        if len(prepared) >= MAX_ROWS:
            result.errors.append(RowError(row_number, "", f"一次最多导入{MAX_ROWS}行。"))
            break
        errors_before = len(result.errors)
        data, instance = _row_to_form_data(cells, row_number, resolver, user, seen_ids, result)
        if len(result.errors) > errors_before:
            continue
        form = PersonForm(data=data, instance=instance or Person(), user=user)
        if not form.is_valid():
            for name, messages in form.errors.items():
                header = next((c.header for c in COLUMNS if c.field == name), "")
                for message in messages:
                    result.errors.append(RowError(row_number, header, message))
            continue
        prepared.append((instance, form.person_values()))
    if not prepared and not result.errors:
        result.errors.append(RowError(0, "", "文件中没有人员数据。"))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for instance, values in prepared:
                if instance is None:
                    services.person_create(actor=user, values=values)
                    result.created += 1
                else:
                    before = snapshot(instance, services.PERSON_AUDIT_FIELDS)
                    person = services.person_update(actor=user, person=instance, values=values)
                    if snapshot(person, services.PERSON_AUDIT_FIELDS) != before:
                        result.updated += 1
                    else:
                        result.unchanged += 1
            audit_record(action=Action.ROSTER_IMPORT, changes={
                "file": filename, "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            })
    except (ValidationError, PermissionDenied) as exc:
        result.created = result.updated = result.unchanged = 0
        result.errors.append(RowError(0, "", "导入中止，未导入任何数据：" + "；".join(getattr(exc, "messages", [str(exc)]))))
    return result


def _row_to_form_data(cells, row_number, resolver, user, seen_ids, result) -> tuple[dict, Person | None]:
    data: dict = {}
    instance = None
    for col in COLUMNS:
        if col.field not in cells:
            continue
        raw = cells[col.field]
        text = _text(raw)
        if col.field == "unit":
            try:
                data["unit"] = resolver.resolve(text).pk if text else ""
            except ValidationError as exc:
                result.errors.append(RowError(row_number, col.header, exc.messages[0]))
        elif col.field == "id_number":
            if isinstance(raw, float) and not raw.is_integer() or (isinstance(raw, (int, float)) and len(text) != 18):
                result.errors.append(RowError(row_number, col.header, "身份证号被 Excel 当作数字保存而丢失了位数，请将该列设为“文本”格式后重新填写。"))
                continue
            data["id_number"] = text
            if text:
                key = Person.hash_id_number(text)
                if key in seen_ids:
                    result.errors.append(RowError(row_number, col.header, f"与第{seen_ids[key]}行的身份证号重复。"))
                    continue
                seen_ids[key] = row_number
                existing = Person.objects.filter(id_number_hash=key).first()
                if existing is not None:
                    if not Person.objects.visible_to(user, "change").filter(pk=existing.pk).exists():
                        result.errors.append(RowError(row_number, col.header, "该身份证号已登记在您管理范围以外的单位，请联系上级组织部门办理调动。"))
                        continue
                    instance = existing
            else:
                result.errors.append(RowError(row_number, col.header, "请填写身份证号（导入以身份证号识别人员）。"))
        elif col.field == "is_org_cadre":
            if text.lower() in _TRUE:
                data[col.field] = "on"
            elif text.lower() not in _FALSE:
                result.errors.append(RowError(row_number, col.header, f"“{text}”无法识别，请填写“是”或“否”。"))
        elif col.choices:
            if not text:
                continue
            by_label = {label: value for value, label in col.choices}
            by_value = {value: value for value, _label in col.choices}
            value = by_label.get(text) or by_value.get(text)
            if value is None and col.field == "sex" and text in {"男性", "女性"}:
                value = by_label[text[0]]
            if value is None:
                allowed = "、".join(label for _v, label in col.choices[:12]) + ("等" if len(col.choices) > 12 else "")
                result.errors.append(RowError(row_number, col.header, f"“{text}”不是可选值，可选：{allowed}。"))
            else:
                data[col.field] = value
        elif col.field.endswith("_date"):
            # Keep real date cells and serial numbers as they are: the form's date field reads both.
            data[col.field] = raw if raw is not None and not isinstance(raw, str) else text
        else:
            data[col.field] = text
    if "is_org_cadre" not in cells:
        data["is_org_cadre"] = "on"
    if instance is not None:
        # Columns the sheet does not have keep their stored values.
        form = PersonForm(instance=instance, user=user)
        for name in form.fields:
            if name not in cells and name not in data:
                initial = form.initial.get(name)
                data[name] = form.fields[name].prepare_value(initial) if initial is not None else ""
                if name == "is_org_cadre":
                    data[name] = "on" if instance.is_org_cadre else ""
    return data, instance


# --- template and export -----------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="C00000")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def _sheet_with_header(wb: Workbook, title: str):
    ws = wb.active
    ws.title = title
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.fill, cell.font = _HEADER_FILL, _HEADER_FONT
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"
    return ws


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """An empty roster with drop-down lists and a sheet of instructions."""
    wb = Workbook()
    ws = _sheet_with_header(wb, "花名册")
    lists = wb.create_sheet("可选值")
    for i, col in enumerate([c for c in COLUMNS if c.choices], start=1):
        lists.cell(row=1, column=i, value=col.header)
        for j, (_value, label) in enumerate(col.choices, start=2):
            lists.cell(row=j, column=i, value=label)
        letter = get_column_letter(i)
        target = get_column_letter(COLUMNS.index(col) + 1)
        dv = DataValidation(type="list", formula1=f"='可选值'!${letter}$2:${letter}${len(col.choices) + 1}", allow_blank=True)
        dv.error, dv.errorTitle = f"请从下拉列表中选择{col.header}", "输入有误"
        ws.add_data_validation(dv)
        dv.add(f"{target}2:{target}{MAX_ROWS + 1}")
    id_col = get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.field == "id_number"))
    phone_col = get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.field == "phone"))
    for letter in (id_col, phone_col):
        for row in range(2, 1002):
            ws[f"{letter}{row}"].number_format = "@"  # text, so Excel keeps all 18 digits
    notes = wb.create_sheet("填写说明")
    for line in [
        "1. 每行一人；姓名、身份证号、所在单位为必填项。身份证号列为文本格式，请勿改为数字。",
        "2. 日期可写作 2021-07-01、2021/7/1、2021.7.1、2021年7月1日，或只写到月（2021年7月）。",
        "3. 所在单位填写单位名称；有同名单位（如各旗县的“组织股”）时写明上级，如“阿巴嘎旗委组织部/组织股”。",
        "4. 性别、出生日期可不填，将从身份证号自动识别；填写时须与身份证号一致。",
        "5. 以身份证号识别人员：再次导入同一人会更新其信息，不会重复新增。",
        "6. 任何一行有误时整个文件都不会导入，系统会列出每处错误的行号、列名和原因。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return _save(wb)


def export_workbook(people) -> bytes:
    """The visible roster; 身份证号 and 手机号码 stay masked in the file."""
    wb = Workbook()
    ws = _sheet_with_header(wb, "花名册")
    for person in people.select_related("unit").iterator(chunk_size=500):
        row = []
        for col in COLUMNS:
            if col.field == "id_number":
                row.append(person.id_number_masked)
            elif col.field == "phone":
                row.append(person.phone_masked)
            elif col.field == "unit":
                row.append(person.unit.name)
            elif col.field.endswith("_date"):
                row.append(person.date_display(col.field))
            elif col.field == "is_org_cadre":
                row.append("是" if person.is_org_cadre else "否")
            elif col.choices:
                row.append(getattr(person, f"get_{col.field}_display")() if col.field != "ethnicity" else person.ethnicity)
            else:
                row.append(getattr(person, col.field))
        ws.append(row)
    return _save(wb)
