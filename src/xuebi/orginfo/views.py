"""组工信息 pages: the list (filters, table), the submit and edit form for county staff, an item's
page with its adoptions, the league department's adoption form and undo, and the ranking (with
its .xlsx). Reads through ``selectors`` and ``visible_to``; writes only through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from xuebi.core import xlsx
from xuebi.core.forms import run_service
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.permissions import get_visible_or_404, require_role
from xuebi.org.scoping import has_role

from . import exports, selectors, services
from . import ranking as rk
from .filters import ItemFilter
from .forms import AdoptionForm, ItemForm, UndoForm
from .models import Adoption, InfoItem, ItemStatus
from .tables import ItemTable

READERS = (Role.CADRE, Role.REVIEWER, *ADMIN_ROLES)
WRITERS = (Role.CADRE, *ADMIN_ROLES)


def _run(form, call):
    return run_service(form, call, refusal_on_form=True)


def _error(request, exc) -> None:
    messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))


@login_required
def item_list(request):
    require_role(request, *READERS)
    rows = selectors.items(request.user)
    item_filter = ItemFilter(request.GET or None, queryset=rows, user=request.user)
    table = ItemTable(item_filter.qs)
    RequestConfig(request, paginate={"per_page": 30}).configure(table)
    return render(
        request,
        "orginfo/item_list.html",
        {
            "filter": item_filter,
            "table": table,
            "can_submit": has_role(request.user, *WRITERS) and selectors.submit_units(request.user).exists(),
            "can_rank": has_role(request.user, *ADMIN_ROLES),
        },
    )


def _item_form_page(request, form, *, title, back):
    return render(request, "orginfo/item_form.html", {"form": form, "title": title, "back": back})


@login_required
def item_create(request):
    require_role(request, *WRITERS)
    form = ItemForm(request.POST or None, user=request.user, initial={"submitted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        item = _run(
            form,
            lambda: services.item_save(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                submitted_on=form.cleaned_data["submitted_on"],
                authors=form.authors(),
                submit=submit,
            ),
        )
        if item is not None:
            messages.success(
                request, "已报送，等待盟委组织部登记采用情况。" if submit else "已保存为草稿，报送后盟委组织部才能看到。"
            )
            return redirect("orginfo:item_detail", item.pk)
    return _item_form_page(request, form, title="报送组工信息", back=reverse("orginfo:item_list"))


@login_required
def item_edit(request, pk: int):
    require_role(request, *WRITERS)
    item = get_visible_or_404(InfoItem, request.user, pk, "change")
    form = ItemForm(request.POST or None, user=request.user, item=item)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        saved = _run(
            form,
            lambda: services.item_save(
                actor=request.user,
                item=item,
                unit=form.cleaned_data["unit"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                submitted_on=form.cleaned_data["submitted_on"],
                authors=form.authors(),
                submit=submit,
            ),
        )
        if saved is not None:
            messages.success(request, "已保存。")
            return redirect("orginfo:item_detail", saved.pk)
    return _item_form_page(
        request, form, title=f"修改组工信息：{item.title}", back=reverse("orginfo:item_detail", args=[item.pk])
    )


@login_required
def item_detail(request, pk: int):
    require_role(request, *READERS)
    item = get_visible_or_404(InfoItem, request.user, pk)
    detail = selectors.item_detail(item)
    standing = detail["standing"]
    rules = selectors.rules_between(min(a.adopted_on for a in standing), max(a.adopted_on for a in standing)) if standing else []
    for adoption in standing:
        adoption.points = selectors.adoption_points(adoption, rules)
    can_change = (
        item.status != ItemStatus.WITHDRAWN
        and not standing
        and InfoItem.objects.visible_to(request.user, "change").filter(pk=item.pk).exists()
    )
    can_adopt = (
        item.status == ItemStatus.SUBMITTED and InfoItem.objects.visible_to(request.user, "adopt").filter(pk=item.pk).exists()
    )
    return render(
        request,
        "orginfo/item_detail.html",
        {
            "item": item,
            **detail,
            "can_change": can_change,
            "can_adopt": can_adopt,
            "undo_form": UndoForm() if can_adopt else None,
        },
    )


@login_required
@require_POST
def item_withdraw(request, pk: int):
    require_role(request, *WRITERS)
    item = get_visible_or_404(InfoItem, request.user, pk, "change")
    try:
        services.item_withdraw(actor=request.user, item=item)
        messages.success(request, "已撤回。")
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    return redirect("orginfo:item_detail", item.pk)


@login_required
@require_POST
def item_delete(request, pk: int):
    require_role(request, *WRITERS)
    item = get_visible_or_404(InfoItem, request.user, pk, "change")
    try:
        services.item_delete(actor=request.user, item=item)
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
        return redirect("orginfo:item_detail", item.pk)
    messages.success(request, "草稿已删除。")
    return redirect("orginfo:item_list")


@login_required
def adoption_create(request, pk: int):
    """The league department records an adoption (采用) of a submitted item."""
    require_role(request, Role.LEAGUE_ADMIN)
    item = get_visible_or_404(InfoItem, request.user, pk, "adopt")
    form = AdoptionForm(request.POST or None, item=item, initial={"adopted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        adoption = _run(
            form,
            lambda: services.adoption_record(
                actor=request.user,
                item=item,
                outlet=data["outlet"],
                adopted_on=data["adopted_on"],
                length=data["length"],
                instruction=data["instruction"],
                note=data["note"],
            ),
        )
        if adoption is not None:
            messages.success(request, f"已登记“{adoption.outlet_label}”采用（{adoption.length_name}），积分已计入作者名下。")
            return redirect("orginfo:item_detail", item.pk)
    return render(
        request,
        "orginfo/adoption_form.html",
        {"form": form, "item": item, "title": f"登记采用：{item.title}", "back": reverse("orginfo:item_detail", args=[item.pk])},
    )


@login_required
@require_POST
def adoption_undo(request, pk: int):
    require_role(request, Role.LEAGUE_ADMIN)
    adoption = get_visible_or_404(Adoption, request.user, pk, "change")
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤销原因（不超过200个字）。")
        return redirect("orginfo:item_detail", adoption.item_id)
    try:
        services.adoption_undo(actor=request.user, adoption=adoption, reason=form.cleaned_data["reason"])
        messages.success(request, f"已撤销“{adoption.outlet_label}”采用登记，相应积分已冲销。")
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    return redirect("orginfo:item_detail", adoption.item_id)


# --- the ranking ------------------------------------------------------------------------------------


def _period(request):
    today = timezone.localdate()
    try:
        return rk.parse_period(request.GET.get("period"), today=today), None
    except ValidationError as exc:
        return rk.period_of("quarter", today), "；".join(exc.messages)


@login_required
def ranking(request):
    require_role(request, *ADMIN_ROLES)
    period, problem = _period(request)
    if problem:
        messages.error(request, problem)
    result = selectors.ranking(period)
    today = timezone.localdate()
    return render(
        request,
        "orginfo/ranking.html",
        {
            "result": result,
            "table": selectors.ranking_table(result),
            "quota_text": selectors.quota_text(result.quota, period.kind),
            "periods": rk.recent_periods(today),
            "period": period,
            "can_notice": has_role(request.user, Role.LEAGUE_ADMIN),
        },
    )


@login_required
def ranking_export(request):
    require_role(request, *ADMIN_ROLES)
    period, problem = _period(request)
    if problem:
        messages.error(request, problem)
        return redirect("orginfo:ranking")
    result = selectors.ranking(period)
    return xlsx.download(exports.ranking_xlsx(result, today=timezone.localdate()), exports.file_name(result))
