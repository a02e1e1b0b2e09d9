"""Output schemas: one pydantic model per persona, and the schema sent over the wire.

Each persona's verdict is the common verdict plus an object holding that
persona's beats as required fields, so a review that skips a beat fails
validation here, whatever the provider enforced.

The schema sent to the provider must be identical for every cell of a panel:
changing it invalidates Claude's prompt cache. So the wire schema offers the
beats of every panel persona as `anyOf` alternatives (each a closed object),
and the persona's own model does the exact check locally. Both providers'
strict modes reject numeric and length limits; those move into descriptions
and are enforced by the pydantic model instead.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from panel.models import Persona, Record, VerdictBase, Versus

# Keywords both strict modes accept. Anything else is either moved into the
# description (limits the model should respect) or refused by `strict_problems`.
STRICT_KEYWORDS = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "description",
    "title",
    "$defs",
    "$ref",
    "default",
}
MOVED_TO_DESCRIPTION = {
    "minimum": "at least {}",
    "maximum": "at most {}",
    "minLength": "at least {} characters",
    "maxLength": "at most {} characters",
    "minItems": "at least {} items",
    "maxItems": "at most {} items",
    "pattern": "matching {}",
}


def _beats_model(persona: Persona) -> type[BaseModel]:
    # The beat's question is asked once, in the persona's profile in the prompt; here its label.
    fields: dict[str, Any] = {
        beat.id: (str, Field(min_length=3, max_length=300, description=beat.label))
        for beat in persona.beats
    }
    name = "Beats_" + persona.id.replace("-", "_")
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


def _versus_model(tools: tuple[str, ...]) -> type[Versus]:
    pick: Any = Literal[tools]  # the panel's own tool ids, and nothing else
    return create_model(
        "Versus_panel",
        __base__=Versus,
        pick=(pick, Field(description="The id of the tool you would pick for your own use.")),
    )


@cache
def _verdict_model(persona_json: str, tools: tuple[str, ...]) -> type[VerdictBase]:
    persona = Persona.model_validate_json(persona_json)
    fields: dict[str, Any] = {
        "beats": (_beats_model(persona), Field(description="One terse note per beat."))
    }
    if len(tools) >= 2:
        fields["versus"] = (_versus_model(tools), Field(description=VERSUS_DESCRIPTION))
    name = "Verdict_" + persona.id.replace("-", "_")
    return create_model(name, __base__=VerdictBase, **fields)


VERSUS_DESCRIPTION = "Of the tools on this panel, the one you would pick for your own use, and why."


def verdict_model(persona: Persona, tools: Sequence[str] = ()) -> type[VerdictBase]:
    """The pydantic model a verdict of this persona must satisfy (cached per persona content).

    With two or more `tools` (the panel's tool ids) the verdict must name the one the reviewer
    would pick (`versus`); a panel of one tool has nothing to compare, so no `versus`.
    """
    return _verdict_model(persona.model_dump_json(), tuple(tools))


def persona_schema(persona: Persona) -> dict[str, Any]:
    """The exportable JSON Schema of one persona's verdict, limits included.

    It is not tied to a panel: `versus` is shown as optional, its pick as any tool id.
    """
    return verdict_model(persona).model_json_schema()


def record_schema() -> dict[str, Any]:
    return Record.model_json_schema()


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def default_schemas(personas: dict[str, Persona]) -> dict[str, dict[str, Any]]:
    """The schemas committed under `schemas/`, by file name."""
    schemas = {"record.schema.json": record_schema()}
    schemas.update({f"verdict-{pid}.schema.json": persona_schema(p) for pid, p in personas.items()})
    return schemas


def wire_schema(personas: list[Persona], tools: Sequence[str]) -> dict[str, Any]:
    """The strict schema sent to the provider: the same for every cell of the panel.

    Properties stream in order: beats, competitors and the pick first, then verdict and score,
    then the quote. Every property is required (strict mode); `versus` exists only when the
    panel has two or more tools.
    """
    base = strictify(VerdictBase.model_json_schema())
    alternatives = [strictify(_beats_model(p).model_json_schema()) for p in personas]
    for alternative, persona in zip(alternatives, personas, strict=True):
        alternative["description"] = f"Beats of {persona.id}."
    beats: dict[str, Any] = alternatives[0] if len(alternatives) == 1 else {"anyOf": alternatives}
    properties = base["properties"]
    properties["beats"] = beats
    if len(tools) >= 2:
        versus = strictify(_versus_model(tuple(tools)).model_json_schema())
        versus["description"] = VERSUS_DESCRIPTION
        properties["versus"] = versus
    else:
        del properties["versus"]
    base["required"] = list(properties)
    base["title"] = "PanelVerdict"
    return base


def strictify(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy that strict structured-output modes accept: inlined, closed, all required, no
    limits."""
    schema = copy.deepcopy(schema)
    definitions = schema.pop("$defs", {})
    strict: dict[str, Any] = _strict_node(schema, definitions)
    return strict


def _strict_node(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strict_node(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = definitions[node["$ref"].rsplit("/", 1)[-1]]
        return _strict_node(
            {**copy.deepcopy(target), **{k: v for k, v in node.items() if k != "$ref"}}, definitions
        )
    notes = [text.format(node[key]) for key, text in MOVED_TO_DESCRIPTION.items() if key in node]
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in MOVED_TO_DESCRIPTION or key == "default":
            continue
        if key == "properties":
            result[key] = {name: _strict_node(sub, definitions) for name, sub in value.items()}
        elif key in ("items", "anyOf"):
            result[key] = _strict_node(value, definitions)
        else:
            result[key] = value
    if notes:
        result["description"] = "; ".join(filter(None, [result.get("description", ""), *notes]))
    if result.get("type") == "object":
        result["additionalProperties"] = False
        result["required"] = list(result.get("properties", {}))
    return result


def strict_problems(schema: Any, path: str = "$") -> list[str]:
    """What a strict structured-output mode (OpenAI's and Claude's alike) would reject."""
    problems: list[str] = []
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            problems += strict_problems(item, f"{path}[{index}]")
        return problems
    if not isinstance(schema, dict):
        return problems
    for key in schema:
        if key not in STRICT_KEYWORDS:
            problems.append(f"{path}: keyword {key!r} is not accepted by strict structured output")
    if schema.get("type") == "object":
        if schema.get("additionalProperties") is not False:
            problems.append(f"{path}: object must set additionalProperties: false")
        missing = set(schema.get("properties", {})) - set(schema.get("required", []))
        if missing:
            problems.append(
                f"{path}: every property must be required (missing: {', '.join(sorted(missing))})"
            )
    for name, sub in schema.get("properties", {}).items():
        problems += strict_problems(sub, f"{path}.{name}")
    for key in ("items", "anyOf"):
        if key in schema:
            problems += strict_problems(schema[key], f"{path}.{key}")
    for name, sub in schema.get("$defs", {}).items():
        problems += strict_problems(sub, f"{path}.$defs.{name}")
    return problems
