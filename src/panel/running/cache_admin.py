"""Looking after the response cache: `panel cache stats`, `verify` and `clear`.

Only panel's own entry files are ever touched: `cells/<2 hex>/<64 hex>.json` (and the grader's
answers, `graders/<2 hex>/<64 hex>.json`, which `clear` removes too) and the temporary files a
killed writer may leave beside them. Anything else found in the cache folder is counted
and left alone.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from panel.files import describe_validation_error
from panel.inputs.schema import verdict_model
from panel.models import CachedCell, GraderEntry
from panel.running.response_cache import CELLS, GRADINGS

_ENTRY = re.compile(r"^[0-9a-f]{64}\.json$")
_TEMPORARY = re.compile(r"^\.[0-9a-f]{64}\.json\..*\.tmp$")
_SHARD = re.compile(r"^[0-9a-f]{2}$")
_Entry = TypeVar("_Entry", CachedCell, GraderEntry)


@dataclass
class CacheStats:
    entries: int = 0
    size_bytes: int = 0
    stale: int = 0
    temporary: int = 0
    other_files: int = 0
    by_model: Counter[str] = field(default_factory=Counter)
    graders: Counter[str] = field(default_factory=Counter)  # grader answers by grader model


@dataclass(frozen=True)
class BadEntry:
    path: Path
    problem: str


def _shards(root: Path, kind: str = CELLS) -> list[Path]:
    """The shard folders panel made: a link in their place leads to what panel did not make,
    and `cache clear` would remove entry-named files there."""
    cells = root / kind
    if not cells.is_dir() or cells.is_symlink():
        return []
    return sorted(
        p for p in cells.iterdir() if p.is_dir() and not p.is_symlink() and _SHARD.match(p.name)
    )


def _own_files(root: Path, kind: str = CELLS) -> tuple[list[Path], list[Path], int]:
    """(entry files, leftover temporary files, count of files that are not panel's)."""
    entries: list[Path] = []
    temporary: list[Path] = []
    other = 0
    for shard in _shards(root, kind):
        for path in sorted(shard.iterdir()):
            if not path.is_file() or path.is_symlink():
                other += 1
            elif _ENTRY.match(path.name) and path.name.startswith(shard.name):
                entries.append(path)
            elif _TEMPORARY.match(path.name):
                temporary.append(path)
            else:
                other += 1
    return entries, temporary, other


def _read_as(path: Path, model: type[_Entry], what: str) -> tuple[_Entry | None, str | None]:
    """A file read as one of panel's entries, and the reason it cannot be served (None: good)."""
    if not path.is_file():  # a pipe or a device planted there: reading it would wait for ever
        return None, "not a regular file"
    try:
        entry = model.model_validate_json(path.read_bytes())
    except OSError as exc:
        return None, f"unreadable ({exc.strerror or exc})"
    except ValidationError as exc:
        return None, f"not a {what} ({describe_validation_error(exc)})"
    if f"{entry.key}.json" != path.name:
        return entry, "filed under the wrong key"
    return entry, None


def check_entry(path: Path) -> tuple[CachedCell | None, str | None]:
    """A cell entry and the reason it cannot be served (None when it is good)."""
    entry, problem = _read_as(path, CachedCell, "cache entry")
    if entry is None or problem is not None:
        return entry, problem
    if entry.persona is None:
        return entry, None  # written by an older panel: stale, never read again
    try:
        verdict_model(entry.persona).model_validate(entry.verdict)
    except ValidationError as exc:
        return entry, f"verdict fails the persona's schema ({describe_validation_error(exc)})"
    return entry, None


def check_grading(path: Path) -> tuple[GraderEntry | None, str | None]:
    """A grader answer and the reason it cannot be served (None when it is good)."""
    return _read_as(path, GraderEntry, "grader answer")


def stats(root: Path) -> CacheStats:
    entries, temporary, other = _own_files(root)
    result = CacheStats(temporary=len(temporary), other_files=other)
    _count_gradings(root, result)
    for path in entries:
        result.entries += 1
        result.size_bytes += path.stat().st_size
        entry, _ = check_entry(path)
        if entry is None:
            result.by_model["(unreadable)"] += 1
            continue
        if entry.persona is None:
            result.stale += 1
        where = f" at {entry.endpoint}" if entry.endpoint else ""
        result.by_model[f"{entry.provider}:{entry.model}{where}"] += 1
    return result


def _count_gradings(root: Path, result: CacheStats) -> None:
    gradings, temporary, other = _own_files(root, GRADINGS)
    result.temporary += len(temporary)
    result.other_files += other
    for path in gradings:
        result.size_bytes += path.stat().st_size
        entry, _ = check_grading(path)
        result.graders["(unreadable)" if entry is None else entry.model] += 1


def verify(root: Path) -> tuple[int, list[BadEntry]]:
    """(entries checked, cell entries and grader answers alike; the bad ones)."""
    checked, bad = 0, []
    for kind, check in ((CELLS, check_entry), (GRADINGS, check_grading)):
        entries, _, _ = _own_files(root, kind)
        checked += len(entries)
        for path in entries:
            _, problem = check(path)
            if problem is not None:
                bad.append(BadEntry(path, problem))
    return checked, bad


def remove(paths: list[Path]) -> int:
    removed = 0
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


def clear(root: Path) -> tuple[int, int]:
    """Remove every cell entry file, every grader answer and leftover temporary files:
    (cell entries removed, bytes freed)."""
    removed = size = 0
    for kind in (CELLS, GRADINGS):
        entries, temporary, _ = _own_files(root, kind)
        size += sum(path.stat().st_size for path in entries)
        gone = remove(entries)
        removed += gone if kind == CELLS else 0
        remove(temporary)
        for shard in _shards(root, kind):
            _remove_if_empty(shard)
        _remove_if_empty(root / kind)
    return removed, size


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty (holds what is not panel's), or gone
        folder.rmdir()
