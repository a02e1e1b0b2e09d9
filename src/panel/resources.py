"""Where panel's own data lives: the repository checkout, or the installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The `personas/` or `prompts/` folder shipped with panel.

    A source checkout (editable install, tests) uses the folders at the
    repository root; an installed wheel carries copies under `_data/`.
    """
    checkout = _PACKAGE.parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name
    if (_PACKAGE / "_data" / name).is_dir():
        return _PACKAGE / "_data" / name
    raise FileNotFoundError(f"panel's {name}/ folder is missing from this installation")


def template_dir() -> Path:
    """Templates of the rendered pages (not prompts): they ship inside the package."""
    return _PACKAGE / "templates"
