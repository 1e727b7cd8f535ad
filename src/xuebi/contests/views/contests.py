"""The organiser's pages of a contest — list, set-up, panels, assignments, results, publishing,
the big screen — and the contest's page everyone who sees it reads (rules, phases, own entries,
and the results once published)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xuebi.core.forms import db_id, run_service
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.models import User
from xuebi.org.permissions import get_visible_or_404, require_role

from .. import tasks
from ..forms.contests import ContestForm, PanelsForm, ReasonForm, ReopenForm
from ..models import Assignment, Contest, EntryStatus, Stage
from ..selectors import contests as selectors
from ..selectors import results as result_selectors
from ..services import contests as services
from ..services import judging
from ..services import results as result_services

BUSINESS = (Role.CADRE, Role.REVIEWER, *ADMIN_ROLES, Role.JUDGE)


@login_required
def contest_list(request):
    require_role(request, *BUSINESS)
    contests = selectors.contests_for(request.user)
    return render(
        request,
        "contests/contest_list.html",
        {
            "contests": contests,
            "can_create": request.user.has_role(Role.LEAGUE_ADMIN),
            "is_judge": request.user.has_role(Role.JUDGE),
        },
    )


def _save(request, form, contest=None):
    data = form.cleaned_data
    return run_service(
        form,
        lambda: services.contest_save(
            actor=request.user,
            contest=contest,
            values=form.values(),
            criteria=data["criteria_rows"],
            levels=data["level_rows"],
            units=list(data["units"]),
        ),
    )


@login_required
def contest_create(request):
    require_role(request, Role.LEAGUE_ADMIN)
    form = ContestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        contest = _save(request, form)
        if contest is not None:
            messages.success(request, f"已创建评比“{contest.title}”。下一步：设置评审组和评委，然后发布。")
            return redirect("contests:contest_detail", contest.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建评比", "back": reverse("contests:contest_list")})


@login_required
def contest_edit(request, pk):
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    form = ContestForm(request.POST or None, user=request.user, instance=contest)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, contest)
        if saved is not None:
            messages.success(request, "评比设置已保存。")
            return redirect("contests:contest_detail", saved.pk)
    back = reverse("contests:contest_detail", args=[contest.pk])
    return render(request, "core/form_page.html", {"form": form, "title": f"修改评比：{contest.title}", "back": back})


@login_required
def contest_detail(request, pk):
    require_role(request, *BUSINESS)
    contest = get_visible_or_404(Contest, request.user, pk)
    organizer = selectors.is_organizer(request.user, contest)
    context = {
        "contest": contest,
        "organizer": organizer,
        "criteria": contest.criteria.all(),
        "levels": contest.levels.all(),
        "entries": selectors.label_units(selectors.entries_for(request.user, contest)),
        "can_enter": contest.accepts_entries() and request.user.has_role(Role.CADRE, *ADMIN_ROLES),
        "results": _labelled(selectors.published_results(contest)),
        "panels": contest.panels.prefetch_related("judges") if organizer else [],
        "progress": selectors.judging_progress(contest) if organizer else {},
        "my_assignments": selectors.my_assignments(request.user).filter(entry__contest=contest).count(),
        "certificates_job": selectors.certificates_job(contest) if organizer else None,
    }
    return render(request, "contests/contest_detail.html", context)


def _labelled(awards) -> list:
    awards = list(awards)
    selectors.label_units(a.entry for a in awards)
    return awards


def _organizer_post(request, pk, action, done: str):
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    try:
        made = action(contest)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done if isinstance(done, str) else done(made))
    return contest


@login_required
@require_POST
def contest_open(request, pk):
    _organizer_post(
        request,
        pk,
        lambda c: services.contest_open(actor=request.user, contest=c),
        "评比已发布，参评人员可以在征集时间内报送作品。",
    )
    return redirect("contests:contest_detail", pk)


@login_required
def contest_panels(request, pk):
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    form = PanelsForm(request.POST or None, contest=contest)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.panels_save(actor=request.user, contest=contest, panels=form.panels())) is not None:
            messages.success(request, "评审组已保存。")
            return redirect("contests:contest_detail", contest.pk)
    back = reverse("contests:contest_detail", args=[contest.pk])
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": f"评审组和评委：{contest.title}", "back": back},
    )


@login_required
def contest_assignments(request, pk):
    """Who scores what: the table of entries and their judges, with the automatic assignment and
    the organiser's adjustments (add a judge to an entry, remove an unscored task)."""
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    stage = request.GET.get("stage") if request.GET.get("stage") in Stage.values else Stage.PRELIM
    entries = selectors.label_units(
        contest.entries.filter(status=EntryStatus.SUBMITTED, **({"finalist": True} if stage == Stage.FINAL else {}))
        .select_related("unit", "panel")
        .order_by("panel_id", "code")
    )
    tasks: dict[int, list] = {e.pk: [] for e in entries}
    for row in Assignment.objects.filter(entry__contest=contest, stage=stage).select_related("judge").order_by("judge__username"):
        tasks.setdefault(row.entry_id, []).append(row)
    loads: dict = {}
    for rows in tasks.values():
        for row in rows:
            loads[row.judge] = loads.get(row.judge, 0) + 1
    judges = User.objects.filter(contest_panels__contest=contest, contest_panels__is_final=(stage == Stage.FINAL)).distinct()
    return render(
        request,
        "contests/assignments.html",
        {
            "contest": contest,
            "stage": stage,
            "stages": Stage.choices,
            "rows": [(e, tasks[e.pk]) for e in entries],
            "loads": sorted(loads.items(), key=lambda kv: kv[0].username),
            "judges": judges.order_by("username"),
        },
    )


@login_required
@require_POST
def contest_assign(request, pk):
    stage = request.POST.get("stage") if request.POST.get("stage") in Stage.values else Stage.PRELIM

    def done(summary):
        short = (
            f"；{len(summary['short'])} 件作品评委不足（{'、'.join(summary['short'][:10])}），请增加评委或手工调整"
            if summary["short"]
            else ""
        )
        return f"已分配：{summary['entries']} 件作品，{summary['assignments']} 条评审任务{short}。"

    _organizer_post(request, pk, lambda c: judging.assign(actor=request.user, contest=c, stage=stage), done)
    return redirect(f"{reverse('contests:contest_assignments', args=[pk])}?stage={stage}")


@login_required
@require_POST
def assignment_add(request, pk):
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    stage = request.POST.get("stage") if request.POST.get("stage") in Stage.values else Stage.PRELIM
    code = (request.POST.get("code") or "").strip().upper()[:12]
    entry = contest.entries.filter(code=code, status=EntryStatus.SUBMITTED).first() if code else None
    judge = User.objects.filter(pk=db_id(request.POST.get("judge"))).first()
    if entry is None or judge is None:
        messages.error(request, f"没有编号为“{code}”的作品。" if judge is not None else "请填写作品编号并选择评委。")
    else:
        try:
            judging.assignment_add(actor=request.user, entry=entry, judge=judge, stage=stage)
            messages.success(request, f"已把作品 {entry.code} 分配给 {judge}。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('contests:contest_assignments', args=[pk])}?stage={stage}")


@login_required
@require_POST
def assignment_remove(request, pk):
    require_role(request, Role.LEAGUE_ADMIN)
    assignment = get_visible_or_404(Assignment, request.user, pk, "change")
    try:
        judging.assignment_remove(actor=request.user, assignment=assignment)
        messages.success(request, "已取消这条评审任务。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    contest_id = assignment.entry.contest_id
    return redirect(f"{reverse('contests:contest_assignments', args=[contest_id])}?stage={assignment.stage}")


@login_required
@require_POST
def contest_reopen(request, pk):
    """Send one judge's submitted score of one entry back (by the entry's code and the judge),
    with the reason — the results page's one form, however many scores the contest has."""
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    form = ReopenForm(request.POST, contest=contest)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("contests:contest_results", pk)
    assignment = form.cleaned_data["assignment"]
    try:
        judging.score_reopen(actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
        messages.success(request, f"已退回 {assignment.judge} 对作品 {assignment.entry.code} 的评分，评委可以重新评分。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("contests:contest_results", pk)


@login_required
def contest_results(request, pk):
    """The organiser's results before (and after) publishing: each entry's place, score, how it
    came about (every judge's total, the dropped highest and lowest, raw and normalised), the
    level, and the spread checks."""
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    results = result_selectors.results(contest)
    return render(
        request,
        "contests/results.html",
        {
            "contest": contest,
            "results": results,
            "reopen_form": ReopenForm(contest=contest),
            "has_final_panel": contest.final_top and contest.panels.filter(is_final=True).exists(),
        },
    )


@login_required
@require_POST
def contest_final(request, pk):
    _organizer_post(
        request,
        pk,
        lambda c: result_services.final_select(actor=request.user, contest=c),
        lambda made: f"{len(made)} 件作品进入决赛。",
    )
    return redirect("contests:contest_results", pk)


@login_required
@require_POST
def contest_publish(request, pk):
    _organizer_post(
        request,
        pk,
        lambda c: result_services.publish(actor=request.user, contest=c),
        lambda made: f"结果已公布：{sum(1 for a in made if a.level)} 件作品获奖，积分已计入。",
    )
    return redirect("contests:contest_detail", pk)


@login_required
@require_POST
def contest_unpublish(request, pk):
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤回结果的原因。")
    else:
        try:
            result_services.unpublish(actor=request.user, contest=contest, reason=form.cleaned_data["reason"])
            messages.success(request, "结果已撤回，获奖积分已冲销；修正后可重新公布。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return redirect("contests:contest_results", pk)


@login_required
@require_POST
def contest_certificates(request, pk):
    """Make the certificates again (after a correction of names, say): a job, shown on its page."""
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    if contest.status != "published":
        messages.error(request, "评比结果尚未公布，不能生成奖状。")
        return redirect("contests:contest_detail", pk)
    job = tasks.start_certificates(actor=request.user, contest=contest)
    return redirect("jobs:job", job.pk)


@login_required
def contest_screen(request, pk):
    """The 大屏 of a live contest: each contestant's final score as soon as every judge scored,
    with the dropped highest and lowest (``static/contests/screen.js`` asks the API)."""
    require_role(request, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.user, pk, "change")
    if not contest.live:
        raise Http404("该评比不是现场评分。")
    return render(request, "contests/screen.html", {"contest": contest})
