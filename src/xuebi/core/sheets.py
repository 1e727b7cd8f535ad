"""Published tables as .xlsx sheets — the leaderboards, 三会一课, 五学联动: a title row naming the
campaign or unit, a line with the period and the date it was drawn up, a bold header repeated
on every printed page, A4 and fitted to the page's width. The workbook goes out through
``xlsx.save`` like every other (no text becomes a formula)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import dates, xlsx

__all__ = [
    "new_workbook",
    "table_sheet",
    "workbook_bytes",
    "drawn_up",
    "cell_text",
    "read_table",
    "read_for_import",
    "SheetError",
    "RowError",
    "ImportResult",
]

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="center", wrap_text=True)


def drawn_up(today: dt.date) -> str:
    return f"制表日期：{dates.display(today)}"


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def table_sheet(
    wb: Workbook,
    name: str,
    *,
    title: str,
    subtitle: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int],
    landscape: bool = False,
    merges: Iterable[tuple[int, int, int]] = (),
) -> Worksheet:
    """One sheet: ``title`` across the table, ``subtitle`` below it, then ``header`` and ``rows``.
    ``merges``: (row index in ``rows``, first column, last column), 0-based, for a cell that spans
    several columns (a quarter on a month grid)."""
    ws = wb.create_sheet(name[:31])
    width = len(header)
    for line, text in enumerate((title, subtitle), start=1):
        ws.cell(line, 1, text)
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = _CENTER
    ws.row_dimensions[1].height = 28
    ws.cell(2, 1).alignment = Alignment(horizontal="right")
    for column, (label, size) in enumerate(zip(header, widths), start=1):
        cell = ws.cell(3, column, label)
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), _HEADER_FILL, _BORDER, _CENTER
        ws.column_dimensions[get_column_letter(column)].width = size
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = ws.cell(3 + count, column, value)
            cell.border = _BORDER
            cell.alignment = _WRAP if isinstance(value, str) and column <= 2 else _CENTER
    if not count:
        ws.cell(4, 1, "（没有数据）")
    for row, first, last in merges:
        ws.merge_cells(start_row=4 + row, start_column=first + 1, end_row=4 + row, end_column=last + 1)
    ws.freeze_panes = "A4"
    ws.print_title_rows = "1:3"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def workbook_bytes(wb: Workbook) -> bytes:
    return xlsx.save(wb)


def cell_text(value) -> str:
    """A cell as the text a person typed: ``2.0`` read back as ``2``, spaces and line breaks folded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


class SheetError(ValidationError):
    """What is wrong with an uploaded table as a whole, and the row it is on (0: the file)."""

    def __init__(self, message: str, row: int = 0):
        super().__init__(message)
        self.row = row


def read_table(
    file,
    *,
    columns: Sequence[str],
    header_has: Sequence[str],
    required: Sequence[str],
    max_rows: int,
    noun: str,
    measure: str,
    search_rows: int = 6,
) -> tuple[int, dict[str, int], list[tuple[int, list]]]:
    """The first sheet of an uploaded .xlsx as a table written from a template (``table_sheet``): the
    header is the first of the top ``search_rows`` rows holding every name in ``header_has`` (a title
    row above it is allowed); answers the header's row number, the known ``columns`` by position, and
    the non-blank rows below it as (row number as Excel shows it, values). Refuses (``SheetError`` in
    Chinese: "文件中没有{noun}", "一次最多导入 {max_rows} {measure}") a file that is not a workbook,
    unpacks too large, has no such header or lacks a ``required`` column, or has no rows or too many."""
    xlsx.check_package(
        file, max_unzipped=settings.XUEBI_IMPORT_MAX_UNZIPPED_MB * 1024 * 1024, max_shared_strings=10 * 1024 * 1024
    )
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(xlsx.NOT_XLSX) from None
    header_row, found, body = 0, {}, []
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = list(row)
            if not header_row:
                names = {cell_text(v): i for i, v in enumerate(values) if cell_text(v)}
                if all(name in names for name in header_has):
                    header_row, found = number, {name: i for name, i in names.items() if name in columns}
                elif number >= search_rows:
                    break
                continue
            if any(cell_text(v) for v in values):
                body.append((number, values))
                if len(body) > max_rows:
                    break
    except Exception:
        raise ValidationError("无法读取文件：文件已损坏或不是有效的 .xlsx 文件。") from None
    finally:
        workbook.close()
    if not header_row:
        wanted = "".join(f"“{name}”" for name in header_has)
        raise SheetError(f"未找到表头：第一张工作表的前{search_rows}行中应有{wanted}等列名。请使用导入模板。")
    missing = [name for name in required if name not in found]
    if missing:
        raise SheetError(f"缺少必填列：{'、'.join(missing)}。", header_row)
    if not body:
        raise SheetError(f"文件中没有{noun}。")
    if len(body) > max_rows:
        raise SheetError(f"一次最多导入 {max_rows} {measure}，请分批导入。", body[max_rows][0])
    return header_row, found, body


@dataclass
class RowError:
    """One problem of an import, where it is: the row as Excel numbers it (0: the whole file) and the column."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    skipped: list[RowError] = field(default_factory=list)  # rows left out on purpose (duplicates), not errors


def read_for_import(file, result: ImportResult, **options) -> tuple[int, dict[str, int], list[tuple[int, list]]] | None:
    """``read_table``, with a refusal put on ``result`` (and None answered) instead of raised."""
    try:
        return read_table(file, **options)
    except ValidationError as exc:
        result.errors.append(RowError(getattr(exc, "row", 0), "", exc.messages[0]))
        return None
