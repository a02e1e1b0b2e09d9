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
`prompt_cache_options.ttl` is sent only when asked for and only to models that
take it (gpt-5.6 and later).

A base URL alone does not make a server "compatible": an OpenAI model behind a
gateway still gets `max_completion_tokens`, `prompt_cache_key` and, for
reasoning models, `reasoning_effort`. Only `--compat` (or a well-known local
server such as Ollama on :11434) switches to the common subset. A server that
rejects a field we sent gets a one-line error naming the field and the flag
that leaves it out.

What real servers send (shared/conformance): usage in one chunk after the
finish chunk with `choices: []`; no usage at all from Ollama (usage is then
"unknown", never $0); a refusal as `delta.refusal` text with finish_reason
`stop`; a tool call's arguments in one chunk; a whole JSON completion from a
server that ignored `stream`. Compatible servers have their own words for a
natural end (`eos_token`, `eos`), their own error chunks (vLLM's bare `"object":
"error"`, llama.cpp's `error:` field: `openai_client`), their own cache fields
(DeepSeek's `prompt_cache_hit_tokens`). A reply whose finish_reason arrived is
kept when the connection then drops: a retry would pay for it twice.
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
from panel.providers.openai_client import DEFAULT_BASE_URL, openai_client
from panel.providers.openai_errors import map_error, raise_for_error_body
from panel.providers.pricing import cache_minimum, estimate_tokens
from panel.providers.retry import errors_mapped
from panel.providers.sdk import ConnectionDropped, LazyClient, unreadable_reply
from panel.providers.traits import (
    known_local_server,
    model_label,
    openai_reasons,
    openai_takes_prompt_cache_options,
)
from panel.secrets import clip
from panel.urls import public_url

if TYPE_CHECKING:
    import httpx2

    from panel.providers.head_start import WireRequest

FINISH_REASONS: dict[str, StopReason] = {
    "stop": "end",
    "tool_calls": "end",
    # What compatible servers say for a natural end: TGI (before mid-2024) and IBM watsonx
    # `eos_token`, Together `eos`, TGI `stop_sequence`. Read as "other", a whole verdict was lost.
    "eos_token": "end",
    "eos": "end",
    "stop_sequence": "end",
    "length": "max_tokens",
    "content_filter": "refusal",
}
# A reply the server broke off for its own trouble (DeepSeek: "the request is interrupted due to
# insufficient resource of the inference system"): retried like an overload.
INTERRUPTED = {"insufficient_system_resource"}
NO_KEY_NEEDED = "not-needed"  # local servers accept any key; the SDK insists on one
# Reasoning models think before answering, billed as output within the token limit: bound it.
REASONING_EFFORT = "low"
GRADER_REASONING_EFFORT = "minimal"
# What the first request sends before the SDK has loaded (see panel.providers.head_start): the
# SDK's default base URL, and the fields panel sends in the order the SDK writes them, as openai
# 3.57 does (tests/test_head_start.py holds them to the installed SDK).
SDK_WRITTEN = (3, 57)
SDK_BODY_ORDER = (
    "model", "stream", "messages", "max_completion_tokens", "max_tokens", "prompt_cache_key",
    "prompt_cache_options", "reasoning_effort", "response_format", "stream_options", "temperature",
)  # fmt: skip


class OpenAIProvider:
    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        cache_retention: str | None = None,
        compat: bool = False,
        timeout: float = 120.0,
    ) -> None:
        base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key and base_url is None:
            raise InputError(
                "OPENAI_API_KEY is not set: export it, pass --base-url for a local server, "
                "or run with --model offline (no key needed)"
            )
        self.compat = compat or known_local_server(base_url) is not None
        self.info = ModelInfo(
            provider="openai",
            model=model,
            label=model_label("openai", model, base_url),
            is_language_model=True,
        )
        self.cache_retention = cache_retention
        self.reasons = openai_reasons(model)
        self.sdk = LazyClient(
            openai_client, api_key=key or NO_KEY_NEEDED, base_url=base_url, timeout=timeout
        )
        endpoint = (base_url or "https://api.openai.com/v1").rstrip("/")
        self.info = self.info.model_copy(update={"endpoint": public_url(endpoint)})

    async def aclose(self) -> None:
        await self.sdk.aclose()

    def _sends_cache_options(self) -> bool:
        return bool(self.cache_retention) and not self.compat and self._takes_cache_options()

    def _takes_cache_options(self) -> bool:
        return openai_takes_prompt_cache_options(self.info.model)

    def notes(self, shared_prefix: str) -> list[str]:
        notes = []
        if self.cache_retention and not self._sends_cache_options():
            notes.append(
                f"--cache-retention is not sent: {self.info.model} does not take "
                "prompt_cache_options (gpt-5.6 and later do)"
            )
        minimum = cache_minimum("openai", self.info.model) or 0
        if estimate_tokens(shared_prefix) < minimum:
            notes.append(
                f"the shared prompt prefix is about {estimate_tokens(shared_prefix)} tokens, below "
                f"the {minimum}-token minimum for automatic prompt caching: it will not apply to "
                "this panel"
            )
        return notes

    def request_params(self, request: StructuredRequest) -> dict[str, Any]:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": request.system},
            {"role": "user", "content": request.prompt},
        ]
        for turn in request.history:
            messages.append({"role": "assistant", "content": turn.assistant})
            messages.append({"role": "user", "content": turn.user})
        name = "panel_grading" if request.model else "panel_verdict"  # a grader's smaller model
        reasons = openai_reasons(request.model) if request.model else self.reasons
        params: dict[str, Any] = {
            "model": request.model or self.info.model,
            "messages": messages,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": request.schema, "strict": True},
            },
            "stream_options": {"include_usage": True},
        }
        if self.compat:
            params["max_tokens"] = request.max_tokens
        else:
            params["max_completion_tokens"] = request.max_tokens
            params["prompt_cache_key"] = request.panel_key
            if reasons:  # a grader reads one quote: the least reasoning its model takes
                params["reasoning_effort"] = (
                    GRADER_REASONING_EFFORT if request.model else REASONING_EFFORT
                )
            if self._sends_cache_options():
                params["prompt_cache_options"] = {"ttl": self.cache_retention}
        if request.temperature is not None and not reasons:  # reasoning models reject it
            params["temperature"] = request.temperature
        return params

    def wire_request(self, params: dict[str, Any]) -> WireRequest | None:
        """`chat.completions.create(**params, stream=True)` as the SDK sends it, for a head start;
        None for an SDK older than the one it is written for, or where the SDK adds headers of
        the user's choosing (`OPENAI_CUSTOM_HEADERS`, an authorization among them treated its own
        way)."""
        from panel.providers.head_start import WireRequest, joined_url, sdk_body, stainless_headers

        agent = stainless_headers("openai", user_agent="AsyncOpenAI", written_for=SDK_WRITTEN)
        if agent is None or "OPENAI_CUSTOM_HEADERS" in os.environ:
            return None
        options = self.sdk.options
        account = {"OpenAI-Organization": "OPENAI_ORG_ID", "OpenAI-Project": "OPENAI_PROJECT_ID"}
        headers = {
            "Authorization": f"Bearer {options['api_key']}",
            "Accept": "application/json",
            "Content-Type": "application/json",
            **agent,
            "X-Stainless-Async": "async:asyncio",
            **{
                name: os.environ[variable]
                for name, variable in account.items()
                if variable in os.environ
            },
            "X-Stainless-Retry-Count": "0",
            "X-Stainless-Read-Timeout": str(options["timeout"]),
        }
        return WireRequest(
            method="POST",
            url=joined_url(options["base_url"] or DEFAULT_BASE_URL, "/chat/completions"),
            headers={name.lower(): value for name, value in headers.items()},  # as the SDK writes
            body=sdk_body({**params, "stream": True}, SDK_BODY_ORDER),
            timeout=options["timeout"],
        )

    @property
    def counting_method(self) -> str:
        """OpenAI counts through the Responses API; a compatible server has no such endpoint."""
        return "" if self.compat else "counted by OpenAI's responses.input_tokens"

    async def count_input_tokens(self, request: StructuredRequest) -> int:
        """Input tokens of the cell's system and user text, with its output schema."""
        text: Any = {
            "format": {"type": "json_schema", "name": "panel_verdict", "schema": request.schema}
        }
        with errors_mapped(lambda error: map_error(request.cell, error)):
            client = await self.sdk.loaded()
            counted = await client.responses.input_tokens.count(
                model=self.info.model,
                instructions=request.system,
                input=request.prompt,
                text=text,
            )
        return int(counted.input_tokens)

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        params = self.request_params(request)
        reply = ChatReply()
        try:
            try:
                mapped = errors_mapped(lambda error: map_error(request.cell, error, params))
                with mapped, unreadable_reply(request.cell):  # the reply read as the API sends it
                    async with self.sdk.ready(lambda: self.wire_request(params)) as client:
                        chunks = await client.chat.completions.create(**params, stream=True)
                    headers = rate_limit_headers(chunks.response.headers)
                    if _is_whole_document(chunks.response):  # a server that ignored `stream`
                        payload = json.loads(await chunks.response.aread())
                        yield Started(headers)
                        raise_for_error_body(request.cell, payload)
                        if text := reply.take(payload):
                            yield TextDelta(text)
                    else:
                        started = False
                        async for chunk in chunks:
                            if not started:  # the first chunk, not the headers: cache readable
                                started = True
                                yield Started(headers)
                            payload = chunk.to_dict(warnings=False)  # malformed: fails below
                            raise_for_error_body(request.cell, payload)
                            if text := reply.take(payload):
                                yield TextDelta(text)
            except ConnectionDropped:
                if reply.finish_reason is None:
                    raise
                # The reply had wholly arrived (its finish_reason follows the last content): a
                # retry would pay for it twice. A usage chunk lost with the connection is unknown.
            if reply.finish_reason is None:
                raise ProviderError(
                    f"cell {request.cell}: the stream ended without a finish_reason",
                    retryable=True,
                )
            if reply.finish_reason in INTERRUPTED:
                raise ProviderError(
                    f"cell {request.cell}: the server broke off the reply "
                    f"(finish_reason={reply.finish_reason})",
                    retryable=True,
                )
        except ProviderError as error:
            error.usage = reply.usage
            raise
        yield reply.finished()


class ChatReply:
    """One chat completion read chunk by chunk (or as one whole document)."""

    def __init__(self) -> None:
        self.finish_reason: str | None = None
        self.refusal: list[str] = []
        self.usage: Usage | None = None

    def take(self, payload: dict[str, Any]) -> str:
        """Note what a chunk says; return the JSON text it carries (content or tool arguments)."""
        if payload.get("usage"):
            self.usage = _usage(payload["usage"])
        texts: list[str] = []
        for choice in payload.get("choices") or []:
            part = choice.get("delta") or choice.get("message") or {}
            texts.append(part.get("content") or "")
            for call in part.get("tool_calls") or []:
                texts.append((call.get("function") or {}).get("arguments") or "")
            if part.get("refusal"):
                self.refusal.append(str(part["refusal"]))
            self.finish_reason = choice.get("finish_reason") or self.finish_reason
            break  # one choice asked for; a server sending more is read for the first only
        return "".join(texts)

    def finished(self) -> Finished:
        reason = str(self.finish_reason or "")  # a word, whatever a server sent
        stop: StopReason = "refusal" if self.refusal else FINISH_REASONS.get(reason, "other")
        detail = f"refusal: {clip(''.join(self.refusal), 200)}" if self.refusal else ""
        usage = self.usage if self.usage is not None else Usage(reported=False)
        return Finished(usage=usage, stop_reason=stop, detail=detail or f"finish_reason={reason}")


def _usage(raw: dict[str, Any]) -> Usage:
    """Chat usage counts cached and written tokens inside prompt_tokens; ours keeps them apart.
    DeepSeek says its cache hits in its own `prompt_cache_hit_tokens` (the same count)."""
    details = raw.get("prompt_tokens_details") or {}
    cached = max(
        token_count(details.get("cached_tokens")), token_count(raw.get("prompt_cache_hit_tokens"))
    )
    written = token_count(details.get("cache_write_tokens"))
    return Usage(
        input_tokens=max(0, token_count(raw.get("prompt_tokens")) - cached - written),
        output_tokens=token_count(raw.get("completion_tokens")),
        cache_read_tokens=cached,
        cache_write_tokens=written,
    )


def _is_whole_document(response: httpx2.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/json")
