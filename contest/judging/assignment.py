"""Which judge scores which entry: N distinct judges per entry, never a conflict, loads as even as they can be.

Pure rules: plain data in, a plan out. The judging services load the round, call `assign_judges` and store the plan.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

NOT_ENOUGH_JUDGES = "not_enough_judges"  # even without conflicts the panel has too few judges left for the entry
CONFLICTS = "conflicts"  # the panel is big enough, but too many of its judges are in conflict with the entry


@dataclass(frozen=True)
class EntryInfo:
    """An entry as assignment sees it: the units and the accounts of its author and co-authors."""

    id: int
    unit_ids: frozenset[int] = frozenset()
    author_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class JudgeInfo:
    id: int
    unit_id: int | None = None


@dataclass(frozen=True)
class Unassigned:
    """An entry left with fewer than N judges: `missing` judges short, for `reason` (a code above)."""

    entry_id: int
    missing: int
    reason: str


@dataclass
class AssignmentPlan:
    new: list[tuple[int, int]] = field(default_factory=list)  # (entry_id, judge_id), sorted
    unassigned: list[Unassigned] = field(default_factory=list)  # sorted by entry id
    loads: dict[int, int] = field(default_factory=dict)  # judge_id -> existing + new assignments


def conflicted_judges(entry: EntryInfo, judges: Iterable[JudgeInfo], conflicts: Iterable[tuple[int, int]] = (),
                      same_unit_conflicts: bool = True) -> set[int]:
    """The ids of the judges who may not judge `entry` (the check for manual add and swap; the same rule as below)."""
    declared = {judge_id for judge_id, entry_id in conflicts if entry_id == entry.id}
    return {j.id for j in judges
            if j.id in declared or j.id in entry.author_ids
            or (same_unit_conflicts and j.unit_id is not None and j.unit_id in entry.unit_ids)}


def assign_judges(entries: Sequence[EntryInfo], judges: Sequence[JudgeInfo], per_entry: int,
                  existing: Mapping[int, Iterable[int]] | None = None,
                  conflicts: Iterable[tuple[int, int]] = (), same_unit_conflicts: bool = True) -> AssignmentPlan:
    """Plan the new assignments of a judging round.

    A judge is in conflict with an entry when (judge_id, entry_id) is in `conflicts` (declared by the judge or added
    by an organiser), when the judge is its author or a co-author (judge id in `author_ids`) and, with
    `same_unit_conflicts`, when the judge's unit is one of the entry's `unit_ids`. Only judges of the panel
    (`judges`) get new work.

    `existing` (entry id -> judge ids) is kept as it is: started work is never moved or removed, even if a conflict
    was declared since (the caller removes an assignment it wants redone). Existing judges count toward the entry's
    N and toward every judge's load, also judges no longer on the panel and entries no longer in the round.

    Guarantees:
    - Coverage first: every entry gets max(0, N - existing) new judges, or every eligible judge of the panel when
      there are fewer; balance never costs coverage (there is no per-judge cap, so no entry is ever left short "for
      capacity"). A short entry is reported in `unassigned` with how many judges it misses and why: NOT_ENOUGH_JUDGES
      when the panel, less the entry's existing judges, is smaller than what it still needs, else CONFLICTS.
    - New judges are distinct, never in conflict, never already on the entry.
    - Balance: among all plans with that coverage that keep `existing`, the loads (existing + new) of the panel are
      decreasingly minimal: the largest load is as small as possible, then as few judges as possible carry it, and so
      on down. Equivalently (loads of b-matchings form an M-convex set; Frank and Murota, "Discrete decreasing
      minimization", 2020) the sum of squared loads is minimal and the smallest load is as large as possible, so
      max - min is the least achievable: at most one whenever any plan achieves that, in particular on a
      conflict-free round without earlier assignments. With conflicts or uneven existing loads the spread can
      exceed one only because no plan does better.
    - Deterministic: ties go to the lower judge id, whatever the order of the input; running it again with the plan
      added to `existing` adds nothing.

    Method: greedy, most constrained entry first, each taking its least-loaded eligible judges; then repair along
    augmenting paths (judge a hands an entry to b, who hands another to c, ...) from a judge with load L to one with
    load L - 2 or less, until none is left. No such path is exactly the optimality condition of the convex-cost
    flow, which gives the balance guarantee. Judges are bit positions in Python ints, so a search over 100 judges
    costs a few thousand integer operations.
    """
    return _assign(entries, judges, per_entry, existing, conflicts, same_unit_conflicts, greedy=True)


def _assign(entries, judges, per_entry, existing, conflicts, same_unit_conflicts, *, greedy: bool) -> AssignmentPlan:
    """The plan; `greedy=False` starts from a poor plan (lowest ids first) so tests can prove the repair alone."""
    if per_entry < 0:
        raise ValueError("per_entry must be zero or more")
    panel = sorted(judges, key=lambda j: j.id)
    judge_ids = [j.id for j in panel]
    if len(set(judge_ids)) != len(judge_ids):
        raise ValueError("duplicate judge ids")
    ordered = sorted(entries, key=lambda e: e.id)
    if len({e.id for e in ordered}) != len(ordered):
        raise ValueError("duplicate entry ids")
    index = {jid: i for i, jid in enumerate(judge_ids)}
    count = len(panel)
    everyone = (1 << count) - 1

    unit_mask: dict[int, int] = {}
    for i, judge in enumerate(panel):
        if judge.unit_id is not None:
            unit_mask[judge.unit_id] = unit_mask.get(judge.unit_id, 0) | (1 << i)
    declared: dict[int, int] = {}
    for judge_id, entry_id in conflicts:
        i = index.get(judge_id)
        if i is not None:
            declared[entry_id] = declared.get(entry_id, 0) | (1 << i)

    loads = [0] * count
    off_panel: dict[int, int] = {}
    on_entry: dict[int, set[int]] = {}
    for entry_id, assigned in (existing or {}).items():
        distinct = set(assigned)
        on_entry[entry_id] = distinct
        for jid in distinct:
            i = index.get(jid)
            if i is None:
                off_panel[jid] = off_panel.get(jid, 0) + 1
            else:
                loads[i] += 1

    # Per entry: who may still be added (eligible), how many to add (take); short entries are reported.
    eligible: list[int] = []
    take: list[int] = []
    unassigned: list[Unassigned] = []
    for entry in ordered:
        already = on_entry.get(entry.id, set())
        taken = 0
        for jid in already:
            if jid in index:
                taken |= 1 << index[jid]
        blocked = taken | declared.get(entry.id, 0)
        for jid in entry.author_ids:
            if jid in index:
                blocked |= 1 << index[jid]
        if same_unit_conflicts:
            for unit_id in entry.unit_ids:
                blocked |= unit_mask.get(unit_id, 0)
        free = everyone & ~blocked
        need = max(0, per_entry - len(already))
        n = min(need, free.bit_count())
        eligible.append(free)
        take.append(n)
        if n < need:
            reason = NOT_ENOUGH_JUDGES if (everyone & ~taken).bit_count() < need else CONFLICTS
            unassigned.append(Unassigned(entry.id, need - n, reason))

    chosen = [0] * len(ordered)  # bit mask of the new judges of each entry
    held: list[dict[int, None]] = [{} for _ in range(count)]  # per judge: entry positions newly given (ordered set)

    # Greedy: entries with the least choice first, each taking the least-loaded eligible judges (ties by id).
    key = [loads[i] * count + i for i in range(count)]
    by_load = sorted(range(count), key=key.__getitem__) if greedy else list(range(count))
    order = sorted((p for p in range(len(ordered)) if take[p]),
                   key=lambda p: (eligible[p].bit_count() - take[p], eligible[p].bit_count(), ordered[p].id))
    for p in order:
        free, wanted, picked = eligible[p], take[p], 0
        for i in by_load:
            if free >> i & 1:
                picked |= 1 << i
                loads[i] += 1
                key[i] += count
                held[i][p] = None
                wanted -= 1
                if not wanted:
                    break
        chosen[p] = picked
        if greedy:
            by_load.sort(key=key.__getitem__)

    # Repair: move one unit of load along a path from a judge with load L to one with load <= L - 2, while any.
    while (path := _improving_path(loads, eligible, chosen, held)) is not None:
        for giver, p, receiver in path:
            chosen[p] ^= (1 << giver) | (1 << receiver)
            del held[giver][p]
            held[receiver][p] = None
        loads[path[0][0]] -= 1
        loads[path[-1][2]] += 1

    new = []
    for p, entry in enumerate(ordered):
        bits = chosen[p]
        while bits:
            low = bits & -bits
            new.append((entry.id, judge_ids[low.bit_length() - 1]))
            bits ^= low
    result_loads = {jid: loads[i] for i, jid in enumerate(judge_ids)}
    for jid, n in sorted(off_panel.items()):
        result_loads[jid] = n
    return AssignmentPlan(new=new, unassigned=unassigned, loads=result_loads)


def _improving_path(loads: list[int], eligible: list[int], chosen: list[int],
                    held: list[dict[int, None]]) -> list[tuple[int, int, int]] | None:
    """A shortest path [(giver, entry position, receiver), ...] from a judge with load L to one with load <= L - 2.

    Breadth-first from the most loaded judges, adding the next load level's judges as sources when the previous
    levels found nothing: a judge reached from a source of level t was not low enough for it (load > t - 2), so it
    cannot be low enough for a lower level either, and one search serves every level. Edge x -> y: x holds a new
    assignment to an entry y is eligible for and not already on.
    """
    if not loads:
        return None
    lowest = min(loads)
    levels: dict[int, list[int]] = {}
    for i, load in enumerate(loads):
        levels.setdefault(load, []).append(i)
    parent: dict[int, tuple[int, int] | None] = {}
    reached = 0
    queue: deque[int] = deque()
    for level in sorted(levels, reverse=True):
        if level - 2 < lowest:
            return None
        for i in levels[level]:
            if not reached >> i & 1:
                reached |= 1 << i
                parent[i] = None
                queue.append(i)
        while queue:
            x = queue.popleft()
            for p in held[x]:
                fresh = eligible[p] & ~chosen[p] & ~reached
                while fresh:
                    low = fresh & -fresh
                    fresh ^= low
                    y = low.bit_length() - 1
                    reached |= low
                    parent[y] = (x, p)
                    if loads[y] <= level - 2:
                        path = []
                        while (step := parent[y]) is not None:
                            path.append((step[0], step[1], y))
                            y = step[0]
                        path.reverse()
                        return path
                    queue.append(y)
    return None
