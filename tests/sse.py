"""Server-sent event bodies in the exact wire format, for respx routes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx


def sse(events: list[tuple[str | None, Any]]) -> bytes:
    """`event:`/`data:` blocks separated by blank lines; a None name gives a bare `data:` line."""
    blocks = []
    for name, data in events:
        payload = data if isinstance(data, str) else json.dumps(data)
        head = f"event: {name}\n" if name else ""
        blocks.append(f"{head}data: {payload}\n\n")
    return "".join(blocks).encode()


def claude_events(
    text_chunks: list[str],
    *,
    stop_reason: str = "end_turn",
    input_tokens: int = 40,
    cache_write: int = 0,
    cache_read: int = 0,
    output_tokens: int = 120,
    finish: bool = True,
) -> list[tuple[str | None, Any]]:
    """A Messages API stream that writes `text_chunks` as one text block."""
    events: list[tuple[str | None, Any]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_test",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-sonnet-5-5",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {
                        "input_tokens": input_tokens,
                        "output_tokens": 1,
                        "cache_creation_input_tokens": cache_write,
                        "cache_read_input_tokens": cache_read,
                    },
                },
            },
        ),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        ("ping", {"type": "ping"}),
    ]
    for chunk in text_chunks:
        events.append(
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": chunk},
                },
            )
        )
    if not finish:
        return events
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events


class BrokenStream(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A response body that sends some bytes and then loses the connection."""

    def __init__(self, body: bytes, error: BaseException) -> None:
        self.body, self.error = body, error

    async def __aiter__(self) -> AsyncIterator[bytes]:  # an async byte stream for respx
        yield self.body
        raise self.error

    def __iter__(self) -> Iterator[bytes]:
        yield self.body
        raise self.error

    async def aclose(self) -> None:
        return None

    def close(self) -> None:
        return None


def openai_chunks(
    text_chunks: list[str],
    *,
    finish_reason: str | None = "stop",
    prompt_tokens: int = 1500,
    cached: int = 0,
    completion_tokens: int = 90,
    refusal: str | None = None,
    done: bool = True,
) -> list[tuple[str | None, Any]]:
    """A chat-completions stream: `data:` lines only, ending with `data: [DONE]`."""

    def chunk(
        delta: dict[str, Any], finish: str | None = None, usage: Any = None, choices: bool = True
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-5-mini",
            "choices": [],
        }
        if choices:
            body["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}]
        if usage is not None:
            body["usage"] = usage
        return body

    events: list[tuple[str | None, Any]] = [(None, chunk({"role": "assistant", "content": ""}))]
    events += [(None, chunk({"content": piece})) for piece in text_chunks]
    if refusal:
        events.append((None, chunk({"refusal": refusal})))
    if finish_reason is not None:
        events.append((None, chunk({}, finish_reason)))
        events.append(
            (
                None,
                chunk(
                    {},
                    usage={
                        "prompt_tokens": prompt_tokens,
                        "completion_tokens": completion_tokens,
                        "total_tokens": prompt_tokens + completion_tokens,
                        "prompt_tokens_details": {"cached_tokens": cached},
                    },
                    choices=False,
                ),
            )
        )
    if done:
        events.append((None, "[DONE]"))
    return events
