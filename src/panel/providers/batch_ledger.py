"""The ledger of submitted batches: one small JSON file per batch under `<cache>/batches/`.

An entry is written (atomically) the moment the provider returns the batch id,
before anything waits on the batch, so a run killed while it waits loses
nothing: the next run with the same inputs finds its requests here and
collects the stored batch instead of paying for a second one.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from panel.errors import InputError
from panel.files import read_text, write_atomically
from panel.models import BatchEntry, ModelInfo

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a batch of 100,000 requests, with room to spare


class BatchLedger:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.unreadable: list[Path] = []

    def _path(self, batch_id: str) -> Path:
        return self.folder / f"{_SAFE.sub('_', batch_id)}.json"

    def entries(self) -> list[BatchEntry]:
        """Every readable entry, oldest first; unreadable files are listed in `unreadable`."""
        found, self.unreadable = [], []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:  # read as a hand-written file: a pipe or a huge file is unreadable, not a hang
                text = read_text(path, limit=MAX_ENTRY_BYTES)
                found.append(BatchEntry.model_validate_json(text))
            except (InputError, OSError, ValidationError, ValueError):
                self.unreadable.append(path)
        return sorted(found, key=lambda entry: entry.submitted_at)

    def find(self, batch_id: str) -> BatchEntry | None:
        return next((e for e in self.entries() if e.batch_id == batch_id), None)

    def holding(self, provider: str, endpoint: str, custom_id: str) -> BatchEntry | None:
        """The stored batch that already carries this request, if its result can still serve.

        A collected batch serves only the requests that succeeded there: an expired or
        errored request is sent again, once, in a new batch.
        """
        for entry in reversed(self.entries()):
            if (entry.provider, entry.endpoint) != (provider, endpoint):
                continue
            if custom_id in entry.requests and (
                not entry.collected or custom_id in entry.succeeded
            ):
                return entry
        return None

    def record(
        self, info: ModelInfo, endpoint: str, batch_id: str, requests: dict[str, str]
    ) -> BatchEntry:
        entry = BatchEntry(
            batch_id=batch_id,
            provider=info.provider,
            model=info.model,
            endpoint=endpoint,
            submitted_at=datetime.now(UTC).isoformat(timespec="seconds"),
            requests=requests,
        )
        self._write(entry)
        return entry

    def mark_collected(self, entry: BatchEntry, succeeded: list[str]) -> None:
        self._write(entry.model_copy(update={"collected": True, "succeeded": sorted(succeeded)}))

    def _write(self, entry: BatchEntry) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(entry.model_dump(mode="json"), indent=2)
        write_atomically(self._path(entry.batch_id), text)
