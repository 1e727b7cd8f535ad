"""The 评优评先 basis: candidates of a unit ranked by a weighted combination of components (points, grades, awards,
checklist performance …). Pure: numbers in, ranking out; no database, no clock, no float.

Each component is put on a 0–100 scale **within the unit** (a person's value over the unit's highest, × 100; a
component where nobody has anything gives 0 to all), so points in the hundreds and a handful of awards weigh as the
weights say, not as their units do. The score is the weighted mean of the scaled values, kept to 2 decimals; a
missing value counts as 0. Ties share a rank (1, 2, 2, 4), ordered by name within a tie."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["Component", "Candidate", "Ranked", "rank"]

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    weight: Decimal


@dataclass
class Candidate:
    person_id: int
    name: str
    unit: str
    values: dict[str, Decimal | None] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class Ranked:
    rank: int
    candidate: Candidate
    score: Decimal
    scaled: dict[str, Decimal]


def rank(candidates: list[Candidate], components: list[Component]) -> list[Ranked]:
    used = [c for c in components if c.weight > 0]
    total = sum((c.weight for c in used), Decimal(0))
    tops = {c.key: max((x.values.get(c.key) or Decimal(0) for x in candidates), default=Decimal(0)) for c in used}
    scored = []
    for candidate in candidates:
        scaled = {}
        for c in used:
            value = candidate.values.get(c.key) or Decimal(0)
            scaled[c.key] = (Decimal(value) / tops[c.key] * HUNDRED) if tops[c.key] > 0 else Decimal(0)
        score = sum((scaled[c.key] * c.weight for c in used), Decimal(0)) / total if total else Decimal(0)
        scored.append(
            (score.quantize(CENT, ROUND_HALF_UP), candidate, {k: v.quantize(CENT, ROUND_HALF_UP) for k, v in scaled.items()})
        )
    scored.sort(key=lambda s: (-s[0], s[1].name, s[1].person_id))
    out: list[Ranked] = []
    for i, (score, candidate, scaled) in enumerate(scored):
        place = out[-1].rank if out and out[-1].score == score else i + 1
        out.append(Ranked(rank=place, candidate=candidate, score=score, scaled=scaled))
    return out
