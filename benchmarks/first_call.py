"""Benchmark 11: the first call of a 64-card panel, and its dry run (issue 25).

`panel run` over 64 cards x the default panel (256 cells) at concurrency 32, in a process of its
own, against the emulator (in this process, on its own thread: TTFT 0.5 s, 300 tokens at 200
tokens/s). Measured from the moment the process is started:

1. the first line (`model: ...`): target <= 0.3 s;
2. when the warm-up request (the first call for a reply) reaches the emulator: target <= 0.5 s;
   and the same counted from the first line (what panel's own flow adds once it is running);
3. the token-counting requests: they must not come before the warm-up and hold it back;
4. `panel run --dry-run` over the same cards (every prompt rendered and counted): its wall time.

The run imports the Anthropic SDK in a worker thread while the warm-up request leaves over httpx2
(`panel.providers.head_start`); `import anthropic` alone is printed for scale: the warm-up no longer
waits for it. Each is measured RUNS times: the best against the target, the range beside it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, header, verdict_line
from per_cell import _write_cards

from tests.support.emulator import Emulator, EmulatorConfig

RUNS = int(os.environ.get("RUNS", "3"))
MODEL = "anthropic:claude-sonnet-5-5"


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), ANTHROPIC_API_KEY="sk-ant-benchmark")
    env["ANTHROPIC_BASE_URL"] = url
    return env


def one_run(cards: list[str], work: Path) -> tuple[float, float, int, float]:
    """Seconds from the start to the first line and to the warm-up request; counting requests
    seen before the warm-up; the whole run's wall time."""
    config = EmulatorConfig(ttft=0.5, tokens_per_second=200, output_tokens=300, chunk_tokens=5)
    with Emulator(config) as emulator:
        command = [sys.executable, "-m", "panel", "run", *cards, "--model", MODEL, "--quiet"]
        command += ["--concurrency", "32", "--out", str(work / "out"), "--refresh"]
        command += ["--cache-dir", str(work / "cache")]
        counted_at: list[int] = []
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(emulator.url)
        )
        assert process.stderr is not None
        first_line = [0.0]

        def read_lines() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                if not first_line[0] and line.startswith(b"model:"):
                    first_line[0] = time.perf_counter() - started

        reader = threading.Thread(target=read_lines, daemon=True)
        reader.start()
        while not emulator.served and process.poll() is None:
            counted_at.append(len(emulator.counted))
            time.sleep(0.002)
        warm_up = emulator.served[0].received - started if emulator.served else float("nan")
        counted_before = counted_at[-1] if counted_at else 0
        process.wait(timeout=300)
        reader.join(5)
        wall = time.perf_counter() - started
        assert process.returncode == 0, process.returncode
    return first_line[0], warm_up, counted_before, wall


def dry_run(cards: list[str], work: Path) -> float:
    with Emulator(EmulatorConfig()) as emulator:
        command = [sys.executable, "-m", "panel", "run", *cards, "--model", MODEL, "--dry-run"]
        command += ["--out", str(work / "dry"), "--cache-dir", str(work / "cache")]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=_env(emulator.url), check=False)
        assert done.returncode == 0, done.stderr.decode()[-1000:]
        return time.perf_counter() - started


def _range(values: list[float]) -> str:
    return f"{min(values):.3f}-{max(values):.3f}"


def main() -> None:
    header(f"the first call: 64 cards x 4 personas at concurrency 32 (best of {RUNS})")
    sdk = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import anthropic"],
        capture_output=True,
        text=True,
        check=False,
    )
    sdk_seconds = int(sdk.stderr.strip().splitlines()[-1].split("|")[1]) / 1e6
    firsts, warm_ups, after_line, walls, dries = [], [], [], [], []
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        cards = _write_cards(work)
        for _ in range(RUNS):
            first, warm_up, counted_before, wall = one_run(cards, work)
            firsts.append(first)
            warm_ups.append(warm_up)
            after_line.append(warm_up - first)
            walls.append(wall)
            print(
                f"first line {first:.3f} s, warm-up request {warm_up:.3f} s, "
                f"{counted_before} counting request(s) before it, run {wall:.2f} s"
            )
        dries = [dry_run(cards, work) for _ in range(RUNS)]
    print(f"load average {os.getloadavg()[0]:.1f}; `import anthropic` alone {sdk_seconds:.3f} s")
    for name, values, target in [
        ("first line of a run, seconds", firsts, 0.3),
        ("warm-up request leaves, seconds after start", warm_ups, 0.5),
        ("warm-up request leaves, seconds after the first line", after_line, 0.5),
    ]:
        verdict_line(
            f"{name} ({_range(values)})", min(values), f"<= {target}", min(values) <= target
        )
    print(f"whole run of 256 cells: {_range(walls)} s")
    print(f"--dry-run over 64 cards: {_range(dries)} s (was 4.4 s at main 6bebbd4)")


if __name__ == "__main__":
    main()
