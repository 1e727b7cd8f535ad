"""/api/v1/reports/dashboard/…: the dashboard's and the 大屏's data, one small read each
(``selectors.dashboard``), for admins and reviewers in their scope."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Router

from xuebi.core.api import DbInt
from xuebi.org.choices import Role
from xuebi.org.scoping import has_role

from ..selectors import dashboard as selectors

router = Router(tags=["通报与总结"])

ROLES = (Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER)


def _scope(request) -> selectors.Scope:
    if not has_role(request.auth, *ROLES):
        raise PermissionDenied("您的角色无权访问此接口。")
    return selectors.scope_of(request.auth)


def _campaign(campaign_id):
    return selectors.campaign_or_404(campaign_id, timezone.localdate())


@router.get("/dashboard/units", summary="看板：单位积分排名（盟级：13个旗县市区；旗县：本旗县的下级单位）")
def units(request, campaign_id: DbInt | None = None, per_head: bool = False):
    return selectors.units_ranked(_scope(request), _campaign(campaign_id), per_head=per_head)


@router.get("/dashboard/months", summary="看板：各月积分")
def months(request, campaign_id: DbInt | None = None):
    return selectors.points_by_month(_scope(request), _campaign(campaign_id))


@router.get("/dashboard/dimensions", summary="看板：一个单位（含下级）或一名人员的四个类别积分")
def dimensions(request, campaign_id: DbInt | None = None, unit_id: DbInt | None = None, person_id: DbInt | None = None):
    return selectors.dimensions(_scope(request), _campaign(campaign_id), unit_id=unit_id, person_id=person_id)


@router.get("/dashboard/kinds", summary="看板：已通过的台账记录按类型计数")
def kinds(request, campaign_id: DbInt | None = None):
    return selectors.records_by_kind(_scope(request), _campaign(campaign_id))


@router.get("/dashboard/compliance", summary="看板：三会一课完成情况（本年）")
def compliance(request, year: Annotated[int, Field(ge=2000, le=2100)] | None = None):
    return selectors.compliance(_scope(request), year or timezone.localdate().year)


@router.get("/dashboard/study", summary="看板：最近下发的学习清单完成率")
def study(request):
    return selectors.study(_scope(request))


@router.get("/dashboard/counties", summary="看板：13个旗县市区积分（示意图）")
def counties(request, campaign_id: DbInt | None = None):
    _scope(request)
    return selectors.counties(_campaign(campaign_id))
