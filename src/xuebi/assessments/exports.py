"""The 评优评先 basis as files: an .xlsx (``core.sheets``: cells neutralised against formulas, A4, the header on
every page) and a .docx table in the notice style (``core.officialdoc``: GB/T 9704-2012, 仿宋, a draft mark —
the department issues it after its own meeting, so the file is a draft to attach, not a numbered 通报)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from xuebi.core import officialdoc, sheets
from xuebi.org.models import Unit

from .selectors import Basis

__all__ = ["basis_xlsx", "basis_docx", "file_name", "docx_response"]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def basis_xlsx(result: Basis, *, today: dt.date) -> bytes:
    headers, rows = result.table()
    wb = sheets.new_workbook()
    sheets.table_sheet(
        wb,
        "评优评先",
        title=result.title,
        subtitle=sheets.drawn_up(today),
        header=headers,
        rows=rows,
        widths=[6, 12, 16, *[16] * len(result.components), 10],
        landscape=True,
    )
    return sheets.workbook_bytes(wb)


def _department(unit: Unit) -> Unit:
    """The 组织部 a unit belongs to: itself at the league's or a county's level, else its county ancestor."""
    if unit.depth <= 2:
        return unit
    return Unit.objects.filter(path=unit.path[: 2 * Unit.steplen]).first() or unit


def basis_docx(result: Basis, *, today: dt.date) -> bytes:
    headers, rows = result.table()
    department = _department(result.unit)
    authority = department.name if department.name.startswith("中共") else f"中共{department.name}"
    weights = "，".join(f"{c.label}{c.weight}%" for c in result.components)
    body = [
        f"根据{result.year}年度积分、平时考核和年度考核等次、评比获奖等情况，按{weights}的权重（各项以本单位最高者为100分折算）"
        f"对{result.unit.name}{len(result.ranked)}名同志综合排序如下，作为评优评先的参考依据。",
        officialdoc.Table(
            headers=[str(h) for h in headers],
            rows=[[str(v) for v in row] for row in rows] or [["—"] * len(headers)],
            title=f"表  {result.title}",
        ),
    ]
    return officialdoc.render_docx(
        officialdoc.Document(
            authority=authority, title=f"关于{result.title}的情况", body=body, signature=authority, date=today, draft=True
        )
    )


def file_name(result: Basis, ext: str) -> str:
    return f"评优评先排序-{result.unit.name}-{result.year}.{ext}"


def docx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
