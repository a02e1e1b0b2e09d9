"""Shared by the `panel serve` tests: a runs folder with real offline runs, the app in process,
and the vote stores the API tests run on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from panel.inputs.loading import load_personas, load_tool_card
from panel.models import Record
from panel.report.output import write_run
from panel.web.app import create_app
from panel.web.desk import ServeSettings, VoteStore
from panel.web.votes_db import VoteStore as DatabaseVotes
from panel.web.votes_db import default_db_url
from tests.conftest import EXAMPLES
from tests.records import offline_record

TOKEN = "editor-token-for-tests"
EDITOR = {"authorization": f"Bearer {TOKEN}"}
CARDS = ["claude-api-streaming-caching.toml", "modal-gpu-inference.toml"]


def a_record(folder: Path) -> Record:
    cards = [load_tool_card(EXAMPLES / name) for name in CARDS]
    return offline_record(load_personas(), cards, folder)


def write_runs(
    root: Path, record: Record, count: int, group: str = "g", prefix: str = "run"
) -> list[Path]:
    """`count` runs of `record`, each its own id, an hour apart and in the past (the last is the
    newest)."""
    folders = []
    for number in range(count):
        copy = record.model_copy(
            update={
                "run_id": f"{prefix}{number:05d}",
                "created_at": record.created_at - timedelta(hours=count - number),
            }
        )
        folders.append(write_run(root / group, copy))
    return folders


@contextmanager
def desk_client(runs_dir: Path, db_url: str | None = None, **settings: Any) -> Iterator[TestClient]:
    """The app in process, its votes in `db_url` (default: SQLite in the runs folder, as
    `panel serve` does)."""
    runs_dir.mkdir(parents=True, exist_ok=True)

    async def open_votes() -> VoteStore:
        store: VoteStore = await DatabaseVotes.open(db_url or default_db_url(runs_dir))
        return store

    app = create_app(ServeSettings(runs_dir=runs_dir, token=TOKEN, **settings), open_votes)
    with TestClient(app, base_url="http://127.0.0.1:8765", raise_server_exceptions=False) as client:
        yield client


@contextmanager
def served(runs_dir: Path, db_url: str | None = None, **settings: Any) -> Iterator[str]:
    """`panel serve`'s app on a real uvicorn in a background thread, on a free port; its URL."""
    import socket
    import threading
    import time

    import uvicorn

    runs_dir.mkdir(parents=True, exist_ok=True)

    async def open_votes() -> VoteStore:
        store: VoteStore = await DatabaseVotes.open(db_url or default_db_url(runs_dir))
        return store

    app = create_app(ServeSettings(runs_dir=runs_dir, token=TOKEN, **settings), open_votes)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        server.should_exit = True
        thread.join(20)
        listener.close()
