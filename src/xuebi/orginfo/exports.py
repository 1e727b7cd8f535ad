"""The ranking as an .xlsx (``core.sheets``: cells neutralised, A4, the header on every page)."""

from __future__ import annotations

import datetime as dt

from xuebi.core import sheets

from .selectors import Ranking, quota_text, ranking_table


def ranking_xlsx(result: Ranking, *, today: dt.date) -> bytes:
    table = ranking_table(result)
    wb = sheets.new_workbook()
    subtitle = "　".join(p for p in (quota_text(result.quota, result.period.kind), sheets.drawn_up(today)) if p)
    sheets.table_sheet(
        wb,
        "组工信息排名",
        title=f"{result.period.label}组工信息采用情况排名",
        subtitle=subtitle,
        header=table["columns"],
        rows=table["rows"],
        widths=[round(8 * w) + 4 for w in table["widths"]],
        landscape=True,
    )
    return sheets.workbook_bytes(wb)


def file_name(result: Ranking) -> str:
    return f"组工信息排名-{result.period.code}.xlsx"
