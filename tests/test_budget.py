"""`--max-cost` is a bound that spends what it is given: each call reserves what it likely
costs, a stream is kept inside its reservation (and stopped, counted, when the budget cannot grow
it), at any concurrency."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from panel.cli import main
from panel.inputs.loading import choose_personas
from panel.models import Persona, Record, ToolCard, Usage
from panel.providers.base import Event, Finished, StopReason, StructuredRequest, TextDelta
from panel.running.budget import HEADROOM, Budget, Reservation, likely_case
from panel.running.orchestrator import PanelRun, RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import plan_cells, run_panel
from tests.helpers import ScriptedProvider, chunks, good_reply, run, spec_for
from tests.support.emulator import Emulator, EmulatorConfig
from tests.test_cli import PAIR

PRICED = {"provider": "anthropic", "model": "claude-haiku-4-5"}  # $1 in, $5 out per million


def _good(request: StructuredRequest, n: int) -> list[str]:
    return chunks(json.dumps(good_reply(request)), 40)


class Billing(ScriptedProvider):
    """Bills as a service does: a token per 4 characters of what was sent and streamed, the
    shared prefix written to the prompt cache by the first call and read by the others."""

    stop_reason: StopReason = "end"

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        streamed, first = 0, not self.calls
        async for event in super().stream(request):
            if isinstance(event, TextDelta):
                streamed += len(event.text)
            if isinstance(event, Finished):
                prefix = len(request.system) // 4
                usage = Usage(
                    input_tokens=(len(request.prompt) + len(str(request.schema))) // 4,
                    cache_write_tokens=prefix if first else 0,
                    cache_read_tokens=0 if first else prefix,
                    output_tokens=-(-streamed // 4),
                )
                event = Finished(usage=usage, stop_reason=self.stop_reason)
            yield event


def _priced(script=_good, delay: float = 0.01) -> Billing:  # type: ignore[no-untyped-def]
    provider = Billing(script)
    provider.info = provider.info.model_copy(update=PRICED)
    provider.delay = delay
    return provider


CHUNK = 40 / 3 * 5 / 1e6  # the most one 40-character chunk can be counted at (3 chars a token)


def _run(
    provider: ScriptedProvider,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    tmp: Path,
    **options: object,
) -> Record:
    spec = spec_for(choose_personas(personas, None), cards)
    return run(run_panel(spec, provider, ResponseStore(tmp), RunOptions(**options)))  # type: ignore[arg-type]


@pytest.mark.parametrize("concurrency", [1, 8, 32])
def test_spend_stays_within_the_limit_and_uses_it_at_any_concurrency(
    concurrency: int, personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    unlimited = _run(_priced(), personas, cards, tmp_path / "all", concurrency=8)
    full = unlimited.totals.spend_this_run_usd
    assert full is not None and unlimited.complete
    limit = full / 2  # room for about four of the eight cells
    record = _run(_priced(), personas, cards, tmp_path, concurrency=concurrency, max_cost=limit)
    spent = record.totals.spend_this_run_usd
    assert spent is not None and 0.75 * limit < spent <= limit + CHUNK
    statuses = [cell.status for cell in record.cells]
    assert statuses.count("ok") >= 2 and statuses.count("skipped") >= 1
    skipped = next(cell for cell in record.cells if cell.status == "skipped")
    assert skipped.error and "cannot cover its likely cost" in skipped.error


def test_a_limit_covering_one_and_a_half_typical_cells_completes_one(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    """Reserving each call's worst case (max_tokens, about 7x a reply) ran none of them."""
    unlimited = _run(_priced(), personas, cards, tmp_path / "all", concurrency=8)
    typical = max(cell.cost.usd for cell in unlimited.cells if cell.cost)  # the first: it writes
    for concurrency in (1, 8):
        record = _run(
            _priced(), personas, cards, tmp_path / str(concurrency),
            concurrency=concurrency, max_cost=1.5 * typical,
        )  # fmt: skip
        assert sum(cell.status == "ok" for cell in record.cells) >= 1
        assert (record.totals.spend_this_run_usd or 0) <= 1.5 * typical + CHUNK


def test_a_stream_past_what_the_budget_can_give_is_stopped_and_its_cost_counted(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    def rambling(request: StructuredRequest, n: int) -> list[str]:
        return chunks(json.dumps({**good_reply(request), "quote": "on and on " * 2000}), 40)

    provider = _priced(rambling)
    spec = spec_for([personas["builder"]], cards)
    first = plan_cells(spec, provider)[0].request
    limit = 2 * likely_case(provider.info, first, "write")  # room for twice a typical reply
    runs: list[PanelRun] = []
    options = RunOptions(concurrency=1, max_cost=limit)
    record = run(run_panel(spec, provider, ResponseStore(tmp_path), options, on_run=runs.append))
    stopped, other = record.cells
    assert stopped.status == "failed" and stopped.error
    assert "stopped at the spending limit" in stopped.error and first.cell in stopped.error
    assert stopped.usage.output_tokens > 0 and stopped.cost and stopped.cost.usd > 0
    assert ("finished", first.cell) not in provider.events  # the stream was closed, not read out
    assert other.status == "skipped"
    spent = record.totals.spend_this_run_usd
    assert spent is not None and 0.85 * limit <= spent <= limit + CHUNK
    assert spent == pytest.approx(stopped.cost.usd, abs=1e-6)  # what it streamed, counted
    assert runs[0].progress.budget_hit and runs[0].progress.stopped_at == first.cell
    assert runs[0].budget.spent == pytest.approx(spent, abs=1e-6)


def test_no_limit_holds_nobody(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    record = _run(_priced(), personas, cards, tmp_path, concurrency=8)
    assert record.complete


def test_a_reask_is_covered_before_it_is_sent(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    def invalid_then_good(request: StructuredRequest, n: int) -> list[str]:
        invalid = json.dumps({**good_reply(request), "score": 99})  # out of range: re-asked
        return chunks(invalid, 40) if not request.history else _good(request, n)

    provider = _priced(invalid_then_good)
    spec = spec_for([personas["builder"]], cards)
    # Room for the first call's likely cost, whatever the prompt's size, and not for a re-ask
    # after it: the re-ask is refused, not sent.
    first = plan_cells(spec, provider)[0].request
    limit = HEADROOM * likely_case(provider.info, first, "write")
    options = RunOptions(concurrency=1, max_cost=limit)
    record = run(run_panel(spec, provider, ResponseStore(tmp_path), options))
    assert len(provider.calls) == 1
    cell, other = record.cells
    assert cell.status == "failed" and cell.error and "cannot cover another call" in cell.error
    assert cell.usage.output_tokens > 0  # the first call's tokens stay on the cell
    assert other.status == "skipped"
    assert record.totals.spend_this_run_usd is not None
    assert record.totals.spend_this_run_usd <= limit


def test_a_failed_but_billed_call_counts(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    provider = _priced()
    provider.stop_reason = "max_tokens"  # every reply cut: asked again with more room, then failed
    unlimited = _run(provider, personas, cards, tmp_path / "all", concurrency=8)
    assert all(cell.status == "failed" and cell.cost for cell in unlimited.cells)
    limit = (unlimited.totals.spend_this_run_usd or 0) / 2
    record = _run(provider, personas, cards, tmp_path, concurrency=8, max_cost=limit)
    failed = [cell for cell in record.cells if cell.status == "failed"]
    spent = sum(cell.cost.usd for cell in failed if cell.cost)
    assert failed and spent == pytest.approx(record.totals.spend_this_run_usd, abs=1e-6)
    assert 0.5 * limit < spent <= limit + CHUNK
    assert any(cell.status == "skipped" for cell in record.cells)


def test_a_reservation_waits_for_calls_in_flight_and_stops_when_none_are() -> None:
    async def go() -> tuple[bool, bool, float]:
        budget = Budget(1.0)
        first = await budget.reserve(0.6)
        assert first is not None
        waiting = asyncio.ensure_future(budget.reserve(0.6))
        await asyncio.sleep(0)
        assert not waiting.done()  # 0.6 + 0.6 > 1.0 while the first is in flight
        budget.settle(first, 0.3)
        second = await waiting  # 0.3 + 0.6 fits
        assert second is not None
        budget.settle(second, 0.5)
        third = await budget.reserve(0.6)  # 0.8 + 0.6 does not, and nothing is in flight
        return third is None, budget.stopped, budget.spent

    refused, stopped, spent = run(go())
    assert refused and stopped and spent == pytest.approx(0.8)


def test_the_cli_says_where_it_stopped_and_the_same_command_finishes_from_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "emulated-key")
    with Emulator(EmulatorConfig(output_tokens=300)) as emulator:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", emulator.url)
        command = [
            "run",
            PAIR,
            "--model",
            "anthropic:claude-haiku-4-5",
            "--quiet",
            "--max-tokens",
            "1000",
            "--max-cost",
            "0.02",
            "--yes",  # the limit is below the worst case on purpose: no one to ask in a test
            "--concurrency",
            "8",
            "--out",
            str(tmp_path / "out"),
            "--cache-dir",
            str(tmp_path / "cache"),
        ]
        statuses, spends = [], []
        for _ in range(6):
            status = main(command)
            statuses.append(status)
            record = json.loads((tmp_path / "out" / "latest" / "record.json").read_text())
            spends.append(record["totals"]["spend_this_run_usd"])
            if status == 0:
                break
            assert "stopped at the spending limit of $0.02" in capsys.readouterr().err
        calls = len(emulator.served)
    assert statuses[0] == 1 and statuses[-1] == 0 and len(statuses) >= 2
    assert all(0 < spend <= 0.02 for spend in spends)
    assert calls == 8  # every cell was called once across the runs; the rest came from the cache
    assert record["totals"]["cells_from_cache"] == 8 - sum(
        1 for cell in record["cells"] if not cell["from_cache"]
    )


def test_two_calls_waiting_on_each_other_do_not_hang() -> None:
    async def go() -> list[bool]:
        budget = Budget(1.0)
        first, second = await budget.reserve(0.4), await budget.reserve(0.4)
        assert first is not None and second is not None

        async def retry(reservation: Reservation) -> bool:
            extended = await budget.extend(reservation, 0.4)
            budget.settle(reservation, 0.1)  # the cell ends either way, having spent $0.10
            return extended

        results = await asyncio.wait_for(asyncio.gather(retry(first), retry(second)), 2.0)
        return list(results)

    assert sorted(run(go())) == [False, True]


def test_float_dust_left_by_settled_reservations_is_not_a_call_in_flight() -> None:
    async def go() -> bool:
        budget = Budget(0.35)
        first, second = await budget.reserve(0.1), await budget.reserve(0.2)
        assert first is not None and second is not None
        budget.settle(first, 0.1)
        budget.settle(second, 0.2)
        assert budget.reserved != 0  # 0.1 + 0.2 - 0.1 - 0.2 in floats
        return await asyncio.wait_for(budget.reserve(0.1), timeout=1) is None

    assert run(go())
