"""Verdicts into a comparison: pure functions over final cell results.

Conventions (the reference pages' arithmetic): panel ship % is ships over the
reviewers who answered, so a failed cell neither ships nor skips; the spread
is the population standard deviation of the scores; a dissenter votes
against the tool's majority, and a tied vote has no majority and so no
dissenters.
"""

from __future__ import annotations

from statistics import fmean, pstdev

from panel.models import (
    Aggregates,
    CellResult,
    OverallCall,
    PersonaPreference,
    ToolSummary,
    Usage,
)


def summarise_tool(tool: str, cells: list[CellResult]) -> ToolSummary:
    mine = [cell for cell in cells if cell.tool == tool]
    answered = [cell for cell in mine if cell.status == "ok"]
    ships = [cell for cell in answered if cell.verdict_word == "ship"]
    skips = [cell for cell in answered if cell.verdict_word == "skip"]
    scores = [cell.score for cell in answered if cell.score is not None]
    split = f"{len(ships)} ship / {len(skips)} skip"
    if len(mine) > len(answered):
        split += f" ({len(mine) - len(answered)} without a verdict)"
    majority = "ship" if len(ships) > len(skips) else "skip" if len(skips) > len(ships) else None
    dissenters = _dissenters(answered, majority)
    return ToolSummary(
        tool=tool,
        reviewers=len(mine),
        answered=len(answered),
        ships=len(ships),
        skips=len(skips),
        ship_pct=round(100 * len(ships) / len(answered), 1) if answered else None,
        split=split,
        mean_score=round(fmean(scores), 2) if scores else None,
        score_spread=round(pstdev(scores), 2) if scores else None,
        dissenters=dissenters,
    )


def _dissenters(answered: list[CellResult], majority: str | None) -> list[str]:
    """Personas voting against the majority; with --samples, by the majority of their samples."""
    votes: dict[str, list[str]] = {}
    for cell in answered:
        votes.setdefault(cell.persona, []).append(str(cell.verdict_word))
    against = "skip" if majority == "ship" else "ship"
    return [p for p, words in votes.items() if majority and words.count(against) > len(words) / 2]


def persona_preference(
    persona: str, tools: list[str], cells: list[CellResult], names: dict[str, str] | None = None
) -> PersonaPreference:
    label = (names or {}).get
    samples: dict[str, list[int]] = {}
    for cell in cells:
        if cell.persona == persona and cell.tool in tools and cell.score is not None:
            samples.setdefault(cell.tool, []).append(cell.score)
    scored = {tool: round(fmean(scores), 2) for tool, scores in samples.items()}  # over --samples
    if not scored:
        return PersonaPreference(persona=persona, preferred=None, margin=None, note="no verdicts")
    ranked = sorted(scored.items(), key=lambda item: (-item[1], tools.index(item[0])))
    if len(ranked) == 1:
        only = ranked[0][0]
        return PersonaPreference(
            persona=persona, preferred=None, margin=None, note=f"only {label(only, only)} answered"
        )
    (best, top), (runner_up, second) = ranked[0], ranked[1]
    if top == second:
        tied = [tool for tool, score in ranked if score == top]
        note = f"ties {' and '.join(label(tool, tool) for tool in tied)} at {top:g}"
        return PersonaPreference(persona=persona, preferred=None, margin=0, note=note)
    margin = round(top - second, 2)
    note = f"prefers {label(best, best)} over {label(runner_up, runner_up)} by {margin:g}"
    return PersonaPreference(persona=persona, preferred=best, margin=margin, note=note)


def overall_call(summaries: list[ToolSummary], names: dict[str, str] | None = None) -> OverallCall:
    rated = [s for s in summaries if s.ship_pct is not None]
    if not rated:
        return OverallCall(winner=None, reason="no tool received a verdict")

    def strength(summary: ToolSummary) -> tuple[float, float]:
        return (summary.ship_pct or 0.0, summary.mean_score or 0.0)

    ranked = sorted(rated, key=strength, reverse=True)
    name = {s.tool: (names or {}).get(s.tool, s.tool) for s in ranked}
    if len(ranked) == 1:
        return OverallCall(
            winner=ranked[0].tool, reason=f"{name[ranked[0].tool]} is the only tool with verdicts"
        )
    best, runner_up = ranked[0], ranked[1]
    first, second = name[best.tool], name[runner_up.tool]
    if strength(best) == strength(runner_up):
        return OverallCall(
            winner=None,
            reason=f"dead heat: {first} and {second} tie on ship % ({best.ship_pct:g}%) "
            "and mean score",
        )
    if best.ship_pct != runner_up.ship_pct:
        reason = f"{first} leads on panel ship % ({best.ship_pct:g}% vs {runner_up.ship_pct:g}%)"
    else:
        reason = (
            f"{first} and {second} tie at {best.ship_pct:g}% ship; "
            f"{first} wins on mean score ({best.mean_score:g} vs {runner_up.mean_score:g})"
        )
    return OverallCall(winner=best.tool, reason=reason)


def aggregate(
    tools: list[str],
    personas: list[str],
    cells: list[CellResult],
    names: dict[str, str] | None = None,
) -> Aggregates:
    """`names` (tool id to display name) only words the notes; the arithmetic is on ids."""
    summaries = [summarise_tool(tool, cells) for tool in tools]
    return Aggregates(
        tools=summaries,
        personas=[persona_preference(persona, tools, cells, names) for persona in personas],
        overall=overall_call(summaries, names),
    )


def total_usage(cells: list[CellResult]) -> Usage:
    total = Usage()
    for cell in cells:
        total = total + cell.usage
    return total


def cached_input_share(usage: Usage) -> float | None:
    """Share of input tokens served from the provider's prompt cache."""
    total = usage.total_input_tokens
    return round(usage.cache_read_tokens / total, 4) if total else None
