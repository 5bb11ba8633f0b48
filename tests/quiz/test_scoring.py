"""Drawing an attempt's questions and scoring answers: pure functions, a seeded Random."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from contest.quiz import scoring

CANDIDATES = {"Tư tưởng": list(range(1, 21)), "Đạo đức": list(range(101, 111)), "Phong cách": [201, 202, 203]}
KEYS = {vid: "abcd" for ids in CANDIDATES.values() for vid in ids}


def test_quotas_take_exactly_their_number_from_each_topic():
    quotas = {"Tư tưởng": 5, "Đạo đức": 3, "Phong cách": 2}
    for seed in range(50):
        drawn = scoring.draw_versions(random.Random(seed), CANDIDATES, quotas, 10)
        assert len(drawn) == 10
        assert len(set(drawn)) == 10
        per_topic = Counter(next(t for t, ids in CANDIDATES.items() if v in ids) for v in drawn)
        assert per_topic == Counter(quotas)


def test_without_quotas_the_count_comes_from_every_topic_without_repeats():
    seen = set()
    for seed in range(200):
        drawn = scoring.draw_versions(random.Random(seed), CANDIDATES, None, 33)
        assert sorted(drawn) == sorted(v for ids in CANDIDATES.values() for v in ids)  # all 33, once each
        drawn = scoring.draw_versions(random.Random(seed), CANDIDATES, None, 4)
        assert len(set(drawn)) == 4
        seen.update(drawn)
    assert seen == set(KEYS)  # every candidate gets its chance


def test_the_same_seed_draws_the_same_attempt_and_another_seed_differs():
    quotas = {"Tư tưởng": 6, "Đạo đức": 4}
    first = scoring.draw(random.Random(7), CANDIDATES, quotas, 10, KEYS)
    again = scoring.draw(random.Random(7), CANDIDATES, quotas, 10, KEYS)
    assert first == again
    others = [scoring.draw(random.Random(seed), CANDIDATES, quotas, 10, KEYS) for seed in range(8, 20)]
    assert any(other != first for other in others)


def test_unshuffled_questions_keep_the_topic_order_then_the_bank_order():
    quotas = {"Phong cách": 2, "Tư tưởng": 3}
    drawn = scoring.draw_versions(random.Random(3), CANDIDATES, quotas, 5, shuffle_questions=False)
    assert all(v in CANDIDATES["Phong cách"] for v in drawn[:2])
    assert all(v in CANDIDATES["Tư tưởng"] for v in drawn[2:])
    assert drawn[:2] == sorted(drawn[:2]) and drawn[2:] == sorted(drawn[2:])


def test_shuffled_questions_are_not_always_in_the_bank_order():
    orders = {tuple(scoring.draw_versions(random.Random(s), {"t": [1, 2, 3, 4]}, None, 4)) for s in range(30)}
    assert len(orders) > 1


def test_option_orders_are_permutations_of_the_keys():
    keys = {1: "abcd", 2: "abcdef", 3: "ab"}
    shapes = set()
    for seed in range(60):
        arranged = scoring.arrange_options(random.Random(seed), [1, 2, 3], keys)
        assert [q["v"] for q in arranged] == [1, 2, 3]
        for q in arranged:
            assert sorted(q["o"]) == sorted(keys[q["v"]])
        shapes.add(arranged[0]["o"])
    assert len(shapes) > 6  # many of the 24 permutations of abcd turn up


def test_unshuffled_options_keep_their_order():
    arranged = scoring.arrange_options(random.Random(1), [1, 2], {1: "abcd", 2: "abc"}, shuffle_options=False)
    assert arranged == [{"v": 1, "o": "abcd"}, {"v": 2, "o": "abc"}]


def test_not_enough_candidates_is_reported_with_the_topic():
    with pytest.raises(scoring.NotEnoughQuestions) as caught:
        scoring.draw_versions(random.Random(1), CANDIDATES, {"Phong cách": 4}, 4)
    assert (caught.value.topic, caught.value.available, caught.value.wanted) == ("Phong cách", 3, 4)
    with pytest.raises(scoring.NotEnoughQuestions):
        scoring.draw_versions(random.Random(1), CANDIDATES, None, 34)
    with pytest.raises(scoring.NotEnoughQuestions):
        scoring.draw_versions(random.Random(1), CANDIDATES, {"Không có": 1}, 1)


def test_correct_keys_and_choices_are_sorted_and_joined():
    options = [{"key": "c", "correct": True}, {"key": "a", "correct": True}, {"key": "b", "correct": False}]
    assert scoring.correct_keys(options) == "ac"
    assert scoring.option_keys(options) == "cab"
    assert scoring.normalise_choices(["c", "a", "c"]) == "ac"


@pytest.mark.parametrize(("chosen", "correct", "right"), [
    ("b", "b", True), ("a", "b", False), ("", "b", False), ("ab", "b", False),  # single answer
    ("ac", "ac", True), ("ca", "ac", True), ("a", "ac", False), ("abc", "ac", False), ("", "ac", False),  # multiple
    ("", "", False),  # a question without a correct option is never right
])
def test_scoring_is_all_or_nothing(chosen, correct, right):
    assert scoring.is_correct(chosen, correct) is right


def test_score_counts_the_right_positions():
    questions = [{"v": 1, "o": "dcba"}, {"v": 2, "o": "abcd"}, {"v": 3, "o": "badc"}, {"v": 4, "o": "abcd"}]
    correct = {1: "b", 2: "acd", 3: "c", 4: "a"}
    answers = {1: "b", 2: "acd", 3: "a"}  # position 4 unanswered
    assert scoring.score(questions, answers, correct) == 2
    assert scoring.score(questions, {}, correct) == 0
    assert scoring.score(questions, {1: "b", 2: "acd", 3: "c", 4: "a"}, correct) == 4
