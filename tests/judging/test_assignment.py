"""Judge assignment as a pure function: exactly N, distinct, balanced, conflict-free, reported when impossible, stable.

The property tests compare with an exhaustive search over every plan of small random rounds.
"""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.judging.assignment import (
    CONFLICTS,
    NOT_ENOUGH_JUDGES,
    EntryInfo,
    JudgeInfo,
    Unassigned,
    _assign,
    assign_judges,
    conflicted_judges,
)

FAST = settings(max_examples=150, deadline=None, database=None)


def entry(id, units=(), authors=()):
    return EntryInfo(id=id, unit_ids=frozenset(units), author_ids=frozenset(authors))


def panel(n, unit=None):
    return [JudgeInfo(id=j, unit_id=unit) for j in range(1, n + 1)]


def judges_of(plan):
    out: dict[int, list[int]] = {}
    for entry_id, judge_id in plan.new:
        out.setdefault(entry_id, []).append(judge_id)
    return out


def spread(plan, judges):
    loads = [plan.loads[j.id] for j in judges]
    return max(loads) - min(loads)


# --- examples ------------------------------------------------------------------------------------------------------

def test_every_entry_gets_exactly_n_distinct_judges_and_loads_are_even():
    entries = [entry(e) for e in range(1, 11)]
    judges = panel(4)
    plan = assign_judges(entries, judges, 3)
    got = judges_of(plan)
    assert all(len(got[e.id]) == len(set(got[e.id])) == 3 for e in entries)
    assert sorted(plan.loads.values()) == [7, 7, 8, 8]  # 30 assignments over 4 judges
    assert plan.unassigned == []
    assert plan.new == sorted(plan.new)


def test_loads_differ_by_at_most_one():
    plan = assign_judges([entry(e) for e in range(1, 8)], panel(3), 2)
    assert sorted(plan.loads.values()) == [4, 5, 5]


def test_declared_conflicts_are_never_assigned():
    entries = [entry(e) for e in range(1, 6)]
    conflicts = {(1, 1), (2, 1), (1, 3)}
    plan = assign_judges(entries, panel(4), 2, conflicts=conflicts)
    assert not conflicts & {(j, e) for e, j in plan.new}
    assert sorted(judges_of(plan)[1]) == [3, 4]
    assert plan.unassigned == []


def test_a_judge_never_judges_their_own_entry_or_one_they_co_wrote():
    entries = [entry(1, authors={2}), entry(2, authors={90, 3}), entry(3)]
    plan = assign_judges(entries, panel(3), 2)
    got = judges_of(plan)
    assert 2 not in got[1] and 3 not in got[2]
    assert sorted(got[1]) == [1, 3] and sorted(got[2]) == [1, 2]


def test_same_unit_conflicts_can_be_switched_off():
    judges = [JudgeInfo(1, unit_id=10), JudgeInfo(2, unit_id=20), JudgeInfo(3, unit_id=None), JudgeInfo(4, unit_id=30)]
    entries = [entry(1, units={10, 30}), entry(2, units={20})]
    on = judges_of(assign_judges(entries, judges, 2))
    assert sorted(on[1]) == [2, 3] and 2 not in on[2]
    off = assign_judges(entries, judges, 3, same_unit_conflicts=False)
    assert off.unassigned == [] and 1 in judges_of(off)[1]


def test_a_judge_without_a_unit_conflicts_with_no_unit():
    plan = assign_judges([entry(1, units={5})], [JudgeInfo(1, unit_id=None)], 1)
    assert plan.new == [(1, 1)]


def test_a_panel_smaller_than_n_is_reported_and_every_judge_still_assigned():
    plan = assign_judges([entry(1), entry(2)], panel(2), 3)
    assert sorted(plan.new) == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert plan.unassigned == [Unassigned(1, 1, NOT_ENOUGH_JUDGES), Unassigned(2, 1, NOT_ENOUGH_JUDGES)]


def test_too_many_conflicts_are_reported_and_the_other_entries_still_assigned():
    judges = [JudgeInfo(1, 7), JudgeInfo(2, 7), JudgeInfo(3, 8), JudgeInfo(4, 9)]
    entries = [entry(1, units={7}), entry(2, units={7, 8, 9}), entry(3)]
    plan = assign_judges(entries, judges, 3)
    got = judges_of(plan)
    assert sorted(got[1]) == [3, 4] and 2 not in got
    assert len(got[3]) == 3
    assert plan.unassigned == [Unassigned(1, 1, CONFLICTS), Unassigned(2, 3, CONFLICTS)]


def test_no_judges_at_all():
    plan = assign_judges([entry(1)], [], 2)
    assert plan.new == [] and plan.loads == {}
    assert plan.unassigned == [Unassigned(1, 2, NOT_ENOUGH_JUDGES)]


def test_the_reason_counts_only_the_judges_not_already_on_the_entry():
    # Four judges, one already on the entry: three are left for the two missing places, but two conflict.
    judges = [JudgeInfo(1), JudgeInfo(2, 5), JudgeInfo(3, 5), JudgeInfo(4)]
    plan = assign_judges([entry(1, units={5})], judges, 3, existing={1: {1}})
    assert plan.new == [(1, 4)]
    assert plan.unassigned == [Unassigned(1, 1, CONFLICTS)]
    # Two judges, one already on it: one left for two places, whatever the conflicts.
    plan = assign_judges([entry(1)], panel(2), 3, existing={1: {1}})
    assert plan.unassigned == [Unassigned(1, 1, NOT_ENOUGH_JUDGES)]


def test_existing_assignments_are_kept_and_counted():
    entries = [entry(e) for e in range(1, 5)]
    existing = {1: {1, 2}, 2: {1}, 3: {1, 2, 3}}
    plan = assign_judges(entries, panel(3), 3, existing=existing)
    assert plan.new == [(1, 3), (2, 2), (2, 3), (4, 1), (4, 2), (4, 3)]  # only the missing judges added
    assert plan.loads == {1: 4, 2: 4, 3: 4}
    assert plan.unassigned == []


def test_an_entry_already_over_n_keeps_its_judges_and_gets_none():
    plan = assign_judges([entry(1), entry(2)], panel(3), 2, existing={1: {1, 2, 3}})
    assert [e for e, _ in plan.new] == [2, 2]
    assert sum(plan.loads.values()) == 5


def test_existing_loads_steer_new_work_to_the_less_busy_judges():
    existing = {100 + e: {1} for e in range(6)}  # judge 1 already has six entries of the round
    plan = assign_judges([entry(e) for e in range(1, 7)], panel(3), 1, existing=existing)
    assert plan.loads == {1: 6, 2: 3, 3: 3}
    assert all(j != 1 for _, j in plan.new)


def test_existing_judges_off_the_panel_count_but_get_nothing_new():
    plan = assign_judges([entry(1), entry(2)], panel(2), 2, existing={1: {99}})
    assert judges_of(plan) == {1: [1], 2: [1, 2]} or judges_of(plan) == {1: [2], 2: [1, 2]}
    assert plan.loads[99] == 1
    assert plan.unassigned == []


def test_started_work_is_kept_even_after_a_conflict_appears():
    plan = assign_judges([entry(1)], panel(3), 2, existing={1: {1}}, conflicts={(1, 1)})
    assert len(plan.new) == 1 and plan.new[0][1] != 1
    assert plan.loads[1] == 1


def test_rerun_with_the_plan_as_existing_adds_nothing():
    judges = [JudgeInfo(j, j % 3) for j in range(1, 8)]
    entries = [entry(e, units={e % 4}) for e in range(1, 30)]
    first = assign_judges(entries, judges, 3, conflicts={(1, 2), (5, 9)})
    existing = judges_of(first)
    again = assign_judges(entries, judges, 3, existing=existing, conflicts={(1, 2), (5, 9)})
    assert again.new == []
    assert again.loads == first.loads
    assert again.unassigned == first.unassigned


def test_the_same_round_in_any_order_gives_the_same_plan():
    rng = random.Random(7)
    judges = [JudgeInfo(j, rng.randint(1, 4)) for j in range(1, 12)]
    entries = [entry(e, units={rng.randint(1, 4)}) for e in range(1, 60)]
    conflicts = {(rng.randint(1, 11), rng.randint(1, 59)) for _ in range(20)}
    plan = assign_judges(entries, judges, 3, conflicts=conflicts)
    for _ in range(3):
        rng.shuffle(entries)
        rng.shuffle(judges)
        assert assign_judges(entries, judges, 3, conflicts=set(conflicts)) == plan


def test_repair_moves_work_along_a_chain_of_judges():
    # Greedy alone gives judge 1 two entries and judge 3 none; the fix is 1 -> 2 -> 3: judge 1 hands entry 1 to
    # judge 2, who hands entry 2 to judge 3 (the only other judge entry 2 may have).
    judges = [JudgeInfo(1, 3), JudgeInfo(2, None), JudgeInfo(3, 2)]
    entries = [entry(1, units={2}), entry(2, units={1, 3}), entry(3, units={2})]
    plan = assign_judges(entries, judges, 1)
    assert plan.loads == {1: 1, 2: 1, 3: 1}
    assert plan.new == [(1, 2), (2, 3), (3, 1)]


def test_conflicts_push_the_rest_onto_the_others_as_evenly_as_possible():
    # Judges 1-2 may judge only entries 1-2; the 16 other places go to judges 3-5 (5, 5, 6 or so).
    judges = [JudgeInfo(1, 1), JudgeInfo(2, 1), JudgeInfo(3, 2), JudgeInfo(4, 2), JudgeInfo(5, 3)]
    entries = [entry(1, units={9}), entry(2, units={9})] + [entry(e, units={1}) for e in range(3, 11)]
    plan = assign_judges(entries, judges, 2, same_unit_conflicts=True)
    assert plan.unassigned == []
    assert plan.loads[1] == plan.loads[2] == 2
    assert sorted(plan.loads[j] for j in (3, 4, 5)) == [5, 5, 6]


def test_per_entry_zero_adds_nothing_and_bad_input_is_refused():
    assert assign_judges([entry(1)], panel(2), 0).new == []
    with pytest.raises(ValueError):
        assign_judges([entry(1)], panel(2), -1)
    with pytest.raises(ValueError):
        assign_judges([entry(1), entry(1)], panel(2), 1)
    with pytest.raises(ValueError):
        assign_judges([entry(1)], [JudgeInfo(1), JudgeInfo(1)], 1)


def test_conflicted_judges_is_the_same_rule_for_manual_changes():
    judges = [JudgeInfo(1, 5), JudgeInfo(2, 6), JudgeInfo(3, None), JudgeInfo(4, 7)]
    e = entry(1, units={5}, authors={3})
    assert conflicted_judges(e, judges, {(4, 1), (2, 99)}) == {1, 3, 4}
    assert conflicted_judges(e, judges, {(4, 1)}, same_unit_conflicts=False) == {3, 4}


# --- properties ----------------------------------------------------------------------------------------------------

@st.composite
def rounds(draw, max_entries=6, max_judges=5, max_per_entry=3, with_conflicts=True, with_existing=True):
    n_judges = draw(st.integers(0, max_judges))
    units = st.integers(1, 3)
    judges = [JudgeInfo(j, draw(st.none() | units) if with_conflicts else None) for j in range(1, n_judges + 1)]
    n_entries = draw(st.integers(0, max_entries))
    entries = []
    for e in range(1, n_entries + 1):
        if with_conflicts:
            unit_ids = draw(st.frozensets(units, max_size=2))
            authors = draw(st.frozensets(st.integers(1, max_judges + 2), max_size=1))
        else:
            unit_ids = authors = frozenset()
        entries.append(EntryInfo(e, unit_ids, authors))
    per_entry = draw(st.integers(1, max_per_entry))
    conflicts = set()
    if with_conflicts and n_judges and n_entries:
        conflicts = draw(st.sets(st.tuples(st.integers(1, n_judges), st.integers(1, n_entries)), max_size=4))
    existing = {}
    if with_existing and n_entries:
        ids = st.integers(1, max_judges + 1)  # may name a judge who left the panel
        existing = draw(st.dictionaries(st.integers(1, n_entries + 1), st.sets(ids, max_size=3), max_size=3))
    same_unit = draw(st.booleans())
    return entries, judges, per_entry, existing, conflicts, same_unit


def eligible_sets(entries, judges, existing, conflicts, same_unit):
    """Who may still be added to each entry, computed the slow, obvious way."""
    out = {}
    for e in entries:
        out[e.id] = {
            j.id for j in judges
            if (j.id, e.id) not in conflicts and j.id not in e.author_ids
            and not (same_unit and j.unit_id is not None and j.unit_id in e.unit_ids)
            and j.id not in existing.get(e.id, set())
        }
    return out


def best_loads(entries, judges, per_entry, existing, eligible):
    """Every load vector any maximal-coverage plan can reach (dynamic programming over entries)."""
    order = [j.id for j in judges]
    start = tuple(sum(1 for js in existing.values() if j in js) for j in order)
    reachable = {start}
    for e in entries:
        k = min(max(0, per_entry - len(existing.get(e.id, set()))), len(eligible[e.id]))
        step = set()
        for loads in reachable:
            for combo in combinations(sorted(eligible[e.id]), k):
                new = list(loads)
                for j in combo:
                    new[order.index(j)] += 1
                step.add(tuple(new))
        reachable = step
    return reachable


@FAST
@given(rounds())
def test_plans_keep_every_rule(instance):
    entries, judges, per_entry, existing, conflicts, same_unit = instance
    plan = assign_judges(entries, judges, per_entry, existing, conflicts, same_unit)
    eligible = eligible_sets(entries, judges, existing, conflicts, same_unit)
    got = judges_of(plan)
    short = {u.entry_id: u for u in plan.unassigned}
    assert len(short) == len(plan.unassigned)
    panel_ids = {j.id for j in judges}
    for e in entries:
        mine = got.get(e.id, [])
        before = set(existing.get(e.id, set()))
        assert len(mine) == len(set(mine))  # distinct
        assert set(mine) <= eligible[e.id]  # no conflict, not already on it, on the panel
        need = max(0, per_entry - len(before))
        assert len(mine) == min(need, len(eligible[e.id]))  # coverage as large as it can be
        assert len(before) + len(mine) <= max(per_entry, len(before))
        if len(mine) < need:
            reason = NOT_ENOUGH_JUDGES if len(panel_ids - before) < need else CONFLICTS
            assert short.pop(e.id) == Unassigned(e.id, need - len(mine), reason)
    assert not short
    assert {e for e, _ in plan.new} <= {e.id for e in entries}
    counted = {}
    for js in existing.values():
        for j in js:
            counted[j] = counted.get(j, 0) + 1
    for _, j in plan.new:
        counted[j] = counted.get(j, 0) + 1
    assert {j: n for j, n in plan.loads.items() if n} == counted
    assert panel_ids <= set(plan.loads)


@FAST
@given(rounds())
def test_loads_are_the_most_even_any_plan_reaches(instance):
    entries, judges, per_entry, existing, conflicts, same_unit = instance
    plan = assign_judges(entries, judges, per_entry, existing, conflicts, same_unit)
    eligible = eligible_sets(entries, judges, existing, conflicts, same_unit)
    if not judges:
        return
    options = best_loads(entries, judges, per_entry, existing, eligible)
    ours = [plan.loads[j.id] for j in judges]
    assert tuple(ours) in options
    assert sum(x * x for x in ours) == min(sum(x * x for x in o) for o in options)
    assert max(ours) == min(max(o) for o in options)
    assert min(ours) == max(min(o) for o in options)
    assert sorted(ours, reverse=True) == min(sorted(o, reverse=True) for o in options)


@FAST
@given(rounds())
def test_the_repair_alone_reaches_the_most_even_loads(instance):
    # From a poor start (every entry takes its lowest-id judges) the augmenting paths must do all the balancing.
    entries, judges, per_entry, existing, conflicts, same_unit = instance
    plan = _assign(entries, judges, per_entry, existing, conflicts, same_unit, greedy=False)
    if not judges:
        return
    eligible = eligible_sets(entries, judges, existing, conflicts, same_unit)
    options = best_loads(entries, judges, per_entry, existing, eligible)
    ours = [plan.loads[j.id] for j in judges]
    assert tuple(ours) in options
    assert sorted(ours, reverse=True) == min(sorted(o, reverse=True) for o in options)
    assert all(set(js) <= eligible[e] for e, js in judges_of(plan).items())


def test_the_repair_alone_balances_a_large_round():
    judges = [JudgeInfo(j, j % 10) for j in range(1, 41)]
    entries = [entry(e, units={e % 13}) for e in range(1, 801)]
    plan = _assign(entries, judges, 3, {}, set(), True, greedy=False)
    assert spread(plan, judges) <= 1
    assert sorted(plan.loads.values()) == sorted(assign_judges(entries, judges, 3).loads.values())


@FAST
@given(rounds(max_entries=40, max_judges=12, max_per_entry=4, with_conflicts=False, with_existing=False))
def test_without_conflicts_loads_differ_by_at_most_one(instance):
    entries, judges, per_entry, existing, conflicts, same_unit = instance
    plan = assign_judges(entries, judges, per_entry, existing, conflicts, same_unit)
    if judges:
        assert spread(plan, judges) <= 1
    if len(judges) >= per_entry:
        assert plan.unassigned == []
        assert len(plan.new) == per_entry * len(entries)


@FAST
@given(rounds(max_entries=12, max_judges=8), st.randoms(use_true_random=False))
def test_plans_are_deterministic_and_stable(instance, rng):
    entries, judges, per_entry, existing, conflicts, same_unit = instance
    plan = assign_judges(entries, judges, per_entry, existing, conflicts, same_unit)
    shuffled_entries, shuffled_judges = list(entries), list(judges)
    rng.shuffle(shuffled_entries)
    rng.shuffle(shuffled_judges)
    assert assign_judges(shuffled_entries, shuffled_judges, per_entry, existing, conflicts, same_unit) == plan
    merged = {e: set(js) for e, js in existing.items()}
    for e, j in plan.new:
        merged.setdefault(e, set()).add(j)
    again = assign_judges(entries, judges, per_entry, merged, conflicts, same_unit)
    assert again.new == []
    assert again.loads == plan.loads
