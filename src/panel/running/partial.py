"""An incremental (push) JSON parser for streamed structured output.

Re-parsing the whole buffer at every delta, as partial-JSON helpers do, costs
time quadratic in the length of the reply. This parser keeps its state between
`feed` calls and looks at every character once, so the work per delta depends
only on the delta. It exposes the top-level fields completed so far, which is
what the live grid needs: `verdict` and `score` stream first and are known
long before the quote is finished.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_STRING_STOP = re.compile(r'["\\]')
_NUMBER_CHARS = frozenset("0123456789+-.eE")
_LITERALS = {"true": True, "false": False, "null": None}
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WHITESPACE = frozenset(" \t\r\n")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _paired(string: str) -> str:
    """`\\ud83d\\ude00` escapes (read one at a time, perhaps in different deltas) joined into
    the one character they encode; a lone half, which no text can hold, becomes U+FFFD."""
    if not _SURROGATE.search(string):
        return string
    return string.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class PartialJSONError(ValueError):
    """The stream is not JSON; `position` is the character offset where it went wrong."""

    def __init__(self, message: str, position: int) -> None:
        self.position = position
        super().__init__(f"{message} at character {position}")


class IncrementalJSON:
    """Feed text as it arrives; read `fields` (completed top-level members) at any time."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.done = False
        self.value: Any = None
        self._stack: list[dict[str, Any] | list[Any]] = []
        self._keys: list[str | None] = []
        self._state = "value"
        self._token: list[str] = []  # characters of the string, number or literal being read
        self._string_is_key = False
        self._escape: str | None = None  # pending escape sequence, possibly split across deltas
        self._position = 0

    def feed(self, text: str) -> bool:
        """Consume a delta; return True if a top-level field completed during it."""
        before = len(self.fields)
        index = 0
        while index < len(text):
            index = self._step(text, index)
        self._position += len(text)
        return len(self.fields) != before

    def _fail(self, message: str, index: int) -> PartialJSONError:
        return PartialJSONError(message, self._position + index)

    def _step(self, text: str, index: int) -> int:
        state = self._state
        if state == "string":
            return self._read_string(text, index)
        char = text[index]
        if state == "number":
            if char in _NUMBER_CHARS:
                self._token.append(char)
                return index + 1
            self._finish_number(index)
            return index  # the character after a number is read again in the new state
        if state == "literal":
            return self._read_literal(text, index)
        if char in _WHITESPACE:
            return index + 1
        if self.done:
            raise self._fail("unexpected text after the JSON value", index)
        handler: Callable[[str, int], int] = getattr(self, f"_on_{state}")
        return handler(char, index)

    # -- states between tokens

    def _on_value(self, char: str, index: int) -> int:
        if char == "{":
            self._open({}, "key_or_close")
        elif char == "[":
            self._open([], "value_or_close")
        elif char == '"':
            self._begin_string(is_key=False)
        elif char in "-0123456789":
            self._state, self._token = "number", [char]
        elif char in "tfn":
            self._state, self._token = "literal", [char]
        else:
            raise self._fail(f"expected a JSON value, found {char!r}", index)
        return index + 1

    def _on_value_or_close(self, char: str, index: int) -> int:
        if char == "]":
            self._close(index)
            return index + 1
        return self._on_value(char, index)

    def _on_key_or_close(self, char: str, index: int) -> int:
        if char == "}":
            self._close(index)
            return index + 1
        return self._on_key(char, index)

    def _on_key(self, char: str, index: int) -> int:
        if char != '"':
            raise self._fail(f"expected a quoted key, found {char!r}", index)
        self._begin_string(is_key=True)
        return index + 1

    def _on_colon(self, char: str, index: int) -> int:
        if char != ":":
            raise self._fail(f"expected ':', found {char!r}", index)
        self._state = "value"
        return index + 1

    def _on_comma_or_close(self, char: str, index: int) -> int:
        container = self._stack[-1]
        if char == ",":
            self._state = "key" if isinstance(container, dict) else "value"
        elif char in "}]":
            if (char == "}") != isinstance(container, dict):
                raise self._fail(f"mismatched {char!r}", index)
            self._close(index)
        else:
            raise self._fail(f"expected ',' or a closing bracket, found {char!r}", index)
        return index + 1

    # -- tokens

    def _begin_string(self, *, is_key: bool) -> None:
        self._state, self._token, self._string_is_key = "string", [], is_key

    def _read_string(self, text: str, index: int) -> int:
        if self._escape is not None:
            return self._read_escape(text, index)
        match = _STRING_STOP.search(text, index)
        if match is None:
            self._token.append(text[index:])
            return len(text)
        self._token.append(text[index : match.start()])
        if match.group() == "\\":
            self._escape = ""
            return match.end()
        string = _paired("".join(self._token))
        if self._string_is_key:
            if string in self._stack[-1]:  # json.loads keeps the last; another reader the first
                raise self._fail(f"an object names {string[:40]!r} twice", match.start())
            self._keys[-1] = string
            self._state = "colon"
        else:
            self._complete(string)
        return match.end()

    def _read_escape(self, text: str, index: int) -> int:
        assert self._escape is not None
        self._escape += text[index]
        escape = self._escape
        if escape[0] == "u":
            if len(escape) < 5:
                return index + 1
            try:
                self._token.append(chr(int(escape[1:], 16)))
            except ValueError as exc:
                raise self._fail(f"bad unicode escape \\{escape}", index) from exc
        elif escape in _ESCAPES:
            self._token.append(_ESCAPES[escape])
        else:
            raise self._fail(f"bad escape \\{escape}", index)
        self._escape = None
        return index + 1

    def _finish_number(self, index: int) -> None:
        literal = "".join(self._token)
        try:
            number = json.loads(literal)
        except ValueError as exc:
            raise self._fail(f"bad number {literal[:40]!r}", index) from exc
        self._complete(number)

    def _read_literal(self, text: str, index: int) -> int:
        self._token.append(text[index])
        word = "".join(self._token)
        if word in _LITERALS:
            self._complete(_LITERALS[word])
        elif not any(name.startswith(word) for name in _LITERALS):
            raise self._fail(f"bad literal {word!r}", index)
        return index + 1

    # -- containers

    def _open(self, container: dict[str, Any] | list[Any], state: str) -> None:
        self._stack.append(container)
        self._keys.append(None)
        self._state = state

    def _close(self, index: int) -> None:
        container = self._stack.pop()
        self._keys.pop()
        self._complete(container)

    def _complete(self, value: Any) -> None:
        """Attach a finished value to its parent; at depth 1 it becomes a visible field."""
        self._token = []
        if not self._stack:
            self.value, self.done, self._state = value, True, "end"
            return
        parent = self._stack[-1]
        if isinstance(parent, dict):
            key = self._keys[-1]
            assert key is not None
            parent[key] = value
            if len(self._stack) == 1:
                self.fields[key] = value
        else:
            parent.append(value)
        self._state = "comma_or_close"

    def _on_end(self, char: str, index: int) -> int:
        raise self._fail("unexpected text after the JSON value", index)

    def finish(self) -> Any:
        """The complete value; raises if the stream stopped part-way."""
        if self._state == "number" and not self._stack:
            self._finish_number(0)
        if not self.done:
            raise PartialJSONError("the reply ended before the JSON was complete", self._position)
        return self.value
