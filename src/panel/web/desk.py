"""What the server holds while it runs: its settings, the runs index, the vote store, the runs
going on, a lock per run folder for edits, and the readers' rate limit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from panel.models import CommunityVote
from panel.web.live import LiveRuns
from panel.web.runs_index import RunIndex
from panel.web.security import RateLimit, Voters

MAX_BODY_BYTES = 256 * 1024
MAX_VOTE_BYTES = 1024


class VoteStore(Protocol):
    """The readers' votes (`panel.web.votes_db.VoteStore`: SQLite or PostgreSQL)."""

    async def cast(
        self, run_id: str, tool: str, voter: str, vote: Literal["ship", "skip"]
    ) -> dict[str, int]: ...

    async def counts(self, run_id: str) -> dict[str, dict[str, int]]: ...

    async def community_votes(self, run_id: str) -> dict[str, CommunityVote]: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class ServeSettings:
    runs_dir: Path
    token: str
    cards_dir: Path | None = None
    allowed_origins: tuple[str, ...] = ()  # sites whose published pages may send votes
    hosts: tuple[str, ...] = ()  # the Host names answered (none: any); loopback when bound there
    offline_delay: float = 0.02
    max_cost: float | None = None  # each desk run's spending limit, in dollars
    vote_burst: float = 30
    vote_rate: float = 10


@dataclass
class Desk:
    settings: ServeSettings
    votes: VoteStore
    index: RunIndex = field(init=False)
    live: LiveRuns = field(init=False)
    limit: RateLimit = field(init=False)
    voters: Voters = field(default_factory=Voters)
    _locks: dict[Path, asyncio.Lock] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = RunIndex(self.settings.runs_dir)
        self.live = LiveRuns(
            self.settings.runs_dir,
            offline_delay=self.settings.offline_delay,
            max_cost=self.settings.max_cost,
        )
        self.limit = RateLimit(self.settings.vote_burst, self.settings.vote_rate)

    def lock(self, folder: Path) -> asyncio.Lock:
        return self._locks.setdefault(folder, asyncio.Lock())

    async def community(self, run_id: str) -> dict[str, CommunityVote]:
        votes = await self.votes.community_votes(run_id)  # only tools with a vote
        return {
            tool: vote.model_copy(update={"source": "panel serve", "date": None})
            for tool, vote in votes.items()
        }
