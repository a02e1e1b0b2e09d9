"""Benchmark 2: the share of input tokens read from the prompt cache, against the most possible.

The most possible: every cell after the first reads the whole shared prefix.
Target: at least 95% of that with warm-up ordering; shown without it too.
"""

from __future__ import annotations

from _common import header, run_against, spec, verdict_line

from tests.support.emulator import Emulator, EmulatorConfig


def measure(warm_up: bool) -> tuple[float, float]:
    config = EmulatorConfig(begin_delay=0.2, ttft=0.3, tokens_per_second=600, output_tokens=300)
    with Emulator(config) as emulator:
        record = run_against(emulator.url, spec(), concurrency=8, warm_up=warm_up)
        prefix = max(s.cache_read + s.cache_write for s in emulator.served)
    assert record.complete
    usage = record.totals.usage
    best = (len(record.cells) - 1) * prefix / usage.total_input_tokens
    return usage.cache_read_tokens / usage.total_input_tokens, best


def main() -> None:
    header("prompt-cache share (8 cells, response begins 0.2 s after the request)")
    for warm_up in (True, False):
        share, best = measure(warm_up)
        label = "with warm-up" if warm_up else "without warm-up"
        print(
            f"{label}: {share:.1%} of input tokens read from cache; the most possible is {best:.1%}"
        )
        ratio = share / best
        if warm_up:
            verdict_line("cached share / most possible (warm-up)", ratio, ">= 0.95", ratio >= 0.95)
        else:
            verdict_line("cached share / most possible (no warm-up)", ratio, "(info)", True)


if __name__ == "__main__":
    main()
