from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from panel.inputs.schema import persona_schema, strict_problems, verdict_model, wire_schema
from panel.models import Persona, ToolCard
from panel.running.runner import plan_cells
from tests.helpers import ScriptedProvider, good_reply, spec_for


def test_wire_schema_is_strict_for_every_panel(personas: dict[str, Persona]) -> None:
    everyone = list(personas.values())
    for panel in (everyone[:1], everyone[:4], everyone):
        assert strict_problems(wire_schema(panel)) == []


def test_wire_schema_streams_verdict_and_score_first(personas: dict[str, Persona]) -> None:
    schema = wire_schema(list(personas.values()))
    assert list(schema["properties"])[:2] == ["verdict", "score"]
    assert schema["required"][:2] == ["verdict", "score"]


def test_limits_move_into_descriptions(personas: dict[str, Persona]) -> None:
    schema = wire_schema([personas["builder"]])
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
    assert any("$.b: object must set additionalProperties" in p for p in problems)
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
    model = verdict_model(personas["skeptic"])
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
        ({"quote": ""}, "0 words"),
        ({"quote": "The tool is fine. " * 20 + "It is a ship."}, "first person"),
        ({"quote": "I like it. " * 30 + "Verdict below."}, "last sentence must state the verdict"),
        ({"quote": "I " + "really " * 250 + "ship."}, "needs 60 to 200"),
    ],
)
def test_common_verdict_rules(
    personas: dict[str, Persona], cards: list[ToolCard], change: dict[str, Any], expected: str
) -> None:
    reply = {**_verdict(personas, cards, "builder"), **change}
    with pytest.raises(ValidationError, match=expected):
        verdict_model(personas["builder"]).model_validate(reply)


def test_persona_schema_lists_its_beats_as_required(personas: dict[str, Persona]) -> None:
    schema = persona_schema(personas["futurist"])
    beats = schema["$defs"]["Beats_futurist"]
    assert beats["required"] == [b.id for b in personas["futurist"].beats]
    assert beats["additionalProperties"] is False
