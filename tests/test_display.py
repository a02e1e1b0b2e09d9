from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from panel.cli.display import LiveGrid, PlainLines, summary_table, totals_lines
from panel.models import CellResult, Persona, ToolCard
from panel.running.orchestrator import CellUpdate
from tests.records import offline_record, rebuilt


def _text(grid: LiveGrid) -> str:
    console = Console(file=io.StringIO(), width=120, record=True)
    console.print(grid._table())
    return console.export_text()


def test_live_grid_fills_in_as_fields_stream() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    grid = LiveGrid(["builder", "skeptic"], ["alpha", "beta"], console)
    with grid:
        grid.update(CellUpdate("builder", "alpha", "running"))
        assert "…" in _text(grid)
        grid.update(CellUpdate("builder", "alpha", "streaming", {"verdict": "ship"}))
        assert "ship …" in _text(grid)
        grid.update(CellUpdate("builder", "alpha", "streaming", {"verdict": "ship", "score": 8}))
        assert "ship 8/10 …" in _text(grid)
        grid.update(CellUpdate("builder", "alpha", "done", {"verdict": "ship", "score": 8}))
        grid.update(CellUpdate("skeptic", "beta", "cached", {"verdict": "skip", "score": 3}))
        grid.update(CellUpdate("skeptic", "alpha", "failed"))
    text = _text(grid)
    assert "ship 8/10" in text and "ship 8/10 …" not in text
    assert "skip 3/10 (cached)" in text and "failed" in text
    assert isinstance(console.file, io.StringIO) and console.file.getvalue()  # it drew


def test_a_restart_clears_the_cell() -> None:
    grid = LiveGrid(["builder"], ["alpha"], Console(file=io.StringIO(), force_terminal=True))
    grid.update(CellUpdate("builder", "alpha", "streaming", {"verdict": "ship", "score": 8}))
    grid.update(CellUpdate("builder", "alpha", "streaming", {}))
    assert "ship" not in _text(grid)


def test_plain_lines_print_only_finished_cells() -> None:
    out = io.StringIO()
    lines = PlainLines(out)
    lines.update(CellUpdate("builder", "alpha", "streaming", {"verdict": "ship"}))
    ok = CellResult(
        persona="builder", tool="alpha", status="ok", verdict={"verdict": "ship", "score": 8}
    )
    lines.update(CellUpdate("builder", "alpha", "done", result=ok))
    bad = CellResult(
        persona="skeptic", tool="alpha", status="failed", error="cell skeptic × alpha: refused"
    )
    lines.update(CellUpdate("skeptic", "alpha", "failed", result=bad))
    assert out.getvalue().splitlines() == [
        "builder × alpha: ship 8/10",
        "skeptic × alpha: failed: cell skeptic × alpha: refused",
    ]


def test_the_grid_shows_elapsed_time_cells_done_spend_and_retries() -> None:
    now = [100.0]
    spent = [0.0]
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    grid = LiveGrid(["builder", "skeptic"], ["alpha", "beta"], console, spent=lambda: spent[0],
                    max_cost=1.0, clock=lambda: now[0])  # fmt: skip
    with grid:
        now[0] += 2.5
        spent[0] = 0.0123
        grid.update(CellUpdate("builder", "alpha", "done", {"verdict": "ship", "score": 8}))
        grid.update(CellUpdate("builder", "beta", "streaming", {"verdict": "ship"}))
        grid.update(CellUpdate("builder", "beta", "streaming", {}))  # a retry restarted it
        assert (
            grid.progress_line() == "2.5 s · 1/4 cells done · spent $0.0123 of $1.0000 · 1 retrying"
        )
        assert "1/4 cells done" in _text(grid)
        grid.update(CellUpdate("builder", "beta", "done", {"verdict": "ship", "score": 7}))
        assert grid.progress_line().endswith("2/4 cells done · spent $0.0123 of $1.0000")
    no_limit = LiveGrid(["builder"], ["alpha"], console, spent=lambda: 0.5, clock=lambda: 0.0)
    assert no_limit.progress_line() == "0.0 s · 0/1 cells done · spent $0.5000"


def test_summary_table_counts_every_reviewer_and_names_the_missing(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    record = offline_record(personas, cards, tmp_path)
    gone = record.cells[1]  # the builder's verdict on the second tool
    failed = gone.model_copy(update={"status": "failed", "verdict": None, "error": "boom"})
    record = rebuilt(record, [failed if c is gone else c for c in record.cells])
    console = Console(file=io.StringIO(), width=200, record=True)
    console.print(summary_table(record))
    text = console.export_text()
    assert "(1 missing)" in text and "no verdict from The Builder" in text
    assert totals_lines(record)[0].startswith("overall: no overall call: the panel is incomplete")


class _Writes(io.StringIO):
    """A stream that keeps each write apart, as another thread's write would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_a_finished_cells_line_is_one_write_that_no_warning_can_split() -> None:
    """A warning printed from another thread (the response cache writes in one) landed between
    a cell's line and its newline: "builder × alpha: ship 8/10warning: ..."."""
    from panel.cli.events import EventLines

    out = _Writes()
    ok = CellResult(
        persona="builder", tool="alpha", status="ok", verdict={"verdict": "ship", "score": 8}
    )
    PlainLines(out).update(CellUpdate("builder", "alpha", "done", result=ok))
    events = _Writes()
    EventLines({"type": "run_started"}, events)._print({"type": "cell_started", "cell": "x"})
    for stream in (out, events):
        assert stream.writes and all(w.endswith("\n") for w in stream.writes), stream.writes
