"""The study pages: 我的学习 for everyone with a roster entry, 学习清单管理 for admins and reviewers.

Views stay thin: reads through ``visible_to`` and ``selectors``, writes through ``services``.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuebi.core.forms import add_validation_error, db_id
from xuebi.org.permissions import get_visible_or_404, require_role
from xuebi.org.choices import ADMIN_ROLES, BUSINESS_ROLES
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import has_role

from . import selectors, services
from .choices import ListStatus, NoteKind
from .forms import (
    StudyItemForm,
    StudyListForm,
    StudyNoteForm,
    StudyPlanForm,
    StudyPlanItemFormSet,
    StudyProgressForm,
    plan_item_initial,
)
from .models import READ_ROLES, StudyItem, StudyList, StudyNote, StudyPlan, StudyPlanItem, StudyProgress

NO_PERSON = "您的账号没有关联花名册人员，因此没有个人的学习清单、计划和笔记。如需登记个人学习，请联系系统管理员在“账号管理”中为您的账号关联人员。"


def _need_person(request, what: str) -> int:
    require_role(request, *BUSINESS_ROLES)
    if not request.user.person_id:
        raise PermissionDenied(f"您的账号没有关联花名册人员，不能{what}。请联系系统管理员在“账号管理”中关联。")
    return request.user.person_id


def _progress_form(item, data=None) -> StudyProgressForm:
    # One quick form per item on a page: ids must differ, names stay plain (hours, studied_on, note).
    return StudyProgressForm(data, auto_id=f"p{item.pk}_%s")


def _my_items(user, study_lists) -> dict[int, list]:
    """Items of these lists with the user's own progress, grouped by list, with a quick form each."""
    items = selectors.items_with_progress(
        StudyItem.objects.visible_to(user).filter(study_list__in=[sl.pk for sl in study_lists]),
        user.person_id,
    )
    grouped = defaultdict(list)
    for item in items:
        item.progress_form = _progress_form(item)
        grouped[item.study_list_id].append(item)
    return grouped


# --- 我的学习 ---------------------------------------------------------------------------------


@login_required
def index(request):
    """What reaches me, how far I am, my plans and notes — the page a cadre opens on the phone."""
    require_role(request, *BUSINESS_ROLES)
    user = request.user
    context = {"can_manage": has_role(user, *READ_ROLES), "no_person": NO_PERSON}
    if user.person_id:
        lists = list(
            StudyList.objects.visible_to(user).reaching(user.person_id).select_related("unit").order_by("-published_at", "-pk")
        )
        grouped = _my_items(user, lists)
        for sl in lists:
            sl.my_items = grouped[sl.pk]
        totals = _totals([i for sl in lists for i in sl.my_items])
        mine = Q(person_id=user.person_id)
        context.update(
            {
                "lists": lists,
                "totals": totals,
                "plans": _plans_with_steps(StudyPlan.objects.visible_to(user).filter(mine))[:5],
                "notes": StudyNote.objects.visible_to(user).filter(mine).select_related("item")[:5],
            }
        )
    return render(request, "study/index.html", context)


@login_required
def progress_log(request, pk: int):
    """登记学习 on one item: the quick form on 我的学习 posts here (HTMX swaps the item's card)."""
    person_id = _need_person(request, "登记学习")
    item = get_object_or_404(StudyItem.objects.visible_to(request.user).reaching(person_id).select_related("study_list"), pk=pk)
    form = _progress_form(item, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            progress = services.study_progress_log(
                actor=request.user, item=item, hours=data["hours"], studied_on=data["studied_on"], note=data["note"]
            )
        except ValidationError as exc:
            add_validation_error(form, exc, default_field="hours")
        else:
            text = f"已登记“{item.title}”{selectors.hours_text(progress.hours)}学时。"
            if request.htmx:
                return _item_card(request, item.pk, saved=text)
            messages.success(request, text)
            return redirect(reverse("study:index") + f"#item-{item.pk}")
    if request.htmx:
        return _item_card(request, item.pk, form=form)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"登记学习：{item.title}",
            "back": reverse("study:index"),
            "submit_label": "登记",
        },
    )


def _totals(items) -> dict:
    """The three tiles on top of 我的学习, from items already annotated by the database."""
    items = list(items)
    return {
        "items": len(items),
        "complete": sum(1 for i in items if i.is_complete),
        "overdue": sum(1 for i in items if i.is_overdue),
    }


def _item_card(request, item_pk: int, *, form=None, saved: str = ""):
    """The item's card; after a save also the tiles on top (an out-of-band swap), which it changed."""
    user = request.user
    item = selectors.items_with_progress(StudyItem.objects.filter(pk=item_pk), user.person_id).get()
    item.progress_form = form or _progress_form(item)
    totals = None
    on_index = (request.htmx.current_url_abs_path or "").split("?")[0].split("#")[0] == reverse("study:index")
    if saved and on_index:  # the list page has no tiles to update
        totals = _totals(
            selectors.items_with_progress(StudyItem.objects.visible_to(user).reaching(user.person_id), user.person_id).only(
                "pk", "due_date", "required_hours"
            )
        )
    return render(request, "study/_item.html", {"item": item, "saved": saved, "open": form is not None, "oob_totals": totals})


# --- 学习清单管理 -----------------------------------------------------------------------------


@login_required
def manage(request):
    """Lists published by units in the user's scope, and those sent down to it from above."""
    require_role(request, *READ_ROLES)
    lists = (
        StudyList.objects.visible_to(request.user)
        .select_related("unit")
        .annotate(item_count=Count("items"))
        .prefetch_related("target_units")
        .order_by("-pk")  # aggregate queries ignore Meta.ordering
    )
    status = request.GET.get("status", "")
    if status in ListStatus.values:
        lists = lists.filter(status=status)
    page = Paginator(lists, 20).get_page(request.GET.get("page"))
    changeable = set(
        StudyList.objects.visible_to(request.user, "change").filter(pk__in=[sl.pk for sl in page]).values_list("pk", flat=True)
    )
    for sl in page:
        sl.can_change = sl.pk in changeable
    return render(
        request,
        "study/manage.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ListStatus.choices,
            "can_create": has_role(request.user, *ADMIN_ROLES),
            "query": f"status={status}" if status else "",
        },
    )


@login_required
def list_create(request):
    require_role(request, *ADMIN_ROLES)
    form = StudyListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study_list = services.study_list_create(
                actor=request.user,
                unit=data["unit"],
                title=data["title"],
                description=data["description"],
                target_units=data["target_units"],
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"已新建学习清单“{study_list.title}”（草稿）。请添加学习内容后发布。")
            return redirect("study:list_detail", pk=study_list.pk)
    return render(request, "study/list_form.html", {"form": form, "title": "新建学习清单", "back": reverse("study:manage")})


@login_required
def list_edit(request, pk: int):
    study_list = get_visible_or_404(StudyList, request.user, pk, "change")
    form = StudyListForm(request.POST or None, user=request.user, instance=study_list)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.study_list_update(
                actor=request.user,
                study_list=study_list,
                unit=data["unit"],
                title=data["title"],
                description=data["description"],
                target_units=data["target_units"],
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "学习清单已保存。")
            return redirect("study:list_detail", pk=pk)
    return render(
        request,
        "study/list_form.html",
        {
            "form": form,
            "title": f"编辑学习清单：{study_list.title}",
            "back": reverse("study:list_detail", args=[pk]),
        },
    )


@login_required
def list_detail(request, pk: int):
    user = request.user
    study_list = get_visible_or_404(StudyList, user, pk)
    can_change = StudyList.objects.visible_to(user, "change").filter(pk=pk).exists()
    reaches_me = bool(user.person_id) and StudyList.objects.reaching(user.person_id).filter(pk=pk).exists()
    if reaches_me and not can_change:
        items = _my_items(user, [study_list])[study_list.pk]
    else:
        items = list(study_list.items.all())
    return render(
        request,
        "study/list_detail.html",
        {
            "study_list": study_list,
            "items": items,
            "can_change": can_change,
            "reaches_me": reaches_me,
            "targets": study_list.target_units.all(),
            "can_report": study_list.is_published and has_role(user, *READ_ROLES),
        },
    )


@login_required
@require_POST
def list_publish(request, pk: int):
    study_list = get_visible_or_404(StudyList, request.user, pk, "change")
    try:
        services.study_list_publish(actor=request.user, study_list=study_list)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"学习清单“{study_list.title}”已发布。")
    return redirect("study:list_detail", pk=pk)


@login_required
def item_create(request, pk: int):
    study_list = get_visible_or_404(StudyList, request.user, pk, "change")
    form = StudyItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.study_item_create(actor=request.user, study_list=study_list, **form.service_values())
        messages.success(request, f"已添加学习内容“{form.cleaned_data['title']}”。")
        if "again" in request.POST:
            return redirect("study:item_create", pk=pk)
        return redirect("study:list_detail", pk=pk)
    return render(
        request,
        "study/item_form.html",
        {
            "form": form,
            "title": f"添加学习内容：{study_list.title}",
            "back": reverse("study:list_detail", args=[pk]),
            "again": True,
        },
    )


@login_required
def item_edit(request, pk: int):
    item = get_visible_or_404(StudyItem, request.user, pk, "change")
    form = StudyItemForm(request.POST or None, instance=item, initial={"due_date": item.due_date})
    if request.method == "POST" and form.is_valid():
        services.study_item_update(actor=request.user, item=item, **form.service_values())
        messages.success(request, "学习内容已保存。")
        return redirect("study:list_detail", pk=item.study_list_id)
    return render(
        request,
        "study/item_form.html",
        {
            "form": form,
            "title": f"编辑学习内容：{item.title}",
            "back": reverse("study:list_detail", args=[item.study_list_id]),
        },
    )


@login_required
@require_POST
def item_delete(request, pk: int):
    item = get_visible_or_404(StudyItem, request.user, pk, "change")
    try:
        services.study_item_delete(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已删除学习内容“{item.title}”。")
    return redirect("study:list_detail", pk=item.study_list_id)


# --- completion -------------------------------------------------------------------------------


def _report_list(request, pk: int) -> StudyList:
    require_role(request, *READ_ROLES)
    return get_visible_or_404(StudyList, request.user, pk)


def _filter_unit(request) -> Unit | None:
    unit_id = request.GET.get("unit", "")
    return get_visible_or_404(Unit, request.user, unit_id) if unit_id else None


@login_required
def list_completion(request, pk: int):
    """完成情况: by item, by unit (drill down by clicking a unit) and by person, for the viewer's scope."""
    study_list = _report_list(request, pk)
    if not study_list.is_published:
        messages.info(request, "该清单还是草稿，尚未下发，没有完成情况。")
        return redirect("study:list_detail", pk=pk)
    unit = _filter_unit(request)
    state = request.GET.get("state", "")
    report = selectors.completion(study_list, request.user, unit=unit, state=state if state in selectors.PERSON_STATES else "")
    page = Paginator(report.people, 50).get_page(request.GET.get("page"))
    selectors.label_units(page)
    query = "&".join(f"{k}={v}" for k, v in (("unit", unit.pk if unit else ""), ("state", state)) if v)
    return render(
        request,
        "study/completion.html",
        {
            "study_list": study_list,
            "report": report,
            "page_obj": page,
            "unit": unit,
            "state": state,
            "query": query,
            "units": Unit.objects.visible_to(request.user).filter(is_active=True).only("pk", "name", "depth"),
            "states": [("", "全部人员"), ("overdue", "有逾期"), ("incomplete", "未完成"), ("complete", "已完成")],
            "today": timezone.localdate(),
        },
    )


@login_required
def person_progress(request, pk: int, person_pk: int):
    """One person's progress on one list, entry by entry — what an admin opens from the report."""
    study_list = _report_list(request, pk)
    person = get_object_or_404(
        selectors.reached_people(study_list, request.user).select_related("unit"),
        pk=person_pk,
    )
    selectors.label_units([person])
    items = selectors.items_with_progress(study_list.items.all(), person.pk)
    entries = (
        StudyProgress.objects.visible_to(request.user).filter(person=person, item__study_list=study_list).select_related("item")
    )
    return render(
        request,
        "study/person_progress.html",
        {
            "study_list": study_list,
            "person": person,
            "items": items,
            "entries": entries,
        },
    )


# --- plans ------------------------------------------------------------------------------------


def _plans_with_steps(plans):
    return plans.annotate(steps=Count("items"), steps_done=Count("items", filter=Q(items__done=True))).order_by("-year", "-pk")


def _people_filter(request, qs, person_field: str = "person"):
    """Admins narrow plans and notes by unit and by name; a cadre's own list needs neither."""
    unit = _filter_unit(request)
    if unit is not None:
        qs = qs.filter(**{f"{person_field}__unit__path__startswith": unit.path})
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(**{f"{person_field}__in": Person.objects.visible_to(request.user).search(q)})
    return qs, unit, q


@login_required
def plan_list(request):
    require_role(request, *BUSINESS_ROLES)
    plans = _plans_with_steps(StudyPlan.objects.visible_to(request.user).select_related("person__unit"))
    plans, unit, q = _people_filter(request, plans)
    year = request.GET.get("year", "")
    if db_id(year) is not None:
        plans = plans.filter(year=db_id(year))
    plans = plans.order_by("-year", "person__unit__path", "person__name_pinyin", "-pk")
    page = Paginator(plans, 25).get_page(request.GET.get("page"))
    selectors.label_units(plan.person for plan in page)
    return render(
        request,
        "study/plan_list.html",
        {
            "page_obj": page,
            "unit": unit,
            "q": q,
            "year": year,
            "is_reader": has_role(request.user, *READ_ROLES),
            "units": _filter_units(request),
            "query": "&".join(f"{k}={v}" for k, v in (("unit", unit.pk if unit else ""), ("q", q), ("year", year)) if v),
        },
    )


def _filter_units(request):
    if not has_role(request.user, *READ_ROLES):
        return []
    return Unit.objects.visible_to(request.user).filter(is_active=True).only("pk", "name", "depth")


def _plan_form_page(request, *, plan: StudyPlan | None):
    _need_person(request, "填写学习计划")
    form = StudyPlanForm(request.POST or None, instance=plan)
    formset = StudyPlanItemFormSet(request.POST or None, prefix="steps", initial=plan_item_initial(plan) if plan else None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            saved = services.study_plan_save(
                actor=request.user,
                plan=plan,
                year=data["year"],
                title=data["title"],
                goals=data["goals"],
                target_hours=data["target_hours"],
                items=formset.steps(),
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "学习计划已保存。")
            return redirect("study:plan_detail", pk=saved.pk)
    back = reverse("study:plan_detail", args=[plan.pk]) if plan else reverse("study:index")
    return render(
        request,
        "study/plan_form.html",
        {
            "form": form,
            "formset": formset,
            "title": f"编辑学习计划：{plan.title}" if plan else "新建学习计划",
            "back": back,
        },
    )


@login_required
def plan_create(request):
    return _plan_form_page(request, plan=None)


@login_required
def plan_edit(request, pk: int):
    plan = get_visible_or_404(StudyPlan, request.user, pk, "edit")
    return _plan_form_page(request, plan=plan)


@login_required
def plan_detail(request, pk: int):
    plan = get_object_or_404(StudyPlan.objects.visible_to(request.user).select_related("person__unit"), pk=pk)
    selectors.label_units([plan.person])
    return render(
        request,
        "study/plan_detail.html",
        {
            "plan": plan,
            "steps": plan.items.all(),
            "can_edit": plan.person_id == request.user.person_id,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def plan_item_toggle(request, pk: int):
    step = get_object_or_404(StudyPlanItem.objects.filter(plan__in=StudyPlan.objects.visible_to(request.user, "edit")), pk=pk)
    services.study_plan_item_toggle(actor=request.user, item=step, done=not step.done)
    return redirect(reverse("study:plan_detail", args=[step.plan_id]) + f"#step-{step.pk}")


# --- notes ------------------------------------------------------------------------------------


@login_required
def note_list(request):
    require_role(request, *BUSINESS_ROLES)
    notes = StudyNote.objects.visible_to(request.user).select_related("person__unit", "item")
    notes, unit, q = _people_filter(request, notes)
    kind = request.GET.get("kind", "")
    if kind in NoteKind.values:
        notes = notes.filter(kind=kind)
    page = Paginator(notes, 25).get_page(request.GET.get("page"))
    selectors.label_units(note.person for note in page)
    return render(
        request,
        "study/note_list.html",
        {
            "page_obj": page,
            "unit": unit,
            "q": q,
            "kind": kind,
            "kinds": NoteKind.choices,
            "is_reader": has_role(request.user, *READ_ROLES),
            "units": _filter_units(request),
            "query": "&".join(f"{k}={v}" for k, v in (("unit", unit.pk if unit else ""), ("q", q), ("kind", kind)) if v),
        },
    )


def _note_form_page(request, *, note: StudyNote | None):
    person_id = _need_person(request, "写学习笔记")
    initial = {}
    if note is None:
        initial = {"item": request.GET.get("item") or None, "kind": request.GET.get("kind") or NoteKind.NOTE}
    form = StudyNoteForm(request.POST or None, instance=note, person_id=person_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.study_note_save(
                actor=request.user, note=note, kind=data["kind"], title=data["title"], body=data["body"], item=data["item"]
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"{saved.get_kind_display()}已保存。")
            return redirect("study:note_detail", pk=saved.pk)
    back = reverse("study:note_detail", args=[note.pk]) if note else reverse("study:note_list")
    title = f"编辑：{note.title}" if note else "写学习笔记或心得体会"
    return render(request, "core/form_page.html", {"form": form, "title": title, "back": back})


@login_required
def note_create(request):
    return _note_form_page(request, note=None)


@login_required
def note_edit(request, pk: int):
    note = get_visible_or_404(StudyNote, request.user, pk, "edit")
    return _note_form_page(request, note=note)


@login_required
def note_detail(request, pk: int):
    note = get_object_or_404(
        StudyNote.objects.visible_to(request.user).select_related("person__unit", "item__study_list"),
        pk=pk,
    )
    selectors.label_units([note.person])
    return render(request, "study/note_detail.html", {"note": note, "can_edit": note.person_id == request.user.person_id})
