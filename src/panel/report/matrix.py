"""Comparing one panel across several runs (models): the model x cell matrix.

The first run is the baseline. For every persona x tool cell the matrix shows
each run's verdict and score and marks the ones that differ from the baseline;
agreement is given for every pair of runs (from `diff_records`), and each
run's cost and wall time beside its model. Pure functions over records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

from panel.models import Record
from panel.record.consensus import representatives
from panel.report.diff import RunSide, diff_records
from panel.report.figures import money, share

FLIP = "⇄"  # a verdict that differs from the baseline's: a symbol as well as a colour


@dataclass(frozen=True)
class Verdict:
    verdict: str
    score: int
    flipped: bool  # differs from the baseline run's verdict for the same cell


@dataclass(frozen=True)
class Row:
    persona: str
    tool: str
    verdicts: list[Verdict | None]  # one per run; None where the run has no verdict


@dataclass(frozen=True)
class Pair:
    a: int
    b: int
    compared: int
    same_verdict_share: float | None
    kappa: float | None


@dataclass(frozen=True)
class Matrix:
    runs: list[RunSide]
    winners: list[str | None]
    rows: list[Row]
    pairs: list[Pair]

    def flips(self, run: int) -> int:
        """Cells whose verdict in `run` differs from the baseline's."""
        return sum(1 for row in self.rows if (v := row.verdicts[run]) is not None and v.flipped)

    @property
    def any_flip(self) -> bool:
        return any(self.flips(run) for run in range(1, len(self.runs)))

    @property
    def winner_changed(self) -> bool:
        return any(winner != self.winners[0] for winner in self.winners[1:])

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["flips_per_run"] = [self.flips(run) for run in range(len(self.runs))]
        data["any_flip"], data["winner_changed"] = self.any_flip, self.winner_changed
        return data


def compare_runs(records: list[Record]) -> Matrix:
    # one result per cell (with --samples, a sample agreeing with the cell's majority)
    answered = [
        {key: c for key, c in representatives(r.cells).items() if c.status == "ok"} for r in records
    ]
    baseline = answered[0]
    keys = list(representatives(records[0].cells))
    for record in records[1:]:
        keys += [key for key in representatives(record.cells) if key not in keys]
    rows = []
    for persona, tool in keys:
        base = baseline.get((persona, tool))
        verdicts: list[Verdict | None] = []
        for cells in answered:
            cell = cells.get((persona, tool))
            if cell is None or cell.verdict_word is None:
                verdicts.append(None)
                continue
            flipped = base is not None and cell.verdict_word != base.verdict_word
            verdicts.append(Verdict(cell.verdict_word, int(cell.score or 0), flipped))
        rows.append(Row(persona, tool, verdicts))
    pairs = []
    for i, j in combinations(range(len(records)), 2):
        result = diff_records(records[i], records[j])
        pairs.append(Pair(i, j, result.compared, result.same_verdict_share, result.kappa))
    sides = [_side(record) for record in records]
    return Matrix(sides, [r.aggregates.winner for r in records], rows, pairs)


def _side(record: Record) -> RunSide:
    totals = record.totals
    model = f"{record.model.provider}:{record.model.model}"
    return RunSide(record.run_id, model, totals.cost_usd, totals.wall_seconds, totals.cells_ok)


def cell_text(verdict: Verdict | None) -> str:
    if verdict is None:
        return "—"
    return f"{verdict.verdict} {verdict.score}{' ' + FLIP if verdict.flipped else ''}"


def run_rows(matrix: Matrix) -> list[list[str]]:
    """Per run: label, model, verdicts changed from the baseline, winner, cost, wall time."""
    return [
        [
            _label(index),
            side.model,
            "baseline" if index == 0 else str(matrix.flips(index)),
            matrix.winners[index] or "none",
            money(side.cost_usd),
            f"{side.wall_seconds:.2f} s",
        ]
        for index, side in enumerate(matrix.runs)
    ]


def pair_rows(matrix: Matrix) -> list[list[str]]:
    return [
        [
            f"{_label(p.a)} vs {_label(p.b)}",
            str(p.compared),
            share(p.same_verdict_share),
            "—" if p.kappa is None else f"{p.kappa:.3f}",
        ]
        for p in matrix.pairs
    ]


def _label(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"#{index + 1}"


def labels(matrix: Matrix) -> list[str]:
    return [_label(i) for i in range(len(matrix.runs))]


def to_markdown(matrix: Matrix) -> str:
    names = labels(matrix)
    out = ["# Panel diff", "", "| run | model | verdicts changed | winner | cost | wall time |"]
    out += ["|---|---|---|---|---|---|", *[f"| {' | '.join(row)} |" for row in run_rows(matrix)]]
    out += ["", "## Cells", "", f"| persona | tool | {' | '.join(names)} |"]
    out.append("|---|---|" + "---|" * len(names))
    for row in matrix.rows:
        cells = [f"**{cell_text(v)}**" if v and v.flipped else cell_text(v) for v in row.verdicts]
        out.append(f"| {row.persona} | {row.tool} | {' | '.join(cells)} |")
    out += ["", f"{FLIP} marks a verdict that differs from run A's.", "", "## Agreement", ""]
    out += ["| pair | cells compared | same verdict | Cohen's kappa |", "|---|---|---|---|"]
    out += [f"| {' | '.join(row)} |" for row in pair_rows(matrix)]
    return "\n".join(out) + "\n"
