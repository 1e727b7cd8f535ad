"""The audit log as an .xlsx: the page's download, and — for more than XUEBI_EXPORT_INLINE_ROWS
entries — a background job's (``jobs.audit_export``, started by the log's page)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from openpyxl import Workbook

from xuebi.core import xlsx

from .forms import AuditFilterForm
from .masking import mask_text
from .models import Action, AuditEntry
from .readable import changes_text, describe_all
from .services import audit_record

__all__ = ["filtered", "export_entries"]

CHUNK = 1000  # entries described (their targets and changes read) at a time


def filtered(data: QueryDict | None) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    """The log as the list's filter asks (``data``: the query string)."""
    form = AuditFilterForm(data)
    entries = AuditEntry.objects.all()
    if form.is_valid():
        entries = form.filter(entries)
    return form, entries


def export_entries(
    entries: QuerySet[AuditEntry], *, query: str, actor=None, progress: Callable[[int], None] | None = None
) -> bytes:
    """The entries as an .xlsx, and the export audited (``query``: the filter, kept in the entry).
    ``progress(done)``: called every ``CHUNK`` entries."""
    wb = Workbook()
    ws = wb.active
    ws.title = "操作日志"
    ws.append(["时间", "操作人", "操作", "结果", "对象类型", "对象编号", "对象", "变更内容", "来源地址", "请求编号"])
    count = 0

    def write(chunk: Iterable[AuditEntry]) -> None:
        for e in describe_all(list(chunk)):
            ws.append(
                [
                    timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                    e.actor_name,
                    e.get_action_display(),
                    e.get_outcome_display(),
                    e.target_type,
                    e.target_id,
                    mask_text(e.target_repr),
                    changes_text(e),
                    e.ip,
                    e.request_id,
                ]
            )

    chunk: list[AuditEntry] = []
    for e in entries.iterator(chunk_size=CHUNK):
        chunk.append(e)
        count += 1
        if len(chunk) == CHUNK:
            write(chunk)
            chunk = []
            if progress is not None:
                progress(count)
    write(chunk)
    audit_record(actor=actor, action=Action.AUDIT_EXPORT, changes={"rows": count, "filter": query})
    return xlsx.save(wb)
