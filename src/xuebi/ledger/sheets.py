"""三会一课 and 五学联动 as a department publishes them: .xlsx sheets of the same reports the pages
show (``reports``), titled with the unit, the year and the date (``core.sheets``)."""

from __future__ import annotations

from xuebi.core import sheets

from .selectors.reports import MISSING, OK, OPEN, Cell, ComplianceReport, StudyLevelReport

__all__ = ["compliance_workbook", "study_levels_workbook"]


def _branch_name(branch) -> str:
    return f"{branch.parent_name} · {branch.unit.name}" if branch.parent_name else branch.unit.name


def cell_text(cell: Cell) -> str:
    """A period's cell as the page shows it: ✓ (with the count when more than one), 缺, 已开/应开."""
    if cell.state == OK:
        return f"✓{cell.count}" if cell.count > 1 else "✓"
    if cell.state == MISSING:
        return "缺"
    if cell.state == OPEN:
        return f"{cell.count}/{cell.required}"
    return ""


def compliance_workbook(report: ComplianceReport, *, scope: str) -> bytes:
    """Two sheets: 汇总 (a branch per row, what each meeting is short) and 明细 (the month grid)."""
    title = f"{scope}三会一课落实情况（{report.year}年）"
    subtitle = f"✓ 已落实，缺 该期已结束而次数不足，已开/应开 为进行中的一期；统计截至{report.today.year}年{report.today.month}月{report.today.day}日　{sheets.drawn_up(report.today)}"
    wb = sheets.new_workbook()
    header = ["党支部", *[req.kind.name for req in report.requirements], "合计缺"]
    rows = [
        [_branch_name(b), *[f"缺{r.missing}" if r.missing else "✓" for r in b.rows], b.missing or "全部落实"]
        for b in report.branches
    ]
    sheets.table_sheet(
        wb,
        "汇总",
        title=title,
        subtitle=subtitle,
        header=header,
        rows=rows,
        widths=[34, *[10] * len(report.requirements), 10],
        landscape=True,
    )
    grid, merges = [], []
    for branch in report.branches:
        for row in branch.rows:
            line = [
                _branch_name(branch),
                f"{row.requirement.kind.name}（{row.requirement.get_frequency_display()}）",
                *[""] * 12,
                row.missing or "",
            ]
            for cell in row.cells:
                first = cell.period.months[0]
                line[1 + first] = cell_text(cell)
                if len(cell.period.months) > 1:
                    merges.append((len(grid), 1 + first, 1 + cell.period.months[-1]))
            grid.append(line)
    sheets.table_sheet(
        wb,
        "明细",
        title=title,
        subtitle=subtitle,
        header=["党支部", "会议（要求）", *[f"{m}月" for m in report.months], "缺"],
        rows=grid,
        widths=[30, 18, *[6] * 12, 6],
        landscape=True,
        merges=merges,
    )
    return sheets.workbook_bytes(wb)


def study_levels_workbook(report: StudyLevelReport, *, scope: str, depth_label: str, today) -> bytes:
    """Two sheets: 合计 (level × month) and 按单位 (unit, level × month, 小计)."""
    title = f"{scope}五学联动统计（{report.year}年）"
    subtitle = f"已提交或已通过、标明学习层级的集体学习记录次数，按{depth_label}汇总　{sheets.drawn_up(today)}"
    months = [f"{m}月" for m in range(1, 13)]
    wb = sheets.new_workbook()
    summary = [[line.label, *[n or "" for n in line.months], line.total] for line in report.summary]
    summary.append(["合计", *[n or "" for n in report.month_totals], report.total])
    sheets.table_sheet(
        wb,
        "合计",
        title=title,
        subtitle=subtitle,
        header=["层级", *months, "合计"],
        rows=summary,
        widths=[16, *[6] * 12, 8],
        landscape=True,
    )
    rows = []
    for block in report.units:
        for line in block.lines:
            rows.append([block.unit.name, line.label, *[n or "" for n in line.months], line.total or ""])
        rows.append([block.unit.name, "小计", *[n or "" for n in block.month_totals], block.total])
    sheets.table_sheet(
        wb,
        "按单位",
        title=title,
        subtitle=subtitle,
        header=["单位", "层级", *months, "合计"],
        rows=rows,
        widths=[26, 14, *[6] * 12, 8],
        landscape=True,
    )
    return sheets.workbook_bytes(wb)
