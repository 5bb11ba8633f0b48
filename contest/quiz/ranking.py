"""Ranking of a quiz round, the national online contests' rule, as pure functions.

Order: more correct answers; then (once the round has closed) the prediction closest to the actual number of
participants who answered everything correctly; then the earlier submission (or the shorter duration); then the
earlier start. Each member appears once, with their counted attempt. Equal keys share a rank ("1, 2, 2, 4").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from contest.results.awards import propose

NO_PREDICTION = 10**12  # a missing prediction ranks after every real one


@dataclass(frozen=True)
class Result:
    """One finished attempt, as ranking sees it."""

    user_id: int
    correct: int
    total: int
    submitted_at: datetime
    duration_ms: int
    started_at: datetime
    prediction: int | None = None
    attempt_id: int | None = None


@dataclass(frozen=True)
class Ranked:
    rank: int
    result: Result
    prediction_error: int | None  # None while the round is live (the actual number is not known yet)


def all_correct_count(results: Iterable[Result]) -> int:
    """How many participants answered every question correctly (one result per participant)."""
    return sum(1 for r in results if r.total > 0 and r.correct == r.total)


def prediction_error(result: Result, actual: int | None) -> int | None:
    if actual is None:
        return None
    if result.prediction is None:
        return NO_PREDICTION
    return abs(result.prediction - actual)


def sort_key(result: Result, *, time_tiebreak: str = "submitted_at", actual: int | None = None) -> tuple:
    if time_tiebreak not in ("submitted_at", "duration"):
        raise ValueError(f"unknown time tiebreak {time_tiebreak!r}")
    error = prediction_error(result, actual)
    time_key = result.submitted_at if time_tiebreak == "submitted_at" else result.duration_ms
    return (result.total - result.correct, 0 if error is None else error, time_key, result.started_at)


def counted_results(results: Iterable[Result], *, counting: str = "best", time_tiebreak: str = "submitted_at",
                    actual: int | None = None) -> list[Result]:
    """One result per member: the best under the ranking keys, or the last submitted."""
    if counting not in ("best", "last"):
        raise ValueError(f"unknown counting rule {counting!r}")
    chosen: dict[int, Result] = {}
    for r in results:
        held = chosen.get(r.user_id)
        if held is None:
            chosen[r.user_id] = r
        elif counting == "last":
            if (r.submitted_at, r.started_at) > (held.submitted_at, held.started_at):
                chosen[r.user_id] = r
        elif sort_key(r, time_tiebreak=time_tiebreak, actual=actual) < sort_key(
                held, time_tiebreak=time_tiebreak, actual=actual):
            chosen[r.user_id] = r
    return list(chosen.values())


def rank_results(results: Iterable[Result], *, time_tiebreak: str = "submitted_at", final: bool = False,
                 counting: str = "best") -> tuple[list[Ranked], int | None]:
    """Rank a round's finished attempts. Returns the ranking and the actual all-correct count (None if live).

    While the round is live (`final` False) the prediction is not used, since the actual number is unknown.
    """
    results = list(results)
    actual = None
    if final:
        # The all-correct count is over participants: a member counts once, by the attempt that counts.
        actual = all_correct_count(counted_results(results, counting=counting, time_tiebreak=time_tiebreak))
    counted = counted_results(results, counting=counting, time_tiebreak=time_tiebreak, actual=actual)
    keyed = sorted(((sort_key(r, time_tiebreak=time_tiebreak, actual=actual), r) for r in counted),
                   key=lambda kr: (kr[0], kr[1].user_id))
    ranked: list[Ranked] = []
    previous_key = None
    for position, (key, r) in enumerate(keyed, start=1):
        rank = ranked[-1].rank if key == previous_key else position
        ranked.append(Ranked(rank, r, prediction_error(r, actual)))
        previous_key = key
    return ranked, actual


def prize_tiers(ranked: Sequence[Ranked], prizes: dict[str, int]) -> dict[int, str]:
    """Proposed prize tier per user: the first N ranked get 'first', the next M 'second', and so on.

    A tie at the border of a tier is not split: everyone sharing the rank of the last place in a tier gets that
    tier, and the next tier shrinks accordingly (organisers confirm or edit proposals).
    """
    proposed = propose([(item.rank, item.result.user_id) for item in ranked], prizes,
                       tiers=("first", "second", "third", "consolation"))
    return {user_id: tier for tier, user_id in proposed}


__all__ = ["NO_PREDICTION", "Ranked", "Result", "all_correct_count", "counted_results", "prediction_error",
           "prize_tiers", "rank_results", "sort_key"]
