from __future__ import annotations

import json
import multiprocessing
from dataclasses import replace
from pathlib import Path

import pytest

from panel.errors import ProviderError
from panel.inputs.loading import choose_personas, load_tool_card
from panel.inputs.prompts import PromptSet
from panel.models import CachedCell, Persona, ToolCard, Usage
from panel.providers.base import Provider, StructuredRequest
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import KeyParts, ResponseStore, cell_key
from panel.running.runner import PanelSpec, plan_cells, run_panel
from tests.helpers import ScriptedProvider, chunks, good_reply, run, spec_for


def _keys(spec: PanelSpec, provider: Provider) -> dict[str, str]:
    return {p.request.cell: p.key for p in plan_cells(spec, provider)}


def _good(request: StructuredRequest, n: int) -> list[str]:
    return chunks(json.dumps(good_reply(request)), 50)


def test_keys_are_stable_and_distinct(personas: dict[str, Persona], cards: list[ToolCard]) -> None:
    spec = spec_for(choose_personas(personas, None), cards)
    provider = ScriptedProvider(_good)
    first, second = _keys(spec, provider), _keys(spec, provider)
    assert first == second and len(set(first.values())) == 8


def test_what_changes_the_key_and_what_does_not(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    base_personas = choose_personas(personas, None)
    provider = ScriptedProvider(_good)
    base = _keys(spec_for(base_personas, cards), provider)

    def all_change(spec: PanelSpec, answering: ScriptedProvider = provider) -> bool:
        return set(_keys(spec, answering).values()).isdisjoint(base.values())

    # The full request is in the key: editing any card or persona changes the shared prefix,
    # which every cell sends, so every cell misses (not only the ones reviewing that card).
    edited_card = cards[1].model_copy(update={"description": "A corrected description."})
    assert all_change(spec_for(base_personas, [cards[0], edited_card]))
    edited_persona = base_personas[1].model_copy(update={"voice": "A different voice entirely."})
    assert all_change(spec_for([base_personas[0], edited_persona, *base_personas[2:]], cards))
    spec = spec_for(base_personas, cards)
    assert all_change(replace(spec, title="Another title"))
    for options in ({"temperature": 0.2}, {"max_tokens": 999}):
        assert all_change(spec_for(base_personas, cards, **options))
    for change in ({"model": "another"}, {"provider": "other"}, {"endpoint": "http://127.0.0.1:9"}):
        other = ScriptedProvider(_good)
        other.info = other.info.model_copy(update=change)
        assert all_change(spec_for(base_personas, cards), other)

    # Not in the key: what cannot change the answer (concurrency, retries, the prompt-cache TTL).
    assert _keys(spec_for(base_personas, cards, cache_ttl="1h"), provider) == base


def test_the_endpoint_separates_cached_verdicts(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    """Verdicts from an emulator or a gateway are never served as the real API's."""
    spec = spec_for([personas["builder"]], cards)
    store = ResponseStore(tmp_path)
    emulator = ScriptedProvider(_good)
    emulator.info = emulator.info.model_copy(update={"endpoint": "http://127.0.0.1:8089"})
    run(run_panel(spec, emulator, store, RunOptions()))
    real = ScriptedProvider(_good)
    real.info = real.info.model_copy(update={"endpoint": "https://api.anthropic.com"})
    record = run(run_panel(spec, real, store, RunOptions()))
    assert len(real.calls) == 2 and record.totals.cells_from_cache == 0
    again = ScriptedProvider(_good)
    again.info = emulator.info
    assert run(run_panel(spec, again, store, RunOptions())).totals.cells_from_cache == 2


def test_refresh_in_one_panel_leaves_another_panels_cells_alone(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    from tests.conftest import EXAMPLES

    third = load_tool_card(EXAMPLES / "claw-code.toml")
    panel_a = spec_for([personas["builder"]], cards)
    panel_b = spec_for([personas["builder"]], [cards[0], third])  # shares builder × cards[0]
    store = ResponseStore(tmp_path)
    before = run(run_panel(panel_b, ScriptedProvider(_good), store, RunOptions()))

    def different(request: StructuredRequest, n: int) -> list[str]:
        reply = good_reply(request)
        reply["score"] = 1 if reply["score"] != 1 else 2
        return chunks(json.dumps(reply), 50)

    run(run_panel(panel_a, ScriptedProvider(different), store, RunOptions(refresh=True)))
    after = run(run_panel(panel_b, ScriptedProvider(_good), store, RunOptions()))
    assert after.totals.cells_from_cache == 2
    assert [c.verdict for c in after.cells] == [c.verdict for c in before.cells]


def test_a_changed_template_changes_every_key(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    from tests.conftest import ROOT

    folder = tmp_path / "prompts"
    folder.mkdir()
    for source in (ROOT / "prompts").glob("*.j2"):
        (folder / source.name).write_text(source.read_text())
    (folder / "reask.j2").write_text((folder / "reask.j2").read_text() + "\nPlease.\n")
    provider = ScriptedProvider(_good)
    spec = spec_for(choose_personas(personas, None), cards)
    edited = type(spec)(
        title=spec.title,
        tools=spec.tools,
        personas=spec.personas,
        prompts=PromptSet.from_dir(folder),
    )
    assert set(_keys(spec, provider).values()).isdisjoint(_keys(edited, provider).values())


def _entry(key: str, marker: int) -> CachedCell:
    return CachedCell(
        key=key,
        provider="p",
        model="m",
        verdict={"verdict": "ship", "marker": marker, "pad": "x" * 20000},
        usage=Usage(),
        attempts=1,
        seconds_to_verdict=None,
        seconds_total=1.0,
    )


def _writer(root: str, key: str, marker: int, rounds: int) -> None:
    store = ResponseStore(Path(root))
    for _ in range(rounds):
        store.put(_entry(key, marker))


def test_two_concurrent_writers_never_leave_a_torn_entry(tmp_path: Path) -> None:
    key = "ab" + "0" * 62
    store = ResponseStore(tmp_path, warn=lambda m: pytest.fail(m))
    store.put(_entry(key, 0))
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(tmp_path), key, n, 150)) for n in (1, 2)]
    for writer in writers:
        writer.start()
    reads = 0
    while any(w.is_alive() for w in writers):
        entry = store.get(key)  # warn() fails the test on a torn or corrupt read
        assert entry is not None and entry.verdict["marker"] in (0, 1, 2)
        reads += 1
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert reads > 0
    assert [p.name for p in (tmp_path / "cells" / "ab").iterdir()] == [
        f"{key}.json"
    ]  # no temp files left


def test_corrupt_entry_is_reported_and_treated_as_a_miss(tmp_path: Path) -> None:
    warnings: list[str] = []
    store = ResponseStore(tmp_path, warn=warnings.append)
    key = "cd" + "1" * 62
    store.put(_entry(key, 1))
    path = tmp_path / "cells" / "cd" / f"{key}.json"
    path.write_text(path.read_text()[:100])
    assert store.get(key) is None
    assert "corrupt cache entry" in warnings[0] and str(path) in warnings[0]


def test_resume_after_a_crash_calls_only_the_missing_cells(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    spec = spec_for(choose_personas(personas, None), cards)
    store = ResponseStore(tmp_path)

    def crashing(request: StructuredRequest, n: int) -> list[str] | BaseException:
        return ProviderError("connection lost", retryable=False) if n > 3 else _good(request, n)

    first = run(run_panel(spec, ScriptedProvider(crashing), store, RunOptions(concurrency=1)))
    assert first.totals.cells_ok == 3 and not first.complete

    again = ScriptedProvider(_good)
    second = run(run_panel(spec, again, store, RunOptions()))
    assert len(again.calls) == 5 and second.complete
    assert second.totals.cells_from_cache == 3

    third = ScriptedProvider(_good)
    final = run(run_panel(spec, third, store, RunOptions()))
    assert third.calls == [] and final.totals.cells_from_cache == 8
    assert final.totals.spend_this_run_usd in (None, 0)


def test_cache_hit_keeps_original_usage_and_cost(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    provider = ScriptedProvider(_good, usage=Usage(input_tokens=1_000_000, output_tokens=100_000))
    provider.info = provider.info.model_copy(
        update={"provider": "anthropic", "model": "claude-haiku-4-5"}
    )
    spec = spec_for([personas["builder"]], cards)
    store = ResponseStore(tmp_path)
    first = run(run_panel(spec, provider, store, RunOptions()))
    second = run(run_panel(spec, provider, store, RunOptions()))
    assert [c.usage for c in second.cells] == [c.usage for c in first.cells]
    assert (
        second.totals.cost_usd == first.totals.cost_usd == pytest.approx(3.0)
    )  # 2 x ($1 in + $0.50 out)
    assert (
        first.totals.spend_this_run_usd == pytest.approx(3.0)
        and second.totals.spend_this_run_usd == 0
    )


def test_refresh_ignores_the_cache(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    spec = spec_for([personas["builder"]], cards)
    store = ResponseStore(tmp_path)
    run(run_panel(spec, ScriptedProvider(_good), store, RunOptions()))
    provider = ScriptedProvider(_good)
    run(run_panel(spec, provider, store, RunOptions(refresh=True)))
    assert len(provider.calls) == 2


def test_key_covers_the_persona_schema(personas: dict[str, Persona], cards: list[ToolCard]) -> None:
    spec = spec_for([personas["builder"]], cards)
    plan = plan_cells(spec, ScriptedProvider(_good))[0]
    fewer_beats = plan.request.persona.model_copy(update={"beats": plan.request.persona.beats[:3]})
    changed = type(plan.request)(**{**plan.request.__dict__, "persona": fewer_beats})
    info = ScriptedProvider.info
    assert cell_key(info, plan.request, "t") != cell_key(info, changed, "t")


def test_keys_planned_together_are_the_keys_of_each_cell_alone(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    spec = spec_for([personas["builder"], personas["skeptic"]], cards)
    plans = plan_cells(spec, ScriptedProvider(_good))  # one KeyParts for the whole panel
    info = ScriptedProvider.info
    digest = spec.prompts.combined_digest()
    assert len({plan.key for plan in plans}) == len(plans) == 2 * len(cards)
    assert [plan.key for plan in plans] == [cell_key(info, p.request, digest) for p in plans]
    parts = KeyParts()
    first = plans[0].request
    other_card = first.tool.model_copy(update={"tagline": "another line"})
    changed = replace(first, tool=other_card)
    assert cell_key(info, first, digest, parts) == plans[0].key
    assert cell_key(info, changed, digest, parts) != plans[0].key  # another card, another key


def test_an_unwritable_cache_warns_and_the_run_goes_on(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    warnings: list[str] = []
    spec = spec_for([personas["builder"]], cards)
    record = run(
        run_panel(
            spec,
            ScriptedProvider(_good),
            ResponseStore(blocker, warn=warnings.append),
            RunOptions(),
        )
    )
    assert record.complete
    # one line for the two cells that could not be saved, both for the same reason
    assert len(warnings) == 1 and "could not save to the response cache" in warnings[0]


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ({"verdict": "maybe"}, "verdict: Input should be 'ship' or 'skip'"),
        ({"score": 99}, "score: Input should be less than or equal to 10"),
        ({"score": None}, "score: Field required"),
        ({"beats": {}}, "beats.primitive: Field required"),  # the persona's beats gone
    ],
)
def test_a_corrupted_verdict_is_dropped_with_a_warning_and_asked_again(
    personas: dict[str, Persona],
    cards: list[ToolCard],
    tmp_path: Path,
    damage: dict[str, object],
    problem: str,
) -> None:
    spec = spec_for([personas["builder"]], cards)
    run(run_panel(spec, ScriptedProvider(_good), ResponseStore(tmp_path), RunOptions()))
    plan = plan_cells(spec, ScriptedProvider(_good))[0]
    path = tmp_path / "cells" / plan.key[:2] / f"{plan.key}.json"
    entry = json.loads(path.read_text())
    for field, value in damage.items():
        if value is None:
            entry["verdict"].pop(field, None)
        else:
            entry["verdict"][field] = value
    path.write_text(json.dumps(entry))

    warnings: list[str] = []
    again = ScriptedProvider(_good)
    record = run(
        run_panel(spec, again, ResponseStore(tmp_path, warn=warnings.append), RunOptions())
    )
    assert [request.cell for request in again.calls] == [plan.request.cell]  # asked again
    assert record.complete and record.totals.cells_from_cache == 1
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert str(path) in warnings[0] and plan.request.cell in warnings[0] and problem in warnings[0]
