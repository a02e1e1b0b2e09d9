"""Community votes: a CSV or JSON file of `tool,ship,skip` counts (optional `source`, `date`).

CSV has a header row naming its columns; JSON is a list of objects with the
same keys (or an object whose `votes` key holds that list). Rows for tools
that are not in a run are left out of it, so one file can serve a week of runs.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TypeVar

from panel.errors import InputError
from panel.files import LongNumber, parse_json, read_text, validate_as
from panel.models import MAX_VOTES, CommunityVote, Record, RunSummary

VotedRecord = TypeVar("VotedRecord", Record, RunSummary)  # a whole record, or its summary

COLUMNS = ("tool", "ship", "skip", "source", "date")
COUNTS = ("ship", "skip")


def load_votes(path: Path) -> dict[str, CommunityVote]:
    """Votes by tool id; a repeated tool, a negative count or an unknown column is an error."""
    text = read_text(path)
    rows = _json_rows(text, path) if path.suffix.lower() == ".json" else _csv_rows(text, path)
    votes: dict[str, CommunityVote] = {}
    for where, row in rows:
        vote = validate_as(CommunityVote, row, f"{path}: {where}")
        if vote.tool in votes:
            raise InputError(
                f"tool: {vote.tool!r} has votes in an earlier row", source=f"{path}: {where}"
            )
        votes[vote.tool] = vote
    if not votes:
        raise InputError("no votes in the file", source=str(path))
    return votes


def _csv_rows(text: str, path: Path) -> list[tuple[str, dict[str, object]]]:
    """The rows of a CSV file; what the csv module refuses (a field over its size limit, a
    NUL) is one line naming the file's line, like every other problem."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))  # a spreadsheet's BOM
    try:
        return _checked_rows(reader, path)
    except csv.Error as exc:
        raise InputError(
            f"line {reader.line_num}: not CSV panel can read ({exc})", source=str(path)
        ) from exc


def _checked_rows(reader: csv.DictReader[str], path: Path) -> list[tuple[str, dict[str, object]]]:
    header = [name.strip() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in COLUMNS]
    repeated = [name for name in COLUMNS if header.count(name) > 1]
    if repeated:  # csv.DictReader would keep the last one's value, silently
        raise InputError(f"line 1: column {repeated[0]!r} appears twice", source=str(path))
    if unknown or not {"tool", "ship", "skip"} <= set(header):
        problem = (
            f"unknown column {unknown[0]!r}"
            if unknown
            else "the header must name tool, ship and skip"
        )
        raise InputError(f"line 1: {problem} (columns: {', '.join(COLUMNS)})", source=str(path))
    rows = []
    for line, raw in enumerate(reader, start=2):
        if None in raw:
            raise InputError(f"line {line}: more fields than the header names", source=str(path))
        row: dict[str, object] = {key.strip(): (value or "").strip() for key, value in raw.items()}
        where = f"line {line}"
        cells = {key: value for key, value in row.items() if value != ""}
        for key in COUNTS:
            written = cells.get(key)
            if isinstance(written, str):
                cells[key] = _count(written, f"{path}: {where}: {key}")
        rows.append((where, cells))
    return rows


def _count(text: str, where: str) -> int:
    """A vote count as written in a CSV cell: ASCII digits only ("²", "٣", "1e3", "-1" and
    "2.5" are not counts), and at most a billion."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_VOTES)):
        raise InputError(
            f"{_shown(text)} is not a count (a whole number from 0 to {MAX_VOTES:,})",
            source=where,
        )
    value = int(text)
    if value > MAX_VOTES:
        raise InputError(f"{value:,} is more than {MAX_VOTES:,} votes", source=where)
    return value


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"a value of {len(text):,} characters"


def _json_rows(text: str, path: Path) -> list[tuple[str, dict[str, object]]]:
    data = parse_json(text, str(path), keep_long=True)  # NaN stops here; a long count below
    if isinstance(data, dict) and set(data) == {"votes"}:
        data = data["votes"]
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise InputError('expected a list of {"tool", "ship", "skip"} objects', source=str(path))
    rows = [(f"entry {index}", row) for index, row in enumerate(data, start=1)]
    for where, row in rows:
        for key, value in row.items():
            if isinstance(value, LongNumber):
                raise InputError(
                    f"{_shown(value)} is not a count (a whole number from 0 to {MAX_VOTES:,})",
                    source=f"{path}: {where}: {key}",
                )
    return rows


def combined(
    first: dict[str, CommunityVote] | None, second: dict[str, CommunityVote] | None
) -> dict[str, CommunityVote] | None:
    """Votes from two places (a file and the readers' database) counted together per tool."""
    if not first or not second:
        return first or second or None
    votes = dict(first)
    for tool, vote in second.items():
        if tool not in votes:
            votes[tool] = vote
            continue
        earlier = votes[tool]
        sources = " + ".join(s for s in (earlier.source, vote.source) if s)[:200] or None
        days = [d for d in (earlier.date, vote.date) if d is not None]
        votes[tool] = CommunityVote(
            tool=tool,
            ship=earlier.ship + vote.ship,
            skip=earlier.skip + vote.skip,
            source=sources,
            date=max(days) if days else None,
        )
    return votes


def votes_for_none(source: str, votes: dict[str, CommunityVote], tools: list[str]) -> str | None:
    """A warning when the votes file names none of the run's `tools` (a file for another run,
    or ids mistyped): it would change nothing, silently. A file that also holds other runs'
    tools is how one file serves a week of runs, and says nothing."""
    if any(tool in votes for tool in tools):
        return None
    unknown = sorted(votes)
    named = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
    return (
        f"{source}: names none of this run's tools (it has votes for {named}; the run's tools are "
        f"{', '.join(tools)}): no vote is counted"
    )


def apply_votes(record: VotedRecord, votes: dict[str, CommunityVote]) -> VotedRecord:
    """The record with these votes in its Community column; other tools keep theirs."""
    current = dict(record.community_votes)
    for tool in record.tools:
        if tool.id in votes:
            current[tool.id] = votes[tool.id]
    return record.model_copy(update={"community_votes": current})
