"""`panel run` and `panel rerun`: inputs to a spec, the model, the pre-flight, the live view,
the run itself and the record written."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel.cli.terminal import shown_path
from panel.errors import InputError, refuse_secret

# Imported by the parser on every start: the run machinery is imported inside the functions.
if TYPE_CHECKING:
    from rich.console import Console

    from panel.models import CostEstimate, ModelInfo, Record
    from panel.providers.base import Provider
    from panel.providers.registry import ModelChoice
    from panel.running.orchestrator import CellUpdate, PanelRun, RunOptions
    from panel.running.response_cache import ResponseStore
    from panel.running.spec import PanelSpec

EXIT_OK, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 130
BATCH_CONCURRENCY = 100_000


def run_command(args: argparse.Namespace, console: Console) -> int:
    from panel.cli.sources import named_sources

    with named_sources(args):  # a value from panel.toml is named as its key there
        return _run_command(args, console)


def _run_command(args: argparse.Namespace, console: Console) -> int:
    from panel.config import default_model, load_config, model_origin
    from panel.inputs.loading import replaced_builtins
    from panel.providers.registry import choose_model

    if args.model is None:  # no flag: PANEL_MODEL, then the config file, then the keys set
        config = args.config or load_config()
        args.model, args.model_reason = default_model(*config)
        args.model_source = model_origin(*config)
    if args.model is not None:  # checked before the inputs, naming where it came from
        choose_model(args.model, source=getattr(args, "model_source", "--model"))
    spec = _spec_from_inputs(args)  # the personas load (or fail) before any note
    if args.personas_dir is not None and args.personas_dir.is_dir():
        for persona in replaced_builtins(args.personas_dir):
            shown = shown_path(args.personas_dir / f"{persona}.toml")
            console.print(f"note: {shown} replaces the built-in "
                          f"persona {persona!r}", markup=False)  # fmt: skip
    return _run(args, console, spec)


def rerun_command(args: argparse.Namespace, console: Console) -> int:
    """One run per `-m` (sharing the response cache), each a new run folder; the worst status.

    Every `-m` is checked before the first run starts: a bad second model must not leave the
    first run written and the command half done."""
    from panel.cli.sources import named_sources

    status = EXIT_OK
    with named_sources(args):
        _check_models(args)
        for model in args.model or [None]:
            args.model = model
            status = max(status, _rerun_one(args, console))
            if status == EXIT_INTERRUPTED:
                break
    return status


def _check_models(args: argparse.Namespace) -> None:
    """Each `-m` names a model panel can call, with a price if --max-cost asks for one, and a
    usable base URL for its provider."""
    from panel.providers.registry import checked_base_url, choose_model

    for model in args.model or []:
        choice = choose_model(model)
        _run_options(args, choice)
        checked_base_url(choice.provider, args.base_url)


def _rerun_one(args: argparse.Namespace, console: Console) -> int:
    """The record's own model and endpoint (unless -m), as a new run beside the one it reruns."""
    from panel.record.store import load_record
    from panel.report.run_folders import home_of

    record = load_record(args.record)
    args.out = args.out or home_of(args.record)
    return _run(args, console, _spec_from_record(record, args), kept=record.model)


def _spec_from_inputs(args: argparse.Namespace) -> PanelSpec:
    from panel.cli.batches import batch_cache_ttl
    from panel.inputs.loading import (
        choose_personas,
        load_comparison,
        load_panel_file,
        load_personas,
    )
    from panel.inputs.prompts import PromptSet
    from panel.running.spec import PanelSpec

    panel, cards = load_comparison(args.inputs)
    wanted = panel.personas
    if args.panel:
        wanted = load_panel_file(args.panel).personas or wanted
    if args.personas is not None:
        wanted = [name.strip() for name in args.personas.split(",") if name.strip()]
    personas = choose_personas(load_personas(args.personas_dir), wanted)
    title = args.title and refuse_secret(args.title, "--title")
    title = title or panel.title or " vs ".join(card.name for card in cards)
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
    from panel.cli.batches import batch_cache_ttl
    from panel.inputs.prompts import PromptSet
    from panel.running.spec import PanelSpec

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
    from dataclasses import replace

    from panel.cli.batches import batching, endpoint_of
    from panel.cli.run_inputs import kept_inputs, run_inputs
    from panel.providers.registry import choose_grader, choose_model, model_of_record
    from panel.record.votes import load_votes, votes_for_none
    from panel.report.run_folders import (
        check_apart,
        check_out_dir,
        check_room,
        default_root,
        prepare,
    )

    spec.check()
    if spec.balance_order and len(spec.tools) == 1:
        console.print(
            "note: --balance-order: one tool has no order to balance; each cell is asked once",
            markup=False,
        )
        spec = replace(spec, balance_order=False)
        args.balance_order = False  # a rerun with several models says it once
    votes = load_votes(args.votes) if args.votes else None  # bad input stops before any call
    tools = [tool.id for tool in spec.tools]
    unused = votes_for_none(shown_path(args.votes), votes, tools) if votes else None
    if unused:
        console.print(f"warning: {unused}", markup=False)
    if args.model or kept is None:
        choice = choose_model(
            args.model,
            reason=getattr(args, "model_reason", "chosen with --model"),
            source=getattr(args, "model_source", "--model"),
        )
    else:
        choice = model_of_record(kept)
    if kept is not None and not args.model and not args.base_url:
        args.base_url = kept.endpoint
    spec = spec.with_grader(choose_grader(args.grader, choice))
    spec.check_grader()
    provider = _provider(choice, args)
    options = _run_options(args, choice)
    if args.batch:  # every cell joins the batch at once: no slot limit, no warm-up to wait for
        provider = batching(provider, args, console, endpoint_of(choice, args.base_url))
        options = replace(options, concurrency=BATCH_CONCURRENCY, warm_up=False)
    out_root = args.out or default_root(tool.id for tool in spec.tools)
    out_root = check_out_dir(out_root, cache_dir=args.cache_dir)
    check_apart(out_root, run_inputs(args), source=f"--out {out_root}", may_hold=kept_inputs(args))
    calls = len(spec.tools) * len(spec.personas) * spec.samples * len(spec.orders())
    if not args.dry_run:  # a dry run writes nothing; the group is made once the spend is agreed
        check_room(out_root, cells=calls, cache_dir=args.cache_dir)
    grader = f"; grader {spec.grader} (--grader none turns it off)" if spec.grader else ""
    console.print(
        f"model: {choice.provider}:{choice.model} — {provider.info.label} ({choice.reason})"
        + grader,
        markup=False,
    )
    for note in provider.notes(spec.shared_prefix):
        console.print(f"note: {note}", markup=False)
    # The first line is out: now the run machinery (the display, the pages, the estimate).
    import asyncio

    from panel.cli.display import LiveGrid, PlainLines
    from panel.cli.events import EventLines, run_started
    from panel.cli.preflight import confirm_spend, dry_run, estimate_beside, quick_estimate
    from panel.record.votes import apply_votes
    from panel.report.costing import estimate_lines
    from panel.running.response_cache import ResponseStore

    store = ResponseStore(
        args.cache_dir, warn=lambda m: console.print(f"warning: {m}", markup=False)
    )
    if args.dry_run:
        return dry_run(args, spec, provider, store, options)
    # The --max-cost question needs only the worst case, known without counting; the counted
    # estimate is made beside the run (the warm-up call does not wait for it) and shown when known.
    if args.max_cost is not None:  # the question needs the worst case; nothing else does
        confirm_spend(args, quick_estimate(spec, provider, store, options), console)
    # Only now is anything written: a refused spend or a bad value leaves no folder behind.
    prepare(out_root, cells=calls, cache_dir=args.cache_dir)

    def show(estimate: CostEstimate) -> None:
        if provider.info.is_language_model:
            for line in estimate_lines(estimate, provider.info):
                console.print(line, markup=False)

    counting = _provider(choice, args)
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
            record, estimate = asyncio.run(
                _run_beside_estimate(
                    spec, provider, store, options, view.update, holder.append,
                    estimate=estimate_beside(spec, counting, provider.info, store, options, show),
                )
            )  # fmt: skip
    except KeyboardInterrupt:
        saved = holder[0].progress.saved if holder else 0
        total = holder[0].progress.total if holder else 0
        console.print(
            f"panel: interrupted; {saved} of {total} cells are saved in {args.cache_dir}/ "
            "and the same command resumes from there",
            markup=False,
        )
        return EXIT_INTERRUPTED
    from panel.report.output import write_run  # the pages' machinery, after the run's requests

    record = record.model_copy(update={"estimate": estimate})
    written = write_run(out_root, apply_votes(record, votes) if votes else record)
    if isinstance(view, EventLines):
        view.finished(record, str(written))
    _report(console, record, written, holder[0] if holder else None)
    return EXIT_OK if record.complete else EXIT_INCOMPLETE


async def _run_beside_estimate(
    spec: PanelSpec,
    provider: Provider,
    store: ResponseStore,
    options: RunOptions,
    on_update: Callable[[CellUpdate], None],
    on_run: Callable[[PanelRun], None],
    *,
    estimate: Coroutine[Any, Any, CostEstimate],
) -> tuple[Record, CostEstimate]:
    """The run, and its estimate counted at the same time; the provider closed after both."""
    import asyncio

    from panel.running.runner import run_panel

    counted = asyncio.ensure_future(estimate)
    try:
        record = await run_panel(spec, provider, store, options, on_update=on_update, on_run=on_run)
    except BaseException:
        counted.cancel()
        raise
    finally:
        await provider.aclose()
    return record, await counted


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
    from panel.running.spec import RunOptions

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
    from panel.cli.display import not_ok_lines, summary_table, totals_lines
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
    for line in not_ok_lines(record):
        console.print(line, markup=False)
    if not record.complete:
        console.print(
            "panel incomplete: rerun the same command to retry only the missing cells", markup=False
        )
    wrote = shown_path(out_dir / "record.json")
    console.print(f"wrote {wrote}, panel.md, panel.html", markup=False)
    latest = f"{shown_path(out_dir.parent / 'latest')} -> {shown_path(out_dir.name)}"
    console.print(f"latest: {latest}", markup=False)
