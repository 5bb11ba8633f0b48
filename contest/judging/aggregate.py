"""From rubric scores to a ranking: weighted totals, aggregation across judges, disagreement, agreement, advance.

Pure functions over plain numbers keyed by ids; the judging services load the scores and store or show the results.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

METHODS = ("mean", "trimmed_mean", "median", "zscore")
TRIM_FROM = 5  # the trimmed mean drops the highest and the lowest total only with this many judges or more
GRID_STEPS = 500  # agreement: values are rounded to at most this many steps over their range (see there)
DIGITS = 9  # totals and scores equal to this many decimals are equal: float noise must not split a tie


@dataclass(frozen=True)
class Criterion:
    """A rubric criterion as aggregation sees it (the judging model's criteria have the same attributes)."""

    id: int
    max_score: float
    weight: float


def rubric_scale(criteria: Iterable[Criterion]) -> tuple[float, float]:
    """The range of a judge's total on this rubric: 0 to the sum of the weights (100 for weights 40, 20, 10, 30)."""
    return (0.0, math.fsum(c.weight for c in criteria))


def weighted_total(scores: Mapping[int, float], criteria: Sequence[Criterion]) -> float:
    """One judge's total for one entry: Σ score_i / max_score_i × weight_i, on the scale 0..Σ weights.

    So each criterion's weight is its share of the total whatever its own range: with content 40, creativity 20,
    form 10 and impact 30 out of 100, a content score of 8 out of 10 brings 32 points. Every criterion must be
    scored, within 0..max_score; a score for a criterion outside the rubric is refused. The total is rounded to
    DIGITS decimals, so equal totals reached by different sums compare equal.
    """
    known = {c.id for c in criteria}
    unknown = set(scores) - known
    if unknown:
        raise ValueError(f"scores for criteria outside the rubric: {sorted(unknown)}")
    parts = []
    for c in criteria:
        if c.max_score <= 0 or c.weight < 0:
            raise ValueError(f"criterion {c.id}: max_score must be positive and weight not negative")
        if c.id not in scores:
            raise ValueError(f"no score for criterion {c.id}")
        value = scores[c.id]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"criterion {c.id}: the score must be a number")
        if not 0 <= value <= c.max_score:
            raise ValueError(f"criterion {c.id}: score {value} outside 0..{c.max_score}")
        parts.append(value * c.weight / c.max_score)
    return round(math.fsum(parts), DIGITS)


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _pstdev(values: Sequence[float], mean: float) -> float:
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


def trimmed_mean(values: Sequence[float]) -> float:
    """Mean without the single highest and single lowest value when there are TRIM_FROM (5) or more; else the mean."""
    ordered = sorted(values)
    if len(ordered) >= TRIM_FROM:
        ordered = ordered[1:-1]
    return _mean(ordered)


def aggregate(totals: Mapping[int, Mapping[int, float]], method: str = "mean",
              scale: tuple[float, float] = (0.0, 100.0)) -> dict[int, float]:
    """Each entry's score from its judges' totals (entry id -> judge id -> total). Entries without totals are left out.

    - "mean": the mean of the entry's totals.
    - "trimmed_mean": the mean after dropping the single highest and lowest total, with 5 or more judges; the mean
      with fewer (dropping two of four totals would throw away half the evidence).
    - "median": the middle total (the mean of the two middle ones for an even count).
    - "zscore": corrects lenient and harsh judges. For each judge j, over every entry j scored in `totals`:
      z = (x - mean_j) / sd_j, with sd_j the population standard deviation of j's totals; a judge with a single
      total or with all totals equal gives z = 0 (their scores say nothing about rank, so the entry sits at the
      average). An entry's score is M + z̄ × S, clipped to `scale`, where z̄ is the mean z of its judges and M and S
      are the mean and population standard deviation of all the round's totals: the rubric's scale and the
      round's overall level and spread, without any judge's own offset or stretch. It assumes judges' shares of
      entries are alike on average, which random balanced assignment gives.
    """
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}")
    scored = {entry_id: list(by_judge.values()) for entry_id, by_judge in totals.items() if by_judge}
    if method == "mean":
        return {entry_id: _mean(values) for entry_id, values in scored.items()}
    if method == "trimmed_mean":
        return {entry_id: trimmed_mean(values) for entry_id, values in scored.items()}
    if method == "median":
        return {entry_id: float(statistics.median(values)) for entry_id, values in scored.items()}
    return _zscore(totals, scale)


def _zscore(totals: Mapping[int, Mapping[int, float]], scale: tuple[float, float]) -> dict[int, float]:
    per_judge: dict[int, list[float]] = {}
    for by_judge in totals.values():
        for judge_id, value in by_judge.items():
            per_judge.setdefault(judge_id, []).append(value)
    standard: dict[int, tuple[float, float]] = {}
    for judge_id, values in per_judge.items():
        mean = _mean(values)
        sd = _pstdev(values, mean) if max(values) > min(values) else 0.0
        standard[judge_id] = (mean, sd)
    everything = [v for values in per_judge.values() for v in values]
    if not everything:
        return {}
    overall_mean = _mean(everything)
    overall_sd = _pstdev(everything, overall_mean) if max(everything) > min(everything) else 0.0
    low, high = scale
    result = {}
    for entry_id, by_judge in totals.items():
        if not by_judge:
            continue
        zs = []
        for judge_id, value in by_judge.items():
            mean, sd = standard[judge_id]
            zs.append((value - mean) / sd if sd else 0.0)
        result[entry_id] = min(high, max(low, overall_mean + _mean(zs) * overall_sd))
    return result


def spread(values: Iterable[float]) -> float:
    """Highest minus lowest total of an entry; 0 for fewer than two."""
    values = list(values)
    return max(values) - min(values) if values else 0.0


def flag_disagreement(values: Iterable[float], threshold: float | None) -> bool:
    """True when the judges' spread is strictly above the threshold (None: never), so an organiser may add a judge."""
    if threshold is None:
        return False
    return round(spread(values), DIGITS) > threshold


def agreement(totals: Mapping[int, Mapping[int, float]]) -> float | None:
    """Krippendorff's alpha for interval data between the judges of a round (entry id -> judge id -> total).

    Computed by nltk's AnnotationTask with interval_distance (squared difference) on (judge, entry, value) triples.
    Entries scored by a single judge are not pairable: nltk drops them from both the observed and the expected
    disagreement, as Krippendorff's definition does. None when no entry has two judges' totals, and when every
    pairable total is the same (alpha is 0/0 then; nltk would answer 1).

    nltk's computation is quadratic in the number of distinct values (and refuses more than 10,000), so the totals
    are first put on a grid of at most GRID_STEPS steps of 1, 2 or 5 × 10^k over their range (0.2 on a 100-point
    rubric) and given to it as integers: interval alpha does not change with the unit, and the rounding moves it by
    far less than the precision anyone reads it with (5e-6 on 5,000 entries, which take about 0.1 s).
    """
    pairable = {entry_id: by_judge for entry_id, by_judge in totals.items() if len(by_judge) >= 2}
    values = [v for by_judge in pairable.values() for v in by_judge.values()]
    if not values:
        return None
    width = max(values) - min(values)
    if width <= 0:
        return None
    target = width / GRID_STEPS
    power = 10.0 ** math.floor(math.log10(target))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= target)
    triples = [(judge_id, entry_id, round(value / step))
               for entry_id, by_judge in pairable.items() for judge_id, value in by_judge.items()]
    if len({label for _, _, label in triples}) < 2:
        return None

    from nltk.metrics.agreement import AnnotationTask  # imported here: nltk is slow to import and rarely needed
    from nltk.metrics.distance import interval_distance

    return float(AnnotationTask(data=triples, distance=interval_distance).alpha())


def rank_entries(aggregated: Mapping[int, float]) -> list[tuple[int, int, float]]:
    """(rank, entry id, score), best first. Equal scores (to DIGITS decimals) share a rank, the next rank skips
    ("1, 2, 2, 4"); within a tie entries are listed by id, for display only."""
    ordered = sorted(aggregated.items(), key=lambda item: (-round(item[1], DIGITS), item[0]))
    ranked = []
    previous = None
    for position, (entry_id, score) in enumerate(ordered, start=1):
        key = round(score, DIGITS)
        if key != previous:
            rank, previous = position, key
        ranked.append((rank, entry_id, score))
    return ranked


def advance(ranked: Sequence[tuple[int, int, float]], top: int | None = None,
            min_score: float | None = None) -> list[int]:
    """The entry ids that go on to the next round, in ranked order.

    `top` K keeps every entry ranked K or better, which is the first K plus everyone tied with the K-th (a tie is
    never cut in two). `min_score` keeps every entry scoring at least that (inclusive). With both, an entry must meet
    both; with neither, ValueError.
    """
    if top is None and min_score is None:
        raise ValueError("give top, min_score or both")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 0):
        raise ValueError("top must be a whole number, zero or more")
    chosen = []
    for rank, entry_id, score in ranked:
        if top is not None and rank > top:
            continue
        if min_score is not None and round(score, DIGITS) < min_score:
            continue
        chosen.append(entry_id)
    return chosen
