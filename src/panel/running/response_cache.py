"""The response cache: completed cells, stored so a rerun never pays twice.

It caches whole validated cells rather than raw provider streams: a cell that
failed or never validated is not "completed" and must be called again on the
next run (that is what resume means), which a stream-level cache could not
tell apart. The key hashes only what determines the answer (see `cell_key`);
never timeouts, retries, concurrency or keys.

Entries are written to a temporary file in the same folder and renamed into
place, so a reader sees a whole entry or none, even with two writers or a
process killed mid-write.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from panel.inputs.schema import persona_schema
from panel.models import CachedCell
from panel.providers.base import StructuredRequest

KEY_VERSION = 1


def cell_key(provider: str, model: str, request: StructuredRequest, templates_digest: str) -> str:
    """What determines a cell's answer, as a hash.

    The cell's subject is in it: its persona, its tool card, its rendered
    assignment, the prompt templates, the persona's output schema and the
    sampling settings. The panel's other cards and personas, which the shared
    prefix carries as context, are deliberately left out, so that editing one
    card re-calls only the cells reviewing it; `--refresh` redoes everything.
    """
    material = {
        "v": KEY_VERSION,
        "provider": provider,
        "model": model,
        "persona": request.persona.model_dump(mode="json"),
        "tool": request.tool.model_dump(mode="json"),
        "prompt": request.prompt,
        "templates": templates_digest,
        "schema": persona_schema(request.persona),
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    # A repeat (--samples) or the reversed tool order (--balance-order) is its own answer; the
    # first sample in the listed order keeps the key it always had.
    if request.sample:
        material["sample"] = request.sample
    if request.order != "listed":
        material["order"] = request.order
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


class ResponseStore:
    def __init__(self, root: Path, *, warn: Callable[[str], None] = lambda message: None) -> None:
        self.root = root
        self.warn = warn

    def _path(self, key: str) -> Path:
        return self.root / "cells" / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedCell | None:
        path = self._path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.warn(f"{path}: unreadable cache entry ({exc}); calling the model again")
            return None
        try:
            entry = CachedCell.model_validate_json(text)
        except ValidationError:
            self.warn(f"{path}: corrupt cache entry; calling the model again")
            return None
        if entry.key != key:
            self.warn(f"{path}: cache entry filed under the wrong key; calling the model again")
            return None
        return entry

    def put(self, entry: CachedCell) -> None:
        """Store a completed cell; a cache that cannot be written costs a rerun, not this run."""
        path = self._path(entry.key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, entry.model_dump_json(indent=1))
        except OSError as exc:
            self.warn(
                f"{path}: could not save to the response cache ({exc.strerror}); a rerun will "
                "call again"
            )


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that no reader ever sees a partial file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
