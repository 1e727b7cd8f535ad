"""A contest's results read from its submitted scores, through the pure arithmetic of
``scoring``: per panel (normalised when the contest says so), the final, places, award levels,
and the spread checks. Read by the organiser's results page, the big screen, publishing, and —
once published — by everyone from the stored ``Award`` rows instead."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .. import scoring
from ..models import Assignment, AssignmentStatus, AwardBy, Contest, Entry, EntryStatus, Score, Stage, TieBreak

__all__ = ["Row", "Results", "results", "panel_rankings", "scheme"]


@dataclass
class Row:
    entry: Entry
    place: int | None = None
    stage: str = Stage.PRELIM
    aggregate: scoring.Aggregate | None = None  # what ranks: normalised when the contest normalises
    raw: scoring.Aggregate | None = None  # from the judges' own totals
    prelim: scoring.Aggregate | None = None  # the preliminary score of a finalist
    totals: list[tuple[int, Decimal, Decimal | None]] = field(default_factory=list)  # (judge, raw, normalised)
    level: str = ""
    tied: bool = False
    pending: int = 0
    gap: Decimal | None = None  # the judges disagree strongly: highest minus lowest

    def scored(self) -> list[dict[str, Any]]:
        """The judges' totals, highest first, with the one highest and one lowest dropped marked
        (on the normalised totals when the contest normalises) — what the results page and the
        big screen show."""
        rows: list[dict[str, Any]] = [{"raw": raw, "normalised": norm, "dropped": ""} for _judge, raw, norm in self.totals]
        made = sorted(rows, key=lambda s: -(s["normalised"] if s["normalised"] is not None else s["raw"]))
        if self.aggregate is not None and self.aggregate.trimmed and len(made) >= 2:
            made[0]["dropped"], made[-1]["dropped"] = "high", "low"
        return made


@dataclass
class Results:
    contest: Contest
    rows: list[Row]
    pending: int
    has_final: bool
    spread: list = field(default_factory=list)  # [(stage, panel name, [JudgeSpread])]
    disagreements: dict = field(default_factory=dict)  # entry id → gap
    judges: dict = field(default_factory=dict)  # judge id → name (for the organiser only)

    @property
    def complete(self) -> bool:
        return self.pending == 0 and any(r.aggregate for r in self.rows)


def scheme(contest: Contest) -> list[scoring.AwardLevel]:
    return [
        scoring.AwardLevel(
            name=lv.name,
            count=lv.count if contest.award_by == AwardBy.COUNT else None,
            share=(lv.share / 100) if contest.award_by == AwardBy.SHARE and lv.share is not None else None,
            points=lv.points,
        )
        for lv in contest.levels.all()
    ]


def _submitted(contest: Contest):
    return list(
        Assignment.objects.filter(entry__contest=contest, entry__status=EntryStatus.SUBMITTED, status=AssignmentStatus.SUBMITTED)
        .values_list("pk", "entry_id", "judge_id", "stage", "total")
        .order_by("pk")
    )


def _first_criterion(contest: Contest) -> dict[tuple[int, str], Decimal]:
    first = contest.criteria.first()
    if first is None:
        return {}
    sums: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for entry_id, stage, value in Score.objects.filter(
        criterion=first, assignment__status=AssignmentStatus.SUBMITTED, assignment__entry__contest=contest
    ).values_list("assignment__entry_id", "assignment__stage", "value"):
        sums[(entry_id, stage)].append(value)
    return {key: (sum(v, Decimal(0)) / len(v)).quantize(scoring.THREE, ROUND_HALF_UP) for key, v in sums.items()}


def _stage_scores(contest: Contest, rows, stage: str, entries: dict[int, Entry]):
    """{entry: [(judge, raw, normalised or None)]} for one stage; normalised panel by panel."""
    made: dict[int, list] = defaultdict(list)
    mine = [(judge, entry, total) for _pk, entry, judge, st, total in rows if st == stage and entry in entries]
    if contest.normalise and stage == Stage.PRELIM:
        by_panel: dict[object, list] = defaultdict(list)
        for judge, entry, total in mine:
            by_panel[entries[entry].panel_id].append((judge, entry, total))
        normalised = {}
        for panel_rows in by_panel.values():
            normalised.update(scoring.normalise(panel_rows))
        for judge, entry, total in mine:
            made[entry].append((judge, total, normalised[(judge, entry)]))
    else:
        for judge, entry, total in mine:
            made[entry].append((judge, total, None))
    return made


def _aggregates(contest: Contest, scores: dict[int, list]):
    ranked, raw = {}, {}
    for entry_id, totals in scores.items():
        raw[entry_id] = scoring.aggregate([t for _j, t, _n in totals], trim_from=contest.trim_from)
        if contest.normalise and any(n is not None for _j, _t, n in totals):
            ranked[entry_id] = scoring.aggregate([n for _j, _t, n in totals], trim_from=contest.trim_from)
        else:
            ranked[entry_id] = raw[entry_id]
    return ranked, raw


def _tie_values(contest: Contest, aggregates: dict, stage: str, first: dict) -> dict | None:
    if contest.tie_break == TieBreak.FULL_MEAN:
        return {key: agg.full_mean for key, agg in aggregates.items()}
    if contest.tie_break == TieBreak.FIRST_CRITERION:
        return {key: first.get((key, stage), Decimal(0)) for key in aggregates}
    return None


def panel_rankings(contest: Contest) -> dict[int | None, list[scoring.Ranked]]:
    """{panel id: the panel's preliminary ranking} — what the final's entrants are chosen from."""
    entries = {e.pk: e for e in contest.entries.filter(status=EntryStatus.SUBMITTED)}
    rows = _submitted(contest)
    ranked, _raw = _aggregates(contest, _stage_scores(contest, rows, Stage.PRELIM, entries))
    first = _first_criterion(contest) if contest.tie_break == TieBreak.FIRST_CRITERION else {}
    by_panel: dict[int | None, dict] = defaultdict(dict)
    for entry_id, agg in ranked.items():
        by_panel[entries[entry_id].panel_id][entry_id] = agg
    return {
        panel: scoring.rank({k: a.score for k, a in aggs.items()}, tie_values=_tie_values(contest, aggs, Stage.PRELIM, first))
        for panel, aggs in by_panel.items()
    }


def results(contest: Contest, *, with_checks: bool = True) -> Results:
    entries = {
        e.pk: e
        for e in contest.entries.filter(status=EntryStatus.SUBMITTED)
        .select_related("unit", "panel")
        .prefetch_related("author_rows__person", "author_rows__unit")
    }
    from .contests import label_units

    label_units(entries.values())
    rows = _submitted(contest)
    pending_by_entry: dict[int, int] = defaultdict(int)
    for entry_id in (
        Assignment.objects.filter(entry__contest=contest, entry__status=EntryStatus.SUBMITTED)
        .exclude(status=AssignmentStatus.SUBMITTED)
        .values_list("entry_id", flat=True)
    ):
        pending_by_entry[entry_id] += 1
    first = _first_criterion(contest) if contest.tie_break == TieBreak.FIRST_CRITERION else {}
    prelim_scores = _stage_scores(contest, rows, Stage.PRELIM, entries)
    prelim, prelim_raw = _aggregates(contest, prelim_scores)
    final_scores = _stage_scores(contest, rows, Stage.FINAL, entries)
    final, final_raw = _aggregates(contest, final_scores)
    has_final = any(e.finalist for e in entries.values()) and contest.panels.filter(is_final=True).exists()

    made: dict[int, Row] = {pk: Row(entry=e, pending=pending_by_entry[pk]) for pk, e in entries.items()}
    ordered: list[scoring.Ranked] = []
    if has_final:
        finalists = {pk: agg for pk, agg in final.items() if agg and entries[pk].finalist}
        ordered += scoring.rank(
            {k: a.score for k, a in finalists.items()}, tie_values=_tie_values(contest, finalists, Stage.FINAL, first)
        )
        for pk in finalists:
            made[pk].stage, made[pk].aggregate, made[pk].raw, made[pk].prelim = (
                Stage.FINAL,
                final[pk],
                final_raw[pk],
                prelim.get(pk),
            )
            made[pk].totals = final_scores[pk]
        rest = {pk: agg for pk, agg in prelim.items() if pk not in finalists and agg}
    else:
        rest = {pk: agg for pk, agg in prelim.items() if agg}
    offset = len(ordered)
    for item in scoring.rank({k: a.score for k, a in rest.items()}, tie_values=_tie_values(contest, rest, Stage.PRELIM, first)):
        ordered.append(scoring.Ranked(item.key, item.place + offset, item.score, item.tie_value, item.tied))
        made[item.key].aggregate, made[item.key].raw = rest[item.key], prelim_raw[item.key]
        made[item.key].totals = prelim_scores[item.key]
    levels = scoring.award_levels(ordered, scheme(contest))
    for item in ordered:
        row = made[item.key]
        row.place, row.tied, row.level = item.place, item.tied, levels.get(item.key, "")
    result_rows = [made[item.key] for item in ordered] + sorted(
        (r for pk, r in made.items() if r.place is None), key=lambda r: r.entry.code
    )
    results_ = Results(contest=contest, rows=result_rows, pending=sum(pending_by_entry.values()), has_final=has_final)
    if with_checks:
        _checks(contest, results_, rows, entries)
    return results_


def _checks(contest: Contest, results_: Results, rows, entries) -> None:
    from xuebi.org.models import User

    maximum = sum((c.max_score * c.weight for c in contest.criteria.all()), Decimal(0))
    by_group: dict[tuple[str, object], list] = defaultdict(list)
    totals: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for _pk, entry, judge, stage, total in rows:
        if entry not in entries:
            continue
        panel = entries[entry].panel.name if stage == Stage.PRELIM and entries[entry].panel else "决赛"
        by_group[(stage, panel)].append((judge, entry, total))
        totals[(entry, stage)].append(total)
    judge_ids = {judge for _pk, _e, judge, _s, _t in rows}
    results_.judges = {u.pk: str(u) for u in User.objects.filter(pk__in=judge_ids)}
    results_.spread = [
        (stage, panel, [(results_.judges.get(s.judge, ""), s) for s in scoring.judge_spread(group)])
        for (stage, panel), group in sorted(by_group.items())
    ]
    gaps = scoring.disagreements(totals, maximum=maximum) if maximum else {}
    results_.disagreements = {entry: gap for (entry, _stage), gap in gaps.items()}
    for row in results_.rows:
        row.gap = gaps.get((row.entry.pk, row.stage))
