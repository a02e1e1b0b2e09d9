"""Client-side pacing, as a provider wrapper: stay under the rate limits instead of hitting them.

Both services publish their limits on every response: Anthropic as
`anthropic-ratelimit-{requests,input-tokens,tokens}-{limit,remaining,reset}`
(reset an RFC 3339 time), OpenAI as `x-ratelimit-{limit,remaining,reset}-
{requests,tokens}` (reset a Go-style duration: "6m0s", "1.5s", "20ms"). A
provider hands them over, untouched and SDK-free, on its `Started` event.

The pacer keeps one token bucket per limit, refilled at limit / 60 per
second with a burst of a quarter second's worth: the services document that a
per-minute limit may be enforced over shorter intervals, so an even pace is
what never trips it. Every request takes one request and its estimated input
tokens (a bucket may go into debt for a request larger than its burst); when
its usage arrives, the estimate is corrected to what the limit counts.
Anthropic does not count cache reads against input tokens per minute, so
once a response has read the cache, the shared prefix is not charged up
front; OpenAI counts the whole prompt. A `remaining` below the bucket's
level (other clients on the same key) lowers it; a 429 empties the buckets
until its `retry-after`. Until a response has named a limit, nothing is held.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from panel.errors import ProviderError
from panel.models import Usage
from panel.providers.base import Event, Finished, Provider, Started, StructuredRequest, Wrapper
from panel.providers.pricing import estimate_tokens
from panel.providers.waiting import Clock, Sleep, wait_while

# The burst a bucket allows, in seconds of its rate. Below the server's own burst, so that requests
# delayed on their way out (a busy client) and arriving together still fit.
BURST_SECONDS = 0.25
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def go_duration(text: str) -> float | None:
    """Seconds in a Go-style duration ("6m0s", "1.5s", "20ms"); None when it is not one."""
    text = text.strip()
    parts = _GO_DURATION.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def _reset_seconds(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    seconds = go_duration(value)
    if seconds is not None:
        return seconds
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Limit:
    """One published limit: its size per minute, what is left, and when it is whole again."""

    per_minute: float
    remaining: float | None = None
    reset_seconds: float | None = None


@dataclass(frozen=True)
class RateLimits:
    requests: Limit | None = None
    input_tokens: Limit | None = None
    counts_cache_reads: bool = True  # whether cache reads count against the token limit


def read_rate_limits(headers: Mapping[str, str], now: datetime | None = None) -> RateLimits:
    """The limits a response's headers name, in either service's spelling."""
    now = now or datetime.now(UTC)
    h = {name.lower(): value for name, value in headers.items()}

    def limit(limit_name: str, remaining_name: str, reset_name: str) -> Limit | None:
        size = _number(h.get(limit_name))
        if not size or size <= 0:
            return None
        return Limit(size, _number(h.get(remaining_name)), _reset_seconds(h.get(reset_name), now))

    if any(name.startswith("anthropic-ratelimit-") for name in h):
        tokens = "input-tokens" if "anthropic-ratelimit-input-tokens-limit" in h else "tokens"
        return RateLimits(
            requests=limit(
                *(
                    f"anthropic-ratelimit-requests-{part}"
                    for part in ("limit", "remaining", "reset")
                )
            ),
            input_tokens=limit(
                *(
                    f"anthropic-ratelimit-{tokens}-{part}"
                    for part in ("limit", "remaining", "reset")
                )
            ),
            counts_cache_reads=False,
        )
    return RateLimits(
        requests=limit(
            "x-ratelimit-limit-requests",
            "x-ratelimit-remaining-requests",
            "x-ratelimit-reset-requests",
        ),
        input_tokens=limit(
            "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"
        ),
    )


class _Bucket:
    """A token bucket that may go into debt: a request above the burst passes, later ones wait."""

    def __init__(self, per_minute: float, now: float) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * BURST_SECONDS)
        self.level = self.capacity
        self.stamp = now

    def resize(self, per_minute: float, now: float) -> None:
        self.refill(now)
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * BURST_SECONDS)
        self.level = min(self.level, self.capacity)

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, amount: float, now: float) -> float:
        """Seconds until `amount` (at most a full burst) is available."""
        self.refill(now)
        missing = min(amount, self.capacity) - self.level
        return max(0.0, missing / self.rate)


class PacedProvider(Wrapper):
    """Holds each request until the published limits have room for it."""

    def __init__(
        self,
        inner: Provider,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(inner)
        self.clock = clock
        self.sleep = sleep
        self.requests: _Bucket | None = None
        self.tokens: _Bucket | None = None
        self.counts_cache_reads = True
        self._prefix_is_read = False  # a response has read the shared prefix from the cache
        self._held_until = 0.0
        self._turn = asyncio.Lock()  # one request is admitted at a time, in arrival order

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        free_prefix = self._prefix_is_read and not self.counts_cache_reads
        charged = float(estimate_tokens(_prompt_text(request, with_prefix=not free_prefix)))
        await self._admit(charged)
        try:
            async for event in self.inner.stream(request):
                if isinstance(event, Started) and event.headers:
                    self.observe(read_rate_limits(event.headers))
                elif isinstance(event, Finished):
                    self._correct(charged, event.usage)
                yield event
        except ProviderError as error:
            if error.status == 429:
                self.hold(error.retry_after or 1.0)
            raise

    async def _admit(self, tokens: float) -> None:
        async with self._turn:
            await wait_while(lambda: self._delay(tokens), self.sleep)
            for bucket, amount in self._buckets(tokens):
                bucket.level -= amount

    def _delay(self, tokens: float) -> float:
        """Seconds until a request of `tokens` may go: every bucket has room and no 429 holds."""
        now = self.clock()
        waits = [bucket.wait(amount, now) for bucket, amount in self._buckets(tokens)]
        return max([self._held_until - now, *waits])

    def _buckets(self, tokens: float) -> list[tuple[_Bucket, float]]:
        pairs = [(self.requests, 1.0), (self.tokens, tokens)]
        return [(bucket, amount) for bucket, amount in pairs if bucket is not None]

    def observe(self, limits: RateLimits) -> None:
        """Learn the limits from a response, and believe a `remaining` lower than our level."""
        now = self.clock()
        self.counts_cache_reads = limits.counts_cache_reads
        for name, limit in (("requests", limits.requests), ("tokens", limits.input_tokens)):
            if limit is None:
                continue
            bucket = getattr(self, name)
            if bucket is None:
                bucket = _Bucket(limit.per_minute, now)
                setattr(self, name, bucket)
            elif bucket.rate * 60.0 != limit.per_minute:
                bucket.resize(limit.per_minute, now)
            bucket.refill(now)
            if limit.remaining is not None and limit.remaining < bucket.level:
                bucket.level = limit.remaining
            if limit.remaining is not None and limit.remaining < 1 and limit.reset_seconds:
                self._held_until = max(self._held_until, now + limit.reset_seconds)

    def hold(self, seconds: float) -> None:
        """A 429: nobody goes until its retry-after has passed, and the buckets restart empty."""
        now = self.clock()
        self._held_until = max(self._held_until, now + seconds)
        for bucket in (self.requests, self.tokens):
            if bucket is not None:
                bucket.refill(now)
                bucket.level = min(bucket.level, 0.0)

    def _correct(self, charged: float, usage: Usage) -> None:
        """Replace the estimate with what the limit counted, once the usage is known."""
        self._prefix_is_read = self._prefix_is_read or usage.cache_read_tokens > 0
        if self.tokens is None:
            return
        counted = usage.input_tokens + usage.cache_write_tokens
        if self.counts_cache_reads:
            counted += usage.cache_read_tokens
        self.tokens.refill(self.clock())
        self.tokens.level = min(self.tokens.capacity, self.tokens.level + charged - counted)


def _prompt_text(request: StructuredRequest, *, with_prefix: bool) -> str:
    turns = "".join(turn.assistant + turn.user for turn in request.history)
    return (request.system if with_prefix else "") + request.prompt + turns
