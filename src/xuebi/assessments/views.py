"""Assessment pages: the list (rounds a user sees, their own sheets), opening a round, a round's page (the leader's
sheet with evidence and a grade per person, the tally against the cap, 公示 and objections, 确定), and a person's
sheet (the 个人小结, phone-first). Reads through ``selectors`` and ``visible_to``; writes only through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuebi.core import xlsx
from xuebi.core.forms import add_validation_error, db_id
from xuebi.org.models import Unit
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.permissions import get_visible_or_404, require_role
from xuebi.org.scoping import has_role

from . import conf, evidence, exports, selectors, services
from .forms import ApprovalForm, BasisForm, ObjectionForm, OpenForm, PublicityForm, ReplyForm, SummaryForm
from .models import Assessment, Kind, Objection, Sheet, Status

READERS = (Role.CADRE, Role.REVIEWER, *ADMIN_ROLES)


def _run(form, call):
    try:
        return call()
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        add_validation_error(form, exc, default_field=None)
    return None


def _error(request, exc) -> None:
    if hasattr(exc, "error_dict"):
        text = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    else:
        text = "；".join(getattr(exc, "messages", [str(exc)]))
    messages.error(request, text)


@login_required
def assessment_list(request):
    require_role(request, *READERS)
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "rounds": selectors.rounds(request.user),
            "mine": selectors.my_sheets(request.user),
            "can_open": has_role(request.user, *ADMIN_ROLES),
        },
    )


@login_required
def assessment_create(request):
    require_role(request, *ADMIN_ROLES)
    form = OpenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = _run(
            form,
            lambda: services.assessment_open(
                actor=request.user, unit=data["unit"], kind=data["kind"], year=data["year"], quarter=data["quarter"]
            ),
        )
        if made is not None:
            messages.success(request, f"已发起{made}，共 {made.sheets.count()} 人参加考核。")
            return redirect("assessments:assessment_detail", made.pk)
    return render(request, "assessments/assessment_form.html", {"form": form})


@login_required
def assessment_detail(request, pk: int):
    require_role(request, *READERS)
    assessment = get_visible_or_404(Assessment, request.user, pk)
    admin = selectors.is_admin_of(request.user, assessment)
    if admin:
        sheets = selectors.sheets_with_evidence(assessment)
    else:
        # A person of the round sees the 公示 (and later the result), never the others' evidence or 小结.
        sheets = list(assessment.sheets.select_related("person", "unit")) if assessment.status != Status.OPEN else []
        for sheet in sheets:
            sheet.assessment = assessment
    own = next((s for s in sheets if s.person_id == request.user.person_id), None) if request.user.person_id else None
    if own is None and request.user.person_id:
        own = assessment.sheets.filter(person_id=request.user.person_id).first()
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "sheets": sheets,
            "admin": admin,
            "own": own,
            "tally": selectors.tally(assessment, sheets) if sheets else None,
            "grade_choices": [(c.value, str(c.label)) for c in assessment.grades],
            "objections": selectors.objections(assessment),
            "publicity_form": PublicityForm(),
            "approval_form": ApprovalForm() if admin and assessment.kind == Kind.ANNUAL else None,
            "objection_form": ObjectionForm(),
            "is_open": assessment.status == Status.OPEN,
        },
    )


@login_required
def sheet_detail(request, pk: int):
    """A person's sheet: their 小结 (a form while the round is open, for the person themself) and the evidence."""
    require_role(request, *READERS)
    # A POST is the person's own 小结: out of that reach it answers 404, as a sheet not seen does.
    sheet = get_visible_or_404(Sheet, request.user, pk, "write" if request.method == "POST" else "view")
    assessment = sheet.assessment
    own = sheet.person_id == request.user.person_id
    form = SummaryForm(request.POST or None, initial={"summary": sheet.summary})
    if request.method == "POST":
        if form.is_valid() and _run(
            form, lambda: services.sheet_summary(actor=request.user, sheet=sheet, summary=form.cleaned_data["summary"])
        ):
            messages.success(request, "个人小结已提交。")
            return redirect("assessments:sheet_detail", sheet.pk)
    [sheet] = selectors.sheets_with_evidence(assessment, Sheet.objects.filter(pk=sheet.pk))
    return render(
        request,
        "assessments/sheet_detail.html",
        {
            "sheet": sheet,
            "assessment": assessment,
            "form": form if own and assessment.status == Status.OPEN else None,
            "show_grade": assessment.status != Status.OPEN or selectors.is_admin_of(request.user, assessment),
        },
    )


def _admin_round(request, pk: int) -> Assessment:
    require_role(request, *ADMIN_ROLES)
    return get_visible_or_404(Assessment, request.user, pk, "change")


@login_required
@require_POST
def grades_save(request, pk: int):
    assessment = _admin_round(request, pk)
    grades, comments = {}, {}
    for key, value in request.POST.items():
        if key.startswith("grade-") and (sheet_id := db_id(key[6:])) is not None:
            grades[sheet_id] = value.strip()
        elif key.startswith("comment-") and (sheet_id := db_id(key[8:])) is not None:
            comments[sheet_id] = value.strip()
    try:
        changed = services.grades_propose(actor=request.user, assessment=assessment, grades=grades, comments=comments)
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已保存拟定等次（{changed} 人有变动）。")
    return redirect("assessments:assessment_detail", assessment.pk)


def _act(request, call, success: str, form=None) -> None:
    """One POST step of a round, told as a message: the form's errors by label, else the service's
    refusal, else ``success``. The page it redirects to shows the round as it now stands."""
    if form is not None and not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items()))
        return
    try:
        call()
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, success)


@login_required
@require_POST
def assessment_finalise(request, pk: int):
    assessment = _admin_round(request, pk)
    _act(request, lambda: services.assessment_finalise(actor=request.user, assessment=assessment), "考核结果已确定。")
    return redirect("assessments:assessment_detail", assessment.pk)


@login_required
@require_POST
def assessment_publicise(request, pk: int):
    assessment = _admin_round(request, pk)
    form = PublicityForm(request.POST)
    _act(
        request,
        lambda: services.assessment_publicise(
            actor=request.user, assessment=assessment, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        ),
        "已公示。",
        form,
    )
    return redirect("assessments:assessment_detail", assessment.pk)


@login_required
@require_POST
def approval_save(request, pk: int):
    assessment = _admin_round(request, pk)
    form = ApprovalForm(request.POST)
    _act(
        request,
        lambda: services.approval_record(actor=request.user, assessment=assessment, **form.cleaned_data),
        "已登记批准提高优秀比例。",
        form,
    )
    return redirect("assessments:assessment_detail", assessment.pk)


@login_required
@require_POST
def objection_create(request, pk: int):
    require_role(request, *READERS)
    assessment = get_visible_or_404(Assessment, request.user, pk)
    form = ObjectionForm(request.POST)
    _act(
        request,
        lambda: services.objection_raise(actor=request.user, assessment=assessment, text=form.cleaned_data["text"]),
        "异议已提交，等待答复。",
        form,
    )
    return redirect("assessments:assessment_detail", assessment.pk)


@login_required
@require_POST
def objection_reply(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    objection = get_visible_or_404(Objection, request.user, pk, "change")
    form = ReplyForm(request.POST)
    _act(
        request,
        lambda: services.objection_reply(actor=request.user, objection=objection, reply=form.cleaned_data["reply"]),
        "已答复。",
        form,
    )
    return redirect("assessments:assessment_detail", objection.assessment_id)


# --- 评优评先 basis ------------------------------------------------------------------------------


def _basis(request):
    """The basis asked for in the query string: the unit (404 out of the admin's reach, as a missing one), the
    year and the weights (a bad value: the form's message, and the defaults used meanwhile)."""
    require_role(request, *ADMIN_ROLES)
    weights = conf.basis_weights()
    labels = {r.name: r.label for r in evidence.providers()} | {selectors.GRADES_KEY: "考核等次"}
    form = BasisForm(request.GET or None, user=request.user, weights=weights, labels=labels)
    unit_id = db_id(request.GET.get("unit")) if request.GET.get("unit") else form.initial.get("unit")
    if request.GET.get("unit") and unit_id is None:
        raise Http404("找不到该单位，或您无权访问。")
    if unit_id is None:
        return form, None
    unit = get_visible_or_404(Unit, request.user, unit_id, "change")
    year, chosen = form.initial["year"], weights
    if form.is_bound and form.is_valid():
        year, chosen = form.cleaned_data["year"], form.weights()
    return form, selectors.basis_for(unit, year, chosen)


@login_required
def basis_page(request):
    form, result = _basis(request)
    headers, rows = result.table() if result is not None else ([], [])
    return render(
        request,
        "assessments/basis.html",
        {"form": form, "result": result, "headers": headers, "rows": rows, "query": request.GET.urlencode()},
    )


@login_required
def basis_xlsx(request):
    _form, result = _basis(request)
    if result is None:
        raise Http404("没有可导出的单位。")
    return xlsx.download(exports.basis_xlsx(result, today=timezone.localdate()), exports.file_name(result, "xlsx"))


@login_required
def basis_docx(request):
    _form, result = _basis(request)
    if result is None:
        raise Http404("没有可导出的单位。")
    content = exports.basis_docx(result, today=timezone.localdate())
    return exports.docx_response(content, exports.file_name(result, "docx"))
