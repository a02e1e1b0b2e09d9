"""Defaults a project sets for itself: `panel.toml`, or `[tool.panel]` in pyproject.toml.

Only the working folder is read (`panel.toml` first). Precedence, highest first:
a command-line flag, then the environment (`PANEL_MODEL`), then the config
file, then panel's own default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from panel.errors import InputError

if TYPE_CHECKING:  # the CLI's parser reads a config only when there is one: pydantic loads then
    from panel.models import PanelConfig

CONFIG_FILE = "panel.toml"
PYPROJECT = "pyproject.toml"
MODEL_ENV = "PANEL_MODEL"


def load_config(folder: Path | None = None) -> tuple[PanelConfig, str | None]:
    """The folder's config and where it came from (None when there is none)."""
    from panel.files import read_toml, validate_as
    from panel.models import PanelConfig

    folder = folder or Path.cwd()
    own = folder / CONFIG_FILE
    if own.is_file():
        return _paths_checked(validate_as(PanelConfig, read_toml(own), str(own)), str(own))
    pyproject = folder / PYPROJECT
    if not pyproject.is_file():
        return PanelConfig(), None
    table = read_toml(pyproject).get("tool", {})
    table = table.get("panel") if isinstance(table, dict) else None
    if table is None:
        return PanelConfig(), None
    if not isinstance(table, dict):
        raise InputError("tool.panel: must be a table", source=str(pyproject))
    source = f"{pyproject} [tool.panel]"
    return _paths_checked(validate_as(PanelConfig, table, source), source)


def _paths_checked(config: PanelConfig, source: str) -> tuple[PanelConfig, str]:
    """The config, once each folder it names is one a file system can hold."""
    from panel.paths import path_problem

    for name in ("personas_dir", "cache_dir"):
        problem = path_problem(getattr(config, name) or ".")
        if problem:
            raise InputError(f"{name}: {problem}", source=source)
    return config, source


def has_config(folder: Path | None = None) -> bool:
    """Whether the folder has a file that may hold a config (cheap: no file is read)."""
    folder = folder or Path.cwd()
    return (folder / CONFIG_FILE).is_file() or (folder / PYPROJECT).is_file()


def default_model(
    config: PanelConfig, source: str | None, env: dict[str, str] | None = None
) -> tuple[str | None, str]:
    """The model to use when no `--model` flag is given, and why (None: follow the keys)."""
    env = dict(os.environ) if env is None else env
    if env.get(MODEL_ENV, "").strip():
        return env[MODEL_ENV].strip(), f"from {MODEL_ENV}"
    if config.model:
        return config.model, f"from {source}"
    return None, ""


def model_origin(config: PanelConfig, source: str | None, env: dict[str, str] | None = None) -> str:
    """Where `default_model`'s value came from, as an error about it names it:
    `PANEL_MODEL`, `panel.toml: model` (or `--model` when neither set one)."""
    env = dict(os.environ) if env is None else env
    if env.get(MODEL_ENV, "").strip():
        return MODEL_ENV
    return f"{source}: model" if config.model else "--model"


def run_defaults(config: PanelConfig) -> dict[str, object]:
    """Argument defaults for `run` and `rerun` (argparse applies each option's type to them)."""
    values: dict[str, object] = {
        "personas": ",".join(config.personas) if config.personas else None,
        "personas_dir": config.personas_dir,
        "cache_dir": config.cache_dir,
        "concurrency": config.concurrency,
        "max_cost": config.max_cost,
    }
    return {key: value for key, value in values.items() if value is not None}
