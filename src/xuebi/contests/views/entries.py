"""Entering a contest: submitting, replacing (a new version each time), withdrawing, and the
entry's own page (its versions and files) for its authors, their unit admins and the organiser."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xuebi.core.forms import add_validation_error
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.permissions import get_visible_or_404, require_role

from ..forms.entries import EntryForm
from ..models import Certificate, Contest, Entry, EntryFile
from ..selectors import contests as selectors
from ..services import entries as services

ENTRANTS = (Role.CADRE, *ADMIN_ROLES)


def _run(request, form, call):
    try:
        return call()
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        add_validation_error(form, exc, default_field=None)
    return None


@login_required
def entry_create(request, pk):
    require_role(request, *ENTRANTS)
    contest = get_visible_or_404(Contest, request.user, pk)
    form = EntryForm(request.POST or None, request.FILES or None, user=request.user, contest=contest)
    if request.method == "POST" and form.is_valid():
        entry = _run(request, form, lambda: services.entry_submit(actor=request.user, contest=contest, **form.values()))
        if entry is not None:
            messages.success(request, f"作品已报送，编号 {entry.code}。征集截止前可以修改或撤回。")
            return redirect("contests:entry_detail", entry.pk)
    elif request.method == "GET" and not contest.accepts_entries():
        messages.warning(request, f"现在{contest.phase_label()}，不在征集时间内。")
    back = reverse("contests:contest_detail", args=[contest.pk])
    return render(
        request,
        "contests/entry_form.html",
        {"form": form, "contest": contest, "title": f"报送作品：{contest.title}", "back": back},
    )


@login_required
def entry_detail(request, pk):
    require_role(request, *ENTRANTS)
    entry = get_visible_or_404(Entry, request.user, pk)
    versions = list(entry.versions.prefetch_related("files").select_related("created_by"))
    for version in versions:
        for row in version.files.all():
            row.shown_name = row.blind_name(entry.code)
    return render(
        request,
        "contests/entry_detail.html",
        {
            "entry": entry,
            "contest": entry.contest,
            "authors": [row.person for row in entry.author_rows.select_related("person__unit")],
            "versions": versions,
            "can_change": entry.status == "submitted"
            and entry.contest.accepts_entries()
            and Entry.objects.visible_to(request.user, "change").filter(pk=entry.pk).exists(),
            "award": selectors.published_results(entry.contest).filter(entry=entry).first(),
            "certificates": Certificate.objects.filter(award__entry=entry, award__contest__status="published")
            .exclude(pdf="")
            .select_related("person"),
        },
    )


@login_required
def entry_edit(request, pk):
    require_role(request, *ENTRANTS)
    entry = get_visible_or_404(Entry, request.user, pk, "change")
    form = EntryForm(request.POST or None, request.FILES or None, user=request.user, contest=entry.contest, entry=entry)
    if request.method == "POST" and form.is_valid():
        saved = _run(request, form, lambda: services.entry_replace(actor=request.user, entry=entry, **form.values()))
        if saved is not None:
            messages.success(request, f"已保存为第 {saved.version} 版；之前的版本仍然保留。")
            return redirect("contests:entry_detail", saved.pk)
    back = reverse("contests:entry_detail", args=[entry.pk])
    return render(
        request,
        "contests/entry_form.html",
        {"form": form, "contest": entry.contest, "title": f"修改作品：{entry.title}", "back": back},
    )


@login_required
@require_POST
def entry_withdraw(request, pk):
    require_role(request, *ENTRANTS)
    entry = get_visible_or_404(Entry, request.user, pk, "change")
    try:
        services.entry_withdraw(actor=request.user, entry=entry)
        messages.success(request, "作品已撤回。")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("contests:entry_detail", entry.pk)


@login_required
def entry_file(request, pk, file_pk):
    """A file of the entry, for those who see the entry (never a judge: they download through
    their assignment, ``judging.assignment_file``). Served under its blind name."""
    require_role(request, *ENTRANTS)
    entry = get_visible_or_404(Entry, request.user, pk)
    try:
        row = EntryFile.objects.get(pk=file_pk, version__entry=entry)
    except EntryFile.DoesNotExist:
        raise Http404("没有这个文件。") from None
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.blind_name(entry.code))


@login_required
def certificate_file(request, pk):
    """A winner's 奖状, for those who see the entry (its authors, their unit's admins, the organiser)."""
    require_role(request, *ENTRANTS)
    try:
        row = Certificate.objects.select_related("award__entry", "person").get(pk=pk, award__contest__status="published")
    except Certificate.DoesNotExist:
        raise Http404("没有这张奖状。") from None
    get_visible_or_404(Entry, request.user, row.award.entry_id)
    if not row.pdf:
        raise Http404("奖状正在生成，请稍后再试。")
    return FileResponse(row.pdf.open("rb"), as_attachment=True, filename=f"奖状-{row.person.name}-{row.number}.pdf")
