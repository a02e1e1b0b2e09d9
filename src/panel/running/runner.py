"""A whole panel: plan the cells, run them, and assemble the comparison record."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from panel.inputs.schema import verdict_model, wire_schema
from panel.models import CellResult, Record, ToolOrder, Totals
from panel.providers.base import Provider, StructuredRequest
from panel.record.aggregate import aggregate, cell_totals
from panel.record.consensus import panel_statistics
from panel.running.checks import ReviewCheck
from panel.running.grader import Grader
from panel.running.orchestrator import CellPlan, CellUpdate, PanelRun, RunOptions, plan_cell
from panel.running.response_cache import KeyParts, ResponseStore
from panel.running.spec import PanelSpec

__all__ = ["PanelSpec", "build_record", "plan_cells", "run_panel", "totals"]


def plan_cells(spec: PanelSpec, provider: Provider) -> list[CellPlan]:
    """Persona by persona, tool by tool (the reference pages' interleaved order), each sample in
    turn; with --balance-order, every cell again with the tools reversed. Planned once per spec
    and model: the estimate and the run share the plans."""
    who = provider.info.model_dump_json()
    if who not in spec._plans:
        spec._plans[who] = _plan_cells(spec, provider)
    return list(spec._plans[who])


def _plan_cells(spec: PanelSpec, provider: Provider) -> list[CellPlan]:
    tool_ids = [tool.id for tool in spec.tools]
    schema, templates = wire_schema(spec.personas, tool_ids), spec.prompts.combined_digest()
    grader = Grader(spec.grader, spec.prompts) if spec.grader else None
    parts = KeyParts()  # the schema, each persona and each card encoded once for every key
    spec.render_cell_prompts()  # together: one hand-off to the bounded renderer
    plans = []
    for order in spec.orders():
        for persona in spec.personas:
            for tool in spec.tools:
                for sample in range(spec.samples):
                    request = StructuredRequest(
                        cell=_cell_label(spec, persona.id, tool.id, sample, order),
                        system=spec.prefix(order),
                        prompt=spec.cell_prompt(persona, tool),
                        schema=schema,
                        persona=persona,
                        tool=tool,
                        panel_key=spec.panel_key(order),
                        max_tokens=spec.output_limit,
                        temperature=spec.temperature,
                        cache_ttl=spec.cache_ttl,
                        sample=sample,
                        order=order,
                    )
                    model = verdict_model(persona, tool_ids)
                    rivals = tuple(other.name for other in spec.tools if other.id != tool.id)
                    check = ReviewCheck(tool, rivals)
                    plans.append(
                        plan_cell(provider, request, model, templates, check, grader, parts)
                    )
    return plans


def _cell_label(spec: PanelSpec, persona: str, tool: str, sample: int, order: ToolOrder) -> str:
    label = f"{persona} × {tool}"
    if spec.samples > 1:
        label += f" #{sample + 1}"
    return label + (" (tools reversed)" if order == "reversed" else "")


async def run_panel(
    spec: PanelSpec,
    provider: Provider,
    store: ResponseStore,
    options: RunOptions,
    *,
    on_update: Callable[[CellUpdate], None] = lambda update: None,
    on_run: Callable[[PanelRun], None] = lambda run: None,
) -> Record:
    plans = plan_cells(spec, provider)
    run = PanelRun(provider, spec.prompts, store, options, on_update)
    on_run(run)
    started = time.perf_counter()
    results = await run.run(plans)
    wall = time.perf_counter() - started
    cells = [
        cell.model_copy(update={"sample": plan.request.sample, "order": plan.request.order})
        for plan, cell in zip(plans, results, strict=True)
    ]
    return build_record(spec, provider, cells, wall_seconds=wall, settings=_settings(spec, options))


def _settings(spec: PanelSpec, options: RunOptions) -> dict[str, object]:
    return {
        "max_tokens": spec.output_limit,
        "temperature": spec.temperature,
        "cache_ttl": spec.cache_ttl,
        "concurrency": options.concurrency,
        "warm_up": options.warm_up,
        "max_cost": options.max_cost,
        "samples": spec.samples,
        "balance_order": spec.balance_order,
        "grader": spec.grader,
    }


def build_record(
    spec: PanelSpec,
    provider: Provider,
    cells: list[CellResult],
    *,
    wall_seconds: float,
    settings: dict[str, object],
) -> Record:
    tool_ids = [tool.id for tool in spec.tools]
    persona_ids = [persona.id for persona in spec.personas]
    return Record(
        run_id=uuid.uuid4().hex[:12],
        created_at=datetime.now(UTC),
        title=spec.title,
        model=provider.info,
        settings=settings,
        tools=spec.tools,
        personas=spec.personas,
        templates=spec.prompts.digests(),
        cells=cells,
        aggregates=aggregate(
            tool_ids,
            persona_ids,
            cells,
            {tool.id: tool.name for tool in spec.tools},
            {persona.id: persona.name for persona in spec.personas},
        ),
        totals=totals(cells, wall_seconds),
        community_votes={tool: None for tool in tool_ids},
        complete=all(cell.status == "ok" for cell in cells),
        statistics=panel_statistics(
            tool_ids,
            persona_ids,
            cells,
            samples=spec.samples,
            balance_order=spec.balance_order,
        ),
    )


def totals(cells: list[CellResult], wall_seconds: float) -> Totals:
    # In panel.record: a record read back from disk recomputes its totals the same way.
    return cell_totals(cells, wall_seconds)
