"""Many readers voting at once, with a final tally known in advance (tests and benchmarks).

Each reader casts a fixed, seeded list of votes one after another, voting on the same tools
again and again; only each reader's last vote per tool may count. Readers may be split over
several stores and processes (`python -m tests.votes_load URL RUN_ID SEED VOTES FIRST LAST`
casts for readers FIRST..LAST-1 and prints their cast() latencies as JSON).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from dataclasses import dataclass

from panel.web.votes_db import VOTES, Vote, VoteStore

TOOLS = ("claw-code", "modal-gpu-inference", "claude-api-streaming-caching")


@dataclass(frozen=True)
class Workload:
    run_id: str
    seed: int
    votes_each: int
    tools: tuple[str, ...] = TOOLS

    def voter(self, index: int) -> str:
        return f"reader-{index:04d}"

    def ballots(self, index: int) -> list[tuple[str, Vote]]:
        """Reader `index`'s votes in the order cast: the same list in every process."""
        rng = random.Random(f"{self.seed}:{index}")
        return [(rng.choice(self.tools), rng.choice(VOTES)) for _ in range(self.votes_each)]

    def expected(self, readers: range) -> dict[str, dict[str, int]]:
        """{tool: {"ship": n, "skip": n}} counting each reader's last vote per tool once."""
        last: dict[tuple[int, str], Vote] = {}
        for index in readers:
            for tool, vote in self.ballots(index):
                last[(index, tool)] = vote
        tally: dict[str, dict[str, int]] = {}
        for (_, tool), vote in last.items():
            tally.setdefault(tool, {"ship": 0, "skip": 0})[vote] += 1
        return tally


async def cast_all(store: VoteStore, workload: Workload, readers: range) -> list[float]:
    """Every reader in `readers` voting concurrently; each cast()'s latency in seconds."""
    latencies: list[float] = []

    async def reader(index: int) -> None:
        for tool, vote in workload.ballots(index):
            started = time.perf_counter()
            counts = await store.cast(workload.run_id, tool, workload.voter(index), vote)
            latencies.append(time.perf_counter() - started)
            if counts[vote] < 1:  # the tally after a vote includes that vote
                raise AssertionError(f"{workload.voter(index)}: {vote} on {tool} missing: {counts}")

    await asyncio.gather(*(reader(index) for index in readers))
    return latencies


async def _main(url: str, run_id: str, seed: int, votes_each: int, first: int, last: int) -> None:
    async with await VoteStore.open(url) as store:
        latencies = await cast_all(store, Workload(run_id, seed, votes_each), range(first, last))
    print(json.dumps(latencies))


if __name__ == "__main__":
    url, run_id, *numbers = sys.argv[1:]
    seed, votes_each, first, last = map(int, numbers)
    asyncio.run(_main(url, run_id, seed, votes_each, first, last))
