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

Retries are off in the SDK (`max_retries=0`): `RetryingProvider` is the one
layer, and it also covers errors inside an open stream, which the SDK never
retries.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx2

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
)
from panel.providers.pricing import cache_minimum, estimate_tokens
from panel.providers.retry import errors_mapped, retry_after_seconds, status_is_retryable

RETRYABLE_STREAM_ERRORS = {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}
STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "end",
    "stop_sequence": "end",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "refusal": "refusal",
}
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
            provider="anthropic", model=model, label=f"Claude ({model})", is_language_model=True
        )
        self._client = anthropic.AsyncAnthropic(
            api_key=key,
            base_url=base_url or os.environ.get("ANTHROPIC_BASE_URL") or None,
            max_retries=0,
            timeout=timeout,
        )

    def _caches(self, prefix: str) -> bool:
        minimum = cache_minimum("anthropic", self.info.model)
        return minimum is None or estimate_tokens(prefix) >= minimum * CACHE_ESTIMATE_MARGIN

    async def aclose(self) -> None:
        await self._client.close()

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
        params: dict[str, Any] = {
            "model": self.info.model,
            "max_tokens": request.max_tokens,
            "system": [system_block],
            "messages": messages,
            "output_config": {"format": {"type": "json_schema", "schema": request.schema}},
        }
        if request.temperature is not None:
            params["temperature"] = request.temperature
        return params

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        usage: dict[str, int] = {}
        stop_reason: str | None = None
        finished = False
        with errors_mapped(lambda error: map_error(request.cell, error)):
            events = await self._client.messages.create(**self.request_params(request), stream=True)
            started = False
            async for event in events:
                if not started:  # the first event, not the headers: the cache entry is readable now
                    started = True
                    yield Started(rate_limit_headers(events.response.headers))
                if event.type == "message_start":
                    _merge_usage(usage, event.message.usage)
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    yield TextDelta(event.delta.text)
                elif event.type == "message_delta":
                    _merge_usage(usage, event.usage)
                    stop_reason = event.delta.stop_reason or stop_reason
                elif event.type == "message_stop":
                    finished = True
        if not finished:
            raise ProviderError(
                f"cell {request.cell}: the stream ended before message_stop", retryable=True
            )
        yield Finished(
            usage=Usage(
                input_tokens=usage.get("input_tokens", 0),
                output_tokens=usage.get("output_tokens", 0),
                cache_write_tokens=usage.get("cache_creation_input_tokens", 0),
                cache_read_tokens=usage.get("cache_read_input_tokens", 0),
            ),
            stop_reason=STOP_REASONS.get(stop_reason or "", "other"),
            detail=f"stop_reason={stop_reason}",
        )


def _merge_usage(into: dict[str, int], usage: Any) -> None:
    """message_delta usage is cumulative: a later non-null figure replaces an earlier one."""
    for name in (
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    ):
        value = getattr(usage, name, None)
        if value is not None:
            into[name] = value


def map_error(cell: str, error: Exception) -> ProviderError | None:
    if isinstance(error, anthropic.APIStatusError):
        return _status_error(cell, error)
    if isinstance(error, anthropic.APIConnectionError | httpx2.TransportError):
        return ProviderError(
            f"cell {cell}: connection failed ({type(error).__name__})", retryable=True
        )
    return None


def _status_error(cell: str, error: anthropic.APIStatusError) -> ProviderError:
    status = error.status_code
    kind, message = _error_body(error.body)
    if status == 200:  # an `error` event inside an open stream
        return ProviderError(
            f"cell {cell}: error event mid-stream: {kind}: {message}",
            status=status,
            retryable=kind in RETRYABLE_STREAM_ERRORS,
        )
    hint = " (check ANTHROPIC_API_KEY)" if status in (401, 403) else ""
    return ProviderError(
        f"cell {cell}: Anthropic API {status} {kind}: {message}{hint}",
        status=status,
        retryable=status_is_retryable(status),
        retry_after=retry_after_seconds(error.response.headers),
    )


def _error_body(body: object) -> tuple[str, str]:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return str(error.get("type", "error")), str(error.get("message", ""))[:300]
    return "error", str(body)[:300] if body else ""
