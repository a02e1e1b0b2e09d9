"""Benchmark 5: 2, 8 and 32 tools with the default panel, under a concurrency and a rate limit.

Time should follow cells / concurrency (or the rate limit, when it binds),
with no cell failed by the rate limit and no storm of 429s. Each cell: 0.2 s
to first token, 300 tokens at 600 tokens/s; panel runs 32 cells at once; the
emulator allows 720 requests a minute (12 a second, a burst of 12), says so
in `anthropic-ratelimit-*` headers, and answers 429 with retry-after beyond
that. panel's pacer reads the headers and keeps under the limit.
"""

from __future__ import annotations

import math

import anthropic  # noqa: F401 - imported before the clock starts: a one-off per process
from _common import header, run_against, spec, verdict_line

from tests.support.emulator import Emulator, EmulatorConfig

CONCURRENCY = 32
RATE = 12  # requests per second the emulated API accepts
TTFT = 0.2


def main() -> None:
    header(f"scale (concurrency {CONCURRENCY}, emulated rate limit {RATE} requests/s)")
    config = EmulatorConfig(
        ttft=TTFT,
        tokens_per_second=600,
        output_tokens=300,
        chunk_tokens=5,
        requests_per_minute=RATE * 60,
    )
    for tools in (2, 8, 32):
        with Emulator(config) as emulator:
            record = run_against(emulator.url, spec(tools), concurrency=CONCURRENCY)
            seconds = record.totals.wall_seconds
            limited = sum(s.fault == "rate-limited" for s in emulator.served)
        cells = len(record.cells)
        cell_seconds = sorted(c.seconds_total or 0 for c in record.cells)[cells // 2]
        # The warm-up's time to first token, then bound by the slots (rounds of one cell) or by the
        # rate limit (the last request starts (cells - RATE) / RATE s on), whichever is slower.
        rounds = math.ceil(cells / CONCURRENCY)
        expected = TTFT + max(rounds * cell_seconds, (cells - RATE) / RATE + cell_seconds)
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
        verdict_line(f"{tools} tools: answers of 429", limited, "== 0", limited == 0)


if __name__ == "__main__":
    main()
