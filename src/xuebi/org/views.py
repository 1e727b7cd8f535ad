from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from xuebi.core import xlsx
from xuebi.org.permissions import get_visible_or_404, require_role

from xuebi.jobs import services as jobs

from . import medals, tasks
from .services import medals as medal_services
from .services import people as services
from .services import roster, units
from .choices import ADMIN_ROLES, Role
from .filters import PersonFilter
from .forms import MedalIssueForm, MedalQueryForm, PersonDeactivateForm, PersonForm, RosterImportForm, UnitForm
from .models import MedalIssue, Person, Unit
from .scoping import has_role
from .tables import PersonTable


# --- units ------------------------------------------------------------------------------------


@login_required
def unit_list(request):
    """The unit tree as the user may see it, with a name filter."""
    require_role(request, Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER, Role.CADRE, Role.JUDGE)
    units = Unit.objects.visible_to(request.user)
    q = request.GET.get("q", "").strip()
    show_inactive = request.GET.get("inactive") == "1"
    if not show_inactive:
        units = units.filter(is_active=True)
    if q:
        units = units.filter(name__contains=q)
    units = list(units)
    top = min((u.depth for u in units), default=1)
    for u in units:
        u.indent = u.depth - top
    can_change = has_role(request.user, *ADMIN_ROLES)
    template = "org/_unit_rows.html" if request.htmx else "org/unit_list.html"
    return render(request, template, {"units": units, "q": q, "can_change": can_change, "show_inactive": show_inactive})


@login_required
def unit_detail(request, pk: int):
    unit = get_visible_or_404(Unit, request.user, pk)
    children = Unit.objects.visible_to(request.user).filter(path__startswith=unit.path, depth=unit.depth + 1)
    people = Person.objects.visible_to(request.user).filter(unit=unit).select_related("unit")
    can_change = Unit.objects.visible_to(request.user, "change").filter(pk=unit.pk).exists()
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "people": people[:200],
            "ancestors": Unit.objects.get_ancestors(unit),
            "can_change": can_change,
        },
    )


@login_required
def unit_create(request):
    require_role(request, *ADMIN_ROLES)
    initial = {}
    if request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = UnitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = units.unit_create(
            actor=request.user,
            parent=data["parent"],
            name=data["name"],
            kind=data["kind"],
            short_name=data["short_name"],
            code=data["code"],
        )
        messages.success(request, f"已新建单位“{unit.name}”。")
        return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建单位", "back": reverse("org:unit_list")})


@login_required
def unit_edit(request, pk: int):
    unit = get_visible_or_404(Unit, request.user, pk, "change")
    form = UnitForm(request.POST or None, instance=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        units.unit_update(
            actor=request.user, unit=Unit.objects.get(pk=pk), **{k: data[k] for k in ("name", "short_name", "kind", "code")}
        )
        messages.success(request, "单位信息已保存。")
        return redirect("org:unit_detail", pk=pk)
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": f"编辑单位：{unit.name}", "back": reverse("org:unit_detail", args=[pk])},
    )


@login_required
@require_POST
def unit_toggle_active(request, pk: int):
    unit = get_visible_or_404(Unit, request.user, pk, "change")
    try:
        if unit.is_active:
            units.unit_deactivate(actor=request.user, unit=unit)
            messages.success(request, f"单位“{unit.name}”及其下级单位已停用。")
        else:
            units.unit_activate(actor=request.user, unit=unit)
            messages.success(request, f"单位“{unit.name}”已启用。")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("org:unit_detail", pk=pk)


# --- people -----------------------------------------------------------------------------------

PERSON_VIEW_ROLES = (Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER)


@login_required
def person_list(request):
    require_role(request, *PERSON_VIEW_ROLES)
    base = Person.objects.visible_to(request.user).select_related("unit")
    person_filter = PersonFilter(request.GET or None, queryset=base, user=request.user)
    labels = dict(Unit.objects.visible_to(request.user).filter(depth=2).values_list("path", "short_name"))
    table = PersonTable(person_filter.qs, unit_labels=labels)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    context = {
        "filter": person_filter,
        "table": table,
        "can_change": has_role(request.user, *ADMIN_ROLES),
        "query": request.GET.urlencode(),
    }
    if request.htmx and request.htmx.target == "person-table":
        return render(request, "org/_person_table.html", context)
    return render(request, "org/person_list.html", context)


@login_required
def person_detail(request, pk: int):
    person = get_visible_or_404(Person, request.user, pk)
    can_change = Person.objects.visible_to(request.user, "change").filter(pk=pk).exists()
    memberships = person.memberships.select_related("unit").order_by("-start_date")
    fields = [
        ("姓名", person.name),
        ("性别", person.get_sex_display()),
        ("民族", person.ethnicity),
        ("出生日期", person.date_display("birth_date")),
        ("所在单位", person.unit),
        ("职务", person.position),
        ("职级", person.rank),
        ("学历", person.get_education_display()),
        ("政治面貌", person.get_political_status_display()),
        ("入党日期", person.date_display("joined_party_date")),
        ("转正日期", person.date_display("full_member_date")),
        ("党龄", f"{person.party_standing_years}年" if person.party_standing_years is not None else ""),
        ("参加工作日期", person.date_display("work_start_date")),
        ("组工干部", "是" if person.is_org_cadre else "否"),
        ("状态", person.get_status_display()),
    ]
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "fields": fields,
            "can_change": can_change,
            "memberships": memberships,
        },
    )


@login_required
def me(request):
    if not request.user.person_id:
        messages.info(request, "您的账号未关联花名册人员。")
        return redirect("home:home")
    return person_detail(request, request.user.person_id)


@login_required
def person_create(request):
    require_role(request, *ADMIN_ROLES)
    form = PersonForm(request.POST or None, user=request.user, initial={"unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        person = services.person_create(actor=request.user, values=form.person_values())
        messages.success(request, f"已新建人员“{person.name}”。")
        return redirect("org:person_detail", pk=person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建人员", "back": reverse("org:person_list")})


@login_required
def person_edit(request, pk: int):
    person = get_visible_or_404(Person, request.user, pk, "change")
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.person_update(actor=request.user, person=person, values=form.person_values())
        messages.success(request, "人员信息已保存。")
        return redirect("org:person_detail", pk=pk)
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": f"编辑人员：{person.name}", "back": reverse("org:person_detail", args=[pk])},
    )


@login_required
def person_deactivate(request, pk: int):
    person = get_visible_or_404(Person, request.user, pk, "change")
    form = PersonDeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.person_deactivate(actor=request.user, person=person, status=form.cleaned_data["status"])
        messages.success(request, f"人员“{person.name}”已停用。")
        return redirect("org:person_detail", pk=pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"停用人员：{person.name}",
            "back": reverse("org:person_detail", args=[pk]),
            "submit_label": "确认停用",
            "danger": True,
        },
    )


@login_required
@require_POST
def person_reveal(request, pk: int, field: str):
    """HTMX: replace a masked value with the full one (audited). Looked up for "reveal": a person the
    user may not reveal — another county's, or one a reviewer or a cadre only sees — answers 404."""
    person = get_visible_or_404(Person, request.user, pk, "reveal")
    if field not in services.REVEALABLE:
        return HttpResponse(status=404)
    value = services.person_reveal(actor=request.user, person=person, field=field)
    return render(request, "org/_secret.html", {"value": value, "revealed": True, "field": field, "pk": pk})


@login_required
def person_mask(request, pk: int, field: str):
    """HTMX: 隐藏 — the masked value again, after a reveal."""
    person = get_visible_or_404(Person, request.user, pk)
    if field not in services.REVEALABLE:
        return HttpResponse(status=404)
    masked = person.id_number_masked if field == "id_number" else person.phone_masked
    can_reveal = Person.objects.visible_to(request.user, "reveal").filter(pk=pk).exists()
    return render(request, "org/_secret.html", {"masked": masked, "field": field, "pk": pk, "can_reveal": can_reveal})


# --- roster import / export ----------------------------------------------------------------


@login_required
def roster_import(request):
    """Upload → preview (新增 / 更新 / 未变化 / 跳过, nothing written) → 确认导入.

    The uploaded file is kept server-side under a random token between the two steps; the
    confirm plans it again and writes only if the plan is the one previewed (someone may have
    changed the roster in between)."""
    require_role(request, *ADMIN_ROLES)
    form = RosterImportForm(None, user=request.user)
    result = None
    if request.method == "POST" and request.POST.get("confirm"):
        return _roster_import_confirm(request)
    if request.method == "POST":
        form = RosterImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            unit = form.cleaned_data["unit"]
            result = roster.plan_import(upload, user=request.user, unit=unit)
            if result.ok:
                token = roster.upload_keep(upload)
                request.session["roster_import"] = {
                    "token": token,
                    "filename": upload.name[:200],
                    "unit": unit.pk if unit else None,
                    "fingerprint": result.fingerprint(),
                    "rows": len(result.planned),
                }
                return render(request, "org/roster_import.html", {"form": form, "result": result, "token": token})
            if result.needs_unit:
                form.add_error("unit", "文件中没有“所在单位”列，请选择这些人员所在的单位。")
            messages.error(request, f"发现{len(result.errors)}处错误，未导入任何数据。请修改后重新上传。")
    return render(request, "org/roster_import.html", {"form": form, "result": result})


def _roster_import_confirm(request):
    pending = request.session.get("roster_import") or {}
    token = request.POST.get("confirm")
    path = roster.upload_path(token) if token == pending.get("token") else None
    if path is None:
        messages.error(request, "预览已过期或已导入，请重新上传文件。")
        return redirect("org:roster_import")
    if pending.get("rows", 0) > settings.XUEBI_IMPORT_INLINE_ROWS:
        # A large file: planned again and applied by a background job (tasks.import_job), which
        # checks the plan is still the one previewed; the job's page follows it.
        params = {key: pending.get(key) for key in ("token", "filename", "unit", "fingerprint")}
        job = jobs.start(tasks.IMPORT, owner=request.user, params=params, total=pending["rows"])
        request.session.pop("roster_import", None)
        return redirect("jobs:job", job.pk)
    result, changed = roster.import_kept(
        path,
        user=request.user,
        unit_pk=pending.get("unit"),
        fingerprint=pending.get("fingerprint", ""),
        filename=pending.get("filename", ""),
    )
    roster.upload_discard(token)
    request.session.pop("roster_import", None)
    if changed:
        messages.error(request, roster.CHANGED_SINCE_PREVIEW)
        return redirect("org:roster_import")
    if result.ok:
        messages.success(request, f"导入成功：新增{result.created}人，更新{result.updated}人，未变化{result.unchanged}人。")
        return redirect("org:person_list")
    messages.error(request, f"导入失败：发现{len(result.errors)}处错误，未导入任何数据。")
    return render(request, "org/roster_import.html", {"form": RosterImportForm(None, user=request.user), "result": result})


@login_required
def roster_template(request):
    require_role(request, *ADMIN_ROLES)
    return xlsx.download(roster.template_workbook(), "花名册模板.xlsx")


@login_required
def roster_export(request):
    require_role(request, *PERSON_VIEW_ROLES)
    base = Person.objects.visible_to(request.user).select_related("unit")
    people = PersonFilter(request.GET or None, queryset=base, user=request.user).qs
    if people.count() > settings.XUEBI_EXPORT_INLINE_ROWS:  # written by a background job, downloaded from its page
        job = jobs.start(tasks.EXPORT, owner=request.user, params={"query": request.GET.urlencode()})
        return redirect("jobs:job", job.pk)
    data = roster.export_people(people, query=request.GET.urlencode())
    return xlsx.download(data, f"roster-{timezone.localdate():%Y%m%d}.xlsx")


# --- 光荣在党50年纪念章 ----------------------------------------------------------------------


MEDAL_ROLES = (Role.LEAGUE_ADMIN, Role.UNIT_ADMIN)


def _medal_question(request):
    form = MedalQueryForm(request.GET or None, user=request.user)
    return form, form.question(timezone.localdate())


@login_required
def medal_list(request):
    """Who qualifies for the 光荣在党50年纪念章 by the cut-off, and the medals given; an admin ticks
    people and records the medal as given (date, giving unit)."""
    require_role(request, *MEDAL_ROLES)
    form, question = _medal_question(request)
    issue_form = MedalIssueForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"issued_on": timezone.localdate().isoformat()},
    )
    if request.method == "POST" and issue_form.is_valid():
        try:
            ids = [int(pk) for pk in request.POST.getlist("person")]
        except ValueError:
            ids = []
        try:
            done = medal_services.medals_issue(
                actor=request.user,
                person_ids=ids,
                issued_on=issue_form.cleaned_data["issued_on"].date,
                unit=issue_form.cleaned_data["unit"],
                cutoff=question["cutoff"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已登记为{len(done)}人颁发光荣在党50年纪念章。")
            return redirect(f"{reverse('org:medal_list')}?{request.GET.urlencode()}")
    found = medals.candidates(request.user, **question)
    return render(
        request,
        "org/medal_list.html",
        {
            "form": form,
            "issue_form": issue_form,
            "cutoff": question["cutoff"],
            "candidates": found,
            "issued_count": sum(1 for c in found if c.medal),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def medal_export(request):
    require_role(request, *MEDAL_ROLES)
    _form, question = _medal_question(request)
    content = medal_services.medals_workbook(request.user, medals.candidates(request.user, **question), question["cutoff"])
    return xlsx.download(content, f"光荣在党50年-{question['cutoff']:%Y%m%d}.xlsx")


@login_required
@require_POST
def medal_undo(request, pk: int):
    require_role(request, *MEDAL_ROLES)
    medal = get_visible_or_404(MedalIssue, request.user, pk, "change")
    medal_services.medal_undo(actor=request.user, medal=medal)
    messages.success(request, f"已撤销{medal.person.name}的颁发登记。")
    return redirect(f"{reverse('org:medal_list')}?{request.POST.get('query', '')}")
