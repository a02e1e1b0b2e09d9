"""`--db` for the vote database: bad URLs and unreachable servers are one line, never a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from panel.errors import InputError
from panel.web.db_url import default_db_url, parse_db_url
from panel.web.votes_db import VoteStore
from tests import pg
from tests.helpers import run


async def opened(url: str) -> VoteStore:
    return await VoteStore.open(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root:hunter2hunter2@db/votes", "--db: mysql:// is not supported"),
        ("root:hunter2hunter2@db/votes", "--db: not a database URL"),
        ("sqlite://host/votes.db", "--db: a SQLite URL has three slashes"),
        ("sqlite:///:memory:", "--db: a SQLite vote database needs a file path"),
        ("sqlite:///votes.db?mode=ro", "--db: a SQLite URL takes no options"),
        ("postgresql://u:hunter2hunter2@db:port/v", "--db: not a valid PostgreSQL URL"),
        ("postgres://u:hunter2hunter2@db\n/v", "--db: a database URL cannot contain control"),
    ],
)
def test_a_bad_url_is_one_input_error_naming_db_without_the_password(
    url: str, expected: str
) -> None:
    with pytest.raises(InputError) as caught:
        run(opened(url))
    assert str(caught.value).startswith(expected)
    assert "hunter2" not in str(caught.value)


def test_an_unreachable_postgresql_is_one_input_error_without_the_password() -> None:
    port = pg._free_port()  # nothing listens there
    with pytest.raises(InputError) as caught:
        run(opened(f"postgres://panel:Unreachable99@127.0.0.1:{port}/votes"))
    message = str(caught.value)
    assert message.startswith(
        f"--db: cannot use the vote database postgres://[redacted]@127.0.0.1:{port}/votes: "
    )
    assert "Unreachable99" not in message and "\n" not in message


def test_sqlite_urls_take_relative_and_absolute_paths_literally(tmp_path: Path) -> None:
    assert parse_db_url("sqlite:///runs/.panel.db").sqlite_path == Path("runs/.panel.db")
    absolute = parse_db_url(default_db_url(tmp_path))
    assert absolute.sqlite_path == tmp_path / ".panel.db"
    assert absolute.shown == f"sqlite:///{tmp_path}/.panel.db"
    assert parse_db_url("sqlite:///a%20b.db").sqlite_path == Path("a%20b.db")


def test_a_postgres_url_is_shown_without_user_or_password() -> None:
    target = parse_db_url("postgres://votes:Pa55word99@db.example:5433/panel?sslmode=require")
    assert target.url.drivername == "postgresql+psycopg"
    assert (target.url.host, target.url.port, target.url.database) == ("db.example", 5433, "panel")
    assert target.shown == "postgres://[redacted]@db.example:5433/panel?sslmode=require"
