"""Commands beyond running a panel: checking inputs, comparing records, listing runs."""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    return None
