"""Benchmark 9: panel's own CPU per cell, and 256 offline cells end to end (issue 25).

1. Planning, prompts, keys and checks, in this process: 64 cards x the default panel's personas
   (256 cells). CPU (`time.process_time`) of checking the spec (every prompt rendered), planning
   every cell (requests, response-cache keys, verdict models) and reading each verdict's words
   (`running.checks`, the stance reader included), per cell. Waiting on a model and parsing the
   stream are outside it. Target <= 2 ms per cell.
2. `panel run` over the same 64 cards with the offline model (`--offline-delay 0`), in a process
   of its own, from start to exit: target <= 2 s wall.

Each is measured RUNS times; the line shows the best, with the range beside it (the machine is
shared: the best is what panel costs, the spread what the neighbours did).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import EXAMPLES, ROOT, header, tool_cards, verdict_line

from panel.inputs.loading import choose_personas, load_personas
from panel.inputs.prompts import PromptSet
from panel.models import VerdictBase
from panel.providers.offline import OfflineProvider
from panel.running.orchestrator import CellPlan, RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import PanelSpec, plan_cells, run_panel

CARDS = 64
RUNS = 3


def _spec() -> PanelSpec:
    personas = choose_personas(load_personas(), None)
    return PanelSpec("Per-cell benchmark", tool_cards(CARDS), personas, PromptSet.from_dir())


def _verdicts(plans: list[CellPlan]) -> list[VerdictBase]:
    """The offline model's verdicts for every cell, validated (made once, outside the clock)."""
    with tempfile.TemporaryDirectory() as cache:
        record = asyncio.run(
            run_panel(_spec(), OfflineProvider(), ResponseStore(Path(cache)), RunOptions())
        )
    return [
        plan.model.model_validate(cell.verdict)
        for plan, cell in zip(plans, record.cells, strict=True)
    ]


def cpu_per_cell() -> tuple[float, float, float]:
    """Seconds of CPU per cell: planning (check, prompts, keys) and the checks of the words."""
    verdicts = _verdicts(plan_cells(_spec(), OfflineProvider()))
    spec = _spec()  # fresh: nothing rendered or planned yet
    started = time.process_time()
    spec.check()
    plans = plan_cells(spec, OfflineProvider())
    planned = time.process_time()
    for plan, verdict in zip(plans, verdicts, strict=True):
        assert plan.check is not None
        plan.check(verdict)
    checked = time.process_time()
    cells = len(plans)
    return (planned - started) / cells, (checked - planned) / cells, (checked - started) / cells


def _write_cards(folder: Path) -> list[str]:
    """The example cards copied CARDS times over, each its own file (its id) and name."""
    examples = ["claude-api-streaming-caching", "modal-gpu-inference", "claw-code"]
    texts = [(EXAMPLES / f"{name}.toml").read_text(encoding="utf-8") for name in examples]
    paths = []
    for index in range(CARDS):
        text = texts[index % len(texts)]
        text = re.sub(r'^name = "(.*)"', rf'name = "\1 #{index}"', text, count=1, flags=re.M)
        path = folder / f"tool-{index:03d}.toml"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def offline_wall() -> float:
    with tempfile.TemporaryDirectory() as work:
        cards = _write_cards(Path(work))
        command = [sys.executable, "-m", "panel", "run", *cards, "-m", "offline", "--quiet"]
        command += ["--offline-delay", "0", "--concurrency", "32"]
        command += ["--out", f"{work}/out", "--cache-dir", f"{work}/cache"]
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=env, cwd=work, check=False)
        elapsed = time.perf_counter() - started
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        return elapsed


def _range(values: list[float], scale: float = 1.0) -> str:
    return f"{min(values) * scale:.3f}-{max(values) * scale:.3f}"


def main() -> None:
    header(f"per cell: {CARDS} cards x the default panel, offline (best of {RUNS})")
    cpu = [cpu_per_cell() for _ in range(RUNS)]
    planning, checks, total = ([c[i] for c in cpu] for i in range(3))
    print(f"planning, prompts and keys: {_range(planning, 1000)} ms per cell")
    print(f"checks (stance reader included): {_range(checks, 1000)} ms per cell")
    best = min(total) * 1000
    verdict_line("CPU per cell, ms (range " + _range(total, 1000) + ")", best, "<= 2.0", best <= 2)
    walls = [offline_wall() for _ in range(RUNS)]
    best_wall = min(walls)
    print(f"load average {os.getloadavg()[0]:.1f}")
    verdict_line(
        f"{CARDS * 4} offline cells, wall seconds (range {_range(walls)})",
        best_wall,
        "<= 2.0",
        best_wall <= 2.0,
    )


if __name__ == "__main__":
    main()
