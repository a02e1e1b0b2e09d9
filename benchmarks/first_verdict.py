"""Benchmark 3: when a cell's verdict and score are known, against when its stream ends.

Target: at most 20% of the call time, for every cell.
"""

from __future__ import annotations

from _common import header, run_against, spec, verdict_line

from tests.support.emulator import Emulator, EmulatorConfig


def main() -> None:
    header("time to first verdict (8 cells, 0.5 s TTFT, 60 tok/s, 300 output tokens)")
    config = EmulatorConfig(begin_delay=0.05, ttft=0.5, tokens_per_second=60, output_tokens=300)
    with Emulator(config) as emulator:
        record = run_against(emulator.url, spec(), concurrency=8)
    assert record.complete
    shares = [(c.seconds_to_verdict or 0) / (c.seconds_total or 1) for c in record.cells]
    for cell, share in zip(record.cells, shares, strict=True):
        print(
            f"{cell.persona} × {cell.tool}: verdict at {cell.seconds_to_verdict:.2f} s "
            f"of {cell.seconds_total:.2f} s ({share:.1%})"
        )
    verdict_line("mean time to verdict / call time", sum(shares) / len(shares), "(info)", True)
    verdict_line("worst time to verdict / call time", max(shares), "<= 0.20", max(shares) <= 0.20)


if __name__ == "__main__":
    main()
