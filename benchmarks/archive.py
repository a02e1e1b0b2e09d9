"""Benchmark 10: a publication's archive of 2,000 runs (issue 25).

The archive is one real two-card offline run copied 2,000 times (each copy its own run id and
time, 20 runs to a group, one group per 100 runs), built once before the clock starts. Every
figure is a `panel` command in a process of its own, start to exit:

1. `panel digest RUNS --out SITE` from nothing: target <= 10 s;
2. the same after one more run was added: target <= 1 s (only what changed is rebuilt);
3. `panel runs RUNS --format json`: target <= 1 s;
4. `panel render RUN` of one run: target <= 0.1 s, with `python -c pass` for the floor, the
   import of the three libraries a render cannot do without (pydantic, jinja2, markdown-it)
   beside it, and the first render after installing (its page templates compiled, not loaded
   from the user's cache of compiled templates) for information.

Each is measured RUNS times: the best against the target, the range beside it. panel's modules
are compiled to bytecode first, as installing it does (an environment with
PYTHONDONTWRITEBYTECODE would otherwise compile them again in every process), and the cache of
compiled templates is the benchmark's own (XDG_CACHE_HOME in its temporary folder).
"""

from __future__ import annotations

import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import EXAMPLES, ROOT, header, verdict_line

PYTHON = sys.executable
PANEL = [PYTHON, "-m", "panel"]
RUNS_IN_ARCHIVE = 2000
PER_GROUP = 20
RUNS = 3
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))


LIBRARIES = "from pydantic import BaseModel; import jinja2, markdown_it"


def _panel(*args: str, cwd: Path, env: dict[str, str] = ENV) -> float:
    started = time.perf_counter()
    done = subprocess.run([*PANEL, *args], capture_output=True, env=env, cwd=cwd, check=False)
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return elapsed


def seed_run(work: Path) -> Path:
    """One real run of two example cards with the offline model; its record file."""
    cards = [str(EXAMPLES / f"{n}.toml") for n in ("claude-api-streaming-caching", "claw-code")]
    _panel("run", *cards, "-m", "offline", "--quiet", "--out", str(work / "seed"),
           "--cache-dir", str(work / "cache"), cwd=work)  # fmt: skip
    return work / "seed" / "latest" / "record.json"


def add_run(runs: Path, seed: dict[str, object], index: int, start: datetime) -> Path:
    """A copy of the seed record as run `index`: its own id and time, in its group's folder."""
    when = start + timedelta(hours=index)
    record = dict(seed, run_id=f"bench{index:07d}", created_at=when.isoformat())
    folder = runs / f"group-{index // PER_GROUP:03d}" / f"{when:%Y-%m-%dT%H%M%SZ}-offline"
    folder.mkdir(parents=True)
    (folder / "record.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return folder


def build_archive(work: Path) -> tuple[Path, dict[str, object]]:
    seed = json.loads(seed_run(work).read_text(encoding="utf-8"))
    runs = work / "runs"
    start = datetime.now(UTC) - timedelta(hours=RUNS_IN_ARCHIVE + 1)
    for index in range(RUNS_IN_ARCHIVE):
        add_run(runs, seed, index, start)
    return runs, seed


def _range(values: list[float]) -> str:
    return f"{min(values):.3f}-{max(values):.3f}"


def _line(name: str, values: list[float], target: float) -> None:
    best = min(values)
    verdict_line(f"{name} (range {_range(values)})", best, f"<= {target:g}", best <= target)


def main() -> None:
    header(f"the archive: {RUNS_IN_ARCHIVE} runs (best of {RUNS}, seconds)")
    compileall.compile_dir(ROOT / "src" / "panel", quiet=1)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        ENV["XDG_CACHE_HOME"] = str(work / "cache-home")
        runs, seed = build_archive(work)
        full, incremental, listing, render = [], [], [], []
        for attempt in range(RUNS):
            site = work / f"site-{attempt}"
            full.append(_panel("digest", str(runs), "--out", str(site), cwd=work))
            index = RUNS_IN_ARCHIVE + attempt  # dated half an hour ago: a record from the
            start = datetime.now(UTC) - timedelta(minutes=30, hours=index)  # future is refused
            added = add_run(runs, seed, index, start)
            incremental.append(_panel("digest", str(runs), "--out", str(site), cwd=work))
            assert (site / "runs" / f"bench{RUNS_IN_ARCHIVE + attempt:07d}.html").is_file()
            listing.append(_panel("runs", str(runs), "--format", "json", cwd=work))
            render.append(_panel("render", str(added), cwd=work))
            shutil.rmtree(site)
        first = [
            _panel(
                "render", str(added), cwd=work, env=dict(ENV, XDG_CACHE_HOME=str(work / f"new-{n}"))
            )
            for n in range(RUNS)
        ]
        floor = min(_whole([PYTHON, "-c", "pass"], work) for _ in range(RUNS))
        libraries = min(_whole([PYTHON, "-c", LIBRARIES], work) for _ in range(RUNS))
    print(f"load average {os.getloadavg()[0]:.1f}; python -c pass {floor:.3f} s; "
          f"importing pydantic, jinja2 and markdown-it {libraries:.3f} s")  # fmt: skip
    print(f"render with no compiled templates yet (the first after installing): {min(first):.3f} s")
    _line(f"digest over {RUNS_IN_ARCHIVE} runs, from nothing", full, 10)
    _line("digest again after one new run", incremental, 1)
    _line(f"runs --format json over {RUNS_IN_ARCHIVE} runs", listing, 1)
    _line("render of one run", render, 0.1)


def _whole(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, env=ENV, cwd=cwd, check=False)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
