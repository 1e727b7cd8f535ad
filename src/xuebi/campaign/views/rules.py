"""A campaign's score sheet (评分细则): 类别 → 考核指标 with their maximum → 积分规则.

Every business role reads it — published rules, the same for everyone, are what makes the 比 fair —
and a league admin sets it up. The lead appends ``urlpatterns`` below to ``campaign/urls.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from xuebi.core.forms import db_id, run_service
from xuebi.org.permissions import require_role
from xuebi.org.choices import BUSINESS_ROLES, Role
from xuebi.org.scoping import has_role

from ..services import rules as services
from .. import sources
from ..choices import Dimension
from ..forms.rules import IndicatorForm, RuleForm, active_kinds
from ..models import Campaign, Indicator, Rule
from xuebi.core.formatting import points_text

from ..selectors.rules import score_sheet
from ..services.rules import kind_field_options


@login_required
def campaign_detail(request, pk: int):
    require_role(request, *BUSINESS_ROLES)
    campaign = get_object_or_404(Campaign, pk=pk)
    is_admin = has_role(request.user, Role.LEAGUE_ADMIN)
    include_inactive = is_admin and request.GET.get("all") == "1"
    groups = score_sheet(campaign, include_inactive=include_inactive)
    maxima = [line["indicator"].max_points for g in groups for line in g["indicators"]]
    return render(
        request,
        "campaign/detail.html",
        {
            "campaign": campaign,
            "groups": groups,
            "is_admin": is_admin,
            "include_inactive": include_inactive,
            "can_change": is_admin and not campaign.is_closed,
            "max_total": points_text(sum(maxima, Decimal(0))) if maxima and None not in maxima else "",
        },
    )


def _form_page(request, form, title, campaign, **extra):
    return render(
        request,
        "campaign/rule_form.html",
        {
            "form": form,
            "title": title,
            "campaign": campaign,
            "back": reverse("campaign:detail", args=[campaign.pk]),
            **extra,
        },
    )


@login_required
def indicator_create(request, pk: int):
    require_role(request, Role.LEAGUE_ADMIN)
    campaign = get_object_or_404(Campaign, pk=pk)
    initial = {"dimension": request.GET.get("dimension")} if request.GET.get("dimension") in Dimension.values else {}
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        indicator = run_service(form, lambda: services.indicator_save(actor=request.user, campaign=campaign, **form.values()))
        if indicator is not None:
            messages.success(request, f"已添加考核指标“{indicator.name}”。")
            return redirect("campaign:detail", campaign.pk)
    return _form_page(request, form, f"添加考核指标：{campaign.name}", campaign)


@login_required
def indicator_edit(request, pk: int):
    require_role(request, Role.LEAGUE_ADMIN)
    indicator = get_object_or_404(Indicator.objects.select_related("campaign"), pk=pk)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.indicator_save(actor=request.user, indicator=indicator, **form.values()))
        if saved is not None:
            messages.success(request, "考核指标已保存。")
            return redirect("campaign:detail", indicator.campaign_id)
    return _form_page(request, form, f"编辑考核指标：{indicator.name}", indicator.campaign)


def _rule_form(request, campaign, **kwargs) -> RuleForm:
    form = RuleForm(request.POST or None, campaign=campaign, kinds=active_kinds(), **kwargs)
    # Choosing a kind refreshes the fields a rule may count on (htmx; without it the page still works).
    form.fields["source_kind"].widget.attrs.update(
        {
            "hx-get": reverse("campaign:rule_field_options"),
            "hx-trigger": "change",
            "hx-target": "#id_field_key",
            "hx-swap": "innerHTML",
        }
    )
    return form


@login_required
def rule_create(request, pk: int):
    require_role(request, Role.LEAGUE_ADMIN)
    campaign = get_object_or_404(Campaign, pk=pk)
    initial = {}
    if db_id(request.GET.get("indicator")) is not None:
        initial["indicator"] = campaign.indicators.filter(pk=request.GET["indicator"]).first()
    form = _rule_form(request, campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        rule = run_service(form, lambda: services.rule_create(actor=request.user, campaign=campaign, **form.values()))
        if rule is not None:
            messages.success(request, f"已添加积分规则“{rule.name}”。")
            return redirect("campaign:detail", campaign.pk)
    return _form_page(request, form, f"添加积分规则：{campaign.name}", campaign)


@login_required
def rule_edit(request, pk: int):
    require_role(request, Role.LEAGUE_ADMIN)
    rule = get_object_or_404(Rule.objects.select_related("campaign"), pk=pk)
    if not rule.is_active:
        messages.error(request, "该规则已停用或已被新规则取代，不能再修改。")
        return redirect("campaign:detail", rule.campaign_id)
    form = _rule_form(request, rule.campaign, instance=rule)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.rule_change(actor=request.user, rule=rule, **form.values()))
        if saved is not None:
            if saved.pk != rule.pk:
                messages.success(request, f"规则“{saved.name}”已按新的计分办法另立一版；原规则已停用，已得的积分不变。")
            else:
                messages.success(request, "积分规则已保存。")
            return redirect("campaign:detail", rule.campaign_id)
    return _form_page(
        request,
        form,
        f"修改积分规则：{rule.name}",
        rule.campaign,
        note="修改分值、计分方式、得分人或上限会另立一版新规则，原规则停用；已得的积分保持不变。只改名称则直接保存。",
    )


@login_required
def rule_deactivate(request, pk: int):
    require_role(request, Role.LEAGUE_ADMIN)
    rule = get_object_or_404(Rule.objects.select_related("campaign"), pk=pk)
    if not rule.is_active:
        messages.error(request, "该规则已经停用。")
        return redirect("campaign:detail", rule.campaign_id)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.rule_deactivate(actor=request.user, rule=rule))
        if saved is not None:
            messages.success(request, f"已停用积分规则“{rule.name}”；此后审核通过的记录不再按它计分，已得的积分不变。")
            return redirect("campaign:detail", rule.campaign_id)
    return _form_page(
        request,
        form,
        f"停用积分规则：{rule.name}",
        rule.campaign,
        danger=True,
        submit_label="确认停用",
        note="停用后，审核通过的记录不再按此规则计分；已得的积分保持不变。",
    )


@login_required
def rule_field_options(request):
    """The <option>s of 计分字段 for the chosen 台账类型 (an htmx fragment)."""
    require_role(request, Role.LEAGUE_ADMIN)
    kind = sources.kind(request.GET.get("source_kind", ""))
    return render(request, "campaign/_field_options.html", {"options": kind_field_options(kind)})
