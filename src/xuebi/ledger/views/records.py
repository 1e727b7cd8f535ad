"""Ledger pages: my ledger (timeline), recording, the review queue, record detail, evidence.

Views are thin: they read through ``visible_to`` and write through ``services``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuebi.campaign.choices import Dimension
from xuebi.core import evidence as evidence_files
from xuebi.core.formatting import points_text
from xuebi.core.http import query_without_page
from xuebi.core.forms import add_validation_error, db_id
from xuebi.org.permissions import get_visible_or_404, require_role
from xuebi.org.widgets import UnitNames, person_label
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import has_role

from .. import events, schema
from ..choices import CorrectionStatus, RecordStatus
from ..forms.records import ALL_HOURS, HOURS_KEY, CorrectionDecisionForm, RecordForm, ReviewForm, pickable_people
from ..models import REVIEW_ROLES, Evidence, Participant, Record, RecordCorrection, RecordKind
from ..selectors import records as selectors
from ..services import records as services

RECORDING_ROLES = (Role.CADRE, Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN)
PAGE_SIZE = 20


def _filter(request, records):
    return selectors.filter_params(request.GET, records)


def _kinds():
    return RecordKind.objects.filter(is_active=True).only("pk", "name", "dimension", "sort_order")


@login_required
def record_list(request):
    """我的台账: a timeline of the user's own records, newest first, grouped by month."""
    require_role(request, *RECORDING_ROLES)
    records, filters = _filter(request, selectors.mine(request.user))
    records = selectors.timeline(request.user, records.for_list(), filtered=any(filters.values()))
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "kinds": _kinds(),
        "statuses": RecordStatus.choices,
        "query": query_without_page(request),
    }
    if request.htmx and request.htmx.target == "record-timeline":
        return render(request, "ledger/_timeline.html", context)
    return render(request, "ledger/record_list.html", context)


@login_required
def kind_pick(request):
    """Step one of recording: choose what was done, grouped by 学理论/学业务/比党性/比工作."""
    require_role(request, *RECORDING_ROLES)
    groups = []
    kinds = list(_kinds())
    for value, label in Dimension.choices:
        items = [k for k in kinds if k.dimension == value]
        if items:
            groups.append({"label": label, "kinds": items})
    return render(request, "ledger/kind_pick.html", {"groups": groups})


def _form_page(request, form, *, title, record=None, correction=False):
    return render(
        request,
        "ledger/record_form.html",
        {
            "form": form,
            "title": title,
            "kind": form.kind,
            "record": record,
            "correction": correction,
            "attendees": form.initial_attendees() if form.kind.is_group else [],
            "all_hours": form.data.get(ALL_HOURS, "") if form.is_bound else "",
            "pick_units": Unit.objects.visible_to(request.user).filter(is_active=True) if form.kind.is_group else [],
        },
    )


def _save(request, form, save):
    """Run a service with the form's input; put its ValidationError back on the form."""
    try:
        return save(form.record_input())
    except ValidationError as exc:  # not run_service: the service's keys need renaming first
        add_validation_error(form, _rekey(exc))
    return None


def _rekey(exc: ValidationError) -> ValidationError:
    """The service names fields by their model name; the form prefixes schema fields."""
    if not hasattr(exc, "error_dict"):
        return exc
    mapped = {}
    for key, errors in exc.error_dict.items():
        name = key
        if key in ("attendees", "kind", "field_key"):
            name = "__all__"
        elif key not in ("occurred_on", "unit", "author", "study_level", "author_hours", "evidence", "comment", "reason"):
            name = schema.FIELD_PREFIX + key
        mapped.setdefault(name, []).extend(errors)
    return ValidationError({k: v for k, v in mapped.items()})


@login_required
def record_create(request, code: str):
    require_role(request, *RECORDING_ROLES)
    kind = get_object_or_404(RecordKind, code=code, is_active=True)
    form = RecordForm(
        request.POST or None, request.FILES or None, kind=kind, user=request.user, initial={"occurred_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        record = _save(
            request, form, lambda values: services.record_create(actor=request.user, kind=kind, values=values, submit=submit)
        )
        if record is not None:
            messages.success(request, _saved_message(record))
            return redirect("ledger:detail", pk=record.pk)
    return _form_page(request, form, title=f"记录：{kind.name}")


def _saved_message(record: Record) -> str:
    if record.status == RecordStatus.APPROVED:
        return "已提交，该类型无需审核，已记入台账。"
    if record.status == RecordStatus.SUBMITTED:
        return "已提交，等待审核。"
    return "已保存为草稿，可稍后补充后提交。"


@login_required
def record_edit(request, pk: int):
    record = get_visible_or_404(Record, request.user, pk, "edit")
    if not record.is_editable:
        messages.info(request, "该记录已提交或已通过，不能直接修改。")
        return redirect("ledger:detail", pk=pk)
    form = RecordForm(request.POST or None, request.FILES or None, kind=record.kind, user=request.user, record=record)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        saved = _save(
            request, form, lambda values: services.record_update(actor=request.user, record=record, values=values, submit=submit)
        )
        if saved is not None:
            messages.success(request, _saved_message(saved))
            return redirect("ledger:detail", pk=pk)
    return _form_page(request, form, title=f"修改：{record.title}", record=record)


@login_required
def record_correct(request, pk: int):
    """Propose a correction of an approved record; an admin approves it into a new version."""
    record = get_visible_or_404(Record, request.user, pk)
    form = RecordForm(request.POST or None, kind=record.kind, user=request.user, record=record, correction=True)
    form.fields["reason"] = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    form.style_fields()
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_propose(
                actor=request.user, record=record, values=form.record_input(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_validation_error(form, _rekey(exc))
        else:
            messages.success(request, "更正申请已提交，管理员批准后生效；在此之前记录保持原样。")
            return redirect("ledger:detail", pk=pk)
    return _form_page(request, form, title=f"申请更正：{record.title}", record=record, correction=True)


@login_required
def record_detail(request, pk: int):
    return _detail_page(request, pk)


def _points_preview(record: Record) -> list[dict]:
    """预计积分: what approving the record now would award, one line per person (read only)."""
    names = {p.person_id: p.person.name for p in record.participants.all()}
    lines: dict[int, dict] = {}
    for item in events.award_preview(record):
        line = lines.setdefault(item.person_id, {"name": names.get(item.person_id, ""), "points": 0, "notes": []})
        line["points"] += item.points
        line["notes"].append(
            f"{item.rule.indicator.name} {points_text(item.points)}分" + (f"（{item.note}）" if item.note else "")
        )
    return [{**line, "points": points_text(line["points"])} for line in lines.values()]


def _detail_page(request, pk: int, *, review_form: ReviewForm | None = None):
    record = get_visible_or_404(Record, request.user, pk)
    record = (
        Record.objects.select_related("kind", "unit", "author", "schema", "reviewed_by")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("person", "unit").order_by("role", "pk")),
            "evidence",
            "events__actor",
            "versions",
            Prefetch("corrections", queryset=RecordCorrection.objects.select_related("proposed_by", "decided_by")),
        )
        .get(pk=record.pk)
    )
    evidence = list(record.evidence.all())
    by_key: dict[str, list] = {}
    for item in evidence:
        by_key.setdefault(item.field_key, []).append(item)
    user = request.user
    can_edit = Record.objects.visible_to(user, "edit").filter(pk=pk).exists()
    may_review = record.status == RecordStatus.SUBMITTED and Record.objects.visible_to(user, "review").filter(pk=pk).exists()
    can_correct_decide = Record.objects.visible_to(user, "correct").filter(pk=pk).exists()
    pending = next((c for c in record.corrections.all() if c.status == CorrectionStatus.PENDING), None)
    # a reviewer with a stake in the record sees why someone else decides on it, not the buttons
    conflict = services.decision_conflict(user, record) if may_review or can_correct_decide else None
    if pending is not None and can_correct_decide and not conflict:
        conflict = services.proposed_conflict(user, pending)
    versions = list(record.versions.all())
    rows = schema.display_rows(record.schema.fields, record.data, by_key)
    participants = list(record.participants.all())
    # the queue the reviewer came from (its filters and order), kept through a refused decision
    queue = (request.GET.get("queue") or request.POST.get("queue") or "") if has_role(user, *REVIEW_ROLES) else ""
    return render(
        request,
        "ledger/record_detail.html",
        {
            "record": record,
            "rows": rows,
            "general_evidence": by_key.get("", []),
            "participants": participants,
            # 学时 once: a kind whose own fields carry it (key "hours") shows it among them
            "author_hours": None
            if record.kind.is_group or any(r["key"] == HOURS_KEY for r in rows) or len(participants) != 1
            else participants[0].hours,
            "events": list(record.events.all()),
            "versions": versions,
            "version_rows": [(v, schema.display_rows(v.schema.fields, v.data)) for v in versions] if len(versions) > 1 else [],
            "can_edit": can_edit and record.is_editable,
            "can_review": may_review and not conflict,
            "can_propose": record.status == RecordStatus.APPROVED
            and not record.has_pending_correction
            and (can_edit or can_correct_decide),
            "can_reopen": can_correct_decide
            and not conflict
            and record.status == RecordStatus.APPROVED
            and not record.has_pending_correction,
            "pending": pending,
            "can_decide": pending is not None and can_correct_decide and not conflict,
            "decided_by_others": conflict if may_review or (pending is not None and can_correct_decide) else None,
            "pending_rows": schema.display_rows(pending.schema.fields, pending.data) if pending else [],
            "review_form": review_form or ReviewForm(),
            "decision_form": CorrectionDecisionForm(),
            "points_preview": _points_preview(record)
            if record.status in (RecordStatus.SUBMITTED, RecordStatus.RETURNED, RecordStatus.DRAFT)
            else [],
            "queue": queue,
        },
    )


def _act(request, pk, action, done: str, *, scope: str = "view"):
    """Run a transition on a record within the user's ``scope`` for it (else 404); a refused one
    (PermissionDenied, e.g. 须由他人审核) answers 403 with its message."""
    record = get_visible_or_404(Record, request.user, pk, scope)
    try:
        action(record)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(request.POST.get("next") or reverse("ledger:detail", args=[pk]))


@login_required
@require_POST
def record_submit(request, pk: int):
    return _act(
        request, pk, lambda r: services.record_submit(actor=request.user, record=r), "已提交，等待审核。", scope="edit"
    )  # only the author submits, as only the author edits: another's draft is a 404 alike


@login_required
@require_POST
def record_delete(request, pk: int):
    record = get_visible_or_404(Record, request.user, pk, "edit")
    try:
        services.record_delete(actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("ledger:detail", pk=pk)
    messages.success(request, "草稿已删除。")
    return redirect("ledger:mine")


@login_required
@require_POST
def record_review(request, pk: int):
    """审核通过 / 退回. A refused decision (退回 without a comment …) keeps the reviewer on the record,
    the message beside the comment box and what they typed in it; a decision made shows the record
    the queue they came from (same filters and order) with 下一条: the record after the decided one.
    Looked up in the review scope: a record the user may read but not review (their own, as a cadre)
    is a 404, as out of scope is everywhere."""
    record = get_visible_or_404(Record, request.user, pk, "review")
    form = ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    returning = request.POST.get("decision") == "return"
    try:
        if returning:
            services.record_return(actor=request.user, record=record, comment=comment)
        else:
            services.record_approve(actor=request.user, record=record, comment=comment)
    except ValidationError as exc:
        add_validation_error(form, exc, default_field="comment")
        return _detail_page(request, pk, review_form=form)
    messages.success(request, "已退回记录人修改。" if returning else "已审核通过。")
    queue = request.POST.get("queue", "")
    return redirect(reverse("ledger:review_queue") + "?" + "&".join(filter(None, [queue, urlencode({"done": pk})])))


@login_required
@require_POST
def record_reopen(request, pk: int):
    comment = request.POST.get("comment", "")
    return _act(
        request,
        pk,
        lambda r: services.record_reopen(actor=request.user, record=r, comment=comment),
        "已撤销通过，记录退回记录人。",
    )


@login_required
@require_POST
def correction_decide(request, pk: int):
    correction = get_object_or_404(RecordCorrection, pk=pk)
    comment = request.POST.get("comment", "")
    if request.POST.get("decision") == "reject":
        act, done = (
            (lambda r: services.correction_reject(actor=request.user, correction=correction, comment=comment)),
            "已驳回更正申请。",
        )
    else:
        act, done = (
            (lambda r: services.correction_approve(actor=request.user, correction=correction, comment=comment)),
            "更正已批准，记录已更新为新版本。",
        )
    return _act(request, correction.record_id, act, done)


@login_required
def review_queue(request):
    """待审核: submitted records of the reviewer's subtree, oldest first (or as sorted), with bulk approval."""
    require_role(request, *REVIEW_ROLES)
    user = request.user
    records, filters, sort = selectors.queue(user, request.GET)
    page = Paginator(
        records.for_list("submitted_at")
        .annotate(n_people=selectors.count_of(Participant), n_files=selectors.count_of(Evidence))
        .order_by(*selectors.QUEUE_SORTS[sort][1]),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    corrections = []
    if has_role(user, *ADMIN_ROLES):
        # few corrections are ever pending: take them, then keep those in scope (one small query each)
        pending = list(
            RecordCorrection.objects.filter(status=CorrectionStatus.PENDING)
            .exclude(proposed_by=user)
            .select_related("record", "schema")[:200]
        )
        visible = set(
            Record.objects.visible_to(user, "correct")
            .filter(pk__in=[c.record_id for c in pending])
            .filter(services.decidable_by(user))
            .values_list("pk", flat=True)
        )
        corrections = [c for c in pending if c.record_id in visible and not services.proposed_conflict(user, c)][:50]
    return render(
        request,
        "ledger/review_queue.html",
        {
            "page": page,
            "filters": filters,
            "kinds": _kinds(),
            "corrections": corrections,
            "units": Unit.objects.visible_to(user).filter(is_active=True, depth__lte=3),
            "query": query_without_page(request),
            "sorts": [(key, label) for key, (label, _order) in selectors.QUEUE_SORTS.items()],
            "queue": urlencode({k: v for k, v in filters.items() if v}),
            "done": db_id(request.GET.get("done")),
        },
    )


@login_required
def review_next(request):
    """下一条: the first record after ``after`` in the queue the reviewer came from (its filters and
    order travel in ``queue``); none left → back to the queue."""
    require_role(request, *REVIEW_ROLES)
    queue = request.GET.get("queue", "")
    records, _filters, sort = selectors.queue(request.user, QueryDict(queue))
    after = db_id(request.GET.get("after"))
    if after is not None:
        current = Record.objects.visible_to(request.user).filter(pk=after).first()
        if current is not None:
            records = selectors.after(records, selectors.QUEUE_SORTS[sort][1], current)
    following = records.values_list("pk", flat=True).first()
    if following is None:
        messages.info(request, "这一列表中已没有待审核的记录。")
        return redirect(reverse("ledger:review_queue") + (f"?{queue}" if queue else ""))
    return redirect(reverse("ledger:detail", args=[following]) + "?" + urlencode({"queue": queue}))


@login_required
@require_POST
def review_bulk(request):
    require_role(request, *REVIEW_ROLES)
    ids = [db_id(i) for i in request.POST.getlist("record") if db_id(i) is not None]
    if not ids:
        messages.error(request, "请先勾选要通过的记录。")
        return redirect("ledger:review_queue")
    records = list(Record.objects.visible_to(request.user, "review").filter(pk__in=ids).order_by("pk"))
    approved, skipped = services.records_approve(actor=request.user, records=records)
    if approved:
        messages.success(request, f"已批量通过 {approved} 条记录。")
    for line in skipped:
        messages.warning(request, f"未通过 {line}")
    return redirect(request.POST.get("next") or reverse("ledger:review_queue"))


# --- evidence ---------------------------------------------------------------------------------


def _evidence(request, pk: int, action: str = "view") -> Evidence:
    item = get_object_or_404(Evidence.objects.select_related("record"), pk=pk)
    get_visible_or_404(Record, request.user, item.record_id, action)  # never served without this check
    return item


@login_required
def evidence_file(request, pk: int):
    item = _evidence(request, pk)
    return evidence_files.serve(item.file.name, item.content_type, item.original_name)


@login_required
@require_POST
def evidence_remove(request, pk: int):
    """删除 one file of a draft or returned record, from its edit page (the author's right, as editing is)."""
    item = _evidence(request, pk, "edit")
    try:
        services.evidence_remove(actor=request.user, evidence=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("ledger:detail", pk=item.record_id)
    messages.success(request, f"已删除附件“{item.original_name}”。")
    return redirect("ledger:edit", pk=item.record_id)


@login_required
def evidence_thumbnail(request, pk: int):
    item = _evidence(request, pk)
    return evidence_files.serve_thumbnail(item.thumbnail.name if item.thumbnail else "")


# --- the attendee picker (HTMX) ---------------------------------------------------------------


@login_required
def pick_people(request):
    """Search the roster by name or pinyin for attendees; returns result rows with 添加 buttons."""
    require_role(request, *RECORDING_ROLES)
    q = (request.GET.get("q") or request.GET.get("pick_q") or "").strip()
    names = UnitNames()
    people = [{"pk": p.pk, "label": person_label(p, names)} for p in pickable_people(request.user).search(q)[:20]] if q else []
    return render(
        request, "ledger/_pick_results.html", {"people": people, "q": q, "hours_field": request.GET.get("hours_field", "")}
    )


@login_required
def pick_add(request):
    """Attendee rows to append: one person (?person=) or a whole unit's active people (?unit=)."""
    require_role(request, *RECORDING_ROLES)
    people = pickable_people(request.user)
    unit_id = request.GET.get("unit") or request.GET.get("pick_unit") or ""
    if db_id(unit_id) is not None:
        unit = get_visible_or_404(Unit, request.user, db_id(unit_id))
        people = people.filter(unit__path__startswith=unit.path).order_by("unit__path", "name_pinyin")
    elif db_id(request.GET.get("person")) is not None:
        people = people.filter(pk=db_id(request.GET["person"]))
    else:
        people = Person.objects.none()
    names = UnitNames()
    rows = [
        {"id": p.pk, "name": p.name, "unit": names.label(p.unit.path), "hours": request.GET.get("hours", "")}
        for p in people[:500]
    ]
    return render(
        request, "ledger/_attendee_rows.html", {"attendees": rows, "hours_required": request.GET.get("hours_field") == "1"}
    )
