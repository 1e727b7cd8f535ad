"""The ledger's reports: 三会一课 compliance of 党支部, 五学联动 activity, and the meeting
requirements behind the first (with their .xlsx sheets).

Thin views: reads through the selectors (``selectors.reports``, scoped by ``visible_to``), the
requirement writes through ``services.requirements``. Routes in ``ledger/urls.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from xuebi.core import xlsx
from xuebi.core.http import posted, query_without_page
from xuebi.core.forms import add_validation_error
from xuebi.org.permissions import require_role
from xuebi.org.choices import Role
from xuebi.org.scoping import has_role

from .. import sheets
from ..forms.reports import ComplianceFilterForm, RequirementForm, StudyLevelFilterForm
from ..models import REVIEW_ROLES, MeetingRequirement
from ..selectors import reports as selectors
from ..services import requirements as services
from ..services.exports import scope_label

REPORT_ROLES = tuple(REVIEW_ROLES)
EXPORT_ROLES = (*REPORT_ROLES, Role.CADRE)
BRANCHES_PER_PAGE = 20


# --- index ------------------------------------------------------------------------------------


@login_required
def index(request):
    """统计报表: the reports this role can open."""
    require_role(request, *EXPORT_ROLES)
    user = request.user
    items = []
    if has_role(user, *REPORT_ROLES):
        items += [
            (
                "三会一课落实情况",
                "ledger:compliance",
                "各党支部支部党员大会、支委会、党小组会、党课、主题党日按期落实情况，缺项一目了然。",
            ),
            (
                "五学联动统计",
                "ledger:study_levels",
                "中心组领学、机关党委督学、党支部深学、党小组促学、党员研学，按单位、按月统计。",
            ),
            ("组织生活要求", "ledger:requirement_list", "各类会议的频次和每期次数（盟级管理员设置）。"),
        ]
    items += [
        ("业务讲堂", "ledger:lecture_list", "组工干部上讲台：场次安排、主讲轮换、缺席补讲。"),
        ("导出台账", "ledger:export", "按类型、单位、期间导出 Excel 台账，版式同纸质台账。"),
    ]
    return render(
        request,
        "ledger/reports/index.html",
        {
            "items": [{"title": t, "url": reverse(name), "text": text} for t, name, text in items],
        },
    )


# --- 三会一课 ---------------------------------------------------------------------------------


def _compliance_question(request):
    """The 三会一课 report asked for (page and export alike): today, the filter form, the year, and
    the branches of the scope in order."""
    require_role(request, *REPORT_ROLES)
    today = timezone.localdate()
    form = ComplianceFilterForm(request.GET or None, user=request.user, today=today)
    year, within = form.values(today)
    return today, form, year, within, selectors.branches_for(request.user, within=within).order_by("path")


@login_required
def compliance(request):
    today, form, year, within, branches = _compliance_question(request)
    page = Paginator(branches, BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
    report = selectors.compliance(user=request.user, year=year, branches=page.object_list, today=today)
    return render(
        request,
        "ledger/reports/compliance.html",
        {
            "form": form,
            "report": report,
            "page_obj": page,
            "query": query_without_page(request),
            "can_configure": has_role(request.user, Role.LEAGUE_ADMIN),
            "scope": _scope(request.user, within),
        },
    )


@login_required
def compliance_export(request):
    """The 三会一课 report as an .xlsx: every branch of the scope asked for, not one page of them."""
    today, _form, year, within, branches = _compliance_question(request)
    report = selectors.compliance(user=request.user, year=year, branches=branches, today=today)
    content = sheets.compliance_workbook(report, scope=_scope(request.user, within))
    return xlsx.download(content, f"三会一课落实情况-{year}-{today:%Y%m%d}.xlsx")


def _scope(user, within) -> str:
    """Whose report a title names: the unit chosen, else the units the viewer looks after."""
    return within.name if within is not None else scope_label(user, None)


# --- 五学联动 ---------------------------------------------------------------------------------


def _study_levels_question(request):
    """The 五学联动 report asked for (page and export alike): today, the form, the year, the depth
    to group at (None: nothing in scope to group) and the unit it is narrowed to."""
    require_role(request, *REPORT_ROLES)
    today = timezone.localdate()
    form = StudyLevelFilterForm(request.GET or None, user=request.user, today=today)
    return today, form, *form.values(today)


@login_required
def study_levels(request):
    today, form, year, depth, within = _study_levels_question(request)
    report = selectors.study_levels(user=request.user, year=year, depth=depth, within=within) if depth else None
    return render(
        request,
        "ledger/reports/study_levels.html",
        {
            "form": form,
            "report": report,
            "months": range(1, 13),
            "depth_label": selectors.depth_label(depth or 0),
            "query": query_without_page(request),
            "scope": _scope(request.user, within),
            "today": today,
        },
    )


@login_required
def study_levels_export(request):
    today, _form, year, depth, within = _study_levels_question(request)
    if not depth:
        messages.error(request, "您的范围内没有可汇总的单位。")
        return redirect("ledger:study_levels")
    report = selectors.study_levels(user=request.user, year=year, depth=depth, within=within)
    content = sheets.study_levels_workbook(
        report, scope=_scope(request.user, within), depth_label=selectors.depth_label(depth), today=today
    )
    return xlsx.download(content, f"五学联动统计-{year}-{today:%Y%m%d}.xlsx")


# --- requirements -----------------------------------------------------------------------------


@login_required
def requirement_list(request):
    require_role(request, *REPORT_ROLES)
    rows = MeetingRequirement.objects.select_related("kind")
    return render(
        request,
        "ledger/reports/requirement_list.html",
        {
            "requirements": rows,
            "can_change": has_role(request.user, Role.LEAGUE_ADMIN),
        },
    )


def _requirement_form(request, requirement: MeetingRequirement | None):
    require_role(request, Role.LEAGUE_ADMIN)
    form = RequirementForm(posted(request), requirement=requirement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.requirement_save(
                actor=request.user,
                kind=requirement.kind if requirement else data["kind"],
                frequency=data["frequency"],
                min_count=data["min_count"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"已保存“{saved.kind.name}”的组织生活要求。")
            return redirect("ledger:requirement_list")
    title = f"组织生活要求：{requirement.kind.name}" if requirement else "新增组织生活要求"
    return render(request, "core/form_page.html", {"form": form, "title": title, "back": reverse("ledger:requirement_list")})


@login_required
def requirement_create(request):
    return _requirement_form(request, None)


@login_required
def requirement_edit(request, pk: int):
    require_role(request, Role.LEAGUE_ADMIN)
    return _requirement_form(request, get_object_or_404(MeetingRequirement.objects.select_related("kind"), pk=pk))
