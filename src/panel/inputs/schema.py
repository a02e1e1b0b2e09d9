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

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from panel.inputs.strict_rules import strict_problems
from panel.models import QUOTE_ACCEPTED_CHARS, Persona, Record, VerdictBase, Versus

__all__ = [
    "strict_problems",
    "wire_schema",
    "verdict_model",
    "persona_schema",
    "persona_schema_json",
    "output_budget",
    "typical_output_tokens",
]

# Each persona's beats object on the wire starts with its own key, `persona:<id>` (a const): OpenAI
# rejects `anyOf` objects sharing a first key, and personas may share a first beat. Beat ids
# cannot contain ":", so the key never collides with a beat. It is dropped before validation.
TAG_PREFIX = "persona:"

MOVED_TO_DESCRIPTION = {
    "minimum": "at least {}",
    "maximum": "at most {}",
    "minLength": "at least {} characters",
    "maxLength": "at most {} characters",
    "minItems": "at least {} items",
    "maxItems": "at most {} items",
    "pattern": "matching {}",
}


class _Beats(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_tag(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not str(k).startswith(TAG_PREFIX)}
        return data


def _beats_model(persona: Persona) -> type[BaseModel]:
    # The beat's question is asked once, in the persona's profile in the prompt; here its label.
    fields: dict[str, Any] = {
        beat.id: (str, Field(min_length=3, max_length=300, description=beat.label))
        for beat in persona.beats
    }
    name = "Beats_" + persona.id.replace("-", "_")
    return create_model(name, __base__=_Beats, **fields)


def _tagged(beats: dict[str, Any], persona: Persona) -> dict[str, Any]:
    """The beats object with the persona's own first key: a const naming the persona."""
    tag = TAG_PREFIX + persona.id
    constant = {"type": "string", "const": persona.id, "description": f"Always {persona.id!r}."}
    return {
        **beats,
        "description": f"Beats of {persona.id}.",
        "properties": {tag: constant, **beats["properties"]},
        "required": [tag, *beats["required"]],
    }


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
    elif len(tools) == 1:  # a review of one tool: nothing on the panel to pick between
        # always None, so never written into a cell's verdict either
        fields["versus"] = (
            None,
            Field(default=None, exclude=True, description=NO_VERSUS_DESCRIPTION),
        )
    name = "Verdict_" + persona.id.replace("-", "_")
    return create_model(name, __base__=VerdictBase, **fields)


VERSUS_DESCRIPTION = "Of the tools on this panel, the one you would pick for your own use, and why."
NO_VERSUS_DESCRIPTION = "None: a review of one tool has no other tool on the panel to pick."
ONE_TOOL_DESCRIPTION = (
    "A verdict on the one tool under review, reasoning (beats, competitors) before the decision "
    "(verdict, score), then the quote. No `versus`: there is no other tool on this panel to pick."
)


def verdict_model(persona: Persona, tools: Sequence[str] = ()) -> type[VerdictBase]:
    """The pydantic model a verdict of this persona must satisfy (cached per persona content).

    With two or more `tools` (the panel's tool ids) the verdict must name the one the reviewer
    would pick (`versus`); a panel of one tool has nothing to compare, so `versus` must be absent.
    With no `tools` (a persona's verdict outside any panel) `versus` is optional.
    """
    return _verdict_model(persona.model_dump_json(), tuple(tools))


def persona_schema(persona: Persona) -> dict[str, Any]:
    """The exportable JSON Schema of one persona's verdict, limits included.

    It is not tied to a panel: `versus` is shown as optional, its pick as any tool id. Built once
    per persona content (the response cache's key includes it for every cell); a copy is returned.
    """
    return copy.deepcopy(_persona_schema(persona.model_dump_json()))


def persona_schema_json(persona: Persona) -> str:
    """`persona_schema` as JSON text (sorted keys, non-ASCII kept), once per persona content."""
    return _persona_schema_json(persona.model_dump_json())


@cache
def _persona_schema(persona_json: str) -> dict[str, Any]:
    return build_persona_schema(Persona.model_validate_json(persona_json))


@cache
def _persona_schema_json(persona_json: str) -> str:
    return json.dumps(_persona_schema(persona_json), sort_keys=True, ensure_ascii=False)


def build_persona_schema(persona: Persona) -> dict[str, Any]:
    """The schema built afresh (pydantic's generation: milliseconds; see `persona_schema`)."""
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
    alternatives = [_tagged(strictify(_beats_model(p).model_json_schema()), p) for p in personas]
    beats: dict[str, Any] = alternatives[0] if len(alternatives) == 1 else {"anyOf": alternatives}
    properties = base["properties"]
    properties["beats"] = beats
    if len(tools) >= 2:
        versus = strictify(_versus_model(tuple(tools)).model_json_schema())
        versus["description"] = VERSUS_DESCRIPTION
        properties["versus"] = versus
    else:
        del properties["versus"]
        base["description"] = ONE_TOOL_DESCRIPTION
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


# The output limit a verdict needs, sized from the schema: the longest reply its limits allow, in
# tokens (JSON text runs about 3 characters a token), plus room for the little thinking a low
# effort still does (billed as output, inside the limit). A cut reply is asked once more with more.
CHARS_PER_OUTPUT_TOKEN = 3
THINKING_ALLOWANCE = 1024
FREE_TEXT_CHARS = QUOTE_ACCEPTED_CHARS[1]  # a string with no length limit: the quote
UNBOUNDED_ITEMS = 8


# Output tokens of a typical verdict, by part (the output contract in prompts/prefix.j2): what the
# estimate expects and what `--max-cost` reserves for a call before it has seen one.
QUOTE_TOKENS = 200  # about 150 words: 250-1,200 characters are asked for
HEADLINE_TOKENS = 20
BEAT_TOKENS = 25
PICK_TOKENS = 40  # competitors and the one-line pick among the panel's tools
JSON_TOKENS = 60  # keys, quotes and punctuation


def typical_output_tokens(persona: Persona) -> int:
    beats = BEAT_TOKENS * len(persona.beats)
    return QUOTE_TOKENS + HEADLINE_TOKENS + beats + PICK_TOKENS + JSON_TOKENS


def output_budget(personas: list[Persona], tools: Sequence[str] = ()) -> int:
    """max_tokens for a panel: enough for the longest verdict any of its personas may write."""
    schemas = [verdict_model(persona, tools).model_json_schema() for persona in personas]
    chars = max(_longest(schema) for schema in schemas)
    tokens = chars // CHARS_PER_OUTPUT_TOKEN + THINKING_ALLOWANCE
    return -(-tokens // 256) * 256


def _longest(schema: dict[str, Any]) -> int:
    return _chars(schema, schema.get("$defs", {}))


def _chars(node: dict[str, Any], definitions: dict[str, Any]) -> int:
    if "$ref" in node:
        return _chars(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
    if "anyOf" in node:
        return max(_chars(branch, definitions) for branch in node["anyOf"])
    if "enum" in node or "const" in node:
        return max(len(json.dumps(value)) for value in node.get("enum", [node.get("const")]))
    kind = node.get("type")
    if kind == "object":
        properties = node.get("properties", {}).items()
        return 2 + sum(len(name) + 4 + _chars(sub, definitions) for name, sub in properties)
    if kind == "array":
        item = _chars(node.get("items", {}), definitions) + 2
        return 2 + int(node.get("maxItems", UNBOUNDED_ITEMS)) * item
    if kind == "string":
        return 2 + int(node.get("maxLength", FREE_TEXT_CHARS))
    if kind in ("integer", "number"):
        return len(str(node.get("maximum", 10**6)))
    return 8
