"""Replies the emulator writes: JSON valid for the schema in the request.

Generic over JSON Schema (objects, anyOf, enums, strings, numbers, arrays),
with two panel-aware touches so panel's own stricter checks pass: among
`anyOf` alternatives it picks the one of the persona the prompt names (or
whose property names the prompt mentions), and a `quote` is a first-person
text sized to the requested output length that ends on the verdict chosen
earlier.
"""

from __future__ import annotations

from typing import Any

WORDS = (
    "I",
    "tested",
    "the",
    "streaming",
    "path",
    "and",
    "the",
    "cache",
    "numbers",
    "hold",
    "up",
    "under",
    "load",
)


def fill_schema(
    schema: dict[str, Any],
    prompt: str,
    output_tokens: int,
    *,
    state_call: bool = True,
    opposite_call: bool = False,
    revised: bool = False,
) -> Any:
    """`revised`: a reply to a re-ask, whose quote says so (so it differs from the first) and
    states its own call; `opposite_call`: a first reply's quote calls the opposite."""
    filler = _Filler(prompt, output_tokens, state_call)
    filler.revised = revised
    filler.opposite = opposite_call and not revised
    return filler.value(schema, "")


def is_grading(schema: dict[str, Any]) -> bool:
    """A grader request (`--grader`): its schema asks for a call and the words making it."""
    return set(schema.get("properties", {})) == {"call", "words"}


def grading(call: str) -> dict[str, str]:
    words = {"ship": "worth adopting", "skip": "steer clear for now", "none": ""}
    return {"call": call, "words": words.get(call, "")}


class _Filler:
    def __init__(self, prompt: str, output_tokens: int, state_call: bool = True) -> None:
        self.prompt = prompt
        self.output_tokens = output_tokens
        self.state_call = state_call
        self.revised = False
        self.opposite = False
        self.chosen: dict[str, Any] = {}

    def value(self, schema: dict[str, Any], name: str) -> Any:
        if "anyOf" in schema:
            return self.value(self._pick(schema["anyOf"]), name)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            self.chosen[name] = schema["enum"][0]
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object":
            return {key: self.value(sub, key) for key, sub in schema.get("properties", {}).items()}
        if kind == "array":
            return [self.value(schema.get("items", {"type": "string"}), name)]
        if kind == "integer":
            self.chosen[name] = 7
            return 7
        if kind == "number":
            return 0.5
        if kind == "boolean":
            return True
        return self._text(name)

    def _pick(self, alternatives: list[dict[str, Any]]) -> dict[str, Any]:
        for alternative in alternatives:  # "Beats of skeptic." for the cell of `skeptic`
            owner = str(alternative.get("description", "")).removeprefix("Beats of ").rstrip(".")
            if owner and f"(`{owner}`)" in self.prompt:
                return alternative
        for alternative in alternatives:
            properties = alternative.get("properties", {})
            names = [key for key, sub in properties.items() if "const" not in sub]
            if names and all(f"`{key}`" in self.prompt for key in names):
                return alternative
        return alternatives[0]

    def _text(self, name: str) -> str:
        if name == "quote":
            verdict = self.chosen.get("verdict", "ship")
            # JSON around the quote takes roughly 150 tokens; a word is about 1.5 tokens here.
            count = max(70, int((self.output_tokens - 150) / 1.5))
            words = [WORDS[i % len(WORDS)] for i in range(count)]
            if self.revised:
                words.insert(0, "Revised:")
            if not self.state_call:  # no call in words: the rules find none, a grader decides
                return " ".join(words) + "."
            if self.opposite:
                verdict = "skip" if verdict == "ship" else "ship"
            return " ".join(words) + f". That is why I call it a {verdict}."
        if name == "headline":
            return "Emulated headline for a review"
        return f"An emulated line about {name or 'this'}."
