"""Judging: assigning entries to judges (``assignment.py`` does the arithmetic), adjusting it,
scoring (save, submit — then locked), and the organiser reopening a submitted score."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.org.choices import UnitKind
from xuebi.org.models import Unit

from .. import assignment as arithmetic
from .. import scoring
from ..models import Assignment, AssignmentStatus, Contest, ContestStatus, Entry, EntryStatus, Panel, Score, Stage
from .contests import require_organizer

__all__ = [
    "departments",
    "home_key",
    "judge_home",
    "conflicts",
    "assign",
    "assignment_add",
    "assignment_remove",
    "score_save",
    "score_reopen",
]


def departments() -> list[str]:
    """The paths of the 组织部 (the 盟委组织部 and the 旗县市区委组织部), longest first."""
    paths = Unit.objects.filter(kind__in=[UnitKind.LEAGUE_DEPT, UnitKind.COUNTY_DEPT]).values_list("path", flat=True)
    return sorted(paths, key=len, reverse=True)


def home_key(unit, depts: list[str] | None = None) -> str:
    """The 组织部 a unit belongs to (its path): the nearest department at or above it — a county
    department for its sections, the 盟委组织部 for its own sections. "" when none is."""
    if unit is None:
        return ""
    for path in depts if depts is not None else departments():
        if unit.path.startswith(path):
            return path
    return ""


def judge_home(judge, depts: list[str] | None = None) -> str:
    """Where a judge comes from: their roster person's unit, else the unit of their 评委 grant."""
    person = getattr(judge, "person", None)
    if person is not None:
        return home_key(person.unit, depts)
    grant = judge.role_grants.filter(role="judge").select_related("unit").first()
    return home_key(grant.unit, depts) if grant else ""


def conflicts(entry: Entry, judge) -> str:
    """Why ``judge`` may not score ``entry`` ("" when they may)."""
    if entry.submitted_by_id == judge.pk or (
        getattr(judge, "person_id", None) and entry.author_rows.filter(person_id=judge.person_id).exists()
    ):
        return "评委不能评审本人报送或参与的作品。"
    depts = departments()
    key = judge_home(judge, depts)
    if key and home_key(entry.unit, depts) == key:
        return "评委不能评审本单位的作品（回避）。"
    return ""


def _live_entries(contest: Contest):
    return contest.entries.filter(status=EntryStatus.SUBMITTED).select_related("unit")


def _require_unscored(contest: Contest, stage: str) -> None:
    if Assignment.objects.filter(entry__contest=contest, stage=stage).exclude(status=AssignmentStatus.PENDING).exists():
        raise ValidationError("评委已开始评分，不能重新分配；可以逐条调整未评分的任务。")


@transaction.atomic
def assign(*, actor, contest: Contest, stage: str = Stage.PRELIM) -> dict:
    """(Re)make the stage's assignments: entries spread over the preliminary panels, each given
    ``judges_per_entry`` judges of its panel free of a conflict, loads balanced; the final stage:
    every finalist to every judge of the final panel free of a conflict. Returns a summary
    (entries, assignments, entries short of judges)."""
    require_organizer(actor, contest)
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.status == ContestStatus.PUBLISHED:
        raise ValidationError("评比结果已公布，不能再分配评审任务。")
    _require_unscored(contest, stage)
    panels = list(contest.panels.filter(is_final=(stage == Stage.FINAL)).prefetch_related("judges__person__unit"))
    if not panels or not any(p.judges.all() for p in panels):
        raise ValidationError("请先在评审组中添加评委。" if stage == Stage.PRELIM else "请先设置决赛评审组并添加评委。")
    entries = list(_live_entries(contest).filter(finalist=True) if stage == Stage.FINAL else _live_entries(contest))
    if not entries:
        raise ValidationError("还没有可分配的作品。" if stage == Stage.PRELIM else "还没有确定决赛名单。")
    Assignment.objects.filter(entry__contest=contest, stage=stage).delete()
    judges = {j.pk: j for p in panels for j in p.judges.all()}
    depts = departments()
    homes = {pk: judge_home(j, depts) for pk, j in judges.items()}
    authored = {}
    for e in entries:
        authored[e.pk] = set(e.author_rows.values_list("person_id", flat=True))

    def candidate(entry):
        return arithmetic.Candidate(entry.pk, home_key(entry.unit, depts))

    def free_judges(panel):
        return [arithmetic.Candidate(j.pk, homes[j.pk]) for j in panel.judges.all()]

    per_entry = contest.judges_per_entry if stage == Stage.PRELIM else len(judges)
    if stage == Stage.PRELIM:
        where = arithmetic.spread_over_panels([candidate(e) for e in entries], {p.pk: free_judges(p) for p in panels}, per_entry)
    else:
        where = {e.pk: panels[0].pk for e in entries}
    made: dict[int, list[int]] = {}
    for panel in panels:
        mine = [e for e in entries if where[e.pk] == panel.pk]
        made.update(arithmetic.assign([candidate(e) for e in mine], free_judges(panel), per_entry))
    if contest.live and stage == Stage.PRELIM:
        # 出场顺序: by the random anonymous codes — a draw nobody chose — where none is set yet.
        taken = [e.live_order for e in entries if e.live_order]
        for entry in sorted((e for e in entries if not e.live_order), key=lambda e: e.code):
            entry.live_order = max(taken, default=0) + 1
            taken.append(entry.live_order)
            Entry.objects.filter(pk=entry.pk).update(live_order=entry.live_order)
    rows = []
    for entry in entries:
        if stage == Stage.PRELIM:
            Entry.objects.filter(pk=entry.pk).update(panel_id=where[entry.pk])
        for jid in made.get(entry.pk, []):
            judge = judges[jid]
            if entry.submitted_by_id == jid or (judge.person_id and judge.person_id in authored[entry.pk]):
                continue  # their own entry: never (the home check covers a colleague's)
            rows.append(Assignment(entry=entry, judge_id=jid, stage=stage))
    Assignment.objects.bulk_create(rows)
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.entry_id] = counts.get(row.entry_id, 0) + 1
    short = [e.code for e in entries if counts.get(e.pk, 0) < (contest.judges_per_entry if stage == Stage.PRELIM else 1)]
    summary = {"stage": stage, "entries": len(entries), "assignments": len(rows), "short": short}
    audit_record(action=Action.CONTEST_ASSIGN, actor=actor, target=contest, changes={"assignments": [None, summary]})
    return summary


@transaction.atomic
def assignment_add(*, actor, entry: Entry, judge, stage: str = Stage.PRELIM) -> Assignment:
    """The organiser gives one more judge an entry (the conflict rules still hold)."""
    contest = entry.contest
    require_organizer(actor, contest)
    if contest.status == ContestStatus.PUBLISHED:
        raise ValidationError("评比结果已公布，不能再调整评审任务。")
    if not Panel.objects.filter(contest=contest, judges=judge, is_final=(stage == Stage.FINAL)).exists():
        raise ValidationError({"judge": "该账号不是本评比（此阶段）评审组的评委。"})
    why = conflicts(entry, judge)
    if why:
        raise ValidationError({"judge": why})
    if Assignment.objects.filter(entry=entry, judge=judge, stage=stage).exists():
        raise ValidationError({"judge": "该评委已经评审这件作品。"})
    row = Assignment.objects.create(entry=entry, judge=judge, stage=stage)
    audit_record(
        action=Action.CONTEST_ASSIGN, actor=actor, target=entry, changes={"judge": [None, judge.username], "stage": [None, stage]}
    )
    return row


@transaction.atomic
def assignment_remove(*, actor, assignment: Assignment) -> None:
    require_organizer(actor, assignment.entry.contest)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != AssignmentStatus.PENDING:
        raise ValidationError("评委已经评分，不能取消这条任务；如需重评，请退回评分。")
    audit_record(
        action=Action.CONTEST_ASSIGN,
        actor=actor,
        target=assignment.entry,
        changes={"judge": [assignment.judge.username, None], "stage": [assignment.stage, None]},
    )
    assignment.delete()


def _values(contest: Contest, raw: dict, *, complete: bool) -> dict[int, Decimal]:
    """The criterion scores as typed, checked: a number of at most 2 decimals between 0 and the
    criterion's maximum; every criterion when submitting."""
    made: dict[int, Decimal] = {}
    errors: list[str] = []
    for criterion in contest.criteria.all():
        given = raw.get(criterion.pk, raw.get(str(criterion.pk)))
        if given in (None, ""):
            if complete:
                errors.append(f"请为“{criterion.name}”打分。")
            continue
        try:
            value = Decimal(str(given).strip())
        except InvalidOperation:
            errors.append(f"“{criterion.name}”的得分“{given}”不是数字。")
            continue
        if not value.is_finite() or value < 0 or value > criterion.max_score:
            errors.append(f"“{criterion.name}”的得分应在 0 到 {criterion.max_score.normalize():f} 之间。")
        elif scoring.decimal_places(value) > 2:
            errors.append(f"“{criterion.name}”的得分最多保留两位小数。")
        else:
            made[criterion.pk] = value
    if errors:
        raise ValidationError(errors)
    return made


@transaction.atomic
def score_save(*, actor, assignment: Assignment, values: dict, comment: str = "", submit: bool = False) -> Assignment:
    """A judge saves (暂存) or submits (提交) their scores of one assigned entry. Submitted
    scores are locked: only the organiser reopens them (``score_reopen``)."""
    try:
        assignment = Assignment.objects.select_for_update().select_related("entry__contest").get(pk=assignment.pk, judge=actor)
    except Assignment.DoesNotExist:
        raise PermissionDenied("这件作品没有分配给您评审。") from None
    contest = assignment.entry.contest
    if not contest.in_review():
        raise ValidationError(
            f"评审时间为 {contest.review_start:%Y年%-m月%-d日} 至 {contest.review_end:%Y年%-m月%-d日}，现在{contest.phase_label()}，不能评分。"
        )
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise ValidationError("评分已提交并锁定；如需修改，请联系主办单位退回。")
    if assignment.entry.status != EntryStatus.SUBMITTED:
        raise ValidationError("该作品已撤回，无需评分。")
    checked = _values(contest, values, complete=submit)
    Score.objects.filter(assignment=assignment).delete()
    Score.objects.bulk_create([Score(assignment=assignment, criterion_id=pk, value=v) for pk, v in checked.items()])
    weights = {c.pk: c.weight for c in contest.criteria.all()}
    assignment.total = scoring.weighted_total(checked, weights) if checked else None
    assignment.comment = (comment or "")[:2000]
    assignment.status = AssignmentStatus.SUBMITTED if submit else AssignmentStatus.SAVED
    if submit:
        assignment.submitted_at = timezone.now()
    assignment.save()
    if submit:
        audit_record(
            action=Action.SCORE_SUBMIT,
            actor=actor,
            target=assignment.entry,
            changes={"judge": [None, actor.username], "total": [None, str(assignment.total)], "stage": [None, assignment.stage]},
        )
    return assignment


@transaction.atomic
def score_reopen(*, actor, assignment: Assignment, reason: str) -> Assignment:
    """The organiser unlocks a submitted score for the judge to change (audited, with why)."""
    require_organizer(actor, assignment.entry.contest)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回重评的原因。"})
    assignment = Assignment.objects.select_for_update().select_related("entry__contest").get(pk=assignment.pk)
    if assignment.entry.contest.status == ContestStatus.PUBLISHED:
        raise ValidationError("评比结果已公布，不能退回评分；请先撤回结果。")
    if assignment.status != AssignmentStatus.SUBMITTED:
        raise ValidationError("该评分尚未提交，无需退回。")
    assignment.status = AssignmentStatus.SAVED
    assignment.reopened += 1
    assignment.save(update_fields=["status", "reopened", "updated_at"])
    audit_record(
        action=Action.SCORE_REOPEN,
        actor=actor,
        target=assignment.entry,
        changes={"judge": [None, assignment.judge.username], "status": ["submitted", "saved"], "reason": [None, reason[:200]]},
    )
    return assignment
