"""Item statistics of an exam (试题分析), as Moodle's quiz statistics report defines them — pure
functions over the scores of the counted attempts, no ORM.

For one question answered in n attempts, with item scores xᵢ (out of ``max``) and the attempts'
totals Tᵢ (Moodle's "Quiz statistics calculations"):

* facility index (难度系数/得分率) — mean(x) / max × 100: the share of the points people got;
* standard deviation — the sample SD of x (n − 1), as a percentage of ``max``;
* discrimination index (区分度) — 100 × the correlation of x with the rest of the test, Tᵢ − xᵢ
  (the item left out, so an item does not correlate with itself);
* discriminative efficiency — the discrimination index over the largest it could be with these
  scores (the correlation of the sorted x with the sorted rest), 100 × r / r_max;
* Cronbach's alpha (信度) of the test, k items all answered by everyone:
  α = k/(k−1) · (1 − Σσ²ᵢ/σ²ₜ), sample variances.

A figure that cannot be computed — one attempt, no spread — is ``None``, shown as "—".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["ItemFigures", "item_figures", "cronbach_alpha", "own_choices", "most_chosen_wrong", "mean", "sample_sd"]


@dataclass(frozen=True)
class ItemFigures:
    answered: int
    facility: float | None  # %
    sd: float | None  # % of the item's points
    discrimination: float | None  # %, −100 … 100
    efficiency: float | None  # %


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def sample_variance(values: Sequence[float]) -> float | None:
    if len(values) < 2:
        return None
    m = sum(values) / len(values)
    return sum((v - m) ** 2 for v in values) / (len(values) - 1)


def sample_sd(values: Sequence[float]) -> float | None:
    var = sample_variance(values)
    return None if var is None else math.sqrt(var)


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; ``None`` when either side has no spread (or fewer than two pairs)."""
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_figures(scores: Sequence[float], totals: Sequence[float], maximum: float) -> ItemFigures:
    """The figures of one question: ``scores[i]`` its score in attempt i, ``totals[i]`` that
    attempt's total (this question included)."""
    n = len(scores)
    if not n or maximum <= 0:
        return ItemFigures(n, None, None, None, None)
    facility = 100 * sum(scores) / n / maximum
    sd = sample_sd(scores)
    rest = [t - s for s, t in zip(scores, totals)]
    r = correlation(scores, rest)
    efficiency = None
    if r is not None:
        r_max = correlation(sorted(scores), sorted(rest))
        efficiency = 100 * r / r_max if r_max and r_max > 1e-12 else None
    return ItemFigures(
        answered=n,
        facility=facility,
        sd=None if sd is None else 100 * sd / maximum,
        discrimination=None if r is None else 100 * r,
        efficiency=efficiency,
    )


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """α of a test from ``matrix[attempt][item]`` (every attempt answered the same k items).
    ``None`` with fewer than two attempts or items, or when the totals do not vary."""
    if len(matrix) < 2:
        return None
    k = len(matrix[0])
    if k < 2 or any(len(row) != k for row in matrix):
        return None
    item_vars = [sample_variance([row[j] for row in matrix]) or 0.0 for j in range(k)]
    total_var = sample_variance([sum(row) for row in matrix]) or 0.0
    if total_var <= 1e-12:
        return None
    return k / (k - 1) * (1 - sum(item_vars) / total_var)


def own_choices(response: Iterable[int] | None, order: Sequence[int]) -> list[int]:
    """The options a response picked, as indexes into the question's own options (``order`` maps
    the attempt's shown index to the question's index; empty means shown as stored)."""
    out = []
    for shown in response or []:
        if isinstance(shown, bool) or not isinstance(shown, int):
            continue
        if order:
            if 0 <= shown < len(order):
                out.append(order[shown])
        else:
            out.append(shown)
    return out


def most_chosen_wrong(picks: Iterable[tuple[list[int], Sequence[int]]]) -> tuple[int, int] | None:
    """The wrong option chosen most often and how often: ``picks`` are (own indexes chosen, own
    indexes of the key) per attempt. Ties go to the option that comes first; ``None`` when no one
    chose a wrong option."""
    counter: Counter[int] = Counter()
    for chosen, key in picks:
        right = set(key)
        counter.update({i for i in chosen if i not in right})
    if not counter:
        return None
    best = max(counter.values())
    option = min(i for i, c in counter.items() if c == best)
    return option, best
