from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from panel.errors import ProviderError
from panel.inputs.loading import choose_personas
from panel.inputs.prompts import PromptSet
from panel.models import Persona, ToolCard, Usage
from panel.providers.base import Event, StructuredRequest
from panel.running.orchestrator import PanelRun, RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import plan_cells, run_panel
from tests.helpers import ScriptedProvider, chunks, good_reply, run, spec_for


def _good(request: StructuredRequest, n: int) -> list[str]:
    return chunks(json.dumps(good_reply(request)), 40)


def test_one_failing_cell_does_not_sink_the_panel(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    def script(request: StructuredRequest, n: int) -> list[str] | BaseException:
        if request.cell == "skeptic × modal-gpu-inference":
            return ProviderError(
                f"cell {request.cell}: Anthropic API 400 invalid_request_error: nope"
            )
        return _good(request, n)

    spec = spec_for(choose_personas(personas, None), cards)
    record = run(run_panel(spec, ScriptedProvider(script), ResponseStore(tmp_path), RunOptions()))
    failed = [c for c in record.cells if c.status == "failed"]
    assert [(c.persona, c.tool) for c in failed] == [("skeptic", "modal-gpu-inference")]
    assert "400 invalid_request_error" in (failed[0].error or "")
    assert record.complete is False and record.totals.cells_ok == 7
    modal = next(s for s in record.aggregates.tools if s.tool == "modal-gpu-inference")
    assert modal.reviewers == 4 and modal.answered == 3


def test_warm_up_sends_one_cell_and_waits_for_its_stream_to_start(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    provider = ScriptedProvider(_good, delay=0.01)
    spec = spec_for(choose_personas(personas, None), cards)
    run(run_panel(spec, provider, ResponseStore(tmp_path), RunOptions(concurrency=8)))
    first_started = provider.events.index(("started", provider.calls[0].cell))
    calls_before = [e for e in provider.events[:first_started] if e[0] == "call"]
    assert len(calls_before) == 1  # nobody else was sent before the leader's stream began
    assert len(provider.calls) == 8


def test_without_warm_up_every_cell_is_sent_at_once(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    provider = ScriptedProvider(_good, delay=0.01)
    spec = spec_for(choose_personas(personas, None), cards)
    run(
        run_panel(spec, provider, ResponseStore(tmp_path), RunOptions(concurrency=8, warm_up=False))
    )
    assert [e[0] for e in provider.events[:8]] == ["call"] * 8


def test_concurrency_limit_is_kept(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    in_flight, peak = 0, 0

    class Counting(ScriptedProvider):
        async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                async for event in super().stream(request):
                    await asyncio.sleep(0.001)
                    yield event
            finally:
                in_flight -= 1

    spec = spec_for(choose_personas(personas, None), cards)
    run(run_panel(spec, Counting(_good), ResponseStore(tmp_path), RunOptions(concurrency=3)))
    assert peak == 3


def test_spending_limit_stops_new_cells(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    class Priced(ScriptedProvider):
        pass

    provider = Priced(_good, usage=Usage(input_tokens=1_000_000, output_tokens=0))
    provider.info = provider.info.model_copy(
        update={"provider": "anthropic", "model": "claude-haiku-4-5"}
    )
    spec = spec_for(choose_personas(personas, None), cards)
    # Each cell costs $1 (a million input tokens at $1/M); the limit is reached after two.
    record = run(
        run_panel(spec, provider, ResponseStore(tmp_path), RunOptions(concurrency=1, max_cost=1.5))
    )
    statuses = [c.status for c in record.cells]
    assert statuses.count("ok") == 2 and statuses.count("skipped") == 6
    assert "spending limit of $1.50" in (record.cells[-1].error or "")
    assert record.totals.cost_usd is not None and record.totals.cost_usd >= 2


def test_progress_counts_saved_cells(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    spec = spec_for(choose_personas(personas, None), cards)
    provider = ScriptedProvider(_good)
    runner = PanelRun(provider, PromptSet.from_dir(), ResponseStore(tmp_path), RunOptions())
    run(runner.run(plan_cells(spec, provider)))
    assert (runner.progress.saved, runner.progress.total) == (8, 8)
