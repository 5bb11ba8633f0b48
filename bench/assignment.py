"""Benchmark of the judge assignment: 5,000 entries, 100 judges, 3 judges per entry, judges and authors from 30 units.

Pure Python, no database: times `assign_judges` (median of 3 runs), checks the plan's invariants and prints a
markdown section. `bench/run.py` calls `run()`; `python bench/assignment.py` runs it alone.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from contest.judging.assignment import EntryInfo, JudgeInfo, assign_judges, conflicted_judges  # noqa: E402

ENTRIES = 5_000
JUDGES = 100
PER_ENTRY = 3
UNITS = 30
TARGET_SECONDS = 2.0


def make_round(entries: int = ENTRIES, judges: int = JUDGES, units: int = UNITS, seed: int = 2026):
    """A realistic round: every judge and author belongs to one of `units` units (some much bigger than others);
    one entry in four has a co-author, often from another unit; a few judges wrote entries themselves; judges
    declared conflicts with about one entry in a hundred."""
    rng = random.Random(seed)
    weights = [1.0 / (u + 1) for u in range(units)]  # unit sizes follow a rough Zipf law
    unit_ids = list(range(1, units + 1))
    panel = [JudgeInfo(id=j, unit_id=rng.choices(unit_ids, weights)[0]) for j in range(1, judges + 1)]
    items = []
    for e in range(1, entries + 1):
        author_units = {rng.choices(unit_ids, weights)[0]}
        authors = {100_000 + e}
        if rng.random() < 0.25:
            author_units.add(rng.choices(unit_ids, weights)[0])
            authors.add(200_000 + e)
        if rng.random() < 0.002:  # a judge's own entry
            authors.add(rng.randint(1, judges))
        items.append(EntryInfo(id=e, unit_ids=frozenset(author_units), author_ids=frozenset(authors)))
    conflicts = {(rng.randint(1, judges), rng.randint(1, entries)) for _ in range(entries // 100 * 3)}
    return items, panel, conflicts


def check(plan, entries, judges, per_entry, conflicts) -> dict:
    """The plan's invariants; raises AssertionError on any breach. Returns the load figures."""
    by_entry: dict[int, list[int]] = {}
    for entry_id, judge_id in plan.new:
        by_entry.setdefault(entry_id, []).append(judge_id)
    short = {u.entry_id: u.missing for u in plan.unassigned}
    for entry in entries:
        got = by_entry.get(entry.id, [])
        assert len(got) == len(set(got)), f"duplicate judge on entry {entry.id}"
        assert len(got) + short.get(entry.id, 0) == per_entry, f"entry {entry.id} has {len(got)} judges"
        bad = conflicted_judges(entry, judges, conflicts) & set(got)
        assert not bad, f"conflicted judges {bad} on entry {entry.id}"
    loads = [plan.loads[j.id] for j in judges]
    assert sum(loads) == len(plan.new)
    return {"max_load": max(loads), "min_load": min(loads), "unassigned": len(plan.unassigned)}


def run(repeats: int = 3) -> dict:
    entries, judges, conflicts = make_round()
    times = []
    plan = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        plan = assign_judges(entries, judges, PER_ENTRY, {}, conflicts)
        times.append(time.perf_counter() - t0)
    figures = check(plan, entries, judges, PER_ENTRY, conflicts)
    return {"entries": len(entries), "judges": len(judges), "per_entry": PER_ENTRY, "units": UNITS,
            "declared_conflicts": len(conflicts), "assignments": len(plan.new), "seconds": statistics.median(times),
            "runs": times, **figures}


def report(result: dict) -> str:
    return "\n".join([
        "## Judge assignment",
        "",
        f"- {result['entries']:,} entries, {result['judges']} judges, {result['per_entry']} judges per entry, judges "
        f"and authors from {result['units']} units (same-unit conflicts on), {result['declared_conflicts']} declared "
        f"conflicts: **{result['seconds']:.2f} s** (median of {len(result['runs'])}; target: under "
        f"{TARGET_SECONDS:.0f} s).",
        f"- {result['assignments']:,} assignments, {result['unassigned']} entries short of judges, judge loads "
        f"{result['min_load']}–{result['max_load']}; no conflicts, no duplicates (checked).",
    ])


def main() -> int:
    result = run()
    print(report(result))
    return 0 if result["seconds"] < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
