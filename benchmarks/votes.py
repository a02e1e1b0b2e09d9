"""Benchmark: readers voting at once on the vote database (`panel serve`'s store, no HTTP).

40 readers cast 2,000 votes concurrently (50 each, on three tools, so most are repeats that
replace the reader's earlier vote), on SQLite and on PostgreSQL. Printed per database: votes/s,
cast() latency (p50, p99, max), and whether the final counts equal the expected
last-vote-per-reader tally exactly (no vote lost or counted twice; exit 1 if not).

    python benchmarks/votes.py                  # SQLite, and a throwaway PostgreSQL (tests/pg.py)
    python benchmarks/votes.py --pg URL         # PostgreSQL at URL (tables go in a fresh schema)
    python benchmarks/votes.py --processes 4    # readers split over 4 processes (4 stores)
    python benchmarks/votes.py --no-pg          # SQLite only

The throwaway server keeps fsync and synchronous_commit on, as a real one would; SQLite runs
as panel sets it up (WAL, synchronous=NORMAL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import ROOT, header

from panel.web.votes_db import VoteStore  # noqa: E402
from tests import pg  # noqa: E402
from tests.votes_load import Workload, cast_all  # noqa: E402


async def _in_processes(url: str, workload: Workload, readers: int, processes: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"}
    bounds = [readers * part // processes for part in range(processes + 1)]
    args = [url, workload.run_id, str(workload.seed), str(workload.votes_each)]
    spawned = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.votes_load",
            *args,
            str(first),
            str(last),
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )  # fmt: skip
        for first, last in zip(bounds, bounds[1:], strict=False)
    ]
    latencies: list[float] = []
    for process in spawned:
        out, _ = await process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"a voting process failed ({process.returncode})")
        latencies += json.loads(out)
    return latencies


async def measure(name: str, url: str, readers: int, votes: int, processes: int) -> bool:
    workload = Workload(run_id="bench/20261202T0700Z-offline", seed=26, votes_each=votes // readers)
    async with await VoteStore.open(url) as store:  # the schema made before the clock starts
        started = time.perf_counter()
        if processes > 1:
            latencies = await _in_processes(url, workload, readers, processes)
        else:
            latencies = await cast_all(store, workload, range(readers))
        wall = time.perf_counter() - started
        counts = await store.counts(workload.run_id)
    expected = workload.expected(range(readers))
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{name}: {len(latencies):,} votes by {readers} readers in {wall:.2f} s = "
        f"{len(latencies) / wall:,.0f} votes/s; cast() p50 {quantiles[49] * 1000:.1f} ms, "
        f"p99 {quantiles[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )
    exact = counts == expected
    kept = sum(sum(tally.values()) for tally in counts.values())
    print(
        f"{name}: final tally {'equals' if exact else 'DIFFERS FROM'} the expected last vote "
        f"per reader per tool ({kept} counted, {sum(sum(t.values()) for t in expected.values())} "
        "expected): " + ("none lost" if exact else f"{counts} != {expected}")
    )
    return exact


@contextmanager
def postgres(url: str | None) -> Iterator[str]:
    if url:
        yield pg.fresh_schema_url(url)
        return
    with pg.temporary_cluster(durable=True) as started:
        yield pg.fresh_schema_url(started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=40)
    parser.add_argument("--votes", type=int, default=2000, help="in all, split over the readers")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--pg", metavar="URL", help="an existing PostgreSQL database")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    options = parser.parse_args()
    mode = "1 process" if options.processes == 1 else f"{options.processes} processes"
    if options.processes > 1:
        mode += " (the wall time includes starting them)"
    header(f"vote database: {options.readers} readers, {options.votes:,} votes, {mode}")
    shape = (options.readers, options.votes, options.processes)
    with tempfile.TemporaryDirectory() as work:
        ok = asyncio.run(measure("sqlite", f"sqlite:///{Path(work) / 'votes.db'}", *shape))
    if not options.no_pg:
        try:
            with postgres(options.pg) as url:
                ok = bool(asyncio.run(measure("postgresql", url, *shape))) and ok
        except pg.PostgresMissing as exc:
            print(f"postgresql: not measured: {exc}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
