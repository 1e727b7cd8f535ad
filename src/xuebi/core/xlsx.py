"""Every .xlsx the product writes goes out through ``save``: no text in it is ever a formula;
every .xlsx it reads is measured first by ``check_package``.

openpyxl stores a ``str`` beginning with ``=`` as a formula (``data_type == "f"``), so a failed
sign-in as ``=HYPERLINK("http://x","y")`` or a unit named ``=1+1`` became a live formula in the
audit or ledger export. Text beginning with ``+``, ``-``, ``@``, a tab or a carriage return (also
after leading spaces) is what Excel and WPS turn into a formula once someone edits the cell.
Such text is written as a string cell (``data_type "s"``) with Excel's own “this is text” mark,
the quote prefix (what Excel stores when one types ``'=1+1``): the reader sees the text exactly
as it was written, and editing the cell keeps it text. Nothing is added to or cut from the text.

``save`` checks every cell of every sheet — titles, headers and rows alike — so a writer cannot
forget one; ``safe_cell`` is the same check for one cell.

An .xlsx is a zip: 660 KB of it can unpack into hundreds of megabytes of XML, and openpyxl keeps
the whole shared-strings part in memory (about four times its XML) even in read-only mode.
``check_package`` adds up the sizes the zip's directory declares for its parts before openpyxl
opens it. Those figures are binding: Python's zipfile never inflates a part beyond its declared
size (and a part that does not match fails its CRC check), so a lying directory is no way round.
"""

from __future__ import annotations

import io
import zipfile

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import Cell

__all__ = ["CONTENT_TYPE", "check_package", "looks_like_formula", "safe_cell", "save"]

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_MB = 1024 * 1024
NOT_XLSX = "无法读取文件：请上传 Excel 2007 及以上版本的 .xlsx 文件。"


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


def _mb(size: int) -> str:
    return f"{size / _MB:.1f}".removesuffix(".0")


def check_package(file, *, max_unzipped: int, max_shared_strings: int) -> None:
    """Refuse (ValidationError in Chinese) a workbook whose parts unpack to more than
    ``max_unzipped`` bytes in all, or whose shared strings unpack to more than
    ``max_shared_strings``; leave ``file`` at its start for the reader."""
    try:
        with zipfile.ZipFile(file) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(NOT_XLSX) from None
    finally:
        file.seek(0)
    total = sum(part.file_size for part in parts)
    strings = sum(part.file_size for part in parts if part.filename.lower().endswith("sharedstrings.xml"))
    if total > max_unzipped:
        raise ValidationError(
            f"文件解压后有 {_mb(total)} MB，超过 {_mb(max_unzipped)} MB 的上限（文件中可能有大量多余内容），"
            f"请将数据复制到新的工作簿后再导入，或分批导入。"
        )
    if strings > max_shared_strings:
        raise ValidationError(
            f"文件中的文字（共享字符串表）解压后有 {_mb(strings)} MB，超过 {_mb(max_shared_strings)} MB 的上限，"
            f"请将数据复制到新的工作簿后再导入，或分批导入。"
        )


def download(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx answered as a download named ``filename`` (any characters: RFC 6266's ``filename*``)."""
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
