"""`--db`: the vote database's URL checked, turned into an SQLAlchemy URL, and shown safely.

`sqlite:///PATH` (relative) or `sqlite:////ABSOLUTE/PATH`, as SQLAlchemy writes them; the path is
taken literally (no %-decoding). `postgresql://USER:PASSWORD@HOST:PORT/DB?OPTIONS` (or
`postgres://`) goes to psycopg 3 as written. A password is remembered by `panel.secrets`, and the
database is only ever shown through `shown` (no user, no password, no credential parameter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from panel.errors import InputError
from panel.secrets import remember_secret
from panel.urls import MAX_URL_LENGTH, public_url

EXPECTED = "expected sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]{0,30}$")


@dataclass(frozen=True)
class DbTarget:
    """Where the votes live: the URL SQLAlchemy opens, and the same database as it may be shown."""

    url: URL
    shown: str
    sqlite_path: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.sqlite_path is not None


def default_db_url(runs_dir: Path) -> str:
    """The database `panel serve` uses unless told: one SQLite file in the runs folder."""
    return f"sqlite:///{runs_dir / '.panel.db'}"


def parse_db_url(url: str) -> DbTarget:
    """The target of `url`, or one InputError naming --db (never showing a password)."""
    if len(url) > MAX_URL_LENGTH:
        raise InputError(f"--db: a URL of {len(url):,} characters is too long")
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise InputError("--db: a database URL cannot contain control characters")
    scheme, separator, rest = url.partition("://")
    scheme = scheme.lower()
    if not separator:  # not echoed: without a scheme, user:password@host is not recognisable
        raise InputError(f"--db: not a database URL ({EXPECTED})")
    if scheme == "sqlite":
        return _sqlite_target(rest)
    if scheme in ("postgresql", "postgres"):
        return _postgres_target(url, rest)
    named = f"{scheme}://" if _SCHEME.match(scheme) else "that scheme"
    raise InputError(f"--db: {named} is not supported ({EXPECTED})")


def _sqlite_target(rest: str) -> DbTarget:
    if not rest.startswith("/"):
        raise InputError("--db: a SQLite URL has three slashes and a path: sqlite:///PATH")
    path = rest[1:]
    if not path or path == ":memory:":
        raise InputError("--db: a SQLite vote database needs a file path: sqlite:///PATH")
    if "?" in path:
        raise InputError("--db: a SQLite URL takes no options (?...): sqlite:///PATH")
    return DbTarget(
        URL.create("sqlite+aiosqlite", database=path), f"sqlite:///{path}", sqlite_path=Path(path)
    )


def _postgres_target(url: str, rest: str) -> DbTarget:
    shown = public_url(url)
    try:
        parsed = make_url(f"postgresql+psycopg://{rest}")
        parsed.port  # noqa: B018  # a port that is not a number fails here, not at connect time
    except (ArgumentError, ValueError):
        raise InputError(f"--db: not a valid PostgreSQL URL: {shown}") from None
    if parsed.password:
        remember_secret(str(parsed.password))
    return DbTarget(parsed, shown)
