"""Reading tool cards, personas and panel files from TOML, with errors that name file and field."""

from __future__ import annotations

from pathlib import Path

from panel.errors import InputError
from panel.files import inside, read_toml, validate_as
from panel.models import PanelFile, Persona, ToolCard
from panel.resources import data_dir


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
    """panel's own personas by id, plus those in `directory` (a file there with a built-in's id
    replaces the built-in)."""
    builtin = _persona_folder(data_dir("personas"))
    if directory is None:
        return builtin
    return {**builtin, **_persona_folder(directory)}


def replaced_builtins(directory: Path) -> list[str]:
    """The built-in personas a folder's files replace, by id."""
    builtin = data_dir("personas")
    return sorted(
        path.stem
        for path in directory.glob("*.toml")
        if (builtin / path.name).is_file()
        and (builtin / path.name).read_bytes() != path.read_bytes()  # a copy replaces nothing
    )


def _persona_folder(folder: Path) -> dict[str, Persona]:
    if not folder.is_dir():
        raise InputError("no such folder", source=str(folder))
    files = sorted(folder.glob("*.toml"))
    personas = {p.id: p for p in (load_persona(inside(f, folder)) for f in files)}
    if not personas:
        raise InputError("no persona files (*.toml) found", source=str(folder))
    return personas


def choose_personas(
    available: dict[str, Persona], wanted: list[str] | None, source: str = "--personas"
) -> list[Persona]:
    """The named personas in order, or the default panel when none are named; a bad choice is
    one InputError naming `source` (the flag, or the desk's `personas` field)."""
    if wanted is None:
        chosen = [p for p in available.values() if p.default_panel]
        if not chosen:
            raise InputError("no persona is marked default_panel = true; name some with --personas")
        return sorted(chosen, key=_default_order)
    if not wanted:
        raise InputError(f"{source}: a panel needs at least one persona")
    repeated = sorted({name for name in wanted if wanted.count(name) > 1})
    if repeated:
        raise InputError(f"{source}: persona named twice: {', '.join(repeated)}")
    unknown = [name for name in wanted if name not in available]
    if unknown:
        known = ", ".join(sorted(available))
        raise InputError(f"{source}: unknown persona {unknown[0]!r} (known: {known})")
    return [available[name] for name in wanted]


def _default_order(persona: Persona) -> tuple[int, str]:
    # The reference pages seat the panel in this order; others follow by name.
    seating = ["builder", "skeptic", "futurist", "business-analyst"]
    return (seating.index(persona.id) if persona.id in seating else len(seating), persona.id)


def load_comparison(paths: list[Path]) -> tuple[PanelFile, list[ToolCard]]:
    """Tool cards named directly (one card is a review of that tool, two or more a
    comparison), or a single panel file naming them (relative to itself)."""
    single = read_toml(paths[0]) if len(paths) == 1 else {}
    if is_panel_data(single):
        panel = validate_as(PanelFile, single, str(paths[0]))
        card_paths = [paths[0].parent / name for name in panel.tools]
    else:
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
