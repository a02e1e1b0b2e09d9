"""Samples into cell verdicts, intervals, agreement, order flips and persona collapse."""

from __future__ import annotations

import pytest

from panel.models import CellResult, ToolOrder
from panel.record.aggregate import persona_preference, summarise_tool
from panel.record.consensus import (
    cell_consensus,
    order_flips,
    panel_statistics,
    persona_agreement,
    quote_similarity,
    representatives,
    tool_statistics,
)
from panel.record.stats import (
    bootstrap_mean_interval,
    cluster_bootstrap_mean_interval,
    wilson_interval,
)


def ok(
    persona: str,
    tool: str,
    verdict: str,
    score: int,
    sample: int = 0,
    order: ToolOrder = "listed",
    quote: str = "",
) -> CellResult:
    answer: dict[str, object] = {"verdict": verdict, "score": score, "quote": quote or verdict}
    return CellResult(
        persona=persona, tool=tool, status="ok", verdict=answer, sample=sample, order=order
    )


def test_a_cell_of_three_samples_takes_the_majority_and_says_it_disagrees() -> None:
    samples = [ok("b", "x", "ship", 8, 0), ok("b", "x", "skip", 4, 1), ok("b", "x", "ship", 6, 2)]
    cell = cell_consensus("b", "x", samples)
    assert (cell.verdict, cell.agreement, cell.disagrees) == ("ship", "2/3", True)
    assert cell.mean_score == 6.0
    assert cell.score_spread == round((8 / 3) ** 0.5, 2)  # deviations 2, -2, 0: squares 8, / 3
    same = cell_consensus("b", "x", [ok("b", "x", "skip", 3, i) for i in range(3)])
    assert (same.verdict, same.agreement, same.disagrees) == ("skip", "3/3", False)


def test_a_tied_cell_has_no_majority_and_a_failed_sample_is_not_counted() -> None:
    failed = CellResult(persona="b", tool="x", status="failed", error="boom", sample=2)
    tied = cell_consensus(
        "b", "x", [ok("b", "x", "ship", 7, 0), ok("b", "x", "skip", 4, 1), failed]
    )
    assert (tied.verdict, tied.agreement, tied.samples, tied.answered) == (None, "1/2", 3, 2)


def test_the_page_shows_a_sample_that_agrees_with_the_majority() -> None:
    cells = [ok("b", "x", "skip", 4, 0), ok("b", "x", "ship", 8, 1), ok("b", "x", "ship", 7, 2)]
    assert representatives(cells)[("b", "x")].sample == 1


def test_the_ship_interval_is_over_reviewers_not_their_samples() -> None:
    # 4 reviewers asked 3 times, each shipping 2 of 3: 4 ships out of 4 reviewers, not 8 of 12.
    cells = [ok(p, "x", "ship" if i < 2 else "skip", 7, i) for p in "abcd" for i in range(3)]
    figures = tool_statistics("x", cells)
    assert (figures.ratings, figures.ships) == (12, 8)  # the samples, for the record
    assert (figures.reviewers, figures.reviewer_ships, figures.missing) == (4, 4, 0)
    assert figures.ship_pct == summarise_tool("x", cells).ship_pct == 100.0
    # Wilson for 4 of 4: p = 1, z = 1.96: (1 + z²/8 - z·sqrt(z²/64)) / (1 + z²/4) = 0.5101
    assert (figures.ship_pct_low, figures.ship_pct_high) == (51.0, 100.0)
    old = wilson_interval(8, 12)  # what twelve "independent" ratings would have claimed
    assert old is not None and round(100 * old.low, 1) == 39.1
    assert figures.mean_score == figures.mean_score_low == figures.mean_score_high == 7


def test_a_missing_verdict_is_not_a_ship_in_the_interval_either() -> None:
    failed = CellResult(persona="d", tool="x", status="failed", error="boom")
    cells = [ok(p, "x", "ship", 7) for p in "abc"] + [failed]
    figures = tool_statistics("x", cells, ["a", "b", "c", "d"])
    assert figures.ship_pct == summarise_tool("x", cells, ["a", "b", "c", "d"]).ship_pct == 75.0
    assert (figures.reviewers, figures.reviewer_ships, figures.missing) == (4, 3, 1)
    # Wilson for 3 of 4: centre 0.75 + z²/8, half z·sqrt(0.75·0.25/4 + z²/64), over 1 + z²/4
    assert (figures.ship_pct_low, figures.ship_pct_high) == (30.1, 95.4)


def test_the_score_interval_draws_whole_reviewers() -> None:
    one_each = [[8.0], [2.0], [6.0], [5.0]]
    assert cluster_bootstrap_mean_interval(one_each) == bootstrap_mean_interval(
        [8.0, 2.0, 6.0, 5.0]
    )
    repeated = [[8.0, 8.0, 8.0], [2.0, 2.0, 2.0]]  # two reviewers, each three times alike
    clustered = cluster_bootstrap_mean_interval(repeated)
    naive = bootstrap_mean_interval([8.0, 8.0, 8.0, 2.0, 2.0, 2.0])
    assert clustered is not None and naive is not None
    # two reviewers can only give means of 2, 5 or 8: the interval spans them all
    assert (clustered.low, clustered.high) == (2.0, 8.0)
    assert naive.high - naive.low < clustered.high - clustered.low


def test_the_page_says_over_what_the_interval_is() -> None:
    from panel.report.figures import ship_interval

    cells = [ok(p, "x", "ship", 7) for p in "abc"]
    cells.append(CellResult(persona="d", tool="x", status="failed", error="boom"))
    figures = tool_statistics("x", cells, ["a", "b", "c", "d"])
    assert ship_interval(figures) == (
        " (30-95%, 95% interval over 4 reviewers; 1 missing, counted as not-ship)"
    )
    whole = tool_statistics("x", [ok(p, "x", "ship", 7) for p in "abcd"])
    assert ship_interval(whole) == " (51-100%, 95% interval over 4 reviewers)"
    old = whole.model_copy(update={"reviewers": None})  # a record written before
    assert ship_interval(old) == " (51-100%)"


def test_aggregates_over_samples_name_a_dissenter_once_and_prefer_on_mean_scores() -> None:
    cells = [ok("a", "x", "ship", 8, i) for i in range(2)] + [
        ok("b", "x", "skip", 3, i) for i in range(2)
    ]
    cells += [ok("b", "x", "ship", 6, 2), ok("a", "x", "ship", 9, 2)]
    cells += [ok("c", "x", "ship", 7, i) for i in range(3)]  # a reviewer is one vote: 2 ship to 1
    assert summarise_tool("x", cells).dissenters == ["b"]
    # A reviewer whose samples mostly agree with the panel is no dissenter for one stray sample.
    stray = [
        *cells,
        ok("c", "x", "ship", 8, 0),
        ok("c", "x", "ship", 7, 1),
        ok("c", "x", "skip", 4, 2),
    ]
    assert summarise_tool("x", stray).dissenters == ["b"]
    scores = [ok("a", "x", "ship", 8, 0), ok("a", "x", "ship", 6, 1), ok("a", "y", "ship", 6, 0)]
    scores.append(ok("a", "y", "ship", 7, 1))
    preference = persona_preference("a", ["x", "y"], scores)
    assert (preference.preferred, preference.margin) == ("x", 0.5)  # means 7 and 6.5


def test_fleiss_kappa_is_one_when_personas_split_alike_and_undefined_when_all_ship() -> None:
    split = [ok(p, "x", "ship", 8) for p in "abc"] + [ok(p, "y", "skip", 3) for p in "abc"]
    stats = panel_statistics(["x", "y"], ["a", "b", "c"], split)
    assert stats.fleiss_kappa == pytest.approx(1.0)
    assert stats.fleiss_kappa_subjects == 2
    everyone = [ok(p, t, "ship", 8) for p in "abc" for t in "xy"]
    undefined = panel_statistics(["x", "y"], ["a", "b", "c"], everyone)
    assert undefined.fleiss_kappa is None
    assert "one category" in undefined.fleiss_kappa_note


def test_fleiss_kappa_leaves_out_a_tool_without_a_majority_from_every_reviewer() -> None:
    cells = [ok("a", "x", "ship", 8), ok("b", "x", "skip", 3), ok("a", "y", "ship", 8)]
    cells += [ok("b", "y", "ship", 3), ok("a", "z", "skip", 2)]  # z: b has no verdict
    kappa, subjects = persona_agreement(
        ["a", "b"], ["x", "y", "z"], panel_statistics(["x", "y", "z"], ["a", "b"], cells).cells
    )
    assert subjects == 2
    assert "1 tool(s) left out" in kappa.reason


def test_order_flips_compare_the_majority_in_each_order() -> None:
    cells = [ok("a", "x", "ship", 8, 0, "listed"), ok("a", "x", "skip", 4, 0, "reversed")]
    cells += [ok("a", "y", "ship", 8, 0, "listed"), ok("a", "y", "ship", 7, 0, "reversed")]
    flips = order_flips(cells)
    assert [(f.persona, f.tool, f.listed, f.reversed) for f in flips] == [
        ("a", "x", "ship", "skip")
    ]


def test_persona_collapse_flags_two_personas_writing_the_same_quote() -> None:
    same = "The cache numbers hold up and the streaming path is clean, so it ships."
    other = "Pricing per second undercuts reserved GPUs; buyers sign from infrastructure budgets."
    cells = [
        ok("a", "x", "ship", 8, quote=same),
        ok("b", "x", "ship", 7, quote=same),
        ok("c", "x", "ship", 7, quote=other),
    ]
    pairs = {tuple(p.personas): p for p in quote_similarity(["x"], representatives(cells))}
    assert pairs[("a", "b")].similarity == 1.0 and pairs[("a", "b")].collapsed
    assert not pairs[("a", "c")].collapsed and not pairs[("b", "c")].collapsed
