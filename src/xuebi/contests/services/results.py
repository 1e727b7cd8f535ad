"""From scores to results: choosing the final's entrants, publishing (the ``Award`` rows, the
points through the engine, idempotent) and withdrawing published results."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record

from .. import events, scoring
from ..models import Assignment, AssignmentStatus, Award, Contest, ContestStatus, Entry, EntryStatus, Stage
from ..selectors import results as selectors
from .contests import require_organizer

__all__ = ["final_select", "publish", "unpublish"]


def _require_all_scored(contest: Contest, stage: str) -> None:
    waiting = (
        Assignment.objects.filter(entry__contest=contest, entry__status=EntryStatus.SUBMITTED, stage=stage)
        .exclude(status=AssignmentStatus.SUBMITTED)
        .count()
    )
    if waiting:
        raise ValidationError(f"还有 {waiting} 条{Stage(stage).label}评分未提交。")


@transaction.atomic
def final_select(*, actor, contest: Contest) -> list[Entry]:
    """The top ``final_top`` of each preliminary panel (ties at the line included) go to the final."""
    require_organizer(actor, contest)
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if not contest.final_top or not contest.panels.filter(is_final=True).exists():
        raise ValidationError("本评比没有设置决赛（每组进入决赛的名次和决赛评审组）。")
    if contest.status == ContestStatus.PUBLISHED:
        raise ValidationError("评比结果已公布。")
    _require_all_scored(contest, Stage.PRELIM)
    if Assignment.objects.filter(entry__contest=contest, stage=Stage.FINAL).exclude(status=AssignmentStatus.PENDING).exists():
        raise ValidationError("决赛已开始评分，不能再更改决赛名单。")
    chosen: list[int] = []
    for ranking in selectors.panel_rankings(contest).values():
        chosen += scoring.finalists(ranking, contest.final_top)
    contest.entries.update(finalist=False)
    Entry.objects.filter(pk__in=chosen).update(finalist=True)
    made = list(Entry.objects.filter(pk__in=chosen).order_by("code"))
    audit_record(action=Action.CONTEST_FINAL, actor=actor, target=contest, changes={"finalists": [None, [e.code for e in made]]})
    return made


@transaction.atomic
def publish(*, actor, contest: Contest) -> list[Award]:
    """Publish the results: every scored entry's place, score and level as an ``Award`` row, and
    the level's points through the engine (``events.results_published``). Refused while a score
    is missing. Publishing twice is refused; after ``unpublish`` it publishes a new version."""
    require_organizer(actor, contest)
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.status == ContestStatus.PUBLISHED:
        raise ValidationError("评比结果已经公布。")
    if contest.status == ContestStatus.DRAFT:
        raise ValidationError("评比尚未发布。")
    result = selectors.results(contest, with_checks=False)
    _require_all_scored(contest, Stage.FINAL if result.has_final else Stage.PRELIM)
    if not result.complete:
        raise ValidationError("还没有任何作品得到评分，不能公布结果。")
    Award.objects.filter(contest=contest).delete()
    scored = [row for row in result.rows if row.place is not None and row.aggregate is not None]
    awards = [
        Award(
            contest=contest,
            entry=row.entry,
            place=row.place or 0,  # ``scored`` holds placed rows only
            score=row.aggregate.score,
            level=row.level,
            stage=row.stage,
            detail=_detail(row),
        )
        for row in scored
        if row.aggregate is not None
    ]
    Award.objects.bulk_create(awards)
    contest.status = ContestStatus.PUBLISHED
    contest.results_version += 1
    contest.published_at = timezone.now()
    contest.published_by = actor
    contest.save(update_fields=["status", "results_version", "published_at", "published_by", "updated_at"])
    audit_record(
        action=Action.CONTEST_PUBLISH,
        actor=actor,
        target=contest,
        changes={"version": [None, contest.results_version], "awards": [None, sum(1 for a in awards if a.level)]},
    )
    events.results_published.send(sender=Contest, contest=contest, version=contest.results_version, actor=actor)
    if any(a.level for a in awards):
        from ..tasks import start_certificates

        start_certificates(actor=actor, contest=contest)  # 奖状, once this commits
    return awards


def _detail(row: selectors.Row) -> dict:
    """How the score came about, kept with the published result (the trimmed mean shown)."""
    agg = row.aggregate
    assert agg is not None  # only scored entries are published

    def text(value):
        return None if value is None else f"{value:f}"

    return {
        "count": agg.count,
        "trimmed": agg.trimmed,
        "dropped_high": text(agg.dropped_high),
        "dropped_low": text(agg.dropped_low),
        "shown": text(agg.shown),
        "totals": sorted(text(t) for _j, t, _n in row.totals),
        "normalised": row.raw is not agg,
        "raw": text(row.raw.score) if row.raw else None,
        "prelim": text(row.prelim.score) if row.prelim else None,
    }


@transaction.atomic
def unpublish(*, actor, contest: Contest, reason: str) -> Contest:
    """Withdraw published results (a correction): the awards' points are reversed in the
    journal; the contest goes back to review, to be published again as a new version."""
    require_organizer(actor, contest)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤回结果的原因。"})
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.status != ContestStatus.PUBLISHED:
        raise ValidationError("评比结果尚未公布。")
    contest.status = ContestStatus.OPEN
    contest.save(update_fields=["status", "updated_at"])
    audit_record(
        action=Action.CONTEST_UNPUBLISH,
        actor=actor,
        target=contest,
        changes={"status": ["published", "open"], "version": [contest.results_version, None], "reason": [None, reason[:200]]},
    )
    events.results_withdrawn.send(sender=Contest, contest=contest, version=contest.results_version, actor=actor, reason=reason)
    return contest
