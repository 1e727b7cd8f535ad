"""The roster (花名册) as an .xlsx workbook: import, template and export.

Import is all-or-nothing: every row is validated with the same PersonForm the pages use; if any
row is bad, nothing is written and every problem is reported as (row, column, reason). Rows are
matched to existing people by 身份证号, so importing the same file twice changes nothing.

Real rosters are kept by hand in Excel or WPS, so the reader is forgiving about what people do
to a sheet: a title row above the header, “姓 名” with a space, 工作单位 and 所在科室 as two
columns, dates typed into number cells (2021.07 → a float, 2021 → an integer), “汉” for 汉族.
It is strict about what would silently corrupt data: an 18-digit 身份证号 that Excel turned into
a number has lost its last digits and is refused.

It is bounded before it reads: the file (10 MB), what its zip unpacks to (``core.xlsx.
check_package``: XUEBI_IMPORT_MAX_UNZIPPED_MB in all, 10 MB of shared strings), the rows read,
blank ones included (20,000), and the people imported at once (5000). openpyxl reads in
read-only mode, streaming the sheet.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import dates, idcard, xlsx

from . import services
from .choices import ETHNIC_GROUPS, Education, PoliticalStatus, Sex
from .forms import PERSON_FIELDS, PersonForm
from .models import Person, Unit

__all__ = ["COLUMNS", "ImportResult", "RowError", "import_workbook", "template_workbook", "export_workbook"]

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
# Rows read from the sheet, blank ones included: a sheet can hold a million empty <row>s.
MAX_SHEET_ROWS = 20_000
# openpyxl keeps every shared string in memory (about four times its XML); a roster of 5000
# people has 1–3 MB of them. The whole package is bounded by XUEBI_IMPORT_MAX_UNZIPPED_MB.
MAX_SHARED_STRINGS = 10 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    aliases: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for columns typed as labels
    required: bool = False
    width: int = 12
    synonyms: tuple[tuple[str, str], ...] = ()  # (what people write, value) besides the labels


def _choices(text_choices) -> tuple[tuple[str, str], ...]:
    return tuple((str(v), str(label)) for v, label in text_choices.choices)


YES_NO = (("1", "是"), ("0", "否"))
_SEX_WORDS = (("男性", Sex.MALE), ("女性", Sex.FEMALE))
_ETHNIC_WORDS = tuple((name.removesuffix("族"), name) for name in ETHNIC_GROUPS)  # 汉 → 汉族, 蒙古 → 蒙古族
_EDUCATION_WORDS = (
    ("硕士", Education.POSTGRADUATE), ("博士", Education.POSTGRADUATE), ("硕士研究生", Education.POSTGRADUATE),
    ("博士研究生", Education.POSTGRADUATE), ("本科", Education.BACHELOR), ("大学", Education.BACHELOR),
    ("专科", Education.COLLEGE), ("大专", Education.COLLEGE), ("中技", Education.SECONDARY),
    ("初中", Education.JUNIOR), ("小学", Education.JUNIOR),
)
_POLITICAL_WORDS = (
    ("党员", PoliticalStatus.MEMBER), ("中国共产党党员", PoliticalStatus.MEMBER),
    ("预备党员", PoliticalStatus.PROBATIONARY), ("团员", PoliticalStatus.LEAGUE), ("无党派", PoliticalStatus.INDEPENDENT),
)
COLUMNS = [
    Column("姓名", "name", required=True, width=10),
    Column("性别", "sex", choices=_choices(Sex), width=6, synonyms=_SEX_WORDS),
    Column("民族", "ethnicity", choices=tuple((n, n) for n in ETHNIC_GROUPS), width=8, synonyms=_ETHNIC_WORDS),
    Column("出生日期", "birth_date", ("出生年月",), width=12),
    Column("身份证号", "id_number", ("公民身份号码", "身份证号码", "身份证"), required=True, width=21),
    Column("手机号码", "phone", ("手机号", "手机", "联系电话", "联系方式"), width=14),
    Column("所在单位", "unit", ("单位", "工作单位", "所在科室"), required=True, width=28),
    Column("职务", "position", ("现任职务",), width=12),
    Column("职级", "rank", width=12),
    Column("学历", "education", ("文化程度", "最高学历"), choices=_choices(Education), width=10, synonyms=_EDUCATION_WORDS),
    Column("政治面貌", "political_status", choices=_choices(PoliticalStatus), width=12, synonyms=_POLITICAL_WORDS),
    Column("入党日期", "joined_party_date", ("入党时间",), width=12),
    Column("转正日期", "full_member_date", ("转正时间",), width=12),
    Column("参加工作日期", "work_start_date", ("参加工作时间",), width=12),
    Column("组工干部", "is_org_cadre", ("是否组工干部",), choices=YES_NO, width=9),
]
_BY_FIELD = {col.field: col for col in COLUMNS}
_BY_HEADER = {name: col for col in COLUMNS for name in (col.header, *col.aliases)}
_TRUE = {"是", "1", "y", "yes", "true", "√", "✓"}
_FALSE = {"否", "0", "n", "no", "false", "×", ""}


@dataclass
class RowError:
    row: int  # the sheet's row number as Excel shows it; 0 for a problem of the whole file
    column: str  # the column's header as written in the file
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


def _header_key(value) -> str:
    """“姓 名”, “身份证号\\n”, “*姓名”, “姓名：” all read as 姓名."""
    return "".join(_text(value).split()).strip("*＊:：")


def _date_value(raw):
    """What a date cell hands to the form's date field.

    A date typed into a cell that Excel took for a number arrives as one: 2021.07 (a float),
    2021 or 20210701 (integers). No roster date lies in 1905, so such numbers are read as
    what was typed, not as Excel serial numbers; any other number is a serial number."""
    if raw is None or isinstance(raw, (dt.date, dt.datetime)):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if float(raw).is_integer():
            number = int(raw)
            if 1900 <= number <= 2100 or 19000101 <= number <= 21001231:
                return str(number)
            return number
        if 1900 <= int(raw) <= 2100:
            return repr(float(raw))  # 2021.07 → "2021.07" → 2021年7月
        return raw
    return _text(raw)


_DECIMALS = re.compile(r"^0\.(0+)$")


def _cell_value(cell):
    """The cell's value; a decimal number formatted “0.00” as the text Excel shows (2021.10, not 2021.1)."""
    value = cell.value
    if isinstance(value, float) and not value.is_integer():
        if m := _DECIMALS.match(getattr(cell, "number_format", None) or ""):
            return f"{value:.{len(m[1])}f}"
    return value


class _UnitResolver:
    """Find a unit from what people write: “组织股” when unique in scope, else “阿巴嘎旗委组织部/组织股”
    (or run together, “阿巴嘎旗委组织部组织股”, as many rosters write 工作单位)."""

    def __init__(self, user):
        self.units = list(Unit.objects.visible_to(user, "change").filter(is_active=True))
        step = Unit.steplen
        self.by_path = {u.path: u for u in Unit.objects.filter(path__in={u.path[:i] for u in self.units for i in range(step, len(u.path) + 1, step)})}

    def _names(self, unit: Unit) -> list[str]:
        step = Unit.steplen
        return [self.by_path[unit.path[:i]].name for i in range(step, len(unit.path) + 1, step) if unit.path[:i] in self.by_path]

    def resolve(self, text: str) -> Unit:
        parts = [p.strip() for p in text.replace("／", "/").replace(">", "/").replace("＞", "/").split("/") if p.strip()]
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
        if not matches and len(parts) == 1:
            for unit in self.units:
                names = self._names(unit)
                if any("".join(names[-k:]) == parts[0] for k in range(2, len(names) + 1)):
                    matches.append(unit)
        if not matches:
            raise ValidationError(f"找不到单位“{text}”，或该单位不在您的管理范围内。")
        if len(matches) > 1:
            options = "、".join("/".join(self._names(u)[-2:]) for u in matches[:4])
            raise ValidationError(f"单位“{text}”有多个同名单位，请写明上级单位，如：{options}。")
        return matches[0]


def _read_rows(file) -> tuple[int, dict[int, str], list[tuple[int, list]]]:
    """(header row number, {column index: header as written}, [(row number, values)] of the non-blank rows below)."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(xlsx.NOT_XLSX) from None
    too_long = False
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong <dimension>; read the cells that are there instead.
        sheet.reset_dimensions()
        header_row, headers, body = 0, {}, []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_SHEET_ROWS:
                too_long = True
                break
            values = [_cell_value(c) for c in row]
            if not header_row:
                keys = [_header_key(v) for v in values]
                if "姓名" in keys and any(_BY_HEADER.get(k) is _BY_FIELD["id_number"] for k in keys):
                    header_row = number
                    headers = {i: _text(v) for i, (v, k) in enumerate(zip(values, keys)) if k}
                elif number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if any(_text(v) for v in values):  # blank lines are common in hand-kept sheets
                body.append((number, values))
                if len(body) > MAX_ROWS:
                    break
    except Exception:
        raise ValidationError("无法读取文件：文件已损坏或不是有效的 .xlsx 文件。") from None
    finally:
        workbook.close()
    if too_long:
        raise ValidationError(f"工作表超过{MAX_SHEET_ROWS}行（含空行），请删去多余的空行，或分批导入（一次最多{MAX_ROWS}人）。")
    if not header_row:
        raise ValidationError(f"未找到表头：第一张工作表的前{HEADER_SEARCH_ROWS}行中应有“姓名”和“身份证号”两列。请使用花名册模板。")
    return header_row, headers, body


def import_workbook(file, *, user, filename: str = "") -> ImportResult:
    result = ImportResult()
    if getattr(file, "size", 0) > MAX_BYTES:
        result.errors.append(RowError(0, "", "文件超过10MB，请分批导入。"))
        return result
    try:
        xlsx.check_package(file, max_unzipped=settings.XUEBI_IMPORT_MAX_UNZIPPED_MB * 1024 * 1024,
                           max_shared_strings=MAX_SHARED_STRINGS)
        header_row, headers, body = _read_rows(file)
    except ValidationError as exc:
        result.errors.append(RowError(0, "", exc.messages[0]))
        return result

    # Column index → Column, and each field's header as the file writes it (for the messages).
    columns: dict[int, Column] = {}
    written: dict[str, list[str]] = {}
    for i, header in headers.items():
        col = _BY_HEADER.get(_header_key(header))
        if col is None:
            continue  # 序号, 备注 … are not ours
        if col.field in written and col.field != "unit":
            result.errors.append(RowError(header_row, header, f"“{written[col.field][0]}”和“{header}”两列都是{col.header}，请删去其中一列。"))
            continue
        columns[i] = col
        written.setdefault(col.field, []).append(header)
    for col in COLUMNS:
        if col.required and col.field not in written:
            result.errors.append(RowError(0, col.header, f"缺少必填列“{col.header}”。"))
    if result.errors:
        return result
    if not body:
        result.errors.append(RowError(0, "", "文件中没有人员数据。"))
        return result
    if len(body) > MAX_ROWS:
        result.errors.append(RowError(body[MAX_ROWS][0], "", f"一次最多导入{MAX_ROWS}行，请分批导入。"))
        return result

    rows = _RowReader(user, {f: "/".join(h) for f, h in written.items()}, result)
    prepared: list[tuple[Person | None, dict]] = []
    for row_number, values in body:
        cells: dict = {}
        for i, col in columns.items():
            value = values[i] if i < len(values) else None
            if col.field == "unit":
                # 工作单位 + 所在科室 → “阿巴嘎旗委组织部/组织股”
                parts = cells.get("unit", [])
                if _text(value) and _text(value) not in parts:
                    parts.append(_text(value))
                cells["unit"] = parts
            else:
                cells[col.field] = value
        if "unit" in cells:
            cells["unit"] = "/".join(cells["unit"])
        row = rows.prepare(row_number, cells)
        if row is not None:
            prepared.append(row)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for instance, values in prepared:
                if instance is None:
                    services.person_create(actor=user, values=values)
                    result.created += 1
                elif _differs(instance, values):
                    services.person_update(actor=user, person=instance, values=values)
                    result.updated += 1
                else:
                    result.unchanged += 1
            audit_record(action=Action.ROSTER_IMPORT, changes={
                "file": filename, "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            })
    except (ValidationError, PermissionDenied) as exc:
        result.created = result.updated = result.unchanged = 0
        result.errors.append(RowError(0, "", "导入中止，未导入任何数据：" + "；".join(getattr(exc, "messages", [str(exc)]))))
    except IntegrityError:
        # Someone registered one of these 身份证号 between our check and our write.
        result.created = result.updated = result.unchanged = 0
        result.errors.append(RowError(0, "", "导入中止，未导入任何数据：文件中的人员刚被其他操作登记或修改，请重新导入。"))
    return result


def _differs(person: Person, values: dict) -> bool:
    """Would these values change the person? (Unchanged rows are not written at all.)"""
    for name, value in values.items():
        if name == "id_number":
            current = person.id_number
        elif name == "unit":
            current, value = person.unit_id, getattr(value, "pk", value)
        else:
            current = getattr(person, name)
        if current != value:
            return True
    return False


def _defaults_for_absent_columns() -> dict:
    """A new person from a sheet without some columns gets the model's defaults for them
    (民族 汉族, 政治面貌 中共党员, 组工干部 是), as the form on the page starts with."""
    defaults = {}
    model_fields = {f.name: f for f in Person._meta.get_fields()}
    for name in PERSON_FIELDS:
        model_field = model_fields.get(name)
        if model_field is not None and model_field.has_default():
            default = model_field.get_default()
            if isinstance(default, bool):
                default = "on" if default else ""
            defaults[name] = default
    return defaults


class _RowReader:
    """Turns one sheet row into PersonForm data, validates it, and records every problem."""

    def __init__(self, user, written: dict[str, str], result: ImportResult):
        self.user = user
        self.written = written
        self.result = result
        self.resolver = _UnitResolver(user)
        self.seen_ids: dict[str, int] = {}
        self.defaults = _defaults_for_absent_columns()

    def header(self, name: str) -> str:
        return self.written.get(name) or (_BY_FIELD[name].header if name in _BY_FIELD else "")

    def error(self, row: int, name: str, message: str) -> None:
        self.result.errors.append(RowError(row, self.header(name), message))

    def prepare(self, row_number: int, cells: dict) -> tuple[Person | None, dict] | None:
        errors_before = len(self.result.errors)
        data, instance = self._form_data(row_number, cells)
        if len(self.result.errors) > errors_before:
            return None
        # A copy: the form writes the cleaned values onto its instance, and the original is
        # needed to tell an update from an unchanged row.
        form = PersonForm(data=data, instance=copy.copy(instance) if instance else Person(), user=self.user)
        if not form.is_valid():
            for name, errors in form.errors.as_data().items():
                for error in errors:
                    if error.code == "required":
                        self.error(row_number, name, f"请填写{self.header(name) or form.fields[name].label}。")
                        continue
                    for message in error.messages:
                        self.error(row_number, name, message)
            return None
        return instance, form.person_values()

    def _form_data(self, row_number: int, cells: dict) -> tuple[dict, Person | None]:
        data: dict = {}
        instance = None
        for col in COLUMNS:
            if col.field not in cells:
                continue
            raw = cells[col.field]
            text = _text(raw)
            if col.field == "unit":
                try:
                    data["unit"] = self.resolver.resolve(text).pk if text else ""
                except ValidationError as exc:
                    self.error(row_number, "unit", exc.messages[0])
            elif col.field == "id_number":
                if isinstance(raw, (int, float)) and not isinstance(raw, bool) and (
                    not float(raw).is_integer() or len(text) > 15
                ):
                    # Excel keeps 15 significant digits: 152522198503010111 comes back as 152522198503010000.
                    self.error(row_number, "id_number", "身份证号被 Excel 当作数字保存，后几位已经丢失。请将该列设为“文本”格式后重新填写。")
                    continue
                data["id_number"] = text
                if not text:
                    self.error(row_number, "id_number", "请填写身份证号（导入以身份证号识别人员）。")
                    continue
                key = Person.hash_id_number(text)
                if key in self.seen_ids:
                    self.error(row_number, "id_number", f"与第{self.seen_ids[key]}行的身份证号重复。")
                    continue
                self.seen_ids[key] = row_number
                existing = Person.objects.filter(id_number_hash=key).first()
                if existing is not None:
                    if not Person.objects.visible_to(self.user, "change").filter(pk=existing.pk).exists():
                        self.error(row_number, "id_number", "该身份证号已登记在您管理范围以外的单位，请联系上级组织部门办理调动。")
                        continue
                    instance = existing
            elif col.field == "is_org_cadre":
                if text.lower() in _TRUE:
                    data[col.field] = "on"
                elif text.lower() not in _FALSE:
                    self.error(row_number, col.field, f"“{text}”无法识别，请填写“是”或“否”。")
            elif col.choices:
                if not text:
                    continue
                lookup = {label: value for value, label in col.choices}
                lookup.update({value: value for value, _label in col.choices})
                lookup.update({word: str(value) for word, value in col.synonyms})
                value = lookup.get(text)
                if value is None:
                    allowed = "、".join(label for _v, label in col.choices[:12]) + ("等" if len(col.choices) > 12 else "")
                    self.error(row_number, col.field, f"“{text}”不是可选值，可选：{allowed}。")
                else:
                    data[col.field] = value
            elif col.field.endswith("_date"):
                # Real date cells and serial numbers stay as they are: the form's date field reads both.
                data[col.field] = _date_value(raw)
                if col.field == "birth_date":
                    self._birth_at_month(row_number, data, _text(cells.get("id_number")))
            else:
                data[col.field] = text
        if instance is None:
            for name, default in self.defaults.items():
                if name not in cells:
                    data[name] = default
        else:
            # Columns the sheet does not have keep their stored values.
            form = PersonForm(instance=instance, user=self.user)
            for name in form.fields:
                if name not in cells and name not in data:
                    initial = form.initial.get(name)
                    data[name] = form.fields[name].prepare_value(initial) if initial is not None else ""
                    if name == "is_org_cadre":
                        data[name] = "on" if instance.is_org_cadre else ""
        return data, instance

    def _birth_at_month(self, row_number: int, data: dict, id_text: str) -> None:
        """A 出生年月 column (“1985.03”) only confirms the 身份证号: if it agrees, the full date
        comes from the number; if not, say so."""
        try:
            given = dates.parse(data["birth_date"])
            _number, birth, _sex = idcard.parse(id_text)
        except ValidationError:
            return  # the form reports what is wrong
        if given is None or given.precision == dates.DAY:
            return
        same = (given.date.year, given.date.month) == (birth.year, birth.month) if given.precision == dates.MONTH else given.date.year == birth.year
        if same:
            data["birth_date"] = dates.PartialDate(birth, dates.DAY)
        else:
            self.error(row_number, "birth_date", f"出生日期与身份证号不一致（身份证号为 {dates.display(birth)}）。")


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
        "1. 每行一人；姓名、身份证号、所在单位为必填项。身份证号列为文本格式，请勿改为数字（Excel 只保留15位数字，后几位会丢失）。",
        "2. 日期可写作 2021-07-01、2021/7/1、2021.7.1、2021年7月1日，或只写到月（2021年7月、2021.07）。",
        "3. 所在单位填写单位名称；有同名单位（如各旗县的“组织股”）时写明上级，如“阿巴嘎旗委组织部/组织股”。",
        "4. 性别、出生日期可不填，将从身份证号自动识别；填写时须与身份证号一致。",
        "5. 以身份证号识别人员：再次导入同一人会更新其信息，不会重复新增。",
        "6. 任何一行有误时整个文件都不会导入，系统会列出每处错误的行号、列名和原因。",
        "7. 可以删去不用的列：新增人员取默认值（民族“汉族”、政治面貌“中共党员”、组工干部“是”），已登记人员保持原值。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return xlsx.save(wb)


def _unit_labels() -> dict[int, str]:
    """Unit id → how the roster names it: the name, or “上级/名称” where the name is not unique
    (every county has its 组织股) — the same form the import reads."""
    # order_by(): the manager orders by path, which would split the GROUP BY name.
    shared = set(Unit.objects.order_by().values("name").annotate(n=Count("pk")).filter(n__gt=1).values_list("name", flat=True))
    if not shared:
        return {}
    units = list(Unit.objects.filter(name__in=shared).only("pk", "path", "name"))
    parents = dict(Unit.objects.filter(path__in={u.path[:-Unit.steplen] for u in units}).values_list("path", "name"))
    return {u.pk: f"{parents[u.path[:-Unit.steplen]]}/{u.name}" for u in units if u.path[:-Unit.steplen] in parents}


def export_workbook(people) -> bytes:
    """The visible roster; 身份证号 and 手机号码 stay masked in the file."""
    wb = Workbook()
    ws = _sheet_with_header(wb, "花名册")
    unit_labels = _unit_labels()
    for person in people.select_related("unit").iterator(chunk_size=500):
        row = []
        for col in COLUMNS:
            if col.field == "id_number":
                row.append(person.id_number_masked)
            elif col.field == "phone":
                row.append(person.phone_masked)
            elif col.field == "unit":
                row.append(unit_labels.get(person.unit_id, person.unit.name))
            elif col.field.endswith("_date"):
                row.append(person.date_display(col.field))
            elif col.field == "is_org_cadre":
                row.append("是" if person.is_org_cadre else "否")
            elif col.field == "ethnicity":
                row.append(person.ethnicity)
            elif col.choices:
                row.append(getattr(person, f"get_{col.field}_display")())
            else:
                row.append(getattr(person, col.field))
        ws.append(row)
    return xlsx.save(wb)
