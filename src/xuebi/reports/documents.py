"""A notice as the department prints it: the 公文 (``core.officialdoc``, GB/T 9704-2012), its PDF,
and the .xlsx of its table — all from the notice's text and the data kept with it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from xuebi.core import officialdoc, sheets, xlsx

from .models import Notice, NoticeStatus
from .selectors.notices import fill, letterhead

__all__ = ["notice_document", "notice_docx", "notice_xlsx", "file_name", "table_title", "response", "CONTENT_TYPES"]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"docx": DOCX, "pdf": "application/pdf", "xlsx": xlsx.CONTENT_TYPE}


def table_title(notice: Notice, data: dict) -> str:
    if data.get("kind") == "contest":
        return f"{data.get('contest_title', '')}获奖名单"
    if data.get("kind") == "orginfo":
        return f"{data.get('period_label', '')}各旗县市区组工信息采用情况"
    what = "人员" if data.get("kind") == "people" else "单位"
    return f"{data.get('scope_label', '')}{fill('{期间}{类别}', notice, data)}积分排名（{what}）"


def notice_document(notice: Notice, data: dict, *, number: str, day: dt.date, draft: bool) -> officialdoc.Document:
    head = letterhead(notice.issuer)
    body: list = []
    for text in (notice.opening,):
        if text.strip():
            body.append(fill(text, notice, data))
    body.append(
        officialdoc.Table(
            headers=data.get("columns", []),
            rows=data.get("rows", []) or [["—"] * len(data.get("columns", []))],
            title=f"表  {table_title(notice, data)}",
            widths=data.get("widths"),
        )
    )
    if data.get("limited"):
        body.append(f"（表中列出积分前{len(data['rows'])}名，完整排名见附表。）")
    for text in (notice.praise, notice.remind, notice.closing):
        for paragraph in fill(text, notice, data).splitlines():
            if paragraph.strip():
                body.append(paragraph.strip())
    return officialdoc.Document(
        authority=head.authority,
        title=fill(notice.title, notice, data),
        body=body,
        signature=head.authority,
        date=day,
        number=number,
        recipients=fill(notice.recipients, notice, data),
        draft=draft,
    )


def notice_docx(notice: Notice, data: dict, *, number: str, day: dt.date, draft: bool) -> bytes:
    return officialdoc.render_docx(notice_document(notice, data, number=number, day=day, draft=draft))


def notice_xlsx(notice: Notice, data: dict, *, number: str, day: dt.date) -> bytes:
    wb = sheets.new_workbook()
    widths = [round(8 * w) + 4 for w in data.get("widths") or [1] * len(data.get("columns", []))]
    subtitle = "　".join(part for part in (number, data.get("compared_with") and f"升降与{data['compared_with']}相比") if part)
    sheets.table_sheet(
        wb,
        "排名",
        title=table_title(notice, data),
        subtitle=f"{subtitle}　{sheets.drawn_up(day)}".strip(),
        header=data.get("columns", []),
        rows=data.get("rows", []),
        widths=widths,
    )
    return sheets.workbook_bytes(wb)


def file_name(notice: Notice, ext: str) -> str:
    """锡组通〔2026〕12号 关于….docx; a draft: 草稿 关于….docx."""
    title = fill(notice.title, notice, notice.data)[:60]
    return f"{notice.number_text or '草稿'} {title}.{ext}"


def response(notice: Notice, kind: str) -> HttpResponse:
    """An issued notice's file exactly as issued; a draft's made now from its data (no number,
    marked 草稿). The page's download and the API's alike."""
    if kind not in CONTENT_TYPES:
        raise Http404("没有这种文件。")
    name = file_name(notice, kind)
    if notice.status == NoticeStatus.ISSUED:
        stored = getattr(notice, kind)
        if not stored:
            raise Http404("没有这个文件。")
        answer: HttpResponse = FileResponse(stored.open("rb"), content_type=CONTENT_TYPES[kind])
    else:
        day = timezone.localdate()
        if kind == "xlsx":
            content = notice_xlsx(notice, notice.data, number="", day=day)
        else:
            content = notice_docx(notice, notice.data, number="", day=day, draft=True)
            if kind == "pdf":
                try:
                    content = officialdoc.docx_to_pdf(content)
                except ValueError as exc:
                    raise ValidationError(str(exc)) from None
        answer = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    answer["Content-Disposition"] = content_disposition_header(True, name)
    return answer
