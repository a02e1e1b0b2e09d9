"""Readers' votes: one ship-or-skip per reader per tool per run, kept in SQLite or PostgreSQL.

One code path for both, through SQLAlchemy Core's asyncio engine (aiosqlite, psycopg 3): the same
SQL text, the same transactions. What differs is set up once per connection: SQLite runs in WAL
mode with a busy timeout, and its write transactions start with BEGIN IMMEDIATE, so two writers
queue for the lock instead of failing on an upgrade; a `database is locked` that outlasts the
timeout is retried. A vote is an upsert on (run_id, tool, voter): a reader's second vote replaces
the first, and no concurrent vote is lost or counted twice on either database.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from panel.errors import InputError, PanelError, RunError
from panel.models import CommunityVote
from panel.web.db_url import DbTarget, default_db_url, parse_db_url
from panel.web.votes_schema import current_version, latest_version, migrate

__all__ = ["VOTES", "Vote", "VoteStore", "default_db_url", "read_votes"]

Vote = Literal["ship", "skip"]
VOTES: tuple[Vote, ...] = get_args(Vote)
MAX_RUN_ID = 300
MAX_VOTER = 64
TOOL_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")  # panel.models.Slug: at most 64 characters
SQLITE_BUSY_TIMEOUT_MS = 10_000
BUSY_RETRIES = 8
POSTGRES_POOL = {"pool_size": 10, "max_overflow": 10, "pool_recycle": 1800}
T = TypeVar("T")

UPSERT = text(
    "INSERT INTO panel_votes (run_id, tool, voter, vote, cast_at) "
    "VALUES (:run_id, :tool, :voter, :vote, :cast_at) "
    "ON CONFLICT (run_id, tool, voter) "
    "DO UPDATE SET vote = excluded.vote, cast_at = excluded.cast_at"
)
TOOL_COUNTS = text(
    "SELECT vote, COUNT(*) FROM panel_votes WHERE run_id = :run_id AND tool = :tool GROUP BY vote"
)
RUN_TALLIES = text(
    "SELECT tool, vote, COUNT(*), MAX(cast_at) FROM panel_votes WHERE run_id = :run_id "
    "GROUP BY tool, vote"
)


class VoteStore:
    """The vote database of one server process; safe for concurrent use by its tasks."""

    def __init__(self, engine: AsyncEngine, target: DbTarget) -> None:
        self._engine = engine
        self._target = target
        # In one process SQLite writers queue here rather than spin on the file lock.
        self._write_lock = asyncio.Lock() if target.is_sqlite else None

    @property
    def shown(self) -> str:
        """The database as it may be printed or stored: no user, no password."""
        return self._target.shown

    @classmethod
    async def open(
        cls, url: str, *, create: bool = True, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
    ) -> VoteStore:
        """The store at `url`, its schema migrated; a SQLite file is made unless `create` is off."""
        target = parse_db_url(url)
        if target.sqlite_path and not create and not target.sqlite_path.is_file():
            raise InputError(f"--db: no vote database at {target.shown}")
        if target.sqlite_path:
            await asyncio.to_thread(_probe_sqlite, target.sqlite_path, target.shown)
        store = cls(_engine(target, busy_timeout_ms), target)
        try:
            await store._migrate()
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        await self._engine.dispose()

    async def __aenter__(self) -> VoteStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def cast(self, run_id: str, tool: str, voter: str, vote: Vote) -> dict[str, int]:
        """Record `voter`'s vote (replacing an earlier one); the tool's counts after it."""
        check_ballot(run_id, tool, voter, vote)
        ballot = {"run_id": run_id, "tool": tool, "voter": voter, "vote": vote}

        async def upsert(conn: AsyncConnection) -> dict[str, int]:
            await conn.execute(UPSERT, {**ballot, "cast_at": int(time.time())})
            rows = await conn.execute(TOOL_COUNTS, {"run_id": run_id, "tool": tool})
            counts: dict[str, int] = {choice: 0 for choice in VOTES}
            counts.update({str(choice): int(n) for choice, n in rows})
            return counts

        return await self._transaction(upsert, write=True)

    async def counts(self, run_id: str) -> dict[str, dict[str, int]]:
        """{tool: {"ship": n, "skip": n}} for every tool of the run that has a vote."""
        return {
            tool: {"ship": vote.ship, "skip": vote.skip}
            for tool, vote in (await self.community_votes(run_id)).items()
        }

    async def community_votes(self, run_id: str) -> dict[str, CommunityVote]:
        """The run's votes as the pages show them: counts, this database as source, last day."""
        check_text("run_id", run_id, MAX_RUN_ID)

        async def tally(conn: AsyncConnection) -> list[tuple[str, str, int, date | None]]:
            rows = await conn.execute(RUN_TALLIES, {"run_id": run_id})
            return [(str(t), str(v), int(n), _day(at)) for t, v, n, at in rows]

        totals: dict[str, dict[str, int]] = {}
        days: dict[str, date] = {}
        for tool, vote, count, day in await self._transaction(tally, write=False):
            totals.setdefault(tool, {"ship": 0, "skip": 0})[vote] = count
            if day is not None:
                days[tool] = max(day, days.get(tool, day))
        source = f"readers' votes, {self.shown}"[:200]
        return {
            tool: CommunityVote(
                tool=tool,
                ship=counts["ship"],
                skip=counts["skip"],
                source=source,
                date=days.get(tool),
            )
            for tool, counts in totals.items()
            if TOOL_ID.fullmatch(tool)  # rows written by hand with another id stay out of pages
        }

    async def schema_version(self) -> int:
        return await self._transaction(current_version, write=False)

    async def _migrate(self) -> None:
        version = await self._transaction(_peek_version, write=False, opening=True)
        if version != latest_version():  # a newer one is refused inside migrate
            await self._transaction(
                lambda conn: migrate(conn, self.shown), write=True, opening=True
            )

    async def _transaction(
        self,
        work: Callable[[AsyncConnection], Awaitable[T]],
        *,
        write: bool,
        opening: bool = False,
    ) -> T:
        """`work` in one transaction, retried while SQLite says the database is locked."""
        for attempt in range(1, BUSY_RETRIES + 1):
            try:
                lock = self._write_lock if write and self._write_lock else _NO_LOCK
                async with lock:
                    return await self._run_once(work, write=write)
            except SQLAlchemyError as exc:
                if attempt < BUSY_RETRIES and _is_busy(exc):
                    await asyncio.sleep(min(0.02 * 2**attempt, 1.0) * random.uniform(0.5, 1.0))
                    continue
                raise _failure(exc, self.shown, opening) from None
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _run_once(self, work: Callable[[AsyncConnection], Awaitable[T]], write: bool) -> T:
        if write:
            async with self._engine.begin() as conn:
                return await work(conn)
        async with self._engine.connect() as conn:
            await conn.execution_options(panel_read=True)  # a plain BEGIN on SQLite
            return await work(conn)


_NO_LOCK = contextlib.nullcontext()


def _day(stamp: object) -> date | None:
    """The day of a vote's latest time (seconds since 1970, as panel writes it); a time no panel
    writes (a word, before 1970, past tomorrow, the largest integer) in a database edited by hand
    or by another tool is no day, never a 500 or a traceback."""
    if isinstance(stamp, bool) or not isinstance(stamp, int) or stamp < 0:
        return None
    if stamp > time.time() + 86400:
        return None
    return datetime.fromtimestamp(stamp, UTC).date()


def read_votes(url: str, run_id: str, *, missing_ok: bool = False) -> dict[str, CommunityVote]:
    """The run's votes by tool, for `panel render` and `panel digest` (not async).

    A SQLite file that does not exist is an InputError naming --db, or no votes if `missing_ok`.
    """
    return read_many_votes(url, [run_id], missing_ok=missing_ok).get(run_id, {})


def read_many_votes(
    url: str, run_ids: list[str], *, missing_ok: bool = False
) -> dict[str, dict[str, CommunityVote]]:
    """Votes by run id, then tool, for a digest of many runs: one connection for them all."""
    if missing_ok and (path := parse_db_url(url).sqlite_path) and not path.is_file():
        return {}

    async def read() -> dict[str, dict[str, CommunityVote]]:
        async with await VoteStore.open(url, create=False) as store:
            return {run_id: await store.community_votes(run_id) for run_id in run_ids}

    return _run_sync(read())


def check_ballot(run_id: str, tool: str, voter: str, vote: str) -> None:
    """One InputError naming the field for a vote the database must not take."""
    check_text("run_id", run_id, MAX_RUN_ID)
    check_text("voter", voter, MAX_VOTER)
    if not isinstance(tool, str) or not TOOL_ID.fullmatch(tool):
        raise InputError("tool: not a tool id (a-z, 0-9 and '-', at most 64 characters)")
    if vote not in VOTES:
        raise InputError("vote: expected 'ship' or 'skip'")


def check_text(field: str, value: str, limit: int) -> None:
    if not isinstance(value, str) or not value:
        raise InputError(f"{field}: expected a non-empty string")
    if len(value) > limit:
        raise InputError(f"{field}: {len(value):,} characters, at most {limit}")
    if "\x00" in value:  # PostgreSQL text cannot hold it; refused on both for one behaviour
        raise InputError(f"{field}: contains a NUL character")


def _engine(target: DbTarget, busy_timeout_ms: int) -> AsyncEngine:
    if not target.is_sqlite:
        # libpq waits for an unreachable host with no limit unless the URL sets one.
        limit = {} if "connect_timeout" in target.url.query else {"connect_timeout": 10}
        return create_async_engine(target.url, connect_args=limit, **POSTGRES_POOL)
    engine = create_async_engine(target.url)

    def on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # transactions begun by on_begin, not the driver
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable in WAL up to the last checkpoint
        cursor.close()

    def on_begin(conn: Connection) -> None:
        read = conn.get_execution_options().get("panel_read", False)
        conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    event.listen(engine.sync_engine, "connect", on_connect)
    event.listen(engine.sync_engine, "begin", on_begin)
    return engine


def _probe_sqlite(path: Path, shown: str) -> None:
    """The file opened (made if new) and read once with the standard library, before aiosqlite.

    A file aiosqlite fails to open leaves its worker thread reporting to a loop that may be
    gone (a traceback on stderr after the one-line error); this finds the same faults first.
    """
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.Error as exc:
        raise InputError(f"--db: cannot use the vote database {shown}: {exc}") from None


async def _peek_version(conn: AsyncConnection) -> int:
    exists = await conn.run_sync(lambda sync: inspect(sync).has_table("panel_schema"))
    return await current_version(conn) if exists else 0


def _is_busy(exc: SQLAlchemyError) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in message or "database is busy" in message


def _failure(exc: SQLAlchemyError, shown: str, opening: bool) -> PanelError:
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    lines = str(original).strip().splitlines()
    reason = (lines[0] if lines else type(original).__name__)[:300]
    if opening:
        return InputError(f"--db: cannot use the vote database {shown}: {reason}")
    return RunError(f"the vote database {shown} failed: {reason}")


def _run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """The coroutine run to its end, from sync code (in a thread if a loop already runs here)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
