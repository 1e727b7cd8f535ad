"""A 公文 (official document) as data, laid out per GB/T 9704-2012 《党政机关公文格式》 as a .docx
(python-docx), and its PDF (LibreOffice headless). It knows no domain: a notice or a summary
builds a ``Document`` and asks for its bytes.

The layout: A4; 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; body 仿宋 三号 on a grid of 22 lines of
28 characters; the red 发文机关标志 in 小标宋, the 发文字号 below it and the red separator line
under that; the title in 小标宋 二号; 主送机关 flush left; 一级标题 黑体, 二级标题 楷体; the 署名 centred
over the 成文日期 in Chinese numerals, which stands four characters from the right; page numbers
"— 1 —" in 宋体 四号, right on odd pages and left on even ones, one character in.

The document names the official fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体): a
department's Word shows them as it always has. Where they are absent — a Debian server — the PDF
is made with the fontconfig aliases in ``fonts.conf`` beside this module: Noto Serif CJK SC for
仿宋/宋体/楷体/小标宋 (bold for 小标宋), Noto Sans CJK SC for 黑体 (Debian's fonts-noto-cjk).

``render_docx`` is deterministic: the same ``Document`` gives the same bytes (fixed document
properties and zip dates), so a re-render can be compared with a stored copy.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document as new_document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

__all__ = ["Heading", "Table", "Document", "render_docx", "docx_to_pdf", "chinese_date", "FONTS"]

FONTS = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "page": "宋体",
    "latin": "Times New Roman",
}
RED = RGBColor(0xFF, 0x00, 0x00)
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
PAGE_PT = 14  # 四号
TABLE_PT = 12  # 小四
LINES, CHARS = 22, 28
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156, 225
LINE_TWIPS = int(Mm(TEXT_HEIGHT_MM).twips // LINES)  # 579: 22 lines fill the 版心 (580 would make 225 mm hold 21)
CHAR_SPACING_TWENTIETHS = -5  # so 三号 (16 pt) is drawn 0.25 pt closer: 28 × 15.75 pt fit the 442 pt line
HEAD_TOP_MM = 35  # 发文机关标志: its top edge 35 mm below the 版心's (7.2.4)
AUTHORITY_PT = 60  # 发文机关标志 at most 21 mm tall
AUTHORITY_NARROWEST = 60  # its characters narrowed to 60 % of their width at the most
AUTHORITY_LINE = 1.3  # its line's height, in its size
AUTHORITY_TOP = 0.16  # where its glyphs start in that line
RED_LINE_SPACE_PT = 5  # from the number's line to the red line: 4 mm below the number's glyphs (7.2.7)
PAGE_NUMBER_LINE_PT = 18  # the footer's line; the 一字线 7 mm below the 版心 (7.5)
HEADER_MM = 20  # from the page's top edge to the header (草稿 on a draft)
FOOTER_MM = 25.3  # from the page's bottom edge to the footer's
FONTS_CONF = Path(__file__).with_name("fonts.conf")
CONVERT_SECONDS = 120


@dataclass
class Heading:
    """一级标题 "一、…" (黑体) or, level 2, "（一）…" (楷体), indented as a paragraph."""

    text: str
    level: int = 1


@dataclass
class Table:
    """A table of text: a bold, centred header row; ``title`` is a caption line above it;
    ``widths`` are relative column widths."""

    headers: list[str]
    rows: list[list[str]]
    title: str = ""
    widths: list[float] | None = None


@dataclass
class Document:
    authority: str  # 发文机关标志
    title: str
    body: Sequence[str | Heading | Table]
    signature: str  # 发文机关署名
    date: dt.date  # 成文日期
    number: str = ""  # 发文字号; empty for a draft or a document without one
    recipients: str = ""  # 主送机关
    draft: bool = False
    copies_to: str = ""  # 抄送
    printed_by: str = ""  # 印发机关 in the 版记 (with the date printed)
    notes: list[str] = field(default_factory=list)  # 附注 lines after the date


# --- Chinese numerals ------------------------------------------------------------------------------

_DIGITS = "〇一二三四五六七八九"


def _small_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 31 → 三十一."""
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return text + (_DIGITS[ones] if ones or not tens else "")


def chinese_date(day: dt.date) -> str:
    """2026-12-04 → 二〇二六年十二月四日 (the 成文日期 as GB/T 9704-2012 writes it)."""
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


# --- the .docx ----------------------------------------------------------------------------------


def _fonts(run, east_asia: str, latin: str | None = None) -> None:
    """Name the font for every script, so Word and LibreOffice agree on it."""
    latin = latin or FONTS["latin"]
    run.font.name = latin
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)


def _paragraph(doc, text: str = "", *, font: str = FONTS["body"], size: float = BODY_PT, align=None, indent: bool = False,
               bold: bool = False, color: RGBColor | None = None, latin: str | None = None, exact: int | None = LINE_TWIPS):  # fmt: skip
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Twips(exact)
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.font.bold = bold
        if color is not None:
            run.font.color.rgb = color
        _fonts(run, font, latin)
    return p


def _off_grid(paragraph) -> None:
    """A paragraph not held to the body's line grid (table cells, the title): its own spacing."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(297 - 37 - TEXT_HEIGHT_MM)
    section.left_margin, section.right_margin = Mm(28), Mm(210 - 28 - TEXT_WIDTH_MM)
    section.header_distance, section.footer_distance = Mm(HEADER_MM), Mm(FOOTER_MM)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # 22 lines: a line grid. 28 characters: the body's characters drawn 0.25 pt closer (``_defaults``),
    # not a character grid — LibreOffice gives a glyph wider than a grid cell two cells.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))
    _defaults(doc)


def _defaults(doc) -> None:
    """The document's defaults are the body's: 仿宋 三号, Chinese, no space after a paragraph —
    LibreOffice sizes the character grid from them."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    fonts = OxmlElement("w:rFonts")
    for attr, value in (
        ("w:eastAsia", FONTS["body"]),
        ("w:ascii", FONTS["latin"]),
        ("w:hAnsi", FONTS["latin"]),
        ("w:cs", FONTS["latin"]),
    ):
        fonts.set(qn(attr), value)
    rpr.append(fonts)
    for tag in ("w:sz", "w:szCs"):
        size = OxmlElement(tag)
        size.set(qn("w:val"), str(BODY_PT * 2))
        rpr.append(size)
    tighter = OxmlElement("w:spacing")
    tighter.set(qn("w:val"), str(CHAR_SPACING_TWENTIETHS))
    rpr.append(tighter)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(LINE_TWIPS))
    spacing.set(qn("w:lineRule"), "exact")
    ppr.append(spacing)
    style = doc.styles["Normal"]
    style.font.size = Pt(BODY_PT)


def _page_number(footer, *, odd: bool) -> None:
    """— 1 —: 宋体 四号, one character in from the outer edge."""
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        p.paragraph_format.right_indent = Pt(PAGE_PT)
    else:
        p.paragraph_format.left_indent = Pt(PAGE_PT)

    def run(text: str = ""):
        r = p.add_run(text)
        r.font.size = Pt(PAGE_PT)
        _fonts(r, FONTS["page"], FONTS["page"])
        return r

    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = Pt(PAGE_NUMBER_LINE_PT)
    _off_grid(p)
    run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._element.append(char)
        elif text == "1":
            r.text = "1"
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._element.append(instr)
    run(" —")


def _border(paragraph, where: str, *, color: str, size_eighths: int, space_pt: int = 0) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{where}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), str(space_pt))
    line.set(qn("w:color"), color)
    borders.append(line)


def _authority_size(authority: str) -> tuple[float, int]:
    """The 发文机关标志's size in points and its characters' width in per cent: as tall as
    ``AUTHORITY_PT`` allows, narrowed (down to ``AUTHORITY_NARROWEST``) to fit one line of the 版心,
    smaller only beyond that — the tall, narrow red letters of a printed 红头."""
    width = TEXT_WIDTH_MM / 25.4 * 72 * 0.96
    chars = sum(0.5 if ch.isascii() else 1 for ch in authority) or 1
    scale = min(100, int(width / (chars * AUTHORITY_PT) * 100))
    if scale >= AUTHORITY_NARROWEST:
        return AUTHORITY_PT, scale
    return round(width / (chars * AUTHORITY_NARROWEST / 100), 1), AUTHORITY_NARROWEST


def _head(doc, document: Document) -> None:
    """版头 (7.2): the red 发文机关标志 35 mm below the 版心's top edge, the 发文字号 two lines under
    it (下空二行), the red line 4 mm under the number; the title comes two lines below the line."""
    size, scale = _authority_size(document.authority)
    line = round(Pt(size * AUTHORITY_LINE).twips)
    # The glyphs' top edge stands ``AUTHORITY_TOP`` of the line's height below its top (Noto's, in LibreOffice).
    _off_grid(_paragraph(doc, exact=round(Mm(HEAD_TOP_MM).twips - line * AUTHORITY_TOP)))
    authority = _paragraph(
        doc, document.authority, font=FONTS["title"], size=size, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, exact=line
    )
    _off_grid(authority)
    if scale < 100:
        narrow = OxmlElement("w:w")
        narrow.set(qn("w:val"), str(scale))
        authority.runs[0]._element.get_or_add_rPr().append(narrow)
    _paragraph(doc)
    _paragraph(doc)
    number = document.number or ("（草稿）" if document.draft else "")
    numbered = _paragraph(
        doc, number, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED if document.draft and not document.number else None
    )
    _border(numbered, "bottom", color="FF0000", size_eighths=12, space_pt=RED_LINE_SPACE_PT)
    _paragraph(doc)
    _paragraph(doc)


def _draft_mark(section) -> None:
    """草稿 in red at the top right of every page (the header space above the 版心), so a printed
    draft is never taken for the issued document."""
    for header in (section.header, section.even_page_header):
        p = header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = p.add_run("草稿 · 未印发")
        run.font.size = Pt(BODY_PT)
        run.font.color.rgb = RED
        _fonts(run, FONTS["heading1"])


def _table(doc, table: Table) -> None:
    if table.title:
        _paragraph(doc, table.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=BODY_PT - 1)
    columns = max(len(table.headers), 1)
    grid = doc.add_table(rows=1 + len(table.rows), cols=columns)
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = (table.widths or [])[:columns] + [1.0] * max(0, columns - len(table.widths or []))
    total = sum(widths) or 1
    twips = [round(Mm(TEXT_WIDTH_MM).twips * weight / total) for weight in widths]
    for col, width in zip(grid._tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        col.set(qn("w:w"), str(width))  # LibreOffice reads the grid, Word the cells: both are set
    # Row by row: python-docx's ``table.cell(r, c)`` and ``column.cells`` walk the whole table each
    # time (a 50-row ranking took 0.7 s that way).
    for row_index, (row, values) in enumerate(zip(grid.rows, [table.headers, *table.rows], strict=True)):
        for cell, width, value in zip(row.cells, twips, [*values[:columns], *[""] * (columns - len(values))], strict=True):
            cell.width = Twips(width)
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt = p.paragraph_format
            fmt.space_before = fmt.space_after = Pt(1)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(TABLE_PT * 1.5)
            _off_grid(p)
            if str(value):
                run = p.add_run(str(value))
                run.font.size = Pt(TABLE_PT)
                run.font.bold = row_index == 0
                _fonts(run, FONTS["heading1"] if row_index == 0 else FONTS["body"])
    header = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header.append(repeat)  # the header row again on every page


def _ending(doc, document: Document) -> None:
    """成文日期 four characters from the right edge, the 署名 centred over it (7.3.5.1, room for the
    seal); a 署名 so long that it would come closer than two characters to the edge stops there, and
    the date moves left with it to stay centred under it."""
    date = chinese_date(document.date)
    _paragraph(doc)
    _paragraph(doc)
    date_right = 4.0
    signature_right = date_right + (len(date) - len(document.signature)) / 2
    if signature_right < 2:
        date_right += 2 - signature_right
        signature_right = 2
    for text, right in ((document.signature, signature_right), (date, date_right)):
        p = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_PT * right)
    for note in document.notes:
        _paragraph(doc, note, indent=True)


def _record(doc, document: Document) -> None:
    """版记: 抄送 and 印发机关/印发日期 between thin lines, when given."""
    if not (document.copies_to or document.printed_by):
        return
    _paragraph(doc)
    first = True
    if document.copies_to:
        p = _paragraph(doc, f"抄送：{document.copies_to}。", size=PAGE_PT)
        p.paragraph_format.left_indent = Pt(PAGE_PT)
        _border(p, "top", color="000000", size_eighths=8)
        first = False
    if document.printed_by:
        p = _paragraph(doc, f"{document.printed_by}", size=PAGE_PT)
        p.add_run(f"\t{document.date.year}年{document.date.month}月{document.date.day}日印发").font.size = Pt(PAGE_PT)
        if first:
            _border(p, "top", color="000000", size_eighths=8)
        _border(p, "bottom", color="000000", size_eighths=8)


def _properties(doc, document: Document) -> None:
    moment = dt.datetime.combine(document.date, dt.time(8, 0))
    props = doc.core_properties
    props.author = props.last_modified_by = "学比"
    props.title = document.title
    props.created = props.modified = moment
    props.last_printed = moment
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""


def _fixed_zip(content: bytes, day: dt.date) -> bytes:
    """The package again with every member dated ``day`` (zip dates are the only clock in it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(max(day.year, 1980), day.month, day.day, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


TITLE_CHARS = int(TEXT_WIDTH_MM / 25.4 * 72 // TITLE_PT) - 1  # 19 characters of 二号 a line, with room to spare


def _title_lines(title: str) -> str:
    """A title too long for one line in lines of even length (回行时排列对称), not a full line and
    a stray character or two; a digit counts as half a character."""
    width = sum(0.5 if ch.isascii() else 1 for ch in title)
    if width <= TITLE_CHARS or "\n" in title:
        return title
    lines = -(-int(width) // TITLE_CHARS)
    share, used = width / lines, 0.0
    out: list[str] = []
    for ch in title:
        inside_number = out and (ch.isascii() or out[-1].isascii())  # 11月 and 2026年 stay whole
        if used >= share and out and not inside_number and out.count("\n") < lines - 1:
            out.append("\n")
            used = 0.0
        out.append(ch)
        used += 0.5 if ch.isascii() else 1
    return "".join(out)


def render_docx(document: Document) -> bytes:
    doc = new_document()
    _page_setup(doc)
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    _page_number(section.footer, odd=True)
    _page_number(section.even_page_footer, odd=False)
    if document.draft:
        _draft_mark(section)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _head(doc, document)
    title = _paragraph(
        doc, _title_lines(document.title), font=FONTS["title"], size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None
    )
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title.paragraph_format.line_spacing = Pt(TITLE_PT * 1.45)
    _off_grid(title)
    _paragraph(doc)
    if document.recipients:
        _paragraph(doc, document.recipients)
    for block in document.body:
        if isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Heading):
            font = FONTS["heading1"] if block.level == 1 else FONTS["heading2"]
            _paragraph(doc, block.text, font=font, indent=True)
        else:
            _paragraph(doc, str(block), indent=True)
    _ending(doc, document)
    _record(doc, document)
    _properties(doc, document)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue(), document.date)


# --- the PDF ------------------------------------------------------------------------------------


def _profile_dir() -> Path:
    from django.conf import settings

    path = Path(settings.DATA_DIR) / "libreoffice"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ValueError("服务器未安装 LibreOffice，无法生成 PDF（请安装 libreoffice-writer-nogui）。")
    return found


def docx_to_pdf(content: bytes) -> bytes:
    """The .docx as a PDF with its fonts embedded, by LibreOffice headless. One conversion at a
    time per data dir (LibreOffice's profile, kept between conversions so only the first one
    creates it, takes one user); the official fonts fall back through ``fonts.conf``."""
    soffice = _soffice()
    profile = _profile_dir()
    env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": str(profile)}
    with tempfile.TemporaryDirectory(prefix="xuebi-pdf-") as work, open(profile / "lock", "w") as lock:
        source = Path(work) / "document.docx"
        source.write_bytes(content)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={(profile / 'user').as_uri()}",
                    "--headless",
                    "--norestore",
                    "--nologo",
                    "--nodefault",
                    "--nolockcheck",
                    "--convert-to",
                    "pdf:writer_pdf_Export",
                    "--outdir",
                    work,
                    str(source),
                ],
                capture_output=True,
                timeout=CONVERT_SECONDS,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ValueError("生成 PDF 超时，请稍后重试。") from None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
        pdf = Path(work) / "document.pdf"
        if done.returncode != 0 or not pdf.exists():
            raise ValueError("LibreOffice 无法把该文档转换为 PDF。")
        return pdf.read_bytes()
