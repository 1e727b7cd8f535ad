"""The dashboard (数据看板) and the 大屏 for meetings: pages that carry only where their data is;
``static/reports/dashboard.js`` fetches it from ``/api/v1/reports/dashboard/…`` and draws it with
the vendored ECharts (no inline script: the CSP forbids it). The 大屏 polls again every minute."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from xuebi.campaign.models import Campaign
from xuebi.org.permissions import require_role

from ..api.dashboard import ROLES
from ..selectors import dashboard as selectors

REFRESH_SECONDS, MIN_REFRESH_SECONDS = 60, 10


def _context(request) -> dict:
    require_role(request, *ROLES)
    today = timezone.localdate()
    asked = request.GET.get("campaign")
    campaign = selectors.campaign_or_404(int(asked) if asked and asked.isdigit() else None, today)
    scope = selectors.scope_of(request.user)
    return {
        "campaign": campaign,
        "campaigns": Campaign.objects.filter(start_date__lte=today).order_by("-start_date"),
        "scope": scope,
        "year": today.year,
    }


@login_required
def dashboard(request):
    return render(request, "reports/dashboard.html", _context(request))


@login_required
def screen(request):
    context = _context(request)
    try:
        refresh = max(MIN_REFRESH_SECONDS, int(request.GET.get("refresh", REFRESH_SECONDS)))
    except ValueError:
        refresh = REFRESH_SECONDS
    context["refresh"] = refresh
    return render(request, "reports/screen.html", context)
