"""Claude through the official `anthropic` SDK (async client).

Structured output: native JSON-schema output (`output_config.format`), not a
forced tool call. Forced `tool_choice` returns HTTP 400 on the newest models
(Opus 5.5, Sonnet 5.5), while native structured output works on every
current model, so it is the only default that works everywhere. The JSON
arrives as text deltas, which `panel.running.structured` parses incrementally.

We read the raw event stream (`messages.create(stream=True)`) rather than
the SDK's parsed helper: the helper re-parses the whole snapshot at every
delta (quadratic), and with `max_tokens` it raises a validation error before
the event carrying `stop_reason` arrives, hiding why the reply was cut.

Prompt caching: the panel's shared prefix is one system block carrying a
`cache_control` breakpoint; the cell's own assignment follows in the user
turn. The wire schema is identical across the cells of a panel, because a
change to `output_config.format` would invalidate the cache.

Thinking: Claude 5.x thinks adaptively, billed as output within `max_tokens`,
so `output_config.effort` is set low where the model takes it. `temperature` is
never sent (SDK 2.12+ and API version 2026-10-21 reject it).

Retries are off in the SDK (`max_retries=0`): `RetryingProvider` is the one
layer, and it also covers errors inside an open stream, which the SDK never
retries.

The first call does not wait for `import anthropic` (most of a second):
`wire_request` writes the request the SDK is about to send, and it leaves at
once while the SDK loads; the SDK then takes up its response
(`panel.providers.head_start`).
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from panel.errors import InputError, ProviderError
from panel.models import ModelInfo, Usage
from panel.providers.base import (
    Event,
    Finished,
    Started,
    StopReason,
    StructuredRequest,
    TextDelta,
    rate_limit_headers,
    token_count,
)
from panel.providers.claude_client import DEFAULT_BASE_URL, anthropic_client
from panel.providers.claude_errors import REQUEST_ERRORS, error_body, map_error
from panel.providers.pricing import cache_minimum, estimate_tokens
from panel.providers.retry import errors_mapped
from panel.providers.sdk import ConnectionDropped, LazyClient, one_line, unreadable_reply
from panel.providers.traits import claude_takes_effort, model_label
from panel.urls import public_url

if TYPE_CHECKING:
    from panel.providers.head_start import WireRequest

STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "end",
    "stop_sequence": "end",
    "tool_use": "end",  # panel offers no tools: a tool_use block can only carry the JSON asked for
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "context_window",
    "refusal": "refusal",
}
# The blocks the reply's JSON is in: native structured output's text, or a tool's input. A
# server tool's input (`server_tool_use`) streams `input_json_delta`s too, and thinking its own.
REPLY_BLOCKS = {"text", "tool_use"}
# Claude 5.x thinks adaptively by default, billed as output within max_tokens: bound it.
EFFORT = "low"
USAGE_FIELDS = {
    "input_tokens": "input_tokens",
    "output_tokens": "output_tokens",
    "cache_creation_input_tokens": "cache_write_tokens",
    "cache_read_input_tokens": "cache_read_tokens",
}
# What the first request sends before the SDK has loaded (see panel.providers.head_start): the
# SDK's API version and default base URL, and the fields panel sends in the order the SDK writes,
# as anthropic 2.15 does (tests/test_head_start.py holds them to the installed SDK).
SDK_WRITTEN = (2, 15)
API_VERSION = "2026-10-21"
SDK_BODY_ORDER = ("max_tokens", "messages", "model", "output_config", "stream", "system")
# Below this share of the model's minimum, the estimate is clearly short: no breakpoint is sent.
CACHE_ESTIMATE_MARGIN = 0.8


class ClaudeProvider:
    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        key = api_key or os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise InputError(
                "ANTHROPIC_API_KEY is not set: export it, or run with --model offline (no key "
                "needed)"
            )
        self.info = ModelInfo(
            provider="anthropic",
            model=model,
            label=model_label("anthropic", model, base_url),
            is_language_model=True,
        )
        base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL") or None
        self.sdk = LazyClient(anthropic_client, api_key=key, base_url=base_url, timeout=timeout)
        endpoint = base_url or "https://api.anthropic.com"
        self.info = self.info.model_copy(update={"endpoint": public_url(endpoint.rstrip("/"))})

    def _caches(self, prefix: str) -> bool:
        minimum = cache_minimum("anthropic", self.info.model)
        return minimum is None or estimate_tokens(prefix) >= minimum * CACHE_ESTIMATE_MARGIN

    async def aclose(self) -> None:
        await self.sdk.aclose()

    def notes(self, shared_prefix: str) -> list[str]:
        minimum = cache_minimum("anthropic", self.info.model)
        if self._caches(shared_prefix) or minimum is None:
            return []
        return [
            f"the shared prompt prefix is about {estimate_tokens(shared_prefix)} tokens, below the "
            f"{minimum}-token minimum {self.info.model} caches: prompt caching will not apply to "
            "this panel"
        ]

    def request_params(self, request: StructuredRequest) -> dict[str, Any]:
        """The Messages API parameters for a cell (exposed for tests and benchmarks)."""
        system_block: dict[str, Any] = {"type": "text", "text": request.system}
        if self._caches(request.system):
            system_block["cache_control"] = {"type": "ephemeral", "ttl": request.cache_ttl}
        messages: list[dict[str, Any]] = [{"role": "user", "content": request.prompt}]
        for turn in request.history:
            messages.append({"role": "assistant", "content": turn.assistant})
            messages.append({"role": "user", "content": turn.user})
        output_config: dict[str, Any] = {
            "format": {"type": "json_schema", "schema": request.schema}
        }
        model = request.model or self.info.model  # a grader request names a smaller model
        if claude_takes_effort(model):
            output_config["effort"] = EFFORT
        # No `temperature`, ever: SDK 2.12+ refuses the argument and API 2026-10-21 rejects it.
        return {
            "model": model,
            "max_tokens": request.max_tokens,
            "system": [system_block],
            "messages": messages,
            "output_config": output_config,
        }

    def wire_request(self, params: dict[str, Any]) -> WireRequest | None:
        """`messages.create(**params, stream=True)` as the SDK sends it, for a head start; None
        for an SDK older than the one it is written for, or where the SDK adds headers of the
        user's choosing (`ANTHROPIC_CUSTOM_HEADERS`, merged its own way)."""
        from panel.providers.head_start import WireRequest, joined_url, sdk_body, stainless_headers

        agent = stainless_headers("anthropic", user_agent="AsyncAnthropic", written_for=SDK_WRITTEN)
        if agent is None or "ANTHROPIC_CUSTOM_HEADERS" in os.environ:
            return None
        options = self.sdk.options
        headers = {
            "x-stainless-timeout": "NOT_GIVEN",  # what the SDK writes for a call that set none
            "x-stainless-retry-count": "0",
            "x-stainless-read-timeout": str(options["timeout"]),
            "Accept": "application/json",
            "Content-Type": "application/json",
            **agent,
            "Authorization": f"Bearer {options['api_key']}",
            "X-Stainless-Async": "async:asyncio",
            "anthropic-version": API_VERSION,
        }
        return WireRequest(
            method="POST",
            url=joined_url(options["base_url"] or DEFAULT_BASE_URL, "/v1/messages"),
            headers=headers,
            body=sdk_body({**params, "stream": True}, SDK_BODY_ORDER),
            timeout=options["timeout"],
        )

    counting_method = "counted by Anthropic's messages.count_tokens"

    async def count_input_tokens(self, request: StructuredRequest) -> int:
        """Input tokens of the cell's request, from the free token-counting endpoint."""
        params = self.request_params(request)
        for name in ("max_tokens", "temperature"):
            params.pop(name, None)
        with errors_mapped(lambda error: map_error(request.cell, error)):
            client = await self.sdk.loaded()
            counted = await client.messages.count_tokens(**params)
        return int(counted.input_tokens)

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        reply = ClaudeReply()
        try:
            try:
                with errors_mapped(lambda error: map_error(request.cell, error)):
                    params = self.request_params(request)
                    async with self.sdk.ready(lambda: self.wire_request(params)) as client:
                        events = await client.messages.create(**params, stream=True)
                mapped = errors_mapped(lambda error: map_error(request.cell, error))
                with mapped, unreadable_reply(request.cell):  # the reply read as the API sends it
                    headers = rate_limit_headers(events.response.headers)
                    if _is_whole_document(events.response):  # a gateway that ignored `stream`
                        message = json.loads(await events.response.aread())
                        yield Started(headers)
                        text, reply.stop_reason = _whole_message(request.cell, message, reply.tally)
                        if text:
                            yield TextDelta(text)
                        reply.finished = True
                    else:
                        started = False
                        async for event in events:
                            if not started:  # the first event, not the headers: cache readable
                                started = True
                                yield Started(headers)
                            if text := reply.take(event):
                                yield TextDelta(text)
            except ConnectionDropped:
                if not reply.complete:
                    raise
                # Only message_stop was lost with the connection: the reply and its final usage
                # (message_delta) had all arrived, and a retry would pay for it twice.
            if not reply.complete:
                raise ProviderError(
                    f"cell {request.cell}: the stream ended before message_stop", retryable=True
                )
        except ProviderError as error:
            tally = reply.tally
            error.usage = tally.usage() if tally.seen else None  # a discarded attempt is paid too
            raise
        yield Finished(
            usage=reply.tally.final_usage(),
            stop_reason=STOP_REASONS.get(reply.stop_reason or "", "other"),
            detail=f"stop_reason={reply.stop_reason}{reply.stop_details}",
        )


class ClaudeReply:
    """One streamed Message read event by event: its usage, stop reason and JSON text."""

    def __init__(self) -> None:
        self.tally = UsageTally()
        self.stop_reason: str | None = None
        self.stop_details = ""  # a refusal's category and explanation, when the API gives them
        self.finished = False  # message_stop arrived
        self.blocks: dict[int, str] = {}  # each content block's type, by index

    @property
    def complete(self) -> bool:
        """Everything billed and said has arrived: message_stop, or the message_delta with the
        stop reason and final usage (which follows the last content block)."""
        return self.finished or self.stop_reason is not None

    def take(self, event: Any) -> str:
        """Note what an event says; return the JSON text it carries."""
        if event.type == "message_start":
            self.tally.add(_usage_of(event.message))
        elif event.type == "content_block_start":
            block = getattr(event, "content_block", None)
            self.blocks[getattr(event, "index", 0)] = str(getattr(block, "type", "text"))
        elif event.type == "content_block_delta":
            if self.blocks.get(getattr(event, "index", 0), "text") in REPLY_BLOCKS:
                return _json_text(event.delta)
        elif event.type == "message_delta":
            self.tally.add(_usage_of(event), final=True)
            if event.delta.stop_reason:  # a word, whatever a server sends
                self.stop_reason = str(event.delta.stop_reason)
            self.stop_details = _stop_details(getattr(event.delta, "stop_details", None))
        elif event.type == "message_stop":
            self.finished = True
        return ""


def _stop_details(details: Any) -> str:
    """A refusal's `stop_details` (category, explanation) as words after the stop reason."""
    if details is None:
        return ""
    parts = (getattr(details, "category", None), getattr(details, "explanation", None))
    said = [str(part) for part in parts if part]
    return f" ({one_line(': '.join(said), 200)})" if said else ""


def _usage_of(part: Any) -> dict[str, Any]:
    """An event's usage as sent; none at all when a gateway left it out."""
    usage = getattr(part, "usage", None)
    return usage.to_dict(warnings=False) if usage is not None else {}  # odd values: read below


def _is_whole_document(response: Any) -> bool:
    return str(response.headers.get("content-type", "")).startswith("application/json")


def _whole_message(cell: str, message: Any, tally: UsageTally) -> tuple[str, str | None]:
    """A non-streamed Message: its JSON text (text blocks, or a tool's input) and stop reason."""
    if not isinstance(message, dict) or message.get("type") == "error":
        kind, text = error_body(message)
        raise ProviderError(
            f"cell {cell}: error instead of a message: {kind}: {text}",
            retryable=kind not in REQUEST_ERRORS,
        )
    tally.add(message.get("usage") or {}, final=True)
    parts = []
    for block in message.get("content") or []:
        if block.get("type") == "text":
            parts.append(str(block.get("text") or ""))
        elif block.get("type") == "tool_use":
            parts.append(json.dumps(block.get("input")))
    reason = message.get("stop_reason")
    return "".join(parts), str(reason) if reason else None


def _json_text(delta: Any) -> str:
    """The reply's JSON: text deltas (native structured output) or a tool's input fragments."""
    if delta.type == "text_delta":
        return str(delta.text)
    if delta.type == "input_json_delta":
        return str(delta.partial_json)
    return ""


class UsageTally:
    """A stream's usage, merged as the API reports it.

    `message_start` holds the input side; `message_delta` usage is cumulative and, since late
    2025, repeats the input and cache counts: a key it carries replaces the earlier figure, so
    nothing is counted twice. With server-side compaction the truth is the per-step list
    `usage.iterations[]`, each step billed: when present, the steps are summed instead.
    `final` marks the reply's closing usage (`message_delta`, a whole message's). Without an
    input count, or the closing output count (a gateway left usage out), the reply's cost is
    unknown: it is said so, never taken as the counts that did come.
    """

    def __init__(self) -> None:
        self.seen = False
        self.input_known = self.output_known = False
        self._latest: dict[str, int] = {}
        self._iterations: list[dict[str, Any]] = []

    def add(self, usage: dict[str, Any], *, final: bool = False) -> None:
        self.seen = True
        self.input_known |= usage.get("input_tokens") is not None
        self.output_known |= final and usage.get("output_tokens") is not None
        self._latest.update(
            {
                key: token_count(value)
                for key, value in usage.items()
                if key in USAGE_FIELDS and value is not None
            }
        )
        iterations = usage.get("iterations")
        if isinstance(iterations, list) and iterations:
            self._iterations = [step for step in iterations if isinstance(step, dict)]

    def usage(self) -> Usage:
        if self._iterations:
            steps = self._iterations
            totals = {
                key: sum(token_count(step.get(key)) for step in steps) for key in USAGE_FIELDS
            }
        else:
            totals = {key: self._latest.get(key, 0) for key in USAGE_FIELDS}
        return Usage.model_validate({USAGE_FIELDS[key]: value for key, value in totals.items()})

    def final_usage(self) -> Usage:
        """A finished reply's usage: not reported when its closing output count never came."""
        reported = self.input_known and self.output_known
        return self.usage().model_copy(update={"reported": reported})
