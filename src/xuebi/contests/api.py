"""/api/v1/contests: judged contests — the same services, selectors and scoping as the pages.

A judge's endpoints (``/judging…``) answer with the entry's blind face only: in a blind contest
no author, unit, submitter or original file name, whatever the caller asks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from ninja import Router, Schema, Status

from xuebi.core.api import DbInt, ErrorOut, LimitOffsetPagination, paginate
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.models import Person, User
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.scoping import has_role

from .models import Assignment, AwardBy, Contest, Entry, EntryStatus, Stage
from .selectors import contests as selectors
from .selectors import results as result_selectors
from .services import contests as services
from .services import entries as entry_services
from .services import judging
from .services import results as result_services

router = Router(tags=["评比"])

BUSINESS = (Role.CADRE, Role.REVIEWER, *ADMIN_ROLES, Role.JUDGE)


def _require(user, *roles) -> None:
    if not has_role(user, *(roles or BUSINESS)):
        raise PermissionDenied("您的角色无权访问此接口。")


# --- contests ---------------------------------------------------------------------------------


class CriterionIn(Schema):
    name: str
    max_score: Decimal
    weight: Decimal = Decimal(1)


class LevelIn(Schema):
    name: str
    count: int | None = None
    share: Decimal | None = None  # percent, when the contest awards by shares
    points: Decimal = Decimal(0)


class ContestIn(Schema):
    title: str
    kind: str = "essay"
    organizer_id: DbInt | None = None
    description: str = ""
    entry_start: dt.date
    entry_end: dt.date
    review_start: dt.date
    review_end: dt.date
    live: bool = False
    blind: bool = True
    judges_per_entry: int = 5
    trim_from: int = 5
    tie_break: str = "share"
    award_by: str = "count"
    final_top: int | None = None
    normalise: bool = False
    campaign_id: DbInt | None = None
    indicator_id: DbInt | None = None
    criteria: list[CriterionIn]
    levels: list[LevelIn]
    unit_ids: list[DbInt] = []  # who may enter: these units' subtrees (empty: the organiser's whole subtree)
    person_ids: list[DbInt] = []  # and only these people (empty: anyone there)


class ContestOut(Schema):
    id: int
    title: str
    kind: str
    organizer_id: int
    organizer: str
    status: str
    phase: str
    phase_label: str
    entry_start: dt.date
    entry_end: dt.date
    review_start: dt.date
    review_end: dt.date
    live: bool
    blind: bool
    judges_per_entry: int
    trim_from: int
    tie_break: str
    award_by: str
    final_top: int | None
    normalise: bool
    campaign_id: int | None
    indicator_id: int | None
    criteria: list[dict]
    levels: list[dict]
    unit_ids: list[int]
    person_ids: list[int]

    @staticmethod
    def resolve_unit_ids(obj) -> list[int]:
        return sorted(u.pk for u in obj.units.all())

    @staticmethod
    def resolve_person_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.people.all())

    @staticmethod
    def resolve_organizer(obj) -> str:
        return obj.organizer.name

    @staticmethod
    def resolve_phase(obj) -> str:
        return obj.phase()

    @staticmethod
    def resolve_phase_label(obj) -> str:
        return str(obj.phase_label())

    @staticmethod
    def resolve_criteria(obj) -> list[dict]:
        return [{"id": c.pk, "name": c.name, "max_score": str(c.max_score), "weight": str(c.weight)} for c in obj.criteria.all()]

    @staticmethod
    def resolve_levels(obj) -> list[dict]:
        return [
            {"name": lv.name, "count": lv.count, "share": None if lv.share is None else str(lv.share), "points": str(lv.points)}
            for lv in obj.levels.all()
        ]


def _values(payload: ContestIn, user) -> dict:
    from xuebi.campaign.models import Campaign, Indicator
    from xuebi.org.models import Unit

    def pick(model, pk, field, label):
        if pk is None:
            return None
        found = model.objects.filter(pk=pk).first()
        if found is None:
            raise ValidationError({field: f"没有这个{label}。"})
        return found

    organizer = pick(Unit, payload.organizer_id, "organizer_id", "单位") or Unit.objects.filter(depth=1).first()
    values = {
        name: getattr(payload, name) for name in services.CONTEST_FIELDS if name not in ("organizer", "campaign", "indicator")
    }
    values.update(
        organizer=organizer,
        campaign=pick(Campaign, payload.campaign_id, "campaign_id", "活动"),
        indicator=pick(Indicator, payload.indicator_id, "indicator_id", "考核指标"),
    )
    for name, choices in (
        ("kind", ("essay", "speech", "onsite", "other")),
        ("tie_break", ("share", "full_mean", "first_criterion")),
    ):
        if values[name] not in choices:
            raise ValidationError({name: f"应为 {' / '.join(choices)} 之一。"})
    if values["award_by"] not in AwardBy.values:
        raise ValidationError({"award_by": "应为 count（按名额）或 share（按比例）。"})
    return values


def _rubric(payload: ContestIn) -> tuple[list[dict], list[dict]]:
    """The criteria and levels through the same parsers as the page's lines, so the same
    messages name the same mistakes."""
    criteria = services.parse_criteria("\n".join(f"{c.name} {c.max_score} {c.weight}" for c in payload.criteria))

    def amount(level):
        if level.count is not None:
            return str(level.count)
        if level.share is not None:
            return f"{level.share}%"
        return "其余"

    levels = services.parse_levels("\n".join(f"{lv.name} {amount(lv)} {lv.points}" for lv in payload.levels), payload.award_by)
    return criteria, levels


def _contest(pk) -> Contest:
    return Contest.objects.select_related("organizer").prefetch_related("criteria", "levels", "units", "people").get(pk=pk)


def _entrants(payload: ContestIn) -> dict:
    from xuebi.org.models import Unit

    units = list(Unit.objects.filter(pk__in=payload.unit_ids))
    people = list(Person.objects.filter(pk__in=payload.person_ids))
    if len(units) != len(set(payload.unit_ids)):
        raise ValidationError({"unit_ids": "有参评单位不存在。"})
    if len(people) != len(set(payload.person_ids)):
        raise ValidationError({"person_ids": "有参评人员不存在。"})
    return {"units": units, "people": people}


@router.get("", response=list[ContestOut], summary="评比列表（评委只看到自己参加评审的）")
@paginate(LimitOffsetPagination)
def contest_list(request):
    _require(request.auth)
    return selectors.contests_for(request.auth).prefetch_related("criteria", "levels", "units", "people")


@router.post("", response={201: ContestOut, 403: ErrorOut, 422: ErrorOut}, summary="新建评比（盟级管理员）")
def contest_create(request, payload: ContestIn):
    _require(request.auth, Role.LEAGUE_ADMIN)
    criteria, levels = _rubric(payload)
    contest = services.contest_save(
        actor=request.auth, values=_values(payload, request.auth), criteria=criteria, levels=levels, **_entrants(payload)
    )
    return Status(201, _contest(contest.pk))


@router.get("/{int:pk}", response=ContestOut, summary="评比详情")
def contest_detail(request, pk: DbInt):
    _require(request.auth)
    return _contest(get_visible_or_404(Contest, request.auth, pk).pk)


@router.put("/{int:pk}", response={200: ContestOut, 422: ErrorOut}, summary="修改评比设置（全部字段）")
def contest_update(request, pk: DbInt, payload: ContestIn):
    _require(request.auth, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.auth, pk, "change")
    criteria, levels = _rubric(payload)
    values = _values(payload, request.auth)
    services.contest_save(
        actor=request.auth, contest=contest, values=values, criteria=criteria, levels=levels, **_entrants(payload)
    )
    return _contest(pk)


@router.post("/{int:pk}/open", response={200: ContestOut, 422: ErrorOut}, summary="发布评比（开始接受报送）")
def contest_open(request, pk: DbInt):
    _require(request.auth, Role.LEAGUE_ADMIN)
    services.contest_open(actor=request.auth, contest=get_visible_or_404(Contest, request.auth, pk, "change"))
    return _contest(pk)


class PanelIn(Schema):
    name: str
    is_final: bool = False
    judge_ids: list[DbInt] = []


@router.put("/{int:pk}/panels", response={200: list[dict], 422: ErrorOut}, summary="设置评审组和评委")
def contest_panels(request, pk: DbInt, payload: list[PanelIn]):
    _require(request.auth, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.auth, pk, "change")
    panels = []
    for panel in payload:
        judges = list(User.objects.filter(pk__in=panel.judge_ids))
        if len(judges) != len(set(panel.judge_ids)):
            raise ValidationError({"judge_ids": "有评委账号不存在。"})
        panels.append({"name": panel.name, "is_final": panel.is_final, "judges": judges})
    made = services.panels_save(actor=request.auth, contest=contest, panels=panels)
    return [
        {"id": p.pk, "name": p.name, "is_final": p.is_final, "judge_ids": sorted(p.judges.values_list("pk", flat=True))}
        for p in made
    ]


# --- entries ----------------------------------------------------------------------------------


class EntryIn(Schema):
    title: str
    text: str = ""
    author_ids: list[DbInt]


class EntryOut(Schema):
    id: int
    contest_id: int
    code: str
    title: str
    text: str
    status: str
    version: int
    unit_id: int
    unit: str
    authors: list[str]
    files: list[dict]

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_authors(obj) -> list[str]:
        return [row.person.name for row in obj.author_rows.all()]

    @staticmethod
    def resolve_files(obj) -> list[dict]:
        version = obj.versions.order_by("-number").first()
        if version is None:
            return []
        return [{"name": f.blind_name(obj.code), "original_name": f.original_name, "size": f.size} for f in version.files.all()]


def _authors(ids: list[int]) -> list[Person]:
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("unit")}
    missing = [pk for pk in ids if pk not in people]
    if missing:
        raise ValidationError({"author_ids": f"没有编号为 {missing[0]} 的人员。"})
    return [people[pk] for pk in ids]


def _entry(pk) -> Entry:
    return Entry.objects.select_related("unit").prefetch_related("author_rows__person").get(pk=pk)


@router.get(
    "/{int:pk}/entries", response=list[EntryOut], summary="本评比中您能看到的作品（主办方：全部；单位管理员：本单位；作者：本人）"
)
@paginate(LimitOffsetPagination)
def entry_list(request, pk: DbInt):
    _require(request.auth, Role.CADRE, *ADMIN_ROLES)
    contest = get_visible_or_404(Contest, request.auth, pk)
    return selectors.entries_for(request.auth, contest)


@router.post(
    "/{int:pk}/entries",
    response={201: EntryOut, 403: ErrorOut, 422: ErrorOut},
    summary="报送作品（征集时间内；文件请在网页上传）",
)
def entry_create(request, pk: DbInt, payload: EntryIn):
    _require(request.auth, Role.CADRE, *ADMIN_ROLES)
    contest = get_visible_or_404(Contest, request.auth, pk)
    entry = entry_services.entry_submit(
        actor=request.auth, contest=contest, title=payload.title, text=payload.text, authors=_authors(payload.author_ids)
    )
    return Status(201, _entry(entry.pk))


@router.get("/entries/{int:pk}", response=EntryOut, summary="作品详情（作者、本单位管理员、主办方）")
def entry_detail(request, pk: DbInt):
    _require(request.auth, Role.CADRE, *ADMIN_ROLES)
    return _entry(get_visible_or_404(Entry, request.auth, pk).pk)


@router.put("/entries/{int:pk}", response={200: EntryOut, 422: ErrorOut}, summary="修改作品（保存为新版本，原文件保留）")
def entry_update(request, pk: DbInt, payload: EntryIn):
    _require(request.auth, Role.CADRE, *ADMIN_ROLES)
    entry = get_visible_or_404(Entry, request.auth, pk, "change")
    entry_services.entry_replace(
        actor=request.auth, entry=entry, title=payload.title, text=payload.text, authors=_authors(payload.author_ids)
    )
    return _entry(pk)


@router.post("/entries/{int:pk}/withdraw", response={200: EntryOut, 422: ErrorOut}, summary="撤回作品（征集时间内）")
def entry_withdraw(request, pk: DbInt):
    _require(request.auth, Role.CADRE, *ADMIN_ROLES)
    entry_services.entry_withdraw(actor=request.auth, entry=get_visible_or_404(Entry, request.auth, pk, "change"))
    return _entry(pk)


# --- assignments ------------------------------------------------------------------------------


class AssignIn(Schema):
    stage: str = "prelim"


class AssignmentOut(Schema):
    id: int
    entry_id: int
    code: str
    judge_id: int
    judge: str
    stage: str
    status: str
    total: Decimal | None

    @staticmethod
    def resolve_code(obj) -> str:
        return obj.entry.code

    @staticmethod
    def resolve_judge(obj) -> str:
        return str(obj.judge)


def _stage(value: str) -> str:
    if value not in Stage.values:
        raise ValidationError({"stage": "应为 prelim（初评）或 final（决赛）。"})
    return value


@router.post("/{int:pk}/assign", response={200: dict, 422: ErrorOut}, summary="自动分配评审任务（回避本单位、平均任务量）")
def contest_assign(request, pk: DbInt, payload: AssignIn):
    _require(request.auth, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.auth, pk, "change")
    return judging.assign(actor=request.auth, contest=contest, stage=_stage(payload.stage))


@router.get("/{int:pk}/assignments", response=list[AssignmentOut], summary="评审任务（主办方）")
@paginate(LimitOffsetPagination)
def assignment_list(request, pk: DbInt):
    _require(request.auth, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.auth, pk, "change")
    return Assignment.objects.visible_to(request.auth, "change").filter(entry__contest=contest).select_related("entry", "judge")


class ReasonIn(Schema):
    reason: str


@router.post(
    "/assignments/{int:pk}/reopen", response={200: AssignmentOut, 422: ErrorOut}, summary="退回已提交的评分重评（写明原因）"
)
def assignment_reopen(request, pk: DbInt, payload: ReasonIn):
    _require(request.auth, Role.LEAGUE_ADMIN)
    assignment = get_visible_or_404(Assignment, request.auth, pk, "change")
    return judging.score_reopen(actor=request.auth, assignment=assignment, reason=payload.reason)


# --- judging (blind) --------------------------------------------------------------------------


class JudgeEntryOut(Schema):
    """What a judge sees: the anonymous code, never the author in a blind contest."""

    id: int
    contest_id: int
    contest: str
    stage: str
    status: str
    code: str
    title: str
    text: str
    files: list[dict]
    authors: list[str]
    unit: str
    criteria: list[dict]
    scores: dict[str, str]
    total: Decimal | None
    comment: str


def _judge_out(assignment: Assignment) -> dict:
    view = selectors.judge_view(assignment)
    contest = assignment.entry.contest
    return {
        "id": assignment.pk,
        "contest_id": contest.pk,
        "contest": contest.title,
        "stage": assignment.stage,
        "status": assignment.status,
        "code": view.code,
        "title": view.title,
        "text": view.text,
        "files": [
            {"name": name, "size": size, "url": f"/api/v1/contests/judging/{assignment.pk}/files/{index}"}
            for index, name, size in view.files
        ],
        "authors": view.authors,
        "unit": view.unit,
        "criteria": [
            {"id": c.pk, "name": c.name, "max_score": str(c.max_score), "weight": str(c.weight)} for c in contest.criteria.all()
        ],
        "scores": {str(k): str(v) for k, v in view.scores.items()},
        "total": assignment.total,
        "comment": assignment.comment,
    }


def _my_assignment(user, pk) -> Assignment:
    try:
        return Assignment.objects.visible_to(user).filter(judge=user).select_related("entry__contest").get(pk=pk)
    except Assignment.DoesNotExist:
        raise Http404 from None


@router.get("/judging", response=list[JudgeEntryOut], summary="我的评审任务（评委；匿名评审时不含作者和单位）")
@paginate(LimitOffsetPagination)
def judging_list(request):
    _require(request.auth, Role.JUDGE)
    return [_judge_out(a) for a in selectors.my_assignments(request.auth)]


@router.get("/judging/{int:pk}", response=JudgeEntryOut, summary="一件评审任务（评委）")
def judging_detail(request, pk: DbInt):
    _require(request.auth, Role.JUDGE)
    return _judge_out(_my_assignment(request.auth, pk))


class ScoreIn(Schema):
    criterion_id: DbInt
    value: str  # as typed, e.g. "36.5": checked by the service (a number, 2 decimals, within the maximum)


class ScoresIn(Schema):
    scores: list[ScoreIn]
    comment: str = ""
    submit: bool = False


@router.post(
    "/judging/{int:pk}/scores",
    response={200: JudgeEntryOut, 403: ErrorOut, 422: ErrorOut},
    summary="评分：暂存或提交（提交后锁定）",
)
def judging_score(request, pk: DbInt, payload: ScoresIn):
    _require(request.auth, Role.JUDGE)
    assignment = _my_assignment(request.auth, pk)
    values = {item.criterion_id: item.value for item in payload.scores}
    judging.score_save(actor=request.auth, assignment=assignment, values=values, comment=payload.comment, submit=payload.submit)
    return _judge_out(_my_assignment(request.auth, pk))


@router.get(
    "/judging/{int:pk}/files/{index}",
    response={200: None, 404: ErrorOut},
    summary="下载作品文件（按作品编号命名，已去除作者信息）",
)
def judging_file(request, pk: DbInt, index: DbInt):
    _require(request.auth, Role.JUDGE)
    assignment = _my_assignment(request.auth, pk)
    row = selectors.judge_file(assignment, index)
    if row is None:
        raise Http404
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.blind_name(assignment.entry.code))


# --- results ----------------------------------------------------------------------------------


def _result_rows(contest: Contest, results) -> list[dict]:
    return [
        {
            "entry_id": row.entry.pk,
            "code": row.entry.code,
            "title": row.entry.title,
            "authors": [r.person.name for r in row.entry.author_rows.all()],
            "unit": row.entry.unit_label,
            "place": row.place,
            "tied": row.tied,
            "stage": row.stage,
            "score": None if row.aggregate is None else str(row.aggregate.shown),
            "score3": None if row.aggregate is None else str(row.aggregate.score),
            "raw_score": None if row.raw is None else str(row.raw.shown),
            "totals": [
                {
                    "raw": str(t["raw"]),
                    "normalised": None if t["normalised"] is None else str(t["normalised"]),
                    "dropped": t["dropped"],
                }
                for t in row.scored()
            ],
            "level": row.level,
            "pending": row.pending,
            "disagreement": None if row.gap is None else str(row.gap),
        }
        for row in results.rows
    ]


@router.get("/{int:pk}/results", response=dict, summary="评比结果：主办方随时可看（含各评委评分）；其他人在公布后看到公布的结果")
def contest_results(request, pk: DbInt):
    _require(request.auth)
    contest = get_visible_or_404(Contest, request.auth, pk)
    if selectors.is_organizer(request.auth, contest):
        results = result_selectors.results(contest)
        return {
            "status": contest.status,
            "pending": results.pending,
            "rows": _result_rows(contest, results),
            "judges": [
                {
                    "stage": stage,
                    "panel": panel,
                    "judge": name,
                    "count": s.count,
                    "mean": str(s.mean),
                    "sd": str(s.sd),
                    "offset": str(s.offset),
                    "flagged": s.flagged,
                }
                for stage, panel, spreads in results.spread
                for name, s in spreads
            ],
        }
    awards = selectors.published_results(contest)
    return {
        "status": contest.status,
        "rows": [
            {
                "place": a.place,
                "title": a.entry.title,
                "authors": [r.person.name for r in a.entry.author_rows.all()],
                "unit": a.entry.unit.name,
                "score": a.detail.get("shown"),
                "level": a.level,
            }
            for a in awards
        ],
    }


@router.post("/{int:pk}/final", response={200: dict, 422: ErrorOut}, summary="确定决赛名单（每组前 K 名，并列同进）")
def contest_final(request, pk: DbInt):
    _require(request.auth, Role.LEAGUE_ADMIN)
    made = result_services.final_select(actor=request.auth, contest=get_visible_or_404(Contest, request.auth, pk, "change"))
    return {"finalists": [e.code for e in made]}


@router.post(
    "/{int:pk}/publish", response={200: dict, 422: ErrorOut}, summary="公布结果：写入名次和奖项，获奖积分计入（不重复计分）"
)
def contest_publish(request, pk: DbInt):
    _require(request.auth, Role.LEAGUE_ADMIN)
    awards = result_services.publish(actor=request.auth, contest=get_visible_or_404(Contest, request.auth, pk, "change"))
    return {"awards": [{"entry_id": a.entry_id, "place": a.place, "level": a.level, "score": str(a.score)} for a in awards]}


@router.post(
    "/{int:pk}/unpublish", response={200: ContestOut, 422: ErrorOut}, summary="撤回已公布的结果（冲销获奖积分，写明原因）"
)
def contest_unpublish(request, pk: DbInt, payload: ReasonIn):
    _require(request.auth, Role.LEAGUE_ADMIN)
    result_services.unpublish(
        actor=request.auth, contest=get_visible_or_404(Contest, request.auth, pk, "change"), reason=payload.reason
    )
    return _contest(pk)


@router.get("/{int:pk}/screen", response=dict, summary="现场大屏数据：全部评委评完的选手显示最后得分和去掉的最高分、最低分")
def contest_screen(request, pk: DbInt):
    _require(request.auth, Role.LEAGUE_ADMIN)
    contest = get_visible_or_404(Contest, request.auth, pk, "change")
    results = result_selectors.results(contest, with_checks=False)  # entries labelled with their units
    rows = []
    for row in sorted(results.rows, key=lambda r: (r.entry.live_order or 10**6, r.entry.code)):
        done = row.pending == 0 and row.aggregate is not None
        rows.append(
            {
                "order": row.entry.live_order,
                "code": row.entry.code,
                "title": row.entry.title,
                "name": "" if contest.blind else "、".join(r.person.name for r in row.entry.author_rows.all()),
                "unit": "" if contest.blind else row.entry.unit_label,
                "done": done,
                "scored": sum(1 for _t in row.totals),
                "judges": len(row.totals) + row.pending,
                "score": str(row.aggregate.shown) if done else None,
                "totals": [{"value": str(t["raw"]), "dropped": t["dropped"]} for t in row.scored()] if done else [],
            }
        )
    return {"title": contest.title, "rows": rows, "entries": contest.entries.filter(status=EntryStatus.SUBMITTED).count()}
