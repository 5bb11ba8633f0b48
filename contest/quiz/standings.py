"""Standings: each member's counted attempt per round, updated whenever an attempt is finalised."""

from __future__ import annotations

from contest.core.clock import as_utc
from contest.extensions import db
from contest.quiz.models import Attempt, Round, Standing


def _live_key(missed: int, submitted_at, duration_ms: int, started_at, time_tiebreak: str) -> tuple:
    time_key = as_utc(submitted_at) if time_tiebreak == "submitted_at" else duration_ms
    return (missed, time_key, as_utc(started_at))


def record_result(attempt: Attempt, round_: Round) -> Standing:
    """Make the attempt the member's standing if it counts: the best one (fewer missed, then earlier or
    shorter, then earlier start) or, when the round counts the last attempt, the latest. Call it once the
    attempt is finalised (submitted or expired); it flushes and leaves the commit to the caller."""
    if attempt.correct is None or attempt.submitted_at is None or attempt.duration_ms is None:
        raise ValueError("record_result needs a finalised attempt")
    missed = attempt.total - attempt.correct
    standing = db.session.get(Standing, (round_.id, attempt.user_id), with_for_update=True)
    if standing is not None:
        if round_.counting == "last":
            replace = as_utc(attempt.submitted_at) >= as_utc(standing.submitted_at)
        else:
            new = _live_key(missed, attempt.submitted_at, attempt.duration_ms, attempt.started_at,
                            round_.time_tiebreak)
            old = _live_key(standing.missed, standing.submitted_at, standing.duration_ms, standing.started_at,
                            round_.time_tiebreak)
            replace = new < old
        if not replace:
            return standing
    else:
        standing = Standing(round_id=round_.id, user_id=attempt.user_id)
        db.session.add(standing)
    standing.attempt_id = attempt.id
    standing.unit_id = attempt.unit_id
    standing.correct = attempt.correct
    standing.total = attempt.total
    standing.missed = missed
    standing.prediction = attempt.prediction
    standing.submitted_at = attempt.submitted_at
    standing.duration_ms = attempt.duration_ms
    standing.started_at = attempt.started_at
    # A change after the round was finalised (a late server finalisation, say) voids the final ranks of the
    # whole round until it is finalised again.
    round_.finalised_at = None
    db.session.flush()
    from contest.quiz.leaderboard import clear_leaderboard_cache

    clear_leaderboard_cache(round_.id)
    return standing
