"""Both providers' strict structured-output rules, each problem named by its JSON path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from panel.inputs.schema import verdict_model, wire_schema
from panel.inputs.strict_rules import strict_problems
from panel.models import Persona


def _closed(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def test_a_closed_fully_required_object_passes() -> None:
    assert strict_problems(_closed({"a": {"type": "string"}})) == []


@pytest.mark.parametrize(
    ("schema", "path", "words"),
    [
        (
            _closed({"a": {"type": "string", "default": "x"}}),
            "$.properties.a",
            "'default' is not permitted",
        ),
        (_closed({"a": {"type": "integer", "minimum": 1}}), "$.properties.a", "numeric limits"),
        (_closed({"a": {"type": "string", "pattern": "x+"}}), "$.properties.a", "patterns"),
        (_closed({"a": {"type": "string", "format": "date"}}), "$.properties.a", "'format'"),
        (
            _closed({"a": {"allOf": [{"type": "string"}]}}),
            "$.properties.a",
            "'allOf' is not accepted",
        ),
        (
            {**_closed({"a": {"type": "string"}}), "additionalProperties": True},
            "$",
            "additionalProperties: false",
        ),
        (
            {**_closed({"a": {"type": "string"}, "b": {"type": "string"}}), "required": ["a"]},
            "$",
            "missing: b",
        ),
        ({"anyOf": [_closed({"a": {"type": "string"}})]}, "$", "root must be an object"),
    ],
)
def test_each_rule_names_the_offending_path(schema: dict[str, Any], path: str, words: str) -> None:
    problems = strict_problems(schema)
    assert any(p.startswith(f"{path}:") and words in p for p in problems), problems


def test_anyof_objects_must_not_share_their_first_key() -> None:
    shared = _closed(
        {
            "x": {
                "anyOf": [
                    _closed({"same": {"type": "string"}, "b": {"type": "string"}}),
                    _closed({"same": {"type": "string"}, "c": {"type": "string"}}),
                ]
            }
        }
    )
    problems = strict_problems(shared)
    assert len(problems) == 1
    assert problems[0].startswith("$.properties.x.anyOf[1]: first key 'same'")
    assert "anyOf[0]" in problems[0] and "identical first keys" in problems[0]


def test_a_recursive_ref_is_refused() -> None:
    node = _closed({"child": {"$ref": "#/$defs/Node"}})
    schema = {**_closed({"root": {"$ref": "#/$defs/Node"}}), "$defs": {"Node": node}}
    assert any("$.$defs.Node" in p and "recursive" in p for p in strict_problems(schema))


def test_personas_sharing_a_first_beat_get_distinct_first_keys_on_the_wire(
    personas: dict[str, Persona],
) -> None:
    builder = personas["builder"]
    twin = builder.model_copy(update={"id": "builder-twin", "name": "The Twin"})
    schema = wire_schema([builder, twin], ["tool-a", "tool-b"])
    branches = schema["properties"]["beats"]["anyOf"]
    firsts = [next(iter(branch["properties"])) for branch in branches]
    assert firsts == ["persona:builder", "persona:builder-twin"]
    assert strict_problems(schema) == []
    assert "default" not in json.dumps(schema)


def test_the_discriminator_is_accepted_and_dropped_by_validation(
    personas: dict[str, Persona],
) -> None:
    builder = personas["builder"]
    model = verdict_model(builder)
    beats = {beat.id: f"A note about {beat.label}." for beat in builder.beats}
    beats_model = model.model_fields["beats"].annotation
    assert beats_model is not None
    checked = beats_model.model_validate({"persona:builder": "builder", **beats})
    assert checked.model_dump() == beats


def test_panel_schema_wire_prints_the_sent_order_and_refuses_a_broken_schema(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from panel.cli import main

    assert main(["schema", "--wire"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert all(
        next(iter(branch["properties"])).startswith("persona:")
        for branch in printed["properties"]["beats"]["anyOf"]
    )
    broken = _closed({"a": {"type": "string", "default": "x"}})
    monkeypatch.setattr("panel.inputs.schema.wire_schema", lambda personas, tools: broken)
    assert main(["schema", "--wire"]) == 2
    err = capsys.readouterr().err
    assert "wire schema: $.properties.a:" in err and "'default'" in err
    assert len(err.strip().splitlines()) == 1
