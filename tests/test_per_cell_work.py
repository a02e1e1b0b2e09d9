"""What a panel does once, not once per cell (issue 25): templates compiled, persona schemas
built, the shared prefix encoded; and response-cache keys unchanged by doing so."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from typing import Any

import jinja2
import pytest

from panel.inputs import bounded, schema
from panel.inputs.loading import choose_personas
from panel.inputs.prompts import PromptSet
from panel.models import Persona, ToolCard
from panel.providers.base import StructuredRequest, Turn
from panel.providers.offline import OfflineProvider
from panel.running.response_cache import KEY_VERSION, cell_key
from panel.running.runner import PanelSpec, plan_cells
from tests.helpers import spec_for


def _many_cards(cards: list[ToolCard], count: int) -> list[ToolCard]:
    return [
        cards[i % len(cards)].model_copy(update={"id": f"tool-{i}", "name": f"Tool {i}"})
        for i in range(count)
    ]


def _panel(personas: dict[str, Persona], cards: list[ToolCard]) -> PanelSpec:
    return spec_for(choose_personas(personas, None), _many_cards(cards, 12))


def test_each_template_is_compiled_once_for_a_whole_panel(
    personas: dict[str, Persona], cards: list[ToolCard], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: str | None = None, *a: Any) -> Any:
        compiled.append(str(name))
        return original(self, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    spec = _panel(personas, cards)
    spec.check()
    plans = plan_cells(spec, OfflineProvider())
    spec.prompts.reask("again")
    assert len(plans) == 48
    assert sorted(compiled) == sorted(set(compiled))  # none twice
    assert {"prefix.j2", "cell.j2", "reask.j2"} <= set(compiled)


def test_a_compiled_set_still_renders_each_cell_its_own(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    prompts = PromptSet.from_dir()
    builder, skeptic = personas["builder"], personas["skeptic"]
    first = prompts.cell(builder, cards[0])
    assert prompts.cell(skeptic, cards[1]) != first
    assert prompts.cell(builder, cards[0]) == first == PromptSet.from_dir().cell(builder, cards[0])


def _edited_prompts() -> PromptSet:
    """The shipped templates with one changed (a comment): a user's, rendered bounded."""
    sources = dict(PromptSet.from_dir().sources)
    sources["cell.j2"] = "{# the editor's copy #}" + sources["cell.j2"]
    return PromptSet(sources=sources, origin="my-prompts")


def _count_bounded_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many prompts each hand-off to the bounded renderer carries, in order."""
    handed: list[int] = []
    original = bounded.render_bounded_all

    def counting(template: jinja2.Template, contexts: list[dict[str, object]]) -> list[str]:
        handed.append(len(contexts))
        return original(template, contexts)

    monkeypatch.setattr("panel.inputs.prompts.render_bounded_all", counting)
    return handed


def test_a_panel_hands_its_cell_prompts_to_the_renderer_once(
    personas: dict[str, Persona], cards: list[ToolCard], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Handing each cell's prompt to the bounded renderer on its own cost ten times the
    rendering: a panel's are rendered together, each the same as rendered alone."""
    handed = _count_bounded_renders(monkeypatch)
    spec = replace(_panel(personas, cards), prompts=_edited_prompts())
    spec.check()
    plans = plan_cells(spec, OfflineProvider())
    assert handed == [1, 48, 1]  # the prefix, every cell's assignment at once, the re-ask
    alone = _edited_prompts()
    for plan in plans:
        assert plan.request.prompt == alone.cell(plan.persona, plan.tool)


def test_only_the_shipped_templates_skip_the_renderers_watch(
    personas: dict[str, Persona], cards: list[ToolCard], monkeypatch: pytest.MonkeyPatch
) -> None:
    """panel's own templates (their loops run over what the models bound) render without the
    deadline and memory watch, and give the same prompts; a set with any template of the
    user's is watched, every template of it."""
    watched = _count_bounded_renders(monkeypatch)
    shipped, edited = PromptSet.from_dir(), _edited_prompts()
    builder = personas["builder"]
    panel = list(personas.values())
    assert shipped.prefix("T", panel, cards) == edited.prefix("T", panel, cards)
    assert watched == [1]  # the edited set's prefix, though prefix.j2 itself is unchanged
    assert edited.cell(builder, cards[0]) == shipped.cell(builder, cards[0])  # a comment only
    assert watched == [1, 1]


def test_rendered_together_each_cell_keeps_its_own_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deadline is each render's, not the batch's; a render past it still stops."""
    monkeypatch.setattr(bounded, "MAX_RENDER_SECONDS", 0.5)
    environment = bounded.BoundedEnvironment()
    slow = "{% for i in range(n) %}{% for j in range(1000) %}{% endfor %}{% endfor %}{{ n }}"
    # Each render about a third of the deadline: five in a row take longer than one deadline.
    template = environment.from_string(slow)
    per_render = _loop_size_for(template, 0.12)
    started = time.monotonic()
    texts = bounded.render_bounded_all(template, [{"n": per_render}] * 5)
    assert texts == [str(per_render)] * 5
    assert time.monotonic() - started > 0.5
    runaway = [{"n": 1}, {"n": 99_999}, {"n": 1}]
    with pytest.raises(bounded.RenderLimit, match="longer than 0.5 s"):
        bounded.render_bounded_all(template, runaway)
    big = environment.from_string("{{ 'x' * n }}{{ 'x' * n }}")
    with pytest.raises(bounded.RenderLimit, match="rendered text"):
        bounded.render_bounded_all(big, [{"n": 10}, {"n": bounded.MAX_RENDER_CHARS // 2 + 1}])


def _loop_size_for(template: jinja2.Template, seconds: float) -> int:
    """A loop count that keeps `template` rendering (bounded) for about `seconds`."""
    size = 1
    while True:
        started = time.monotonic()
        bounded.render_bounded(template, {"n": size})
        if time.monotonic() - started >= seconds:
            return size
        size *= 2


def test_a_template_error_is_reported_on_every_render_not_cached_away() -> None:
    sources = {"prefix.j2": "{{ title", "cell.j2": "x", "reask.j2": "y"}
    prompts = PromptSet(sources=sources, origin="here")
    for _ in range(2):
        with pytest.raises(Exception, match="template syntax error"):
            prompts.prefix("t", [], [])


def test_each_persona_schema_is_built_once_for_a_whole_panel(
    personas: dict[str, Persona], cards: list[ToolCard], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    original = schema.build_persona_schema

    def counting(persona: Persona) -> dict[str, Any]:
        built.append(persona.id)
        return original(persona)

    schema._persona_schema.cache_clear()
    schema._persona_schema_json.cache_clear()
    monkeypatch.setattr(schema, "build_persona_schema", counting)
    spec = _panel(personas, cards)
    plans = plan_cells(spec, OfflineProvider())
    plans += plan_cells(spec, OfflineProvider())  # the estimate and the run both plan
    assert len(plans) == 96
    assert sorted(built) == sorted(p.id for p in spec.personas)


def test_a_cached_persona_schema_is_not_shared_with_the_caller(
    personas: dict[str, Persona],
) -> None:
    first = schema.persona_schema(personas["builder"])
    first["properties"].clear()
    assert schema.persona_schema(personas["builder"])["properties"]


def _card_as_keyed(request: StructuredRequest) -> dict[str, object]:
    card = request.tool.model_dump(mode="json")
    if card.get("competitors") is None:
        del card["competitors"]  # a card naming no rivals keys as cards did before they could
    return card


def _key_as_written_before(info: Any, request: StructuredRequest, templates: str) -> str:
    """The key as versions before issue 25 computed it: one JSON text of everything, hashed."""
    material: dict[str, object] = {
        "v": KEY_VERSION,
        "provider": info.provider,
        "model": info.model,
        "endpoint": info.endpoint,
        "system": request.system,
        "prompt": request.prompt,
        "history": [[turn.assistant, turn.user] for turn in request.history],
        "wire_schema": request.schema,
        "schema": schema.verdict_model(request.persona).model_json_schema(),
        "persona": request.persona.model_dump(mode="json"),
        "tool": _card_as_keyed(request),
        "templates": templates,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    if request.sample:
        material["sample"] = request.sample
    if request.order != "listed":
        material["order"] = request.order
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def test_keys_are_the_ones_earlier_versions_wrote(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    """A response cache filled before still serves: every kind of cell keeps its key."""
    unicode_card = cards[0].model_copy(update={"name": "Zürich — “quoted” 東京"})
    spec = spec_for(
        choose_personas(personas, None),
        [unicode_card, *cards[1:]],
        samples=2,
        balance_order=True,
    )
    provider = OfflineProvider()
    plans = plan_cells(spec, provider)
    digest = spec.prompts.combined_digest()
    for plan in plans:
        assert plan.key == _key_as_written_before(provider.info, plan.request, digest)
    asked_again = plans[0].request.with_turn(Turn(assistant="{...}", user="again"))
    assert cell_key(provider.info, asked_again, digest) == _key_as_written_before(
        provider.info, asked_again, digest
    )
