"""A throwaway PostgreSQL server for tests and benchmarks: a real one, never a mock.

`temporary_cluster()` runs initdb into a temporary folder (as the `postgres` user when run as
root, since PostgreSQL refuses to run as root), starts it on a free port of 127.0.0.1 with its
socket in that folder, makes a database, yields its URL, then stops the server and removes the
folder. `PANEL_TEST_PG_URL` names an existing database to use instead. Missing server binaries
are an error that says how to install them, never a silent skip. The folder names the process
that made it (pid and start time); a server whose maker was killed before it could stop it (a
SIGKILLed pytest) is stopped and removed by the next cluster started on the machine.

Tests use the `postgres_url` fixture (tests/conftest.py, one cluster per session) and
`fresh_schema_url` to give each test its own empty schema on that one server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

ENV_URL = "PANEL_TEST_PG_URL"
SEARCH = "/usr/lib/postgresql/*/bin"
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or on "
    f"PATH: install them (apt-get install -y postgresql) or set {ENV_URL} to a database URL"
)
# A test server: nothing in it outlives the session, so durability is traded for speed.
FAST = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
PREFIX = "panel-pg-"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def server_bin() -> Path:
    """The folder of initdb and pg_ctl: the newest installed version, or PATH."""
    versions = sorted(Path("/").glob(SEARCH.lstrip("/")), key=lambda p: _version(p.parent.name))
    found = [p for p in versions if (p / "initdb").is_file() and (p / "pg_ctl").is_file()]
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    raise PostgresMissing(MISSING)


@contextlib.contextmanager
def temporary_cluster(*, durable: bool = False) -> Iterator[str]:
    """The URL of a database on a fresh local server, removed afterwards (or PANEL_TEST_PG_URL)."""
    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL]
        return
    bindir = server_bin()
    stop_orphans(bindir)
    root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{_maker(os.getpid())}-"))
    as_owner = _owner_prefix(root)
    data = root / "data"
    try:
        _run([*as_owner, bindir / "initdb", "-D", data, "-A", "trust", "-U", "panel", "-E",
              "UTF8", "--no-sync", "--no-instructions"])  # fmt: skip
        port = _free_port()
        options = [f"-p {port}", f"-k {root}", "-c listen_addresses=127.0.0.1"]
        options += [] if durable else list(FAST)
        _run([*as_owner, bindir / "pg_ctl", "-D", data, "-l", root / "server.log", "-w",
              "-t", "60", "-o", " ".join(options), "start"])  # fmt: skip
        try:
            _run([bindir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "panel",
                  "panel_test"])  # fmt: skip
            yield f"postgresql://panel@127.0.0.1:{port}/panel_test"
        finally:
            _run([*as_owner, bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def stop_orphans(bindir: Path) -> list[Path]:
    """Stop and remove the clusters whose maker is gone; the folders removed."""
    removed = []
    for root in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*-*"):
        pid, _, rest = root.name.removeprefix(PREFIX).partition("-")
        if not pid.isdigit() or _maker(int(pid)) == f"{pid}-{rest.split('-')[0]}":
            continue  # its maker still runs (or the name is not ours): not an orphan
        if (root / "data" / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                _run([*_owner_prefix(root), bindir / "pg_ctl", "-D", root / "data", "-m",
                      "immediate", "-w", "stop"])  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
        removed.append(root)
    return removed


def _maker(pid: int) -> str:
    """`pid-starttime` of a live process (start time in clock ticks since boot), or ''."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return f"{pid}-{stat.rsplit(')', 1)[1].split()[19]}"


def fresh_schema_url(server_url: str) -> str:
    """`server_url` with its own new, empty schema first on the search path: one per test."""
    import psycopg  # the test extra's driver; imported here so tests/pg.py loads without it

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")  # a generated name: hex digits only
    separator = "&" if "?" in server_url else "?"
    return f"{server_url}{separator}options={quote(f'-csearch_path={schema}')}"


def _owner_prefix(root: Path) -> list[str]:
    """Run the server as `postgres` when we are root (initdb refuses root), else as ourselves."""
    if os.geteuid() != 0:
        return []
    shutil.chown(root, user="postgres", group="postgres")
    return ["runuser", "-u", "postgres", "--"]


def _run(command: list[str | Path]) -> None:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command[:6]))} failed ({result.returncode}): "
            f"{(result.stderr or result.stdout).strip()[-2000:]}"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())
