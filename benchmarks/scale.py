"""Benchmark 5: 2, 8 and 32 tools with the default panel, under a concurrency and a rate limit.

Time should follow cells / concurrency (or the rate limit, when it binds),
with no cell failed by the rate limit. Each cell: 0.2 s to first token,
300 tokens at 600 tokens/s; panel runs 8 cells at once; the emulator
allows 12 requests a second and answers 429 with retry-after beyond that.
"""

from __future__ import annotations

import time

from _common import header, run_against, spec, verdict_line

from tests.support.emulator import Emulator, EmulatorConfig

CONCURRENCY = 8
RATE = 12  # requests per second the emulated API accepts


def main() -> None:
    header(f"scale (concurrency {CONCURRENCY}, emulated rate limit {RATE} requests/s)")
    config = EmulatorConfig(
        begin_delay=0.05,
        ttft=0.2,
        tokens_per_second=600,
        output_tokens=300,
        rate_limit=RATE,
        rate_window=1.0,
    )
    for tools in (2, 8, 32):
        with Emulator(config) as emulator:
            started = time.perf_counter()
            record = run_against(emulator.url, spec(tools), concurrency=CONCURRENCY)
            seconds = time.perf_counter() - started
            limited = sum(s.fault == "rate-limited" for s in emulator.served)
        cells = len(record.cells)
        cell_seconds = sorted(c.seconds_total or 0 for c in record.cells)[cells // 2]
        # Bound by the slots (cells / concurrency turns of one cell) or by the rate limit (the last
        # request can start only after (cells - RATE) / RATE seconds), whichever is slower.
        expected = max(cells / CONCURRENCY * cell_seconds, (cells - RATE) / RATE + cell_seconds)
        failed = cells - record.totals.cells_ok
        print(
            f"{tools:>2} tools, {cells:>3} cells: {seconds:.2f} s (expected about {expected:.2f} "
            "s from "
            f"cells / concurrency or the rate limit), {limited} answers of 429, {failed} failed "
            "cells"
        )
        verdict_line(
            f"{tools} tools: time / expected",
            seconds / expected,
            "<= 1.5",
            seconds / expected <= 1.5,
        )
        verdict_line(f"{tools} tools: failed cells", failed, "== 0", failed == 0)


if __name__ == "__main__":
    main()
