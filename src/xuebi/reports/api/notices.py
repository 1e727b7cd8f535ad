"""/api/v1/reports/notices: ranking notices (通报) — the same form, services and scoping as the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from xuebi.campaign.models import Campaign
from xuebi.core.api import DbInt, ErrorOut, LimitOffsetPagination, paginate
from xuebi.core.forms import error_detail, validation_detail
from xuebi.jobs import services as jobs
from xuebi.jobs.api import JobStarted, started
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.scoping import has_role

from .. import documents, tasks
from ..forms.notices import NoticeForm
from ..models import Notice, NoticeStatus
from ..selectors import notices as selectors
from ..services import notices as services

router = Router(tags=["通报与总结"])

RENAME = {"issuer": "issuer_id", "scope": "unit_id"}


class NoticePatch(Schema):
    title: str | None = None
    recipients: str | None = None
    opening: str | None = None
    praise: str | None = None
    remind: str | None = None
    closing: str | None = None


class NoticeIn(NoticePatch):
    campaign_id: DbInt
    issuer_id: DbInt | None = None
    period: str = ""  # campaign, month:2026-11-01, quarter:2026-10-01, custom (with start and end)
    start: str = ""
    end: str = ""
    category: str = "total"
    ranking: str = "units"
    unit_id: DbInt | None = None


class NoticeOut(Schema):
    id: int
    status: str
    issuer_id: int
    issuer: str
    campaign_id: int
    period: str
    start: dt.date
    end: dt.date
    ranking: str
    dimension: str
    indicator_id: int | None
    unit_id: int | None
    title: str
    title_text: str
    number_text: str
    issued_on: dt.date | None
    scheduled: bool
    generated_at: dt.datetime | None
    files: dict[str, str]
    digests: dict

    @staticmethod
    def resolve_issuer(obj) -> str:
        return obj.issuer.name if isinstance(obj, Notice) else obj["issuer"]

    @staticmethod
    def resolve_title_text(obj) -> str:
        return selectors.fill(obj.title, obj, obj.data) if isinstance(obj, Notice) else obj["title_text"]

    @staticmethod
    def resolve_files(obj) -> dict[str, str]:
        if not isinstance(obj, Notice):
            return obj["files"]
        return {kind: f"/api/v1/reports/notices/{obj.pk}/files/{kind}" for kind in ("docx", "pdf", "xlsx")}


class NoticeDetail(NoticeOut):
    recipients: str
    opening: str
    praise: str
    remind: str
    closing: str
    data: dict
    changes_since_issued: list[str]


def _require(user) -> None:
    if not has_role(user, *ADMIN_ROLES):
        raise PermissionDenied("您的角色无权访问此接口。")


def _detail(notice: Notice) -> Notice:
    twin = selectors.issued_twin(notice) if notice.status == NoticeStatus.DRAFT else None
    notice.changes_since_issued = selectors.changes(twin.data, notice.data) if twin else []
    return notice


def _422(detail) -> Status:
    return Status(422, {"detail": detail})


@router.get("/notices", response=list[NoticeOut], summary="通报列表（草稿在前；管理员本单位及下级）")
@paginate(LimitOffsetPagination)
def notice_list(request):
    _require(request.auth)
    notices = Notice.objects.visible_to(request.auth).select_related("issuer", "campaign")
    return notices.order_by("status", "-updated_at", "-pk")


@router.post(
    "/notices",
    response={201: NoticeDetail, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="起草通报（按当前积分生成排名数据）",
)
def notice_create(request, payload: NoticeIn):
    _require(request.auth)
    campaign = get_object_or_404(Campaign, pk=payload.campaign_id)
    issuers = selectors.issuers(request.auth)
    if not issuers:
        raise PermissionDenied("您不是发文单位（盟委组织部或旗县市区委组织部）的管理员。")
    issuer_id = payload.issuer_id or issuers[0].pk
    issuer = next((u for u in issuers if u.pk == issuer_id), issuers[0])  # the form refuses one not among them
    texts = {k: v for k, v in payload.dict().items() if k in services.TEXT_FIELDS and v is not None}
    defaults = selectors.default_texts(issuer, payload.ranking)
    data = {
        "issuer": issuer_id,
        "period": payload.period or "campaign",
        "start": payload.start,
        "end": payload.end,
        "category": payload.category,
        "ranking": payload.ranking,
        "scope": payload.unit_id or "",
        **defaults,
        **texts,
    }
    form = NoticeForm(data, user=request.auth, campaign=campaign, today=timezone.localdate(), issuers=issuers)
    if not form.is_valid():
        return _422(error_detail(form, rename=RENAME))
    try:
        notice = services.notice_create(
            actor=request.auth, issuer=form.cleaned_data["issuer"], question=form.question(), texts=form.texts()
        )
    except ValidationError as exc:
        return _422(validation_detail(exc))
    return Status(201, _detail(notice))


@router.post(
    "/notices/from-contest/{contest_id}",
    response={201: NoticeDetail, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="起草评比结果通报（评比结果公布后，主办单位管理员）",
)
def notice_from_contest(request, contest_id: DbInt):
    _require(request.auth)
    from xuebi.contests.models import Contest

    contest = get_visible_or_404(Contest, request.auth, contest_id, "change")
    return Status(201, _detail(services.contest_notice(actor=request.auth, contest=contest)))


@router.post(
    "/notices/from-orginfo",
    response={201: NoticeDetail, 403: ErrorOut, 422: ErrorOut},
    summary="起草组工信息采用情况通报（盟级管理员；period 如 2026-11 或 2026-Q4）",
)
def notice_from_orginfo(request, period: str = ""):
    _require(request.auth)
    from django.utils import timezone

    from xuebi.orginfo import ranking as orginfo_ranking

    asked = orginfo_ranking.parse_period(period, today=timezone.localdate())
    return Status(201, _detail(services.orginfo_notice(actor=request.auth, period=asked)))


@router.get("/notices/{pk}", response=NoticeDetail, summary="通报详情：正文、排名数据，草稿与已印发同题通报相比的变化")
def notice_detail(request, pk: DbInt):
    _require(request.auth)
    return _detail(get_visible_or_404(Notice, request.auth, pk))


@router.patch(
    "/notices/{pk}",
    response={200: NoticeDetail, 422: ErrorOut},
    summary="修改通报草稿的文字（标题、主送、开头、表扬、提醒、结尾）",
)
def notice_update(request, pk: DbInt, payload: NoticePatch):
    _require(request.auth)
    notice = get_visible_or_404(Notice, request.auth, pk, "change")
    texts = {k: v for k, v in payload.dict().items() if v is not None}
    try:
        notice = services.notice_update(actor=request.auth, notice=notice, texts=texts)
    except ValidationError as exc:
        return _422(validation_detail(exc))
    return _detail(notice)


@router.post("/notices/{pk}/regenerate", response={200: NoticeDetail, 422: ErrorOut}, summary="按当前积分重新生成草稿的排名数据")
def notice_regenerate(request, pk: DbInt):
    _require(request.auth)
    notice = get_visible_or_404(Notice, request.auth, pk, "change")
    try:
        services.notice_regenerate(actor=request.auth, notice=notice)
    except ValidationError as exc:
        return _422(validation_detail(exc))
    return _detail(Notice.objects.select_related("issuer", "campaign").get(pk=pk))


@router.delete("/notices/{pk}", response={204: None, 422: ErrorOut}, summary="删除通报草稿")
def notice_delete(request, pk: DbInt):
    _require(request.auth)
    notice = get_visible_or_404(Notice, request.auth, pk, "change")
    try:
        services.notice_delete(actor=request.auth, notice=notice)
    except ValidationError as exc:
        return _422(validation_detail(exc))
    return Status(204, None)


@router.post(
    "/notices/{pk}/issue",
    response={202: JobStarted, 422: ErrorOut},
    summary="印发通报：编发文字号，生成公文 .docx、PDF 和 .xlsx 并留存（后台任务：202，附任务状态地址）",
)
def notice_issue(request, pk: DbInt):
    _require(request.auth)
    notice = get_visible_or_404(Notice, request.auth, pk, "change")
    if notice.status != NoticeStatus.DRAFT:
        return _422([{"loc": ["body"], "msg": services.NOT_A_DRAFT}])
    return started(jobs.start(tasks.ISSUE, owner=request.auth, params={"notice": notice.pk}, total=4))


@router.get(
    "/notices/{pk}/files/{kind}",
    response={200: None, 404: ErrorOut, 422: ErrorOut},
    summary="下载通报：docx、pdf 或 xlsx（已印发的按原样）",
)
def notice_file(request, pk: DbInt, kind: str):
    _require(request.auth)
    try:
        return documents.response(get_visible_or_404(Notice, request.auth, pk), kind)
    except ValidationError as exc:
        return _422(validation_detail(exc))
