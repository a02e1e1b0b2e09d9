"""Reading hand-written files: size, encoding and TOML checked, errors naming file and field."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from panel.errors import InputError

MAX_INPUT_BYTES = 256 * 1024

M = TypeVar("M", bound=BaseModel)


def read_text(path: Path, *, limit: int = MAX_INPUT_BYTES) -> str:
    """Read a hand-written file, refusing what cannot be one: missing, huge, empty or not UTF-8."""
    try:
        if not path.is_file():
            raise InputError("no such file", source=str(path))
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"file is {size:,} bytes; the limit is {limit:,}", source=str(path))
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start})", source=str(path)) from exc
    if not text.strip():
        raise InputError("file is empty", source=str(path))
    return text


def read_toml(path: Path) -> dict[str, object]:
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=str(path)) from exc


def describe_validation_error(exc: ValidationError) -> str:
    """The first problem as `field: reason`, and how many more there are."""
    # An unknown field first: a misspelt name also shows up as a missing one, and the typo is the
    # fix.
    errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
    first = errors[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field (check its spelling)"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{location}: {message}{more}"


_PLAIN = {
    "missing": "required, but missing",
    "extra_forbidden": "unknown field (check its spelling)",
}


def every_problem(exc: ValidationError) -> list[tuple[str, str]]:
    """Each problem as (field, what is wrong and what is allowed), in the project's words."""
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "(top level)"
        reason = _PLAIN.get(error["type"]) or error["msg"].removeprefix("Value error, ")
        if error["type"] in ("string_type", "int_type", "bool_type") and "input" in error:
            reason += f", not {error['input']!r}"
        problems.append((field, reason))
    return problems


def validate_as(model: type[M], data: object, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc), source=source) from exc
