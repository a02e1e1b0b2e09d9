"""Reading tool cards, personas and panel files from TOML, with errors that name file and field."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from panel.errors import InputError
from panel.models import PanelFile, Persona, ToolCard
from panel.resources import data_dir

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
    # An unknown field first: a misspelt name also shows up as a missing one, and the typo is the fix.
    errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
    first = errors[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field (check its spelling)"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{location}: {message}{more}"


def validate_as(model: type[M], data: object, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc), source=source) from exc


def load_tool_card(path: Path) -> ToolCard:
    data = read_toml(path)
    data.setdefault("id", _slug_from(path))
    return validate_as(ToolCard, data, str(path))


def load_persona(path: Path) -> Persona:
    data = read_toml(path)
    data.setdefault("id", _slug_from(path))
    persona = validate_as(Persona, data, str(path))
    if persona.id != _slug_from(path):
        raise InputError(f"id: {persona.id!r} does not match the file name", source=str(path))
    return persona


def is_panel_data(data: dict[str, object]) -> bool:
    """A panel file lists `tools`; a tool card does not."""
    return "tools" in data


def load_panel_file(path: Path) -> PanelFile:
    return validate_as(PanelFile, read_toml(path), str(path))


def load_personas(directory: Path | None = None) -> dict[str, Persona]:
    """Every persona in a folder (panel's own by default), by id."""
    folder = directory or data_dir("personas")
    if not folder.is_dir():
        raise InputError("no such folder", source=str(folder))
    personas = {p.id: p for p in (load_persona(f) for f in sorted(folder.glob("*.toml")))}
    if not personas:
        raise InputError("no persona files (*.toml) found", source=str(folder))
    return personas


def choose_personas(available: dict[str, Persona], wanted: list[str] | None) -> list[Persona]:
    """The named personas in order, or the default panel when none are named."""
    if wanted is None:
        chosen = [p for p in available.values() if p.default_panel]
        if not chosen:
            raise InputError("no persona is marked default_panel = true; name some with --personas")
        return sorted(chosen, key=_default_order)
    if not wanted:
        raise InputError("--personas: a panel needs at least one persona")
    repeated = sorted({name for name in wanted if wanted.count(name) > 1})
    if repeated:
        raise InputError(f"--personas: persona named twice: {', '.join(repeated)}")
    unknown = [name for name in wanted if name not in available]
    if unknown:
        known = ", ".join(sorted(available))
        raise InputError(f"--personas: unknown persona {unknown[0]!r} (known: {known})")
    return [available[name] for name in wanted]


def _default_order(persona: Persona) -> tuple[int, str]:
    # The reference pages seat the panel in this order; others follow by name.
    seating = ["builder", "skeptic", "futurist", "business-analyst"]
    return (seating.index(persona.id) if persona.id in seating else len(seating), persona.id)


def load_comparison(paths: list[Path]) -> tuple[PanelFile, list[ToolCard]]:
    """Tool cards named directly, or a single panel file naming them (relative to itself)."""
    single = read_toml(paths[0]) if len(paths) == 1 else {}
    if is_panel_data(single):
        panel = validate_as(PanelFile, single, str(paths[0]))
        card_paths = [paths[0].parent / name for name in panel.tools]
    else:
        if len(paths) < 2:
            raise InputError("a comparison needs two or more tool cards, or one panel file")
        panel = PanelFile(tools=[str(p) for p in paths])
        card_paths = paths
    cards = [load_tool_card(p) for p in card_paths]
    ids = [card.id for card in cards]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InputError(f"tool {repeated[0]!r} appears twice in the comparison")
    return panel, cards


def _slug_from(path: Path) -> str:
    return path.stem.lower().replace("_", "-")
