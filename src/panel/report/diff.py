"""Comparing two records of the same panel: flips, score moves and agreement.

Pure functions over records. Cells are matched by (persona, tool); only
cells with a verdict in both records are compared (with --samples, each
cell's majority, as its page shows it). Percent agreement is always given.
Cohen's kappa corrects it for chance: with p_o the observed agreement and
p_e the agreement expected from each record's own ship rate,
kappa = (p_o - p_e) / (1 - p_e). It is computed only where both records
vary: when one gives a single verdict everywhere, it is reported as None
with that reason rather than as a misleading number.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from panel.models import CellResult, Record
from panel.record import stats
from panel.record.consensus import representatives
from panel.report.figures import money, share


@dataclass(frozen=True)
class CellChange:
    persona: str
    tool: str
    verdict_a: str
    verdict_b: str
    score_a: int
    score_b: int

    @property
    def flipped(self) -> bool:
        return self.verdict_a != self.verdict_b


@dataclass(frozen=True)
class RunSide:
    run_id: str
    model: str
    cost_usd: float | None
    wall_seconds: float
    cells_ok: int


@dataclass(frozen=True)
class RecordDiff:
    a: RunSide
    b: RunSide
    compared: int
    changes: list[CellChange]
    same_verdict_share: float | None
    kappa: float | None
    kappa_note: str
    mean_abs_score_diff: float | None
    ship_pct_change: dict[str, float | None] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["flipped"] = [asdict(c) for c in self.changes if c.flipped]
        return data


def cohen_kappa(pairs: list[tuple[str, str]]) -> tuple[float | None, str]:
    if not pairs:
        return None, "no cells to compare"
    kappa = stats.cohen_kappa(pairs, sides=("record A", "record B"))
    reason = kappa.reason.replace("rating to every subject", "verdict to every cell")
    return (None if kappa.value is None else round(kappa.value, 4)), reason


def _side(record: Record) -> RunSide:
    return RunSide(
        run_id=record.run_id,
        model=f"{record.model.provider}:{record.model.model}",
        cost_usd=record.totals.cost_usd,
        wall_seconds=record.totals.wall_seconds,
        cells_ok=record.totals.cells_ok,
    )


def _answered(record: Record) -> dict[tuple[str, str], CellResult]:
    """Each cell with a verdict; with --samples, a sample agreeing with its majority."""
    return {key: c for key, c in representatives(record.cells).items() if c.status == "ok"}


def diff_records(a: Record, b: Record) -> RecordDiff:
    cells_a, cells_b = _answered(a), _answered(b)
    shared = [key for key in cells_a if key in cells_b]
    changes = [
        CellChange(
            persona,
            tool,
            str(cells_a[(persona, tool)].verdict_word),
            str(cells_b[(persona, tool)].verdict_word),
            int(cells_a[(persona, tool)].score or 0),
            int(cells_b[(persona, tool)].score or 0),
        )
        for persona, tool in shared
    ]
    kappa, note = cohen_kappa([(c.verdict_a, c.verdict_b) for c in changes])
    n = len(changes)
    ship_a = {s.tool: s.ship_pct for s in a.aggregates.tools}
    ship_b = {s.tool: s.ship_pct for s in b.aggregates.tools}
    return RecordDiff(
        a=_side(a),
        b=_side(b),
        compared=n,
        changes=changes,
        same_verdict_share=round(sum(not c.flipped for c in changes) / n, 4) if n else None,
        kappa=kappa,
        kappa_note=note,
        mean_abs_score_diff=round(sum(abs(c.score_b - c.score_a) for c in changes) / n, 3)
        if n
        else None,
        ship_pct_change={
            tool: _change_in(ship_a[tool], ship_b[tool]) for tool in ship_a if tool in ship_b
        },
        unmatched=sorted(f"{p} × {t}" for p, t in set(cells_a) ^ set(cells_b)),
    )


def panel_difference(a: Record, b: Record, names: tuple[str, str] = ("A", "B")) -> str | None:
    """One line naming the tools and personas one run has and the other lacks (None: the same
    panel): their cells are left out of the comparison, which says nothing of them itself."""
    parts = []
    for kind, ids_a, ids_b in (
        ("tools", [t.id for t in a.tools], [t.id for t in b.tools]),
        ("personas", [p.id for p in a.personas], [p.id for p in b.personas]),
    ):
        for name, mine, theirs in ((names[0], ids_a, ids_b), (names[1], ids_b, ids_a)):
            only = [i for i in mine if i not in theirs]
            if only:
                parts.append(f"{kind} only in {name}: {', '.join(only)}")
    if not parts:
        return None
    return (
        f"runs {names[0]} and {names[1]} are of different panels ({'; '.join(parts)}); "
        "only the cells both hold are compared"
    )


def _change_in(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 1)


def _change(value: float | None) -> str:
    return "—" if value is None else f"{value:+g} pts"


def summary_rows(result: RecordDiff) -> list[tuple[str, str, str]]:
    """Run-level figures as (label, record A, record B) rows."""
    a, b = result.a, result.b
    return [
        ("run", a.run_id, b.run_id),
        ("model", a.model, b.model),
        ("cells with a verdict", str(a.cells_ok), str(b.cells_ok)),
        ("cost", money(a.cost_usd), money(b.cost_usd)),
        ("wall time", f"{a.wall_seconds:.2f} s", f"{b.wall_seconds:.2f} s"),
    ]


def agreement_lines(result: RecordDiff) -> list[str]:
    kappa = "—" if result.kappa is None else f"{result.kappa:.3f}"
    note = f" ({result.kappa_note})" if result.kappa_note else ""
    lines = [
        f"cells compared: {result.compared}",
        f"percent agreement (same verdict): {share(result.same_verdict_share)}",
        f"Cohen's kappa (ship/skip): {kappa}{note}",
        "mean absolute score difference: "
        f"{'—' if result.mean_abs_score_diff is None else result.mean_abs_score_diff}",
    ]
    lines += [
        f"ship % change, {tool}: {_change(change)}"
        for tool, change in result.ship_pct_change.items()
    ]
    if result.unmatched:
        lines.append(f"not compared (a verdict in only one record): {', '.join(result.unmatched)}")
    return lines


def to_markdown(result: RecordDiff) -> str:
    out = ["# Panel diff", "", "| | A | B |", "|---|---|---|"]
    out += [f"| {label} | {a} | {b} |" for label, a, b in summary_rows(result)]
    out += [
        "",
        *[f"- {line}" for line in agreement_lines(result)],
        "",
        "## Cells",
        "",
        "| persona | tool | A | B | score move |",
        "|---|---|---|---|---|",
    ]
    for c in result.changes:
        flag = " **flipped**" if c.flipped else ""
        out.append(
            f"| {c.persona} | {c.tool} | {c.verdict_a} {c.score_a} | {c.verdict_b} "
            f"{c.score_b}{flag} "
            f"| {c.score_b - c.score_a:+d} |"
        )
    return "\n".join(out) + "\n"
