"""/api/v1/records…: the ledger through the same form, services and scoping as the pages.

A JSON body is turned into the record form's own input (``_form_input``) so that a value the
page refuses is refused here with the same Chinese message.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from xuebi.core.formatting import points_text
from xuebi.core.api import DbInt, LimitOffsetPagination, paginate
from xuebi.core import dates
from xuebi.core.forms import error_detail, validation_detail
from xuebi.org.permissions import get_visible_or_404

from .. import events, schema
from ..forms.records import RecordForm
from ..models import Evidence, Record, RecordCorrection, RecordKind
from ..selectors.records import mine, review_queue_records, timeline
from ..services import records as services

router = Router(tags=["学习台账"])
# list rows do not need the kinds' and schemas' field definitions or the people's encrypted data
API_DEFERRED = ("kind__fields", "kind__description", "schema__fields", "author__id_number_encrypted", "unit__path")


class AttendeeIn(Schema):
    person_id: DbInt
    hours: Decimal | None = None


class RecordIn(Schema):
    """Dates as people type them (2021-07-01, 2021.7.1, 2021年7月1日). ``data`` holds the kind's
    own fields by key (see GET /kinds); choices by their label, people and units by id."""

    kind: str = Field(..., description="台账类型代码，如 self_study")
    occurred_on: str
    unit_id: DbInt | None = None
    author_id: DbInt | None = Field(None, description="代他人记录时的记录人（账号未关联人员时必填）")
    study_level: str = ""
    author_hours: Decimal | None = None
    data: dict = {}
    attendees: list[AttendeeIn] = []
    submit: bool = False


class RecordPatch(Schema):
    occurred_on: str | None = None
    unit_id: DbInt | None = None
    study_level: str | None = None
    author_hours: Decimal | None = None
    data: dict | None = None
    attendees: list[AttendeeIn] | None = None
    submit: bool = False


class CorrectionIn(RecordPatch):
    reason: str


class CommentIn(Schema):
    comment: str = ""


class BulkIn(Schema):
    ids: list[DbInt]


class ParticipantOut(Schema):
    person_id: int
    name: str = Field(..., alias="person.name")
    unit_id: int
    role: str
    hours: Decimal | None


class EvidenceOut(Schema):
    id: int
    field_key: str
    original_name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: Evidence):
        return f"/ledger/evidence/{obj.pk}/"


class RecordOut(Schema):
    id: int
    kind: str = Field(..., alias="kind.code")
    kind_name: str = Field(..., alias="kind.name")
    title: str
    occurred_on: dt.date
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    author_id: int
    author_name: str = Field(..., alias="author.name")
    status: str
    status_display: str = Field(..., alias="get_status_display")
    version: int
    schema_version: int = Field(..., alias="schema.version")
    study_level: str
    data: dict
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_comment: str
    has_pending_correction: bool


class RecordDetailOut(RecordOut):
    fields: list[dict]
    participants: list[ParticipantOut]
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_fields(obj: Record):
        return [{k: v for k, v in row.items() if k != "files"} for row in schema.display_rows(obj.schema.fields, obj.data)]

    @staticmethod
    def resolve_participants(obj: Record):
        return obj.participants.select_related("person").order_by("pk")

    @staticmethod
    def resolve_evidence(obj: Record):
        return obj.evidence.all()


class ErrorOut(Schema):
    detail: list[dict] | str


def _form_input(payload: dict) -> QueryDict:
    """The JSON body as the record form's POST data."""
    q = QueryDict(mutable=True)
    values = dict(payload)
    if values.get("occurred_on") is not None:
        q["occurred_on"] = values["occurred_on"]
    if values.get("unit_id") is not None:
        q["unit"] = str(values["unit_id"])
    if values.get("author_id") is not None:
        q["author"] = str(values["author_id"])
    if values.get("study_level"):
        q["study_level"] = values["study_level"]
    if values.get("author_hours") is not None:
        q["author_hours"] = str(values["author_hours"])
    for key, value in (values.get("data") or {}).items():
        name = schema.FIELD_PREFIX + str(key)
        if isinstance(value, list):
            q.setlist(name, [str(v) for v in value])
        elif isinstance(value, dict) and "id" in value:
            q[name] = str(value["id"])
        elif isinstance(value, bool):
            q[name] = "on" if value else ""
        elif value is not None:
            q[name] = str(value)
    for attendee in values.get("attendees") or []:
        q.appendlist("attendee", str(attendee["person_id"]))
        if attendee.get("hours") is not None:
            q[f"hours_{attendee['person_id']}"] = str(attendee["hours"])
    return q


def _patched(record: Record, payload: dict) -> dict:
    """A PATCH body completed with the record's current values."""
    full = {
        "occurred_on": record.occurred_on.isoformat(),
        "unit_id": record.unit_id,
        "study_level": record.study_level,
        "data": dict(record.data),
        "attendees": [{"person_id": p.person_id, "hours": p.hours} for p in record.participants.all() if p.role != "author"],
        "author_hours": next((p.hours for p in record.participants.all() if p.role == "author"), None),
    }
    for key, value in payload.items():
        if value is None:
            continue
        full[key] = {**full["data"], **value} if key == "data" else value
    return full


def _loc(name: str) -> list[str]:
    """Where a record form's field sits in the API's body: the kind's own fields under ``data``."""
    if name.startswith(schema.FIELD_PREFIX):
        return ["body", "data", name[len(schema.FIELD_PREFIX) :]]
    if name in ("__all__", "attendees"):
        return ["body", "attendees"]
    return ["body", {"unit": "unit_id", "author": "author_id"}.get(name, name)]


def _form_errors(form) -> dict:
    return {"detail": error_detail(form, loc=_loc)}


COMMON_KEYS = {
    "occurred_on",
    "unit",
    "author",
    "study_level",
    "attendees",
    "evidence",
    "comment",
    "reason",
    "author_hours",
    "kind",
}


def _service_errors(exc: ValidationError) -> dict:
    """A service's ValidationError as 422 detail; keys that are not common fields are the kind's own."""
    return {"detail": validation_detail(exc, loc=lambda key: _loc(key if key in COMMON_KEYS else schema.FIELD_PREFIX + key))}


def _run(call):
    try:
        return call()
    except ValidationError as exc:
        return Status(422, _service_errors(exc))


def _detail(record: Record) -> Record:
    return Record.objects.select_related("kind", "unit", "author", "schema").get(pk=record.pk)


def _validated(kind, payload, request, record=None):
    form = RecordForm(data=_form_input(payload), kind=kind, user=request.auth, record=record)
    form.fields.pop("evidence", None)
    for name in [n for n, f in form.fields.items() if isinstance(f, schema.MultipleFileField)]:
        form.fields[name].required = False  # files arrive through POST /records/{id}/evidence
    return form


@router.get("/records", response=list[RecordOut], summary="台账记录：默认为本人的记录；scope=all 为可见范围内全部")
@paginate(LimitOffsetPagination)
def list_records(
    request, scope: str = "mine", kind: str = "", status: str = "", search: str = "", date_from: str = "", date_to: str = ""
):
    """``date_from`` / ``date_to`` as people type them (2026-01-01, 2026年1月1日)."""
    try:
        date_from, date_to = (
            dates.parse(d.strip(), allow_partial=False).date if d.strip() else None for d in (date_from, date_to)
        )
    except ValidationError as exc:
        raise HttpError(422, f"日期格式不正确：{exc.messages[0]}") from None
    records = mine(request.auth) if scope == "mine" else Record.objects.visible_to(request.auth).order_by("-occurred_on", "-pk")
    filtered = bool(kind or status or search or date_from or date_to)
    if kind:
        records = records.filter(kind__code=kind)
    if status:
        records = records.filter(status=status)
    if search:
        records = records.filter(title__contains=search)
    if date_from:
        records = records.filter(occurred_on__gte=date_from)
    if date_to:
        records = records.filter(occurred_on__lte=date_to)
    records = records.select_related("kind", "unit", "author", "schema").defer(*API_DEFERRED)
    return timeline(request.auth, records, filtered=filtered) if scope == "mine" else records


@router.get("/records/review-queue", response=list[RecordOut], summary="待审核的记录（审核员、管理员）")
@paginate(LimitOffsetPagination)
def review_queue(request):
    records = review_queue_records(request.auth)
    return records.select_related("kind", "unit", "author", "schema").defer(*API_DEFERRED).order_by("submitted_at", "pk")


@router.get("/records/{record_id}", response=RecordDetailOut, summary="台账记录详情")
def get_record(request, record_id: DbInt):
    return _detail(get_visible_or_404(Record, request.auth, record_id))


@router.post("/records", response={201: RecordDetailOut, 422: ErrorOut}, summary="新建台账记录（submit=true 直接提交）")
def create_record(request, payload: RecordIn):
    kind = RecordKind.objects.filter(code=payload.kind, is_active=True).first()
    if kind is None:
        return Status(422, {"detail": [{"loc": ["body", "kind"], "msg": f"台账类型“{payload.kind}”不存在或已停用。"}]})
    form = _validated(kind, payload.dict(), request)
    if not form.is_valid():
        return Status(422, _form_errors(form))
    result = _run(
        lambda: services.record_create(actor=request.auth, kind=kind, values=form.record_input(), submit=payload.submit)
    )
    return result if isinstance(result, Status) else Status(201, _detail(result))


@router.patch("/records/{record_id}", response={200: RecordDetailOut, 422: ErrorOut}, summary="修改草稿或被退回的记录")
def update_record(request, record_id: DbInt, payload: RecordPatch):
    record = get_visible_or_404(Record, request.auth, record_id, "edit")
    form = _validated(record.kind, _patched(record, payload.dict(exclude={"submit"})), request, record)
    if not form.is_valid():
        return Status(422, _form_errors(form))
    result = _run(
        lambda: services.record_update(actor=request.auth, record=record, values=form.record_input(), submit=payload.submit)
    )
    return result if isinstance(result, Status) else _detail(result)


@router.delete("/records/{record_id}", response={204: None, 422: ErrorOut}, summary="删除草稿")
def delete_record(request, record_id: DbInt):
    record = get_visible_or_404(Record, request.auth, record_id, "edit")
    result = _run(lambda: services.record_delete(actor=request.auth, record=record))
    return result if isinstance(result, Status) else Status(204, None)


@router.post(
    "/records/{record_id}/evidence",
    response={201: EvidenceOut, 422: ErrorOut},
    summary="上传佐证材料（multipart 表单，字段 file）",
)
def add_evidence(request, record_id: DbInt, file: File[UploadedFile], field_key: Form[str] = ""):
    record = get_visible_or_404(Record, request.auth, record_id, "edit")
    result = _run(lambda: services.evidence_add(actor=request.auth, record=record, upload=file, field_key=field_key))
    return result if isinstance(result, Status) else Status(201, result)


class PointsPreviewOut(Schema):
    person_id: int
    person_name: str
    indicator: str
    points: str = Field(..., description="通过后将计入的分值（已计上限）")
    note: str = Field(..., description="为何少于规则分值（上限），空表示全额")


@router.get(
    "/records/{record_id}/points-preview",
    response=list[PointsPreviewOut],
    summary="预计积分：该记录现在审核通过将计入的积分（只读，以通过时的计算为准）",
)
def points_preview(request, record_id: DbInt):
    record = get_visible_or_404(Record, request.auth, record_id)
    if record.status == "approved":
        return []
    names = dict(record.participants.values_list("person_id", "person__name"))
    return [
        {
            "person_id": item.person_id,
            "person_name": names.get(item.person_id, ""),
            "indicator": item.rule.indicator.name,
            "points": points_text(item.points),
            "note": item.note,
        }
        for item in events.award_preview(record)
    ]


@router.delete(
    "/records/{record_id}/evidence/{evidence_id}",
    response={204: None, 422: ErrorOut},
    summary="删除佐证材料（草稿或被退回的记录）",
)
def remove_evidence(request, record_id: DbInt, evidence_id: DbInt):
    record = get_visible_or_404(Record, request.auth, record_id, "edit")
    item = get_object_or_404(Evidence, pk=evidence_id, record=record)
    result = _run(lambda: services.evidence_remove(actor=request.auth, evidence=item))
    return result if isinstance(result, Status) else Status(204, None)


def _transition(request, record_id: int, call, scope: str = "view"):
    record = get_visible_or_404(Record, request.auth, record_id, scope)
    result = _run(lambda: call(record))
    return result if isinstance(result, Status) else _detail(result)


@router.post("/records/{record_id}/submit", response={200: RecordDetailOut, 422: ErrorOut}, summary="提交审核")
def submit_record(request, record_id: DbInt):
    return _transition(request, record_id, lambda r: services.record_submit(actor=request.auth, record=r), "edit")


@router.post("/records/{record_id}/approve", response={200: RecordDetailOut, 422: ErrorOut}, summary="审核通过")
def approve_record(request, record_id: DbInt, payload: CommentIn):
    return _transition(
        request, record_id, lambda r: services.record_approve(actor=request.auth, record=r, comment=payload.comment), "review"
    )


@router.post("/records/{record_id}/return", response={200: RecordDetailOut, 422: ErrorOut}, summary="退回修改（须填写意见）")
def return_record(request, record_id: DbInt, payload: CommentIn):
    return _transition(
        request, record_id, lambda r: services.record_return(actor=request.auth, record=r, comment=payload.comment), "review"
    )


@router.post(
    "/records/{record_id}/reopen", response={200: RecordDetailOut, 422: ErrorOut}, summary="撤销通过（管理员，须填写理由）"
)
def reopen_record(request, record_id: DbInt, payload: CommentIn):
    return _transition(
        request, record_id, lambda r: services.record_reopen(actor=request.auth, record=r, comment=payload.comment)
    )


class BulkOut(Schema):
    approved: int
    skipped: list[str]


@router.post("/review/approve", response=BulkOut, summary="批量审核通过")
def approve_many(request, payload: BulkIn):
    records = list(Record.objects.visible_to(request.auth, "review").filter(pk__in=payload.ids).order_by("pk"))
    found = {r.pk for r in records}
    approved, skipped = services.records_approve(actor=request.auth, records=records)
    skipped += [f"记录 {pk}：找不到该对象，或您无权访问。" for pk in payload.ids if pk not in found]
    return {"approved": approved, "skipped": skipped}


class CorrectionOut(Schema):
    id: int
    record_id: int
    status: str
    reason: str
    base_version: int
    occurred_on: dt.date
    data: dict
    participants: list[dict]
    decision_comment: str


@router.post("/records/{record_id}/corrections", response={201: CorrectionOut, 422: ErrorOut}, summary="申请更正已通过的记录")
def propose_correction(request, record_id: DbInt, payload: CorrectionIn):
    record = get_visible_or_404(Record, request.auth, record_id)
    form = _validated(record.kind, _patched(record, payload.dict(exclude={"submit", "reason", "unit_id"})), request, record)
    form.fields.pop("unit", None)
    if not form.is_valid():
        return Status(422, _form_errors(form))
    result = _run(
        lambda: services.correction_propose(actor=request.auth, record=record, values=form.record_input(), reason=payload.reason)
    )
    return result if isinstance(result, Status) else Status(201, result)


@router.post("/corrections/{correction_id}/approve", response={200: RecordDetailOut, 422: ErrorOut}, summary="批准更正")
def approve_correction(request, correction_id: DbInt, payload: CommentIn):
    correction = get_object_or_404(RecordCorrection, pk=correction_id)
    get_visible_or_404(Record, request.auth, correction.record_id)
    result = _run(lambda: services.correction_approve(actor=request.auth, correction=correction, comment=payload.comment))
    return result if isinstance(result, Status) else _detail(result)


@router.post("/corrections/{correction_id}/reject", response={200: CorrectionOut, 422: ErrorOut}, summary="驳回更正")
def reject_correction(request, correction_id: DbInt, payload: CommentIn):
    correction = get_object_or_404(RecordCorrection, pk=correction_id)
    get_visible_or_404(Record, request.auth, correction.record_id)
    return _run(lambda: services.correction_reject(actor=request.auth, correction=correction, comment=payload.comment))
