"""The pure rule proposing awards from a ranking: tiers in order, ties at a border never split, zero counts, fewer
entries than places; the quiz's ranking.prize_tiers is the same rule without the special tier."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.quiz.ranking import Ranked, Result, prize_tiers
from contest.results.awards import place_count, propose

COUNTS = {"special": 0, "first": 1, "second": 2, "third": 3, "consolation": 0}


def ranking(*ranks: int) -> list[tuple[int, str]]:
    return [(rank, f"e{i}") for i, rank in enumerate(ranks)]


def tiers_of(proposal) -> list[str]:
    return [tier for tier, _key in proposal]


@pytest.mark.parametrize(("ranks", "counts", "expected"), [
    # No ties: 1 + 2 + 3 places.
    ((1, 2, 3, 4, 5, 6, 7), COUNTS, ["first", "second", "second", "third", "third", "third"]),
    # A tie at the first border: both get first, second shrinks to one place.
    ((1, 1, 3, 4, 5, 6, 7), COUNTS, ["first", "first", "second", "third", "third", "third"]),
    # A tie across the second border: the three 2s are all second; third gets two places.
    ((1, 2, 2, 2, 5, 6, 7), COUNTS, ["first", "second", "second", "second", "third", "third"]),
    # A tie at the last border extends the last tier past its places.
    ((1, 2, 3, 4, 5, 6, 6, 6, 9), COUNTS, ["first", "second", "second", "third", "third", "third", "third",
                                           "third"]),
    # Ties that eat a whole later tier: second gets nobody.
    ((1, 1, 1, 4, 5), {"first": 1, "second": 2, "third": 1}, ["first", "first", "first", "third"]),
    # Fewer entries than places.
    ((1, 2), COUNTS, ["first", "second"]),
    ((), COUNTS, []),
    # Zero counts: no tier takes anyone; special only when its count is above 0.
    ((1, 2, 3), {"special": 0, "first": 0, "second": 0, "third": 0, "consolation": 0}, []),
    ((1, 2, 3), {"special": 1, "first": 1}, ["special", "first"]),
    ((1, 2, 3), {"first": 0, "second": 1, "consolation": 1}, ["second", "consolation"]),
    # Everyone tied: the first tier takes them all.
    ((1, 1, 1, 1), {"first": 1, "second": 1}, ["first"] * 4),
    # Negative or missing counts count as 0.
    ((1, 2, 3), {"first": -2, "second": 1}, ["second"]),
])
def test_propose_table(ranks, counts, expected):
    proposal = propose(ranking(*ranks), counts)
    assert tiers_of(proposal) == expected
    assert [key for _tier, key in proposal] == [f"e{i}" for i in range(len(expected))]


def test_place_count():
    assert place_count(COUNTS) == 6
    assert place_count({"first": -1, "second": None, "third": 2}) == 2
    assert place_count(None) == 0


@st.composite
def rankings(draw):
    """A ranking as the ranking functions make it: "1, 2, 2, 4" (a shared rank, then the places it took)."""
    groups = draw(st.lists(st.integers(min_value=1, max_value=4), max_size=12))
    ranked, position = [], 1
    for size in groups:
        ranked += [position] * size
        position += size
    return [(rank, i) for i, rank in enumerate(ranked)]


tier_counts = st.fixed_dictionaries({t: st.integers(min_value=0, max_value=6)
                                     for t in ("special", "first", "second", "third", "consolation")})


@settings(max_examples=300, deadline=None)
@given(rankings(), tier_counts)
def test_propose_properties(ranked, counts):
    proposal = propose(ranked, counts)
    keys = [key for _tier, key in proposal]
    # A prefix of the ranking, in order, each key once, tiers never going back.
    assert keys == [key for _rank, key in ranked[:len(keys)]]
    order = ["special", "first", "second", "third", "consolation"]
    assert [order.index(t) for t in tiers_of(proposal)] == sorted(order.index(t) for t in tiers_of(proposal))
    # At least the places asked for (or everyone), and ties are never split: within a tier or across the end.
    assert len(proposal) >= min(place_count(counts), len(ranked))
    rank_of = dict((key, rank) for rank, key in ranked)
    tier_of = dict((key, tier) for tier, key in proposal)
    for rank, key in ranked:
        same = [k for r, k in ranked if r == rank]
        assert {tier_of.get(k) for k in same} == {tier_of.get(key)}
    # Nobody gets a place they only reach through the ties of a border: each extra place shares the last rank.
    if len(proposal) > place_count(counts):
        assert rank_of[keys[-1]] == rank_of[keys[place_count(counts) - 1]] if place_count(counts) else False
    # A tier with count 0 gets nobody.
    assert not {t for t in order if counts[t] == 0} & set(tiers_of(proposal))


@settings(max_examples=200, deadline=None)
@given(rankings(), tier_counts, st.integers(min_value=1, max_value=5))
def test_quiz_prize_tiers_have_no_special_prize(ranked, counts, special):
    """The quiz's prize_tiers is this rule over the four quiz tiers: a special count (quiz rounds have none) takes
    no place from them."""
    when = datetime(2026, 5, 19, tzinfo=UTC)
    quiz_ranked = [Ranked(rank, Result(user_id=key, correct=0, total=0, submitted_at=when, duration_ms=0,
                                       started_at=when), None) for rank, key in ranked]
    expected = dict((key, tier) for tier, key in propose(ranked, {**counts, "special": 0}))
    assert prize_tiers(quiz_ranked, {**counts, "special": special}) == expected
    assert "special" not in prize_tiers(quiz_ranked, {**counts, "special": special}).values()
