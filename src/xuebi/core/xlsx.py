"""Every .xlsx the product writes goes out through ``save``: no text in it is ever a formula.

openpyxl stores a ``str`` beginning with ``=`` as a formula (``data_type == "f"``), so a failed
sign-in as ``=HYPERLINK("http://x","y")`` or a unit named ``=1+1`` became a live formula in the
audit or ledger export. Text beginning with ``+``, ``-``, ``@``, a tab or a carriage return (also
after leading spaces) is what Excel and WPS turn into a formula once someone edits the cell.
Such text is written as a string cell (``data_type "s"``) with Excel's own “this is text” mark,
the quote prefix (what Excel stores when one types ``'=1+1``): the reader sees the text exactly
as it was written, and editing the cell keeps it text. Nothing is added to or cut from the text.

``save`` checks every cell of every sheet — titles, headers and rows alike — so a writer cannot
forget one; ``safe_cell`` is the same check for one cell.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import Cell

__all__ = ["CONTENT_TYPE", "looks_like_formula", "safe_cell", "save"]

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Would Excel, WPS or LibreOffice read this text as a formula (now or once edited)?"""
    return text.startswith(_TRIGGERS) or text.lstrip(" \n\u3000").startswith(_TRIGGERS)


def safe_cell(cell: Cell) -> None:
    """Make a cell holding formula-like text hold that text."""
    value = cell.value
    if isinstance(value, str) and looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True


def save(wb: Workbook) -> bytes:
    """The workbook as bytes, after ``safe_cell`` on every cell."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "s"):
                    safe_cell(cell)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
