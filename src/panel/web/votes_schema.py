"""The vote database's schema, written down as an ordered list of migrations.

The same SQL runs on SQLite and PostgreSQL. `panel_schema` holds one row per migration applied;
pending ones run in order inside one transaction, so a failed migration leaves the database as it
was. A database whose version is newer than this code knows is refused: an older panel must not
write into a schema it does not understand.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from panel.errors import InputError

# Serialises migrations when several servers start at once on one PostgreSQL database
# ("panel" in ASCII); SQLite's BEGIN IMMEDIATE already does that.
PG_MIGRATION_LOCK = 0x70616E656C


@dataclass(frozen=True)
class Migration:
    version: int
    summary: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "readers' votes: one row per reader per tool per run",
        (
            """
            CREATE TABLE panel_votes (
                run_id VARCHAR(300) NOT NULL,
                tool VARCHAR(64) NOT NULL,
                voter VARCHAR(64) NOT NULL,
                vote VARCHAR(4) NOT NULL CHECK (vote IN ('ship', 'skip')),
                cast_at BIGINT NOT NULL,
                PRIMARY KEY (run_id, tool, voter)
            )
            """,
        ),
    ),
)

CREATE_SCHEMA_TABLE = """
    CREATE TABLE IF NOT EXISTS panel_schema (
        version INTEGER PRIMARY KEY,
        summary VARCHAR(200) NOT NULL,
        applied_at BIGINT NOT NULL
    )
"""


def latest_version() -> int:
    return MIGRATIONS[-1].version if MIGRATIONS else 0


async def current_version(conn: AsyncConnection) -> int:
    result = await conn.execute(text("SELECT MAX(version) FROM panel_schema"))
    return int(result.scalar() or 0)


async def migrate(conn: AsyncConnection, shown: str) -> int:
    """Pending migrations applied in order on `conn` (inside its transaction); the version after.

    `shown` is the database as it may be printed (no password).
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
    await conn.execute(text(CREATE_SCHEMA_TABLE))
    version = await current_version(conn)
    if version > latest_version():
        raise InputError(
            f"--db: the vote database {shown} has schema version {version}, newer than this "
            f"panel's {latest_version()}: upgrade panel to use it"
        )
    for migration in MIGRATIONS:
        if migration.version <= version:
            continue
        for statement in migration.statements:
            await conn.execute(text(statement))
        await conn.execute(
            text("INSERT INTO panel_schema (version, summary, applied_at) VALUES (:v, :s, :t)"),
            {"v": migration.version, "s": migration.summary[:200], "t": int(time.time())},
        )
        version = migration.version
    return version
