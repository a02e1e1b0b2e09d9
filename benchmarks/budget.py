"""Benchmark 12: `--max-cost` spends what it is given (issue 25).

A 32-cell panel (8 tools x the default panel) against the emulator (in this process, on its own
thread; replies of about 450 tokens). Its cost without a limit is measured first; then:

1. `--max-cost` at 30% of that cost, at concurrency 1, 8 and 32: what the emulator billed (its
   usage figures, a stopped stream's output counted up to where the client left) against the
   limit. Target: at least 0.85 of it, and never more than the limit plus one streamed chunk.
2. `--max-cost` at 1.5 times a typical cell's cost (the warm-up's, the dearest): cells done.
   Target: at least one (reserving each call's worst case ran none).
"""

from __future__ import annotations

import os

from _common import MODEL, header, run_against, spec, verdict_line

from panel.models import Usage
from panel.providers.pricing import cost_of
from tests.support.emulator import Emulator, EmulatorConfig, Served

CHUNK_TOKENS = 5
CONFIG = dict(output_tokens=450, tokens_per_second=2000, chunk_tokens=CHUNK_TOKENS, ttft=0.05)


def billed(served: list[Served]) -> float:
    total = 0.0
    for call in served:
        usage = Usage(
            input_tokens=call.input_tokens,
            cache_write_tokens=call.cache_write,
            cache_read_tokens=call.cache_read,
            output_tokens=call.streamed_tokens,
        )
        cost = cost_of("anthropic", MODEL, usage)
        assert cost is not None
        total += cost.usd
    return total


def chunk_cost() -> float:
    cost = cost_of("anthropic", MODEL, Usage(output_tokens=CHUNK_TOKENS))
    assert cost is not None
    return float(cost.usd)


def limited(limit: float, concurrency: int) -> tuple[float, int, int]:
    """What the emulator billed, cells done and cells stopped part-way, under `limit`."""
    with Emulator(EmulatorConfig(**CONFIG)) as emulator:  # type: ignore[arg-type]
        record = run_against(emulator.url, spec(8), concurrency=concurrency, max_cost=limit)
        spent = billed(emulator.served)
    done = sum(cell.status == "ok" for cell in record.cells)
    stopped = sum("stopped at the spending limit" in (cell.error or "") for cell in record.cells)
    return spent, done, stopped


def main() -> None:
    header("--max-cost: 32 cells, replies of about 450 tokens")
    with Emulator(EmulatorConfig(**CONFIG)) as emulator:  # type: ignore[arg-type]
        record = run_against(emulator.url, spec(8), concurrency=8)
        full = billed(emulator.served)
        cells = sorted(billed([call]) for call in emulator.served)
    assert record.complete
    print(f"without a limit: ${full:.4f} for {len(cells)} cells (a read ${cells[0]:.4f}, "
          f"the warm-up ${cells[-1]:.4f}); a chunk ${chunk_cost():.6f}")  # fmt: skip
    limit = 0.3 * full
    for concurrency in (1, 8, 32):
        spent, done, stopped = limited(limit, concurrency)
        print(f"limit ${limit:.4f}, concurrency {concurrency}: billed ${spent:.4f}, "
              f"{done} cells done, {stopped} stopped at the limit")  # fmt: skip
        share = spent / limit
        verdict_line(f"concurrency {concurrency}: spend / limit", share, ">= 0.85", share >= 0.85)
        over = (spent - limit) / chunk_cost()
        verdict_line(
            f"concurrency {concurrency}: chunks past the limit", max(over, 0), "<= 1", over <= 1
        )
    typical = cells[-1]
    spent, done, _ = limited(1.5 * typical, 8)
    print(f"limit ${1.5 * typical:.4f} (1.5 x the warm-up cell): {done} done, ${spent:.4f} billed")
    verdict_line("limit of 1.5 typical cells: cells done", done, ">= 1", done >= 1)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
