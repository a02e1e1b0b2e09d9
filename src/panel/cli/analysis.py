"""The analyst's commands: compare runs (`diff`, with CI gates) and list the known models."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from panel.cli.terminal import clean, table_console
from panel.errors import InputError
from panel.paths import path_argument

# The CLI's parser imports this module on every start: the commands import what they use.
if TYPE_CHECKING:
    from rich.console import Console

    from panel.models import Record
    from panel.providers.pricing import KnownModel, PrefixFit
    from panel.report.matrix import Matrix

EXIT_FLIP, EXIT_WINNER_CHANGE = 3, 4
FLIP_STYLE = "bold yellow"


def add_analyst_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    diff = commands.add_parser(
        "diff", help="compare runs of the same panel (two, or several models' runs)"
    )
    diff.add_argument(
        "records", nargs="+", type=path_argument, metavar="RUN", help="run folders or records"
    )
    diff.add_argument("--format", choices=["table", "markdown", "md", "json"], default="table")
    diff.add_argument(
        "--fail-on-flip", action="store_true",
        help=f"exit {EXIT_FLIP} when any verdict differs from the first run's",
    )  # fmt: skip
    diff.add_argument(
        "--fail-on-winner-change", action="store_true",
        help=f"exit {EXIT_WINNER_CHANGE} when a run's overall winner differs from the first run's",
    )  # fmt: skip
    diff.set_defaults(handler=_diff)

    models = commands.add_parser("models", help="the known models: prices, cache minimums")
    models.add_argument("--format", choices=["table", "json"], default="table")
    models.add_argument(
        "--prefix", nargs="+", type=path_argument, metavar="INPUT",
        help="tool cards or a panel file: does their prompt prefix reach each cache minimum?",
    )  # fmt: skip
    models.set_defaults(handler=_models)


def _diff(args: argparse.Namespace, console: Console) -> int:
    from panel.record.store import load_record
    from panel.report.matrix import compare_runs, labels
    from panel.report.matrix import to_markdown as matrix_markdown

    if len(args.records) < 2:
        raise InputError("diff: name two or more runs (run folders or record.json files)")
    records = [load_record(path) for path in args.records]
    matrix = compare_runs(records)
    _panel_differences(records, labels(matrix), console)
    fmt = "markdown" if args.format == "md" else args.format
    if len(records) == 2:
        _two_runs(records[0], records[1], fmt)
    elif fmt == "json":
        print(json.dumps(matrix.to_json(), indent=2))
    elif fmt == "markdown":
        print(clean(matrix_markdown(matrix)), end="")
    else:
        _matrix_tables(matrix)
    return _gate(args, matrix, console)


def _panel_differences(records: list[Record], names: list[str], console: Console) -> None:
    """A note (standard error: the comparison's format is untouched) for each run whose panel
    differs from the first run's."""
    from panel.report.diff import panel_difference

    for index, record in enumerate(records[1:], start=1):
        line = panel_difference(records[0], record, (names[0], names[index]))
        if line:
            console.print(f"note: {line}", markup=False)


def _gate(args: argparse.Namespace, matrix: Matrix, console: Console) -> int:
    if args.fail_on_winner_change and matrix.winner_changed:
        console.print(f"winner changed: {' → '.join(w or 'none' for w in matrix.winners)}",
                      markup=False)  # fmt: skip
        return EXIT_WINNER_CHANGE
    if args.fail_on_flip and matrix.any_flip:
        flips = sum(matrix.flips(run) for run in range(1, len(matrix.runs)))
        console.print(f"{flips} verdict(s) flipped against the first run", markup=False)
        return EXIT_FLIP
    return 0


def _two_runs(a: Record, b: Record, fmt: str) -> None:
    from rich.table import Table

    from panel.report.diff import agreement_lines, diff_records, summary_rows, to_markdown
    from panel.report.matrix import FLIP

    result = diff_records(a, b)
    if fmt == "json":
        print(json.dumps(result.to_json(), indent=2))
        return
    if fmt == "markdown":
        print(clean(to_markdown(result)), end="")
        return
    out = table_console()
    runs = Table(title="runs")
    for column in ("", "A", "B"):
        runs.add_column(column)
    for row in summary_rows(result):
        runs.add_row(*row)
    out.print(runs)
    cells = Table(title="cells")
    for column in ("persona", "tool", "A", "B", "score move", "flip"):
        cells.add_column(column)
    for c in result.changes:
        cells.add_row(
            c.persona, c.tool, f"{c.verdict_a} {c.score_a}", f"{c.verdict_b} {c.score_b}",
            f"{c.score_b - c.score_a:+d}", f"{FLIP} flipped" if c.flipped else "",
            style=FLIP_STYLE if c.flipped else "",
        )  # fmt: skip
    out.print(cells)
    for line in agreement_lines(result):
        out.print(line, markup=False)


def _matrix_tables(matrix: Matrix) -> None:
    from rich.table import Table

    from panel.report.matrix import FLIP, cell_text, labels, pair_rows, run_rows

    out = table_console()
    runs = Table(title="runs (A is the baseline)")
    for column in ("run", "model", "verdicts changed", "winner", "cost", "wall time"):
        runs.add_column(column)
    for texts in run_rows(matrix):
        runs.add_row(*texts)
    out.print(runs)
    cells = Table(title=f"cells ({FLIP}: differs from A)")
    for column in ("persona", "tool", *labels(matrix)):
        cells.add_column(column)
    for row in matrix.rows:
        texts = [
            f"[{FLIP_STYLE}]{cell_text(v)}[/]" if v and v.flipped else cell_text(v)
            for v in row.verdicts
        ]
        cells.add_row(row.persona, row.tool, *texts)
    out.print(cells)
    pairs = Table(title="agreement per pair")
    for column in ("pair", "cells compared", "same verdict", "Cohen's kappa"):
        pairs.add_column(column)
    for texts in pair_rows(matrix):
        pairs.add_row(*texts)
    out.print(pairs)


def _models(args: argparse.Namespace, console: Console) -> int:
    from rich.table import Table

    from panel.providers.pricing import known_models, prefix_fits

    rows = known_models()
    fits = prefix_fits(_panel_prefix(args.prefix)) if args.prefix else {}
    if args.format == "json":
        print(json.dumps([_model_json(row, fits) for row in rows], indent=2))
        return 0
    table = Table(title="known models (dollars per million tokens)")
    for column in ("model", "input", "output", "cache read", "cache write", "cache minimum",
                   *(["prefix cached"] if fits else []), "capabilities"):  # fmt: skip
        table.add_column(column)
    for row in rows:
        cells = row.cells()
        if fits:
            fit = fits.get(f"{row.provider}:{row.model}")
            cells.insert(-1, fit.text() if fit else "—")
        table.add_row(*cells)
    table_console().print(table)
    if fits:
        tokens = next(iter(fits.values())).tokens
        print(
            f"The panel's shared prompt prefix is about {tokens:,} tokens (4 characters a token)."
        )
    print("A bare name picks its provider: claude-... is anthropic, gpt-... and o3... openai.")
    return 0


def _model_json(row: KnownModel, fits: dict[str, PrefixFit]) -> dict[str, object]:
    fit = fits.get(f"{row.provider}:{row.model}")
    extra = {"prefix_tokens": fit.tokens, "prefix_cached": fit.met} if fit else {}
    return {**row.to_json(), **extra}


def _panel_prefix(inputs: list[Path]) -> str:
    """The shared prompt prefix a run of these inputs would send, with the default personas."""
    from panel.inputs.loading import choose_personas, load_comparison, load_personas
    from panel.inputs.prompts import PromptSet

    panel, cards = load_comparison(inputs)
    personas = choose_personas(load_personas(), panel.personas)
    title = panel.title or " vs ".join(card.name for card in cards)
    return PromptSet.from_dir().prefix(title, personas, cards)
