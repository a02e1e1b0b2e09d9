"""Hand-worked cases: each expected number was computed on paper from the cells listed."""

from __future__ import annotations

from panel.models import CellResult, Usage
from panel.record.aggregate import aggregate, cached_input_share, persona_preference, summarise_tool


def ok(persona: str, tool: str, verdict: str, score: int) -> CellResult:
    return CellResult(
        persona=persona, tool=tool, status="ok", verdict={"verdict": verdict, "score": score}
    )


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


def test_failed_cells_count_neither_way() -> None:
    cells = [
        ok("a", "t", "ship", 7),
        ok("b", "t", "skip", 3),
        ok("c", "t", "ship", 6),
        failed("d", "t"),
    ]
    summary = summarise_tool("t", cells)
    assert summary.reviewers == 4 and summary.answered == 3
    assert summary.ship_pct == round(200 / 3, 1)  # 2 of the 3 who answered: 66.7
    assert summary.split == "2 ship / 1 skip (1 without a verdict)"
    assert summary.mean_score == round(16 / 3, 2)


def test_tie_has_no_majority_and_no_dissenters() -> None:
    cells = [ok("a", "t", "ship", 7), ok("b", "t", "skip", 4)]
    summary = summarise_tool("t", cells)
    assert summary.ship_pct == 50.0 and summary.dissenters == []


def test_all_failed_has_no_percent() -> None:
    summary = summarise_tool("t", [failed("a", "t"), failed("b", "t")])
    assert (
        summary.ship_pct is None
        and summary.mean_score is None
        and summary.split.startswith("0 ship / 0 skip")
    )


def test_persona_preference_margin_tie_and_missing() -> None:
    assert persona_preference("doubter", ["claw", "modal"], PAGE).model_dump() == {
        "persona": "doubter",
        "preferred": "modal",
        "margin": 3,
        "note": "prefers modal over claw by 3",
    }
    tie = persona_preference("ecosystem", ["claw", "modal"], PAGE)
    assert tie.preferred is None and tie.margin == 0 and tie.note == "ties claw and modal at 8"
    half = persona_preference(
        "x", ["claw", "modal"], [ok("x", "claw", "ship", 7), failed("x", "modal")]
    )
    assert half.preferred is None and half.note == "only claw answered"


def test_overall_call_by_ship_percent_then_mean_score_then_dead_heat() -> None:
    assert aggregate(["claw", "modal"], ["enthusiast"], PAGE).overall.winner == "modal"
    even = [ok("a", "x", "ship", 8), ok("a", "y", "ship", 6)]
    call = aggregate(["x", "y"], ["a"], even).overall
    assert call.winner == "x" and "mean score (8 vs 6)" in call.reason
    same = [ok("a", "x", "ship", 7), ok("a", "y", "ship", 7)]
    call = aggregate(["x", "y"], ["a"], same).overall
    assert call.winner is None and call.reason.startswith("dead heat")


def test_cached_share() -> None:
    usage = Usage(input_tokens=100, cache_write_tokens=900, cache_read_tokens=3000, output_tokens=5)
    assert cached_input_share(usage) == 0.75
    assert cached_input_share(Usage()) is None


def test_notes_use_display_names_when_given() -> None:
    names = {"claw": "Claw Code", "modal": "Modal"}
    result = aggregate(["claw", "modal"], ["doubter"], PAGE, names)
    assert result.overall.reason == "Modal leads on panel ship % (100% vs 75%)"
    assert result.personas[0].note == "prefers Modal over Claw Code by 3"
    assert result.overall.winner == "modal"  # the arithmetic and the ids are unchanged
