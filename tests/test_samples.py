"""--samples and --balance-order: every repeat is a real call kept in the record."""

from __future__ import annotations

import json
from pathlib import Path

from panel.inputs.loading import choose_personas
from panel.inputs.schema import record_schema
from panel.models import Persona, ToolCard
from panel.providers.base import StructuredRequest
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import plan_cells, run_panel
from tests.helpers import ScriptedProvider, chunks, good_reply, run, spec_for


def _verdict(request: StructuredRequest, ship: bool) -> list[str]:
    reply = good_reply(request)
    reply["verdict"], reply["score"] = ("ship", 8) if ship else ("skip", 3)
    reply["quote"] = reply["quote"].rsplit(".", 2)[0] + f". I call it a {reply['verdict']}."
    return chunks(json.dumps(reply), 40)


def test_each_sample_is_a_call_of_its_own_kept_in_the_record_and_in_the_cache(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    # The second of three samples skips; the others ship: every cell is "ship, 2/3".
    provider = ScriptedProvider(lambda request, n: _verdict(request, request.sample != 1))
    spec = spec_for(choose_personas(personas, ["builder", "skeptic"]), cards, samples=3)
    store = ResponseStore(tmp_path)
    record = run(run_panel(spec, provider, store, RunOptions()))
    assert len(provider.calls) == len(record.cells) == 12
    assert sorted({c.sample for c in record.cells}) == [0, 1, 2]
    assert len({(c.persona, c.tool, c.sample) for c in record.cells}) == 12
    assert record.statistics is not None
    assert {(c.verdict, c.agreement, c.disagrees) for c in record.statistics.cells} == {
        ("ship", "2/3", True)
    }
    assert record.statistics.samples == 3
    assert record.settings["samples"] == 3
    again = ScriptedProvider(lambda request, n: _verdict(request, True))
    rerun = run(run_panel(spec, again, store, RunOptions()))
    assert again.calls == [] and rerun.totals.cells_from_cache == 12
    assert [c.verdict_word for c in rerun.cells] == [c.verdict_word for c in record.cells]


def test_sample_and_order_enter_the_key_and_the_first_sample_keeps_its_old_key(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    chosen = choose_personas(personas, ["builder"])
    provider = ScriptedProvider(lambda request, n: [])
    single = {p.tool.id: p.key for p in plan_cells(spec_for(chosen, cards), provider)}
    both = plan_cells(spec_for(chosen, cards, samples=2, balance_order=True), provider)
    assert len({p.key for p in both}) == 8
    firsts = {
        p.tool.id: p.key for p in both if p.request.sample == 0 and p.request.order == "listed"
    }
    assert firsts == single
    assert [p.request.cell for p in both][:2] == [
        "builder × claude-api-streaming-caching #1",
        "builder × claude-api-streaming-caching #2",
    ]


def test_balance_order_asks_with_the_tools_reversed_and_reports_flips(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    # A model with a position bias: it ships whichever tool its prompt lists first.
    def first_listed_ships(request: StructuredRequest, n: int) -> list[str]:
        positions = {card.id: request.system.find(f"Tool card `{card.id}`") for card in cards}
        return _verdict(request, positions[request.tool.id] == min(positions.values()))

    provider = ScriptedProvider(first_listed_ships)
    spec = spec_for(choose_personas(personas, ["builder"]), cards, balance_order=True)
    record = run(run_panel(spec, provider, ResponseStore(tmp_path), RunOptions()))
    assert sorted(c.order for c in record.cells) == ["listed", "listed", "reversed", "reversed"]
    assert record.statistics is not None
    flips = {(f.tool, f.listed, f.reversed) for f in record.statistics.order_flips}
    assert flips == {(cards[0].id, "ship", "skip"), (cards[1].id, "skip", "ship")}
    assert record.statistics.tool_order == [card.id for card in cards]
    prefixes = {request.order: request.system for request in provider.calls}
    assert prefixes["listed"].index(cards[0].id) < prefixes["listed"].index(cards[1].id)
    assert prefixes["reversed"].index(cards[1].id) < prefixes["reversed"].index(cards[0].id)


def test_the_record_schema_describes_every_new_field() -> None:
    from panel.cli import main

    schema = record_schema()
    parts = ("CellConsensus", "ToolStatistics", "OrderFlip", "QuoteSimilarity", "PanelStatistics")
    for name in (*parts, "CostEstimate"):
        properties = schema["$defs"][name]["properties"]
        assert [field for field, spec in properties.items() if "description" not in spec] == []
    cell = schema["$defs"]["CellResult"]["properties"]
    assert "description" in cell["sample"] and "description" in cell["order"]
    assert {"statistics", "estimate"} <= set(schema["properties"])
    assert main(["schema", "--record"]) == 0


def test_each_tool_order_warms_its_own_prefix_before_its_cells_fan_out(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    provider = ScriptedProvider(lambda request, n: _verdict(request, True), delay=0.05)
    spec = spec_for(choose_personas(personas, ["builder", "skeptic"]), cards, balance_order=True)
    run(run_panel(spec, provider, ResponseStore(tmp_path), RunOptions()))
    first_started = next(i for i, (event, _) in enumerate(provider.events) if event == "started")
    before = [cell for event, cell in provider.events[:first_started] if event == "call"]
    # One warm-up per prefix: one cell in the listed order and one reversed, and no other.
    assert len(before) == 2 and sum("(tools reversed)" in cell for cell in before) == 1
    reversed_calls = [c for e, c in provider.events if e == "call" and "reversed" in c]
    reversed_started = [c for e, c in provider.events if e == "started" and "reversed" in c]
    first_reversed_start = provider.events.index(("started", reversed_started[0]))
    assert provider.events.index(("call", reversed_calls[1])) > first_reversed_start


def test_an_editors_override_moves_the_intervals_with_the_ship_percent(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    from panel.models import Override
    from panel.record.overrides import apply_overrides

    provider = ScriptedProvider(lambda request, n: _verdict(request, True))
    spec = spec_for(choose_personas(personas, ["builder", "skeptic"]), cards)
    record = run(run_panel(spec, provider, ResponseStore(tmp_path), RunOptions()))
    tool = cards[0].id
    skip = Override(tool=tool, persona="skeptic", verdict="skip", editor="E", reason="checked")
    edited = apply_overrides(record, [skip])
    assert edited.statistics is not None and record.statistics is not None
    before = {t.tool: t for t in record.statistics.tools}[tool]
    after = {t.tool: t for t in edited.statistics.tools}[tool]
    assert (before.ships, after.ships, after.ship_pct) == (2, 1, 50.0)
    assert after.ship_pct_low is not None and before.ship_pct_low is not None
    assert after.ship_pct_low < before.ship_pct_low
