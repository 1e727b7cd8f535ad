"""Pages of the annual summary (年度总结): the draft (figures, text, save, regenerate), its .docx,
and the league admin's settings of the figures. Reads through ``selectors.summary``, writes through
``services.summary``; routes in ``reports/urls.py``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from xuebi.campaign.models import Campaign
from xuebi.core.forms import db_id, run_service
from xuebi.core.http import posted
from xuebi.org.choices import Role
from xuebi.org.permissions import require_role
from xuebi.org.scoping import has_role
from xuebi.points.selectors import current_campaign

from ..forms.summary import FigureSettingForm, SummaryDraftForm, SummaryScopeForm
from ..selectors import summary as selectors
from ..services import summary as services

SUMMARY_ROLES = selectors.SUMMARY_ROLES
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _id_or_404(value: str | None) -> int | None:
    """An id from the query string: None when not given; a value that is no id is a 404, as a
    missing object is."""
    if not value:
        return None
    pk = db_id(value)
    if pk is None:
        raise Http404("找不到该对象，或您无权访问。")
    return pk


def _question(request):
    """(campaign or None, unit) the page asks about: the campaign asked for (else the current
    one), the unit asked for within the admin's scope (else the top of their grants)."""
    require_role(request, *SUMMARY_ROLES)
    campaign_id = _id_or_404(request.GET.get("campaign"))
    unit = selectors.scope_unit(request.user, _id_or_404(request.GET.get("unit")))
    if campaign_id is not None:
        campaign = get_object_or_404(Campaign, pk=campaign_id)
    else:
        campaign = current_campaign(timezone.localdate())
    return campaign, unit


def _address(name: str, campaign, unit) -> str:
    return f"{reverse(name)}?{urlencode({'campaign': campaign.pk, 'unit': unit.pk})}"


@login_required
def summary_page(request):
    campaign, unit = _question(request)
    scope_form = SummaryScopeForm(user=request.user, campaign=campaign, unit=unit)
    if campaign is None:
        return render(request, "reports/summary.html", {"scope_form": scope_form, "summary": None})
    summary = selectors.summary_for(campaign=campaign, unit=unit)
    catalogue = [value.figure for value in summary.values]
    data = posted(request)
    form = SummaryDraftForm(
        data, catalogue=catalogue, initial={"figures": summary.chosen, "text": summary.edited_text} if data is None else None
    )
    if data is not None and form.is_valid():
        regenerate = "regenerate" in data
        draft = run_service(
            form,
            lambda: services.summary_save(
                actor=request.user,
                campaign=campaign,
                unit=unit,
                figures=form.cleaned_data["figures"],
                text=form.cleaned_data["text"],
                regenerate=regenerate,
            ),
        )
        if draft is not None:
            messages.success(request, "已按最新数据重新生成正文并保存。" if regenerate else "年度总结已保存。")
            return redirect(_address("reports:summary", campaign, unit))
    return render(
        request,
        "reports/summary.html",
        {
            "scope_form": scope_form,
            "summary": summary,
            "form": form,
            "rows": [(value, value.key in summary.chosen_set) for value in summary.values],
            "export_url": _address("reports:summary_export", campaign, unit),
            "can_configure": has_role(request.user, Role.LEAGUE_ADMIN),
        },
    )


@login_required
def summary_export(request):
    """The kept summary (or, with no draft, the drafted text) as a .docx."""
    campaign, unit = _question(request)
    if campaign is None:
        raise Http404("尚未设置活动。")
    summary = selectors.summary_for(campaign=campaign, unit=unit)
    if not summary.edited_text:
        messages.error(request, "正文为空：请先选择数字或填写正文。")
        return redirect(_address("reports:summary", campaign, unit))
    content = services.summary_docx(actor=request.user, summary=summary)
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, services.docx_name(summary))
    return response


@login_required
def figure_settings(request):
    """The catalogue's figures with their rounding units: league admins set them."""
    require_role(request, Role.LEAGUE_ADMIN)
    catalogue = selectors.catalogue()
    data = posted(request)
    forms = [FigureSettingForm(data, figure=figure) for figure in catalogue]
    if data is not None and all(form.is_valid() for form in forms):
        settings = {form.figure.key: (form.cleaned_data["rounding_unit"], form.cleaned_data["included"]) for form in forms}
        changed = run_service(forms[0], lambda: services.summary_figures_update(actor=request.user, settings=settings))
        if changed is not None:
            messages.success(request, f"已保存（{changed}项有改动）。" if changed else "没有改动。")
            return redirect("reports:summary_figures")
    described = selectors.describe(catalogue)
    rows = [(form, described[form.figure.key]) for form in forms]
    return render(request, "reports/summary_figures.html", {"forms": forms, "rows": rows})
