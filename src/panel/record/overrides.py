"""An editor's corrections to a run: `overrides.toml` in the run folder, applied to the record.

The model's verdicts in the record are never changed: each edited cell carries
the override next to them, the page shows the edited values with a note naming
the editor and the reason, and the aggregates are recomputed from the edited
values. Applying the file again replaces every earlier override, so removing
an entry from the file and rendering again restores the model's cell.
"""

from __future__ import annotations

from pathlib import Path

from panel.errors import InputError
from panel.files import read_toml, validate_as
from panel.models import CommunityVote, Override, Record
from panel.record.store import RECORD, load_record, recomputed, run_file
from panel.record.votes import apply_votes

OVERRIDES = "overrides.toml"


def load_overrides(path: Path) -> list[Override]:
    """Every `[[override]]` entry of a file, each checked on its own so an error names it."""
    data = read_toml(path)
    unknown = sorted(set(data) - {"override"})
    if unknown:
        raise InputError(
            f"{unknown[0]}: unknown table (write entries as [[override]])", source=str(path)
        )
    entries = data.get("override", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise InputError("override: write each entry as an [[override]] table", source=str(path))
    return [
        validate_as(Override, entry, f"{path}: override {index}")
        for index, entry in enumerate(entries, start=1)
    ]


def apply_overrides(record: Record, overrides: list[Override], source: str = OVERRIDES) -> Record:
    """The record with exactly these overrides on its cells, aggregated from the edited values."""
    by_cell = _check(record, overrides, source)
    cells = [
        cell.model_copy(update={"override": by_cell.get((cell.persona, cell.tool))})
        for cell in record.cells
    ]
    # The aggregates and the intervals beside the edited ship % come from the same cells.
    return recomputed(record.model_copy(update={"cells": cells}), lend_intervals=False)


def edited_record(folder: Path, votes: dict[str, CommunityVote] | None = None) -> Record:
    """A run folder's record as published: its overrides (or none) and any new votes applied.
    `panel render`, `validate` and `panel serve` read a run's files alike (`run_file`: no pipe,
    no link out of the folder)."""
    # Read as stored: apply_overrides derives every number from the edited cells, once.
    record = load_record(run_file(folder, RECORD) or folder / RECORD, as_stored=True)
    overrides_file = run_file(folder, OVERRIDES)
    overrides = load_overrides(overrides_file) if overrides_file else []
    record = apply_overrides(record, overrides, str(folder / OVERRIDES))
    return apply_votes(record, votes) if votes else record


def _check(
    record: Record, overrides: list[Override], source: str
) -> dict[tuple[str, str], Override]:
    tools = [tool.id for tool in record.tools]
    personas = [persona.id for persona in record.personas]
    cells = {(cell.persona, cell.tool): cell for cell in record.cells}
    found: dict[tuple[str, str], Override] = {}
    for index, entry in enumerate(overrides, start=1):
        where = f"{source}: override {index}"
        if entry.tool not in tools:
            raise InputError(
                f"tool: {entry.tool!r} is not in this run (its tools: {', '.join(tools)})",
                source=where,
            )
        if entry.persona not in personas:
            raise InputError(
                f"persona: {entry.persona!r} is not on this panel "
                f"(its personas: {', '.join(personas)})",
                source=where,
            )
        key = (entry.persona, entry.tool)
        if key in found:
            raise InputError(
                f"{entry.persona} × {entry.tool} is already edited by an earlier entry",
                source=where,
            )
        if cells[key].status != "ok":
            raise InputError(
                f"{entry.persona} × {entry.tool} has no verdict to edit ({cells[key].status})",
                source=where,
            )
        found[key] = entry
    return found
