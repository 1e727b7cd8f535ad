"""我的积分 and the leaderboards (排行榜); manual adjustments for admins."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.template.loader import render_to_string
from django.utils import timezone

from xuebi.campaign.models import Campaign
from xuebi.core import xlsx
from xuebi.core.forms import run_service
from xuebi.org.permissions import require_role
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.scoping import has_role
from xuebi.core.formatting import points_text

from xuebi.jobs import services as jobs

from . import readmodel, recompute, selectors, services, sheets, tasks
from .selectors import BOARD_ROLES, board_paths, drill_down_or_404, show_board
from .forms import AdjustForm, BoardForm, BoardSpec
from .models import PointEntry


def board_question(request, campaign, kind: str, today, version: readmodel.Version) -> tuple[str, BoardSpec | None]:
    """The board page's question: its tabs and form, rendered, and what they ask for (``None``
    when the form has errors, which the HTML shows). Kept in the cache while the query string,
    the campaign's dates, today, the units and the indicators are the same: new points do not
    change it, so a board recomputed after an approval does not build and render its form again."""
    key = readmodel.cache_key(
        "points-form",
        kind,
        sorted(request.GET.lists()),
        campaign.pk,
        campaign.start_date,
        campaign.end_date,
        today,
        version.setup,
    )
    found = readmodel.cached(key)
    if found is None:
        form = BoardForm(request.GET, campaign=campaign, today=today)
        spec = form.spec() if form.is_valid() else None
        html = render_to_string(
            "points/_board_form.html",
            {
                "form": form,
                "board_kind": kind,
                "parent": spec and spec.parent,
                "campaign": campaign,
                "campaigns": Campaign.objects.order_by("-start_date").values("pk", "name", "is_closed"),
            },
        )
        found = (html, spec)
        readmodel.keep(key, found)
    return found


def board_content(request, campaign, kind: str, version: readmodel.Version) -> str:
    """The board page below its title — the form (``board_question``) and the table — rendered,
    the table kept in the cache as HTML while the board's data and the question are the same
    (the query string, the campaign's dates, the viewer's scope and person, today,
    ``readmodel.version``). A viewer who reloads gets it without the board being read or the table
    rendered again: the page then costs little more than the site's frame around it."""
    today, user = timezone.localdate(), request.user
    paths = board_paths(user)
    question, spec = board_question(request, campaign, kind, today, version)
    if spec is None:
        return question
    drill_down_or_404(spec, paths)  # before the cache: a table kept for one viewer is not another's
    key = readmodel.cache_key(
        "points-page",
        kind,
        sorted(request.GET.lists()),
        campaign.pk,
        campaign.start_date,
        campaign.end_date,
        paths,
        user.person_id if kind == "people" else "",
        today,
        version,
    )
    table = readmodel.cached(key)
    if table is None:
        board = show_board(user, campaign, spec, kind, today=today, paths=paths, version=version)
        table = render_to_string(
            "points/_board_table.html", {"board": board, "board_kind": kind, "spec": spec, "parent": spec.parent, "paths": paths}
        )
        readmodel.keep(key, table)
    return question + table


def _campaign(request):
    return selectors.current_campaign(timezone.localdate())


@login_required
def mine(request):
    """我的积分: total, by 类别 and indicator, rank, and the journal with the reason of every entry."""
    require_role(request, *BOARD_ROLES)
    campaign = _campaign(request)
    person = request.user.person
    if person is None or campaign is None:
        return render(request, "points/mine.html", {"campaign": campaign, "person": person})
    detail = request.GET.get("view") == "detail"  # every entry; by default one net row per source
    if detail:
        entries = (
            PointEntry.objects.filter(person=person, campaign=campaign)
            .select_related("indicator", "reverses")
            .order_by("-occurred_on", "-pk")
        )
    else:
        entries = selectors.journal_net(person.pk, campaign)
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "points/mine.html",
        {
            "campaign": campaign,
            "person": person,
            "summary": selectors.person_summary(person, campaign),
            "page": page,
            "detail": detail,
            "query": "view=detail" if detail else "",
        },
    )


@login_required
def board(request):
    """排行榜: people in the viewer's subtree (a cadre: their 旗县市区), or units across the league
    (or under one unit) — for a period, 类别 or indicator, with the movement since the previous period;
    of the current campaign or of the one asked for (``?campaign=``, e.g. last year's final board)."""
    require_role(request, *BOARD_ROLES)
    version = readmodel.version()
    campaign = selectors.board_campaign(timezone.localdate(), version, request.GET.get("campaign"))
    kind = "units" if request.GET.get("board") == "units" else "people"
    context = {
        "campaign": campaign,
        "today": timezone.localdate(),
        "can_adjust": has_role(request.user, *ADMIN_ROLES),
        "can_recompute": has_role(request.user, Role.LEAGUE_ADMIN),
    }
    if campaign is not None:
        context["content"] = board_content(request, campaign, kind, version)
    return render(request, "points/board.html", context)


@login_required
def board_export(request):
    """The board the page shows, as an .xlsx to publish: the same question (the query string), the
    same scope; the people board with everyone ranked, not only the top 50. A people board of more
    than ``XUEBI_EXPORT_INLINE_ROWS`` people is written by a background job (its page offers the file)."""
    require_role(request, *BOARD_ROLES)
    today, user = timezone.localdate(), request.user
    campaign = selectors.board_campaign(today, readmodel.version(), request.GET.get("campaign"))
    if campaign is None:
        raise Http404("尚未设置活动。")
    kind = "units" if request.GET.get("board") == "units" else "people"
    form = BoardForm(request.GET, campaign=campaign, today=today)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(reverse("points:board") + "?" + request.GET.urlencode())
    spec = form.spec()
    paths = board_paths(user)
    drill_down_or_404(spec, paths)
    if kind == "people" and selectors.people_in(paths) > settings.XUEBI_EXPORT_INLINE_ROWS:
        job = jobs.start(tasks.BOARD_EXPORT, owner=user, params={"query": request.GET.urlencode(), "campaign": campaign.pk})
        return redirect("jobs:job", job.pk)
    content, name = sheets.board_export(campaign, spec, kind, paths=paths, today=today)
    return xlsx.download(content, name)


@login_required
def adjust(request):
    """加分/扣分 in two steps: the form, then what will actually be credited (“将计入 1.5 分（满分 30，
    已得 28.5）”) to confirm; the confirmation books only that figure (``expected``)."""
    require_role(request, *ADMIN_ROLES)
    campaign = _campaign(request)
    form = AdjustForm(request.POST or None, user=request.user, campaign=campaign, initial={"occurred_on": timezone.localdate()})
    credit = None
    if request.method == "POST" and "edit" not in request.POST and form.is_valid():
        if "confirm" in request.POST:
            entry = run_service(form, lambda: services.points_adjust(actor=request.user, **form.booking()))
            if entry is not None:
                done = "加" if entry.points > 0 else "扣"
                cut = abs(entry.base_points - entry.points)
                messages.success(
                    request,
                    f"已为{entry.person.name}{done}{points_text(abs(entry.points))}分"
                    + (f"（按指标分值范围核减{points_text(cut)}分）。" if cut else "。"),
                )
                return redirect("points:adjust")
        else:
            credit = run_service(form, lambda: services.points_adjust_preview(actor=request.user, **form.adjustment()))
    from xuebi.org.widgets import person_label

    who = person_label(form.cleaned_data["person"]) if credit is not None else ""
    return render(request, "points/adjust.html", {"form": form, "credit": credit, "who": who})


@login_required
def recompute_page(request):
    """After a rule changes: ask for a preview of who would gain and who would lose (a button —
    nothing is computed on a visit; a large campaign's preview runs in the background and the
    page shows its progress), then apply it (a large campaign's in a job, on the job's page)."""
    require_role(request, Role.LEAGUE_ADMIN)
    campaign = _campaign(request)
    if campaign is None:
        messages.info(request, "尚未设置活动。")
        return redirect("points:board")
    if request.method == "POST":
        try:
            if "apply" in request.POST and recompute.is_large(campaign):
                job = recompute.apply_start(actor=request.user, campaign=campaign)
                return redirect("jobs:job", job.pk)  # its page follows it, then shows the changes
            if "apply" in request.POST:
                changes = recompute.apply(actor=request.user, campaign=campaign)
                messages.success(request, f"已重算：{len(changes)}人积分变化，明细中记录了冲销和新的得分。")
            else:
                job = recompute.preview_start(actor=request.user, campaign=campaign)
                if job.status == "failed":
                    messages.error(request, job.error)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("points:recompute")
    job = recompute.latest_preview(actor=request.user, campaign=campaign)
    if job is not None and (job.params.get("generation") != campaign.points_generation or job.status == "failed"):
        job = None  # applied since: a new preview is needed
    context = {"campaign": campaign, "job": job}
    if job is not None:
        context["progress"] = recompute.progress_of(job)
        context["result"] = recompute.shown(job.result) if job.status == "done" else None
    template = "points/_recompute_job.html" if request.htmx and job is not None else "points/recompute.html"
    return render(request, template, context)
