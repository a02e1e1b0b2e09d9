"""Naming where a value came from: a flag's default read from `panel.toml` (or `[tool.panel]`)
is reported as that file's key, not as a flag the user never typed."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from panel.errors import InputError, PanelError, RunError


def _given(flag: str, argv: list[str]) -> bool:
    """Whether `flag` is on the command line (as `--flag`, `--flag=...` or an abbreviation)."""
    for token in argv:
        if token == "--":
            break
        name = token.split("=", 1)[0]
        if name.startswith("--") and len(name) > 2 and flag.startswith(name):
            return True
    return False


def config_sources(args: argparse.Namespace) -> dict[str, str]:
    """Each flag whose value the config file set, and how to name it: `panel.toml: max_cost`."""
    from panel.config import run_defaults

    found = getattr(args, "config", None)
    if not found or found[1] is None:
        return {}
    config, source = found
    argv: list[str] = getattr(args, "argv", [])
    return {
        flag: f"{source}: {key}"
        for key in run_defaults(config)
        if not _given(flag := "--" + key.replace("_", "-"), argv)
    }


@contextmanager
def named_sources(args: argparse.Namespace) -> Iterator[None]:
    """An error about a flag whose value came from the config file names the file's key."""
    try:
        yield
    except (InputError, RunError) as error:
        renamed = _renamed(str(error), config_sources(args))
        if renamed is None:
            raise
        kind: type[PanelError] = InputError if isinstance(error, InputError) else RunError
        raise kind(renamed) from error


def _renamed(message: str, sources: dict[str, str]) -> str | None:
    for flag, source in sources.items():
        for joint in (":", " "):
            if message.startswith(flag + joint):
                return source + joint + message[len(flag) + 1 :]
    return None
