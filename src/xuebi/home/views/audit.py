"""The audit log's pages (审计管理员 only): the log, filtered, and its .xlsx export. They sit with the pages
that read from every app because they check the auditor's role in org, which audit itself sits below."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from xuebi.core import xlsx
from xuebi.core.http import query_without_page
from xuebi.jobs import audit_export
from xuebi.org.choices import Role
from xuebi.org.scoping import has_role

from xuebi.audit import exports
from xuebi.audit.readable import describe_all


def _auditor_only(request):
    # Only the 审计管理员 reads the log — not even the league admin or the other two 三员.
    if not has_role(request.user, Role.AUDITOR):
        raise PermissionDenied("只有审计管理员可以查看操作日志。")


def _filtered(request):
    return exports.filtered(request.GET or None)


@login_required
def entry_list(request):
    _auditor_only(request)
    form, entries = _filtered(request)
    page = Paginator(entries.select_related(None), 50).get_page(request.GET.get("page"))
    page.object_list = describe_all(page.object_list)
    return render(request, "audit/list.html", {"form": form, "page_obj": page, "query": query_without_page(request)})


@login_required
def entry_export(request):
    """The filtered log as an .xlsx: written now, or — past ``XUEBI_EXPORT_INLINE_ROWS`` entries —
    by a background job whose page offers the download (``jobs.audit_export``)."""
    _auditor_only(request)
    _form, entries = _filtered(request)
    query = request.GET.urlencode()
    if entries.count() > settings.XUEBI_EXPORT_INLINE_ROWS:
        return redirect(audit_export.start(request.user, query))
    return xlsx.download(exports.export_entries(entries, query=query), f"audit-{timezone.localdate():%Y%m%d}.xlsx")
