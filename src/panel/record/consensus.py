"""How sure the panel is: samples into cell verdicts, intervals, agreement, order and voice checks.

Pure functions over final cell results (see `panel.record.stats` for the
formulas). A cell asked K times (`--samples`), and in both tool orders with
`--balance-order`, has several results sharing its persona and tool; its
verdict is the majority of those that answered, with the agreement written as
"2/3", and its score their mean with the population spread. A tie has no
majority. Per tool, the ship % is the aggregates' (each reviewer once, by
the majority of their samples; a missing verdict is not a ship) and its Wilson
95% interval is over the same reviewers: K samples of one reviewer are not K
independent ratings. The mean score has a seeded percentile-bootstrap 95%
interval drawing whole reviewers (a cluster bootstrap). Agreement across personas is
Fleiss' kappa over the tools, each persona's rating being its cell's
majority. Persona collapse compares the quotes of different personas on the
same tool (token-set Jaccard of content words) and flags pairs at or above
`COLLAPSE_THRESHOLD`.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from statistics import fmean, pstdev

from panel.models import (
    CellConsensus,
    CellResult,
    OrderFlip,
    PanelStatistics,
    QuoteSimilarity,
    ToolStatistics,
)
from panel.record.aggregate import majority, summarise_tool
from panel.record.stats import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    COLLAPSE_THRESHOLD,
    Kappa,
    category_table,
    cluster_bootstrap_mean_interval,
    fleiss_kappa,
    jaccard,
    wilson_interval,
)

VERDICTS = ("ship", "skip")


def _grouped(cells: Iterable[CellResult]) -> dict[tuple[str, str], list[CellResult]]:
    groups: dict[tuple[str, str], list[CellResult]] = {}
    for cell in cells:
        groups.setdefault((cell.persona, cell.tool), []).append(cell)
    return groups


def cell_consensus(persona: str, tool: str, samples: list[CellResult]) -> CellConsensus:
    answered = [cell for cell in samples if cell.status == "ok"]
    words = [str(cell.verdict_word) for cell in answered]
    scores = [cell.score for cell in answered if cell.score is not None]
    common = majority(words)
    agreeing = words.count(common) if common else max((words.count(v) for v in VERDICTS), default=0)
    return CellConsensus(
        persona=persona,
        tool=tool,
        samples=len(samples),
        answered=len(answered),
        verdict=common,
        agreement=f"{agreeing}/{len(answered)}",
        mean_score=round(fmean(scores), 2) if scores else None,
        score_spread=round(pstdev(scores), 2) if scores else None,
        disagrees=len(set(words)) > 1,
    )


def consensus(cells: list[CellResult]) -> list[CellConsensus]:
    return [
        cell_consensus(persona, tool, group) for (persona, tool), group in _grouped(cells).items()
    ]


def representatives(cells: list[CellResult]) -> dict[tuple[str, str], CellResult]:
    """One result per cell for the page: the first sample that agrees with the majority."""
    chosen = {}
    for key, group in _grouped(cells).items():
        common = majority([str(cell.verdict_word) for cell in group if cell.status == "ok"])
        agreeing = [
            cell for cell in group if cell.status == "ok" and cell.verdict_word in (common, None)
        ]
        answered = [cell for cell in group if cell.status == "ok"]
        chosen[key] = (agreeing or answered or group)[0]
    return chosen


def tool_statistics(
    tool: str,
    cells: list[CellResult],
    personas: list[str] | None = None,
    stored: ToolStatistics | None = None,
) -> ToolStatistics:
    """A tool's figures; the ship % and its interval over the reviewers of `personas` (default:
    those with a cell for the tool), exactly the aggregates' ship %: each reviewer once, by the
    majority of their samples, and a missing or undecided verdict as not-ship."""
    answered = [cell for cell in cells if cell.tool == tool and cell.status == "ok"]
    ships = sum(cell.verdict_word == "ship" for cell in answered)
    summary = summarise_tool(tool, cells, personas)
    ship = wilson_interval(summary.ships, summary.reviewers)
    by_reviewer: dict[str, list[float]] = {}
    for cell in answered:
        if cell.score is not None:
            by_reviewer.setdefault(cell.persona, []).append(float(cell.score))
    scores = [score for group in by_reviewer.values() for score in group]
    mean = round(fmean(scores), 2) if scores else None
    kept = _stored_interval(stored, mean, scores)
    score = None if kept else cluster_bootstrap_mean_interval(list(by_reviewer.values()))
    low, high = kept or ((round(score.low, 2), round(score.high, 2)) if score else (None, None))
    return ToolStatistics(
        tool=tool,
        ratings=len(answered),
        ships=ships,
        ship_pct=summary.ship_pct,
        ship_pct_low=_pct(ship.low) if ship else None,
        ship_pct_high=_pct(ship.high) if ship else None,
        reviewers=summary.reviewers,
        reviewer_ships=summary.ships,
        missing=len(summary.missing),
        mean_score=mean,
        mean_score_low=low,
        mean_score_high=high,
    )


def _stored_interval(
    stored: ToolStatistics | None, mean: float | None, scores: list[float]
) -> tuple[float, float] | None:
    """A record's own bootstrap interval, re-used when reading it back (the bootstrap is the one
    slow figure: 2,000 resamples a tool) only if it can be that figure: around the mean the
    cells give, inside the range of their scores. Anything else is computed again."""
    if stored is None or mean is None or not scores:
        return None
    low, high = stored.mean_score_low, stored.mean_score_high
    if low is None or high is None or stored.mean_score != mean:
        return None
    if not min(scores) <= low <= mean <= high <= max(scores):
        return None
    return low, high


def _pct(share: float) -> float:
    return round(100 * share, 1)


def persona_agreement(
    personas: list[str], tools: list[str], cells: list[CellConsensus]
) -> tuple[Kappa, int]:
    """Fleiss' kappa, personas as raters and tools as subjects; and how many tools it used."""
    if len(personas) < 2:
        return Kappa(None, "one reviewer: no agreement to measure"), 0
    if len(tools) < 2:  # one subject: its own marginals make chance agreement, kappa <= 0
        return Kappa(None, "one tool: agreement beyond chance needs two or more tools"), 0
    verdicts = {(c.persona, c.tool): c.verdict for c in cells}
    ratings = []
    for tool in tools:
        row = [verdicts.get((persona, tool)) for persona in personas]
        if all(verdict is not None for verdict in row):
            ratings.append(row)
    if not ratings:
        return Kappa(None, "no tool has a majority verdict from every reviewer"), 0
    kappa = fleiss_kappa(category_table(ratings, VERDICTS))
    left_out = len(tools) - len(ratings)
    if left_out and kappa.value is not None:
        kappa = Kappa(
            kappa.value, f"{left_out} tool(s) left out: a reviewer has no majority verdict"
        )
    return kappa, len(ratings)


def order_flips(cells: list[CellResult]) -> list[OrderFlip]:
    """Cells whose majority verdict differs between the listed and the reversed tool order."""
    flips = []
    for (persona, tool), group in _grouped(cells).items():
        by_order = {
            order: majority(
                [str(c.verdict_word) for c in group if c.order == order and c.status == "ok"]
            )
            for order in ("listed", "reversed")
        }
        listed, reversed_ = by_order["listed"], by_order["reversed"]
        if listed and reversed_ and listed != reversed_:
            flips.append(OrderFlip(persona=persona, tool=tool, listed=listed, reversed=reversed_))
    return flips


def quote_similarity(
    tools: list[str], chosen: dict[tuple[str, str], CellResult]
) -> list[QuoteSimilarity]:
    """Every pair of different personas' quotes on the same tool, with its Jaccard similarity."""
    pairs = []
    for tool in tools:
        quotes = [
            (persona, str(cell.verdict["quote"]))
            for (persona, t), cell in chosen.items()
            if t == tool and cell.status == "ok" and cell.verdict and "quote" in cell.verdict
        ]
        for (first, a), (second, b) in combinations(quotes, 2):
            similarity = round(jaccard(a, b), 3)
            pairs.append(
                QuoteSimilarity(
                    tool=tool,
                    personas=[first, second],
                    similarity=similarity,
                    collapsed=similarity >= COLLAPSE_THRESHOLD,
                )
            )
    return pairs


def panel_statistics(
    tools: list[str],
    personas: list[str],
    cells: list[CellResult],
    *,
    samples: int = 1,
    balance_order: bool = False,
    stored: PanelStatistics | None = None,
) -> PanelStatistics:
    """`stored` (a record's own statistics, read back) lends only its bootstrap intervals, and
    only where `tool_statistics` finds them possible."""
    cells_consensus = consensus(cells)
    same_bootstrap = stored is not None and (stored.bootstrap_resamples, stored.bootstrap_seed) == (
        BOOTSTRAP_RESAMPLES,
        BOOTSTRAP_SEED,
    )
    kept = {s.tool: s for s in stored.tools} if stored is not None and same_bootstrap else {}
    kappa, subjects = persona_agreement(personas, tools, cells_consensus)
    return PanelStatistics(
        samples=samples,
        balance_order=balance_order,
        tool_order=tools,
        cells=cells_consensus,
        tools=[tool_statistics(tool, cells, personas, kept.get(tool)) for tool in tools],
        fleiss_kappa=None if kappa.value is None else round(kappa.value, 4),
        fleiss_kappa_note=kappa.reason,
        fleiss_kappa_subjects=subjects,
        order_flips=order_flips(cells) if balance_order else [],
        bootstrap_resamples=BOOTSTRAP_RESAMPLES,
        bootstrap_seed=BOOTSTRAP_SEED,
        collapse_threshold=COLLAPSE_THRESHOLD,
        quote_similarity=quote_similarity(tools, representatives(cells)),
    )
