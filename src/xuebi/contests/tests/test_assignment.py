"""Assigning entries to judges: conflicts of interest never, balance always (a property test)."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from xuebi.contests.assignment import Candidate, assign, short_of_judges, spread_over_panels

HOMES = ["A", "B", "C", "D", "E"]


@st.composite
def contests(draw):
    judges = [Candidate(100 + i, draw(st.sampled_from(HOMES))) for i in range(draw(st.integers(1, 9)))]
    entries = [Candidate(i, draw(st.sampled_from(HOMES))) for i in range(draw(st.integers(0, 40)))]
    return entries, judges, draw(st.integers(1, 6))


@settings(max_examples=200, deadline=None)
@given(contests())
def test_no_conflicts_every_entry_served_loads_balanced(contest):
    entries, judges, per_entry = contest
    made = assign(entries, judges, per_entry)
    homes = {j.id: j.home for j in judges}
    load = Counter(j for chosen in made.values() for j in chosen)
    for entry in entries:
        chosen = made[entry.id]
        assert all(homes[j] != entry.home for j in chosen), "a judge scores an entry of their own unit"
        assert len(set(chosen)) == len(chosen)
        free = [j for j in judges if j.home != entry.home]
        assert len(chosen) == min(per_entry, len(free)), "an entry got fewer judges than it could have"
        # no judge of this entry carries two more than a free judge who could have taken it
        for jid in chosen:
            for other in free:
                if other.id not in chosen:
                    assert load[jid] <= load[other.id] + 1
    assert short_of_judges(made, per_entry) == sorted(e.id for e in entries if sum(j.home != e.home for j in judges) < per_entry)


def test_without_conflicts_loads_differ_by_one_at_most():
    judges = [Candidate(100 + i, f"J{i}") for i in range(7)]
    made = assign([Candidate(i, "X") for i in range(23)], judges, 5)
    load = Counter(j for chosen in made.values() for j in chosen)
    assert sum(load.values()) == 23 * 5 and max(load.values()) - min(load.values()) <= 1


def test_the_same_input_gives_the_same_assignment():
    judges = [Candidate(100 + i, HOMES[i % 3]) for i in range(6)]
    entries = [Candidate(i, HOMES[i % 5]) for i in range(30)]
    assert assign(entries, judges, 3) == assign(list(reversed(entries)), judges, 3)


def test_entries_spread_over_panels_evenly_and_away_from_conflicts():
    panels = {
        1: [Candidate(11, "A"), Candidate(12, "A"), Candidate(13, "B")],
        2: [Candidate(21, "C"), Candidate(22, "D"), Candidate(23, "E")],
    }
    entries = [Candidate(i, "A") for i in range(4)] + [Candidate(10 + i, "Z") for i in range(4)]
    where = spread_over_panels(entries, panels, 3)
    assert all(where[i] == 2 for i in range(4)), "entries of A need a panel with three judges free of A"
    assert Counter(where.values()) == {1: 4, 2: 4}
