"""One retry layer for every provider, as a wrapper (the SDKs' own retries are off).

A single layer sees every failure the same way: a 429 or 529 before the
stream opens, a connection dropped in the middle of it, or an `error` event
inside an open stream (which the SDKs never retry). When a retry follows
output that was already streamed, a `Restarted` event tells the consumer to
throw that partial output away: it is never taken as a verdict.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from panel.errors import ProviderError, RunError
from panel.models import Usage
from panel.providers.base import Event, Finished, Provider, Restarted, StructuredRequest, Wrapper
from panel.providers.waiting import Clock, Sleep, sleep_until

MAX_ATTEMPTS = 4
# A rate limit is the server saying "later", not "broken": it gets more patience.
MAX_RATE_LIMITED_ATTEMPTS = 10
BASE_DELAY = 0.5
MAX_DELAY = 20.0
MAX_RETRY_AFTER = 60.0


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The server's advice on when to come back: retry-after(-ms), else the rate-limit reset
    headers."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                pass
    when = _http_date(headers.get("retry-after", ""))  # RFC 9110 allows a date too
    if when is not None:
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    resets = [
        _duration(headers.get(name, ""))
        for name in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens")
    ]
    known = [seconds for seconds in resets if seconds is not None]
    return max(known) if known else None


def _http_date(text: str) -> datetime | None:
    """`Retry-After: Wed, 02 Dec 2026 15:04:45 GMT`, as a gateway may write it."""
    try:
        when = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _duration(text: str) -> float | None:
    """OpenAI's reset durations: "1s", "6m0s", "250ms"."""
    parts = _DURATION_PART.findall(text.strip())
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})


def status_is_retryable(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


def should_retry(status: int, headers: Mapping[str, str]) -> bool:
    """An explicit `x-should-retry` wins (a 500 may say false); else the status decides."""
    advice = headers.get("x-should-retry", "").strip().lower()
    if advice in ("true", "false"):
        return advice == "true"
    return status_is_retryable(status)


@contextmanager
def errors_mapped(mapper: Callable[[Exception], RunError | None]) -> Iterator[None]:
    """Turn an SDK's or transport's exception into a `ProviderError` where the mapper knows it
    (or a `CellRefused`: a service's content filter declining the prompt)."""
    try:
        yield
    except ProviderError:
        raise
    except Exception as error:
        mapped = mapper(error)
        if mapped is None:
            raise
        raise mapped from error


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ProviderError) and exc.retryable


def backoff(
    attempt: int,
    retry_after: float | None,
    *,
    base: float = BASE_DELAY,
    cap: float = MAX_DELAY,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Full-jitter exponential backoff, added to the server's retry-after when it gave one.

    Adding (not taking the larger) spreads out the clients a rate limit sent
    back at the same moment, so they do not all return together.
    """
    exponential = float(min(cap, base * 2 ** (attempt - 1)) * jitter())
    if retry_after is not None:
        return min(MAX_RETRY_AFTER, retry_after + exponential)
    return exponential


class RetryingProvider(Wrapper):
    def __init__(
        self,
        inner: Provider,
        *,
        attempts: int = MAX_ATTEMPTS,
        base_delay: float = BASE_DELAY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(inner)
        self.attempts = attempts
        self.base_delay = base_delay
        self.sleep = sleep
        self.clock: Clock = time.monotonic
        # When a rate limit said "come back in N seconds", every cell holds its next request
        # until then, instead of each finding out with a 429 of its own.
        self._paused_until = 0.0

    def _stop(self, state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        rate_limited = isinstance(error, ProviderError) and error.status == 429
        limit = max(self.attempts, MAX_RATE_LIMITED_ATTEMPTS) if rate_limited else self.attempts
        return state.attempt_number >= limit

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = error.retry_after if isinstance(error, ProviderError) else None
        if retry_after is not None and isinstance(error, ProviderError) and error.status == 429:
            self._paused_until = max(
                self._paused_until, self.clock() + min(retry_after, MAX_RETRY_AFTER)
            )
        return backoff(state.attempt_number, retry_after, base=self.base_delay)

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        """The inner stream, retried; what a discarded attempt was billed is added to the result."""
        streamed_output = False
        discarded = Usage()
        retrying = AsyncRetrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception(_is_retryable),
            sleep=self.sleep,
            reraise=True,
        )
        attempts = 0
        try:
            async for attempt in retrying:
                attempts = attempt.retry_state.attempt_number
                with attempt:
                    if attempt.retry_state.attempt_number > 1 and streamed_output:
                        streamed_output = False
                        yield Restarted(reason="retrying after a failed attempt")
                    await sleep_until(self._paused_until, self.clock, self.sleep)
                    try:
                        async for event in self.inner.stream(request):
                            streamed_output = True
                            if isinstance(event, Finished):
                                event = replace(event, usage=event.usage + discarded)
                            yield event
                    except ProviderError as error:
                        discarded = discarded + (error.usage or Usage())
                        raise
        except ProviderError as exc:
            suffix = f" (gave up after {attempts} attempts)" if exc.retryable else ""
            raise ProviderError(
                f"{exc}{suffix}",
                status=exc.status,
                retryable=False,
                usage=discarded,
                every_call=exc.every_call,
            ) from exc
