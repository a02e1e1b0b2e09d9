"""Running the cells of a panel concurrently, under a limit, losing nothing.

Order of work for each cell: the response cache (a hit costs nothing and
needs no slot), the warm-up gate, a concurrency slot, the spending limit
(`panel.running.budget`: what the cell likely costs reserved before it starts),
then the provider. The gate (`panel.running.warm_up`) exists because a
provider's prompt-cache entry becomes readable only once the first response
that writes it has begun: the first cell that must call the model goes
alone, and the others follow as soon as its first streamed event arrives.
A failing cell is recorded with its reason and never stops the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from panel.errors import CellFailure, PanelError, ProviderError
from panel.inputs.prompts import PromptSet
from panel.models import (
    CachedCell,
    CellResult,
    Cost,
    Grading,
    Persona,
    ToolCard,
    Usage,
    VerdictBase,
)
from panel.providers.base import Provider, StructuredRequest
from panel.providers.pricing import cost_of
from panel.running.budget import (
    Budget,
    BudgetedCell,
    PrefixPrice,
    StoppedAtLimit,
    worst_case,
)
from panel.running.checks import Checked
from panel.running.grader import (
    CACHED_CELL_FLAG_STARTS,
    CellGrader,
    Grader,
    cached_cell_flags,
    needs_grading,
)
from panel.running.response_cache import KeyParts, ResponseStore, cell_key
from panel.running.spec import RunOptions
from panel.running.structured import Check, stream_verdict
from panel.running.warm_up import WarmUpGate
from panel.secrets import redact

__all__ = ["CellPlan", "CellUpdate", "PanelRun", "Progress", "RunOptions", "plan_cell"]

CellState = Literal["waiting", "running", "streaming", "done", "failed", "cached", "skipped"]


@dataclass(frozen=True)
class CellPlan:
    persona: Persona
    tool: ToolCard
    request: StructuredRequest
    model: type[VerdictBase]
    key: str
    check: Check | None = None  # reads the words of a validated verdict (running.checks)
    grader: Grader | None = None  # the model-graded check after the rules (running.grader)


@dataclass(frozen=True)
class CellUpdate:
    persona: str
    tool: str
    state: CellState
    fields: dict[str, Any] = field(default_factory=dict)
    result: CellResult | None = None


# A cell not sent because another met an error every call would meet; what follows is that error.
NOT_SENT = "not sent, as every call would fail alike: "


@dataclass
class Progress:
    """What has been done so far; the CLI reads it when a run is interrupted."""

    total: int = 0
    saved: int = 0
    spent_usd: float = 0.0  # as the budget counts it: settled calls, failed-but-billed included
    budget_hit: bool = False
    stopped_at: str | None = None  # the first cell the spending limit did not start
    refused: str | None = None  # an error every call would meet (a key, an account, a model)


def plan_cell(
    provider: Provider,
    request: StructuredRequest,
    model: type[VerdictBase],
    templates_digest: str,
    check: Check | None = None,
    grader: Grader | None = None,
    parts: KeyParts | None = None,
) -> CellPlan:
    # The grader is not part of the key: a cached verdict is graded when served (never re-asked),
    # so turning the grader on or changing it never pays for a cell twice.
    key = cell_key(provider.info, request, templates_digest, parts)
    return CellPlan(
        persona=request.persona,
        tool=request.tool,
        request=request,
        model=model,
        key=key,
        check=check,
        grader=grader,
    )


class PanelRun:
    def __init__(
        self,
        provider: Provider,
        prompts: PromptSet,
        store: ResponseStore,
        options: RunOptions,
        on_update: Callable[[CellUpdate], None] = lambda update: None,
    ) -> None:
        self.provider = provider
        self.prompts = prompts
        self.store = store
        self.options = options
        self.on_update = on_update
        self.progress = Progress()
        self._slots = asyncio.Semaphore(max(1, options.concurrency))
        # One gate per shared prefix: with --balance-order the reversed prefix warms up on its own.
        self._gates: dict[str, WarmUpGate] = {}
        self.budget = Budget(options.max_cost)

    async def run(self, plans: list[CellPlan]) -> list[CellResult]:
        self.progress.total = len(plans)
        hits = {plan.key: self._cached(plan) for plan in plans}
        for plan in plans:
            self.on_update(CellUpdate(plan.persona.id, plan.tool.id, "waiting"))
        return list(await asyncio.gather(*(self._run_cell(plan, hits[plan.key]) for plan in plans)))

    def _gate(self, plan: CellPlan) -> WarmUpGate:
        prefix = plan.request.system
        if prefix not in self._gates:
            self._gates[prefix] = WarmUpGate(enabled=self.options.warm_up)
        return self._gates[prefix]

    def _cached(self, plan: CellPlan) -> CachedCell | None:
        if self.options.refresh:
            return None
        return self.store.get(plan.key, plan.model, plan.request.cell)

    async def _run_cell(self, plan: CellPlan, hit: CachedCell | None) -> CellResult:
        if hit is not None:
            graded_now = plan.grader is not None and needs_grading(plan.grader, hit.grader)
            if plan.grader is not None and graded_now:
                hit = await self._grade_cached(plan, plan.grader, hit)
            result = self._result(plan, hit, from_cache=True)
            if graded_now and result.grader is not None:
                grading = result.grader.model_copy(update={"graded_now": True})
                result = result.model_copy(update={"grader": grading})
            self.progress.saved += 1
            self.on_update(CellUpdate(plan.persona.id, plan.tool.id, "cached", hit.verdict, result))
            return result
        warm_up = await self._gate(plan).enter()
        try:
            return await self._call(plan, warm_up)
        finally:
            if warm_up:
                self._gate(plan).leave()

    async def _grade_cached(self, plan: CellPlan, grader: Grader, hit: CachedCell) -> CachedCell:
        """A cached verdict this grader has not read: graded (never re-asked), and kept so."""
        verdict = plan.model.model_validate(hit.verdict)
        if (plan.check(verdict) if plan.check else Checked()).agrees:
            return hit  # the rules find its call: nothing for a grader to read
        request = grader.request(plan.request, verdict)
        async with self._slots:
            reservation = await self.budget.reserve(worst_case(self.provider.info, request, "read"))
            if reservation is None:
                grading = Grading(
                    model=grader.model, error="not graded: the spending limit is reached"
                )
            else:
                budgeted = BudgetedCell(self.provider, self.budget, reservation, "read")
                grade = CellGrader(grader, budgeted, plan.request, self.store, self.options.refresh)
                grading = await grade(verdict)
        flags = [f for f in hit.flags if not f.startswith(CACHED_CELL_FLAG_STARTS)]
        graded = hit.model_copy(
            update={"grader": grading, "flags": [*flags, *cached_cell_flags(grading, verdict)]}
        )
        await asyncio.to_thread(self.store.put, graded)
        self.progress.spent_usd = self.budget.spent
        return graded

    async def _call(self, plan: CellPlan, warm_up: bool) -> CellResult:
        persona, tool = plan.persona.id, plan.tool.id
        async with self._slots:
            # The warm-up writes the prefix, later cells read it; without a warm-up any may write.
            prefix: PrefixPrice = "write" if warm_up or not self.options.warm_up else "read"

            def likely() -> float:  # asked again after each wait: the budget learns meanwhile
                return self.budget.likely(self.provider.info, plan.request, prefix)

            if self.progress.refused is not None:
                return self._not_sent(plan, self.progress.refused)
            reservation = await self.budget.reserve(likely)
            if reservation is None:
                return self._skipped(plan, likely())
            self.on_update(CellUpdate(persona, tool, "running"))
            budgeted = BudgetedCell(self.provider, self.budget, reservation, prefix)
            grade = (
                CellGrader(plan.grader, budgeted, plan.request, self.store, self.options.refresh)
                if plan.grader
                else None
            )
            try:
                outcome = await stream_verdict(
                    budgeted,
                    plan.request,
                    plan.model,
                    self.prompts,
                    on_partial=lambda fields: self.on_update(
                        CellUpdate(persona, tool, "streaming", fields)
                    ),
                    on_started=self._gate(plan).opened if warm_up else None,
                    check=plan.check,
                    grade=grade,
                )
            except StoppedAtLimit as exc:  # billed for what it streamed, counted
                self._budget_stop(plan)
                return self._failed(plan, str(exc), exc.usage)
            except CellFailure as exc:
                return self._failed(
                    plan, str(exc), exc.usage, status=exc.cell_status, grading=_graded(grade)
                )
            except ProviderError as exc:  # what its calls were billed is counted
                if exc.every_call and self.progress.refused is None:
                    self.progress.refused = str(exc)
                return self._failed(plan, str(exc), exc.usage, grading=_graded(grade))
            except PanelError as exc:
                return self._failed(plan, str(exc), grading=_graded(grade))
            except Exception as exc:  # noqa: BLE001 - one cell's bug must not sink the panel
                return self._failed(
                    plan, f"cell {plan.request.cell}: internal error: {type(exc).__name__}: {exc}"
                )
        entry = CachedCell(
            key=plan.key,
            provider=self.provider.info.provider,
            model=self.provider.info.model,
            endpoint=self.provider.info.endpoint,
            cell=plan.request.cell,
            persona=plan.persona,
            verdict=outcome.verdict.model_dump(mode="json"),
            usage=outcome.usage,
            attempts=outcome.attempts,
            seconds_to_verdict=outcome.seconds_to_verdict,
            seconds_total=outcome.seconds_total,
            flags=outcome.flags,
            grader=outcome.grading,
        )
        # Off the event loop: an fsync per cell would otherwise hold every stream in flight.
        await asyncio.to_thread(self.store.put, entry)
        self.progress.saved += 1
        self.progress.spent_usd = self.budget.spent
        result = self._result(plan, entry, from_cache=False)
        self.on_update(CellUpdate(persona, tool, "done", entry.verdict, result))
        return result

    def _budget_stop(self, plan: CellPlan) -> None:
        self.progress.budget_hit = True
        if self.progress.stopped_at is None:
            self.progress.stopped_at = plan.request.cell

    def _skipped(self, plan: CellPlan, likely: float) -> CellResult:
        """Not started: the budget left cannot cover what this cell likely costs."""
        self._budget_stop(plan)
        limit, spent = self.budget.limit or 0.0, self.budget.spent
        return self._skip(
            plan,
            f"not started: the spending limit of ${limit:.2f} cannot cover its likely cost "
            f"(${likely:.4f}) after ${spent:.4f} spent",
        )

    def _not_sent(self, plan: CellPlan, refused: str) -> CellResult:
        """Not sent: another cell met an error every call of the run would meet."""
        return self._skip(plan, redact(f"{NOT_SENT}{refused}"))

    def _skip(self, plan: CellPlan, why: str) -> CellResult:
        result = CellResult(persona=plan.persona.id, tool=plan.tool.id, status="skipped", error=why)
        self.on_update(CellUpdate(plan.persona.id, plan.tool.id, "skipped", result=result))
        return result

    def _failed(
        self,
        plan: CellPlan,
        reason: str,
        usage: Usage | None = None,
        status: Literal["failed", "refused"] = "failed",
        grading: Grading | None = None,
    ) -> CellResult:
        usage = usage or Usage()
        cost = self._cost(plan, usage)
        self.progress.spent_usd = self.budget.spent
        result = CellResult(
            persona=plan.persona.id,
            tool=plan.tool.id,
            status=status,
            error=redact(reason),  # an unexpected exception's text is not a PanelError's
            usage=usage,
            cost=cost,
            batch=self.provider.info.batch,
            grader=grading,  # a failed cell's grader calls were paid too
        )
        self.on_update(CellUpdate(plan.persona.id, plan.tool.id, "failed", result=result))
        return result

    def _cost(self, plan: CellPlan, usage: Usage) -> Cost | None:
        info = self.provider.info
        return cost_of(
            info.provider, info.model, usage, cache_ttl=plan.request.cache_ttl, batch=info.batch
        )

    def _result(self, plan: CellPlan, entry: CachedCell, *, from_cache: bool) -> CellResult:
        return CellResult(
            persona=plan.persona.id,
            tool=plan.tool.id,
            status="ok",
            verdict=entry.verdict,
            usage=entry.usage,
            cost=self._cost(plan, entry.usage),
            from_cache=from_cache,
            attempts=entry.attempts,
            seconds_to_verdict=entry.seconds_to_verdict,
            seconds_total=entry.seconds_total,
            flags=entry.flags,
            batch=self.provider.info.batch and not from_cache,
            grader=entry.grader,
        )


def _graded(grade: CellGrader | None) -> Grading | None:
    return grade.grading if grade is not None else None
