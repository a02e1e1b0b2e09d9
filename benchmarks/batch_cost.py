"""Benchmark: 128 cells (32 tools, the default panel) through `--batch` vs streaming.

Both runs use the same emulator settings and the same prompts: streaming with the
warm-up gate and the 5-minute cache, the batch with the 1-hour cache that batch mode
uses. Cost is read from each run's record (priced from the usage the emulator
reported), so the ratio is what an analyst's bill would show. Target: <= 0.55.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import replace
from pathlib import Path

from _common import claude_at, header, run_against, spec, verdict_line

from panel.models import Record
from panel.providers.batch import BatchingProvider
from panel.providers.batch_ledger import BatchLedger
from panel.providers.registry import batch_api_for
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import run_panel
from tests.support.emulator import Emulator, EmulatorConfig
from tests.support.emulator_batches import BatchConfig

TOOLS = 32


def run_batch(url: str) -> Record:
    folder = Path(tempfile.mkdtemp(prefix="panel-bench-batch-"))
    panel = replace(spec(TOOLS), cache_ttl="1h")
    options = RunOptions(refresh=True, concurrency=100_000, warm_up=False)

    async def go() -> Record:
        inner = claude_at(url)
        provider = BatchingProvider(
            inner, batch_api_for(inner), BatchLedger(folder / "batches"), poll_every=0.05
        )
        try:
            return await run_panel(panel, provider, ResponseStore(folder), options)
        finally:
            await provider.aclose()

    return asyncio.run(go())


def main() -> None:
    header(f"batch cost ({TOOLS} tools x the default panel, Claude Sonnet 5.5 prices)")
    config = EmulatorConfig(begin_delay=0.01, ttft=0.02, batch=BatchConfig(delay=0.5))
    with Emulator(config) as emulator:
        streamed = run_against(emulator.url, spec(TOOLS), concurrency=32)
    with Emulator(config) as emulator:
        batched = run_batch(emulator.url)
    cost_stream, cost_batch = streamed.totals.cost_usd or 0.0, batched.totals.cost_usd or 0.0
    for name, record in (("streaming", streamed), ("batch", batched)):
        usage = record.totals.usage
        print(
            f"{name:>9}: {record.totals.cells_ok}/{record.totals.cells} cells, "
            f"${record.totals.cost_usd:.4f}, cache write {usage.cache_write_tokens}, "
            f"cache read {usage.cache_read_tokens}"
        )
    ratio = cost_batch / cost_stream
    verdict_line("batch cost / streaming cost", ratio, "<= 0.55", ratio <= 0.55)


if __name__ == "__main__":
    main()
