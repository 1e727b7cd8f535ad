"""A judged contest's arithmetic, as pure functions of numbers: no database, no clock.

* ``aggregate`` — one entry's judges' totals → its score: with at least ``trim_from`` scores the
  one highest and one lowest are dropped and the rest averaged, else the plain mean (DOMAIN.md
  "Judged contests"). The score is kept to 3 decimals (the tie-break) and shown to 2.
* ``rank`` — scores → places, ties sharing a place (1, 2, 2, 4) unless a tie-break separates them.
* ``award_levels`` — places → 一等奖 / 二等奖 / … by counts or by shares of the entries.
* ``finalists`` — a panel's places → who goes to the final (the top K, ties at the line included).
* ``normalise`` — each judge's scores as z-scores mapped back onto the panel's mean and spread.
* ``judge_spread`` / ``disagreements`` — the score-spread checks shown to the organiser.

All arithmetic is Decimal; rounding is ROUND_HALF_UP, as a clerk rounds.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)  # what is ranked: an entry's id in the app, a letter in the tests

__all__ = [
    "Aggregate",
    "Ranked",
    "AwardLevel",
    "aggregate",
    "weighted_total",
    "rank",
    "award_levels",
    "level_sizes",
    "finalists",
    "normalise",
    "judge_spread",
    "disagreements",
    "TIE_BREAKS",
]

TWO = Decimal("0.01")
THREE = Decimal("0.001")

# How entries whose scores are equal to 3 decimals are told apart: not at all (they share the
# place and the award), by the mean of all their scores (the dropped ones included), or by their
# score on the rubric's first criterion (e.g. 内容).
TIE_BREAKS = ("share", "full_mean", "first_criterion")


def _q(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, ROUND_HALF_UP)


def decimal_places(value: Decimal) -> int:
    """How many decimals a typed number has (0 for an integer or a special value)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def weighted_total(scores: Mapping[int, Decimal], weights: Mapping[int, Decimal]) -> Decimal:
    """A judge's total for one entry: the sum of each criterion's score times its weight, to 2
    decimals (a judge scores to 2 decimals)."""
    return _q(sum((Decimal(scores[key]) * Decimal(weights.get(key, 1)) for key in scores), Decimal(0)), TWO)


@dataclass(frozen=True)
class Aggregate:
    """One entry's score from its judges' totals: ``score`` to 3 decimals (what ranks), ``shown``
    to 2 (what is printed), which scores were dropped, and the full mean (a tie-break)."""

    score: Decimal
    count: int
    trimmed: bool
    dropped_high: Decimal | None = None
    dropped_low: Decimal | None = None
    full_mean: Decimal = Decimal(0)

    @property
    def shown(self) -> Decimal:
        return _q(self.score, TWO)


def aggregate(totals: Sequence[Decimal], *, trim_from: int) -> Aggregate | None:
    """The entry's score: drop one highest and one lowest when at least ``trim_from`` judges
    scored (and at least three did — dropping two of two leaves nothing), else the plain mean.
    None when nobody scored yet."""
    values = sorted(Decimal(v) for v in totals)
    if not values:
        return None
    full = sum(values, Decimal(0)) / len(values)
    if len(values) >= max(trim_from, 3):
        kept = values[1:-1]
        return Aggregate(
            score=_q(sum(kept, Decimal(0)) / len(kept), THREE),
            count=len(values),
            trimmed=True,
            dropped_high=values[-1],
            dropped_low=values[0],
            full_mean=_q(full, THREE),
        )
    return Aggregate(score=_q(full, THREE), count=len(values), trimmed=False, full_mean=_q(full, THREE))


@dataclass(frozen=True)
class Ranked(Generic[K]):
    key: K
    place: int
    score: Decimal
    tie_value: Decimal | None = None
    tied: bool = False  # shares its place with another entry


def rank(scores: Mapping[K, Decimal], *, tie_values: Mapping[K, Decimal] | None = None) -> list[Ranked[K]]:
    """Entries in order, best first, with places in the competition style: equal scores share a
    place and the next place is skipped (1, 2, 2, 4). ``tie_values`` (the configured tie-break's
    value per entry) separate equal scores first; entries equal on both share the place. Entries
    with the same place are listed by key, so the order is deterministic."""
    ties: Mapping[K, Decimal] = tie_values or {}

    def order(key: K):
        tie = ties.get(key)
        return (-scores[key], -(tie if tie is not None else Decimal(0)), str(key))

    keys = sorted(scores, key=order)
    made: list[Ranked[K]] = []
    for position, key in enumerate(keys, start=1):
        same_as_previous = bool(made) and scores[key] == made[-1].score and ties.get(key) == made[-1].tie_value
        place = made[-1].place if same_as_previous else position
        made.append(Ranked(key, place, scores[key], ties.get(key)))
    counts: dict[int, int] = defaultdict(int)
    for item in made:
        counts[item.place] += 1
    return [Ranked(r.key, r.place, r.score, r.tie_value, counts[r.place] > 1) for r in made]


@dataclass(frozen=True)
class AwardLevel:
    """One level of the award scheme: its name, how many (``count``) or what share of the
    entries (``share``, 0–1), and the points it gives. ``count`` and ``share`` both None: every
    remaining entry (优秀奖 for all the rest)."""

    name: str
    count: int | None = None
    share: Decimal | None = None
    points: Decimal = Decimal(0)
    extra: dict = field(default_factory=dict)


def level_sizes(levels: Sequence[AwardLevel], entries: int) -> list[int]:
    """How many entries each level takes: a count as given; a share of the entries rounded half
    up, and at least one when the share is above nought; the open level takes what is left. The
    levels never take more than there are entries, the first levels first."""
    sizes, left = [], entries
    for level in levels:
        if level.count is not None:
            size = level.count
        elif level.share is not None:
            size = int(_q(Decimal(entries) * Decimal(level.share), Decimal(1))) if entries else 0
            if level.share > 0 and entries:
                size = max(size, 1)
        else:
            size = left
        size = max(0, min(size, left))
        sizes.append(size)
        left -= size
    return sizes


def award_levels(ranking: Sequence[Ranked[K]], levels: Sequence[AwardLevel]) -> dict[K, str]:
    """{entry: level name} for the entries that win something. A level of size n goes to the
    entries placed within the first n places of what is left; entries that share a place share
    its level, so a tie at a level's last place gives that level to all of them (and the next
    level has that many fewer places: the places are positions, 1, 2, 2, 4)."""
    sizes = level_sizes(levels, len(ranking))
    bounds, total = [], 0
    for level, size in zip(levels, sizes, strict=True):
        total += size
        bounds.append((total, level.name))
    won: dict[K, str] = {}
    for item in ranking:
        for bound, name in bounds:
            if item.place <= bound:
                won[item.key] = name
                break
    return won


def finalists(ranking: Sequence[Ranked[K]], top: int) -> list[K]:
    """The entries of a panel that go to the final: those placed within the first ``top`` places
    (so a tie at the line takes every tied entry)."""
    return [item.key for item in ranking if item.place <= top]


def _mean_sd(values: Sequence[Decimal]) -> tuple[float, float]:
    floats = [float(v) for v in values]
    mean = statistics.fmean(floats)
    sd = statistics.pstdev(floats) if len(floats) > 1 else 0.0
    return mean, sd


def normalise(scores: Iterable[tuple[object, object, Decimal]]) -> dict[tuple[object, object], Decimal]:
    """Per-judge normalisation for panels whose judges saw different entries: each judge's totals
    become z-scores against that judge's own mean and spread, mapped back onto the mean and spread
    of every total in the panel: ``panel_mean + z × panel_sd``. A judge who gave everything the
    same score (no spread) gets the panel mean for each. ``scores``: (judge, entry, total) →
    {(judge, entry): normalised total, to 2 decimals}."""
    rows = list(scores)
    if not rows:
        return {}
    panel_mean, panel_sd = _mean_sd([total for _j, _e, total in rows])
    by_judge: dict[object, list[Decimal]] = defaultdict(list)
    for judge, _entry, total in rows:
        by_judge[judge].append(total)
    stats = {judge: _mean_sd(totals) for judge, totals in by_judge.items()}
    made = {}
    for judge, entry, total in rows:
        mean, sd = stats[judge]
        z = (float(total) - mean) / sd if sd > 0 else 0.0
        made[(judge, entry)] = _q(Decimal(repr(panel_mean + z * panel_sd)), TWO)
    return made


@dataclass(frozen=True)
class JudgeSpread:
    judge: object
    count: int
    mean: Decimal
    sd: Decimal
    offset: Decimal  # the judge's mean minus the median of all judges' means
    flagged: bool  # systematically stricter or more lenient than the others


def judge_spread(scores: Iterable[tuple[object, object, Decimal]]) -> list[JudgeSpread]:
    """Each judge's average and spread against the others': a judge whose mean lies further from
    the median of the judges' means than three median absolute deviations — and at least 5% of
    that median — is flagged as too strict or too lenient. The median, not the mean, so one
    outlying judge does not drag the others with them; needs three judges (with two, which one
    is off cannot be told)."""
    rows = list(scores)
    judges = sorted({judge for judge, _e, _t in rows}, key=str)
    stats = {judge: _mean_sd([t for j, _e, t in rows if j == judge]) for judge in judges}
    means = [mean for mean, _sd in stats.values()]
    centre = statistics.median(means) if means else 0.0
    mad = statistics.median([abs(m - centre) for m in means]) if means else 0.0
    threshold = max(3 * mad, 0.05 * abs(centre))
    made = []
    for judge in judges:
        mean, sd = stats[judge]
        offset = mean - centre
        made.append(
            JudgeSpread(
                judge,
                sum(1 for j, _e, _t in rows if j == judge),
                _q(Decimal(repr(mean)), TWO),
                _q(Decimal(repr(sd)), TWO),
                _q(Decimal(repr(offset)), TWO),
                len(judges) >= 3 and abs(offset) > threshold,
            )
        )
    return made


def disagreements(
    totals: Mapping[K, Sequence[Decimal]], *, maximum: Decimal, share: Decimal = Decimal("0.2")
) -> dict[K, Decimal]:
    """Entries whose judges disagree strongly: the highest and lowest total more than ``share``
    of the rubric's maximum apart (20 points of 100 by default). {entry: the gap}."""
    made = {}
    for key, values in totals.items():
        if len(values) < 2:
            continue
        gap = max(values) - min(values)
        if gap > Decimal(maximum) * share:
            made[key] = _q(Decimal(gap), TWO)
    return made
