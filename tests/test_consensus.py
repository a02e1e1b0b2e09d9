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
from panel.record.stats import wilson_interval


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


def test_tool_figures_count_reviewers_times_samples_with_a_wilson_interval() -> None:
    cells = [ok(p, "x", "ship" if i < 2 else "skip", 7, i) for p in "abcd" for i in range(3)]
    figures = tool_statistics("x", cells)
    assert (figures.ratings, figures.ships, figures.ship_pct) == (12, 8, 66.7)
    interval = wilson_interval(8, 12)
    assert interval is not None
    assert figures.ship_pct_low == round(100 * interval.low, 1)
    assert figures.ship_pct_high == round(100 * interval.high, 1)
    assert figures.mean_score == figures.mean_score_low == figures.mean_score_high == 7


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
