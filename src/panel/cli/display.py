"""What the terminal shows while a panel runs: a live grid, or plain lines.

The grid (rich) is used only on a terminal; `--quiet` or a pipe gets one
line per finished cell, which is what CI logs and scripts want.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from panel.cli.terminal import clean, safe_text
from panel.models import Record
from panel.report.figures import caching_outcome, money, percent, share
from panel.running.orchestrator import NOT_SENT, CellUpdate

_STYLE = {"ship": "bold green", "skip": "bold red"}
_FINISHED = ("done", "cached", "failed", "skipped")


def _cell_text(update: CellUpdate | None) -> Text:
    if update is None or update.state == "waiting":
        return Text("·", style="dim")
    if update.state in ("failed", "skipped"):
        return Text(update.state, style="bold yellow")
    verdict, score = update.fields.get("verdict"), update.fields.get("score")
    if verdict is None:
        return Text("…", style="cyan")
    text = safe_text(verdict, style=_STYLE.get(str(verdict), ""))
    if score is not None:
        text.append(clean(f" {score}/10"))
    if update.state == "cached":
        text.append(" (cached)", style="dim")
    elif update.state == "streaming":
        text.append(" …", style="cyan")
    return text


class LiveGrid:
    """persona × tool cells, each filling in as soon as its verdict and score have streamed."""

    def __init__(
        self,
        personas: list[str],
        tools: list[str],
        console: Console,
        *,
        spent: Callable[[], float] | None = None,
        max_cost: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.personas, self.tools, self.console = personas, tools, console
        self.cells: dict[tuple[str, str], CellUpdate] = {}
        self.retrying: set[tuple[str, str]] = set()
        self.spent, self.max_cost, self.clock = spent, max_cost, clock
        self.started = clock()
        self.live = Live(
            get_renderable=self._table, console=console, refresh_per_second=12, transient=False
        )

    def progress_line(self) -> str:
        """Elapsed time, cells done of total, spend against the limit, retries in progress."""
        done = sum(u.state in _FINISHED for u in self.cells.values())
        total = len(self.personas) * len(self.tools)
        parts = [f"{self.clock() - self.started:.1f} s", f"{done}/{total} cells done"]
        if self.spent is not None:
            limit = f" of {money(self.max_cost)}" if self.max_cost is not None else ""
            parts.append(f"spent {money(self.spent())}{limit}")
        if self.retrying:
            parts.append(f"{len(self.retrying)} retrying")
        return " · ".join(parts)

    def _table(self) -> Table:
        table = Table(title="panel", caption=self.progress_line(), show_lines=False)
        table.add_column("persona")
        for tool in self.tools:
            table.add_column(tool)
        for persona in self.personas:
            table.add_row(
                persona, *(_cell_text(self.cells.get((persona, tool))) for tool in self.tools)
            )
        return table

    def __enter__(self) -> LiveGrid:
        self.started = self.clock()
        self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.live.update(self._table())
        self.live.__exit__(*exc)

    def update(self, update: CellUpdate) -> None:
        previous = self.cells.get((update.persona, update.tool))
        key = (update.persona, update.tool)
        if update.state == "streaming" and previous and not update.fields:
            # a retry restarted the cell
            update = CellUpdate(update.persona, update.tool, "running")
            self.retrying.add(key)
        elif update.state in _FINISHED:
            self.retrying.discard(key)
        self.cells[key] = update
        self.live.update(self._table())


class PlainLines:
    """One line per finished cell."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    def __enter__(self) -> PlainLines:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def update(self, update: CellUpdate) -> None:
        result = update.result
        if result is None:
            return
        if result.status == "ok":
            verdict = result.verdict or {}
            origin = " (cached)" if result.from_cache else ""
            call = f"{verdict.get('verdict')} {verdict.get('score')}/10{origin}"
            line = f"{update.persona} × {update.tool}: {call}"
        else:
            line = f"{update.persona} × {update.tool}: {result.status}: {result.error}"
        # One write for the line and its newline: a warning printed from another thread (the
        # cache writes in one) would otherwise land between them, mid-line.
        self.stream.write(clean(line, one_line=True) + "\n")
        self.stream.flush()


def summary_table(record: Record) -> Table:
    table = Table(title=f"{record.title}  [{record.model.provider}:{record.model.model}]")
    table.add_column("tool")
    table.add_column("panel ship", justify="right")
    table.add_column("split")
    table.add_column("mean score", justify="right")
    compared = len(record.tools) > 1  # one tool: no picks between tools
    if compared:
        table.add_column("picks", justify="right")
    table.add_column("dissenters")
    for summary in record.aggregates.tools:
        picks = [str(summary.picks)] if compared else []
        table.add_row(
            summary.tool,
            f"{percent(summary.ship_pct)} · {summary.tally}",
            summary.split,
            "—" if summary.mean_score is None else f"{summary.mean_score:g}",
            *picks,
            ", ".join(summary.dissenters) or "—",
        )
    return table


_UNKNOWN = "unknown: the server reported no usage, so the cost is unknown (not $0); counted "


def _call_line(record: Record) -> str:
    """ "overall: ..." for a comparison; "call: Ship: 3 of 4 reviewers (...)" for one tool."""
    label = "overall" if record.aggregates.call is None else "call"
    return f"{label}: {record.aggregates.call_line}"


def totals_lines(record: Record) -> list[str]:
    totals = record.totals
    usage = totals.usage
    return [
        _call_line(record),
        f"cells: {totals.cells_ok}/{totals.cells} with a verdict, {totals.cells_from_cache} from "
        "the response cache",
        f"tokens{'' if record.model.is_language_model else ' (estimated: offline model)'}: "
        f"{'' if usage.reported else _UNKNOWN}{usage.input_tokens} in, "
        f"{usage.cache_write_tokens} cache write, "
        f"{usage.cache_read_tokens} cache read, {usage.output_tokens} out; "
        f"input from prompt cache: {share(totals.cached_input_share)}",
        f"cost: {money(totals.cost_usd)}"
        + (
            f", of which the grader {money(totals.grader_cost_usd)}"
            if totals.grader_cost_usd
            else ""
        )
        + f" (without caching {money(totals.cost_without_cache_usd)}, "
        f"{caching_outcome(record)}); spent this run {money(totals.spend_this_run_usd)}; "
        f"wall time {totals.wall_seconds:.2f} s",
    ]


def not_ok_lines(record: Record) -> list[str]:
    """A line for each cell without a verdict; cells not sent for one shared reason, one line."""
    lines: list[str] = []
    alike: dict[str, list[str]] = {}
    for cell in record.cells:
        if cell.status == "skipped" and cell.error and cell.error.startswith(NOT_SENT):
            alike.setdefault(cell.error, []).append(f"{cell.persona} × {cell.tool}")
        elif cell.status != "ok":
            lines.append(f"cell {cell.persona} × {cell.tool}: {cell.status}: {cell.error}")
    for error, cells in alike.items():
        lines.append(f"{len(cells)} cell{'s' if len(cells) != 1 else ''} skipped: {error}")
    return lines
