"""The readers' vote database, on SQLite and on a real PostgreSQL server (tests/pg.py)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from panel.errors import InputError, RunError
from panel.web import votes_db, votes_schema
from panel.web.db_url import parse_db_url
from panel.web.votes_db import VoteStore, default_db_url, read_votes
from panel.web.votes_schema import Migration
from tests import pg
from tests.helpers import run
from tests.votes_load import Workload, cast_all

ROOT = Path(__file__).resolve().parents[1]


def raw(url: str, statement: str) -> list[Any]:
    """A statement run on the database directly (sync drivers), its rows if it returns any."""
    target = parse_db_url(url)
    driver = "sqlite+pysqlite" if target.is_sqlite else "postgresql+psycopg"
    engine = create_engine(target.url.set(drivername=driver))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


async def opened(url: str) -> VoteStore:
    return await VoteStore.open(url)


def test_a_second_vote_by_the_same_reader_replaces_the_first(db_url: str) -> None:
    async def scenario() -> list[dict[str, int]]:
        async with await VoteStore.open(db_url) as store:
            return [
                await store.cast("run-1", "claw-code", "ana", "ship"),
                await store.cast("run-1", "claw-code", "ana", "ship"),
                await store.cast("run-1", "claw-code", "ana", "skip"),
                await store.cast("run-1", "claw-code", "bo", "skip"),
            ]

    assert run(scenario()) == [
        {"ship": 1, "skip": 0},
        {"ship": 1, "skip": 0},
        {"ship": 0, "skip": 1},
        {"ship": 0, "skip": 2},
    ]


def test_counts_are_kept_per_run_and_per_tool(db_url: str) -> None:
    async def scenario() -> tuple[dict[str, dict[str, int]], ...]:
        async with await VoteStore.open(db_url) as store:
            await store.cast("a/20261202T0700Z", "claw-code", "ana", "ship")
            await store.cast("a/20261202T0700Z", "modal-gpu-inference", "ana", "skip")
            await store.cast("a/20261202T0700Z", "modal-gpu-inference", "bo", "ship")
            await store.cast("a/20261203T0700Z", "claw-code", "ana", "skip")
            return (
                await store.counts("a/20261202T0700Z"),
                await store.counts("a/20261203T0700Z"),
                await store.counts("never-voted"),
            )

    first, second, none = run(scenario())
    assert first == {
        "claw-code": {"ship": 1, "skip": 0},
        "modal-gpu-inference": {"ship": 1, "skip": 1},
    }
    assert second == {"claw-code": {"ship": 0, "skip": 1}}
    assert none == {}


def test_votes_survive_reopening_and_the_schema_version_is_recorded(db_url: str) -> None:
    async def cast_then_reopen() -> tuple[dict[str, dict[str, int]], int]:
        async with await VoteStore.open(db_url) as store:
            await store.cast("run-1", "claw-code", "ana", "ship")
        async with await VoteStore.open(db_url) as store:
            return await store.counts("run-1"), await store.schema_version()

    counts, version = run(cast_then_reopen())
    assert counts == {"claw-code": {"ship": 1, "skip": 0}}
    assert version == votes_schema.latest_version() == 1
    assert raw(db_url, "SELECT version FROM panel_schema") == [(1,)]


def test_concurrent_readers_over_stores_and_processes_lose_no_vote(db_url: str) -> None:
    """40 readers x 50 votes with repeats: 2 stores here and 2 other processes, one database."""
    workload = Workload(run_id="load/20261202T0700Z-offline", seed=7, votes_each=50)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    async def worker_process(first: int, last: int) -> int:
        args = [db_url, workload.run_id, str(workload.seed), str(workload.votes_each)]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.votes_load", *args, str(first), str(last),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()[-2000:]
        return len(json.loads(out))

    async def scenario() -> tuple[list[int], dict[str, dict[str, int]]]:
        await (await opened(db_url)).close()  # the schema made before the crowd arrives
        stores = [await opened(db_url), await opened(db_url)]
        try:
            cast = await asyncio.gather(
                cast_all(stores[0], workload, range(0, 10)),
                cast_all(stores[1], workload, range(10, 20)),
                worker_process(20, 30),
                worker_process(30, 40),
            )
        finally:
            for store in stores:
                await store.close()
        async with await VoteStore.open(db_url) as fresh:
            return [len(c) if isinstance(c, list) else c for c in cast], await fresh.counts(
                workload.run_id
            )

    casts, counts = run(scenario())
    assert casts == [500, 500, 500, 500]
    assert counts == workload.expected(range(40))
    assert sum(sum(tally.values()) for tally in counts.values()) == len(
        {(r, tool) for r in range(40) for tool, _ in workload.ballots(r)}
    )


def test_the_longest_allowed_ids_are_stored_whole(db_url: str) -> None:
    run_id, voter = "r" * 300, "v" * 64
    tool = "t" + "-" * 63

    async def scenario() -> dict[str, dict[str, int]]:
        async with await VoteStore.open(db_url) as store:
            await store.cast(run_id, tool, voter, "ship")
            return await store.counts(run_id)

    assert run(scenario()) == {tool: {"ship": 1, "skip": 0}}


@pytest.mark.parametrize(
    ("field", "ballot"),
    [
        ("run_id", ("r" * 301, "claw-code", "ana", "ship")),
        ("run_id", ("", "claw-code", "ana", "ship")),
        ("tool", ("run-1", "t" * 65, "ana", "ship")),
        ("tool", ("run-1", "Claw_Code", "ana", "ship")),
        ("voter", ("run-1", "claw-code", "v" * 65, "ship")),
        ("voter", ("run-1", "claw-code", "a\x00b", "ship")),
        ("vote", ("run-1", "claw-code", "ana", "maybe")),
    ],
)
def test_a_ballot_the_database_must_not_take_is_one_input_error(
    tmp_path: Path, field: str, ballot: tuple[str, str, str, Any]
) -> None:
    async def scenario() -> dict[str, dict[str, int]]:
        async with await VoteStore.open(f"sqlite:///{tmp_path / 'v.db'}") as store:
            with pytest.raises(InputError, match=f"^{field}: ") as caught:
                await store.cast(*ballot)
            assert "\n" not in str(caught.value)
            return await store.counts("run-1")

    assert run(scenario()) == {}


def test_a_database_newer_than_the_code_is_refused_in_one_line(db_url: str) -> None:
    run(run_and_close(db_url))
    raw(db_url, "INSERT INTO panel_schema (version, summary, applied_at) VALUES (9, 'future', 0)")
    with pytest.raises(InputError) as caught:
        run(opened(db_url))
    message = str(caught.value)
    assert message.startswith("--db: the vote database ")
    assert "schema version 9, newer than this panel's 1" in message
    assert "\n" not in message


def test_pending_migrations_run_in_order_and_a_failed_one_changes_nothing(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def cast_one() -> None:
        async with await VoteStore.open(db_url) as store:
            await store.cast("run-1", "claw-code", "ana", "ship")

    run(cast_one())
    second = Migration(2, "votes by kind", ("CREATE INDEX panel_votes_kind ON panel_votes (vote)",))
    third = Migration(
        3, "broken", ("CREATE TABLE panel_extra (x INTEGER)", "SELECT * FROM no_such_table")
    )
    monkeypatch.setattr(votes_schema, "MIGRATIONS", (*votes_schema.MIGRATIONS, second, third))
    with pytest.raises(InputError, match=r"^--db: cannot use the vote database .*no_such_table"):
        run(opened(db_url))
    assert raw(db_url, "SELECT version FROM panel_schema ORDER BY version") == [(1,)]
    with pytest.raises(Exception, match="panel_extra"):
        raw(db_url, "SELECT * FROM panel_extra")

    monkeypatch.setattr(votes_schema, "MIGRATIONS", (*votes_schema.MIGRATIONS[:1], second))

    async def reopen() -> tuple[int, dict[str, dict[str, int]]]:
        async with await VoteStore.open(db_url) as store:
            return await store.schema_version(), await store.counts("run-1")

    assert run(reopen()) == (2, {"claw-code": {"ship": 1, "skip": 0}})
    assert raw(db_url, "SELECT version FROM panel_schema ORDER BY version") == [(1,), (2,)]


async def run_and_close(url: str) -> None:
    await (await opened(url)).close()


def test_read_votes_gives_the_pages_community_votes_without_credentials(db_url: str) -> None:
    async def cast() -> None:
        async with await VoteStore.open(db_url) as store:
            await store.cast("run-1", "claw-code", "ana", "ship")
            await store.cast("run-1", "claw-code", "bo", "ship")
            await store.cast("run-1", "claw-code", "cy", "skip")
            await store.cast("run-2", "modal-gpu-inference", "ana", "skip")

    run(cast())
    url = db_url.replace("postgresql://panel@", "postgresql://panel:Sup3rSecretPw@")
    votes = read_votes(url, "run-1")
    assert list(votes) == ["claw-code"]
    vote = votes["claw-code"]
    assert (vote.ship, vote.skip, vote.ship_pct) == (2, 1, 66.7)
    assert vote.date == datetime.now(UTC).date()
    assert vote.source and vote.source.startswith("readers' votes, ")
    assert "Sup3rSecretPw" not in vote.source and "panel@" not in vote.source


def test_read_votes_works_from_inside_a_running_event_loop(tmp_path: Path) -> None:
    url = default_db_url(tmp_path)

    async def inside() -> int:
        async with await VoteStore.open(url) as store:
            await store.cast("run-1", "claw-code", "ana", "skip")
        return read_votes(url, "run-1")["claw-code"].skip

    assert run(inside()) == 1


def test_read_votes_on_a_missing_sqlite_file_errors_or_finds_none(tmp_path: Path) -> None:
    url = default_db_url(tmp_path)
    with pytest.raises(InputError, match=r"^--db: no vote database at sqlite:///.*\.panel\.db$"):
        read_votes(url, "run-1")
    assert read_votes(url, "run-1", missing_ok=True) == {}
    assert not (tmp_path / ".panel.db").exists()


def test_the_default_database_is_one_wal_file_in_the_runs_folder(tmp_path: Path) -> None:
    url = default_db_url(tmp_path)
    assert url == f"sqlite:///{tmp_path}/.panel.db"
    run(run_and_close(url))
    with sqlite3.connect(tmp_path / ".panel.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_file_that_is_not_a_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, " * 200, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run(opened(f"sqlite:///{notes}"))
    assert str(caught.value) == (
        f"--db: cannot use the vote database sqlite:///{notes}: file is not a database"
    )
    assert notes.read_text(encoding="utf-8") == "my notes, " * 200


def test_a_sqlite_file_in_a_missing_folder_is_one_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^--db: cannot use .*unable to open database file$"):
        run(opened(f"sqlite:///{tmp_path}/no/such/folder/votes.db"))


def test_a_locked_sqlite_database_is_waited_for_and_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock longer than the busy timeout: cast() retries."""
    url = f"sqlite:///{tmp_path / 'v.db'}"
    run(run_and_close(url))
    holder = sqlite3.connect(tmp_path / "v.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))

    async def scenario() -> dict[str, int]:
        async with await VoteStore.open(url, busy_timeout_ms=20) as store:
            release.start()
            return await store.cast("run-1", "claw-code", "ana", "ship")

    try:
        assert run(scenario()) == {"ship": 1, "skip": 0}
    finally:
        release.join()
        holder.close()


def test_a_lock_that_outlasts_every_retry_is_one_run_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    run(run_and_close(url))
    monkeypatch.setattr(votes_db, "BUSY_RETRIES", 2)
    with sqlite3.connect(tmp_path / "v.db", isolation_level=None) as holder:
        holder.execute("BEGIN IMMEDIATE")

        async def scenario() -> None:
            async with await VoteStore.open(url, busy_timeout_ms=20) as store:
                await store.cast("run-1", "claw-code", "ana", "ship")

        with pytest.raises(RunError, match=r"^the vote database sqlite:///.* database is locked$"):
            run(scenario())
        holder.execute("ROLLBACK")


def test_a_database_broken_under_a_running_store_is_one_run_error(db_url: str) -> None:
    async def scenario() -> None:
        async with await VoteStore.open(db_url) as store:
            raw(db_url, "DROP TABLE panel_votes")
            await store.cast("run-1", "claw-code", "ana", "ship")

    with pytest.raises(RunError, match=r"^the vote database .* failed: .*panel_votes") as caught:
        run(scenario())
    assert "\n" not in str(caught.value)


def test_missing_postgresql_binaries_fail_loudly_with_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pg, "SEARCH", "/nonexistent/postgresql/*/bin")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(pg.PostgresMissing, match=r"apt-get install -y postgresql"):
        pg.server_bin()


def test_a_vote_takes_its_time_from_the_clock(tmp_path: Path) -> None:
    url = default_db_url(tmp_path)

    async def scenario() -> None:
        async with await VoteStore.open(url) as store:
            await store.cast("run-1", "claw-code", "ana", "ship")

    before = int(time.time())
    run(scenario())
    ((cast_at,),) = raw(url, "SELECT cast_at FROM panel_votes")
    assert before <= cast_at <= int(time.time())


def test_servers_starting_together_on_a_new_database_migrate_it_once(db_url: str) -> None:
    async def scenario() -> list[dict[str, int]]:
        stores = await asyncio.gather(*(opened(db_url) for _ in range(6)))
        try:
            return [await store.cast("run-1", "claw-code", "ana", "ship") for store in stores]
        finally:
            for store in stores:
                await store.close()

    assert run(scenario()) == [{"ship": 1, "skip": 0}] * 6
    assert raw(db_url, "SELECT version FROM panel_schema") == [(1,)]


def test_one_reader_voting_on_two_servers_at_once_is_counted_once(db_url: str) -> None:
    """The same reader's votes racing through two stores: one row, whichever vote lands last."""

    async def scenario() -> tuple[dict[str, dict[str, int]], list[Any]]:
        stores = [await opened(db_url), await opened(db_url)]
        try:
            votes: list[Any] = ["ship", "skip"] * 15
            await asyncio.gather(
                *(
                    stores[index % 2].cast("run-1", "claw-code", "ana", vote)
                    for index, vote in enumerate(votes)
                )
            )
            return await stores[0].counts("run-1"), raw(db_url, "SELECT vote FROM panel_votes")
        finally:
            for store in stores:
                await store.close()

    counts, rows = run(scenario())
    assert len(rows) == 1
    assert counts == {
        "claw-code": {"ship": int(rows[0][0] == "ship"), "skip": int(rows[0][0] == "skip")}
    }
