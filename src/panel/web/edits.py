"""An editor's change to one cell, written to the run's `overrides.toml` and the pages rebuilt.

The file is edited as text, one `[[override]]` block at a time, so what an editor wrote by hand
(comments, other entries) stays as it was. The new file is checked the way `panel render`
reads it (`load_overrides`, `apply_overrides`) before it replaces the old one, then the run's
record and pages are rebuilt (`republish`); the model's verdict stays in the record beside the
override.

Two editors never lose one another's edit: each save names the version of the file it saw
(a hash of its text); a save against an older version is refused, and so is a save over a cell
someone already edited when no version is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from panel.errors import InputError
from panel.files import folder_lock, parse_toml, read_text
from panel.models import CommunityVote, Override, Record
from panel.record.overrides import OVERRIDES, apply_overrides, load_overrides
from panel.record.store import RECORD, load_record
from panel.record.votes import apply_votes
from panel.report.republish import republish

_BLOCK = re.compile(r"^[ \t]*\[\[[ \t]*override[ \t]*\]\][ \t]*(#.*)?$", re.MULTILINE)
_FIELDS = ("tool", "persona", "verdict", "score", "quote", "editor", "reason")


class Conflict(Exception):
    """Another editor saved first; the message says what to do."""


@dataclass(frozen=True)
class OverridesText:
    text: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


def read_overrides(folder: Path) -> OverridesText:
    """The file's text, read as `panel render` reads it (its size bounded, UTF-8 or one error
    naming it); an empty file is no entry yet."""
    path = folder / OVERRIDES
    if not os.path.lexists(path):
        return OverridesText("")
    if path.is_symlink() or not path.is_file():
        raise InputError("not a regular file; edit it by hand", source=str(path))
    if path.stat().st_size == 0:
        return OverridesText("")
    # Lines as Python's text mode reads them: a block is found however an editor ends lines.
    return OverridesText(read_text(path).replace("\r\n", "\n").replace("\r", "\n"))


def save_override(
    folder: Path, override: Override, seen: str | None, votes: dict[str, CommunityVote]
) -> dict[str, Any]:
    """Write one cell's override (replacing that cell's earlier one); the cell and the new
    version."""
    with folder_lock(folder):
        return _save(folder, override, seen, votes)


def _save(
    folder: Path, override: Override, seen: str | None, votes: dict[str, CommunityVote]
) -> dict[str, Any]:
    current = read_overrides(folder)
    _check_version(current, seen)
    blocks = _blocks(current.text)
    earlier = blocks.pop((override.persona, override.tool), None)
    if earlier is not None and seen is None:
        raise Conflict(
            f"{override.persona} × {override.tool} is already edited; reload the run and "
            "save again to replace that edit"
        )
    text = _joined(current.text, blocks, extra=_toml_block(override))
    record = _write(folder, text, votes)
    cell = next(c for c in record.cells if (c.persona, c.tool) == (override.persona, override.tool))
    return {**cell.model_dump(mode="json"), "version": OverridesText(text).version}


def remove_override(
    folder: Path, persona: str, tool: str, seen: str | None, votes: dict[str, CommunityVote]
) -> dict[str, Any] | None:
    """Undo a cell's override; None when the cell has none."""
    with folder_lock(folder):
        return _remove(folder, persona, tool, seen, votes)


def _remove(
    folder: Path, persona: str, tool: str, seen: str | None, votes: dict[str, CommunityVote]
) -> dict[str, Any] | None:
    current = read_overrides(folder)
    _check_version(current, seen)
    blocks = _blocks(current.text)
    if blocks.pop((persona, tool), None) is None:
        return None
    text = _joined(current.text, blocks)
    _write(folder, text, votes)
    return {"persona": persona, "tool": tool, "version": OverridesText(text).version}


def _check_version(current: OverridesText, seen: str | None) -> None:
    if seen is not None and seen != current.version:
        raise Conflict(
            "another editor saved this run after you loaded it; reload to see their edit, "
            "then save yours again"
        )


def _blocks(text: str) -> dict[tuple[str, str], str]:
    """Each `[[override]]` block's text by its cell, in the file's order."""
    starts = [match.start() for match in _BLOCK.finditer(text)]
    blocks: dict[tuple[str, str], str] = {}
    for start, end in zip(starts, [*starts[1:], len(text)][: len(starts)], strict=True):
        block = text[start:end]
        try:
            data: Any = parse_toml(block, OVERRIDES)
            entry = data["override"][0]
            blocks[(str(entry["persona"]), str(entry["tool"]))] = block
        except (InputError, KeyError, IndexError, TypeError) as exc:
            raise InputError(
                "an entry the desk cannot read apart; edit the file by hand",
                source=OVERRIDES,
            ) from exc
    return blocks


def _joined(text: str, blocks: dict[tuple[str, str], str], extra: str = "") -> str:
    found = _BLOCK.search(text)
    head = text[: found.start()] if found else text
    body = "".join(block if block.endswith("\n") else block + "\n" for block in blocks.values())
    return head + body + extra


def _toml_block(override: Override) -> str:
    """One `[[override]]` entry; JSON strings are valid TOML basic strings."""
    values = override.model_dump(exclude_none=True)
    lines = ["[[override]]"]
    for name in _FIELDS:
        if name in values:
            lines.append(f"{name} = {json.dumps(values[name], ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _write(folder: Path, text: str, votes: dict[str, CommunityVote]) -> Record:
    """Check the new file as `panel render` reads it, put it in place, rebuild the pages."""
    target = folder / OVERRIDES
    if not text.strip():  # the last entry undone: an empty file would stop `panel render`
        record = apply_overrides(load_record(folder / RECORD), [], OVERRIDES)
        target.unlink(missing_ok=True)
        republish(folder, apply_votes(record, votes) if votes else record)
        return record
    handle, staged = tempfile.mkstemp(dir=folder, prefix=f".{OVERRIDES}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            overrides = load_overrides(Path(staged))
        except InputError as exc:
            raise InputError(exc.detail, source=OVERRIDES) from exc
        record = apply_overrides(load_record(folder / RECORD), overrides, OVERRIDES)
        os.chmod(staged, 0o644)
        os.replace(staged, target)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
    republish(folder, apply_votes(record, votes) if votes else record)
    return record
