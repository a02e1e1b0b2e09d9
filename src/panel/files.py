"""Reading hand-written files: size, encoding and TOML checked, errors naming file and field."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from panel.errors import InputError

MAX_INPUT_BYTES = 256 * 1024
# Panel data nests a few levels (a record's cells' verdicts' beats); far more is an attack.
MAX_DEPTH = 32
# No number panel keeps (a count, tokens, a seed) needs more digits; 5,000 of them is an attack.
MAX_NUMBER_DIGITS = 18

M = TypeVar("M", bound=BaseModel)


def read_text(path: Path, *, limit: int = MAX_INPUT_BYTES) -> str:
    """Read a hand-written file, refusing what cannot be one: missing, not a regular file (a
    device, a pipe), huge, empty or not UTF-8. At most `limit` bytes are ever read."""
    try:
        if not path.exists() or path.is_dir():
            raise InputError("no such file", source=str(path))
        if not path.is_file():  # checked before opening: opening a pipe would wait for a writer
            raise InputError("not a regular file", source=str(path))
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise InputError("not a regular file", source=str(path))
            size = status.st_size
            raw = handle.read(limit + 1) if size <= limit else b""
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    if size > limit or len(raw) > limit:
        shown = f"{size:,}" if size > limit else f"over {limit:,}"
        raise InputError(f"file is {shown} bytes; the limit is {limit:,}", source=str(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start})", source=str(path)) from exc
    if not text.strip():
        raise InputError("file is empty", source=str(path))
    return text


def resolved(path: Path, folder: Path, broken: str) -> tuple[Path, Path]:
    """The real locations of `path` and of the `folder` it should stay in; one InputError
    (`broken`, naming `path`) when either is a broken or looping link."""
    try:
        return path.resolve(strict=True), folder.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise InputError(broken, source=str(path)) from exc


def inside(path: Path, folder: Path) -> Path:
    """`path`, if it is a regular file whose real location is inside `folder` (no symlink out
    of it, no /proc or device); else one InputError."""
    real, home = resolved(path, folder, "cannot be resolved (a broken or looping link?)")
    if not real.is_relative_to(home):
        raise InputError(
            f"links outside {folder} (to {real}); copy the file in instead", source=str(path)
        )
    if not real.is_file():
        raise InputError("not a regular file", source=str(path))
    return path


def nesting_depth(value: object) -> int:
    """How deeply lists and tables nest in parsed JSON or TOML (counted without recursion)."""
    containers = (dict, list)
    deepest, stack = 0, [(value, 1)] if isinstance(value, containers) else []
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item
        # Only containers are stacked: a record's thousands of strings and numbers are not.
        stack.extend((child, depth + 1) for child in children if isinstance(child, containers))
    return deepest


def check_depth(value: object, source: str) -> None:
    depth = nesting_depth(value)
    if depth > MAX_DEPTH:
        raise InputError(
            f"nested more than {MAX_DEPTH} levels deep; that is not panel data", source=source
        )


# A JSON escape of a UTF-16 surrogate (`\\ud800`): json decodes a lone one to a character that
# no UTF-8 file, page or response can hold.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class LongNumber(str):
    """The digits of a JSON integer too long to be panel data, kept as text so that the caller
    can name the row and field holding it (`parse_json(..., keep_long=True)`)."""


def parse_json(text: str, source: str, *, keep_long: bool = False) -> object:
    """JSON with a bounded nesting depth, sane numbers and each key once: a deep document, a
    number of 5,000 digits, NaN or a repeated key is one error, not a RecursionError or a value
    nothing downstream can use (or that another parser would read differently)."""

    def whole(digits: str) -> int | LongNumber:
        if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
            if keep_long:
                return LongNumber(digits)
            raise InputError(
                f"a number of {len(digits):,} digits (at most {MAX_NUMBER_DIGITS}) is not panel "
                "data",
                source=source,
            )
        return int(digits)

    def fraction(digits: str) -> float:
        value = float(digits)
        if not math.isfinite(value):
            raise InputError(f"the number {digits[:40]} is out of range", source=source)
        return value

    def constant(name: str) -> object:
        raise InputError(f"{name} is not a number panel accepts", source=source)

    def unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
        data = dict(pairs)
        if len(data) < len(pairs):  # json keeps the last silently; another reader, the first
            names = [key for key, _ in pairs]
            twice = next(key for key in names if names.count(key) > 1)
            raise InputError(f"an object names {twice!r} twice", source=source)
        return data

    try:
        data = json.loads(
            text,
            parse_int=whole,
            parse_float=fraction,
            parse_constant=constant,
            object_pairs_hook=unique,
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (line {exc.lineno})", source=source) from exc
    except RecursionError as exc:
        raise InputError(
            f"nested more than {MAX_DEPTH} levels deep; that is not panel data", source=source
        ) from exc
    check_depth(data, source)
    if _SURROGATE_ESCAPE.search(text):  # a pair is one character; a lone one no text can hold
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                f"a string holds a lone surrogate ({exc.object[exc.start]!r}), which is not text",
                source=source,
            ) from exc
    return data


def read_toml(path: Path) -> dict[str, object]:
    return parse_toml(read_text(path), str(path))


def parse_toml(text: str, source: str) -> dict[str, object]:
    """TOML text (a file's, a card pasted into the desk, one entry of overrides.toml), its depth
    bounded: an array nested 50,000 deep is one InputError, not a RecursionError."""
    import tomllib  # not every command reads TOML (render only with an overrides.toml)

    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))  # the BOM a Windows editor saves
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=source) from exc
    except ValueError as exc:  # an integer of thousands of digits: Python refuses to convert it
        raise InputError("not valid TOML: a number far too long", source=source) from exc
    except RecursionError as exc:
        raise InputError(
            f"nested more than {MAX_DEPTH} levels deep; that is not panel data", source=source
        ) from exc
    check_depth(data, source)
    return data


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
    "missing": "Field required (this file must set it)",
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


def write_atomically(path: Path, text: str, *, mode: int | None = None) -> Path:
    """Write `text` to `path` so that no reader ever sees a partial file.

    The text goes to a temporary file beside `path`, is flushed to disk and renamed over it;
    `mode` sets the permissions (a temporary file is created private).
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """The run folder locked against other processes: the desk saving an editor's change and
    `panel render` each read the record and overrides.toml and rewrite the record and pages, so
    one never writes pages from what the other replaced. An advisory lock on the folder itself:
    no lock file is left in the editor's folder."""
    import fcntl

    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock
