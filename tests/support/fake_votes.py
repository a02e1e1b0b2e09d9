"""An in-memory vote store behind `panel.web.votes_db.VoteStore`'s interface, for the web tests
until the real one (SQLite / PostgreSQL) is merged in."""

from __future__ import annotations

import asyncio
from typing import Literal


class MemoryVotes:
    def __init__(self) -> None:
        self.votes: dict[tuple[str, str, str], str] = {}
        self.lock = asyncio.Lock()
        self.closed = False

    @classmethod
    async def open(cls, url: str) -> MemoryVotes:
        return cls()

    async def cast(
        self, run_id: str, tool: str, voter: str, vote: Literal["ship", "skip"]
    ) -> dict[str, int]:
        async with self.lock:
            self.votes[(run_id, tool, voter)] = vote
            return self._tally(run_id).get(tool, {"ship": 0, "skip": 0})

    async def counts(self, run_id: str) -> dict[str, dict[str, int]]:
        async with self.lock:
            return self._tally(run_id)

    def _tally(self, run_id: str) -> dict[str, dict[str, int]]:
        tally: dict[str, dict[str, int]] = {}
        for (run, tool, _), vote in self.votes.items():
            if run == run_id:
                tally.setdefault(tool, {"ship": 0, "skip": 0})[vote] += 1
        return tally

    async def close(self) -> None:
        self.closed = True
