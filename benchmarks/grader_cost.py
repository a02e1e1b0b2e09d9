"""Benchmark: what the model-graded check (--grader) costs, as a share of the panel's cost.

A grader call is made only for a quote whose call the rules do not find. Two panels of 8 cells
per provider pair, on the emulator: every quote making no call (every cell graded: the most the
grader can add), and every second quote making none (issue 24 measured 40 of 63 real passages
stating their call, most of which the rules find: about half the cells of a real panel). Cells
and graders are priced from the usage the emulator reports. Target: at most 3% of the panel.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from _common import header, spec, verdict_line

from panel.models import Record
from panel.providers.registry import ModelChoice, build_provider
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import run_panel
from tests.support.emulator import Emulator, EmulatorConfig

TARGET = 0.03
PAIRS = [
    ("anthropic", "claude-sonnet-5-5", "claude-haiku-4-5"),
    ("openai", "gpt-5-mini", "gpt-5-nano"),
]


def measure(provider: str, model: str, grader: str, config: EmulatorConfig) -> tuple[Record, int]:
    os.environ.setdefault("ANTHROPIC_API_KEY", "emulated-key")
    os.environ.setdefault("OPENAI_API_KEY", "emulated-key")
    store = ResponseStore(Path(tempfile.mkdtemp(prefix="panel-bench-")))
    with Emulator(config) as emulator:
        url = emulator.url if provider == "anthropic" else f"{emulator.url}/v1"

        async def go() -> Record:
            built = build_provider(ModelChoice(provider, model, "benchmark"), base_url=url)
            try:
                panel = replace(spec(), grader=grader)
                return await run_panel(panel, built, store, RunOptions(refresh=True))
            finally:
                await built.aclose()

        record = asyncio.run(go())
        graded = sum(s.grader for s in emulator.served)
    assert record.complete
    return record, graded


def main() -> None:
    header("grader cost share (8 cells, the grader answering 'none')")
    for provider, model, grader in PAIRS:
        for label, config in (
            ("every cell graded", EmulatorConfig(state_call=False)),
            ("every second cell graded", EmulatorConfig(no_call_every=2)),
        ):
            record, graded = measure(provider, model, grader, config)
            total, graders = record.totals.cost_usd, record.totals.grader_cost_usd
            assert total is not None and graders is not None
            print(
                f"{model} + {grader}, {label}: {graded} grader calls, ${graders:.5f} of a "
                f"${total:.5f} panel"
            )
            share = graders / total
            verdict_line(f"  share ({provider}, {label})", share, f"<= {TARGET}", share <= TARGET)


if __name__ == "__main__":
    main()
