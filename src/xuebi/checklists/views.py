"""清单式管理 pages: 我的清单 (own items and pledges), a unit's board by status, 到期和逾期 across the
subtree, 完成率 by unit and month (a chart), an item's page (history, files, the next step), the
item and pledge forms, the evidence files. Reads through ``selectors`` and ``visible_to``; writes
only through ``services``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import evidence as evidence_files
from xuebi.core import xlsx
from xuebi.core.forms import db_id, run_service
from xuebi.org.choices import ADMIN_ROLES, Role

from xuebi.org.permissions import get_visible_or_404, require_role

from . import selectors, services, sheets
from .forms import DecisionForm, ItemForm, PledgeForm, PledgeReviewForm, ProgressForm, admin_units
from .models import Item, ItemFile, ListKind, Move, Status

READERS = (Role.CADRE, Role.REVIEWER, *ADMIN_ROLES)


def _run(form, call):
    return run_service(form, call, refusal_on_form=True)


def _year(request) -> int:
    today = timezone.localdate()
    value = db_id(request.GET.get("year"))
    return value if value and 2000 <= value <= 2100 else today.year


@login_required
def mine(request):
    require_role(request, *READERS)
    today, year = timezone.localdate(), _year(request)
    data = selectors.mine(request.user, year)
    for item in data["open"]:
        item.overdue = item.is_overdue(today)
    return render(
        request,
        "checklists/mine.html",
        {
            **data,
            "year": year,
            "today": today,
            "is_admin": request.user.has_role(*ADMIN_ROLES),
            "has_person": bool(request.user.person_id),
        },
    )


def _unit_filter(request):
    unit_id = db_id(request.GET.get("unit"))
    units = admin_units(request.user)
    return units, (units.filter(pk=unit_id).first() if unit_id else None)


@login_required
def board(request):
    require_role(request, *ADMIN_ROLES, Role.REVIEWER)
    today, year = timezone.localdate(), _year(request)
    units, unit = _unit_filter(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in ListKind.values else ""
    data = selectors.board(request.user, unit=unit, kind=kind, year=year, today=today)
    return render(
        request,
        "checklists/board.html",
        {**data, "units": units, "unit": unit, "kind": kind, "kinds": ListKind.choices, "year": year, "today": today},
    )


@login_required
def due(request):
    require_role(request, *ADMIN_ROLES, Role.REVIEWER)
    today = timezone.localdate()
    units, unit = _unit_filter(request)
    days = settings.XUEBI_CHECKLIST_REMIND_DAYS
    data = selectors.due(request.user, today=today, days=max(days, 7), unit=unit)
    return render(request, "checklists/due.html", {**data, "today": today, "days": max(days, 7), "units": units, "unit": unit})


@login_required
def stats(request):
    require_role(request, *ADMIN_ROLES, Role.REVIEWER)
    today, year = timezone.localdate(), _year(request)
    data = selectors.completion(request.user, year=year, today=today)
    chart = {
        "months": [f"{row['month']}月" for row in data["months"]],
        "on_time": [row["on_time"] for row in data["months"]],
        "late": [row["late"] for row in data["months"]],
        "open": [row["open"] for row in data["months"]],
        "ahead": [row["ahead"] for row in data["months"]],
        "rate": [row["rate"] for row in data["months"]],
    }
    return render(request, "checklists/stats.html", {**data, "year": year, "chart": chart})


@login_required
def item_detail(request, pk: int):
    require_role(request, *READERS)
    item = get_visible_or_404(Item, request.user, pk)
    today = timezone.localdate()
    is_responsible = bool(request.user.person_id) and item.responsible_person_id == request.user.person_id
    is_admin = services.administers(request.user, item.unit)
    return render(
        request,
        "checklists/item_detail.html",
        {
            "item": item,
            "events": selectors.events_of(item),
            "overdue": item.is_overdue(today),
            "days_left": item.days_left(today),
            "progress_form": ProgressForm(initial={"percent": item.percent}) if is_responsible and item.is_open else None,
            "can_submit": is_responsible and item.status in (Status.NOT_STARTED, Status.IN_PROGRESS),
            "can_decide": is_admin and item.is_open,
            "can_accept": is_admin and item.status == Status.PENDING and not is_responsible,
            "can_edit": is_admin and item.is_open and item.kind != ListKind.PLEDGE,
            "can_edit_pledge": is_responsible and item.kind == ListKind.PLEDGE and item.status == Status.NOT_STARTED,
            "review_form": PledgeReviewForm(initial={"grade": item.pledge_grade or None, "comment": item.pledge_comment})
            if item.kind == ListKind.PLEDGE and is_admin and not is_responsible
            else None,
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def item_move(request, pk: int):
    """Every step from the item's page: 报告进展 and 申请验收 (the responsible person), 验收 / 退回 /
    撤销 (an administrator). A refused step changes nothing and says why."""
    require_role(request, *READERS)
    item = get_visible_or_404(Item, request.user, pk)
    move = request.POST.get("move", "")
    form = ProgressForm(request.POST, request.FILES) if move in (Move.PROGRESS, Move.SUBMIT) else DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("checklists:item_detail", pk=item.pk)
    try:
        services.move(
            actor=request.user,
            item=item,
            move=move,
            text=form.cleaned_data.get("text", ""),
            percent=form.cleaned_data.get("percent"),
            files=form.cleaned_data.get("files") or [],
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("checklists:item_detail", pk=item.pk)
    done = {
        Move.PROGRESS: "已报告进展。",
        Move.SUBMIT: "已申请验收，等待单位管理员验收。",
        Move.ACCEPT: "已验收通过，事项销号。",
        Move.RETURN: "已退回责任人。",
        Move.CANCEL: "已撤销事项。",
    }
    messages.success(request, done[Move(move)])
    return redirect("checklists:item_detail", pk=item.pk)


@login_required
@require_POST
def pledge_review(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    item = get_visible_or_404(Item, request.user, pk)
    form = PledgeReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_pledge(
                actor=request.user, item=item, grade=form.cleaned_data["grade"], comment=form.cleaned_data["comment"]
            )
            messages.success(request, "已保存践诺评价。")
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, "请选择践诺评价。")
    return redirect("checklists:item_detail", pk=item.pk)


def _item_data(form) -> services.ItemData:
    data = form.cleaned_data
    return services.ItemData(
        kind=data["kind"],
        unit=data["unit"],
        title=data["title"],
        description=data.get("description", ""),
        responsible_unit=data["responsible_unit"],
        responsible_person=data.get("responsible_person"),
        leader=data.get("leader", ""),
        start_date=data.get("start_date"),
        due_date=data.get("due_date"),
        priority=data["priority"],
        supervision=data.get("supervision", ""),
    )


@login_required
def item_create(request):
    require_role(request, *ADMIN_ROLES)
    initial = {"kind": request.GET.get("kind") if request.GET.get("kind") in ListKind.values else ListKind.TASK}
    form = ItemForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        item = _run(form, lambda: services.save_item(actor=request.user, data=_item_data(form)))
        if item is not None:
            messages.success(request, f"已新建事项“{item.title}”。")
            return redirect("checklists:item_detail", pk=item.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建清单事项", "back": reverse("checklists:board")})


@login_required
def item_edit(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    item = get_visible_or_404(Item, request.user, pk, "edit")
    initial = {f: getattr(item, f) for f in services.ITEM_FIELDS}
    form = ItemForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _run(form, lambda: services.save_item(actor=request.user, data=_item_data(form), item=item))
        if saved is not None:
            messages.success(request, "已保存。")
            return redirect("checklists:item_detail", pk=item.pk)
    back = reverse("checklists:item_detail", args=[item.pk])
    return render(request, "core/form_page.html", {"form": form, "title": f"修改事项：{item.title}", "back": back})


@login_required
def pledge_create(request):
    require_role(request, *READERS)
    form = PledgeForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        item = _run(form, lambda: services.save_pledge(actor=request.user, **form.cleaned_data))
        if item is not None:
            messages.success(request, "已作出承诺，本单位的同事可以看到。")
            return redirect("checklists:mine")
    return render(request, "core/form_page.html", {"form": form, "title": "我的承诺", "back": reverse("checklists:mine")})


@login_required
def pledge_edit(request, pk: int):
    require_role(request, *READERS)
    item = get_visible_or_404(Item, request.user, pk, "report")
    initial = {"title": item.title, "description": item.description, "year": item.year, "due_date": item.due_date}
    form = PledgeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _run(form, lambda: services.save_pledge(actor=request.user, item=item, **form.cleaned_data))
        if saved is not None:
            messages.success(request, "已保存。")
            return redirect("checklists:item_detail", pk=item.pk)
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": "修改承诺", "back": reverse("checklists:item_detail", args=[item.pk])},
    )


@login_required
def unit_pledges(request):
    """The pledges of one's unit (承诺公开), by person."""
    require_role(request, *READERS)
    year = _year(request)
    rows = (
        Item.visible_to(request.user)
        .filter(kind=ListKind.PLEDGE, year=year)
        .select_related("responsible_person", "responsible_unit")
    )
    return render(
        request,
        "checklists/pledges.html",
        {"rows": rows.order_by("responsible_unit__path", "responsible_person__name", "pk"), "year": year},
    )


def _file(request, pk: int) -> ItemFile:
    item_file = get_object_or_404(ItemFile.objects.select_related("event"), pk=pk)
    get_visible_or_404(Item, request.user, item_file.event.item_id)
    return item_file


@login_required
def file_download(request, pk: int):
    item_file = _file(request, pk)
    return evidence_files.serve(item_file.file.name, item_file.content_type, item_file.original_name)


@login_required
def file_thumbnail(request, pk: int):
    item_file = _file(request, pk)
    return evidence_files.serve_thumbnail(item_file.thumbnail.name if item_file.thumbnail else "")


# --- .xlsx in and out --------------------------------------------------------------------------


@login_required
def import_items(request):
    """导入: the list's unit and a file; all rows written, or none and every problem listed."""
    require_role(request, *ADMIN_ROLES)
    units = admin_units(request.user)
    result, unit = None, None
    if request.method == "POST":
        unit = units.filter(pk=db_id(request.POST.get("unit"))).first()
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 .xlsx 文件。")
        else:
            result = sheets.import_items(upload, user=request.user, unit=unit)
            if not result.errors:
                messages.success(request, f"已导入 {result.created} 项。")
                return redirect(reverse("checklists:board") + f"?unit={unit.pk}")
    return render(request, "checklists/import.html", {"units": units, "unit": unit, "result": result, "columns": sheets.COLUMNS})


@login_required
def import_template(request):
    require_role(request, *ADMIN_ROLES)
    return xlsx.download(sheets.template(), "清单事项导入模板.xlsx")


@login_required
def export_items(request):
    require_role(request, *ADMIN_ROLES, Role.REVIEWER)
    today, year = timezone.localdate(), _year(request)
    _units, unit = _unit_filter(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in ListKind.values else ""
    rows = selectors.scoped(request.user, unit=unit, kind=kind, year=year).order_by("kind", "due_date", "pk")
    title = f"{unit.name if unit else ''}{year}年{ListKind(kind).label if kind else '清单事项'}"
    content = sheets.export(rows, title=title, today=today)
    audit_record(action=Action.CHECKLIST_EXPORT, target=unit, changes={"行数": [0, rows.count()]})
    return xlsx.download(content, f"{title}.xlsx")
