"""业务讲堂 pages: series, their members in rotation order, sessions planned, held and cancelled.

Reads and the rotation rule through ``selectors.lectures``, writes through ``services.lectures``.
Routes in ``ledger/urls.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xuebi.core import dates
from xuebi.core.http import posted
from xuebi.core.forms import add_validation_error
from xuebi.org.permissions import get_visible_or_404, require_role
from xuebi.org.scoping import has_role

from ..choices import LectureStatus
from ..forms.lectures import AbsenteesForm, MembersForm, SeriesForm, SessionHeldForm, SessionPlanForm
from ..models import LectureSeries, LectureSession
from ..selectors import lectures as selectors
from ..services import lectures as services

LECTURE_VIEW_ROLES = tuple(LectureSeries.scope_roles["view"])
LECTURE_CHANGE_ROLES = tuple(LectureSeries.scope_roles["change"])


# --- 业务讲堂 ---------------------------------------------------------------------------------


@login_required
def lecture_list(request):
    require_role(request, *LECTURE_VIEW_ROLES)
    series = selectors.with_counts(LectureSeries.objects.visible_to(request.user))
    page = Paginator(series, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/lectures/list.html",
        {
            "page_obj": page,
            "can_create": has_role(request.user, *LECTURE_CHANGE_ROLES),
        },
    )


@login_required
def lecture_create(request):
    require_role(request, *LECTURE_CHANGE_ROLES)
    form = SeriesForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_create(actor=request.user, unit=form.cleaned_data["unit"], title=form.cleaned_data["title"])
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
    held = selectors.presented_counts([s for s in sessions if s.status == LectureStatus.HELD])
    planned = selectors.presented_counts([s for s in sessions if s.status == LectureStatus.PLANNED])
    can_change = LectureSeries.objects.visible_to(request.user, "change").filter(pk=pk).exists()
    proposed = selectors.proposed_presenter(members, sessions)
    rows = [
        {
            "member": m,
            "held": held.get(m.person_id, 0),
            "planned": planned.get(m.person_id, 0),
            "is_next": proposed is not None and m.person_id == proposed.pk,
        }
        for m in members
    ]
    return render(
        request,
        "ledger/lectures/detail.html",
        {
            "series": series,
            "rows": rows,
            "sessions": sessions,
            "can_change": can_change,
            "proposed": proposed,
            "held_total": sum(held.values()),
        },
    )


def _changeable_series(request, pk: int) -> LectureSeries:
    return get_visible_or_404(LectureSeries, request.user, pk, "change")


@login_required
def lecture_members(request, pk: int):
    series = _changeable_series(request, pk)
    candidates = selectors.default_members(request.user, series.unit)
    # members who have since left the unit stay listed, so they can be kept or removed knowingly
    extra = [m.person for m in series.members.select_related("person", "person__unit").exclude(person__in=candidates)]
    form = MembersForm(posted(request), series=series, candidates=[*candidates, *extra])
    if request.method == "POST" and form.is_valid():
        try:
            services.series_set_members(actor=request.user, series=series, members=form.members)
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
    series = services.series_set_active(actor=request.user, series=series, is_active=not series.is_active)
    messages.success(
        request, f"“{series.title}”" + ("已恢复，可以继续安排场次。" if series.is_active else "已结束，历史场次保留。")
    )
    return redirect("ledger:lecture_detail", pk=pk)


@login_required
def lecture_plan(request, pk: int):
    series = _changeable_series(request, pk)
    members, sessions = _series_page_data(series)
    proposed = selectors.proposed_presenter(members, sessions)
    form = SessionPlanForm(posted(request), members=members, proposed=proposed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_plan(
                actor=request.user,
                series=series,
                planned_on=data["planned_on"].date,
                topic=data["topic"],
                presenter=data["presenter"],
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"已安排{dates.display(session.planned_on)}的讲堂，主讲人：{session.presenter.name}。")
            return redirect("ledger:lecture_detail", pk=pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"安排下一场：{series.title}",
            "back": reverse("ledger:lecture_detail", args=[pk]),
        },
    )


def _session(request, pk: int) -> LectureSession:
    """A session of a series the user may change; otherwise 404, as for anything out of scope."""
    return get_object_or_404(
        selectors.sessions_visible_to(request.user, "change").select_related(
            "series", "series__unit", "series__kind", "presenter"
        ),
        pk=pk,
    )


@login_required
def session_absentees(request, pk: int):
    session = _session(request, pk)
    form = AbsenteesForm(posted(request), session=session)
    if request.method == "POST" and form.is_valid():
        presenter = session.presenter
        try:
            session = services.session_set_absentees(
                actor=request.user, session=session, absentees=list(form.cleaned_data["absentees"])
            )
        except ValidationError as exc:
            add_validation_error(form, exc, default_field="absentees")
        else:
            if session.presenter_id != presenter.pk:
                messages.warning(
                    request, f"主讲人{presenter.name}缺席，本场改由{session.presenter.name}主讲；{presenter.name}下次优先补讲。"
                )
            else:
                messages.success(request, "缺席人员已保存。")
            return redirect("ledger:lecture_detail", pk=session.series_id)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"登记缺席：{session.series.title}（{dates.display(session.planned_on)}）",
            "back": reverse("ledger:lecture_detail", args=[session.series_id]),
        },
    )


@login_required
def session_held(request, pk: int):
    session = _session(request, pk)
    form = SessionHeldForm(posted(request), request.FILES or None, session=session, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.session_hold(actor=request.user, session=session, **form.hold_values())
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
        services.session_cancel(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "该场次已取消；主讲人的轮次保留到下一场。")
    return redirect("ledger:lecture_detail", pk=session.series_id)
