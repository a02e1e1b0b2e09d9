"""Benchmark: the cost estimate against the cost actually billed, at 8 and 32 cells.

For each size the panel is first estimated exactly as `panel run --dry-run`
does it (tokens counted through the emulated count_tokens endpoint, the
warm-up plan and cache prices applied, no model call), then run against the
emulator with the Claude provider, and the estimate is compared with what the
emulator's usage figures cost. Targets: the worst case is never below the
actual cost; the estimate lands within 2x of it (aim: within 15%).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from _common import claude_at, header, spec, verdict_line

from panel.models import CostEstimate, Record
from panel.running.estimate import estimate_panel
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import PanelSpec, plan_cells, run_panel
from tests.support.emulator import Emulator, EmulatorConfig

OUTPUT_TOKENS = 450  # the reply length the emulator aims for: a verdict with a ~150-word quote


async def estimate_and_run(url: str, panel: PanelSpec) -> tuple[CostEstimate, Record]:
    store = ResponseStore(Path(tempfile.mkdtemp(prefix="panel-bench-")))
    counting, provider = claude_at(url), claude_at(url)
    try:
        estimate = await estimate_panel(counting, plan_cells(panel, counting), set())
        record = await run_panel(panel, provider, store, RunOptions(refresh=True))
    finally:
        await counting.aclose()
        await provider.aclose()
    return estimate, record


def main() -> None:
    header(f"cost estimate vs actual (emulator, Sonnet 5.5 prices, {OUTPUT_TOKENS}-token replies)")
    config = EmulatorConfig(ttft=0.05, tokens_per_second=0, output_tokens=OUTPUT_TOKENS)
    for tools in (2, 8):
        with Emulator(config) as emulator:
            estimate, record = asyncio.run(estimate_and_run(emulator.url, spec(tools)))
            counted = len(emulator.counted)
        actual = record.totals.spend_this_run_usd or 0.0
        expected = estimate.estimated_cost_usd or 0.0
        worst = estimate.worst_case_cost_usd or 0.0
        usage = record.totals.usage
        print(
            f"{len(record.cells)} cells: estimate ${expected:.4f} (input {estimate.input_tokens}, "
            f"output {estimate.expected_output_tokens}; {counted} count_tokens calls), actual "
            f"${actual:.4f} (input {usage.total_input_tokens}, output {usage.output_tokens}, "
            f"{usage.cache_write_tokens} written / {usage.cache_read_tokens} read), "
            f"worst ${worst:.4f}"
        )
        ratio = expected / actual
        verdict_line(
            f"{len(record.cells)} cells: estimate / actual",
            ratio,
            "0.5-2 (0.87-1.15)",
            0.5 <= ratio <= 2,
        )
        verdict_line(
            f"{len(record.cells)} cells: worst case / actual",
            worst / actual,
            ">= 1",
            worst >= actual,
        )


if __name__ == "__main__":
    main()
