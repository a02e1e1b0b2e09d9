"""Readers' votes from a `panel serve` database reach `render` and `digest` (`--db`), counted
beside a votes file, and published pages can point readers at a server (`--vote-server`)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from panel.cli import main
from panel.web.votes_db import VoteStore
from tests.conftest import EXAMPLES

PAIR = str(EXAMPLES / "claude-api-vs-modal.toml")
MODAL = "modal-gpu-inference"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    out = tmp_path / "runs" / "pair"
    assert main(["run", PAIR, "--out", str(out), "--offline-delay", "0", "--quiet"]) == 0
    return (out / "latest").resolve()


def _run_id(folder: Path) -> str:
    return str(json.loads((folder / "record.json").read_text())["run_id"])


def _cast(url: str, run_id: str, ballots: list[tuple[str, str]]) -> None:
    async def cast() -> None:
        async with await VoteStore.open(url) as store:
            for voter, vote in ballots:
                await store.cast(run_id, MODAL, voter, vote)  # type: ignore[arg-type]

    asyncio.run(cast())


def test_render_counts_the_database_votes_with_the_file(
    run_dir: Path, tmp_path: Path, db_url: str
) -> None:
    _cast(
        db_url, _run_id(run_dir), [("r1", "ship"), ("r2", "ship"), ("r3", "skip"), ("r1", "skip")]
    )
    assert main(["render", str(run_dir), "--db", db_url]) == 0
    assert "1 ship / 2 skip (33.3%)" in (run_dir / "panel.html").read_text()
    votes = tmp_path / "votes.csv"
    votes.write_text(f"tool,ship,skip,source\n{MODAL},9,0,poll\n")
    assert main(["render", str(run_dir), "--db", db_url, "--votes", str(votes)]) == 0
    stored = json.loads((run_dir / "record.json").read_text())["community_votes"][MODAL]
    assert (stored["ship"], stored["skip"]) == (10, 2)
    assert stored["source"].startswith("poll + readers' votes")


def test_digest_reads_every_runs_votes_from_the_database(
    run_dir: Path, tmp_path: Path, db_url: str
) -> None:
    _cast(db_url, _run_id(run_dir), [("a", "ship"), ("b", "ship"), ("c", "ship")])
    site = tmp_path / "site"
    assert main(["digest", str(tmp_path / "runs"), "--out", str(site), "--db", db_url]) == 0
    pages = list((site / "runs").glob("*.html"))
    assert len(pages) == 1 and "3 ship / 0 skip (100%)" in pages[0].read_text()


def test_a_published_page_points_its_readers_at_the_vote_server(run_dir: Path) -> None:
    plain = (run_dir / "panel.html").read_text()
    assert "<script" not in plain
    assert main(["render", str(run_dir), "--vote-server", "http://127.0.0.1:8765"]) == 0
    page = (run_dir / "panel.html").read_text()
    assert "http://127.0.0.1:8765" in page and "<script" in page


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--vote-server", "http://user:pw@example.com"], "--vote-server"),
        (["--vote-server", "ftp://example.com"], "--vote-server"),
        (["--db", "mysql://example.com/x"], "--db"),
    ],
)
def test_bad_server_flags_are_one_line_and_write_nothing(
    run_dir: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    before = (run_dir / "panel.html").read_bytes()
    assert main(["render", str(run_dir), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "pw" not in err
    assert (run_dir / "panel.html").read_bytes() == before
