"""Organiser reports: the pure functions by hand-computed examples, then the same numbers from the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contest.extensions import db
from contest.quiz import reports
from contest.quiz.reports import MarkedAttempt, question_statistics
from tests.quiz.board_factories import (
    clean_cache,  # noqa: F401  (autouse)
    gen_attempt,
    gen_members,
    gen_round,
    gen_versions,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# Ten attempts, ids 1..10, scores 5 4 4 3 3 3 2 2 1 0. 27 % of 10 is 2.7 -> groups of 3:
# top = attempts 1, 2, 3; bottom = attempts 8, 9, 10.
SCORES = [5, 4, 4, 3, 3, 3, 2, 2, 1, 0]
RIGHT = {
    100: {1, 2, 3, 4, 5},  # share 0.5; top 3/3, bottom 0/3 -> discrimination 1.0
    200: {1, 8, 9, 10},  # share 0.4; top 1/3, bottom 3/3 -> -0.667: broken
    300: set(range(1, 10)),  # share 0.9: not above 0.9, not too easy; top 1, bottom 2/3 -> 0.333
    400: set(range(1, 11)),  # share 1.0: too easy; discrimination 0
}
ONLY_FIVE = 500  # drawn by attempt 5 alone (in neither group), answered correctly


def hand_example() -> list[MarkedAttempt]:
    out = []
    for attempt_id, score in enumerate(SCORES, start=1):
        marks = [(vid, attempt_id in right) for vid, right in RIGHT.items()]
        if attempt_id == 5:
            marks.append((ONLY_FIVE, True))
        out.append(MarkedAttempt(attempt_id, score, tuple(marks)))
    return out


def check_hand_example(stats: dict[int, dict]) -> None:
    assert (stats[100]["drawn"], stats[100]["correct"], stats[100]["share_correct"]) == (10, 5, 0.5)
    assert stats[100]["discrimination"] == 1.0
    assert stats[200]["share_correct"] == 0.4 and stats[200]["discrimination"] == pytest.approx(-0.6667, abs=1e-4)
    assert stats[200]["broken"] is True and stats[200]["too_easy"] is False
    assert stats[300]["share_correct"] == 0.9 and stats[300]["too_easy"] is False
    assert stats[300]["discrimination"] == pytest.approx(0.3333, abs=1e-4)
    assert stats[400]["share_correct"] == 1.0 and stats[400]["too_easy"] is True
    assert stats[400]["discrimination"] == 0 and stats[400]["broken"] is False
    assert stats[ONLY_FIVE]["discrimination"] is None and stats[ONLY_FIVE]["broken"] is False
    assert (stats[ONLY_FIVE]["top_drawn"], stats[ONLY_FIVE]["bottom_drawn"]) == (0, 0)
    assert (stats[100]["top_drawn"], stats[100]["bottom_drawn"]) == (3, 3)


# --- pure functions ---------------------------------------------------------------------------------------

def test_question_statistics_by_a_hand_computed_example():
    stats = {s.version_id: s.as_dict() for s in question_statistics(hand_example())}
    check_hand_example(stats)


def test_question_statistics_do_not_depend_on_input_order():
    attempts = hand_example()
    assert [s.as_dict() for s in question_statistics(reversed(attempts))] == [
        s.as_dict() for s in question_statistics(attempts)]


def test_ties_at_the_cuts_go_by_attempt_id():
    # Four equal scores: groups of one; the top is the lowest id, the bottom the highest.
    attempts = [MarkedAttempt(i, 3, ((1, i == 1),)) for i in (4, 2, 1, 3)]
    [stat] = question_statistics(attempts)
    assert (stat.top_drawn, stat.top_correct, stat.bottom_drawn, stat.bottom_correct) == (1, 1, 1, 0)
    assert stat.discrimination == 1.0


def test_no_attempts_no_statistics():
    assert question_statistics([]) == []
    [only] = question_statistics([MarkedAttempt(1, 1, ((9, True),))])
    assert only.discrimination is None  # one attempt cannot tell strong from weak: it counts in the top group only


@pytest.mark.parametrize(("n", "k"), [(0, 0), (1, 1), (2, 1), (3, 1), (4, 1), (6, 2), (10, 3), (100, 27), (37, 10)])
def test_group_size_is_27_percent_rounded(n, k):
    assert reports.group_size(n) == k


@pytest.mark.parametrize(("choices", "keys", "ok"), [
    ("a", {"a"}, True), ("", {"a"}, False), (None, {"a"}, False), ("b", {"a"}, False),
    ("ac", {"a", "c"}, True), ("ca", {"a", "c"}, True), ("a", {"a", "c"}, False), ("abc", {"a", "c"}, False),
    ("a", set(), False),
])
def test_an_answer_is_correct_when_it_chose_exactly_the_correct_keys(choices, keys, ok):
    assert reports.is_correct(choices, frozenset(keys)) is ok


def test_mark_attempt_reads_positions_from_the_frozen_questions():
    questions = [{"v": 7, "o": "abcd"}, {"v": 8, "o": "dcba"}, {"v": 9, "o": "ab"}]
    keys = {7: frozenset("a"), 8: frozenset("b"), 9: frozenset("ab")}
    assert reports.mark_attempt(questions, {1: "a", 2: "", 3: "ab"}, keys) == [(7, True), (8, False), (9, True)]
    assert reports.correct_keys([{"key": "a", "correct": False}, {"key": "b", "correct": True}]) == {"b"}


def test_day_buckets_are_local_days():
    start = datetime(2026, 5, 3, 16, 30, tzinfo=UTC)  # 23:30 on 3 May in Hà Nội
    end = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)  # 01:00 on 5 May
    days = reports.day_buckets(start, end, VN)
    assert [d for d, _b, _a in days] == [date(2026, 5, 3), date(2026, 5, 4), date(2026, 5, 5)]
    assert days[1][1] == datetime(2026, 5, 3, 17, 0, tzinfo=UTC)  # local midnight is 17:00 UTC
    assert days[1][2] == datetime(2026, 5, 4, 17, 0, tzinfo=UTC)


def test_fill_distribution_includes_every_score():
    assert reports.fill_distribution({3: 2, 0: 1}, 4) == [
        {"correct": 0, "count": 1}, {"correct": 1, "count": 0}, {"correct": 2, "count": 0},
        {"correct": 3, "count": 2}, {"correct": 4, "count": 0}]
    assert [row["correct"] for row in reports.fill_distribution({6: 1}, 4)] == [0, 1, 2, 3, 4, 5, 6]
    assert reports.fill_distribution({}, 2) == [{"correct": c, "count": 0} for c in range(3)]


# --- from the database ------------------------------------------------------------------------------------

def test_participation_by_day(app, unit):
    round_ = gen_round(opens_at=datetime(2026, 5, 3, 16, 0, tzinfo=UTC), closes_at=datetime(2026, 5, 5, 10, 0,
                                                                                             tzinfo=UTC))
    u1, u2, u3 = gen_members(3, unit)
    for user, started in ((u1, datetime(2026, 5, 3, 16, 30, tzinfo=UTC)),  # 3 May, 23:30 local
                          (u1, datetime(2026, 5, 3, 17, 10, tzinfo=UTC)),  # 4 May, 00:10
                          (u2, datetime(2026, 5, 4, 16, 59, tzinfo=UTC)),  # 4 May, 23:59
                          (u2, datetime(2026, 5, 4, 17, 0, tzinfo=UTC)),  # 5 May, 00:00
                          (u3, datetime(2026, 5, 4, 17, 0, tzinfo=UTC))):
        gen_attempt(round_, user, correct=1, started_at=started, record=False)
    db.session.commit()
    assert reports.participation_by_day(round_) == [
        {"date": date(2026, 5, 3), "attempts": 1, "members": 1},
        {"date": date(2026, 5, 4), "attempts": 2, "members": 2},
        {"date": date(2026, 5, 5), "attempts": 2, "members": 2},
    ]


def test_score_distribution_and_summary(app, unit):
    round_ = gen_round(question_count=4)
    members = gen_members(5, unit)
    for m, correct in zip(members, [4, 4, 2, 0, 2], strict=True):
        gen_attempt(round_, m, correct=correct)
    gen_attempt(round_, members[3], correct=1, number=2, started_at=round_.opens_at + timedelta(hours=3))
    db.session.commit()
    assert reports.score_distribution(round_) == [
        {"correct": 0, "count": 0}, {"correct": 1, "count": 1}, {"correct": 2, "count": 2},
        {"correct": 3, "count": 0}, {"correct": 4, "count": 2}]
    assert reports.summary(round_) == {"attempts": 6, "finished_attempts": 6, "participants": 5, "all_correct": 2,
                                       "average_correct": 2.6}


def test_question_statistics_from_the_database_match_the_hand_example(app, unit):
    round_ = gen_round(question_count=4)
    versions = gen_versions(5)
    vid = {100: versions[0].id, 200: versions[1].id, 300: versions[2].id, 400: versions[3].id,
           ONLY_FIVE: versions[4].id}
    members = gen_members(10, unit)
    for attempt_no, (m, score) in enumerate(zip(members, SCORES, strict=True), start=1):
        drawn = [100, 200, 300, 400] + ([ONLY_FIVE] if attempt_no == 5 else [])
        questions = [{"v": vid[v], "o": "dcba"} for v in drawn]
        answers = {pos: ("a" if attempt_no in RIGHT.get(v, {5}) else "b") for pos, v in enumerate(drawn, start=1)}
        if attempt_no == 6:
            del answers[2]  # not answered: wrong (question 200 was wrong for attempt 6 anyway)
        gen_attempt(round_, m, correct=score, questions=questions, answers=answers)
    # In progress attempts do not count.
    [late] = gen_members(1, unit)
    gen_attempt(round_, late, correct=None, status="in_progress", questions=[{"v": vid[100], "o": "abcd"}],
                answers={1: "b"})
    db.session.commit()
    rows = reports.round_question_statistics(round_, batch=3)
    back = {v: k for k, v in vid.items()}
    stats = {back[r["version_id"]]: r for r in rows}
    check_hand_example(stats)
    assert stats[100]["text"].startswith("Câu hỏi") and stats[100]["question_id"] == versions[0].question_id
    # Flagged questions first (broken 200, too easy 400 and the one only attempt 5 drew), then the others.
    assert [back[r["version_id"]] for r in rows] == [200, 400, ONLY_FIVE, 100, 300]
    report = reports.round_report(round_)
    assert set(report) == {"summary", "by_day", "by_unit", "scores", "questions"}


def test_question_statistics_of_a_round_without_attempts(app):
    assert reports.round_question_statistics(gen_round()) == []
