"""Benchmark: start-up, `panel --help` and the first line of a run, against bare Python.

Target: both within 0.3 s on this machine. The SDKs and rich load only when a command needs them
(the SDK at the first call, after the first line). Each figure is the median of 7 runs, measured
in one run next to `python -c pass`, so a loaded machine shows in the floor too.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from _common import EXAMPLES, ROOT, header, verdict_line

PYTHON = sys.executable
PANEL = [PYTHON, "-m", "panel"]
RUNS = 7


def _whole(command: list[str], env: dict[str, str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, env=env, cwd=cwd, check=False)
    return time.perf_counter() - started


def _first_line(command: list[str], env: dict[str, str], cwd: str) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.kill()
    process.wait()
    assert line.startswith(b"model:"), line
    return elapsed


def _median(measure: Callable[..., float], *args: object) -> float:
    return statistics.median(measure(*args) for _ in range(RUNS))


def main() -> None:
    header("start-up: panel --help and the first line of a run (median of 7)")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), ANTHROPIC_API_KEY="sk-ant-benchmark")
    env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9"  # never reached: the line comes first
    cards = [
        str(EXAMPLES / "claude-api-streaming-caching.toml"),
        str(EXAMPLES / "modal-gpu-inference.toml"),
    ]
    with tempfile.TemporaryDirectory() as work:
        run = [*PANEL, "run", *cards, "--model", "anthropic:claude-sonnet-5-5", "--quiet"]
        run += ["--out", f"{work}/out", "--cache-dir", f"{work}/cache"]
        floor = _median(_whole, [PYTHON, "-c", "pass"], env, work)
        helped = _median(_whole, [*PANEL, "--help"], env, work)
        first = _median(_first_line, run, env, work)
    print(f"python -c pass: {floor:.3f} s (load average {os.getloadavg()[0]:.1f})")
    verdict_line("panel --help, seconds", helped, "<= 0.30", helped <= 0.30)
    verdict_line("first line of a run, seconds", first, "<= 0.30", first <= 0.30)
    verdict_line("panel --help / python -c pass", helped / floor, "(info)", True)


if __name__ == "__main__":
    main()
