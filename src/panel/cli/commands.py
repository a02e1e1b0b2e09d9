"""Commands beyond running a panel: checking inputs, comparing records, listing runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from panel.cli.terminal import out, shown_path, table_console
from panel.errors import InputError
from panel.paths import path_argument

# The CLI's parser imports this module on every start: the commands import what they use.
if TYPE_CHECKING:
    from rich.console import Console

    from panel.models import Record, RunSummary


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    validate = commands.add_parser(
        "validate", help="check personas, cards, panel files, templates and records"
    )
    validate.add_argument(
        "paths",
        nargs="*",
        type=path_argument,
        help="files or folders (default: personas examples prompts)",
    )
    validate.add_argument(
        "--personas-dir",
        type=path_argument,
        help="personas used to check templates and panel files",
    )
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.set_defaults(handler=_validate)

    runs = commands.add_parser("runs", help="list the records under an output folder")
    runs.add_argument("root", nargs="?", type=path_argument, default=Path("panel-out"))
    runs.add_argument("--format", choices=["table", "json"], default="table")
    runs.set_defaults(handler=_runs)

    cache = commands.add_parser("cache", help="the response cache: stats, verify or clear")
    cache.add_argument("action", choices=["stats", "verify", "clear"])
    cache.add_argument(
        "--cache-dir", type=path_argument, default=Path("cache"), help="default cache/"
    )
    cache.add_argument("--remove", action="store_true", help="verify: remove the bad entries")
    cache.set_defaults(handler=_cache)


def _validate(args: argparse.Namespace, console: Console) -> int:
    from panel.inputs.validate import report_json, validate_paths

    paths = args.paths or [Path(p) for p in ("personas", "examples", "prompts") if Path(p).exists()]
    if not paths:
        raise InputError("nothing to validate: name files or folders")
    problems, checked = validate_paths(paths, args.personas_dir)
    if args.format == "json":
        print(report_json(problems, checked))
    else:
        for problem in problems:
            out(problem.line())
        out(f"{checked} files checked, {len(problems)} problem{'s' if len(problems) != 1 else ''}")
    return 2 if problems else 0


def _runs(args: argparse.Namespace, console: Console) -> int:
    from panel.record.store import load_summary
    from panel.report.run_folders import find_records, is_latest

    if not args.root.is_dir():
        raise InputError("no such folder", source=str(args.root))
    found = []
    for path in find_records(args.root):
        try:  # what a listing shows, read and checked; not the whole record (issue 25)
            found.append((path, load_summary(path)))
        except InputError as error:
            console.print(f"skipped {error}", markup=False)
    ordered = sorted(found, key=lambda item: item[1].created_at)
    if args.format == "json":
        import json

        listed = [run_summary(path, summary) for path, summary in ordered]
        # Indented for a reader at a terminal; one line for a program (jq, a script): json's
        # fast encoder writes no indentation, and 2,000 runs indented took a tenth of a second.
        print(json.dumps(listed, indent=2 if sys.stdout.isatty() else None))
        return 0
    from rich.table import Table

    table = Table(title=f"runs under {shown_path(args.root)}")
    for column in ("time", "run", "model", "tools (ship %)", "cells", "folder"):
        table.add_column(column)
    for path, summary in ordered:
        ships = ", ".join(
            f"{s.tool} {'—' if s.ship_pct is None else f'{s.ship_pct:g}%'}"
            for s in summary.aggregates.tools
        )
        table.add_row(
            summary.created_at.strftime("%Y-%m-%d %H:%M"),
            summary.run_id,
            f"{summary.model.provider}:{summary.model.model}",
            ships,
            f"{summary.totals.cells_ok}/{summary.totals.cells}",
            f"{shown_path(path.parent)}{' (latest)' if is_latest(path) else ''}",
        )
    table_console().print(table)
    return 0


def run_summary(path: Path, record: Record | RunSummary) -> dict[str, object]:
    """One run for `panel runs --format json`."""
    from panel.report.run_folders import is_latest

    return {
        "run_id": record.run_id,
        "created_at": record.created_at.isoformat(),
        "title": record.title,
        "model": f"{record.model.provider}:{record.model.model}",
        "is_language_model": record.model.is_language_model,
        "tools": [
            {"tool": s.tool, "ship_pct": s.ship_pct, "ships": s.ships, "skips": s.skips}
            for s in record.aggregates.tools
        ],
        "winner": record.aggregates.winner,
        "cells": record.totals.cells,
        "cells_ok": record.totals.cells_ok,
        "complete": record.complete,
        "cost_usd": record.totals.cost_usd,
        "wall_seconds": record.totals.wall_seconds,
        "folder": str(path.parent),
        "latest": is_latest(path),
    }


def _cache(args: argparse.Namespace, console: Console) -> int:
    from panel.running import cache_admin

    root: Path = args.cache_dir
    if not root.is_dir():
        raise InputError("no such folder (no response cache there yet)", source=str(root))
    if args.action == "stats":
        found = cache_admin.stats(root)
        out(f"{root}: {found.entries} entries, {found.size_bytes / 1e6:.1f} MB")
        for model, count in sorted(found.by_model.items()):
            out(f"    {count:6d}  {model}", one_line=True)  # names read from the entries
        if found.graders:
            out(f"{sum(found.graders.values())} grader answers")
            for model, count in sorted(found.graders.items()):
                out(f"    {count:6d}  {model}", one_line=True)
        if found.stale:
            out(f"{found.stale} stale (written by an older panel; never read again)")
        if found.temporary or found.other_files:
            out(f"{found.temporary} leftover temporary, {found.other_files} other files")
        return 0
    if args.action == "clear":
        removed, size = cache_admin.clear(root)
        out(f"{root}: removed {removed} entries ({size / 1e6:.1f} MB); nothing else touched")
        return 0
    checked, bad = cache_admin.verify(root)
    for entry in bad:
        out(f"{shown_path(entry.path)}: {entry.problem}", one_line=True)
    removed = cache_admin.remove([entry.path for entry in bad]) if args.remove else 0
    tail = f", {removed} removed" if args.remove else " (--remove removes them)" if bad else ""
    out(f"{checked} entries checked, {len(bad)} bad{tail}")
    return 1 if bad and not args.remove else 0
