"""Before the first paid call: the run's cost estimated, --dry-run, and the --max-cost question."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable

from rich.console import Console

from panel.cli.terminal import out
from panel.errors import InputError
from panel.models import CostEstimate, ModelInfo
from panel.providers.base import Provider
from panel.providers.pricing import BATCH_DISCOUNT
from panel.report.costing import estimate_lines
from panel.running.estimate import APPROXIMATED, approximate, estimate_cost, estimate_panel
from panel.running.orchestrator import CellPlan, RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import PanelSpec, plan_cells

EXIT_OK = 0


def dry_run(
    args: argparse.Namespace,
    spec: PanelSpec,
    provider: Provider,
    store: ResponseStore,
    options: RunOptions,
) -> int:
    """The run's plan priced: every prompt rendered and counted, and no model call."""
    estimate = asyncio.run(_estimate_and_close(spec, provider, store, options))
    if args.json:
        model = f"{provider.info.provider}:{provider.info.model}"
        print(json.dumps({"model": model, **estimate.model_dump(mode="json")}, indent=2))
    else:
        for line in estimate_lines(estimate, provider.info):
            out(line)
        out("dry run: no model was called and nothing was written")
    return EXIT_OK


async def _estimate_and_close(
    spec: PanelSpec, provider: Provider, store: ResponseStore, options: RunOptions
) -> CostEstimate:
    try:
        plans = plan_cells(spec, provider)
        cached = _served_from_cache(plans, store, options)
        return await estimate_panel(
            provider, plans, cached, warm_up=options.warm_up, concurrency=options.concurrency
        )
    finally:
        await provider.aclose()


def _served_from_cache(
    plans: list[CellPlan], store: ResponseStore, options: RunOptions
) -> set[str]:
    """The cells the run will take from the response cache: an entry whose verdict the persona's
    schema refuses is asked again, so it is a call to pay for, not a cached cell."""
    if options.refresh:
        return set()
    return {plan.key for plan in plans if store.get(plan.key, plan.model, quiet=True)}


def quick_estimate(
    spec: PanelSpec, provider: Provider, store: ResponseStore, options: RunOptions
) -> CostEstimate:
    """The estimate with input approximated, no request sent: enough for the --max-cost question
    (the worst case counts input generously either way) before the first paid call."""
    plans = plan_cells(spec, provider)
    cached = _served_from_cache(plans, store, options)
    tokens = {plan.key: approximate(plan.request) for plan in plans if plan.key not in cached}
    estimate = estimate_cost(
        provider, plans, tokens, APPROXIMATED, cached=cached, warm_up=options.warm_up,
        concurrency=options.concurrency,
    )  # fmt: skip
    return estimate.model_copy(update=_batch_estimate(estimate, provider.info))


async def estimate_beside(
    spec: PanelSpec,
    counting: Provider,
    info: ModelInfo,
    store: ResponseStore,
    options: RunOptions,
    on_estimate: Callable[[CostEstimate], None],
) -> CostEstimate:
    """The estimate a paid run records, its tokens counted while the run goes on (the warm-up is
    not held back by it); `on_estimate` shows it once known. `counting` is closed after use."""
    estimate = await _estimate_and_close(spec, counting, store, options)
    estimate = estimate.model_copy(update=_batch_estimate(estimate, info))
    on_estimate(estimate)
    return estimate


def _batch_estimate(estimate: CostEstimate, info: ModelInfo) -> dict[str, object]:
    """Batch APIs bill half; the estimate was priced on the plain provider."""
    if not info.batch:
        return {}
    halve = {"estimated_cost_usd", "worst_case_cost_usd"}
    return {
        name: round(value * BATCH_DISCOUNT, 6)
        for name, value in estimate.model_dump().items()
        if name in halve and value is not None
    }


def confirm_spend(args: argparse.Namespace, estimate: CostEstimate, console: Console) -> None:
    """A --max-cost below the worst case may stop the run part-way: say so before paying."""
    worst = estimate.worst_case_cost_usd
    if args.max_cost is None or worst is None or worst <= args.max_cost or not estimate.calls:
        return
    question = (
        f"--max-cost ${args.max_cost:.2f} is below this run's worst case of ${worst:.4f}: "
        "the limit may stop it part-way"
    )
    if args.yes:
        console.print(f"note: {question}; going ahead (--yes)", markup=False)
        return
    if not sys.stdin.isatty():
        raise InputError(f"{question}; pass --yes to run anyway")
    if input(f"{question}. Run anyway? [y/N] ").strip().lower() not in ("y", "yes"):
        raise InputError("stopped before the first paid call")
