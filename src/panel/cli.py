"""The command line: the only place errors become a line of text and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from panel import __version__
from panel import cli_values as values
from panel.errors import InputError, PanelError
from panel.terminal import clean, closed_pipe, out, safe_console

# Start-up stays fast (`panel --help`, a run's first line): rich, the provider SDKs and the run
# machinery are imported inside the commands that use them (a test keeps it so).
if TYPE_CHECKING:
    from rich.console import Console

    from panel.models import ModelInfo, Persona, Record
    from panel.providers.base import Provider
    from panel.providers.registry import ModelChoice
    from panel.running.orchestrator import CellUpdate, PanelRun, RunOptions
    from panel.running.response_cache import ResponseStore
    from panel.running.runner import PanelSpec

EXIT_OK, EXIT_INCOMPLETE, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
BATCH_CONCURRENCY = 100_000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError(f"{message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    from panel.batching import add_batches_command
    from panel.config import has_config, load_config, run_defaults

    parser = _Parser(prog="panel", description="Draft review panels for software tools.")
    parser.add_argument("--version", action="version", version=f"panel {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run a panel on two or more tool cards")
    run.add_argument("inputs", nargs="+", type=Path, help="tool cards (.toml), or one panel file")
    _add_run_options(run)
    run.set_defaults(handler=_run_command)

    rerun = commands.add_parser(
        "rerun", help="rerun a record's cards, personas and prompts with another model"
    )
    rerun.add_argument("record", type=Path)
    _add_run_options(rerun, rerun=True)
    rerun.set_defaults(handler=_rerun_command)

    personas = commands.add_parser("personas", help="list the personas found and their beats")
    personas.add_argument("--personas-dir", type=Path)
    personas.set_defaults(handler=_personas)

    schema = commands.add_parser("schema", help="print a JSON Schema")
    schema.add_argument("--persona", help="a persona's verdict schema (default: the record schema)")
    schema.add_argument("--personas-dir", type=Path)
    schema.add_argument(
        "--write", type=Path, metavar="DIR", help="write every default schema into DIR"
    )
    schema.add_argument(
        "--record",
        action="store_true",
        help="the record's schema, every field described (the default)",
    )
    schema.add_argument(
        "--wire",
        action="store_true",
        help="the strict schema sent to the providers for these personas (all, or --persona)",
    )
    schema.set_defaults(handler=_schema)

    for command in (run, rerun):
        command.set_defaults(config=None)  # read at run time when no file can hold one
    if has_config():  # reading a config needs pydantic: `panel --help` elsewhere stays quick
        config, source = load_config()
        for command in (run, rerun):
            command.set_defaults(**run_defaults(config), config=(config, source))

    from panel.analysis import add_analyst_commands
    from panel.commands import add_commands
    from panel.editing import add_editor_commands

    add_commands(commands)
    add_editor_commands(commands)
    add_analyst_commands(commands)
    add_batches_command(commands)
    return parser


def _add_run_options(command: argparse.ArgumentParser, *, rerun: bool = False) -> None:
    from panel.batching import add_batch_options

    if rerun:
        command.add_argument(
            "-m", "--model", action="append", metavar="MODEL",
            help="rerun with this model (repeat for several: each its own run, one cache)",
        )  # fmt: skip
    else:
        command.add_argument(
            "-m", "--model", metavar="MODEL",
            help="PROVIDER:MODEL, a bare model name (gpt-5-mini, claude-sonnet-4-5) or offline",
        )  # fmt: skip
    command.add_argument(
        "--base-url",
        type=values.base_url,
        help="API base URL (a gateway, an emulator, a compatible server)",
    )
    if not rerun:
        command.add_argument(
            "--personas", help="comma-separated persona ids (default: the default panel)"
        )
        command.add_argument("--panel", type=Path, help="a panel file whose personas to use")
        command.add_argument("--personas-dir", type=Path, help="where persona files live")
        command.add_argument("--prompts-dir", type=Path, help="where prompt templates live")
        command.add_argument("--title", help="the comparison's title")
        command.add_argument(
            "--max-tokens",
            type=values.positive_int,
            help="output token limit per call (default: sized from the output schema)",
        )
    command.add_argument("--out", type=Path, help="output folder (default: panel-out/<tools>)")
    command.add_argument(
        "--quiet", action="store_true", help="plain lines instead of the live grid"
    )
    command.add_argument(
        "--concurrency",
        type=values.positive_int,
        default=8,
        help="cells in flight at once (default 8)",
    )
    command.add_argument(
        "--no-warm-up", action="store_true", help="fire every cell at once into a cold cache"
    )
    command.add_argument("--refresh", action="store_true", help="ignore the response cache")
    command.add_argument(
        "--cache-dir", type=Path, default=Path("cache"), help="response cache (default cache/)"
    )
    command.add_argument(
        "--cache-ttl",
        choices=["5m", "1h"],
        help="prompt-cache lifetime (Claude; default 5m, 1h with --batch)",
    )
    command.add_argument(
        "--cache-retention",
        choices=["30m"],
        help="prompt_cache_options.ttl (OpenAI, gpt-5.6 and later)",
    )
    command.add_argument(
        "--compat",
        action="store_true",
        help="send an OpenAI-compatible server only the common subset of chat completions",
    )
    command.add_argument(
        "--max-cost",
        type=values.positive_dollars,
        help="a bound on dollars spent: no cell starts unless its worst case fits",
    )
    command.add_argument(
        "--votes", type=Path, metavar="FILE", help="community votes: CSV or JSON of tool,ship,skip"
    )
    add_batch_options(command)
    command.add_argument(
        "--samples",
        type=values.positive_int,
        help="ask each cell K times; its verdict is the majority (default 1"
        + (", or the record's)" if rerun else ")"),
    )
    command.add_argument(
        "--balance-order",
        action="store_true",
        help="ask each cell with the tools in both orders and report verdicts that flip",
    )
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="render every prompt, count tokens and print the expected and worst-case cost; "
        "no model call",
    )
    command.add_argument(
        "--json",
        action="store_true",
        help="NDJSON events on standard output, one per line (with --dry-run: one JSON object)",
    )
    command.add_argument(
        "--yes", action="store_true", help="run even when --max-cost is below the worst case"
    )
    command.add_argument(
        "--offline-delay", type=values.seconds, default=0.02, help=argparse.SUPPRESS
    )


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        code = _dispatch(args, _stderr())
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except PanelError as exc:
        _stderr().print(f"panel: error: {clean(exc, one_line=True)}", soft_wrap=True)
        return exc.exit_code
    except BrokenPipeError:
        return closed_pipe()
    except KeyboardInterrupt:
        _stderr().print("panel: interrupted", markup=False)
        return EXIT_INTERRUPTED


def _stderr() -> Console:
    """Where messages go: markup never read, escape sequences and control characters removed."""
    return safe_console(stderr=True, highlight=False, soft_wrap=True)


def _dispatch(args: argparse.Namespace, console: Console) -> int:
    handler: Callable[[argparse.Namespace, Console], int] = args.handler
    return handler(args, console)


def _run_command(args: argparse.Namespace, console: Console) -> int:
    from panel.config import default_model, load_config
    from panel.inputs.loading import replaced_builtins

    if args.model is None:  # no flag: PANEL_MODEL, then the config file, then the keys set
        args.model, args.model_reason = default_model(*(args.config or load_config()))
    spec = _spec_from_inputs(args)  # the personas load (or fail) before any note
    if args.personas_dir is not None and args.personas_dir.is_dir():
        for persona in replaced_builtins(args.personas_dir):
            console.print(f"note: {args.personas_dir}/{persona}.toml replaces the built-in "
                          f"persona {persona!r}", markup=False)  # fmt: skip
    return _run(args, console, spec)


def _rerun_command(args: argparse.Namespace, console: Console) -> int:
    """One run per `-m` (sharing the response cache), each a new run folder; the worst status."""
    status = EXIT_OK
    for model in args.model or [None]:
        args.model = model
        status = max(status, _rerun_one(args, console))
        if status == EXIT_INTERRUPTED:
            break
    return status


def _rerun_one(args: argparse.Namespace, console: Console) -> int:
    """The record's own model and endpoint (unless -m), as a new run beside the one it reruns."""
    from panel.record.store import load_record
    from panel.report.run_folders import home_of

    record = load_record(args.record)
    args.out = args.out or home_of(args.record)
    return _run(args, console, _spec_from_record(record, args), kept=record.model)


def _spec_from_inputs(args: argparse.Namespace) -> PanelSpec:
    from panel.batching import batch_cache_ttl
    from panel.inputs.loading import (
        choose_personas,
        load_comparison,
        load_panel_file,
        load_personas,
    )
    from panel.inputs.prompts import PromptSet
    from panel.running.runner import PanelSpec

    panel, cards = load_comparison(args.inputs)
    wanted = panel.personas
    if args.panel:
        wanted = load_panel_file(args.panel).personas or wanted
    if args.personas is not None:
        wanted = [name.strip() for name in args.personas.split(",") if name.strip()]
    personas = choose_personas(load_personas(args.personas_dir), wanted)
    title = args.title or panel.title or " vs ".join(card.name for card in cards)
    return PanelSpec(
        title=title,
        tools=cards,
        personas=personas,
        prompts=PromptSet.from_dir(args.prompts_dir),
        max_tokens=None if args.max_tokens is None else _positive(args.max_tokens, "--max-tokens"),
        cache_ttl=batch_cache_ttl(args),
        samples=_samples(args.samples or 1),
        balance_order=args.balance_order,
    )


def _spec_from_record(record: Record, args: argparse.Namespace) -> PanelSpec:
    """The record's own cards, personas, templates and sampling settings; the run flags are
    today's."""
    from panel.batching import batch_cache_ttl
    from panel.inputs.prompts import PromptSet
    from panel.running.runner import PanelSpec

    prompts = PromptSet.from_digests(record.templates, origin=f"record {record.run_id}")
    settings = record.settings
    return PanelSpec(
        title=record.title,
        tools=record.tools,
        personas=record.personas,
        prompts=prompts,
        max_tokens=int(settings.get("max_tokens") or 0) or None,  # type: ignore[call-overload]
        # No temperature from an old record: today's models reject it (Claude since API
        # 2026-10-21, OpenAI's reasoning models), so a rerun never brings it back.
        cache_ttl=batch_cache_ttl(args),
        samples=_samples(args.samples or int(settings.get("samples", 1))),  # type: ignore[call-overload]
        balance_order=args.balance_order or bool(settings.get("balance_order", False)),
    )


MAX_SAMPLES = 50


def _samples(value: int) -> int:
    if not 1 <= value <= MAX_SAMPLES:
        raise InputError(f"--samples: must be from 1 to {MAX_SAMPLES}, not {value}")
    return value


def _positive(value: int, flag: str) -> int:
    if value < 1:
        raise InputError(f"{flag}: must be a positive number, not {value}")
    return value


def _run(
    args: argparse.Namespace, console: Console, spec: PanelSpec, kept: ModelInfo | None = None
) -> int:
    import asyncio
    from dataclasses import replace

    from panel.batching import batching, endpoint_of
    from panel.display import LiveGrid, PlainLines
    from panel.events import EventLines, run_started
    from panel.preflight import confirm_spend, dry_run, preflight
    from panel.providers.registry import choose_model, model_of_record
    from panel.record.votes import apply_votes, load_votes
    from panel.report.costing import estimate_lines
    from panel.report.output import write_run
    from panel.report.run_folders import check_out_dir, default_root, prepare
    from panel.running.response_cache import ResponseStore

    spec.check()
    votes = load_votes(args.votes) if args.votes else None  # bad input stops before any call
    if args.model or kept is None:
        choice = choose_model(
            args.model, reason=getattr(args, "model_reason", "chosen with --model")
        )
    else:
        choice = model_of_record(kept)
    if kept is not None and not args.model and not args.base_url:
        args.base_url = kept.endpoint
    provider = _provider(choice, args)
    options = _run_options(args, choice)
    if args.batch:  # every cell joins the batch at once: no slot limit, no warm-up to wait for
        provider = batching(provider, args, console, endpoint_of(choice, args.base_url))
        options = replace(options, concurrency=BATCH_CONCURRENCY, warm_up=False)
    out_root = args.out or default_root(tool.id for tool in spec.tools)
    out_root = check_out_dir(out_root, cache_dir=args.cache_dir)
    if not args.dry_run:  # a dry run writes nothing
        calls = len(spec.tools) * len(spec.personas) * spec.samples * len(spec.orders())
        prepare(out_root, cells=calls, cache_dir=args.cache_dir)
    console.print(
        f"model: {choice.provider}:{choice.model} — {provider.info.label} ({choice.reason})",
        markup=False,
    )
    for note in provider.notes(spec.shared_prefix):
        console.print(f"note: {note}", markup=False)
    store = ResponseStore(
        args.cache_dir, warn=lambda m: console.print(f"warning: {m}", markup=False)
    )
    if args.dry_run:
        return dry_run(args, spec, provider, store, options)
    estimate = preflight(args, spec, _provider(choice, args), provider.info, store, options)
    if provider.info.is_language_model:
        for line in estimate_lines(estimate, provider.info):
            console.print(line, markup=False)
    confirm_spend(args, estimate, console)
    holder: list[PanelRun] = []
    interactive = console.is_terminal and not args.quiet and not args.json
    view: LiveGrid | PlainLines | EventLines = (
        LiveGrid(
            [p.id for p in spec.personas],
            [t.id for t in spec.tools],
            console,
            spent=lambda: holder[0].progress.spent_usd if holder else 0.0,
            max_cost=args.max_cost,
        )  # fmt: skip
        if interactive
        else PlainLines()
    )
    if args.json:
        view = EventLines(run_started(spec, choice))
    try:
        with view:
            record = asyncio.run(
                _run_and_close(spec, provider, store, options, view.update, holder.append)
            )
    except KeyboardInterrupt:
        saved = holder[0].progress.saved if holder else 0
        total = holder[0].progress.total if holder else 0
        console.print(
            f"panel: interrupted; {saved} of {total} cells are saved in {args.cache_dir}/ "
            "and the same command resumes from there",
            markup=False,
        )
        return EXIT_INTERRUPTED
    record = record.model_copy(update={"estimate": estimate})
    written = write_run(out_root, apply_votes(record, votes) if votes else record)
    if isinstance(view, EventLines):
        view.finished(record, str(written))
    _report(console, record, written, holder[0] if holder else None)
    return EXIT_OK if record.complete else EXIT_INCOMPLETE


async def _run_and_close(
    spec: PanelSpec,
    provider: Provider,
    store: ResponseStore,
    options: RunOptions,
    on_update: Callable[[CellUpdate], None],
    on_run: Callable[[PanelRun], None],
) -> Record:
    from panel.running.runner import run_panel

    try:
        return await run_panel(spec, provider, store, options, on_update=on_update, on_run=on_run)
    finally:
        await provider.aclose()


def _provider(choice: ModelChoice, args: argparse.Namespace) -> Provider:
    from panel.providers.registry import build_provider

    return build_provider(
        choice,
        base_url=args.base_url,
        offline_delay=max(0.0, args.offline_delay),
        cache_retention=args.cache_retention,
        compat=args.compat,
    )


def _run_options(args: argparse.Namespace, choice: ModelChoice) -> RunOptions:
    from panel.providers.pricing import price_for
    from panel.running.orchestrator import RunOptions

    if args.max_cost is not None:
        if not args.max_cost > 0:
            raise InputError(
                f"--max-cost: must be a positive number of dollars, not {args.max_cost}"
            )
        if price_for(choice.provider, choice.model) is None:
            raise InputError(
                f"--max-cost: no known price for {choice.provider}:{choice.model}, so no limit "
                "can be kept"
            )
    return RunOptions(
        concurrency=_positive(args.concurrency, "--concurrency"),
        warm_up=not args.no_warm_up,
        refresh=args.refresh,
        max_cost=args.max_cost,
    )


def _budget_stop(record: Record, run: PanelRun) -> str:
    """Where the spending limit stopped the run, and how to go on."""
    progress, limit = run.progress, run.options.max_cost or 0.0
    waiting = sum(1 for cell in record.cells if cell.status == "skipped")
    return (
        f"stopped at the spending limit of ${limit:.2f}: ${progress.spent_usd:.4f} spent, "
        f"{waiting} cell{'s' if waiting != 1 else ''} not started (from {progress.stopped_at}); "
        "run the same command again to do the rest (finished cells come from the response cache)"
    )


def _report(console: Console, record: Record, out_dir: Path, run: PanelRun | None) -> None:
    from panel.display import summary_table, totals_lines
    from panel.report.costing import actual_line
    from panel.report.figures import statistics_lines

    console.print(summary_table(record))
    for line in [*totals_lines(record), *statistics_lines(record)]:
        console.print(line, markup=False)
    spent = actual_line(record)
    if spent:
        console.print(spent, markup=False)
    if run and run.progress.budget_hit:
        console.print(_budget_stop(record, run), markup=False)
    for cell in record.cells:
        if cell.status != "ok":
            console.print(
                f"cell {cell.persona} × {cell.tool}: {cell.status}: {cell.error}", markup=False
            )
    if not record.complete:
        console.print(
            "panel incomplete: rerun the same command to retry only the missing cells", markup=False
        )
    console.print(f"wrote {out_dir}/record.json, panel.md, panel.html", markup=False)
    console.print(f"latest: {out_dir.parent / 'latest'} -> {out_dir.name}", markup=False)


def _personas(args: argparse.Namespace, console: Console) -> int:
    from panel.inputs.loading import load_personas

    for persona in load_personas(args.personas_dir).values():
        marker = "default" if persona.default_panel else "optional"
        out(f"{persona.id} — {persona.name} ({persona.lens}; {marker})")
        for beat in persona.beats:
            out(f"    {beat.id}: {beat.label}")
    return EXIT_OK


def _schema(args: argparse.Namespace, console: Console) -> int:
    from panel.inputs.loading import load_personas
    from panel.inputs.schema import default_schemas, persona_schema, record_schema, schema_text

    if args.write is not None:
        for name, schema in default_schemas(load_personas(args.personas_dir)).items():
            args.write.mkdir(parents=True, exist_ok=True)
            (args.write / name).write_text(schema_text(schema), encoding="utf-8")
            print(args.write / name)
        return EXIT_OK
    if args.record or (args.persona is None and not args.wire):
        if args.persona is not None or args.wire:
            raise InputError("--record: give it alone, not with --persona or --wire")
        schema = record_schema()
    else:
        personas = load_personas(args.personas_dir)
        if args.persona is not None and args.persona not in personas:
            raise InputError(
                f"--persona: unknown persona {args.persona!r} (known: "
                f"{', '.join(sorted(personas))})"
            )
        chosen = [personas[args.persona]] if args.persona else list(personas.values())
        wire = _checked_wire_schema(chosen)
        if args.wire:  # in the order sent: strict modes read the keys in order
            print(json.dumps(wire, indent=2, ensure_ascii=False))
            return EXIT_OK
        schema = persona_schema(chosen[0])
    print(schema_text(schema), end="")
    return EXIT_OK


def _checked_wire_schema(personas: list[Persona]) -> dict[str, Any]:
    """The schema these personas send, refused with its first problem's JSON path if either
    provider's strict mode would reject it."""
    from panel.inputs.schema import strict_problems, wire_schema

    schema = wire_schema(personas, ["tool-a", "tool-b"])
    problems = strict_problems(schema)
    if problems:
        more = f" (and {len(problems) - 1} more; see panel validate)" if len(problems) > 1 else ""
        raise InputError(f"wire schema: {problems[0]}{more}")
    return schema


if __name__ == "__main__":
    sys.exit(main())
