"""Benchmark 1: panel wall time against the slowest cell and against running the cells in turn.

A 4-persona, 2-tool panel (8 cells) on the emulator at 0.5 s to first token,
60 tokens/s and 300 output tokens.
Targets: panel <= 1.2 x slowest cell + one time-to-first-token (the warm-up),
and >= 6x faster than sequential.
"""

from __future__ import annotations

import time

from _common import header, run_against, spec, verdict_line

from tests.support.emulator import Emulator, EmulatorConfig

TTFT = 0.5


def main() -> None:
    header("panel wall time (8 cells, 0.5 s TTFT, 60 tok/s, 300 output tokens)")
    config = EmulatorConfig(
        begin_delay=0.05, ttft=TTFT, tokens_per_second=60, output_tokens=300, chunk_tokens=1
    )
    with Emulator(config) as emulator:
        started = time.perf_counter()
        record = run_against(emulator.url, spec(), concurrency=8)
        panel_seconds = time.perf_counter() - started
        started = time.perf_counter()
        sequential = run_against(emulator.url, spec(), concurrency=1)
        sequential_seconds = time.perf_counter() - started
    assert record.complete and sequential.complete
    slowest = max(cell.seconds_total or 0.0 for cell in record.cells)
    print(
        f"panel {panel_seconds:.2f} s, slowest cell {slowest:.2f} s, sequential "
        f"{sequential_seconds:.2f} s"
    )
    bound = 1.2 * slowest + TTFT
    verdict_line(
        "panel / (1.2 x slowest cell + TTFT)",
        panel_seconds / bound,
        "<= 1.0",
        panel_seconds <= bound,
    )
    verdict_line("panel / slowest cell", panel_seconds / slowest, "(info)", True)
    speedup = sequential_seconds / panel_seconds
    verdict_line("sequential / panel (speed-up)", speedup, ">= 6.0", speedup >= 6)


if __name__ == "__main__":
    main()
