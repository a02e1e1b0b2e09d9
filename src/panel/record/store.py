"""Reading a comparison record back from disk; the record's file name."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from panel.errors import InputError
from panel.files import describe_validation_error, read_text
from panel.models import SCHEMA_VERSION, Record

RECORD = "record.json"
MAX_RECORD_BYTES = 32 * 1024 * 1024


def load_record(path: Path) -> Record:
    """A record from disk; an older or newer schema_version is named, not misread."""
    if path.is_dir():
        path = path / RECORD
    text = read_text(path, limit=MAX_RECORD_BYTES)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} (line {exc.lineno})", source=str(path)
        ) from exc
    if not isinstance(data, dict):
        raise InputError("a record is a JSON object", source=str(path))
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"schema_version: record is version {version!r}; this panel reads version "
            f"{SCHEMA_VERSION} "
            "(use the panel release that wrote it)",
            source=str(path),
        )
    try:
        return Record.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc), source=str(path)) from exc
