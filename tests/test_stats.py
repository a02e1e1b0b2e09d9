"""The statistics module against published worked examples."""

from __future__ import annotations

import math
import random
import statistics
from statistics import fmean, stdev

import pytest

from panel.record.stats import (
    COLLAPSE_THRESHOLD,
    Interval,
    bootstrap_mean_interval,
    category_table,
    cluster_bootstrap_mean_interval,
    cohen_kappa,
    content_words,
    fleiss_kappa,
    jaccard,
    percent_agreement,
    wilson_interval,
)


# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in
# Medicine 17:857-872, Table I, method 3 (Wilson score interval without continuity correction).
@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_interval_reproduces_newcombe_table_one(
    successes: int, trials: int, low: float, high: float
) -> None:
    interval = wilson_interval(successes, trials)
    assert interval is not None
    assert round(interval.low, 4) == low
    assert round(interval.high, 4) == high


def test_wilson_interval_is_undefined_without_trials_and_refuses_impossible_counts() -> None:
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError, match="between 0 and 4"):
        wilson_interval(5, 4)


def test_wilson_interval_of_a_panel_of_four() -> None:
    # 3 of 4 reviewers ship: the page shows 75% (30-95%).
    interval = wilson_interval(3, 4)
    assert interval is not None
    assert (round(100 * interval.low), round(100 * interval.high)) == (30, 95)


# Fleiss (1971) kappa, worked example of the Wikipedia article "Fleiss' kappa":
# 10 subjects, 14 raters, 5 categories; P-bar = 0.378, P_e = 0.213, kappa = 0.210.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_reproduces_the_worked_example() -> None:
    kappa = fleiss_kappa(WIKIPEDIA_FLEISS)
    assert kappa.value is not None
    assert round(kappa.value, 3) == 0.210


def test_fleiss_kappa_is_one_for_perfect_agreement_and_undefined_without_variation() -> None:
    assert fleiss_kappa([[4, 0], [0, 4], [4, 0]]).value == pytest.approx(1.0)
    undefined = fleiss_kappa([[4, 0], [4, 0]])
    assert undefined.value is None
    assert "one category" in undefined.reason
    assert fleiss_kappa([[3, 1], [2, 1]]).reason == "subjects have different numbers of ratings"
    assert fleiss_kappa([]).value is None


def test_category_table_counts_each_subjects_ratings() -> None:
    table = category_table([["ship", "ship", "skip"], ["skip", "skip", "skip"]], ["ship", "skip"])
    assert table == [[2, 1], [0, 3]]


# Cohen (1960) kappa, the examples of the Wikipedia article "Cohen's kappa": 50 proposals read by
# two readers (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no): p_o = 0.7, p_e = 0.5, kappa = 0.4;
# and the two 100-subject tables with equal agreement (60%) but kappa 0.1304 and 0.2593.
def _pairs(yy: int, yn: int, ny: int, nn: int) -> list[tuple[str, str]]:
    return [("y", "y")] * yy + [("y", "n")] * yn + [("n", "y")] * ny + [("n", "n")] * nn


@pytest.mark.parametrize(
    ("table", "kappa", "agreement"),
    [((20, 5, 10, 15), 0.4, 0.7), ((45, 15, 25, 15), 0.1304, 0.6), ((25, 35, 5, 35), 0.2593, 0.6)],
)
def test_cohen_kappa_reproduces_the_worked_examples(
    table: tuple[int, int, int, int], kappa: float, agreement: float
) -> None:
    pairs = _pairs(*table)
    result = cohen_kappa(pairs)
    assert result.value is not None
    assert round(result.value, 4) == kappa
    assert percent_agreement(pairs) == pytest.approx(agreement)


def test_cohen_kappa_is_undefined_with_the_reason_when_a_side_does_not_vary() -> None:
    one_side = cohen_kappa([("ship", "ship"), ("ship", "skip"), ("ship", "ship")])
    assert one_side.value is None
    assert one_side.reason == "undefined: the first gave the same rating to every subject"
    both = cohen_kappa([("ship", "ship"), ("ship", "ship")])
    assert both.reason == "undefined: both gave the same rating to every subject"
    assert percent_agreement([("ship", "ship"), ("ship", "ship")]) == 1.0
    assert percent_agreement([]) is None
    assert cohen_kappa([]).value is None


def test_bootstrap_interval_is_seeded_and_matches_normal_theory_on_a_large_sample() -> None:
    rng = random.Random(7)
    values = [rng.gauss(6.0, 1.5) for _ in range(400)]
    first = bootstrap_mean_interval(values)
    assert first == bootstrap_mean_interval(values)
    assert first is not None
    half = 1.96 * stdev(values) / math.sqrt(len(values))
    assert first.low == pytest.approx(fmean(values) - half, abs=0.03)
    assert first.high == pytest.approx(fmean(values) + half, abs=0.03)
    assert bootstrap_mean_interval(values, seed=99) != first


def test_bootstrap_interval_of_constant_scores_is_a_point_and_empty_is_none() -> None:
    assert bootstrap_mean_interval([7, 7, 7]) is not None
    point = bootstrap_mean_interval([7, 7, 7])
    assert point is not None
    assert (point.low, point.high) == (7, 7)
    assert bootstrap_mean_interval([]) is None


def test_jaccard_is_the_share_of_shared_content_words() -> None:
    assert content_words("The cache is FAST, and the cache is cheap") == {"cache", "fast", "cheap"}
    assert jaccard("cache fast cheap", "cache fast slow") == pytest.approx(2 / 4)
    assert jaccard("the and of", "a an") == 1.0
    assert jaccard("streaming works", "billing fails") == 0.0


def test_collapse_threshold_separates_distinct_reviewers_from_a_reworded_copy() -> None:
    builder = (
        "The primitive is a snapshot of GPU memory restored on demand, so a cold start skips "
        "container boot. I would ship it for bursty inference where idle GPUs burn money."
    )
    skeptic = (
        "Replicate and Baseten already sell this; the claim breaks for models that need several "
        "GPUs, and the docs go quiet there. Still, the price per second is fair."
    )
    reworded = (
        "The primitive is a snapshot of GPU memory restored on request, so a cold start avoids "
        "container boot. I would ship it for spiky inference where idle GPUs waste money."
    )
    assert jaccard(builder, skeptic) < COLLAPSE_THRESHOLD
    assert jaccard(builder, reworded) >= COLLAPSE_THRESHOLD


def _reference_cluster_bootstrap(groups: list[list[float]], resamples: int, seed: int) -> Interval:
    """The definition, one resample at a time: whole clusters drawn, the mean of their values."""
    rng = random.Random(seed)
    means = sorted(
        fmean([v for cluster in rng.choices(groups, k=len(groups)) for v in cluster])
        for _ in range(resamples)
    )
    low, high = statistics.quantiles(means, n=40, method="inclusive")[0::38]
    return Interval(low=low, high=high)


@pytest.mark.parametrize("seed", [0, 15, 99])
def test_the_cluster_bootstrap_draws_whole_reviewers_as_its_definition_does(seed: int) -> None:
    one_each = [[7.0], [8.0], [6.0], [5.0], [9.5]]
    samples = [[7.0, 6.0], [8.0, 8.0, 9.0], [6.0], [5.0, 4.5], [0.1, 0.2]]
    for groups in (one_each, samples):
        got = cluster_bootstrap_mean_interval(groups, resamples=500, seed=seed)
        expected = _reference_cluster_bootstrap(groups, 500, seed)
        assert got is not None
        assert got.low == pytest.approx(expected.low, rel=1e-12)
        assert got.high == pytest.approx(expected.high, rel=1e-12)
    assert cluster_bootstrap_mean_interval(one_each, seed=seed) == bootstrap_mean_interval(
        [7.0, 8.0, 6.0, 5.0, 9.5], seed=seed
    )
