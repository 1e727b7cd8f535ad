"""The leaderboards as a department publishes them: an .xlsx of the board asked for (people or
units), titled with the campaign, the scope, the period and the date (``core.sheets``)."""

from __future__ import annotations

import datetime as dt

from xuebi.core import sheets
from xuebi.core.formatting import points_text

from . import readmodel, selectors
from .boards import Board
from .forms import BoardSpec

__all__ = ["board_workbook", "movement_text"]


def movement_text(row: dict) -> str:
    """↑3 / ↓1 / — / 新 as the page shows them, in plain text."""
    if row.get("up"):
        return f"↑{int(row['up'])}"
    if row.get("down"):
        return f"↓{int(row['down'])}"
    if row.get("move") == 0:
        return "—"
    return "新" if row.get("score") else ""


def _figure(value) -> str:
    return "" if value is None else points_text(value)


def board_workbook(board: Board, kind: str, *, scope: str, today: dt.date) -> bytes:
    """``board`` as one sheet: ``kind`` is ``people`` or ``units``; ``scope`` names whose board it is."""
    what = "个人" if kind == "people" else "单位"
    title = f"{board.campaign.name}·{scope}{what}排行榜"
    compared = f"；升降与{board.compared_with}的排名相比" if board.compared_with else ""
    subtitle = f"{board.span.label} · {board.category_label}{compared}　{sheets.drawn_up(today)}"
    wb = sheets.new_workbook()
    if kind == "people":
        rows = [[r["rank"] or "—", movement_text(r), r["name"], r["unit_name"], _figure(r["score"])] for r in board.rows]
        sheets.table_sheet(
            wb,
            "个人排行榜",
            title=title,
            subtitle=subtitle,
            header=["名次", "升降", "姓名", "单位", "积分"],
            rows=rows,
            widths=[8, 8, 14, 36, 10],
        )
    else:
        rows = [
            [
                r["rank"] or "—",
                movement_text(r),
                r["unit"].short_name or r["unit"].name,
                _figure(r["total"]),
                int(r["people"]),
                _figure(r["average"]),
            ]
            for r in board.rows
        ]
        sheets.table_sheet(
            wb,
            "单位排行榜",
            title=title,
            subtitle=subtitle,
            header=["名次", "升降", "单位", "积分", "人数", "人均"],
            rows=rows,
            widths=[8, 8, 30, 10, 8, 10],
        )
    return sheets.workbook_bytes(wb)


EXPORT_LIMIT = 5000  # people on an exported board: a league's roster, all of it


def board_export(campaign, spec: BoardSpec, kind: str, *, paths: list[str] | None, today: dt.date) -> tuple[bytes, str]:
    """The board ``spec`` asks for as an .xlsx and its file name — the page's download and the
    job's alike: the people board with everyone in ``paths`` ranked (``selectors.board_paths``)."""
    board = spec.board(campaign)
    if kind == "units":
        board = readmodel.units(board, parent=spec.parent, per_head=spec.per_head, today=today)
        scope = spec.parent.name if spec.parent else "全盟各旗县市区"
    else:
        board = readmodel.board(board, paths, viewer_id=None, limit=EXPORT_LIMIT, today=today)
        scope = selectors.scope_name(paths)
    name = f"{campaign.name}{'单位' if kind == 'units' else '个人'}排行榜-{today:%Y%m%d}.xlsx"
    return board_workbook(board, kind, scope=scope, today=today), name
