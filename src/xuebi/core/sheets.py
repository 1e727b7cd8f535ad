"""Published tables as .xlsx sheets — the leaderboards, 三会一课, 五学联动: a title row naming the
campaign or unit, a line with the period and the date it was drawn up, a bold header repeated
on every printed page, A4 and fitted to the page's width. The workbook goes out through
``xlsx.save`` like every other (no text becomes a formula)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import dates, xlsx

__all__ = ["new_workbook", "table_sheet", "workbook_bytes", "drawn_up"]

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
