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

import datetime as dt
import functools
import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import bulk, dates, idcard, xlsx

from xuebi.core.phone import mask as phone_mask

from ..choices import ETHNIC_GROUPS, Education, PersonStatus, PoliticalStatus, Sex
from ..forms import PERSON_FIELDS, PersonForm, PersonLookups
from ..models import Person, Unit
from . import people as people_services

__all__ = [
    "COLUMNS",
    "ImportResult",
    "RowError",
    "Skipped",
    "apply_import",
    "export_workbook",
    "import_workbook",
    "person_key",
    "plan_import",
    "resolve_unit",
    "template_workbook",
]

MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024
HEADER_SEARCH_ROWS = 15
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
    exported_only: bool = False  # in the export (for the round trip), not in the blank template


@functools.cache
def _choice_lookup(col: Column) -> dict[str, str]:
    """What a cell of a choice column may say (label, stored value or a synonym) → the value."""
    lookup = {label: value for value, label in col.choices}
    lookup.update({value: value for value, _label in col.choices})
    lookup.update({word: str(value) for word, value in col.synonyms})
    return lookup


def _choices(text_choices) -> tuple[tuple[str, str], ...]:
    return tuple((str(v), str(label)) for v, label in text_choices.choices)


YES_NO = (("1", "是"), ("0", "否"))
_SEX_WORDS = (("男性", Sex.MALE), ("女性", Sex.FEMALE))
_ETHNIC_WORDS = tuple((name.removesuffix("族"), name) for name in ETHNIC_GROUPS)  # 汉 → 汉族, 蒙古 → 蒙古族
_EDUCATION_WORDS = (
    ("硕士", Education.POSTGRADUATE),
    ("博士", Education.POSTGRADUATE),
    ("硕士研究生", Education.POSTGRADUATE),
    ("博士研究生", Education.POSTGRADUATE),
    ("本科", Education.BACHELOR),
    ("大学", Education.BACHELOR),
    ("专科", Education.COLLEGE),
    ("大专", Education.COLLEGE),
    ("中技", Education.SECONDARY),
    ("初中", Education.JUNIOR),
    ("小学", Education.JUNIOR),
)
_POLITICAL_WORDS = (
    ("党员", PoliticalStatus.MEMBER),
    ("中国共产党党员", PoliticalStatus.MEMBER),
    ("预备党员", PoliticalStatus.PROBATIONARY),
    ("团员", PoliticalStatus.LEAGUE),
    ("无党派", PoliticalStatus.INDEPENDENT),
)
_STATUS_WORDS = (
    ("现职", PersonStatus.ACTIVE),
    ("已退休", PersonStatus.RETIRED),
    ("已调离", PersonStatus.TRANSFERRED),
    ("调出", PersonStatus.TRANSFERRED),
    ("病故", PersonStatus.DECEASED),
    ("已故", PersonStatus.DECEASED),
)
COLUMNS = [
    Column("姓名", "name", required=True, width=10),
    Column("性别", "sex", choices=_choices(Sex), width=6, synonyms=_SEX_WORDS),
    Column("民族", "ethnicity", choices=tuple((n, n) for n in ETHNIC_GROUPS), width=8, synonyms=_ETHNIC_WORDS),
    Column("出生日期", "birth_date", ("出生年月", "出生时间", "出生年月日"), width=12),
    Column(
        "身份证号",
        "id_number",
        ("公民身份号码", "身份证号码", "身份证", "公民身份证号码", "身份证件号码"),
        required=True,
        width=21,
    ),
    Column("手机号码", "phone", ("手机号", "手机", "联系电话", "联系方式", "电话"), width=14),
    Column("所在单位", "unit", ("单位", "工作单位", "所在科室", "单位名称", "所在部门", "部门", "科室"), required=True, width=28),
    Column("职务", "position", ("现任职务", "现职务"), width=12),
    Column("职级", "rank", ("现职级",), width=12),
    Column(
        "学历",
        "education",
        ("文化程度", "最高学历", "全日制学历"),
        choices=_choices(Education),
        width=10,
        synonyms=_EDUCATION_WORDS,
    ),
    Column("政治面貌", "political_status", choices=_choices(PoliticalStatus), width=12, synonyms=_POLITICAL_WORDS),
    Column("入党日期", "joined_party_date", ("入党时间", "入党年月"), width=12),
    Column("转正日期", "full_member_date", ("转正时间", "转正年月"), width=12),
    Column("参加工作日期", "work_start_date", ("参加工作时间", "参加工作年月"), width=12),
    Column("组工干部", "is_org_cadre", ("是否组工干部",), choices=YES_NO, width=9),
    Column(
        "状态",
        "status",
        ("人员状态", "在职状态"),
        choices=_choices(PersonStatus),
        width=8,
        synonyms=_STATUS_WORDS,
        exported_only=True,
    ),
    Column("人员编号", "key", ("编号",), width=10, exported_only=True),
]
TEMPLATE_COLUMNS = [c for c in COLUMNS if not c.exported_only]
_BY_FIELD = {col.field: col for col in COLUMNS}
_BY_HEADER = {name: col for col in COLUMNS for name in (col.header, *col.aliases)}
_TRUE = {"是", "1", "y", "yes", "true", "√", "✓"}
_FALSE = {"否", "0", "n", "no", "false", "×", ""}

# Rows below the header that are not people. A 合计 row is skipped where it stands (a sheet may
# have one per section); 备注, 填表说明, 制表人 … begin the footer: every row after is skipped too.
_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_FOOTER_WORDS = (
    "备注",
    "填表说明",
    "填报说明",
    "说明",
    "注：",
    "注:",
    "注意",
    "制表",
    "填表人",
    "填报人",
    "审核人",
    "负责人",
    "单位负责人",
    "联系人",
    "填报日期",
    "填表日期",
)

# Full-width digits and Latin letters (typed with a Chinese input method) read as ASCII, and the
# ideographic space as a space. Not NFKC over the whole text: that would also turn the full-width
# punctuation of unit names —（党组）, ／ — into ASCII and change what the names are.
_NARROW = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
    | {"\u3000": " ", "\xa0": " "}
)
_MASKED = re.compile(r"^\d{6}\*+\d{3}[\dX]$")
_KEY = re.compile(r"^[Pp]?0*([0-9]{1,12})$")


def person_key(pk: int) -> str:
    """人员编号 as the export writes it: stable for as long as the person exists (it is the
    database id), and a letter first so no spreadsheet turns it into a number."""
    return f"P{pk:06d}"


@dataclass
class RowError:
    row: int  # the sheet's row number as Excel shows it; 0 for a problem of the whole file
    column: str  # the column's header as written in the file
    message: str


@dataclass
class Skipped:
    row: int
    reason: str


@dataclass
class PlannedRow:
    """What one row will do: create (person None), update, or nothing; with the changes as the
    pages show them, (label, before, after)."""

    row: int
    person: Person | None
    values: dict
    # A new person's are worked out when first asked for: only the preview page shows them (its
    # first 500), and an import through the API or the command line never does.
    _changes: list[tuple[str, str, str]] | Callable[[], list[tuple[str, str, str]]]

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        if callable(self._changes):
            self._changes = self._changes()
        return self._changes

    @property
    def name(self) -> str:
        return self.values.get("name") or (self.person.name if self.person else "")


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    planned: list[PlannedRow] = field(default_factory=list)
    needs_unit: bool = False  # the file has no 所在单位 column and no unit was chosen
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def to_create(self) -> list[PlannedRow]:
        return [p for p in self.planned if p.person is None]

    @property
    def to_update(self) -> list[PlannedRow]:
        return [p for p in self.planned if p.person is not None and p.changes]

    @property
    def updated_fields(self) -> list[str]:
        """The labels of the fields that change, in column order (新增 N / 更新 M（手机号码、职务）)."""
        seen = {label for p in self.to_update for label, _b, _a in p.changes}
        return [label for label in _LABELS.values() if label in seen]

    @property
    def skipped_summary(self) -> list[tuple[str, str]]:
        """[(reason, “第3、7–9行”)] for the page."""
        by_reason: dict[str, list[int]] = {}
        for s in self.skipped:
            by_reason.setdefault(s.reason, []).append(s.row)
        return [(reason, _row_ranges(rows)) for reason, rows in by_reason.items()]

    def fingerprint(self) -> str:
        """What the preview promised: the confirm writes only if planning again gives the same."""
        data = [(p.row, p.person.pk if p.person else None, p.changes) for p in self.planned]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, default=str).encode()).hexdigest()


def _row_ranges(rows: list[int]) -> str:
    parts: list[str] = []
    start: int | None = None
    prev: int | None = None
    for r in [*sorted(rows), None]:
        if start is not None and prev is not None and r == prev + 1:
            prev = r
            continue
        if start is not None:
            parts.append(f"{start}" if start == prev else f"{start}–{prev}")
        start = prev = r
    return "第" + "、".join(parts) + "行"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).translate(_NARROW).strip()


def _header_key(value) -> str:
    """“姓 名”, “身份证号\\n”, “*姓名”, “姓名：”, “出生年月（年.月）” all read as the bare name."""
    key = "".join(_text(value).split()).strip("*＊:：")
    return re.sub(r"[（(][^）)]*[）)]$", "", key)


def _date_value(raw):
    """What a date cell hands to the form's date field.

    A date typed into a cell that Excel took for a number arrives as one: 2021.07 (a float),
    2021, 202107 or 20210701 (integers). No roster date lies in 1905, so such numbers are read as
    what was typed, not as Excel serial numbers; any other number is a serial number."""
    if raw is None or isinstance(raw, (dt.date, dt.datetime)):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if float(raw).is_integer():
            number = int(raw)
            if (
                1900 <= number <= 2100
                or 19000101 <= number <= 21001231
                or (190001 <= number <= 210012 and 1 <= number % 100 <= 12)
            ):
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
        self.by_pk = {u.pk: u for u in self.units}
        step = Unit.steplen
        self.by_path = {
            u.path: u
            for u in Unit.objects.filter(path__in={u.path[:i] for u in self.units for i in range(step, len(u.path) + 1, step)})
        }
        self.cache: dict[str, Unit | ValidationError] = {}

    def _names(self, unit: Unit) -> list[str]:
        step = Unit.steplen
        return [self.by_path[unit.path[:i]].name for i in range(step, len(unit.path) + 1, step) if unit.path[:i] in self.by_path]

    def label(self, unit: Unit) -> str:
        return "/".join(self._names(unit)[-2:]) if unit.depth > 1 else unit.name

    def resolve(self, text: str) -> Unit:
        if text not in self.cache:  # a roster names the same few units thousands of times
            try:
                self.cache[text] = self._resolve(text)
            except ValidationError as exc:
                self.cache[text] = exc
        found = self.cache[text]
        if isinstance(found, ValidationError):
            raise found
        return found

    def _resolve(self, text: str) -> Unit:
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


def resolve_unit(text: str, *, user) -> Unit:
    """A unit named as a roster (or ``import_roster --unit``) names it, within the user's
    'change' scope; ValidationError with a Chinese message otherwise."""
    return _UnitResolver(user).resolve(text)


@dataclass
class _Sheet:
    header_row: int
    headers: dict[int, str]  # column index → header as written
    body: list[tuple[int, list]]  # (row number, values) of the rows that may be people
    skipped: list[Skipped]


def _may_be_header(values) -> bool:
    """A cheap test before the full one: a repeated header has a cell that reads 姓名."""
    return any("姓" in v and "名" in v for v in values if type(v) is str)


def _first_text(values) -> str:
    for value in values:
        if value is not None and (text := _text(value)):
            return text
    return ""


def _read_rows(file) -> _Sheet:
    """Find the header among the first rows, then sort the rows below it into people and the
    rest (blank rows, repeated headers, 合计 rows, the footer), each skipped row with its reason."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(xlsx.NOT_XLSX) from None
    too_long = False
    above: list[int] = []
    blanks: list[int] = []
    skipped: list[Skipped] = []
    header_row, headers, body, header_keys, in_footer = 0, {}, [], set(), False
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong <dimension>; read the cells that are there instead.
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_SHEET_ROWS:
                too_long = True
                break
            values = [c.value for c in row]
            for i, value in enumerate(values):
                if type(value) is float and not value.is_integer():
                    values[i] = _cell_value(row[i])
            if not header_row:
                keys = [_header_key(v) for v in values]
                known = [k for k in keys if k in _BY_HEADER]
                if "姓名" in known and len(known) >= 2:
                    header_row = number
                    headers = {i: _text(v) for i, (v, k) in enumerate(zip(values, keys)) if k}
                    header_keys = {k for k in keys if k}
                elif number >= HEADER_SEARCH_ROWS:
                    break
                elif _first_text(values):
                    above.append(number)  # 标题, 填报单位, 填报日期 …
                continue
            first = "".join(_first_text(values).split())
            if not first:
                blanks.append(number)  # blank lines are common in hand-kept sheets
            elif in_footer:
                skipped.append(Skipped(number, "表尾说明"))
            elif first.startswith(_FOOTER_WORDS):
                in_footer = True
                skipped.append(Skipped(number, "表尾说明"))
            elif first.startswith(_TOTAL_WORDS):
                skipped.append(Skipped(number, "合计行"))
            elif (
                _may_be_header(values)
                and {_header_key(v) for v in values if _text(v)} <= header_keys
                and "姓名" in {_header_key(v) for v in values}
            ):
                skipped.append(Skipped(number, "重复的表头"))
            else:
                # A blank line counts as skipped only when people follow it, not the sheet's empty tail.
                skipped.extend(Skipped(b, "空行") for b in blanks)
                blanks = []
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
        raise ValidationError(
            f"未找到表头：第一张工作表的前{HEADER_SEARCH_ROWS}行中应有“姓名”“身份证号”等列名。请使用花名册模板。"
        )
    skipped = [Skipped(r, "表头以上的标题、填报单位等") for r in above] + sorted(skipped, key=lambda s: s.row)
    return _Sheet(header_row, headers, body, skipped)


def import_workbook(file, *, user, filename: str = "", unit: Unit | None = None) -> ImportResult:
    """Plan and write in one go (the command line, the API, the tests): all or nothing."""
    result = plan_import(file, user=user, unit=unit)
    if result.ok:
        apply_import(result, user=user, filename=filename)
    return result


@bulk.long_lived_frozen()
def plan_import(file, *, user, unit: Unit | None = None) -> ImportResult:
    """Read and validate the whole file and work out what it would change, writing nothing:
    the preview (新增 / 更新 / 未变化 / 跳过) and, when it has no errors, the plan to apply.

    ``unit`` is the unit chosen for a file without a 所在单位 column (and for its blank cells)."""
    result = ImportResult()
    if getattr(file, "size", 0) > MAX_BYTES:
        result.errors.append(RowError(0, "", "文件超过10MB，请分批导入。"))
        return result
    try:
        xlsx.check_package(
            file, max_unzipped=settings.XUEBI_IMPORT_MAX_UNZIPPED_MB * 1024 * 1024, max_shared_strings=MAX_SHARED_STRINGS
        )
        sheet = _read_rows(file)
    except ValidationError as exc:
        result.errors.append(RowError(0, "", exc.messages[0]))
        return result
    result.skipped = sheet.skipped

    # Column index → Column, and each field's header as the file writes it (for the messages).
    columns: dict[int, Column] = {}
    written: dict[str, list[str]] = {}
    for i, header in sheet.headers.items():
        col = _BY_HEADER.get(_header_key(header))
        if col is None:
            continue  # 序号, 备注 … are not ours
        if col.field in written and col.field != "unit":
            result.errors.append(
                RowError(sheet.header_row, header, f"“{written[col.field][0]}”和“{header}”两列都是{col.header}，请删去其中一列。")
            )
            continue
        columns[i] = col
        written.setdefault(col.field, []).append(header)
    for col in COLUMNS:
        if not col.required or col.field in written:
            continue
        if col.field == "unit" and unit is not None:
            continue
        if col.field == "unit":
            result.needs_unit = True
            result.errors.append(RowError(0, col.header, "文件中没有“所在单位”列：请选择这些人员所在的单位（命令行用 --unit）。"))
        elif col.field == "id_number" and "key" in written:
            continue  # an exported roster names people by 人员编号
        else:
            result.errors.append(RowError(0, col.header, f"缺少必填列“{col.header}”。"))
    if result.errors:
        return result
    if not sheet.body:
        result.errors.append(RowError(0, "", "文件中没有人员数据。"))
        return result
    if len(sheet.body) > MAX_ROWS:
        result.errors.append(RowError(sheet.body[MAX_ROWS][0], "", f"一次最多导入{MAX_ROWS}行，请分批导入。"))
        return result

    rows = []
    for row_number, values in sheet.body:
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
        rows.append((row_number, cells))
    reader = _RowReader(user, {f: "/".join(h) for f, h in written.items()}, result, unit=unit)
    reader.load([cells for _n, cells in rows])
    if "ethnicity" not in written:
        result.notes.append("文件中没有“民族”列：新增人员的民族留空，请导入后在人员页面补填；已登记人员保持原值。")
    for row_number, cells in rows:
        planned = reader.prepare(row_number, cells)
        if planned is not None:
            result.planned.append(planned)
    if result.errors:
        result.planned = []
        return result
    result.created = len(result.to_create)
    result.updated = len(result.to_update)
    result.unchanged = len(result.planned) - result.created - result.updated
    return result


@bulk.long_lived_frozen()
def apply_import(result: ImportResult, *, user, filename: str = "") -> ImportResult:
    """Write a plan made by ``plan_import``: all of it in one transaction, or nothing."""
    assert result.ok
    try:
        with transaction.atomic():
            people_services.people_write(
                actor=user,
                creates=[p.values for p in result.to_create],
                updates=[(p.person, p.values) for p in result.to_update if p.person is not None],
            )
            audit_record(
                action=Action.ROSTER_IMPORT,
                changes={
                    "file": filename,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "skipped": len(result.skipped),
                },
            )
    except (ValidationError, PermissionDenied) as exc:
        result.created = result.updated = result.unchanged = 0
        result.errors.append(RowError(0, "", "导入中止，未导入任何数据：" + "；".join(getattr(exc, "messages", [str(exc)]))))
    except IntegrityError:
        # Someone registered one of these 身份证号 between our check and our write.
        result.created = result.updated = result.unchanged = 0
        result.errors.append(RowError(0, "", "导入中止，未导入任何数据：文件中的人员刚被其他操作登记或修改，请重新导入。"))
    return result


# Labels as the pages show them, in column order.
_LABELS = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "phone": "手机号码",
    "unit": "所在单位",
    "position": "职务",
    "rank": "职级",
    "education": "学历",
    "political_status": "政治面貌",
    "joined_party_date": "入党日期",
    "full_member_date": "转正日期",
    "work_start_date": "参加工作日期",
    "is_org_cadre": "组工干部",
    "status": "状态",
}
_CHOICES = {"sex": Sex, "education": Education, "political_status": PoliticalStatus, "status": PersonStatus}


@functools.cache
def _choice_labels(language: str | None) -> dict[str, dict[str, str]]:
    """The labels of the choice fields as text, once per language (not a translation per cell)."""
    return {name: {value: str(label) for value, label in choices.choices} for name, choices in _CHOICES.items()}


def _shown(name: str, value, precision: dict, unit_label) -> str:
    """A value as the person page shows it (身份证号 and 手机号码 masked)."""
    if value is None or value == "":
        return ""
    if name in Person.DATE_FIELDS:
        return dates.display(value, precision.get(name, dates.DAY))
    if name == "unit":
        return unit_label(value)
    if name == "id_number":
        return idcard.mask(value)
    if name == "phone":
        return phone_mask(value)
    if name == "is_org_cadre":
        return "是" if value else "否"
    if name in _CHOICES:
        return str(_choice_labels(get_language()).get(name, {}).get(value, value))
    return str(value)


def _defaults_for_absent_columns() -> dict:
    """A new person from a sheet without some columns gets the model's defaults for them
    (政治面貌 中共党员, 组工干部 是), as the form on the page starts with. 民族 has no default."""
    defaults = {}
    model_fields = {f.name: f for f in Person._meta.get_fields()}
    for name in PERSON_FIELDS:
        model_field = model_fields.get(name)
        if isinstance(model_field, models.Field) and model_field.has_default():
            default = model_field.get_default()
            if isinstance(default, bool):
                default = "on" if default else ""
            defaults[name] = default
    return defaults


class _RowReader:
    """Turns one sheet row into PersonForm data, validates it, and records every problem.

    ``load`` fetches everything the rows refer to — the people by 人员编号 and by 身份证号, which
    of them the user may change, the units — in a few queries for the whole file, so that the
    rows themselves need none."""

    def __init__(self, user, written: dict[str, str], result: ImportResult, *, unit: Unit | None = None):
        self.user = user
        self.written = written
        self.result = result
        self.resolver = _UnitResolver(user)
        self.unit = unit
        self.seen_ids: dict[str, int] = {}
        self.seen_keys: dict[int, int] = {}
        self.defaults = _defaults_for_absent_columns()
        self.by_pk: dict[int, Person] = {}
        self.by_hash: dict[str, Person] = {}
        self.changeable: set[int] = set()
        self.lookups = PersonLookups(units=self.resolver.by_pk, id_owners={})
        self.form: PersonForm | None = None
        self.today = timezone.localdate()
        self.blank = Person()  # the instance of a row that creates a person (the form does not write to it)

    def load(self, rows: list[dict]) -> None:
        keys, hashes = set(), set()
        for cells in rows:
            if (key := _parse_key(cells.get("key"))) is not None:
                keys.add(key)
            number = idcard.normalize(_text(cells.get("id_number")))
            if number and "*" not in number and not isinstance(cells.get("id_number"), float):
                hashes.add(Person.hash_id_number(number))
        people = Person.objects.select_related("unit")
        for chunk in people_services.chunks(sorted(keys)):
            self.by_pk.update((p.pk, p) for p in people.filter(pk__in=chunk))
        for chunk in people_services.chunks(sorted(hashes)):
            self.by_hash.update((p.id_number_hash, p) for p in people.filter(id_number_hash__in=chunk) if p.id_number_hash)
        found = sorted({p.pk for p in self.by_pk.values()} | {p.pk for p in self.by_hash.values()})
        for chunk in people_services.chunks(found):
            self.changeable.update(
                Person.objects.visible_to(self.user, "change").filter(pk__in=chunk).values_list("pk", flat=True)
            )
        self.lookups.id_owners.update((h, p.pk) for h, p in self.by_hash.items())
        # Units of people the user may see but not change are named in the preview too.
        for p in (*self.by_pk.values(), *self.by_hash.values()):
            self.resolver.by_path.setdefault(p.unit.path, p.unit)

    def header(self, name: str) -> str:
        return self.written.get(name) or (_BY_FIELD[name].header if name in _BY_FIELD else "")

    def error(self, row: int, name: str, message: str) -> None:
        self.result.errors.append(RowError(row, self.header(name), message))

    def unit_label(self, unit) -> str:
        unit = self.resolver.by_pk.get(getattr(unit, "pk", unit)) or unit
        return self.resolver.label(unit) if isinstance(unit, Unit) else str(unit)

    def prepare(self, row_number: int, cells: dict) -> PlannedRow | None:
        errors_before = len(self.result.errors)
        if not any(_text(cells.get(f)) for f in ("name", "id_number", "key")):
            if not any(_text(v) for f, v in cells.items() if f != "unit"):
                self.result.skipped.append(Skipped(row_number, "没有姓名、身份证号（只有序号等）"))
                self.result.skipped.sort(key=lambda s: s.row)
                return None
        data, instance, status = self._form_data(row_number, cells)
        form = self._bound_form(data, instance, require_ethnicity="ethnicity" in cells or instance is not None)
        if not form.is_valid():
            # Every problem of the row is listed; a column already reported is not reported twice.
            reported = {e.column for e in self.result.errors[errors_before:]}
            for name, errors in form.errors.as_data().items():
                if self.header(name) in reported and self.header(name):
                    continue
                for error in errors:
                    if error.code == "required":
                        self.error(row_number, name, f"请填写{self.header(name) or form.fields[name].label}。")
                        continue
                    for message in error.messages:
                        self.error(row_number, name, message)
        if len(self.result.errors) > errors_before:
            return None
        values = form.person_values()
        if status is not None:
            values["status"] = status
        if instance is None:
            return PlannedRow(row_number, None, values, functools.partial(self._changes, None, values))
        return PlannedRow(row_number, instance, values, self._changes(instance, values))

    def _bound_form(self, data: dict, instance: Person | None, *, require_ethnicity: bool) -> PersonForm:
        """The PersonForm of one row. One form is made per import and bound to each row in turn:
        building a form deep-copies its fields, which cost more than everything else a row
        needs. Binding sets what Django's BaseForm.__init__ sets for bound data; full_clean()
        starts each validation afresh. With lookups the form does not copy the row onto its
        instance (PersonForm._post_clean), so the person as stored is what the row compares with."""
        if self.form is None:
            self.form = PersonForm(data={}, instance=Person(), user=self.user, lookups=self.lookups)
        form = self.form
        form.data, form.is_bound, form._errors = data, True, None  # type: ignore[attr-defined]  # a fresh bound form
        form.instance = instance if instance is not None else self.blank
        form.fields["ethnicity"].required = require_ethnicity
        return form

    def _changes(self, person: Person | None, values: dict) -> list[tuple[str, str, str]]:
        precision = values.get("date_precision", {})
        changes = []
        for name, label in _LABELS.items():
            if name not in values:
                continue
            after = _shown(name, values[name], precision, self.unit_label)
            if person is None:
                if after:
                    changes.append((label, "", after))
                continue
            old = person.id_number if name == "id_number" else getattr(person, name)
            if name == "unit":
                old, new = person.unit_id, values["unit"].pk
            else:
                new = values[name]
            if name in Person.DATE_FIELDS:
                before = _shown(name, old, person.date_precision, self.unit_label)
                if before != after:
                    changes.append((label, before, after))
            elif old != new:
                before = _shown(name, person.unit if name == "unit" else old, {}, self.unit_label)
                changes.append((label, before, after))
        return changes

    def _form_data(self, row_number: int, cells: dict) -> tuple[dict, Person | None, str | None]:
        data: dict = {}
        status = None
        instance = self._match(row_number, cells)
        for col in COLUMNS:
            if col.field not in cells:
                continue
            raw = cells[col.field]
            text = _text(raw)
            if col.field == "key":
                continue
            if col.field == "unit":
                try:
                    data["unit"] = self.resolver.resolve(text).pk if text else (self.unit.pk if self.unit else "")
                except ValidationError as exc:
                    self.error(row_number, "unit", exc.messages[0])
            elif col.field == "id_number":
                if (
                    isinstance(raw, (int, float))
                    and not isinstance(raw, bool)
                    and (not float(raw).is_integer() or len(text) > 15)
                ):
                    continue  # reported by _match
                if "*" in text and instance is not None:
                    # As the export writes it: the stored number, unchanged.
                    if idcard.normalize(text) != instance.id_number_masked:
                        self.error(
                            row_number,
                            "id_number",
                            "隐去部分数字的身份证号与该人员登记的不一致：要更正身份证号，请填写完整的号码。",
                        )
                    text = instance.id_number
                data["id_number"] = text
            elif col.field == "phone" and "*" in text:
                if instance is None:
                    self.error(row_number, "phone", "手机号码隐去了部分数字（导出文件的写法）：新增人员请填写完整的号码。")
                    continue
                if text != instance.phone_masked:
                    self.error(
                        row_number, "phone", "隐去部分数字的手机号码与该人员登记的不一致：要更改手机号码，请填写完整的号码。"
                    )
                data["phone"] = instance.phone
            elif col.field == "is_org_cadre":
                if text.lower() in _TRUE:
                    data[col.field] = "on"
                elif text.lower() not in _FALSE:
                    self.error(row_number, col.field, f"“{text}”无法识别，请填写“是”或“否”。")
            elif col.choices:
                if not text:
                    continue
                value = _choice_lookup(col).get(text)
                if value is None:
                    allowed = "、".join(label for _v, label in col.choices[:12]) + ("等" if len(col.choices) > 12 else "")
                    self.error(row_number, col.field, f"“{text}”不是可选值，可选：{allowed}。")
                elif col.field == "status":
                    status = value
                else:
                    data[col.field] = value
            elif col.field.endswith("_date"):
                # Real date cells and serial numbers stay as they are: the form's date field reads both.
                data[col.field] = _date_value(raw)
                if col.field == "birth_date":
                    self._birth_at_month(row_number, data, data.get("id_number") or _text(cells.get("id_number")))
            elif col.field == "name":
                data["name"] = "".join(text.split())  # “张  伟”, “张　伟” padded to line up
            else:
                data[col.field] = text
        if "unit" not in cells and self.unit is not None:
            data["unit"] = self.unit.pk
        if instance is None:
            for name, default in self.defaults.items():
                if name not in cells:
                    data[name] = default
        else:
            # Columns the sheet does not have keep their stored values.
            for name in PERSON_FIELDS:
                if name in data or (name in cells and name != "id_number"):
                    continue
                if name == "is_org_cadre":
                    data[name] = "on" if instance.is_org_cadre else ""
                elif name == "id_number":
                    data[name] = instance.id_number
                elif name == "unit":
                    data[name] = instance.unit_id
                elif name in Person.DATE_FIELDS:
                    value = getattr(instance, name)
                    data[name] = dates.PartialDate(value, instance.date_precision.get(name, dates.DAY)) if value else ""
                else:
                    data[name] = getattr(instance, name)
        return data, instance, status

    def _match(self, row_number: int, cells: dict) -> Person | None:
        """The person a row is about: by 人员编号 when the file has it, else by a full 身份证号."""
        raw_key, raw_id = cells.get("key"), cells.get("id_number")
        text = _text(raw_id)
        if (
            isinstance(raw_id, (int, float))
            and not isinstance(raw_id, bool)
            and (not float(raw_id).is_integer() or len(text) > 15)
        ):
            # Excel keeps 15 significant digits: 152522198503010111 comes back as 152522198503010000.
            self.error(
                row_number, "id_number", "身份证号被 Excel 当作数字保存，后几位已经丢失。请将该列设为“文本”格式后重新填写。"
            )
            return None
        number = idcard.normalize(text)
        masked = "*" in number
        by_id = None
        if number and not masked:
            key = Person.hash_id_number(number)
            if key in self.seen_ids:
                self.error(row_number, "id_number", f"与第{self.seen_ids[key]}行的身份证号重复。")
                return None
            self.seen_ids[key] = row_number
            by_id = self.by_hash.get(key)
        if _text(raw_key):
            pk = _parse_key(raw_key)
            person = self.by_pk.get(pk) if pk is not None else None
            if pk is None or person is None or person.pk not in self.changeable:
                self.error(row_number, "key", f"人员编号“{_text(raw_key)}”不存在，或该人员不在您的管理范围内。")
                return None
            if pk in self.seen_keys:
                self.error(row_number, "key", f"与第{self.seen_keys[pk]}行的人员编号重复。")
                return None
            self.seen_keys[pk] = row_number
            if by_id is not None and by_id.pk != person.pk:
                self.error(
                    row_number,
                    "id_number",
                    f"该身份证号已登记为另一人（人员编号 {person_key(by_id.pk)}），与本行的人员编号不符。",
                )
                return None
            return person
        if masked:
            self.error(
                row_number,
                "id_number",
                "身份证号隐去了部分数字（导出文件的写法），无法识别人员：请保留“人员编号”列，或填写完整的身份证号。",
            )
            return None
        if not number:
            self.error(row_number, "id_number", "请填写身份证号（导入以身份证号识别人员）。")
            return None
        if by_id is not None and by_id.pk not in self.changeable:
            self.error(row_number, "id_number", "该身份证号已登记在您管理范围以外的单位，请联系上级组织部门办理调动。")
            return None
        return by_id

    def _birth_at_month(self, row_number: int, data: dict, id_text: str) -> None:
        """A 出生年月 column (“1985.03”) only confirms the 身份证号: if it agrees, the full date
        comes from the number; if not, say so."""
        try:
            given = dates.parse(data["birth_date"])
            _number, birth, _sex = idcard.parse(id_text, today=self.today)
        except ValidationError:
            return  # the form reports what is wrong
        if given is None or given.precision == dates.DAY:
            return
        same = (
            (given.date.year, given.date.month) == (birth.year, birth.month)
            if given.precision == dates.MONTH
            else given.date.year == birth.year
        )
        if same:
            data["birth_date"] = dates.PartialDate(birth, dates.DAY)
        else:
            self.error(row_number, "birth_date", f"出生日期与身份证号不一致（身份证号为 {dates.display(birth)}）。")


def _parse_key(value) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    m = _KEY.match(_text(value))
    return int(m[1]) if m else None


# --- an upload kept between the preview and 确认导入 ------------------------------------------

UPLOAD_MAX_AGE = dt.timedelta(hours=24)


def _uploads() -> Path:
    # Under the data directory, not MEDIA_ROOT: nothing serves these files.
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_keep(file) -> str:
    """Keep an uploaded roster until it is confirmed (or a day has passed); return its token.
    The confirm reads this same file, never a second upload."""
    cutoff = time.time() - UPLOAD_MAX_AGE.total_seconds()
    for old in _uploads().glob("*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    with (_uploads() / f"{token}.xlsx").open("wb") as out:
        for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
            out.write(chunk)
    return token


def upload_path(token: str) -> Path | None:
    if not isinstance(token, str) or not re.fullmatch(r"[A-Za-z0-9_-]{32}", token):
        return None
    path = _uploads() / f"{token}.xlsx"
    return path if path.is_file() else None


CHANGED_SINCE_PREVIEW = "预览之后花名册已有变动（其他人修改了人员信息），未导入任何数据。请重新上传并预览。"


def import_kept(path: Path, *, user, unit_pk: int | None, fingerprint: str, filename: str = "") -> tuple[ImportResult, bool]:
    """The confirm step (the page's, or a large file's job): plan the kept upload again and apply
    it only if the plan is the one previewed. Answers (result, changed since the preview)."""
    unit = Unit.objects.visible_to(user, "change").filter(pk=unit_pk).first() if unit_pk else None
    with path.open("rb") as fh:
        result = plan_import(fh, user=user, unit=unit)
    changed = result.ok and result.fingerprint() != fingerprint
    if result.ok and not changed:
        apply_import(result, user=user, filename=filename)
    return result, changed


def upload_discard(token: str) -> None:
    if path := upload_path(token):
        path.unlink(missing_ok=True)


# --- template and export -----------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="C00000")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def _sheet_with_header(wb: Workbook, title: str, columns: list[Column]):
    ws = wb.active
    ws.title = title
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.fill, cell.font = _HEADER_FILL, _HEADER_FONT
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"
    return ws


def template_workbook() -> bytes:
    """An empty roster with drop-down lists and a sheet of instructions."""
    wb = Workbook()
    ws = _sheet_with_header(wb, "花名册", TEMPLATE_COLUMNS)
    lists = wb.create_sheet("可选值")
    for i, col in enumerate([c for c in TEMPLATE_COLUMNS if c.choices], start=1):
        lists.cell(row=1, column=i, value=col.header)
        for j, (_value, label) in enumerate(col.choices, start=2):
            lists.cell(row=j, column=i, value=label)
        letter = get_column_letter(i)
        target = get_column_letter(TEMPLATE_COLUMNS.index(col) + 1)
        dv = DataValidation(type="list", formula1=f"='可选值'!${letter}$2:${letter}${len(col.choices) + 1}", allow_blank=True)
        dv.error, dv.errorTitle = f"请从下拉列表中选择{col.header}", "输入有误"
        ws.add_data_validation(dv)
        dv.add(f"{target}2:{target}{MAX_ROWS + 1}")
    id_col = get_column_letter(next(i for i, c in enumerate(TEMPLATE_COLUMNS, start=1) if c.field == "id_number"))
    phone_col = get_column_letter(next(i for i, c in enumerate(TEMPLATE_COLUMNS, start=1) if c.field == "phone"))
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
        "7. 可以删去不用的列：新增人员取默认值（政治面貌“中共党员”、组工干部“是”；没有民族列时民族留空，导入后补填），已登记人员保持原值。",
        "8. 表头上方的标题、填报单位，序号列，表尾的合计、备注、填表说明和空行都会被跳过，并在预览中列出。",
        "9. 整个文件是同一单位的人员时，可以不要“所在单位”列，导入时选择单位。",
        "10. 导出的花名册可以修改后再导入：按“人员编号”识别人员，隐去部分数字的身份证号和手机号码视为未修改。",
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
    parents = dict(Unit.objects.filter(path__in={u.path[: -Unit.steplen] for u in units}).values_list("path", "name"))
    return {u.pk: f"{parents[u.path[: -Unit.steplen]]}/{u.name}" for u in units if u.path[: -Unit.steplen] in parents}


def export_workbook(people) -> bytes:
    """The visible roster; 身份证号 and 手机号码 stay masked in the file. It carries 人员编号 and
    状态, so the file can be edited and imported again (the round trip)."""
    wb = Workbook()
    ws = _sheet_with_header(wb, "花名册", COLUMNS)
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
            elif col.field == "key":
                row.append(person_key(person.pk))
            elif col.choices:
                row.append(getattr(person, f"get_{col.field}_display")())
            else:
                row.append(getattr(person, col.field))
        ws.append(row)
    return xlsx.save(wb)


def export_people(people, *, query: str, actor=None) -> bytes:
    """Export a roster (``export_workbook``) and audit it — the page's download and the job's
    alike. ``query``: the list's filter, kept in the audit entry."""
    data = export_workbook(people)
    audit_record(actor=actor, action=Action.ROSTER_EXPORT, changes={"rows": people.count(), "filter": query})
    return data
