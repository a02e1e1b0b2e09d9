"""What a run or rerun reads, for the check that its output folder stays apart from all of it
(`panel.report.run_folders.check_apart`): the cards, the panel file, personas, prompts, votes
and a rerun's record."""

from __future__ import annotations

import argparse
from pathlib import Path


def run_inputs(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """Every file or folder the run reads, named by its flag, for `check_apart`."""
    named: list[tuple[str, Path | None]] = [
        *(("the input", path) for path in getattr(args, "inputs", None) or []),
        ("--panel", getattr(args, "panel", None)),
        ("--personas-dir", getattr(args, "personas_dir", None)),
        ("--prompts-dir", getattr(args, "prompts_dir", None)),
        ("--votes", args.votes),
    ]
    return [(label, Path(path)) for label, path in [*named, *record_inputs(args)] if path]


def kept_inputs(args: argparse.Namespace) -> list[Path]:
    """Inputs the run group may hold: a rerun lands beside the run it reruns, by design."""
    return [path for _, path in record_inputs(args)]


def record_inputs(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """A rerun's record, and its run folder if panel wrote it (the group may hold them; a new
    run is never written as or into them)."""
    from panel.record.store import record_path
    from panel.report.run_folders import home_of

    if getattr(args, "record", None) is None:
        return []
    record = record_path(args.record)
    found = [("the record", record)]
    home = home_of(record)
    if home is not None and home != record.parent:  # a run folder in its group
        found.append(("the record's run folder", record.parent))
    return found
