"""The response cache: completed cells, stored so a rerun never pays twice.

It caches whole validated cells rather than raw provider streams: a cell that
failed or never validated is not "completed" and must be called again on the
next run (that is what resume means), which a stream-level cache could not
tell apart. The key hashes everything that can change the answer (see
`cell_key`), so a cached verdict is only ever served for the very request
that produced it, from the same model at the same endpoint; never timeouts,
retries, concurrency, the prompt-cache TTL or keys.

An entry is checked again when it is read, against the persona's verdict
schema: a damaged or hand-edited entry is dropped with a warning naming it,
and the cell is asked again; it is never served, and never crashes the run.

Entries are written to a temporary file in the same folder and renamed into
place, so a reader sees a whole entry or none, even with two writers or a
process killed mid-write.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from pydantic import ValidationError

from panel.files import describe_validation_error, write_atomically
from panel.inputs.schema import persona_schema_json
from panel.models import CachedCell, GraderEntry, ModelInfo, VerdictBase
from panel.providers.base import StructuredRequest

KEY_VERSION = 2
CELLS = "cells"
GRADINGS = "graders"


def grader_key(info: ModelInfo, request: StructuredRequest) -> str:
    """A grader call's answer: who reads (provider, endpoint, the grader's model) and what it was
    given in full (instruction, the fenced quote, schema, output limit)."""
    material = {
        "v": KEY_VERSION,
        "provider": info.provider,
        "model": request.model or info.model,
        "endpoint": info.endpoint,
        "system": request.system,
        "prompt": request.prompt,
        "schema": request.schema,
        "max_tokens": request.max_tokens,
    }
    return hashlib.sha256(_encoded(material)).hexdigest()


class KeyParts:
    """The parts of cell keys that many cells share (the wire schema, each persona, each card),
    encoded once per planning of a panel instead of once per cell. Held by identity, so only
    for objects nothing changes while the plan is made; a new planning makes a new one."""

    def __init__(self) -> None:
        self._encoded: dict[tuple[str, int], tuple[object, bytes]] = {}

    def encoded(self, part: str, value: object, encode: Callable[[], bytes]) -> bytes:
        found = self._encoded.get((part, id(value)))
        if found is None or found[0] is not value:
            found = (value, encode())  # the value is held, so its id is not reused meanwhile
            self._encoded[(part, id(value))] = found
        return found[1]


def cell_key(
    info: ModelInfo,
    request: StructuredRequest,
    templates_digest: str,
    parts: KeyParts | None = None,
) -> str:
    """Everything that determines a cell's answer, as a hash.

    Who answers: provider, model and endpoint (the base URL without
    credentials, so an emulator's or a gateway's verdicts are never served as
    the real API's). What was asked, in full: the shared prefix (the panel's
    title, every card and persona, the charter), the cell's assignment, the
    wire schema and the persona's own verdict schema, the prompt templates
    and the sampling settings. A change anywhere is a miss, and two panels
    sharing a persona and a card never share (or overwrite) each other's cells.

    The hash is that of the sorted JSON of all of it (`json.dumps(material, sort_keys=True,
    ensure_ascii=False)`), so keys written by earlier versions still match; the parts every cell
    of a panel shares (the prefix, the schemas) are encoded once, not once per cell.
    """
    material: dict[str, object] = {
        "v": KEY_VERSION,
        "provider": info.provider,
        "model": info.model,
        "endpoint": info.endpoint,
        "history": [[turn.assistant, turn.user] for turn in request.history],
        "templates": templates_digest,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    # A repeat (--samples) or the reversed tool order (--balance-order) is its own answer; the
    # first sample in the listed order keeps the key it always had.
    if request.sample:
        material["sample"] = request.sample
    if request.order != "listed":
        material["order"] = request.order
    encoded = {name: _encoded(value) for name, value in material.items()}
    encoded["system"] = _encoded_text(request.system)
    encoded["prompt"] = _encoded(request.prompt)
    parts = parts or KeyParts()
    persona = request.persona
    encoded["wire_schema"] = parts.encoded("wire", request.schema, lambda: _encoded(request.schema))
    encoded["schema"] = parts.encoded(
        "schema", persona, lambda: persona_schema_json(persona).encode()
    )
    encoded["persona"] = parts.encoded(
        "persona", persona, lambda: _encoded(persona.model_dump(mode="json"))
    )
    encoded["tool"] = parts.encoded("tool", request.tool, lambda: _encoded(_card(request)))
    digest = hashlib.sha256(b"{")
    for index, name in enumerate(sorted(encoded)):
        digest.update(b"%s%s: " % (b", " if index else b"", _encoded_name(name)))
        digest.update(encoded[name])
    digest.update(b"}")
    return digest.hexdigest()


def _encoded(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False).encode()


@cache
def _encoded_name(name: str) -> bytes:
    """A key's field name, as JSON: a few fixed names, encoded once."""
    return _encoded(name)


@lru_cache(maxsize=8)
def _encoded_text(text: str) -> bytes:
    """The shared prefix (tens of thousands of tokens) as JSON, encoded once per panel."""
    return _encoded(text)


def _card(request: StructuredRequest) -> dict[str, object]:
    """The card as keyed: a card naming no rivals keys as cards did before they could."""
    card = request.tool.model_dump(mode="json")
    if card.get("competitors") is None:
        del card["competitors"]
    return card


class ResponseStore:
    def __init__(self, root: Path, *, warn: Callable[[str], None] = lambda message: None) -> None:
        self.root = root
        self.warn = warn
        self._save_failures: set[str] = set()  # each reason a save failed for, warned of once

    def _save_failed(self, path: Path, exc: OSError, what: str) -> None:
        """One warning for each reason saving fails: a cache that cannot be written (a full
        disk, a folder made read-only) fails for every cell alike, and one line says so."""
        reason = exc.strerror or str(exc)
        if reason in self._save_failures:
            return
        self._save_failures.add(reason)
        self.warn(
            f"{path}: could not save {what} ({reason}); a rerun will call again (any other "
            "entry failing alike is not named)"
        )

    def _path(self, key: str, kind: str = CELLS) -> Path:
        return self.root / kind / key[:2] / f"{key}.json"

    def get_grading(self, key: str) -> GraderEntry | None:
        """A stored grader answer; a damaged one is asked again (it is only a few tokens)."""
        path = self._path(key, GRADINGS)
        try:
            entry = GraderEntry.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, ValidationError):
            self.warn(f"{path}: unreadable grader cache entry; asking the grader again")
            return None
        return entry if entry.key == key else None

    def put_grading(self, entry: GraderEntry) -> None:
        path = self._path(entry.key, GRADINGS)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, entry.model_dump_json(indent=1))
        except OSError as exc:
            self._save_failed(path, exc, "a grader answer")

    def get(
        self,
        key: str,
        verdict: type[VerdictBase] | None = None,
        cell: str = "",
        *,
        quiet: bool = False,
    ) -> CachedCell | None:
        """The entry for `key`, its verdict checked against `verdict`; None (and a warning) if
        it is missing, unreadable, misfiled or not a valid verdict. `quiet`: no warning (the
        estimate looks first; the run warns once, when it reads the entry)."""
        warn = self.warn if not quiet else _silent
        path = self._path(key)
        name = f"{path}{f' ({cell})' if cell else ''}"
        if os.path.lexists(path) and not path.is_file():  # a pipe would block the run for ever
            warn(f"{name}: not a regular file; calling the model again")
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, UnicodeDecodeError) as exc:
            warn(f"{name}: unreadable cache entry ({exc}); calling the model again")
            return None
        try:
            entry = CachedCell.model_validate_json(text)
        except ValidationError:
            warn(f"{name}: corrupt cache entry; calling the model again")
            return None
        if entry.key != key:
            warn(f"{name}: cache entry filed under the wrong key; calling the model again")
            return None
        if verdict is None:
            return entry
        try:
            checked = verdict.model_validate(entry.verdict)
        except ValidationError as exc:
            problem = describe_validation_error(exc)
            warn(f"{name}: cached verdict dropped ({problem}); calling the model again")
            return None
        return entry.model_copy(update={"verdict": checked.model_dump(mode="json")})

    def put(self, entry: CachedCell) -> None:
        """Store a completed cell; a cache that cannot be written costs a rerun, not this run."""
        path = self._path(entry.key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, entry.model_dump_json(indent=1))
        except OSError as exc:
            self._save_failed(path, exc, "to the response cache")


def _silent(message: str) -> None:
    return None
