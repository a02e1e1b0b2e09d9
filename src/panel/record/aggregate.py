"""Verdicts into a comparison: pure functions over final cell results.

Conventions (the reference pages' arithmetic): panel ship % is ships over every
reviewer on the panel, so a missing verdict (a failed or skipped cell) counts as
no ship and is named ("3/4 ship (1 missing)"); the spread is the population
standard deviation of the scores; a dissenter votes against the tool's majority,
and a tied vote has no majority and so no dissenters. In a multi-tool panel each
verdict names the tool its reviewer would pick (`versus`); a reviewer's pick counts
when their verdicts agree on it. The overall call follows `CALL_RULE`, and is not
made while any verdict is missing. A review of one tool has no picks and no winner: its
call follows `SINGLE_RULE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean, pstdev
from typing import Protocol

from panel.models import (
    Aggregates,
    CellResult,
    OverallCall,
    PersonaPreference,
    Record,
    ReviewCall,
    ToolSummary,
    Totals,
    Usage,
    Verdict,
)

CALL_RULE = (
    "The call goes to the tool with the higher panel ship %; a tie goes to the tool more "
    "reviewers would pick for their own use, then to the higher mean score. "
    "No call is made while a verdict is missing."
)

SINGLE_RULE = (
    "The call is the verdict of more than half of the whole panel (a missing verdict counts as "
    "no ship). No call is made while a verdict is missing, or when the panel splits evenly."
)

Names = dict[str, str]


class Counted(Protocol):
    """A cell as the aggregates read it: a record's (edited) `CellResult` or a `RunCell`."""

    persona: str
    tool: str

    @property
    def status(self) -> str: ...
    @property
    def verdict_word(self) -> str | None: ...
    @property
    def score(self) -> int | None: ...
    @property
    def versus(self) -> dict[str, str]: ...


# What the pages, `panel validate`, the listings and the digest read of each tool's summary and
# of the call: each must be what the cells give (`panel validate` names each that is not).
TOOL_FIGURES: tuple[str, ...] = ("reviewers", "answered", "ships", "skips", "missing")
TOOL_FIGURES += ("ship_pct", "tally", "split", "mean_score", "picks")
OVERALL_FIELDS = ("winner", "reason")  # a comparison's call
CALL_FIELDS = ("verdict", "headline", "reason")  # a one-tool review's call


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def majority(words: Sequence[str | None]) -> Verdict | None:
    """The verdict more of `words` give (a tie: none): a reviewer's call over their samples, a
    cell's over its samples and orders, the panel's over its reviewers."""
    ships, skips = words.count("ship"), words.count("skip")
    return "ship" if ships > skips else "skip" if skips > ships else None


def summarise_tool(
    tool: str,
    cells: Sequence[Counted],
    personas: list[str] | None = None,
    persona_names: Names | None = None,
    picks: int = 0,
    *,
    spread: bool = True,
) -> ToolSummary:
    """`personas` is the panel (default: the reviewers with a cell for this tool).

    A reviewer asked several times (`--samples`) counts once, with the majority of their
    answered samples (a tie is neither ship nor skip); the mean score is over every sample.
    """
    samples: dict[str, list[Counted]] = {}
    for cell in cells:
        if cell.tool == tool and cell.status == "ok":
            samples.setdefault(cell.persona, []).append(cell)
    panel = (
        personas
        if personas is not None
        else list(dict.fromkeys(c.persona for c in cells if c.tool == tool))
    )
    answered = [p for p in panel if p in samples]
    missing = [p for p in panel if p not in samples]
    calls = {p: majority([c.verdict_word for c in samples[p]]) for p in answered}
    ships = [p for p in answered if calls[p] == "ship"]
    skips = [p for p in answered if calls[p] == "skip"]
    scores = [c.score for p in answered for c in samples[p] if c.score is not None]
    tally = f"{len(ships)}/{len(panel)} ship"
    split = f"{len(ships)} ship / {len(skips)} skip"
    undecided = len(answered) - len(ships) - len(skips)
    if undecided:
        split += f" / {undecided} undecided"
    if missing:
        tally += f" ({len(missing)} missing)"
        who = ", ".join((persona_names or {}).get(p, p) for p in missing)
        split += f"; no verdict from {who}"
    common = majority([calls[p] for p in answered])
    dissenters = [p for p in answered if common and calls[p] != common]
    return ToolSummary(
        tool=tool,
        reviewers=len(panel),
        answered=len(answered),
        ships=len(ships),
        skips=len(skips),
        missing=missing,
        ship_pct=round(100 * len(ships) / len(panel), 1) if panel else None,
        tally=tally,
        split=split,
        mean_score=round(fmean(scores), 2) if scores else None,
        score_spread=round(pstdev(scores), 2) if scores and spread else None,
        dissenters=dissenters,
        picks=picks,
    )


def _pick(
    persona: str, tools: list[str], cells: Sequence[Counted], label: Names
) -> tuple[str | None, str]:
    """The tool this reviewer would pick, when every verdict of theirs that names one agrees."""
    picks = [
        (cell.tool, cell.versus["pick"])
        for cell in cells
        if cell.persona == persona and cell.versus.get("pick") in tools
    ]
    chosen = sorted({pick for _, pick in picks}, key=tools.index)
    if not chosen:
        return None, "no pick"
    if len(chosen) == 1:
        return chosen[0], f"would pick {label.get(chosen[0], chosen[0])}"
    differ = ", ".join(
        dict.fromkeys(
            f"{label.get(pick, pick)} in the {label.get(tool, tool)} review" for tool, pick in picks
        )
    )
    return None, f"picks differ ({differ})"


def persona_preference(
    persona: str, tools: list[str], cells: Sequence[Counted], names: Names | None = None
) -> PersonaPreference:
    label = names or {}
    pick, pick_note = _pick(persona, tools, cells, label)
    samples: dict[str, list[int]] = {}
    for cell in cells:
        if cell.persona == persona and cell.tool in tools and cell.score is not None:
            samples.setdefault(cell.tool, []).append(cell.score)
    scored = {tool: round(fmean(scores), 2) for tool, scores in samples.items()}  # over --samples
    base = PersonaPreference(
        persona=persona,
        preferred=None,
        margin=None,
        note="no verdicts",
        pick=pick,
        pick_note=pick_note,
    )
    if not scored:
        return base
    ranked = sorted(scored.items(), key=lambda item: (-item[1], tools.index(item[0])))
    if len(ranked) == 1:
        only = ranked[0][0]
        return base.model_copy(update={"note": f"only {label.get(only, only)} answered"})
    (best, top), (runner_up, second) = ranked[0], ranked[1]
    if top == second:
        tied = [tool for tool, score in ranked if score == top]
        note = f"ties {' and '.join(label.get(tool, tool) for tool in tied)} at {top:g}"
        return base.model_copy(update={"margin": 0, "note": note})
    margin = round(top - second, 2)
    note = f"prefers {label.get(best, best)} over {label.get(runner_up, runner_up)} by {margin:g}"
    return base.model_copy(update={"preferred": best, "margin": margin, "note": note})


def _incomplete(summaries: list[ToolSummary], names: Names, persona_names: Names) -> str:
    gaps = [
        f"{persona_names.get(p, p)} on {names.get(s.tool, s.tool)}"
        for s in summaries
        for p in s.missing
    ]
    total = sum(s.reviewers for s in summaries)
    return (
        f"no overall call: the panel is incomplete ({len(gaps)} of {total} verdicts missing: "
        f"{', '.join(gaps)})"
    )


def overall_call(
    summaries: list[ToolSummary], names: Names | None = None, persona_names: Names | None = None
) -> OverallCall:
    names, persona_names = names or {}, persona_names or {}
    if not summaries:
        return OverallCall(winner=None, reason="no tools on the panel", rule=CALL_RULE)
    if any(s.missing for s in summaries):
        return OverallCall(
            winner=None, reason=_incomplete(summaries, names, persona_names), rule=CALL_RULE
        )

    def strength(summary: ToolSummary) -> tuple[float, int, float]:
        return (summary.ship_pct or 0.0, summary.picks, summary.mean_score or 0.0)

    ranked = sorted(summaries, key=strength, reverse=True)
    name = {s.tool: names.get(s.tool, s.tool) for s in ranked}
    best = ranked[0]
    first = name[best.tool]
    if len(ranked) == 1:  # a review of one tool: its call is `review_call`, and no one wins
        reason = f"{first} is the only tool on the panel: no comparison, no winner"
        return OverallCall(winner=None, reason=reason, rule=CALL_RULE)
    runner_up = ranked[1]
    second = name[runner_up.tool]
    picks = f" and {_plural(best.picks, 'pick')} each" if best.picks else ""
    if strength(best) == strength(runner_up):
        tie = f"{best.ship_pct:g}% ship{picks} and a mean score of {best.mean_score:g}"
        reason = f"dead heat: {first} and {second} tie at {tie}"
        return OverallCall(winner=None, reason=reason, rule=CALL_RULE)
    if best.ship_pct != runner_up.ship_pct:
        reason = f"{first} leads on panel ship % ({best.ship_pct:g}% vs {runner_up.ship_pct:g}%)"
    elif best.picks != runner_up.picks:
        reason = (
            f"{first} and {second} tie at {best.ship_pct:g}% ship; {first} wins the tie-break on "
            f"reviewers' picks ({best.picks} to {runner_up.picks})"
        )
    else:
        reason = (
            f"{first} and {second} tie at {best.ship_pct:g}% ship{picks}; "
            f"{first} wins on mean score ({best.mean_score:g} vs {runner_up.mean_score:g})"
        )
    if best.ships * 2 < best.reviewers:
        reason += f", though most of the panel would skip {first} too"
    return OverallCall(winner=best.tool, reason=reason, rule=CALL_RULE)


def review_call(summary: ToolSummary, persona_names: Names | None = None) -> ReviewCall:
    """A one-tool review's call: ship or skip when more than half of the whole panel says so.

    The headline is the call as printed ("Ship: 3 of 4 reviewers", or "No call"); the reason
    gives the split and names who dissents, or what keeps the panel from a call.
    """
    who = persona_names or {}
    reviewers = _plural(summary.reviewers, "reviewer")

    def call(verdict: Verdict | None, headline: str, reason: str) -> ReviewCall:
        return ReviewCall(
            tool=summary.tool, verdict=verdict, headline=headline, reason=reason, rule=SINGLE_RULE
        )

    if summary.missing:
        gaps = ", ".join(who.get(p, p) for p in summary.missing)
        reason = f"{len(summary.missing)} of {summary.reviewers} verdicts missing: {gaps}"
        return call(None, "No call", reason)
    counts: list[tuple[Verdict, int]] = [("ship", summary.ships), ("skip", summary.skips)]
    for verdict, count in counts:
        if count * 2 > summary.reviewers:
            dissenters = [who.get(p, p) for p in summary.dissenters]
            dissent = (
                f"{', '.join(dissenters)} {'dissents' if len(dissenters) == 1 else 'dissent'}"
                if dissenters
                else "no dissent"
            )
            headline = f"{verdict.capitalize()}: {count} of {reviewers}"
            return call(verdict, headline, f"{summary.split}; {dissent}")
    return call(None, "No call", f"the panel splits evenly: {summary.split}")


def aggregate(
    tools: list[str],
    personas: list[str],
    cells: Sequence[Counted],
    names: Names | None = None,
    persona_names: Names | None = None,
    *,
    shown_only: bool = False,
) -> Aggregates:
    """`names` and `persona_names` (id to display name) only word the notes; the arithmetic
    is on ids. One tool is a review: no preferences between tools, no winner, its own call.
    `shown_only`: what a listing checks (`TOOL_FIGURES` and the call), at half the cost: no
    reviewer's preference beyond their pick, no score spread."""
    spread = not shown_only
    if len(tools) == 1:
        summary = summarise_tool(tools[0], cells, personas, persona_names, spread=spread)
        return Aggregates(tools=[summary], personas=[], call=review_call(summary, persona_names))
    # Each tool's and reviewer's cells found once: linear in the cells, not tools times cells.
    by_tool: dict[str, list[Counted]] = {}
    by_persona: dict[str, list[Counted]] = {}
    for cell in cells:
        by_tool.setdefault(cell.tool, []).append(cell)
        by_persona.setdefault(cell.persona, []).append(cell)
    if shown_only:
        preferences = []
        chosen = [_pick(p, tools, by_persona.get(p, []), names or {})[0] for p in personas]
    else:
        preferences = [persona_preference(p, tools, by_persona.get(p, []), names) for p in personas]
        chosen = [preference.pick for preference in preferences]
    picks = {tool: chosen.count(tool) for tool in tools}
    summaries = [
        summarise_tool(
            tool, by_tool.get(tool, []), personas, persona_names, picks[tool], spread=spread
        )
        for tool in tools
    ]
    return Aggregates(
        tools=summaries,
        personas=preferences,
        overall=overall_call(summaries, names, persona_names),
    )


def aggregate_record(record: Record, cells: list[CellResult] | None = None) -> Aggregates:
    """The aggregates of a record's cells (or of `cells` in its place) as published: each
    editor's override applied, tools and reviewers named as on the page."""
    return aggregate(
        [tool.id for tool in record.tools],
        [persona.id for persona in record.personas],
        [cell.edited() for cell in (record.cells if cells is None else cells)],
        {tool.id: tool.name for tool in record.tools},
        {persona.id: persona.name for persona in record.personas},
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


def cell_totals(cells: list[CellResult], wall_seconds: float) -> Totals:
    """Tokens, dollars (a grader's calls included) and counts over a record's cells: written
    with a run, and recomputed whenever a record is read back (a stored total is never
    trusted)."""
    usage = total_usage(cells)
    priced = [cell.cost for cell in cells if cell.status != "skipped"]
    known = bool(priced) and all(cost is not None for cost in priced)
    graded = [cell.grader.cost for cell in cells if cell.grader and cell.grader.calls]
    grader_known = known and all(cost is not None for cost in graded)
    grader_cost = sum(c.usd for c in graded if c) if grader_known else None
    graders = grader_cost or 0.0
    cost = sum(c.usd for c in priced if c) + graders if known else None
    without = sum(c.usd_without_cache for c in priced if c) + graders if known else None
    spend = (
        sum(
            cell.cost.usd + _grader_usd(cell) for cell in cells if cell.cost and not cell.from_cache
        )
        + sum(_grader_usd(cell) for cell in cells if cell.from_cache and _graded_now(cell))
        if known
        else None
    )
    return Totals(
        usage=usage,
        cost_usd=_round(cost),
        cost_without_cache_usd=_round(without),
        saved_usd=_round(without - cost) if cost is not None and without is not None else None,
        cached_input_share=cached_input_share(usage),
        spend_this_run_usd=_round(spend),
        wall_seconds=round(wall_seconds, 3),
        cells=len(cells),
        cells_ok=sum(cell.status == "ok" for cell in cells),
        cells_from_cache=sum(cell.from_cache for cell in cells),
        grader_cost_usd=_round(grader_cost) if graded else None,
    )


def _graded_now(cell: CellResult) -> bool:
    return cell.grader is not None and cell.grader.graded_now


def _grader_usd(cell: CellResult) -> float:
    cost = cell.grader.cost if cell.grader else None
    return cost.usd if cost is not None else 0.0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
