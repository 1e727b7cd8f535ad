from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook

from xuebi.core import xlsx
from xuebi.core.forms import StyledFormMixin, TypedDateField
from xuebi.org.choices import Role
from xuebi.org.scoping import has_role

from .masking import mask_text
from .models import Action, AuditEntry, Outcome
from .readable import changes_text, describe_all
from .services import audit_record


class AuditFilterForm(StyledFormMixin, forms.Form):
    user = forms.CharField(label="操作人", required=False)
    target = forms.CharField(label="对象", required=False, help_text="对象名称或编号")
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部")] + list(Action.choices))
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部")] + list(Outcome.choices))
    start = TypedDateField(label="起始日期", required=False, allow_partial=False)
    end = TypedDateField(label="截止日期", required=False, allow_partial=False)

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("user"):
            qs = qs.filter(actor_name__icontains=data["user"])
        if data.get("target"):
            t = data["target"]
            qs = qs.filter(target_repr__contains=t) | qs.filter(target_id=t)
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("outcome"):
            qs = qs.filter(outcome=data["outcome"])
        if data.get("start"):
            qs = qs.filter(at__date__gte=data["start"].date)
        if data.get("end"):
            qs = qs.filter(at__date__lte=data["end"].date)
        return qs


def _auditor_only(request):
    # Only the 审计管理员 reads the log — not even the league admin or the other two 三员.
    if not has_role(request.user, Role.AUDITOR):
        raise PermissionDenied("只有审计管理员可以查看操作日志。")


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.all()
    if form.is_valid():
        entries = form.filter(entries)
    return form, entries


@login_required
def entry_list(request):
    _auditor_only(request)
    form, entries = _filtered(request)
    page = Paginator(entries.select_related(None), 50).get_page(request.GET.get("page"))
    page.object_list = describe_all(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"form": form, "page_obj": page, "query": query.urlencode()})


@login_required
def entry_export(request):
    _auditor_only(request)
    form, entries = _filtered(request)
    wb = Workbook()
    ws = wb.active
    ws.title = "操作日志"
    ws.append(["时间", "操作人", "操作", "结果", "对象类型", "对象编号", "对象", "变更内容", "来源地址", "请求编号"])
    count = 0
    chunk: list[AuditEntry] = []

    def write(chunk):
        for e in describe_all(chunk):
            ws.append([
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.get_action_display(),
                e.get_outcome_display(), e.target_type, e.target_id, mask_text(e.target_repr), changes_text(e), e.ip,
                e.request_id,
            ])

    for e in entries.iterator(chunk_size=1000):
        chunk.append(e)
        count += 1
        if len(chunk) == 1000:
            write(chunk)
            chunk = []
    write(chunk)
    audit_record(action=Action.AUDIT_EXPORT, changes={"rows": count, "filter": request.GET.urlencode()})
    response = HttpResponse(xlsx.save(wb), content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=audit-{timezone.localdate():%Y%m%d}.xlsx"
    return response
