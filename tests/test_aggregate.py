"""Hand-worked cases: each expected number was computed on paper from the cells listed."""

from __future__ import annotations

from panel.models import Aggregates, CellResult, OverallCall, Usage
from panel.record.aggregate import (
    CALL_RULE,
    aggregate,
    cached_input_share,
    persona_preference,
    summarise_tool,
)


def ok(persona: str, tool: str, verdict: str, score: int, pick: str | None = None) -> CellResult:
    data: dict[str, object] = {"verdict": verdict, "score": score}
    if pick:
        data["versus"] = {"pick": pick, "why": f"{pick} fits how {persona} works"}
    return CellResult(persona=persona, tool=tool, status="ok", verdict=data)


def overall(result: Aggregates) -> OverallCall:
    """A comparison's overall call (a review of one tool has none)."""
    assert result.overall is not None
    return result.overall


def failed(persona: str, tool: str) -> CellResult:
    return CellResult(persona=persona, tool=tool, status="failed", error="boom")


# The reference page 002: Claw Code 3 of 4 ship (75%), Modal 4 of 4 (100%).
PAGE = [
    ok("enthusiast", "claw", "ship", 8),
    ok("enthusiast", "modal", "ship", 9),
    ok("doubter", "claw", "skip", 4),
    ok("doubter", "modal", "ship", 7),
    ok("ecosystem", "claw", "ship", 8),
    ok("ecosystem", "modal", "ship", 8),
    ok("indie", "claw", "ship", 9),
    ok("indie", "modal", "ship", 7),
]
REVIEWERS = ["enthusiast", "doubter", "ecosystem", "indie"]


def test_ship_percent_split_mean_spread_and_dissenter() -> None:
    claw = summarise_tool("claw", PAGE)
    assert (claw.ships, claw.skips, claw.ship_pct, claw.split) == (3, 1, 75.0, "3 ship / 1 skip")
    # scores 8, 4, 8, 9: mean 29/4 = 7.25; deviations .75, -3.25, .75, 1.75; squares sum 14.75;
    # /4 = 3.6875
    assert claw.mean_score == 7.25
    assert claw.score_spread == round(3.6875**0.5, 2)
    assert claw.dissenters == ["doubter"]
    modal = summarise_tool("modal", PAGE)
    assert (modal.ship_pct, modal.dissenters, modal.mean_score) == (100.0, [], 7.75)


def test_a_missing_verdict_counts_against_ship_and_is_named() -> None:
    cells = [
        ok("a", "t", "ship", 7),
        ok("b", "t", "ship", 3),
        ok("c", "t", "ship", 6),
        failed("d", "t"),
    ]
    summary = summarise_tool("t", cells, ["a", "b", "c", "d"], {"d": "The Doubter"})
    assert summary.reviewers == 4 and summary.answered == 3
    assert summary.ship_pct == 75.0  # 3 ships over the 4 reviewers on the panel, not 3 of 3
    assert summary.tally == "3/4 ship (1 missing)"
    assert summary.missing == ["d"]
    assert summary.split == "3 ship / 0 skip; no verdict from The Doubter"
    assert summary.mean_score == round(16 / 3, 2)


def test_a_reviewer_with_no_cell_at_all_is_missing_too() -> None:
    summary = summarise_tool("t", [ok("a", "t", "ship", 7)], ["a", "b"])
    assert (summary.ship_pct, summary.tally, summary.missing) == (
        50.0,
        "1/2 ship (1 missing)",
        ["b"],
    )


def test_tie_has_no_majority_and_no_dissenters() -> None:
    cells = [ok("a", "t", "ship", 7), ok("b", "t", "skip", 4)]
    summary = summarise_tool("t", cells)
    assert summary.ship_pct == 50.0 and summary.dissenters == []
    assert summary.tally == "1/2 ship"


def test_all_failed_is_zero_ship_with_no_mean() -> None:
    summary = summarise_tool("t", [failed("a", "t"), failed("b", "t")])
    assert summary.ship_pct == 0.0 and summary.mean_score is None
    assert summary.tally == "0/2 ship (2 missing)"
    assert summary.split == "0 ship / 0 skip; no verdict from a, b"
    assert summarise_tool("t", [], []).ship_pct is None  # no panel, no percentage


def test_persona_preference_margin_tie_and_missing() -> None:
    assert persona_preference("doubter", ["claw", "modal"], PAGE).model_dump() == {
        "persona": "doubter",
        "preferred": "modal",
        "margin": 3,
        "note": "prefers modal over claw by 3",
        "pick": None,
        "pick_note": "no pick",
    }
    tie = persona_preference("ecosystem", ["claw", "modal"], PAGE)
    assert tie.preferred is None and tie.margin == 0 and tie.note == "ties claw and modal at 8"
    half = persona_preference(
        "x", ["claw", "modal"], [ok("x", "claw", "ship", 7), failed("x", "modal")]
    )
    assert half.preferred is None and half.note == "only claw answered"


def test_a_pick_counts_when_the_reviewers_verdicts_agree_on_it() -> None:
    tools, names = ["claw", "modal"], {"claw": "Claw Code", "modal": "Modal"}
    agree = [ok("x", "claw", "skip", 4, "modal"), ok("x", "modal", "ship", 8, "modal")]
    pref = persona_preference("x", tools, agree, names)
    assert (pref.pick, pref.pick_note) == ("modal", "would pick Modal")
    differ = [ok("x", "claw", "ship", 7, "claw"), ok("x", "modal", "ship", 7, "modal")]
    pref = persona_preference("x", tools, differ, names)
    assert pref.pick is None
    assert (
        pref.pick_note
        == "picks differ (Claw Code in the Claw Code review, Modal in the Modal review)"
    )
    unknown = [ok("x", "claw", "ship", 7, "elsewhere")]  # not a tool on this panel
    assert persona_preference("x", tools, unknown).pick is None


def test_overall_call_by_ship_percent_then_picks_then_mean_score_then_dead_heat() -> None:
    call = overall(aggregate(["claw", "modal"], REVIEWERS, PAGE))
    assert call.winner == "modal" and call.rule == CALL_RULE
    # both 1/1 ship; picks tie (none), so the mean score decides
    even = [ok("a", "x", "ship", 8), ok("a", "y", "ship", 6)]
    call = overall(aggregate(["x", "y"], ["a"], even))
    assert call.winner == "x" and "mean score (8 vs 6)" in call.reason
    # both 2/2 ship; y is picked twice, x has the higher mean score: picks come first
    picked = [
        ok("a", "x", "ship", 9, "y"),
        ok("a", "y", "ship", 6, "y"),
        ok("b", "x", "ship", 9, "y"),
        ok("b", "y", "ship", 7, "y"),
    ]
    result = aggregate(["x", "y"], ["a", "b"], picked)
    assert [s.picks for s in result.tools] == [0, 2]
    assert overall(result).winner == "y"
    assert (
        overall(result).reason
        == "y and x tie at 100% ship; y wins the tie-break on reviewers' picks (2 to 0)"
    )
    same = [
        ok("a", "x", "ship", 7, "x"),
        ok("a", "y", "ship", 7, "x"),
        ok("b", "x", "ship", 7, "y"),
        ok("b", "y", "ship", 7, "y"),
    ]
    call = overall(aggregate(["x", "y"], ["a", "b"], same))
    assert (
        call.winner is None and call.reason.startswith("dead heat") and "1 pick each" in call.reason
    )


def test_ship_percent_beats_picks() -> None:
    cells = [
        ok("a", "x", "skip", 4, "x"),
        ok("a", "y", "ship", 6, "x"),
        ok("b", "x", "ship", 9, "x"),
        ok("b", "y", "ship", 6, "x"),
    ]
    call = overall(aggregate(["x", "y"], ["a", "b"], cells))
    assert call.winner == "y" and call.reason == "y leads on panel ship % (100% vs 50%)"


def test_a_winner_most_would_skip_is_said_so() -> None:
    cells = [ok("a", "x", "ship", 6), ok("b", "x", "skip", 4), ok("c", "x", "skip", 3)]
    cells += [ok(p, "y", "skip", 2) for p in "abc"]
    call = overall(aggregate(["x", "y"], ["a", "b", "c"], cells))
    assert call.winner == "x" and call.reason.endswith("though most of the panel would skip x too")


def test_no_overall_call_on_an_incomplete_panel() -> None:
    cells = [cell for cell in PAGE if (cell.persona, cell.tool) != ("doubter", "modal")]
    cells.append(failed("doubter", "modal"))
    names = {"claw": "Claw Code", "modal": "Modal"}
    result = aggregate(["claw", "modal"], REVIEWERS, cells, names, {"doubter": "The Doubter"})
    assert overall(result).winner is None
    assert overall(result).reason == (
        "no overall call: the panel is incomplete (1 of 8 verdicts missing: The Doubter on Modal)"
    )
    modal = result.tools[1]
    assert (modal.ship_pct, modal.tally) == (75.0, "3/4 ship (1 missing)")


def test_cached_share() -> None:
    usage = Usage(input_tokens=100, cache_write_tokens=900, cache_read_tokens=3000, output_tokens=5)
    assert cached_input_share(usage) == 0.75
    assert cached_input_share(Usage()) is None


def test_notes_use_display_names_when_given() -> None:
    names = {"claw": "Claw Code", "modal": "Modal"}
    result = aggregate(["claw", "modal"], REVIEWERS, PAGE, names)
    assert overall(result).reason == "Modal leads on panel ship % (100% vs 75%)"
    assert result.personas[1].note == "prefers Modal over Claw Code by 3"
    assert overall(result).winner == "modal"  # the arithmetic and the ids are unchanged


def test_a_sampled_reviewer_counts_once_with_the_majority_of_their_samples() -> None:
    cells = [ok("a", "t", "ship", 8), ok("a", "t", "ship", 7), ok("a", "t", "skip", 4)]
    cells += [ok("b", "t", "ship", 6), ok("b", "t", "skip", 5)]  # a tie: neither ship nor skip
    cells += [failed("c", "t"), failed("c", "t")]
    summary = summarise_tool("t", cells, ["a", "b", "c"])
    assert (summary.ships, summary.skips, summary.answered) == (1, 0, 2)
    assert summary.tally == "1/3 ship (1 missing)"
    assert summary.split == "1 ship / 0 skip / 1 undecided; no verdict from c"
    assert summary.mean_score == 6.0  # over every answered sample: 30 / 5
