"""/api/v1/ledger/reports…, /ledger/requirements: 三会一课 compliance, 五学联动 and the meeting
requirements, through the same forms, selectors, services and scoping as the pages (``views.reports``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from xuebi.core.api import DbInt, Offset
from xuebi.org.choices import Role

from ..models import REVIEW_ROLES, MeetingRequirement, RecordKind
from ..selectors import reports as selectors
from ..services import requirements as services
from .common import ErrorOut, errors, require, visible_unit, year_param

router = Router(tags=["台账统计与业务讲堂"])

# --- compliance --------------------------------------------------------------------------------


class PeriodOut(Schema):
    label: str
    start: dt.date
    end: dt.date
    count: int
    required: int
    state: str = Field(..., description="ok 已落实 / missing 缺 / open 本期进行中 / future 未到")


class RequirementRowOut(Schema):
    kind: str
    kind_name: str
    frequency: str
    min_count: int
    missing: int
    periods: list[PeriodOut]


class BranchOut(Schema):
    unit_id: int
    unit_name: str
    parent_name: str
    missing: int
    requirements: list[RequirementRowOut]


class ComplianceOut(Schema):
    year: int
    as_of: dt.date
    count: int = Field(..., description="范围内党支部总数（本页之外也计）")
    branches: list[BranchOut]


@router.get(
    "/ledger/reports/compliance",
    response={200: ComplianceOut, 422: ErrorOut},
    summary="三会一课落实情况：各党支部每项会议每期的次数与缺项",
)
def compliance(request, year: DbInt | None = None, unit_id: DbInt | None = None, limit: DbInt = 20, offset: Offset = 0):
    require(request.auth, *REVIEW_ROLES)
    try:
        year = year_param(year)
    except ValidationError as exc:
        return errors(exc)
    limit, offset = max(1, min(limit, 200)), max(offset, 0)
    branches = selectors.branches_for(request.auth, within=visible_unit(request.auth, unit_id)).order_by("path")
    total = branches.count()
    report = selectors.compliance(user=request.auth, year=year, branches=branches[offset : offset + limit])
    return {
        "year": year,
        "as_of": report.today,
        "count": total,
        "branches": [
            {
                "unit_id": b.unit.pk,
                "unit_name": b.unit.name,
                "parent_name": b.parent_name,
                "missing": b.missing,
                "requirements": [
                    {
                        "kind": row.requirement.kind.code,
                        "kind_name": row.requirement.kind.name,
                        "frequency": row.requirement.frequency,
                        "min_count": row.requirement.min_count,
                        "missing": row.missing,
                        "periods": [
                            {
                                "label": c.period.label,
                                "start": c.period.start,
                                "end": c.period.end,
                                "count": c.count,
                                "required": c.required,
                                "state": c.state,
                            }
                            for c in row.cells
                        ],
                    }
                    for row in b.rows
                ],
            }
            for b in report.branches
        ],
    }


# --- 五学联动 -------------------------------------------------------------------------------------


class LevelLineOut(Schema):
    level: str
    label: str
    months: list[int] = Field(..., description="1—12月的次数")
    total: int


class UnitLevelsOut(Schema):
    unit_id: int
    unit_name: str
    total: int
    levels: list[LevelLineOut]


class StudyLevelsOut(Schema):
    year: int
    depth: int
    summary: list[LevelLineOut]
    units: list[UnitLevelsOut]


def _lines(lines) -> list[dict]:
    return [{"level": x.level, "label": x.label, "months": x.months, "total": x.total} for x in lines]


@router.get(
    "/ledger/reports/study-levels",
    response={200: StudyLevelsOut, 422: ErrorOut},
    summary="五学联动：各层级集体学习次数，按单位、按月",
)
def study_levels(request, year: DbInt | None = None, depth: DbInt | None = None, unit_id: DbInt | None = None):
    require(request.auth, *REVIEW_ROLES)
    choices, default = selectors.depth_choices(request.auth)
    try:
        year = year_param(year)
        if depth is not None and depth not in dict(choices):
            raise ValidationError({"depth": f"汇总层级应为 {'、'.join(str(d) for d, _ in choices)} 之一。"})
    except ValidationError as exc:
        return errors(exc)
    report = selectors.study_levels(
        user=request.auth, year=year, depth=depth or default or 1, within=visible_unit(request.auth, unit_id)
    )
    return {
        "year": report.year,
        "depth": report.depth,
        "summary": _lines(report.summary),
        "units": [
            {"unit_id": u.unit.pk, "unit_name": u.unit.name, "total": u.total, "levels": _lines(u.lines)} for u in report.units
        ],
    }


# --- requirements -------------------------------------------------------------------------------


class RequirementOut(Schema):
    kind: str = Field(..., alias="kind.code")
    kind_name: str = Field(..., alias="kind.name")
    frequency: str
    frequency_display: str = Field(..., alias="get_frequency_display")
    min_count: int
    is_active: bool


class RequirementIn(Schema):
    frequency: str = Field(..., description="month / quarter / half / year")
    min_count: DbInt = 1
    is_active: bool = True


@router.get("/ledger/requirements", response=list[RequirementOut], summary="组织生活要求（三会一课频次）")
def list_requirements(request):
    require(request.auth, *REVIEW_ROLES)
    return MeetingRequirement.objects.select_related("kind")


@router.put(
    "/ledger/requirements/{kind}",
    response={200: RequirementOut, 422: ErrorOut},
    summary="设置某类会议的频次和每期次数（盟级管理员）",
)
def save_requirement(request, kind: str, payload: RequirementIn):
    require(request.auth, Role.LEAGUE_ADMIN)
    record_kind = get_object_or_404(RecordKind, code=kind)
    try:
        return services.requirement_save(actor=request.auth, kind=record_kind, **payload.dict())
    except ValidationError as exc:
        return errors(exc)
