"""Every rule of both providers' strict structured-output modes, checked before a call.

As documented (shared/PROVIDERS.md): every object closes with
`additionalProperties: false` and requires every property (OpenAI, Claude);
only the keywords both accept (Claude rejects numeric and length limits and
patterns; OpenAI rejects `default`); no recursive `$ref` (Claude); the objects
offered by an `anyOf` must not share the same first key (OpenAI answers 400
"Objects provided via 'anyOf' must not share identical first keys"); the root
is an object. Each problem names the offending JSON path in the schema
document (`$.properties.beats.anyOf[1]`), so `jq` finds it.
"""

from __future__ import annotations

from typing import Any

# Keywords both strict modes accept.
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
}
WHY_REJECTED = {
    "default": "OpenAI strict mode answers 400 \"'default' is not permitted\"",
    "minimum": "Claude rejects numeric limits (put them in the description)",
    "maximum": "Claude rejects numeric limits (put them in the description)",
    "exclusiveMinimum": "Claude rejects numeric limits (put them in the description)",
    "exclusiveMaximum": "Claude rejects numeric limits (put them in the description)",
    "multipleOf": "Claude rejects numeric limits (put them in the description)",
    "minLength": "Claude rejects length limits (put them in the description)",
    "maxLength": "Claude rejects length limits (put them in the description)",
    "minItems": "Claude rejects length limits (put them in the description)",
    "maxItems": "Claude rejects length limits (put them in the description)",
    "pattern": "Claude rejects patterns (put them in the description)",
}


def strict_problems(schema: Any) -> list[str]:
    """What either strict structured-output mode would reject, one line per problem."""
    if not isinstance(schema, dict):
        return ["$: the schema must be a JSON object"]
    problems = []
    if schema.get("type") != "object":
        problems.append("$: the root must be an object (both strict modes)")
    definitions = schema.get("$defs", {}) if isinstance(schema.get("$defs"), dict) else {}
    problems += _node(schema, "$", definitions)
    problems += _recursion(definitions)
    return problems


def _node(node: Any, path: str, definitions: dict[str, Any]) -> list[str]:
    if not isinstance(node, dict):
        return [] if isinstance(node, bool) else [f"{path}: a schema must be an object"]
    problems = [
        f"{path}: keyword {key!r} is not accepted by strict structured output"
        + (f": {WHY_REJECTED[key]}" if key in WHY_REJECTED else "")
        for key in node
        if key not in STRICT_KEYWORDS
    ]
    if node.get("type") == "object" or "properties" in node:
        problems += _object_rules(node, path)
    for name, sub in (node.get("properties") or {}).items():
        problems += _node(sub, f"{path}.properties.{name}", definitions)
    if "items" in node:
        problems += _node(node["items"], f"{path}.items", definitions)
    if "anyOf" in node:
        problems += _any_of(node["anyOf"], f"{path}.anyOf", definitions)
    for name, sub in (node.get("$defs") or {}).items():
        problems += _node(sub, f"{path}.$defs.{name}", definitions)
    return problems


def _object_rules(node: dict[str, Any], path: str) -> list[str]:
    problems = []
    if node.get("additionalProperties") is not False:
        problems.append(f"{path}: object must set additionalProperties: false (both strict modes)")
    missing = [
        name for name in node.get("properties") or {} if name not in node.get("required", [])
    ]
    if missing:
        problems.append(
            f"{path}: every property must be required (missing: {', '.join(missing)}); "
            "make an optional one nullable instead"
        )
    return problems


def _any_of(branches: Any, path: str, definitions: dict[str, Any]) -> list[str]:
    if not isinstance(branches, list) or not branches:
        return [f"{path}: anyOf must be a non-empty list"]
    problems: list[str] = []
    first_keys: dict[str, int] = {}
    for index, branch in enumerate(branches):
        problems += _node(branch, f"{path}[{index}]", definitions)
        first = _first_key(_resolved(branch, definitions))
        if first is None:
            continue
        if first in first_keys:
            problems.append(
                f"{path}[{index}]: first key {first!r} is also the first key of "
                f"anyOf[{first_keys[first]}]: OpenAI rejects anyOf objects sharing identical "
                "first keys (put a distinct const key first in each)"
            )
        else:
            first_keys[first] = index
    return problems


def _resolved(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return definitions.get(node["$ref"].rsplit("/", 1)[-1], node)
    return node


def _first_key(node: Any) -> str | None:
    properties = node.get("properties") if isinstance(node, dict) else None
    return next(iter(properties), None) if isinstance(properties, dict) else None


def _recursion(definitions: dict[str, Any]) -> list[str]:
    """A `$ref` cycle among the definitions (Claude rejects recursive schemas)."""
    edges = {name: _refs(body) for name, body in definitions.items()}
    problems = []
    for start in definitions:
        seen: set[str] = set()
        todo = list(edges[start])
        while todo:
            name = todo.pop()
            if name == start:
                problems.append(
                    f"$.$defs.{start}: refers to itself through $ref: Claude rejects recursive "
                    "schemas"
                )
                break
            if name not in seen and name in edges:
                seen.add(name)
                todo += edges[name]
    return problems


def _refs(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
    return found.union(*(_refs(value) for value in node.values()))
