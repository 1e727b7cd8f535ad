"""Published tables as .xlsx (core/sheets.py): what openpyxl reads back, and what LibreOffice
prints from it (A4 pages with the header on each)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from xuebi.core import sheets


def _book(rows: int) -> bytes:
    wb = sheets.new_workbook()
    sheets.table_sheet(
        wb,
        "个人排行榜",
        title="2026年双学双比·全盟个人排行榜",
        subtitle="活动期间 · 总分　制表日期：2026年11月25日",
        header=["名次", "升降", "姓名", "单位", "积分"],
        rows=[[n, "↑1", f"=干部{n}", "阿巴嘎旗委组织部 · 组织股", n * 2] for n in range(1, rows + 1)],
        widths=[8, 8, 14, 36, 10],
    )
    return sheets.workbook_bytes(wb)


def test_a_sheet_has_its_title_header_and_rows_and_no_formula():
    sheet = load_workbook(io.BytesIO(_book(3))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2026年双学双比·全盟个人排行榜" and rows[2] == ("名次", "升降", "姓名", "单位", "积分")
    assert rows[3] == (1, "↑1", "=干部1", "阿巴嘎旗委组织部 · 组织股", 2)
    assert sheet["C4"].data_type == "s"  # text that looks like a formula stays text (xlsx.save)
    assert sheet.print_title_rows == "$1:$3" and sheet.freeze_panes == "A4"


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_a_long_board_on_several_a4_pages(tmp_path):
    source = tmp_path / "board.xlsx"
    source.write_bytes(_book(200))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = (tmp_path / "board.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 3  # 200 rows do not fit one A4 page; fitted to width, not squeezed to one
    assert re.search(rb"/MediaBox\s*\[0 0 595\.\d+ 841\.\d+", pdf)  # A4: 595 × 842 points
    if shutil.which("pdftotext"):  # the header on every page (print_title_rows)
        text = subprocess.run(["pdftotext", str(tmp_path / "board.pdf"), "-"], capture_output=True, check=True).stdout
        assert text.decode().count("名次") == pages
