"""Ledger reports (三会一课 compliance, 五学联动), meeting requirements, 业务讲堂 and the .xlsx export.

Thin views: reads through ``visible_to`` (via ``reports`` and ``get_visible_or_404``), writes
through the services in ``lectures``, ``requirements`` and ``export``. ``ledger/urls.py``
appends ``urlpatterns`` under the ``ledger`` namespace.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from xuebi.core import dates
from xuebi.core.forms import add_validation_error
from xuebi.core.permissions import get_visible_or_404, require_role
from xuebi.org.choices import Role
from xuebi.org.scoping import has_role

from . import export, lectures, report_sheets, reports, requirements
from .choices import LectureStatus
from .forms_reports import (
    AbsenteesForm, ComplianceFilterForm, ExportForm, MembersForm, RequirementForm, SeriesForm, SessionHeldForm,
    SessionPlanForm, StudyLevelFilterForm,
)
from .models import REVIEW_ROLES, LectureSeries, LectureSession, MeetingRequirement

REPORT_ROLES = tuple(REVIEW_ROLES)
EXPORT_ROLES = (*REPORT_ROLES, Role.CADRE)
LECTURE_VIEW_ROLES = tuple(LectureSeries.scope_roles["view"])
LECTURE_CHANGE_ROLES = tuple(LectureSeries.scope_roles["change"])
BRANCHES_PER_PAGE = 20


def _posted(request):
    """The POST data of a POST, else None. (``request.POST or None`` would treat a form posted
    with every box unticked — no absentees, no members — as not posted at all.)"""
    return request.POST if request.method == "POST" else None


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- index ------------------------------------------------------------------------------------

@login_required
def index(request):
    """统计报表: the reports this role can open."""
    require_role(request, *EXPORT_ROLES)
    user = request.user
    items = []
    if has_role(user, *REPORT_ROLES):
        items += [
            ("三会一课落实情况", "ledger:compliance", "各党支部支部党员大会、支委会、党小组会、党课、主题党日按期落实情况，缺项一目了然。"),
            ("五学联动统计", "ledger:study_levels", "中心组领学、机关党委督学、党支部深学、党小组促学、党员研学，按单位、按月统计。"),
            ("组织生活要求", "ledger:requirement_list", "各类会议的频次和每期次数（盟级管理员设置）。"),
        ]
    items += [
        ("业务讲堂", "ledger:lecture_list", "组工干部上讲台：场次安排、主讲轮换、缺席补讲。"),
        ("导出台账", "ledger:export", "按类型、单位、期间导出 Excel 台账，版式同纸质台账。"),
    ]
    return render(request, "ledger/reports/index.html", {
        "items": [{"title": t, "url": reverse(name), "text": text} for t, name, text in items],
    })


# --- 三会一课 ---------------------------------------------------------------------------------

def _compliance_question(request):
    """The 三会一课 report asked for (page and export alike): today, the filter form, the year, and
    the branches of the scope in order."""
    require_role(request, *REPORT_ROLES)
    today = timezone.localdate()
    form = ComplianceFilterForm(request.GET or None, user=request.user, today=today)
    year, within = form.values(today)
    return today, form, year, within, reports.branches_for(request.user, within=within).order_by("path")


@login_required
def compliance(request):
    today, form, year, within, branches = _compliance_question(request)
    page = Paginator(branches, BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
    report = reports.compliance(user=request.user, year=year, branches=page.object_list, today=today)
    return render(request, "ledger/reports/compliance.html", {
        "form": form, "report": report, "page_obj": page, "query": _query(request),
        "can_configure": has_role(request.user, Role.LEAGUE_ADMIN), "scope": _scope(request.user, within),
    })


@login_required
def compliance_export(request):
    """The 三会一课 report as an .xlsx: every branch of the scope asked for, not one page of them."""
    today, _form, year, within, branches = _compliance_question(request)
    report = reports.compliance(user=request.user, year=year, branches=branches, today=today)
    content = report_sheets.compliance_workbook(report, scope=_scope(request.user, within))
    return xlsx_response(export.ExportFile(content, f"三会一课落实情况-{year}-{today:%Y%m%d}.xlsx", len(report.branches)))


def _scope(user, within) -> str:
    """Whose report a title names: the unit chosen, else the units the viewer looks after."""
    return within.name if within is not None else export.scope_label(user, None)


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
    report = reports.study_levels(user=request.user, year=year, depth=depth, within=within) if depth else None
    return render(request, "ledger/reports/study_levels.html", {
        "form": form, "report": report, "months": range(1, 13), "depth_label": reports.depth_label(depth or 0),
        "query": _query(request), "scope": _scope(request.user, within), "today": today,
    })


@login_required
def study_levels_export(request):
    today, _form, year, depth, within = _study_levels_question(request)
    if not depth:
        messages.error(request, "您的范围内没有可汇总的单位。")
        return redirect("ledger:study_levels")
    report = reports.study_levels(user=request.user, year=year, depth=depth, within=within)
    content = report_sheets.study_levels_workbook(report, scope=_scope(request.user, within),
                                                  depth_label=reports.depth_label(depth), today=today)
    return xlsx_response(export.ExportFile(content, f"五学联动统计-{year}-{today:%Y%m%d}.xlsx", len(report.units)))


# --- requirements -----------------------------------------------------------------------------

@login_required
def requirement_list(request):
    require_role(request, *REPORT_ROLES)
    rows = MeetingRequirement.objects.select_related("kind")
    return render(request, "ledger/reports/requirement_list.html", {
        "requirements": rows, "can_change": has_role(request.user, Role.LEAGUE_ADMIN),
    })


def _requirement_form(request, requirement: MeetingRequirement | None):
    require_role(request, Role.LEAGUE_ADMIN)
    form = RequirementForm(_posted(request), requirement=requirement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = requirements.requirement_save(
                actor=request.user, kind=requirement.kind if requirement else data["kind"], frequency=data["frequency"],
                min_count=data["min_count"], is_active=data["is_active"],
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


# --- 业务讲堂 ---------------------------------------------------------------------------------

@login_required
def lecture_list(request):
    require_role(request, *LECTURE_VIEW_ROLES)
    series = lectures.with_counts(LectureSeries.objects.visible_to(request.user))
    page = Paginator(series, 20).get_page(request.GET.get("page"))
    return render(request, "ledger/lectures/list.html", {
        "page_obj": page, "can_create": has_role(request.user, *LECTURE_CHANGE_ROLES),
    })


@login_required
def lecture_create(request):
    require_role(request, *LECTURE_CHANGE_ROLES)
    form = SeriesForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            series = lectures.series_create(actor=request.user, unit=form.cleaned_data["unit"], title=form.cleaned_data["title"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"已新建“{series.title}”，成员{series.members.count()}人。可在“成员与顺序”中调整。")
            return redirect("ledger:lecture_detail", pk=series.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建业务讲堂", "back": reverse("ledger:lecture_list")})


def _series_page_data(series: LectureSeries):
    members = list(series.members.select_related("person", "person__unit"))
    sessions = list(series.sessions.select_related("presenter").prefetch_related("absentees").order_by("-planned_on", "-pk"))
    return members, sessions


@login_required
def lecture_detail(request, pk: int):
    series = get_object_or_404(LectureSeries.objects.visible_to(request.user).select_related("unit", "kind"), pk=pk)
    members, sessions = _series_page_data(series)
    held = lectures.presented_counts([s for s in sessions if s.status == LectureStatus.HELD])
    planned = lectures.presented_counts([s for s in sessions if s.status == LectureStatus.PLANNED])
    can_change = LectureSeries.objects.visible_to(request.user, "change").filter(pk=pk).exists()
    proposed = lectures.proposed_presenter(members, sessions)
    rows = [{"member": m, "held": held.get(m.person_id, 0), "planned": planned.get(m.person_id, 0),
             "is_next": proposed is not None and m.person_id == proposed.pk} for m in members]
    return render(request, "ledger/lectures/detail.html", {
        "series": series, "rows": rows, "sessions": sessions, "can_change": can_change, "proposed": proposed,
        "held_total": sum(held.values()),
    })


def _changeable_series(request, pk: int) -> LectureSeries:
    return get_visible_or_404(LectureSeries, request.user, pk, "change")


@login_required
def lecture_members(request, pk: int):
    series = _changeable_series(request, pk)
    candidates = lectures.default_members(request.user, series.unit)
    # members who have since left the unit stay listed, so they can be kept or removed knowingly
    extra = [m.person for m in series.members.select_related("person", "person__unit").exclude(person__in=candidates)]
    form = MembersForm(_posted(request), series=series, candidates=[*candidates, *extra])
    if request.method == "POST" and form.is_valid():
        try:
            lectures.series_set_members(actor=request.user, series=series, members=form.members)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"成员与顺序已保存（{len(form.members)}人）。")
            return redirect("ledger:lecture_detail", pk=pk)
    return render(request, "ledger/lectures/members.html", {"series": series, "form": form})


@login_required
@require_POST
def lecture_toggle_active(request, pk: int):
    series = _changeable_series(request, pk)
    series = lectures.series_set_active(actor=request.user, series=series, is_active=not series.is_active)
    messages.success(request, f"“{series.title}”" + ("已恢复，可以继续安排场次。" if series.is_active else "已结束，历史场次保留。"))
    return redirect("ledger:lecture_detail", pk=pk)


@login_required
def lecture_plan(request, pk: int):
    series = _changeable_series(request, pk)
    members, sessions = _series_page_data(series)
    proposed = lectures.proposed_presenter(members, sessions)
    form = SessionPlanForm(_posted(request), members=members, proposed=proposed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = lectures.session_plan(actor=request.user, series=series, planned_on=data["planned_on"].date,
                                            topic=data["topic"], presenter=data["presenter"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"已安排{dates.display(session.planned_on)}的讲堂，主讲人：{session.presenter.name}。")
            return redirect("ledger:lecture_detail", pk=pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"安排下一场：{series.title}", "back": reverse("ledger:lecture_detail", args=[pk]),
    })


def _session(request, pk: int) -> LectureSession:
    """A session of a series the user may change; otherwise 404, as for anything out of scope."""
    return get_object_or_404(
        lectures.sessions_visible_to(request.user, "change").select_related("series", "series__unit", "series__kind", "presenter"),
        pk=pk,
    )


@login_required
def session_absentees(request, pk: int):
    session = _session(request, pk)
    form = AbsenteesForm(_posted(request), session=session)
    if request.method == "POST" and form.is_valid():
        presenter = session.presenter
        try:
            session = lectures.session_set_absentees(actor=request.user, session=session,
                                                     absentees=list(form.cleaned_data["absentees"]))
        except ValidationError as exc:
            add_validation_error(form, exc, default_field="absentees")
        else:
            if session.presenter_id != presenter.pk:
                messages.warning(request, f"主讲人{presenter.name}缺席，本场改由{session.presenter.name}主讲；{presenter.name}下次优先补讲。")
            else:
                messages.success(request, "缺席人员已保存。")
            return redirect("ledger:lecture_detail", pk=session.series_id)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"登记缺席：{session.series.title}（{dates.display(session.planned_on)}）",
        "back": reverse("ledger:lecture_detail", args=[session.series_id]),
    })


@login_required
def session_held(request, pk: int):
    session = _session(request, pk)
    form = SessionHeldForm(_posted(request), request.FILES or None, session=session, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = lectures.session_hold(actor=request.user, session=session, **form.hold_values())
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"已登记举办，并生成台账记录“{record.title}”（已提交审核）。")
            return redirect("ledger:lecture_detail", pk=session.series_id)
    return render(request, "ledger/lectures/held.html", {"form": form, "session": session})


@login_required
@require_POST
def session_cancel(request, pk: int):
    session = _session(request, pk)
    try:
        lectures.session_cancel(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "该场次已取消；主讲人的轮次保留到下一场。")
    return redirect("ledger:lecture_detail", pk=session.series_id)


# --- export -----------------------------------------------------------------------------------

def xlsx_response(result: export.ExportFile) -> HttpResponse:
    response = HttpResponse(result.content, content_type=export.XLSX)
    response["Content-Disposition"] = content_disposition_header(True, result.filename)
    return response


@login_required
def export_view(request):
    """The export form (GET without filters); GET with filters answers the file."""
    require_role(request, *EXPORT_ROLES)
    form = ExportForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = export.ledger_export(actor=request.user, kind=data["kind"], unit=data["unit"], date_from=data["start"],
                                          date_to=data["end"], approved_only=data["approved_only"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            return xlsx_response(result)
    return render(request, "ledger/reports/export.html", {"form": form})


urlpatterns = [
    path("reports/", index, name="reports"),
    path("reports/compliance/", compliance, name="compliance"),
    path("reports/compliance/export.xlsx", compliance_export, name="compliance_export"),
    path("reports/study-levels/", study_levels, name="study_levels"),
    path("reports/study-levels/export.xlsx", study_levels_export, name="study_levels_export"),
    path("reports/requirements/", requirement_list, name="requirement_list"),
    path("reports/requirements/new/", requirement_create, name="requirement_create"),
    path("reports/requirements/<int:pk>/", requirement_edit, name="requirement_edit"),
    path("reports/export/", export_view, name="export"),
    path("lectures/", lecture_list, name="lecture_list"),
    path("lectures/new/", lecture_create, name="lecture_create"),
    path("lectures/<int:pk>/", lecture_detail, name="lecture_detail"),
    path("lectures/<int:pk>/members/", lecture_members, name="lecture_members"),
    path("lectures/<int:pk>/plan/", lecture_plan, name="lecture_plan"),
    path("lectures/<int:pk>/active/", lecture_toggle_active, name="lecture_toggle_active"),
    path("lectures/sessions/<int:pk>/absentees/", session_absentees, name="session_absentees"),
    path("lectures/sessions/<int:pk>/held/", session_held, name="session_held"),
    path("lectures/sessions/<int:pk>/cancel/", session_cancel, name="session_cancel"),
]
