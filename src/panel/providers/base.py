"""The provider protocol: one streamed, structured request at a time.

A provider turns a `StructuredRequest` into a stream of events: `Started`
once the first streamed event has been parsed (Claude's `message_start`,
OpenAI's first chunk; the HTTP headers come earlier and do not count: a
prompt-cache entry is readable only once the response has begun),
`TextDelta`s carrying the JSON text, `Restarted` when a retry threw away
what was streamed so far, and one `Finished` with the usage and
the stop reason. Parsing, validation and re-asking live once, in
`panel.running.structured`; cache, retry and concurrency wrap a provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, runtime_checkable

from panel.models import ModelInfo, Persona, ToolCard, Usage

# `max_tokens`: cut at the output limit (a larger one may help); `context_window`: cut because
# prompt and reply filled the model's context window (no output limit can make room).
StopReason = Literal["end", "max_tokens", "context_window", "refusal", "other"]


@dataclass(frozen=True)
class Turn:
    """An earlier exchange sent again on a re-ask: what the model said, and our reply."""

    assistant: str
    user: str


@dataclass(frozen=True)
class StructuredRequest:
    """Everything a provider needs for one cell.

    `system` is the panel's stable prefix (the cacheable part); `prompt` is
    the cell's own assignment that follows it. `persona` and `tool` are there
    for the offline model, which reads data rather than prose; real providers
    send only the rendered text.
    """

    cell: str
    system: str
    prompt: str
    schema: dict[str, Any]
    persona: Persona
    tool: ToolCard
    panel_key: str
    history: tuple[Turn, ...] = ()
    max_tokens: int = 2000
    temperature: float | None = None
    cache_ttl: Literal["5m", "1h"] = "5m"
    sample: int = 0  # which repeat of the cell (--samples); part of its response-cache key
    order: Literal["listed", "reversed"] = "listed"  # the tools' order in `system`
    # A grader request (`--grader`): a smaller model of the same provider reading a cell's quote.
    # `model` overrides the provider's own; `graded` is the quote, for the offline grader.
    model: str | None = None
    graded: str | None = None

    def with_turn(self, turn: Turn) -> StructuredRequest:
        return replace(self, history=(*self.history, turn))


RATE_LIMIT_HEADER_PREFIXES = ("anthropic-ratelimit-", "x-ratelimit-", "retry-after")


def rate_limit_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The response headers a pacer reads (rate limits, retry-after), names in lower case."""
    return {
        name.lower(): value
        for name, value in headers.items()
        if name.lower().startswith(RATE_LIMIT_HEADER_PREFIXES)
    }


@dataclass(frozen=True)
class Started:
    """The response has begun: its first streamed event was parsed.

    `headers` carries the response's rate-limit headers (see
    `rate_limit_headers`), so a wrapper can pace requests without an SDK.
    """

    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Restarted:
    reason: str


@dataclass(frozen=True)
class Finished:
    usage: Usage
    stop_reason: StopReason
    detail: str = ""


Event = Started | TextDelta | Restarted | Finished


class Provider(Protocol):
    @property
    def info(self) -> ModelInfo:
        """Which provider and model, and how outputs should label them."""
        ...

    def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        """Stream one structured reply; raise `ProviderError` when the call fails."""
        ...

    def notes(self, shared_prefix: str) -> list[str]:
        """Warnings worth printing once per run (for instance: prefix too short to cache)."""
        ...

    async def aclose(self) -> None:
        """Release connections; call it inside the event loop that used the provider."""
        ...


class Wrapper:
    """A provider around another one (retry, pacing, a budget): the inner one's model and notes.

    Closing the wrapper closes the provider inside it.
    """

    def __init__(self, inner: Provider) -> None:
        self.inner = inner

    @property
    def info(self) -> ModelInfo:
        return self.inner.info

    def notes(self, shared_prefix: str) -> list[str]:
        return self.inner.notes(shared_prefix)

    async def aclose(self) -> None:
        await self.inner.aclose()


@runtime_checkable
class TokenCounter(Protocol):
    """A provider that can count a request's input tokens without running it (free, no output)."""

    @property
    def counting_method(self) -> str:
        """How the count is made, in words for the estimate; empty when this provider cannot."""
        ...

    async def count_input_tokens(self, request: StructuredRequest) -> int:
        """Input tokens of the request as the provider would bill them; raise when it cannot."""
        ...


def token_counter(provider: Provider) -> TokenCounter | None:
    """The provider's counter, looking through wrappers that keep the real provider as `inner`."""
    seen: object = provider
    for _ in range(4):
        if isinstance(seen, TokenCounter) and seen.counting_method:
            return seen
        seen = getattr(seen, "inner", None)
    return None


# More tokens than any call reads or writes: a count beyond it is a server's mistake.
MAX_REPORTED_TOKENS = 10**12


def token_count(value: Any) -> int:
    """A count a server reported, as a whole number from 0 to `MAX_REPORTED_TOKENS`; anything
    else (below zero, NaN, 1e30, a word, true) counts as none, as no count does: a record holding
    it would be refused on reading (a negative, 19 digits), and a run must never write what it
    cannot read back."""
    if isinstance(value, str) and 0 < len(value.strip()) <= 13 and value.strip().isascii():
        value = int(value) if value.strip().isdigit() else 0  # a gateway's "120"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return value if 0 <= value <= MAX_REPORTED_TOKENS else 0
