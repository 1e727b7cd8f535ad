"""Ranking notice (通报) pages: the list (drafts waiting first — the scheduler's monthly drafts
land there), drafting, the preview, editing, regenerating, issuing (a background job), the
downloads and the issuing unit's letterhead."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuebi.campaign.models import Campaign
from xuebi.core.forms import add_validation_error
from xuebi.core.officialdoc import chinese_date
from xuebi.jobs import services as jobs
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.permissions import get_visible_or_404, require_role

from .. import documents, tasks
from ..forms.notices import LetterheadForm, NoticeForm, NoticeTextForm
from ..models import TEXT_ONLY_RANKINGS, Notice, NoticeStatus
from ..selectors import notices as selectors
from ..services import notices as services


@login_required
def notice_list(request):
    require_role(request, *ADMIN_ROLES)
    issuers = selectors.issuers(request.user)
    notices = (
        Notice.objects.visible_to(request.user).select_related("issuer", "campaign").order_by("status", "-updated_at", "-pk")
    )
    below = request.GET.get("below") == "1" or not issuers  # the subtree's units' notices, read only
    if not below:
        notices = notices.filter(issuer__in=issuers)
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    for notice in page:
        notice.title_text = selectors.fill(notice.title, notice, notice.data)
    return render(
        request,
        "reports/notice_list.html",
        {
            "page_obj": page,
            "issuers": issuers,
            "below": below,
            "query": "below=1" if below and issuers else "",
            "drafts": selectors.drafts_waiting(request.user),
        },
    )


def _campaign(request) -> Campaign:
    today = timezone.localdate()
    asked = request.POST.get("campaign") or request.GET.get("campaign")
    if asked:
        try:
            return get_object_or_404(Campaign, pk=int(asked))
        except ValueError:
            raise Http404("没有这个活动。") from None
    campaign = selectors.default_campaign(today)
    if campaign is None:
        raise Http404("尚未设置活动。")
    return campaign


def _form(request, campaign, issuers, **kwargs) -> NoticeForm:
    return NoticeForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        campaign=campaign,
        today=timezone.localdate(),
        issuers=issuers,
        **kwargs,
    )


def _form_page(request, form, campaign, title, notice=None):
    return render(
        request,
        "reports/notice_form.html",
        {
            "form": form,
            "campaign": campaign,
            "campaigns": selectors.campaign_choices(timezone.localdate()),
            "title": title,
            "notice": notice,
            "placeholders": selectors.PLACEHOLDERS,
        },
    )


@login_required
def notice_create(request):
    require_role(request, *ADMIN_ROLES)
    issuers = selectors.issuers(request.user)
    if not issuers:
        raise Http404("您不是发文单位（盟委组织部或旗县市区委组织部）的管理员。")
    campaign = _campaign(request)
    initial = selectors.default_texts(issuers[0], request.GET.get("ranking") or "units")
    form = _form(request, campaign, issuers, initial={**initial, "campaign": campaign.pk, "period": _last_month()})
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(
                actor=request.user, issuer=form.cleaned_data["issuer"], question=form.question(), texts=form.texts()
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "通报草稿已生成，请预览后印发。")
            return redirect("reports:notice_detail", notice.pk)
    return _form_page(request, form, campaign, "起草通报")


def _last_month() -> str:
    """The period a notice usually ranks: last month, as the boards' period choices name it."""
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return f"month:{first:%Y-%m-%d}"


@login_required
def notice_detail(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    notice = get_visible_or_404(Notice, request.user, pk)
    data = notice.data
    document = documents.notice_document(
        notice,
        data,
        number=notice.number_text,
        day=notice.issued_on or timezone.localdate(),
        draft=notice.status == NoticeStatus.DRAFT,
    )
    twin = selectors.issued_twin(notice) if notice.status == NoticeStatus.DRAFT else None
    return render(
        request,
        "reports/notice_detail.html",
        {
            "notice": notice,
            "data": data,
            "document": document,
            "date_cn": chinese_date(document.date),
            "can_change": Notice.objects.visible_to(request.user, "change").filter(pk=notice.pk).exists(),
            "twin": twin,
            "twin_changes": selectors.changes(twin.data, data) if twin else [],
        },
    )


def _changeable(request, pk: int) -> Notice:
    require_role(request, *ADMIN_ROLES)
    return get_visible_or_404(Notice, request.user, pk, "change")


@login_required
def notice_edit(request, pk: int):
    notice = _changeable(request, pk)
    if notice.status != NoticeStatus.DRAFT:
        messages.error(request, services.NOT_A_DRAFT)
        return redirect("reports:notice_detail", notice.pk)
    initial = {name: getattr(notice, name) for name in services.TEXT_FIELDS}
    if notice.ranking in TEXT_ONLY_RANKINGS:
        text_form = NoticeTextForm(request.POST or None, initial=initial)
        if request.method == "POST" and text_form.is_valid():
            try:
                services.notice_update(actor=request.user, notice=notice, texts=text_form.texts())
            except ValidationError as exc:
                add_validation_error(text_form, exc)
            else:
                messages.success(request, "通报草稿已保存。")
                return redirect("reports:notice_detail", notice.pk)
        return _form_page(request, text_form, notice.campaign, "修改通报草稿", notice)
    initial.update(
        issuer=notice.issuer_id,
        period=notice.period,
        start=notice.start if notice.period == "custom" else None,
        end=notice.end if notice.period == "custom" else None,
        category=f"indicator:{notice.indicator_id}" if notice.indicator_id else notice.dimension,
        ranking=notice.ranking,
        scope=notice.unit_id,
    )
    form = _form(request, notice.campaign, [notice.issuer], initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(actor=request.user, notice=notice, texts=form.texts(), question=form.question())
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "通报草稿已保存，数据已按当前积分重新生成。")
            return redirect("reports:notice_detail", notice.pk)
    return _form_page(request, form, notice.campaign, "修改通报草稿", notice)


@login_required
@require_POST
def notice_regenerate(request, pk: int):
    notice = _changeable(request, pk)
    try:
        moved = services.notice_regenerate(actor=request.user, notice=notice)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if moved:
            messages.info(request, "已按当前积分重新生成，变化：" + "；".join(moved[:20]) + ("……" if len(moved) > 20 else ""))
        else:
            messages.info(request, "已按当前积分重新生成，排名没有变化。")
    return redirect("reports:notice_detail", notice.pk)


@login_required
@require_POST
def notice_delete(request, pk: int):
    notice = _changeable(request, pk)
    try:
        services.notice_delete(actor=request.user, notice=notice)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:notice_detail", notice.pk)
    messages.success(request, "通报草稿已删除。")
    return redirect("reports:notice_list")


@login_required
@require_POST
def notice_issue(request, pk: int):
    notice = _changeable(request, pk)
    if notice.status != NoticeStatus.DRAFT:
        messages.error(request, services.NOT_A_DRAFT)
        return redirect("reports:notice_detail", notice.pk)
    job = jobs.start(tasks.ISSUE, owner=request.user, params={"notice": notice.pk}, total=4)
    return redirect("jobs:job", job.pk)


@login_required
def notice_file(request, pk: int, kind: str):
    require_role(request, *ADMIN_ROLES)
    notice = get_visible_or_404(Notice, request.user, pk)
    try:
        return documents.response(notice, kind)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:notice_detail", notice.pk)


@login_required
def letterhead_edit(request, pk: int):
    """发文机关标志 and 字号 of an issuing unit (``pk``): its own admins only."""
    require_role(request, *ADMIN_ROLES)
    issuer = next((u for u in selectors.issuers(request.user) if u.pk == pk), None)
    if issuer is None:
        raise Http404("找不到该发文单位，或您无权设置。")
    head = selectors.letterhead(issuer)
    form = LetterheadForm(request.POST or None, initial={"authority": head.authority, "prefix": head.prefix})
    if request.method == "POST" and form.is_valid():
        try:
            services.letterhead_save(actor=request.user, issuer=issuer, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"{issuer.name}的发文机关设置已保存。")
            return redirect("reports:notice_list")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": f"发文机关设置：{issuer.name}", "back": reverse("reports:notice_list")},
    )


@login_required
@require_POST
def notice_from_contest(request, contest_pk):
    """A draft notice of a contest's published results (the button on the contest's page)."""
    require_role(request, *ADMIN_ROLES)
    from xuebi.contests.models import Contest

    contest = get_visible_or_404(Contest, request.user, contest_pk, "change")
    try:
        notice = services.contest_notice(actor=request.user, contest=contest)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("contests:contest_detail", contest.pk)
    messages.success(request, "已起草评比结果通报，请预览、修改后印发。")
    return redirect("reports:notice_detail", notice.pk)


@login_required
@require_POST
def notice_from_orginfo(request):
    """A draft notice of the county departments' 组工信息 ranking (the button on the ranking page)."""
    require_role(request, Role.LEAGUE_ADMIN)
    from xuebi.orginfo import ranking as orginfo_ranking

    try:
        period = orginfo_ranking.parse_period(request.POST.get("period"), today=timezone.localdate())
        notice = services.orginfo_notice(actor=request.user, period=period)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("orginfo:ranking")
    messages.success(request, "已起草组工信息采用情况通报，请预览、修改后印发。")
    return redirect("reports:notice_detail", notice.pk)
