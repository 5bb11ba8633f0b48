"""Aggregation of rubric scores against hand-computed figures; normalisation of a harsh and a lenient judge;
Krippendorff's alpha against the textbook formula and Krippendorff's published example."""

from __future__ import annotations

import math
import random
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.judging.aggregate import (
    Criterion,
    advance,
    aggregate,
    agreement,
    flag_disagreement,
    rank_entries,
    rubric_scale,
    spread,
    trimmed_mean,
    weighted_total,
)

RUBRIC = [Criterion(1, 10, 40), Criterion(2, 10, 20), Criterion(3, 5, 10), Criterion(4, 20, 30)]


# --- weighted totals -----------------------------------------------------------------------------------------------

def test_the_scale_is_the_sum_of_the_weights():
    assert rubric_scale(RUBRIC) == (0.0, 100.0)


def test_weighted_total_by_hand():
    # content 8/10 of 40 = 32, creativity 5/10 of 20 = 10, form 4/5 of 10 = 8, impact 15/20 of 30 = 22.5
    assert weighted_total({1: 8, 2: 5, 3: 4, 4: 15}, RUBRIC) == 72.5
    assert weighted_total({1: 10, 2: 10, 3: 5, 4: 20}, RUBRIC) == 100.0
    assert weighted_total({1: 0, 2: 0, 3: 0, 4: 0}, RUBRIC) == 0.0
    assert weighted_total({1: 7.5, 2: 0.5, 3: 2.5, 4: 0.25}, RUBRIC) == pytest.approx(30 + 1 + 5 + 0.375)


def test_equal_totals_from_different_sums_compare_equal():
    thirds = [Criterion(i, 3, 1) for i in range(1, 4)]
    assert weighted_total({1: 1, 2: 1, 3: 1}, thirds) == weighted_total({1: 3, 2: 0, 3: 0}, thirds) == 1.0


@pytest.mark.parametrize("scores", [
    {1: 8, 2: 5, 3: 4},  # one criterion not scored
    {1: 8, 2: 5, 3: 4, 4: 15, 9: 1},  # a criterion of another rubric
    {1: 11, 2: 5, 3: 4, 4: 15},  # above the maximum
    {1: -1, 2: 5, 3: 4, 4: 15},  # below zero
    {1: float("nan"), 2: 5, 3: 4, 4: 15},
    {1: True, 2: 5, 3: 4, 4: 15},
    {1: "8", 2: 5, 3: 4, 4: 15},
])
def test_incomplete_or_out_of_range_scores_are_refused(scores):
    with pytest.raises(ValueError):
        weighted_total(scores, RUBRIC)


def test_a_criterion_without_a_range_is_refused():
    with pytest.raises(ValueError):
        weighted_total({1: 0}, [Criterion(1, 0, 10)])


# --- mean, trimmed mean, median ------------------------------------------------------------------------------------

TOTALS = {
    1: {10: 50.0, 11: 60.0, 12: 70.0, 13: 80.0, 14: 100.0},
    2: {10: 50.0, 11: 60.0, 12: 70.0, 13: 100.0},
    3: {10: 72.5},
    4: {},
}


def test_mean_by_hand():
    assert aggregate(TOTALS, "mean") == {1: 72.0, 2: 70.0, 3: 72.5}


def test_trimmed_mean_drops_highest_and_lowest_only_with_five_judges():
    assert aggregate(TOTALS, "trimmed_mean") == {1: 70.0, 2: 70.0, 3: 72.5}
    assert trimmed_mean([1, 2, 3, 4, 100, 100]) == 27.25  # one of the two highest only
    assert trimmed_mean([40, 90]) == 65


def test_median_by_hand():
    assert aggregate(TOTALS, "median") == {1: 70.0, 2: 65.0, 3: 72.5}


def test_no_scores_no_result():
    for method in ("mean", "trimmed_mean", "median", "zscore"):
        assert aggregate({}, method) == {}
        assert aggregate({1: {}}, method) == {}


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError):
        aggregate(TOTALS, "max")


# --- z-score normalisation -----------------------------------------------------------------------------------------

def test_zscore_by_hand():
    # Judge 1: 60, 80 (mean 70, sd 10: z -1, +1). Judge 2: 50, 70 (mean 60, sd 10: z -1, +1).
    # All totals 60, 80, 50, 70: M = 65, S = sqrt(500 / 4). Entry 2 has z +1 (judge 1) and -1 (judge 2): mean 0.
    totals = {1: {1: 60.0}, 2: {1: 80.0, 2: 50.0}, 3: {2: 70.0}}
    s = math.sqrt(125)
    got = aggregate(totals, "zscore")
    assert got == pytest.approx({1: 65 - s, 2: 65.0, 3: 65 + s})


def test_zscore_with_one_judge_gives_back_the_totals_clipped_to_the_scale():
    totals = {1: {7: 10.0}, 2: {7: 20.0}, 3: {7: 90.0}}
    assert aggregate(totals, "zscore") == pytest.approx({1: 10.0, 2: 20.0, 3: 90.0})
    assert aggregate(totals, "zscore", scale=(15, 50)) == pytest.approx({1: 15.0, 2: 20.0, 3: 50.0})


def test_zscore_of_a_judge_with_one_entry_or_equal_totals_is_zero():
    # Judge 8 scored one entry, judge 9 gave 70 to both of theirs: neither says anything about rank.
    totals = {1: {8: 40.0}, 2: {9: 70.0}, 3: {9: 70.0}}
    overall = (40 + 70 + 70) / 3
    assert aggregate(totals, "zscore") == pytest.approx({1: overall, 2: overall, 3: overall})


def by_quality(quality):
    return sorted(quality, key=lambda e: -quality[e])


def ranking(aggregated):
    return [entry_id for _, entry_id, _ in rank_entries(aggregated)]


def test_zscore_corrects_a_harsh_and_a_lenient_judge_on_disjoint_entries():
    # True quality; the harsh judge (H, 20 points under) and the lenient one (L, 10 over) see disjoint sets with the
    # same average and spread of quality, as a random balanced assignment gives on average.
    quality = {1: 55, 2: 75, 3: 80, 4: 60, 5: 65, 6: 85}
    harsh = {1, 2, 3}  # the lenient judge has 4, 5 and 6
    totals = {e: ({"H": q - 20.0} if e in harsh else {"L": q + 10.0}) for e, q in quality.items()}
    assert ranking(aggregate(totals, "mean")) == [6, 5, 4, 3, 2, 1]  # every lenient entry first: wrong
    assert ranking(aggregate(totals, "mean")) != by_quality(quality)
    assert ranking(aggregate(totals, "zscore")) == by_quality(quality) == [6, 3, 2, 5, 4, 1]


def test_zscore_corrects_a_harsh_and_a_lenient_judge_on_overlapping_entries():
    # Entries 7 and 8 are scored by both judges, 1-3 only by the harsh one, 4-6 only by the lenient one.
    quality = {1: 50, 2: 70, 3: 75, 4: 55, 5: 60, 6: 80, 7: 62, 8: 66}
    totals = defaultdict(dict)
    for e, q in quality.items():
        if e in (1, 2, 3, 7, 8):
            totals[e]["H"] = q - 20.0
        if e in (4, 5, 6, 7, 8):
            totals[e]["L"] = q + 10.0
    assert ranking(aggregate(totals, "mean")) != by_quality(quality)
    assert ranking(aggregate(totals, "zscore")) == by_quality(quality)


def test_zscore_corrects_a_harsh_and_a_lenient_judge_next_to_a_fair_one():
    quality = {1: 55, 2: 75, 3: 80, 4: 60, 5: 65, 6: 85}
    totals = {e: {"F": float(q), ("H" if e <= 3 else "L"): q + (-20.0 if e <= 3 else 10.0)} for e, q in quality.items()}
    assert ranking(aggregate(totals, "mean")) != by_quality(quality)
    assert ranking(aggregate(totals, "zscore")) == by_quality(quality)


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.integers(20, 80), min_size=3, max_size=12, unique=True),
       st.lists(st.tuples(st.integers(-20, 15), st.sampled_from([0.5, 0.8, 1.0, 1.2])), min_size=1, max_size=5))
def test_zscore_ranks_by_true_quality_whatever_each_judge_adds_or_stretches(qualities, judges):
    # Every judge scores every entry as offset + stretch × quality: z-scores remove both, whatever the mix.
    totals = {e: {j: offset + stretch * q for j, (offset, stretch) in enumerate(judges)}
              for e, q in enumerate(qualities)}
    quality = dict(enumerate(qualities))
    assert ranking(aggregate(totals, "zscore", scale=(-100, 200))) == by_quality(quality)


# --- spread and disagreement ---------------------------------------------------------------------------------------

def test_spread_and_disagreement_flag():
    assert spread([70, 90, 75]) == 20
    assert spread([80]) == 0 and spread([]) == 0
    assert flag_disagreement([70, 90.5], 20) is True
    assert flag_disagreement([70, 90], 20) is False  # at the threshold: not above it
    assert flag_disagreement([70, 90.5], None) is False
    assert flag_disagreement([80], 0) is False


# --- agreement -----------------------------------------------------------------------------------------------------

def textbook_alpha(totals):
    """Krippendorff's interval alpha by the coincidence matrix, written out independently of nltk."""
    coincidences = defaultdict(float)
    for by_judge in totals.values():
        values = list(by_judge.values())
        m = len(values)
        if m < 2:
            continue
        for i, a in enumerate(values):
            for k, b in enumerate(values):
                if i != k:
                    coincidences[(a, b)] += 1 / (m - 1)
    labels = sorted({a for a, _ in coincidences})
    n_c = {c: sum(coincidences[(c, k)] for k in labels) for c in labels}
    n = sum(n_c.values())
    observed = sum(coincidences[(c, k)] * (c - k) ** 2 for c in labels for k in labels) / n
    expected = sum(n_c[c] * n_c[k] * (c - k) ** 2 for c in labels for k in labels) / (n * (n - 1))
    return 1 - observed / expected


def test_agreement_by_hand():
    # Pairable entries 1-3 (entry 4 has one judge and is ignored). Values 7,8 | 5,5,6 | 2,3: n = 7.
    # Observed: entry 1: 2×1/1 = 2; entry 2: pairs (5,6) ×4 with weight 1/2 = 2; entry 3: 2 → Do = 6/7.
    # Expected: Σ over ordered pairs of the 7 values of (a-b)² = 2 × (7 × Σx² - (Σx)²) = 2 × (7 × 212 - 36²) = 376,
    # De = 376 / (7 × 6). Alpha = 1 - (6/7) / (376/42) = 1 - 36/376.
    totals = {1: {1: 7, 2: 8}, 2: {1: 5, 2: 5, 3: 6}, 3: {2: 2, 3: 3}, 4: {1: 1}}
    assert agreement(totals) == pytest.approx(1 - 36 / 376)
    assert agreement(totals) == pytest.approx(textbook_alpha(totals))


def test_agreement_on_krippendorffs_published_example():
    # "Computing Krippendorff's Alpha-Reliability" (2011), 4 observers × 12 units with missing values:
    # alpha for interval data = 0.849. Unit 12 has a single value and is not pairable.
    rows = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    totals = defaultdict(dict)
    for observer, values in rows.items():
        for unit, value in enumerate(values, start=1):
            if value is not None:
                totals[unit][observer] = value
    alpha = agreement(totals)
    assert round(alpha, 3) == 0.849
    assert alpha == pytest.approx(textbook_alpha(totals))


def test_agreement_on_real_valued_totals_matches_the_formula_closely():
    rng = random.Random(3)
    totals = {}
    for e in range(60):
        quality = rng.uniform(30, 90)
        judges = rng.sample(range(12), rng.choice([1, 2, 3, 3, 3]))
        totals[e] = {j: round(min(100.0, max(0.0, quality + rng.gauss(0, 8))), 4) for j in judges}
    assert agreement(totals) == pytest.approx(textbook_alpha(totals), abs=1e-3)


def closed_form_alpha(totals):
    """The same alpha by sums of squares (Σ over ordered pairs of (a - b)² = 2(mΣx² - (Σx)²)), fast for big rounds."""
    def pair_sum(values):
        return 2 * (len(values) * math.fsum(v * v for v in values) - math.fsum(values) ** 2)
    units = [list(by_judge.values()) for by_judge in totals.values() if len(by_judge) >= 2]
    pooled = [v for values in units for v in values]
    n = len(pooled)
    observed = math.fsum(pair_sum(values) / (len(values) - 1) for values in units) / n
    expected = pair_sum(pooled) / (n * (n - 1))
    return 1 - observed / expected


def test_agreement_on_a_large_round_with_more_distinct_totals_than_nltk_takes():
    rng = random.Random(11)
    totals = {}
    for e in range(5000):
        quality = rng.uniform(200, 900)
        totals[e] = {j: min(1000.0, max(0.0, quality + rng.gauss(0, 60))) for j in rng.sample(range(100), 3)}
    assert len({v for by_judge in totals.values() for v in by_judge.values()}) > 10_000
    assert agreement(totals) == pytest.approx(closed_form_alpha(totals), abs=1e-4)


def test_the_closed_form_agrees_with_the_coincidence_matrix():
    totals = {1: {1: 7, 2: 8}, 2: {1: 5, 2: 5, 3: 6}, 3: {2: 2, 3: 3}, 4: {1: 1}}
    assert closed_form_alpha(totals) == pytest.approx(textbook_alpha(totals)) == pytest.approx(1 - 36 / 376)


def test_agreement_is_none_without_two_judges_on_any_entry_or_without_variation():
    assert agreement({}) is None
    assert agreement({1: {1: 80.0}, 2: {2: 60.0}}) is None
    assert agreement({1: {1: 80.0, 2: 80.0}, 2: {1: 80.0, 3: 80.0}, 3: {4: 10.0}}) is None


def test_perfect_and_systematic_disagreement():
    assert agreement({1: {1: 80.0, 2: 80.0}, 2: {1: 60.0, 2: 60.0}}) == pytest.approx(1.0)
    assert agreement({1: {1: 80.0, 2: 60.0}, 2: {1: 60.0, 2: 80.0}}) < 0


# --- ranking and advancing -----------------------------------------------------------------------------------------

def test_competition_ranking_with_ties():
    scores = {5: 80.0, 3: 90.0, 9: 80.0, 1: 70.0, 4: 80.0 + 1e-12}
    assert rank_entries(scores) == [(1, 3, 90.0), (2, 4, 80.0 + 1e-12), (2, 5, 80.0), (2, 9, 80.0), (5, 1, 70.0)]
    assert rank_entries({}) == []


def test_advance_top_k_keeps_whoever_ties_with_the_kth():
    ranked = rank_entries({1: 95.0, 2: 90.0, 3: 88.0, 4: 88.0, 5: 70.0})
    assert advance(ranked, top=2) == [1, 2]
    assert advance(ranked, top=3) == [1, 2, 3, 4]
    assert advance(ranked, top=4) == [1, 2, 3, 4]
    assert advance(ranked, top=0) == []
    assert advance(ranked, top=10) == [1, 2, 3, 4, 5]


def test_advance_by_minimum_score_is_inclusive():
    ranked = rank_entries({1: 95.0, 2: 86.0, 3: 85.99, 4: 86.0000000000001})
    assert advance(ranked, min_score=86) == [1, 2, 4]
    assert advance(ranked, top=2, min_score=90) == [1]


@pytest.mark.parametrize("kwargs", [{}, {"top": -1}, {"top": 2.5}, {"top": True}])
def test_advance_needs_a_sensible_rule(kwargs):
    with pytest.raises(ValueError):
        advance([], **kwargs)
