"""Reading a record back from disk (a run folder or a run group's `latest`)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from panel.errors import InputError
from panel.files import describe_validation_error, inside, parse_json, read_text, resolved
from panel.models import (
    SCHEMA_VERSION,
    Aggregates,
    CellResult,
    Cost,
    Record,
    RunSummary,
    Usage,
    shown_verdict_problem,
)

RECORD = "record.json"
LATEST = "latest"  # in a run group, the pointer to the newest complete run folder
MAX_RECORD_BYTES = 32 * 1024 * 1024


def load_record(path: Path, *, as_stored: bool = False) -> Record:
    """A record from disk; an older version panel can read is migrated, any other
    schema_version is named, not misread.

    Types are strict (`"3"` is not a number, `true` is not version 1), nesting is bounded,
    and the settings, ids and cells must be ones a rerun or a diff can use. The numbers
    derived from the cells are recomputed (`recomputed`); only `panel validate` reads them
    `as_stored`, to name each one that disagrees.
    """
    path = record_path(path)
    source = str(path)
    text = read_text(path, limit=MAX_RECORD_BYTES)
    data = parse_json(text, source)
    if not isinstance(data, dict):
        raise InputError("a record is a JSON object", source=source)
    version = data.get("schema_version")
    if type(version) is int and version in MIGRATIONS:
        text = json.dumps(MIGRATIONS[version](data))
    elif type(version) is not int or version != SCHEMA_VERSION:
        raise InputError(
            f"schema_version: record is version {version!r}; this panel reads version "
            f"{SCHEMA_VERSION}{_older_versions()} (use the panel release that wrote it)",
            source=source,
        )
    try:
        record = Record.model_validate_json(text, strict=True)  # JSON mode: dates as text
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc), source=source) from exc
    _check_settings(record.settings, source)
    _check_ids(record, source)
    return record if as_stored else recomputed(record)


def recomputed(record: Record, *, lend_intervals: bool = True) -> Record:
    """The record with every number derived from its cells computed again from them: the
    aggregates (ship %, split, scores, the call), the statistics, the totals and `complete`.
    A record edited by hand can change what a cell says, never what the cells add up to.
    `lend_intervals=False` (cells just edited) computes every bootstrap interval afresh."""
    from panel.record.aggregate import aggregate_record, cell_totals
    from panel.record.consensus import panel_statistics

    edited = [cell.edited() for cell in record.cells]
    statistics = record.statistics
    if statistics is not None:
        statistics = panel_statistics(
            [tool.id for tool in record.tools],
            [persona.id for persona in record.personas],
            edited,
            samples=statistics.samples,
            balance_order=statistics.balance_order,
            # lends its bootstrap intervals only where they are possible
            stored=statistics if lend_intervals else None,
        )
    update = {
        "aggregates": aggregate_record(record),
        "statistics": statistics,
        "totals": cell_totals(record.cells, record.totals.wall_seconds),
        "complete": all(cell.status == "ok" for cell in record.cells),
    }
    return record.model_copy(update=update)


def run_file(folder: Path, name: str) -> Path | None:
    """A file of a run folder (its record, its overrides), or None if there is none; one
    InputError if it is not a regular file inside the folder (a pipe, a folder, a link out or a
    looping one). `render` and `validate` read a run folder's files through this alike."""
    path = folder / name
    if not os.path.lexists(path):
        return None
    return inside(path, folder)


def record_path(path: Path) -> Path:
    """The record file a path names: itself, a run folder's record, or the record of the run a
    group's `latest` points at (a pointer that loops or leads outside the group is refused)."""
    if not path.is_dir():
        return path
    if not os.path.lexists(path / RECORD) and (path / LATEST).is_symlink():
        return latest_target(path) / RECORD
    return path / RECORD


def latest_target(group: Path) -> Path:
    """The run folder a group's `latest` points at: a folder beside it, or one InputError for
    a pointer planted by hand that loops, is broken or leads out of the group."""
    link = group / LATEST
    real, home = resolved(link, group, "is a broken or looping link, not a pointer to a run")
    if real.parent != home or not real.is_dir():
        raise InputError(
            f"points outside its run group (to {real}); panel's pointer names a run folder "
            "beside it",
            source=str(link),
        )
    return real


def _from_version_1(data: dict[str, object]) -> dict[str, object]:
    """Version 2 only widened the record (one tool, a card's competitors, a one-tool call), so
    every version-1 record is a version-2 record once it says so."""
    return {**data, "schema_version": 2}


# Older versions panel still reads, each to the current one.
MIGRATIONS = {1: _from_version_1}


def _older_versions() -> str:
    older = sorted(MIGRATIONS)
    return f" and migrates version {', '.join(map(str, older))}" if older else ""


def load_summary(path: Path) -> RunSummary:
    """What a listing shows of a record (`RunSummary`), without validating the whole record.

    The fields read are checked as strictly as `load_record` checks them (a version panel reads
    or migrates); the cards, personas and cells are not read at all (a tenth of the time).
    """
    source = str(path)
    text = read_text(path, limit=MAX_RECORD_BYTES)
    try:
        summary = RunSummary.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc), source=source) from exc
    version = summary.schema_version
    if version != SCHEMA_VERSION and version not in MIGRATIONS:
        raise InputError(
            f"schema_version: record is version {version!r}; this panel reads version "
            f"{SCHEMA_VERSION}{_older_versions()} (use the panel release that wrote it)",
            source=source,
        )
    problem = _shape_disagreement(summary)  # first what needs no aggregating
    if problem is None:
        expected = _published(summary)
        problem = summary_disagreement(summary, expected)
    if problem is not None:  # a listing never shows a figure its cells do not give
        raise InputError(f"{problem} (run 'panel validate' on it)", source=source)
    return _with_lines_of(summary, expected)


def _published(summary: RunSummary) -> Aggregates:
    """The aggregates the summary's cells give, with the lines a listing shows."""
    from panel.record.aggregate import aggregate

    return aggregate(
        [tool.id for tool in summary.tools],
        [persona.id for persona in summary.personas],
        summary.cells,
        {tool.id: tool.name for tool in summary.tools},
        {persona.id: persona.name for persona in summary.personas},
        shown_only=True,
    )


# The lines of a tool's summary and a call: worded from the cells, never read from the file.
_LINES = ("tally", "split")


def _shape_disagreement(summary: RunSummary) -> str | None:
    """What is wrong before any aggregating: the tools the figures name, a missing cell, the
    cell counts and `complete` (None: nothing)."""
    if sorted(s.tool for s in summary.aggregates.tools) != sorted(t.id for t in summary.tools):
        return "aggregates.tools: do not name the record's tools"
    missing = missing_cell(summary.personas, summary.tools, summary.cells)
    if missing:
        return missing
    ok = sum(cell.status == "ok" for cell in summary.cells)
    for name, have, wanted in (
        ("totals.cells", summary.totals.cells, len(summary.cells)),
        ("totals.cells_ok", summary.totals.cells_ok, ok),
        ("complete", summary.complete, ok == len(summary.cells)),
    ):
        if have != wanted:
            return f"{name}: is {have!r} but the cells give {wanted!r}"
    return None


def summary_disagreement(summary: RunSummary, expected: Aggregates) -> str | None:
    """The first figure a listing shows that the record's own cells (`expected`) do not give:
    each tool's reviewers, answered, ships, skips, missing, ship %, mean score and picks, the
    winner and a review's verdict (None: they all agree). Cheap: no whole record is
    validated."""
    from panel.record.aggregate import TOOL_FIGURES

    stored = {s.tool: s for s in summary.aggregates.tools}
    figures = tuple(name for name in TOOL_FIGURES if name not in _LINES)
    checks = [(f"aggregates.tools.{s.tool}", stored[s.tool], s, figures) for s in expected.tools]
    for kind, field in (("overall", "winner"), ("call", "verdict")):
        have_call, want_call = getattr(summary.aggregates, kind), getattr(expected, kind)
        if have_call is not None and want_call is not None:
            checks.append((f"aggregates.{kind}", have_call, want_call, (field,)))
    for path, have_figures, want_figures, names in checks:
        for name in names:
            have_value, want_value = getattr(have_figures, name), getattr(want_figures, name)
            if have_value != want_value:
                return f"{path}.{name}: is {have_value!r} but the cells give {want_value!r}"
    return None


def _with_lines_of(summary: RunSummary, expected: Aggregates) -> RunSummary:
    """The summary with each line the digest and the desk show (a tool's tally and split, the
    call's headline and reason) as the cells word it: a record edited by hand, or renamed
    tools, never publish a line of their own."""
    lines = {s.tool: s.model_dump(include=set(_LINES)) for s in expected.tools}
    aggregates = summary.aggregates.model_copy(
        update={
            "tools": [s.model_copy(update=lines[s.tool]) for s in summary.aggregates.tools],
            "overall": expected.overall,
            "call": expected.call,
        }
    )
    return summary.model_copy(update={"aggregates": aggregates})


def _check_ids(record: Record, source: str) -> None:
    """Each tool and persona once; each cell names them and appears once (a cell is a persona ×
    tool × sample × tool order: --samples and --balance-order ask a pair again), an ok one
    with a verdict the pages can read."""
    for kind, ids in (
        ("tools", [t.id for t in record.tools]),
        ("personas", [p.id for p in record.personas]),
    ):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise InputError(f"{kind}: id {repeated[0]!r} appears twice", source=source)
    seen: set[tuple[str, str, int, str]] = set()
    tools, personas = {t.id for t in record.tools}, {p.id for p in record.personas}
    for index, cell in enumerate(record.cells):
        if cell.tool not in tools:
            raise InputError(
                f"cells.{index}.tool: {cell.tool!r} is not in the record's tools", source=source
            )
        if cell.persona not in personas:
            raise InputError(
                f"cells.{index}.persona: {cell.persona!r} is not on the panel", source=source
            )
        key = (cell.persona, cell.tool, cell.sample, cell.order)
        if key in seen:
            again = (
                f" (sample {cell.sample}, {cell.order})"
                if cell.sample or cell.order != "listed"
                else ""
            )
            raise InputError(
                f"cells.{index}: a second cell for {cell.persona} × {cell.tool}{again}",
                source=source,
            )
        seen.add(key)
        problem = shown_verdict_problem(cell.verdict or {}) if cell.status == "ok" else None
        if problem:  # the pages read these fields: a record edited by hand is refused, not shown
            raise InputError(f"cells.{index}: an ok cell's {problem}", source=source)
        negative = _negative_figure(cell)
        if negative:  # summed into the totals, a negative count would hide what a run cost
            raise InputError(f"cells.{index}.{negative}", source=source)
    missing = missing_cell(record.personas, record.tools, record.cells)
    if missing:
        raise InputError(missing, source=source)


def missing_cell(personas: Sequence[Named], tools: Sequence[Named], cells: Sequence[Paired]) -> str:
    """The first reviewer × tool with no cell at all, worded (empty: none). A run records every
    cell it planned, failed or skipped ones too: a record without one was edited by hand, and
    would read as complete (`complete` is every cell ok) with a verdict missing."""
    pairs = {(cell.persona, cell.tool) for cell in cells}
    for persona in personas:
        for tool in tools:
            if (persona.id, tool.id) not in pairs:
                return (
                    f"cells: none for {persona.id} × {tool.id}; a run records a cell for every "
                    "reviewer and tool, failed or skipped ones too"
                )
    return ""


class Named(Protocol):
    @property
    def id(self) -> str: ...


class Paired(Protocol):
    persona: str
    tool: str


def _negative_figure(cell: CellResult) -> str | None:
    """The first token count or dollar figure of a cell (its own, its grader's) below zero, as
    `FIELD: is X; ...`; None when there is none. Providers report none below zero."""
    parts: list[tuple[str, Usage | Cost | None]] = [("usage", cell.usage), ("cost", cell.cost)]
    if cell.grader is not None:
        parts += [("grader.usage", cell.grader.usage), ("grader.cost", cell.grader.cost)]
    for prefix, figures in parts:
        for name, value in (figures.model_dump() if figures is not None else {}).items():
            if not isinstance(value, bool) and isinstance(value, int | float) and value < 0:
                return f"{prefix}.{name}: is {value!r}; tokens and dollars are never below zero"
    return None


# The settings a rerun reads back: (lowest, highest) for numbers, None for a flag.
SETTINGS: dict[str, tuple[float, float] | None] = {
    "max_tokens": (1, 1_000_000),
    "samples": (1, 50),
    "temperature": (0, 2),
    "balance_order": None,
}


def _check_settings(settings: dict[str, object], source: str) -> None:
    """Each setting a rerun reads is absent, null, or of its type and range."""
    for name, bounds in SETTINGS.items():
        value = settings.get(name)
        if value is None:
            continue
        if bounds is None:
            if not isinstance(value, bool):
                raise InputError(
                    f"settings.{name}: must be true or false, not {value!r}", source=source
                )
            continue
        low, high = bounds
        whole = name != "temperature"
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            kind = "a whole number" if whole else "a number"
            raise InputError(
                f"settings.{name}: must be {kind} from {low:g} to {high:,g}, not {value!r}",
                source=source,
            )
