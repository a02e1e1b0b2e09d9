"""A panel's numbers in words: the lines and figures the page, the Markdown and the terminal
share (how sure a panel is, percentages, money, votes, what caching did). No templates here: the
terminal's live grid imports this without the page machinery.

Everything here reads `record.statistics` (see `panel.record.consensus`); a
record written before it existed simply has no such lines.
"""

from __future__ import annotations

from panel.models import (
    CellConsensus,
    CommunityVote,
    Grading,
    PanelStatistics,
    Record,
    ToolStatistics,
)


def ship_interval(figures: ToolStatistics | None) -> str:
    """ " (41-93%, 95% interval over 4 reviewers)": the Wilson 95% interval of a ship %, saying
    over what and how a missing verdict counts; nothing without one."""
    if figures is None or figures.ship_pct_low is None or figures.ship_pct_high is None:
        return ""
    bounds = f"{figures.ship_pct_low:.0f}-{figures.ship_pct_high:.0f}%"
    if figures.reviewers is None:  # a record from before the interval was over reviewers
        return f" ({bounds})"
    over = f"{figures.reviewers} reviewer{'s' if figures.reviewers != 1 else ''}"
    missing = f"; {figures.missing} missing, counted as not-ship" if figures.missing else ""
    return f" ({bounds}, 95% interval over {over}{missing})"


def grader_note(grading: Grading | None) -> str:
    """ "claude-haiku-4-5 reads a skip ("hold off for now"), after its re-ask": what the grader
    made of the quote kept; nothing when no grader ran or it could not answer (a flag says so)."""
    if grading is None or grading.call is None:
        return ""
    reading = "no call" if grading.call == "none" else f'a {grading.call} ("{grading.words}")'
    after = ", after the re-ask it asked for" if grading.reasked else ""
    cached = " (from the response cache)" if grading.from_cache and not grading.calls else ""
    return f"the grader {grading.model} reads {reading}{after}{cached}"


def score_interval(figures: ToolStatistics | None) -> str:
    """ " (5.2-6.8)": the bootstrap 95% interval of a mean score, or nothing without one."""
    if figures is None or figures.mean_score_low is None or figures.mean_score_high is None:
        return ""
    return f" ({figures.mean_score_low:.1f}-{figures.mean_score_high:.1f})"


def agreement_note(cell: CellConsensus | None) -> str:
    """ "2/3 samples agree, mean score 6.3 (spread 1.2); the samples disagree" for a sampled cell,
    nothing for a single one."""
    if cell is None or cell.samples <= 1:
        return ""
    note = f"{cell.agreement} samples agree"
    if cell.verdict is None and cell.answered:
        note += " (no majority)"
    if cell.mean_score is not None:
        note += f", mean score {cell.mean_score:g} (spread {cell.score_spread:g})"
    return note + ("; the samples disagree" if cell.disagrees else "")


def _names(record: Record) -> tuple[dict[str, str], dict[str, str]]:
    return {p.id: p.name for p in record.personas}, {t.id: t.name for t in record.tools}


def statistics_lines(record: Record) -> list[str]:
    """What the panel's figures rest on and how far to trust them, one finding per line."""
    stats = record.statistics
    if stats is None:
        return []
    people, tools = _names(record)
    lines = [_sampling_line(stats)]
    lines.append(_interval_line(stats))
    lines.append(_kappa_line(stats))
    split = [c for c in stats.cells if c.disagrees]
    if stats.samples > 1 or stats.balance_order:
        named = ", ".join(
            f"{people.get(c.persona, c.persona)} on {tools.get(c.tool, c.tool)} ({c.agreement})"
            for c in split
        )
        lines.append(f"Cells whose samples disagree: {named or 'none'}.")
    order = ", ".join(tools.get(tool, tool) for tool in stats.tool_order)
    if stats.balance_order:
        flips = ", ".join(
            f"{people.get(f.persona, f.persona)} on {tools.get(f.tool, f.tool)} "
            f"({f.listed} as listed, {f.reversed} reversed)"
            for f in stats.order_flips
        )
        lines.append(
            f"Tool order in the prompt: {order}, and reversed. "
            f"Verdicts that flip with the order: {flips or 'none'}."
        )
    elif len(stats.tool_order) > 1:  # one tool has no order to balance
        lines.append(f"Tool order in the prompt: {order} (not balanced: see --balance-order).")
    lines.append(_collapse_line(stats, people, tools))
    return lines


def _interval_line(stats: PanelStatistics) -> str:
    bootstrap = f"({stats.bootstrap_resamples} resamples, seed {stats.bootstrap_seed})"
    if any(tool.reviewers is None for tool in stats.tools):  # a record from before
        return (
            "Intervals: Wilson 95% on each ship % over reviewers x samples; percentile bootstrap "
            f"95% on each mean score {bootstrap}."
        )
    repeats = " (a reviewer's samples count once, by their majority)" if stats.samples > 1 else ""
    return (
        f"Intervals: Wilson 95% on each ship % over the panel's reviewers{repeats}, the same "
        "denominator as the ship % (a missing verdict counts as not-ship); percentile bootstrap "
        f"95% on each mean score drawing whole reviewers {bootstrap}."
    )


def _sampling_line(stats: PanelStatistics) -> str:
    if stats.samples == 1 and not stats.balance_order:
        return "Each cell was asked once: a rerun may flip a verdict (see --samples)."
    asked = f"{stats.samples} time{'s' if stats.samples > 1 else ''}"
    orders = " in each tool order" if stats.balance_order else ""
    return f"Each cell was asked {asked}{orders}; its verdict is the majority of its answers."


def _kappa_line(stats: PanelStatistics) -> str:
    if stats.fleiss_kappa is None:
        return f"Agreement across reviewers (Fleiss' kappa): undefined ({stats.fleiss_kappa_note})."
    note = f"; {stats.fleiss_kappa_note}" if stats.fleiss_kappa_note else ""
    return (
        f"Agreement across reviewers (Fleiss' kappa): {stats.fleiss_kappa:.2f} over "
        f"{stats.fleiss_kappa_subjects} tools{note}."
    )


def _collapse_line(stats: PanelStatistics, people: dict[str, str], tools: dict[str, str]) -> str:
    alike = [pair for pair in stats.quote_similarity if pair.collapsed]
    threshold = f"quote similarity of {stats.collapse_threshold:g} or more"
    if not alike:
        return f"Reviewers who sound alike ({threshold}): none."
    named = ", ".join(
        " and ".join(people.get(p, p) for p in pair.personas)
        + ("" if len(tools) == 1 else f" on {tools.get(pair.tool, pair.tool)}")  # one: no need
        + f" ({pair.similarity:.2f})"
        for pair in alike
    )
    return f"Reviewers who sound alike ({threshold}): {named}."


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def share(value: float | None) -> str:
    """A fraction (0.824) as a percentage with one decimal ("82.4%")."""
    return "—" if value is None else f"{value:.1%}"


def money(value: float | None) -> str:
    return "—" if value is None else f"${value:,.4f}"


def community(vote: CommunityVote | None) -> str:
    """Readers' votes as counts and a percentage ("12 ship / 3 skip (80%)"), or a dash."""
    if vote is None:
        return "—"
    return f"{vote.ship} ship / {vote.skip} skip ({percent(vote.ship_pct)})"


def caching_outcome(record: Record) -> str:
    """What prompt caching did for the money, in words: "saved $0.0123", or what it cost and why.

    Caching costs more than it saves when several cells each write the same
    prefix (a write is billed above plain input) and too few read it.
    """
    saved = record.totals.saved_usd
    if saved is None or saved >= 0:
        return f"saved {money(saved)}"
    writers = sum(1 for cell in record.cells if cell.usage.cache_write_tokens)
    readers = sum(1 for cell in record.cells if cell.usage.cache_read_tokens)
    if writers > 1:
        cause = f"{writers} cells wrote the same prefix"
    else:
        cause = f"the prefix was written and read by {readers} cell{'s' if readers != 1 else ''}"
    return f"caching cost {money(-saved)} extra: {cause}"
