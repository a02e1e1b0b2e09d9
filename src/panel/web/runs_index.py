"""Every run under the runs folder, newest first, without reading every record per request.

A run is a folder holding `record.json`, one or two levels below the runs folder (a run
group's runs, or a group given as the runs folder). The listing is kept and refreshed only
when a folder's modification time changes (a new run is a rename into its group); a run's
id and date come from the first bytes of its record, and the figures shown in the index
from the record's summary (`load_summary`: checked against its cells as `panel runs` checks
them), read once per change of the file.

A run's id is its record's `run_id`. A URL names a run only by an id found here: no part of
a URL is ever joined onto a path. Symlinks are not followed, so no run lies outside the
runs folder.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from panel.errors import InputError
from panel.models import RunSummary
from panel.record.overrides import OVERRIDES
from panel.record.store import LATEST, RECORD, load_summary

RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HEAD = re.compile(rb'"run_id":\s*"([A-Za-z0-9_-]{1,64})",\s*"created_at":\s*"([0-9T:.+Z-]{1,40})"')
_HEAD_BYTES = 512


@dataclass(frozen=True)
class RunEntry:
    run_id: str
    created_at: str
    folder: Path


class RunIndex:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._lock = threading.Lock()
        self._folders: dict[Path, tuple[int, list[Path]]] = {}  # folder -> (mtime, run folders)
        self._heads: dict[Path, tuple[int, RunEntry | None]] = {}
        self._summaries: dict[Path, tuple[tuple[int, ...], dict[str, Any]]] = {}
        self._entries: list[RunEntry] = []
        self._by_id: dict[str, RunEntry] = {}
        self._key: tuple[int, ...] = ()

    def entries(self) -> list[RunEntry]:
        """Every run, newest first."""
        with self._lock:
            self._refresh()
            return self._entries

    def find(self, run_id: str) -> RunEntry | None:
        if not RUN_ID.match(run_id):
            return None
        with self._lock:
            self._refresh()
            return self._by_id.get(run_id)

    def summary(self, entry: RunEntry) -> dict[str, Any] | None:
        """The index's line for a run; None if its record cannot be read."""
        record, overrides = entry.folder / RECORD, entry.folder / OVERRIDES
        try:
            status = record.lstat()
            key = (status.st_mtime_ns, status.st_size, _mtime(overrides))
        except OSError:
            return None
        cached = self._summaries.get(entry.folder)
        if cached and cached[0] == key:
            return cached[1]
        try:
            summary = _summary(entry, load_summary(record))
        except (InputError, OSError):  # unreadable, or its figures are not its cells': not shown
            return None
        self._summaries[entry.folder] = (key, summary)
        return summary

    def _refresh(self) -> None:
        groups = self._children(self.root)
        key = (_mtime(self.root), *(_mtime(group) for group in groups))
        if key == self._key:
            return
        runs = [run for group in groups for run in (group, *self._children(group))]
        found = [entry for entry in map(self._entry, runs) if entry is not None]
        found.sort(key=lambda entry: (entry.created_at, entry.run_id), reverse=True)
        by_id: dict[str, RunEntry] = {}
        for entry in found:
            by_id.setdefault(entry.run_id, entry)  # the same run twice (a copy): the newest
        self._entries = [entry for entry in found if by_id[entry.run_id] is entry]
        self._by_id, self._key = by_id, key

    def _children(self, folder: Path) -> list[Path]:
        """The real (not linked) folders directly in `folder`, hidden ones and `latest` left out."""
        mtime = _mtime(folder)
        cached = self._folders.get(folder)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            with os.scandir(folder) as listing:
                children = [
                    folder / item.name
                    for item in listing
                    if item.is_dir(follow_symlinks=False)
                    and not item.name.startswith(".")
                    and item.name != LATEST
                ]
        except OSError:
            children = []
        self._folders[folder] = (mtime, children)
        return children

    def _entry(self, folder: Path) -> RunEntry | None:
        record = folder / RECORD
        mtime = _mtime(record, regular=True)
        if not mtime:
            return None
        cached = self._heads.get(folder)
        if cached and cached[0] == mtime:
            return cached[1]
        entry = _read_head(record, folder)
        self._heads[folder] = (mtime, entry)
        return entry


def _mtime(path: Path, *, regular: bool = False) -> int:
    """A file's or folder's modification time (0 if missing, or a link when `regular`)."""
    try:
        status = path.lstat() if regular else path.stat()
    except OSError:
        return 0
    if regular and not os.path.isfile(path) or regular and path.is_symlink():
        return 0
    return status.st_mtime_ns or 1


def _read_head(record: Path, folder: Path) -> RunEntry | None:
    try:
        with record.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
        found = _HEAD.search(head)
        if found:
            return RunEntry(found.group(1).decode(), found.group(2).decode(), folder)
        data = json.loads(record.read_bytes())  # written by hand or by another tool: read it all
        run_id, created = str(data["run_id"]), str(data["created_at"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return RunEntry(run_id, created, folder) if RUN_ID.match(run_id) else None


def _summary(entry: RunEntry, data: RunSummary) -> dict[str, Any]:
    return {
        "id": entry.run_id,
        "title": data.title,
        "tools": [tool.id for tool in data.tools],
        "tool_names": {tool.id: tool.name for tool in data.tools},
        "model": f"{data.model.provider}:{data.model.model}",
        "created_at": data.created_at.isoformat(),
        "ship_pct": {item.tool: item.ship_pct for item in data.aggregates.tools},
        "winner": data.aggregates.winner,  # none in a one-tool review
        "complete": data.complete,
        "edited": any(cell.override for cell in data.cells),
    }
