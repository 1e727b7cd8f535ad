"""Which judge scores which entry: a pure function of ids and "home" units, no database.

Rules (issue 16):
* every entry gets ``per_entry`` judges of its panel (fewer only when the panel has fewer judges
  free of a conflict — the caller reports those entries);
* a judge never scores an entry from their own department (conflict of interest: the same
  ``home`` key, the 组织部 both belong to);
* loads are balanced: after the greedy pass (each entry takes the least-loaded free judges)
  assignments move from a judge to a less loaded one who may score the entry until no judge
  carries two more than another who could have taken one of their entries.
* entries are spread over the preliminary panels the same way: an entry goes to the panel with
  the fewest entries among those with enough judges free of a conflict with it.

Deterministic: the same input gives the same assignment (ties go to the smaller id).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Candidate", "spread_over_panels", "assign", "short_of_judges"]


@dataclass(frozen=True)
class Candidate:
    id: int
    home: str  # the key of the 组织部 the entry or the judge belongs to ("" when unknown)


def _free(entry: Candidate, judge: Candidate) -> bool:
    return not (entry.home and judge.home and entry.home == judge.home)


def spread_over_panels(entries: Sequence[Candidate], panels: Mapping[int, Sequence[Candidate]], per_entry: int) -> dict[int, int]:
    """{entry id: panel id}: each entry to the least-filled panel that has ``per_entry`` judges
    free of a conflict with it (or, failing that, the one with the most such judges)."""
    filled: dict[int, int] = defaultdict(int)
    made = {}
    for entry in sorted(entries, key=lambda e: e.id):
        free = {pid: sum(_free(entry, j) for j in judges) for pid, judges in panels.items()}
        enough = [pid for pid in sorted(panels) if free[pid] >= per_entry]
        if enough:
            chosen = min(enough, key=lambda pid: (filled[pid], pid))
        else:
            chosen = max(sorted(panels), key=lambda pid: (free[pid], -filled[pid]))
        made[entry.id] = chosen
        filled[chosen] += 1
    return made


def assign(entries: Sequence[Candidate], judges: Sequence[Candidate], per_entry: int) -> dict[int, list[int]]:
    """{entry id: [judge ids]} for one panel's entries and judges."""
    load: dict[int, int] = {j.id: 0 for j in judges}
    made: dict[int, list[int]] = {}
    by_id = {j.id: j for j in judges}
    # Entries with the fewest free judges choose first, so they are not left short.
    order = sorted(entries, key=lambda e: (sum(_free(e, j) for j in judges), e.id))
    for entry in order:
        free = sorted((j for j in judges if _free(entry, j)), key=lambda j: (load[j.id], j.id))
        chosen = [j.id for j in free[:per_entry]]
        for jid in chosen:
            load[jid] += 1
        made[entry.id] = sorted(chosen)
    entries_by_id = {e.id: e for e in entries}
    # Rebalance: move an assignment from a judge to one carrying two fewer who may take it.
    moved = True
    while moved:
        moved = False
        for eid in sorted(made):
            entry = entries_by_id[eid]
            for jid in sorted(made[eid], key=lambda j: (-load[j], j)):
                takers = [
                    other
                    for other in sorted(by_id, key=lambda j: (load[j], j))
                    if other not in made[eid] and _free(entry, by_id[other]) and load[other] + 1 < load[jid]
                ]
                if takers:
                    made[eid] = sorted([*(j for j in made[eid] if j != jid), takers[0]])
                    load[jid] -= 1
                    load[takers[0]] += 1
                    moved = True
                    break
    return made


def short_of_judges(made: Mapping[int, Sequence[int]], per_entry: int) -> list[int]:
    """The entries that got fewer judges than asked (the panel lacks judges free of a conflict)."""
    return sorted(eid for eid, judges in made.items() if len(judges) < per_entry)
