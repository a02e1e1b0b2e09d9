from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import cast

import pytest

from panel.errors import ProviderError
from panel.models import Usage
from panel.providers.base import (
    Event,
    Finished,
    Provider,
    Restarted,
    Started,
    StructuredRequest,
    TextDelta,
)
from panel.providers.retry import RetryingProvider, backoff, retry_after_seconds
from tests.helpers import ScriptedProvider, run

# The scripted providers here never read the request.
REQUEST = cast(StructuredRequest, None)


def test_backoff_is_exponential_capped_and_respects_retry_after() -> None:
    assert [backoff(n, None, jitter=lambda: 1.0) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert backoff(10, None, jitter=lambda: 1.0) == 20.0  # capped
    assert backoff(1, None, jitter=lambda: 0.0) == 0.0
    assert backoff(1, 3.0, jitter=lambda: 0.5) == 3.25
    assert backoff(1, 3600.0, jitter=lambda: 0.5) == 60.0


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s"}, 360.0),
        ({"x-ratelimit-reset-tokens": "20ms"}, 0.02),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # a date passed: now
        ({"retry-after": "in a while"}, None),
        ({}, None),
        ({"x-ratelimit-reset-requests": "soon"}, None),
    ],
)
def test_retry_after_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(headers) == seconds


class Flaky(ScriptedProvider):
    def __init__(self, failures: Sequence[ProviderError | None]) -> None:
        super().__init__(lambda r, n: [])
        self.failures = list(failures)

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        failure = self.failures.pop(0) if self.failures else None
        yield Started()
        yield TextDelta('{"partial": ')
        if failure is not None:
            raise failure
        yield TextDelta("1}")
        yield Finished(Usage(), "end")


def _collect(provider: Provider, attempts: int = 4) -> tuple[list[Event], list[float]]:
    async def go() -> tuple[list[Event], list[float]]:
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)

        wrapper = RetryingProvider(provider, attempts=attempts, sleep=sleep)
        return [e async for e in wrapper.stream(REQUEST)], waits

    return run(go())


def test_a_retry_after_streamed_output_says_restarted() -> None:
    events, waits = _collect(Flaky([ProviderError("overloaded", retryable=True)]))
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "Started",
        "TextDelta",
        "Restarted",
        "Started",
        "TextDelta",
        "TextDelta",
        "Finished",
    ]
    assert isinstance(events[2], Restarted) and len(waits) == 1


def test_not_retryable_is_raised_at_once() -> None:
    with pytest.raises(ProviderError, match="^bad request$"):
        _collect(Flaky([ProviderError("bad request", retryable=False)]))


def test_rate_limits_get_more_attempts_than_other_errors() -> None:
    limited = [ProviderError("429", status=429, retryable=True) for _ in range(9)]
    events, waits = _collect(Flaky(limited))
    assert isinstance(events[-1], Finished) and len(waits) == 9
    with pytest.raises(ProviderError, match="gave up after 4 attempts"):
        _collect(Flaky([ProviderError("500", status=500, retryable=True) for _ in range(5)]))


def test_a_rate_limit_pauses_every_cell_not_just_the_one_that_hit_it() -> None:
    now = [100.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    async def go() -> None:
        wrapper = RetryingProvider(
            Flaky([ProviderError("429", status=429, retryable=True, retry_after=5.0)]), sleep=sleep
        )
        wrapper.clock = lambda: now[0]
        [e async for e in wrapper.stream(REQUEST)]  # hits the limit, waits, succeeds
        assert waits and waits[0] >= 5.0
        now[0] -= waits[0] - 2.0  # pretend only 2 of those seconds have passed for the next cell
        waits.clear()
        [e async for e in wrapper.stream(REQUEST)]
        assert waits == [3.0]  # the other cell holds its first request until the pause ends

    run(go())
