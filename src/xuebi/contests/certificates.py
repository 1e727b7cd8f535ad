"""奖状: a certificate per author of every awarded entry, as a landscape A4 page — a red double
border, 荣誉证书, the citation, the organiser and the date — written as one .docx (python-docx),
made a PDF by LibreOffice in one conversion (``core.officialdoc.docx_to_pdf``) and cut into one
PDF per winner (pypdf). Deterministic: the same results give the same documents."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from pypdf import PdfReader, PdfWriter

from xuebi.core.officialdoc import FONTS, chinese_date, docx_to_pdf

__all__ = ["Citation", "render_docx", "render", "split_pages"]

RED = RGBColor(0xC8, 0x10, 0x2E)


class Citation:
    """What one certificate says."""

    def __init__(self, *, name: str, title: str, contest: str, level: str, issuer: str, day: dt.date, number: str):
        self.name, self.title, self.contest, self.level = name, title, contest, level
        self.issuer, self.day, self.number = issuer, day, number


def _fonts(run, east_asia: str) -> None:
    run.font.name = FONTS["latin"]
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


def _line(
    doc, text: str, *, font: str, size: float, align=WD_ALIGN_PARAGRAPH.LEFT, color=None, bold=False, before=0, after=0, indent=0
):
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Pt(size * indent)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _fonts(run, font)
    return paragraph


def _borders(section) -> None:
    """The page's red double border (w:pgBorders), as printed certificates have."""
    borders = OxmlElement("w:pgBorders")
    borders.set(qn("w:offsetFrom"), "page")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "double")
        edge.set(qn("w:sz"), "24")
        edge.set(qn("w:space"), "24")
        edge.set(qn("w:color"), "C8102E")
        borders.append(edge)
    section._sectPr.append(borders)


def render_docx(citations: list[Citation]) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(40)
    section.top_margin, section.bottom_margin = Mm(28), Mm(20)
    _borders(section)
    props = doc.core_properties
    props.author = props.last_modified_by = "学比"
    props.title = "荣誉证书"
    if citations:
        moment = dt.datetime.combine(citations[0].day, dt.time(8, 0))
        props.created = props.modified = props.last_printed = moment
    props.revision = 1
    for n, c in enumerate(citations):
        _line(doc, "荣誉证书", font=FONTS["title"], size=54, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, after=24)
        _line(doc, f"{c.name}同志：", font=FONTS["body"], size=22, before=6, after=6)
        _line(
            doc,
            f"你的作品《{c.title}》在{c.contest}中荣获{c.level}。",
            font=FONTS["body"],
            size=22,
            indent=2,
            after=6,
        )
        _line(doc, "特发此证，以资鼓励。", font=FONTS["body"], size=22, indent=2, after=40)
        _line(doc, c.issuer, font=FONTS["body"], size=20, align=WD_ALIGN_PARAGRAPH.RIGHT)
        _line(doc, chinese_date(c.day), font=FONTS["body"], size=20, align=WD_ALIGN_PARAGRAPH.RIGHT, after=18)
        number = _line(doc, f"证书编号：{c.number}", font=FONTS["body"], size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
        if n < len(citations) - 1:
            number.add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def split_pages(pdf: bytes) -> list[bytes]:
    """One PDF per page (one certificate a page)."""
    reader = PdfReader(io.BytesIO(pdf))
    made = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        writer.add_metadata({"/Title": "荣誉证书", "/Producer": "xuebi"})
        out = io.BytesIO()
        writer.write(out)
        made.append(out.getvalue())
    return made


def render(citations: list[Citation]) -> tuple[bytes, list[bytes]]:
    """(every certificate in one PDF, one PDF each)."""
    if not citations:
        return b"", []
    pdf = docx_to_pdf(render_docx(citations))
    pages = split_pages(pdf)
    if len(pages) != len(citations):
        raise ValueError(f"奖状排版有误：{len(citations)} 张证书排成了 {len(pages)} 页。")
    return pdf, pages


def store(name: str, content: bytes) -> str:
    return default_storage.save(name, ContentFile(content))
