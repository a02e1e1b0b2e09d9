"""Benchmark: `panel serve` over HTTP, on a real uvicorn on 127.0.0.1 (a separate process).

1. The index over 2,000 generated runs: the time of `GET /api/runs` pages and `GET /?page=N`,
   the first one cold (the server has read nothing yet). Target: under 300 ms a page.
2. 40 readers casting 2,000 votes at once (50 each over 25 run x tool slots, so half replace
   the reader's earlier vote), each reader with its own cookie; a vote refused by the rate
   limit (429) is sent again after its Retry-After. Printed: votes/s, latency p50/p99/max,
   the 429s, and whether every slot's final count equals the expected last-vote-per-reader
   tally (exit 1 if any vote was lost or counted twice).

    python benchmarks/serve.py                 # votes in SQLite in the runs folder
    python benchmarks/serve.py --db URL        # votes in PostgreSQL at URL
    python benchmarks/serve.py --pg            # votes in a throwaway PostgreSQL (tests/pg.py)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx2
from _common import ROOT, header

from panel.inputs.loading import load_personas, load_tool_card  # noqa: E402
from tests.records import offline_record  # noqa: E402

RUNS, GROUP_SIZE, READERS, VOTES_EACH, SLOTS = 2000, 100, 40, 50, 25
TARGET_MS = 300.0


def generate_runs(root: Path, scratch: Path) -> list[str]:
    """2,000 run folders from one real offline record (ids and dates changed in its text)."""
    cards = [
        load_tool_card(ROOT / "examples" / name)
        for name in ("claude-api-streaming-caching.toml", "modal-gpu-inference.toml")
    ]
    record = offline_record(load_personas(), cards, scratch)
    text = record.model_dump_json(indent=2)
    ids = []
    for number in range(RUNS):
        run_id = f"bench{number:07d}"
        when = record.created_at - timedelta(minutes=RUNS - number)
        folder = root / f"group-{number // GROUP_SIZE:02d}" / f"{when:%Y-%m-%dT%H%M%SZ}-offline"
        folder.mkdir(parents=True)
        body = text.replace(record.run_id, run_id, 1).replace(
            record.created_at.isoformat().replace("+00:00", "Z"),
            when.isoformat().replace("+00:00", "Z"),
            1,
        )
        (folder / "record.json").write_text(body, encoding="utf-8")
        ids.append(run_id)
    return ids


def start_server(runs: Path, db: str | None) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "panel", "serve", str(runs), "--port", "0", "--token", "bench"]
    server = subprocess.Popen(
        command + (["--db", db] if db else []),
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": f"{ROOT / 'src'}", "PATH": "/usr/bin:/bin"},
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


async def timed_get(client: httpx2.AsyncClient, path: str) -> float:
    started = time.perf_counter()
    answer = await client.get(path)
    answer.raise_for_status()
    return (time.perf_counter() - started) * 1000


async def index_pages(url: str) -> list[tuple[str, float]]:
    async with httpx2.AsyncClient(base_url=url, timeout=60) as client:
        paths = [
            "/api/runs?limit=50",
            "/api/runs?limit=50&offset=50",
            "/?page=1",
            "/api/runs?limit=50&offset=1000",
            "/api/runs?limit=50&offset=1950",
            "/?page=40",
            "/api/runs?limit=50",
        ]
        return [(path, await timed_get(client, path)) for path in paths]


async def reader(
    url: str, number: int, slots: list[tuple[str, str]], latencies: list[float], refused: list[int]
) -> dict[tuple[str, str], str]:
    """50 votes over 25 slots; the reader's last vote on each slot is the one that counts."""
    final: dict[tuple[str, str], str] = {}
    async with httpx2.AsyncClient(base_url=url, timeout=60) as client:
        await client.get(f"/api/runs/{slots[0][0]}/votes")  # a reader reads first: its cookie
        for k in range(VOTES_EACH):
            slot = slots[k % SLOTS]
            vote = "ship" if (number * 7 + k * 3) % 5 < 3 else "skip"
            for _ in range(50):  # bounded: a vote refused 50 times is a failure, not a loop
                started = time.perf_counter()
                answer = await client.post(
                    f"/api/runs/{slot[0]}/votes", json={"tool": slot[1], "vote": vote}
                )
                if answer.status_code != 429:
                    break
                refused.append(1)
                await asyncio.sleep(float(answer.headers.get("retry-after", "1")) / 4)
            answer.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            final[slot] = vote
    return final


async def votes(url: str, ids: list[str]) -> int:
    slots = [
        (run_id, tool)
        for run_id in ids[:13]
        for tool in ("claude-api-streaming-caching", "modal-gpu-inference")
    ][:SLOTS]
    latencies: list[float] = []
    refused: list[int] = []
    started = time.perf_counter()
    finals = await asyncio.gather(
        *(reader(url, n, slots, latencies, refused) for n in range(READERS))
    )
    wall = time.perf_counter() - started
    expected = {slot: {"ship": 0, "skip": 0} for slot in slots}
    for final in finals:
        for slot, vote in final.items():
            expected[slot][vote] += 1
    async with httpx2.AsyncClient(base_url=url, timeout=60) as client:
        counted = {}
        for run_id in sorted({run_id for run_id, _ in slots}):
            tools = (await client.get(f"/api/runs/{run_id}/votes")).json()["tools"]
            counted.update({(run_id, tool): count for tool, count in tools.items()})
    wrong = [slot for slot in slots if counted.get(slot) != expected[slot]]
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"votes: {len(latencies)} cast by {READERS} readers in {wall:.2f} s "
        f"({len(latencies) / wall:.0f} votes/s); latency p50 {cuts[49]:.1f} ms, "
        f"p99 {cuts[98]:.1f} ms, max {max(latencies):.1f} ms; {len(refused)} refused by the "
        "rate limit and sent again"
    )
    total = sum(sum(count.values()) for count in expected.values())
    print(
        f"votes: {len(slots)} slots, {total} votes expected after replacements; "
        f"{'all counted exactly' if not wrong else f'{len(wrong)} slots WRONG: {wrong[:3]}'}"
    )
    return 1 if wrong else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the vote database URL (default: SQLite in the runs folder)")
    parser.add_argument("--pg", action="store_true", help="a throwaway PostgreSQL (tests/pg.py)")
    args = parser.parse_args()
    if args.pg:
        from tests import pg

        with pg.temporary_cluster() as server_url:
            args.db = pg.fresh_schema_url(server_url)
            return measure(args)
    return measure(args)


def measure(args: argparse.Namespace) -> int:
    header("panel serve: index over 2,000 runs, 40 readers casting 2,000 votes over HTTP")
    print(f"votes in {'PostgreSQL' if args.db else 'SQLite (the runs folder)'}")
    with tempfile.TemporaryDirectory(prefix="panel-serve-bench-") as scratch:
        runs = Path(scratch) / "runs"
        started = time.perf_counter()
        ids = generate_runs(runs, Path(scratch))
        print(f"generated {RUNS} runs in {time.perf_counter() - started:.1f} s")
        server, url = start_server(runs, args.db)
        try:
            for path, ms in asyncio.run(index_pages(url)):
                verdict = "ok" if ms < TARGET_MS else "OVER"
                print(f"index: GET {path:32} {ms:7.1f} ms  ({verdict}; target {TARGET_MS:.0f} ms)")
            status = asyncio.run(votes(url, list(reversed(ids))))
        finally:
            server.terminate()
            server.wait(20)
    print(json.dumps({"server_exit": server.returncode}))
    return status


if __name__ == "__main__":
    sys.exit(main())
