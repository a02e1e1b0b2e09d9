"""OpenAI models, and any OpenAI-compatible server, through the official `openai` SDK.

API surface: chat completions, streamed. It is the common ground: OpenAI,
vLLM, Ollama's `/v1` and llama.cpp's server all speak it, with a
`response_format` JSON schema. We do not also use the Responses API for
OpenAI itself: it would be a second wire format to keep right for no gain in
what a panel needs (streamed JSON text, usage with cached tokens).

Strict structured output: the wire schema is already closed and fully
required (`panel.inputs.schema.strictify`). A server that ignores the schema is
caught by validation in `panel.running.structured`: one re-ask, then the cell fails.

Prompt caching is automatic above 1,024 tokens for a byte-identical prefix.
The system message holds the panel's shared prefix and comes first;
`prompt_cache_key` (one per panel) routes the cells to the same cache, and
`prompt_cache_options.ttl` is sent only when asked for. Both are sent to
OpenAI only: compatible servers may reject fields they do not know.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import openai

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

FINISH_REASONS: dict[str, StopReason] = {
    "stop": "end",
    "length": "max_tokens",
    "content_filter": "refusal",
}
NO_KEY_NEEDED = "not-needed"  # local servers accept any key; the SDK insists on one
RETRYABLE_STREAM_ERRORS = {"server_error", "rate_limit_exceeded", "overloaded", None}


class OpenAIProvider:
    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        cache_retention: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key and base_url is None:
            raise InputError(
                "OPENAI_API_KEY is not set: export it, pass --base-url for a local server, "
                "or run with --model offline (no key needed)"
            )
        self.compatible_server = base_url is not None and "api.openai.com" not in base_url
        where = f" at {base_url}" if self.compatible_server else ""
        self.info = ModelInfo(
            provider="openai",
            model=model,
            label=f"OpenAI-compatible ({model}{where})",
            is_language_model=True,
        )
        self.cache_retention = cache_retention
        self._client = openai.AsyncOpenAI(
            api_key=key or NO_KEY_NEEDED, base_url=base_url, max_retries=0, timeout=timeout
        )

    async def aclose(self) -> None:
        await self._client.close()

    def notes(self, shared_prefix: str) -> list[str]:
        minimum = cache_minimum("openai", self.info.model) or 0
        if estimate_tokens(shared_prefix) >= minimum:
            return []
        return [
            f"the shared prompt prefix is about {estimate_tokens(shared_prefix)} tokens, below the "
            f"{minimum}-token minimum for automatic prompt caching: it will not apply to this panel"
        ]

    def request_params(self, request: StructuredRequest) -> dict[str, Any]:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": request.system},
            {"role": "user", "content": request.prompt},
        ]
        for turn in request.history:
            messages.append({"role": "assistant", "content": turn.assistant})
            messages.append({"role": "user", "content": turn.user})
        params: dict[str, Any] = {
            "model": self.info.model,
            "messages": messages,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "panel_verdict", "schema": request.schema, "strict": True},
            },
            "stream_options": {"include_usage": True},
        }
        if self.compatible_server:
            params["max_tokens"] = request.max_tokens
        else:
            params["max_completion_tokens"] = request.max_tokens
            params["prompt_cache_key"] = request.panel_key
            if self.cache_retention:
                params["prompt_cache_options"] = {"ttl": self.cache_retention}
        if request.temperature is not None:
            params["temperature"] = request.temperature
        return params

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        finish_reason: str | None = None
        refusal: list[str] = []
        usage = Usage()
        with errors_mapped(lambda error: map_error(request.cell, error)):
            chunks = await self._client.chat.completions.create(
                **self.request_params(request), stream=True
            )
            started = False
            async for chunk in chunks:
                if not started:  # the first chunk, not the headers: the cache entry is readable now
                    started = True
                    yield Started(rate_limit_headers(chunks.response.headers))
                if chunk.usage is not None:
                    usage = _usage(chunk.usage)
                for choice in chunk.choices[:1]:
                    if choice.delta.content:
                        yield TextDelta(choice.delta.content)
                    if getattr(choice.delta, "refusal", None):
                        refusal.append(choice.delta.refusal)
                    finish_reason = choice.finish_reason or finish_reason
        if finish_reason is None:
            raise ProviderError(
                f"cell {request.cell}: the stream ended without a finish_reason", retryable=True
            )
        stop: StopReason = "refusal" if refusal else FINISH_REASONS.get(finish_reason, "other")
        detail = (
            f"refusal: {''.join(refusal)[:200]}" if refusal else f"finish_reason={finish_reason}"
        )
        yield Finished(usage=usage, stop_reason=stop, detail=detail)


def _usage(raw: Any) -> Usage:
    """Chat usage counts cached and written tokens inside prompt_tokens; ours keeps them apart."""
    details = getattr(raw, "prompt_tokens_details", None)
    cached = (getattr(details, "cached_tokens", None) or 0) if details else 0
    written = (getattr(details, "cache_write_tokens", None) or 0) if details else 0
    return Usage(
        input_tokens=max(0, raw.prompt_tokens - cached - written),
        output_tokens=raw.completion_tokens,
        cache_read_tokens=cached,
        cache_write_tokens=written,
    )


def map_error(cell: str, error: Exception) -> ProviderError | None:
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        hint = " (check OPENAI_API_KEY)" if status in (401, 403) else ""
        return ProviderError(
            f"cell {cell}: OpenAI API {status}: {_message(error.body)}{hint}",
            status=status,
            retryable=status_is_retryable(status),
            retry_after=retry_after_seconds(error.response.headers),
        )
    if isinstance(error, openai.APIConnectionError | httpx2.TransportError):
        return ProviderError(
            f"cell {cell}: connection failed ({type(error).__name__})", retryable=True
        )
    if isinstance(error, openai.APIError):  # an error event inside an open stream
        kind = error.type if isinstance(error.type, str) else None
        return ProviderError(
            f"cell {cell}: error mid-stream: {kind or 'error'}: {_message(error.body)}",
            retryable=kind in RETRYABLE_STREAM_ERRORS,
        )
    return None


def _message(body: object) -> str:
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
    return str(body)[:300] if body else "no detail"
