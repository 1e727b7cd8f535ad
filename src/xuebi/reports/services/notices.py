"""Every write to ranking notices (通报): drafting, editing, regenerating the data, deleting a
draft, issuing (number, the three files as issued), the monthly drafts of the scheduler, and the
issuing unit's letterhead. Each checks the writer's reach inside the transaction and is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot
from xuebi.campaign.models import Campaign
from xuebi.core import officialdoc
from xuebi.org.models import Unit
from xuebi.org.permissions import require_in_scope
from xuebi.points import boards

from .. import documents
from ..models import ISSUING_KINDS, Letterhead, Notice, NoticeNumber, NoticeStatus, Ranking, issuing_unit_ids
from ..selectors import notices as selectors

__all__ = [
    "notice_create",
    "notice_update",
    "notice_regenerate",
    "notice_delete",
    "notice_issue",
    "scheduled_drafts",
    "orginfo_notice",
    "letterhead_save",
    "TEXT_FIELDS",
    "NOT_A_DRAFT",
]

TEXT_FIELDS = ["title", "recipients", "opening", "praise", "remind", "closing"]
QUESTION_FIELDS = ["campaign", "period", "start", "end", "ranking", "dimension", "indicator", "unit"]
AUDITED = ["issuer", *QUESTION_FIELDS, *TEXT_FIELDS]
NOT_A_DRAFT = "通报已印发，不能再修改；如需更正，请另行起草。"
SYSTEM = "系统（定时任务）"

Progress = Callable[[int, int], None]


def _require_issuer(actor, issuer: Unit) -> None:
    """Only the issuing unit's own admins write its notices (``issuing_unit_ids``); ``actor=None``
    is the scheduler."""
    if actor is not None and issuer.pk not in issuing_unit_ids(actor):
        if issuer.depth == 1:
            raise PermissionDenied("只有盟级管理员可以起草和印发全盟的通报。")
        raise PermissionDenied("只能以本单位（本旗县市区委组织部）的名义起草和印发通报。")


def _check_text(values: dict) -> None:
    errors = {}
    for name in TEXT_FIELDS:
        unknown = selectors.unknown_placeholders(values.get(name) or "")
        if unknown:
            known = "、".join(f"{{{p}}}" for p in selectors.PLACEHOLDERS)
            errors[name] = f"不认识的占位符：{'、'.join(f'{{{u}}}' for u in unknown)}。可用的有：{known}。"
    if not (values.get("title") or "").strip():
        errors["title"] = "请填写标题。"
    for name, most in (("title", 200), ("recipients", 200)):
        if len(values.get(name) or "") > most:
            errors[name] = f"不能超过{most}个字。"
    if errors:
        raise ValidationError(errors)


def _apply_question(notice: Notice, question: selectors.Question) -> None:
    notice.campaign = question.campaign
    notice.period = question.period
    notice.start, notice.end = question.span.start, question.span.end
    notice.ranking = question.ranking
    notice.dimension = question.dimension
    notice.indicator = question.indicator
    notice.unit = question.unit
    notice.contest = question.contest


def _generate(notice: Notice, today: dt.date | None = None) -> None:
    notice.data = selectors.ranking(selectors.Question.of(notice), notice.issuer, today=today)
    notice.generated_at = timezone.now()


@transaction.atomic
def notice_create(
    *, actor, issuer: Unit, question: selectors.Question, texts: dict | None = None, scheduled: bool = False
) -> Notice:
    """A draft for ``issuer`` asking ``question``, its data generated now; ``texts`` default to
    the usual wording (``selectors.default_texts``)."""
    _require_issuer(actor, issuer)
    if question.ranking not in Ranking.values:
        raise ValidationError({"ranking": "排名对象应为单位总分、单位人均或个人。"})
    values = {**selectors.default_texts(issuer, question.ranking), **(texts or {})}
    _check_text(values)
    notice = Notice(issuer=issuer, created_by=actor, scheduled=scheduled, **{k: values[k].strip() for k in TEXT_FIELDS})
    _apply_question(notice, question)
    _generate(notice)
    notice.save()
    audit_record(
        action=Action.NOTICE_CREATE,
        actor=actor,
        actor_name="" if actor else SYSTEM,
        target=notice,
        changes=diff({}, snapshot(notice, AUDITED)),
    )
    return notice


def contest_notice(*, actor, contest) -> Notice:
    """A draft notice of a published contest's results, issued by the contest's organiser (a
    department the actor issues for), its table the awarded entries; edited and issued as any
    notice."""
    contest = type(contest).objects.get(pk=contest.pk)  # as it is now (published since it was read?)
    issuer = next((u for u in selectors.issuers(actor) if u.pk == contest.organizer_id), None)
    if issuer is None:
        raise PermissionDenied("只有主办单位（发文单位）的管理员可以起草评比结果通报。")
    campaign = contest.campaign or selectors.default_campaign(timezone.localdate())
    if campaign is None:
        raise ValidationError("尚未设置活动，不能起草通报。")
    question = selectors.Question(campaign, boards.span_for(campaign, "campaign"), "campaign", Ranking.CONTEST, contest=contest)
    return notice_create(actor=actor, issuer=issuer, question=question)


def orginfo_notice(*, actor, period) -> Notice:
    """A draft notice of the county departments' 组工信息 ranking in ``period`` (an
    ``orginfo.ranking.Period``), issued by the league department; edited and issued as any notice."""
    issuer = next((u for u in selectors.issuers(actor) if u.depth == 1), None)
    if issuer is None:
        raise PermissionDenied("只有盟级管理员可以起草组工信息采用情况通报。")
    campaign = Campaign.objects.filter(start_date__lte=period.end, end_date__gte=period.start).order_by(
        "-start_date"
    ).first() or selectors.default_campaign(timezone.localdate())
    if campaign is None:
        raise ValidationError("尚未设置活动，不能起草通报。")
    span = boards.Span(period.kind, period.start, period.end, period.label)
    question = selectors.Question(campaign, span, f"{period.kind}:{period.start:%Y-%m-%d}", Ranking.ORGINFO)
    return notice_create(actor=actor, issuer=issuer, question=question)


def _draft_for_change(actor, notice: Notice) -> Notice:
    locked = Notice.objects.select_for_update().select_related("issuer", "campaign").get(pk=notice.pk)
    if actor is not None:
        require_in_scope(actor, locked, "change")
    if locked.status != NoticeStatus.DRAFT:
        raise ValidationError(NOT_A_DRAFT)
    return locked


@transaction.atomic
def notice_update(*, actor, notice: Notice, texts: dict, question: selectors.Question | None = None) -> Notice:
    """Save the edited text (and, when asked, another question — its data generated again)."""
    notice = _draft_for_change(actor, notice)
    before = snapshot(notice, AUDITED)
    values = {name: getattr(notice, name) for name in TEXT_FIELDS} | {k: v for k, v in texts.items() if k in TEXT_FIELDS}
    _check_text(values)
    for name in TEXT_FIELDS:
        setattr(notice, name, (values[name] or "").strip())
    if question is not None:
        _apply_question(notice, question)
        _generate(notice)
    notice.save()
    changes = diff(before, snapshot(notice, AUDITED))
    if changes:
        audit_record(action=Action.NOTICE_UPDATE, actor=actor, target=notice, changes=changes)
    return notice


@transaction.atomic
def notice_regenerate(*, actor, notice: Notice) -> list[str]:
    """The draft's data from the boards as they are now; answers what changed, in words."""
    notice = _draft_for_change(actor, notice)
    before = notice.data
    _generate(notice)
    notice.save(update_fields=["data", "generated_at", "updated_at"])
    moved = selectors.changes(before, notice.data)
    audit_record(
        action=Action.NOTICE_REGENERATE, actor=actor, target=notice, changes={"changes": [None, "；".join(moved) or "无变化"]}
    )
    return moved


@transaction.atomic
def notice_delete(*, actor, notice: Notice) -> None:
    notice = _draft_for_change(actor, notice)
    audit_record(action=Action.NOTICE_DELETE, actor=actor, target=notice, changes=diff(snapshot(notice, AUDITED), {}))
    notice.delete()


def _next_number(issuer: Unit, year: int) -> int:
    """The issuer's next number in ``year``, under the counter's row lock: the transaction that
    takes it either issues the notice or gives the number back by rolling back."""
    NoticeNumber.objects.get_or_create(issuer=issuer, year=year)
    counter = NoticeNumber.objects.select_for_update().get(issuer=issuer, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@transaction.atomic
def notice_issue(*, actor, notice: Notice, progress: Progress | None = None) -> Notice:
    """印发: the next number of the issuer's year, today's date in Chinese numerals, the .docx,
    its PDF and the .xlsx made from the data the admin saw, kept as issued (with their SHA-256)
    and never made again. All or nothing: a failure leaves the draft, and the number unused."""
    step = progress or (lambda done, total: None)
    notice = _draft_for_change(actor, notice)
    _require_issuer(actor, notice.issuer)
    if not notice.data:
        _generate(notice)
    day = timezone.localdate()
    head = selectors.letterhead(notice.issuer)
    number = _next_number(notice.issuer, day.year)
    notice.year, notice.number, notice.issued_on = day.year, number, day
    notice.number_text = f"{head.prefix}〔{day.year}〕{number}号"
    step(1, 4)
    docx = documents.notice_docx(notice, notice.data, number=notice.number_text, day=day, draft=False)
    step(2, 4)
    try:
        pdf = officialdoc.docx_to_pdf(docx)
    except ValueError as exc:  # no LibreOffice, or it failed: nothing is issued, the number stays free
        raise ValidationError(str(exc)) from None
    step(3, 4)
    xlsx = documents.notice_xlsx(notice, notice.data, number=notice.number_text, day=day)
    stem = f"{notice.issuer_id}/{day.year}/{number}"
    for field, content, ext in (("docx", docx, "docx"), ("pdf", pdf, "pdf"), ("xlsx", xlsx, "xlsx")):
        getattr(notice, field).save(f"{stem}.{ext}", ContentFile(content), save=False)
    notice.digests = {"docx": _digest(docx), "pdf": _digest(pdf), "xlsx": _digest(xlsx)}
    notice.status = NoticeStatus.ISSUED
    notice.issued_at, notice.issued_by = timezone.now(), actor
    notice.save()
    step(4, 4)
    audit_record(
        action=Action.NOTICE_ISSUE,
        actor=actor,
        target=notice,
        changes={
            "number_text": [None, notice.number_text],
            "status": [str(NoticeStatus.DRAFT.label), str(NoticeStatus.ISSUED.label)],
        },
    )
    return notice


def _previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def scheduled_drafts(today: dt.date | None = None) -> list[Notice]:
    """On the first of a month: a draft ranking last month for every issuing unit (the league
    department ranks the 旗县市区, each county department its own units), for each campaign
    that ran in it — unless it has one already. Nothing is issued: each waits in its unit's
    list of drafts (and on its admins' home page)."""
    today = today or timezone.localdate()
    month = _previous_month(today)
    made = []
    campaigns = Campaign.objects.filter(start_date__lte=month + dt.timedelta(days=27), end_date__gte=month)
    issuers = Unit.objects.filter(kind__in=ISSUING_KINDS, is_active=True).order_by("path")
    for campaign in campaigns:
        on = max(month, campaign.start_date)
        span = boards.span_for(campaign, "month", on=on, today=today)
        question = selectors.Question(campaign, span, f"month:{month:%Y-%m-%d}", Ranking.UNITS)
        for issuer in issuers:
            exists = Notice.objects.filter(issuer=issuer, campaign=campaign, start=span.start, end=span.end, scheduled=True)
            if not exists.exists():
                made.append(notice_create(actor=None, issuer=issuer, question=question, scheduled=True))
    return made


@transaction.atomic
def letterhead_save(*, actor, issuer: Unit, authority: str, prefix: str) -> Letterhead:
    _require_issuer(actor, issuer)
    authority, prefix = authority.strip(), prefix.strip()
    errors = {}
    if not authority:
        errors["authority"] = "请填写发文机关标志，如“中共锡林郭勒盟委组织部”。"
    if not prefix or len(prefix) > 10:
        errors["prefix"] = "请填写发文字号的机关代字（不超过10个字），如“锡组通”。"
    if errors:
        raise ValidationError(errors)
    head = Letterhead.objects.select_for_update().filter(unit=issuer).first() or Letterhead(unit=issuer)
    before = snapshot(head, ["authority", "prefix"]) if head.pk else {}
    head.authority, head.prefix = authority, prefix
    head.save()
    audit_record(
        action=Action.LETTERHEAD_SAVE, actor=actor, target=head, changes=diff(before, snapshot(head, ["authority", "prefix"]))
    )
    return head
