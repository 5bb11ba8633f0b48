"""The ranking rule as a pure function: every level of tie, no prediction, nobody all correct."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contest.quiz.ranking import NO_PREDICTION, Result, all_correct_count, counted_results, prize_tiers, rank_results

T0 = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)


def res(user, correct, *, total=10, submitted=0, duration=None, started=0, prediction=None, attempt=None):
    started_at = T0 + timedelta(seconds=started)
    submitted_at = T0 + timedelta(seconds=submitted)
    if duration is None:
        duration = int((submitted_at - started_at).total_seconds() * 1000)
    return Result(user_id=user, correct=correct, total=total, submitted_at=submitted_at, duration_ms=duration,
                  started_at=started_at, prediction=prediction, attempt_id=attempt)


def order(ranked):
    return [(r.rank, r.result.user_id) for r in ranked]


def test_more_correct_answers_first():
    ranked, actual = rank_results([res(1, 7), res(2, 9), res(3, 8)])
    assert order(ranked) == [(1, 2), (2, 3), (3, 1)]
    assert actual is None


def test_live_board_ignores_the_prediction():
    results = [res(1, 10, submitted=50, prediction=2), res(2, 10, submitted=40, prediction=999)]
    ranked, _ = rank_results(results, final=False)
    assert order(ranked) == [(1, 2), (2, 1)]
    assert all(r.prediction_error is None for r in ranked)


def test_final_board_uses_the_prediction_closest_to_the_actual_number():
    # Three participants answered all correctly, so the actual number is 3.
    results = [res(1, 10, submitted=50, prediction=2), res(2, 10, submitted=40, prediction=5),
               res(3, 10, submitted=10, prediction=None), res(4, 9, submitted=1, prediction=2)]
    ranked, actual = rank_results(results, final=True)
    assert actual == 3
    # errors: user 1 -> 1, user 2 -> 2, user 3 -> none (last), user 4 has fewer correct answers anyway.
    assert order(ranked) == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert [r.prediction_error for r in ranked] == [1, 2, NO_PREDICTION, 1]


def test_prediction_distance_counts_in_both_directions():
    results = [res(1, 5, prediction=0, submitted=1), res(2, 5, prediction=4, submitted=2),
               res(3, 10, prediction=0, submitted=3), res(4, 10, prediction=2, submitted=4)]
    ranked, actual = rank_results(results, final=True)
    assert actual == 2
    # Users 3 and 4 have all correct; 4 predicted exactly. Among 1 and 2: both err by 2, so submission decides.
    assert order(ranked) == [(1, 4), (2, 3), (3, 1), (4, 2)]


def test_earlier_submission_breaks_ties_then_earlier_start():
    results = [res(1, 8, submitted=100, started=10), res(2, 8, submitted=90, started=50),
               res(3, 8, submitted=100, started=5)]
    ranked, _ = rank_results(results)
    assert order(ranked) == [(1, 2), (2, 3), (3, 1)]


def test_duration_tiebreak():
    results = [res(1, 8, started=0, submitted=100), res(2, 8, started=60, submitted=120),
               res(3, 8, started=0, submitted=100, duration=100_000)]
    ranked, _ = rank_results(results, time_tiebreak="duration")
    # user 2 took 60 s; users 1 and 3 took 100 s and started together: equal keys share a rank.
    assert order(ranked) == [(1, 2), (2, 1), (2, 3)]


def test_exact_ties_share_a_rank_and_the_next_rank_skips():
    results = [res(1, 9, submitted=5), res(2, 9, submitted=5), res(3, 8, submitted=1)]
    ranked, _ = rank_results(results)
    assert order(ranked) == [(1, 1), (1, 2), (3, 3)]


def test_nobody_all_correct_makes_zero_the_actual_number():
    results = [res(1, 9, prediction=0, submitted=9), res(2, 9, prediction=3, submitted=1), res(3, 8, prediction=0)]
    ranked, actual = rank_results(results, final=True)
    assert actual == 0
    assert order(ranked) == [(1, 1), (2, 2), (3, 3)]


def test_round_without_prediction_question_ranks_by_time_when_final():
    results = [res(1, 9, submitted=9), res(2, 9, submitted=1)]
    ranked, _ = rank_results(results, final=True)
    assert order(ranked) == [(1, 2), (2, 1)]


def test_each_member_once_by_their_best_attempt():
    results = [res(1, 6, submitted=10, attempt=11), res(1, 9, submitted=300, attempt=12),
               res(1, 9, submitted=200, attempt=13), res(2, 8, submitted=1, attempt=21)]
    ranked, _ = rank_results(results)
    assert order(ranked) == [(1, 1), (2, 2)]
    assert ranked[0].result.attempt_id == 13


def test_last_attempt_counts_when_the_round_says_so():
    results = [res(1, 9, submitted=10, attempt=11), res(1, 4, submitted=300, attempt=12)]
    ranked, _ = rank_results(results, counting="last")
    assert ranked[0].result.attempt_id == 12


def test_all_correct_counts_participants_not_attempts():
    results = [res(1, 10, submitted=1), res(1, 10, submitted=2), res(2, 3)]
    assert all_correct_count(counted_results(results)) == 1
    _, actual = rank_results(results, final=True)
    assert actual == 1


def test_final_best_attempt_may_be_chosen_by_prediction():
    # Same score; the later attempt predicted better, which matters more than time once the round is final.
    results = [res(1, 10, submitted=10, prediction=50, attempt=1), res(1, 10, submitted=20, prediction=1, attempt=2)]
    ranked, actual = rank_results(results, final=True)
    assert actual == 1
    assert ranked[0].result.attempt_id == 2


def test_empty_round():
    assert rank_results([], final=True) == ([], 0)


def test_unknown_rules_are_refused():
    with pytest.raises(ValueError):
        rank_results([res(1, 1)], time_tiebreak="alphabetical")
    with pytest.raises(ValueError):
        rank_results([res(1, 1)], counting="worst")


def test_prize_tiers_follow_counts_and_do_not_split_ties():
    results = [res(u, 10 - u, submitted=u) for u in range(1, 8)]
    ranked, _ = rank_results(results)
    tiers = prize_tiers(ranked, {"first": 1, "second": 2, "third": 3, "consolation": 0})
    assert tiers == {1: "first", 2: "second", 3: "second", 4: "third", 5: "third", 6: "third"}

    tied = [res(1, 9, submitted=1), res(2, 9, submitted=1), res(3, 8), res(4, 7), res(5, 6)]
    ranked, _ = rank_results(tied)
    tiers = prize_tiers(ranked, {"first": 1, "second": 1, "third": 1, "consolation": 1})
    # Users 1 and 2 tie for first: both get it, and the second tier is absorbed.
    assert tiers == {1: "first", 2: "first", 3: "third", 4: "consolation"}


def test_prize_tiers_with_fewer_participants_than_prizes():
    ranked, _ = rank_results([res(1, 5)])
    assert prize_tiers(ranked, {"first": 1, "second": 2, "third": 3, "consolation": 10}) == {1: "first"}
