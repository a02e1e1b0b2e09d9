"""The emulator's rate limits, as the services document them, with their headers.

Requests and input tokens per minute are token buckets refilled
continuously. The request bucket holds one second's worth (a limit of 60 a
minute "may be enforced as 1 request per second"); the token bucket holds a
minute's. Anthropic does not count cache reads against input tokens per
minute; OpenAI counts the whole prompt. Every response carries the limits in
the service's own spelling: `anthropic-ratelimit-*` with RFC 3339 reset
times, or `x-ratelimit-*` with Go-style durations ("1.5s", "6m0s", "20ms");
a refusal is a 429 with `retry-after`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def go_duration(seconds: float) -> str:
    """Seconds as OpenAI writes a reset: "20ms", "1.5s", "6m0s"."""
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))}ms"
    minutes, rest = divmod(round(seconds, 3), 60)
    return f"{int(minutes)}m{rest:g}s" if minutes else f"{rest:g}s"


class _Bucket:
    def __init__(self, per_minute: float, capacity: float, clock: Callable[[], float]) -> None:
        self.per_minute, self.rate, self.capacity = per_minute, per_minute / 60.0, capacity
        self.level, self.clock = capacity, clock
        self.stamp = clock()

    def refill(self) -> float:
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        return self.level

    def wait(self, amount: float) -> float:
        return max(0.0, (min(amount, self.capacity) - self.refill()) / self.rate)

    def until_full(self) -> float:
        return (self.capacity - self.refill()) / self.rate


class RateLimiter:
    def __init__(
        self,
        requests_per_minute: float = 0,
        input_tokens_per_minute: float = 0,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.requests = (
            _Bucket(requests_per_minute, max(1.0, requests_per_minute / 60), clock)
            if requests_per_minute
            else None
        )
        self.tokens = (
            _Bucket(input_tokens_per_minute, input_tokens_per_minute, clock)
            if input_tokens_per_minute
            else None
        )

    @property
    def active(self) -> bool:
        return self.requests is not None or self.tokens is not None

    def admit(self, tokens: int) -> float | None:
        """None when the request may go (and it is counted); else the seconds to wait."""
        pairs = [(b, n) for b, n in ((self.requests, 1.0), (self.tokens, float(tokens))) if b]
        wait = max((bucket.wait(amount) for bucket, amount in pairs), default=0.0)
        if wait > 0:
            return wait
        for bucket, amount in pairs:
            bucket.level -= amount
        return None

    def headers(self, api: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        now = datetime.now(UTC)
        for kind, bucket in (("requests", self.requests), ("tokens", self.tokens)):
            if bucket is None:
                continue
            remaining, reset = str(int(max(0.0, bucket.refill()))), bucket.until_full()
            if api == "anthropic":
                name = "requests" if kind == "requests" else "input-tokens"
                moment = (now + timedelta(seconds=reset)).isoformat().replace("+00:00", "Z")
                headers[f"anthropic-ratelimit-{name}-limit"] = f"{bucket.per_minute:g}"
                headers[f"anthropic-ratelimit-{name}-remaining"] = remaining
                headers[f"anthropic-ratelimit-{name}-reset"] = moment
            else:
                headers[f"x-ratelimit-limit-{kind}"] = f"{bucket.per_minute:g}"
                headers[f"x-ratelimit-remaining-{kind}"] = remaining
                headers[f"x-ratelimit-reset-{kind}"] = go_duration(reset)
        return headers
