from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from panel.inputs.schema import persona_schema, strict_problems, verdict_model, wire_schema
from panel.models import Persona, ToolCard
from panel.running.runner import plan_cells
from tests.helpers import ScriptedProvider, good_reply, spec_for

TOOLS = ["tool-a", "tool-b"]


def test_wire_schema_is_strict_for_every_panel(personas: dict[str, Persona]) -> None:
    everyone = list(personas.values())
    for panel in (everyone[:1], everyone[:4], everyone):
        for tools in (TOOLS, TOOLS[:1]):
            assert strict_problems(wire_schema(panel, tools)) == []


def test_wire_schema_reasons_before_it_decides(personas: dict[str, Persona]) -> None:
    schema = wire_schema(list(personas.values()), TOOLS)
    order = ["beats", "competitors", "versus", "verdict", "score", "confidence", "headline"]
    assert list(schema["properties"]) == [*order, "quote"]
    assert schema["required"] == list(schema["properties"])


def test_versus_picks_one_of_the_panels_tools(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    versus = wire_schema([personas["builder"]], TOOLS)["properties"]["versus"]
    assert versus["properties"]["pick"]["enum"] == TOOLS
    assert versus["required"] == ["pick", "why"] and versus["additionalProperties"] is False
    model = verdict_model(personas["builder"], [card.id for card in cards])
    reply = _verdict(personas, cards, "builder")
    assert model.model_validate(reply).versus is not None
    with pytest.raises(ValidationError, match="versus"):
        model.model_validate({**reply, "versus": {"pick": "not-on-the-panel", "why": "x y z"}})
    with pytest.raises(ValidationError, match="versus"):
        model.model_validate({k: v for k, v in reply.items() if k != "versus"})


def test_a_panel_of_one_tool_has_no_versus(personas: dict[str, Persona]) -> None:
    assert "versus" not in wire_schema([personas["builder"]], TOOLS[:1])["properties"]
    assert verdict_model(personas["builder"], TOOLS[:1]).model_fields["versus"].default is None


def test_limits_move_into_descriptions(personas: dict[str, Persona]) -> None:
    schema = wire_schema([personas["builder"]], TOOLS)
    score = schema["properties"]["score"]
    assert (
        "minimum" not in score
        and "at least 1" in score["description"]
        and "at most 10" in score["description"]
    )


def test_strict_problems_finds_what_strict_mode_rejects() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "pattern": "x"},
            "b": {"type": "object", "properties": {"c": {"type": "integer"}}},
        },
        "required": ["a"],
        "additionalProperties": False,
    }
    problems = strict_problems(schema)
    assert any("'pattern'" in p for p in problems)
    assert any("$.properties.b: object must set additionalProperties" in p for p in problems)
    assert any("missing: b" in p for p in problems)


def _verdict(
    personas: dict[str, Persona], cards: list[ToolCard], persona_id: str
) -> dict[str, Any]:
    plan = next(
        p
        for p in plan_cells(
            spec_for([personas[persona_id]], cards), ScriptedProvider(lambda r, n: [])
        )
    )
    return good_reply(plan.request)


def test_a_review_that_skips_a_beat_fails(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    model = verdict_model(personas["skeptic"], [card.id for card in cards])
    reply = _verdict(personas, cards, "skeptic")
    model.model_validate(reply)
    broken = copy.deepcopy(reply)
    del broken["beats"]["prediction"]
    with pytest.raises(ValidationError, match="prediction"):
        model.model_validate(broken)
    broken["beats"]["prediction"] = "x y z"
    broken["beats"]["primitive"] = "a builder's beat"
    with pytest.raises(ValidationError, match="primitive"):
        model.model_validate(broken)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"score": 14}, "less than or equal to 10"),
        ({"verdict": "maybe"}, "'ship' or 'skip'"),
        ({"quote": ""}, "0 characters"),
        ({"quote": "Short and sharp, but too short for the page."}, "page needs 250 to 1200"),
        ({"quote": "The primitive holds up. " * 60}, "1439 characters"),
    ],
)
def test_common_verdict_rules(
    personas: dict[str, Persona], cards: list[ToolCard], change: dict[str, Any], expected: str
) -> None:
    reply = {**_verdict(personas, cards, "builder"), **change}
    with pytest.raises(ValidationError, match=expected):
        verdict_model(personas["builder"], [card.id for card in cards]).model_validate(reply)


@pytest.mark.parametrize("length", [225, 1320])
def test_a_quote_near_the_page_length_is_accepted(
    personas: dict[str, Persona], cards: list[ToolCard], length: int
) -> None:
    """No pronoun rule, no rule on where the verdict word sits: only the length."""
    quote = ("The primitive is a durable queue you call like a function. " * 30)[:length]
    reply = {**_verdict(personas, cards, "builder"), "quote": quote}
    verdict_model(personas["builder"], [c.id for c in cards]).model_validate(reply)


def test_persona_schema_lists_its_beats_as_required(personas: dict[str, Persona]) -> None:
    schema = persona_schema(personas["futurist"])
    beats = schema["$defs"]["Beats_futurist"]
    assert beats["required"] == [b.id for b in personas["futurist"].beats]
    assert beats["additionalProperties"] is False
