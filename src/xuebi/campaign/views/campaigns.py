"""Campaign (活动) pages. Campaigns are league-wide: every business role reads them, a league
admin sets them up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from xuebi.core.forms import add_validation_error
from xuebi.org.permissions import require_role
from xuebi.org.choices import BUSINESS_ROLES, Role
from xuebi.org.scoping import has_role

from ..services import campaigns as services
from ..forms.campaigns import CampaignForm
from ..models import Campaign


@login_required
def campaign_list(request):
    require_role(request, *BUSINESS_ROLES)
    return render(
        request,
        "campaign/list.html",
        {
            "campaigns": Campaign.objects.all(),
            "today": timezone.localdate(),
            "can_change": has_role(request.user, Role.LEAGUE_ADMIN),
        },
    )


def _form_page(request, form, title):
    return render(request, "core/form_page.html", {"form": form, "title": title, "back": reverse("campaign:list")})


@login_required
def campaign_create(request):
    require_role(request, Role.LEAGUE_ADMIN)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.values())
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"已新建活动“{campaign.name}”。")
            return redirect("campaign:list")
    return _form_page(request, form, "新建活动")


@login_required
def campaign_edit(request, pk: int):
    require_role(request, Role.LEAGUE_ADMIN)
    campaign = get_object_or_404(Campaign, pk=pk)
    title = f"编辑活动：{campaign.name}"
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(actor=request.user, campaign=campaign, **form.values())
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "活动已保存。")
            return redirect("campaign:list")
    return _form_page(request, form, title)
