"""The client-side pacer: rate-limit headers in both spellings, and requests kept under them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from panel.errors import ProviderError
from panel.providers.base import Event, StructuredRequest
from panel.providers.pacing import (
    Limit,
    PacedProvider,
    RateLimits,
    go_duration,
    read_rate_limits,
)
from panel.providers.registry import ModelChoice, build_provider
from panel.providers.retry import RetryingProvider
from panel.running.runner import PanelSpec
from tests.helpers import (
    EMULATED_MODELS,
    FakeTime,
    PlanFor,
    ScriptedProvider,
    emulated,
    panel_record,
    reply_chunks,
    run,
)
from tests.support.emulator import Emulator, EmulatorConfig
from tests.support.emulator_limits import go_duration as emulator_go_duration

NOW = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("6m0s", 360.0),
        ("1.5s", 1.5),
        ("20ms", 0.02),
        ("1h2m3.5s", 3723.5),
        ("0s", 0.0),
        ("500us", 0.0005),
        ("soon", None),
        ("", None),
        ("6m0", None),
        ("1.5", None),
    ],
)
def test_go_durations(text: str, seconds: float | None) -> None:
    assert go_duration(text) == seconds


@pytest.mark.parametrize("seconds", [0.02, 0.5, 1.5, 59.25, 360.0, 3723.5])
def test_the_emulator_writes_durations_the_pacer_reads(seconds: float) -> None:
    assert go_duration(emulator_go_duration(seconds)) == pytest.approx(seconds, abs=0.001)


ANTHROPIC_HEADERS = {  # resets as RFC 3339 times; the input-token limit wins over the total
    "anthropic-ratelimit-requests-limit": "50",
    "anthropic-ratelimit-requests-remaining": "49",
    "anthropic-ratelimit-requests-reset": "2026-11-30T12:00:01Z",
    "anthropic-ratelimit-input-tokens-limit": "30000",
    "anthropic-ratelimit-input-tokens-remaining": "27000",
    "anthropic-ratelimit-input-tokens-reset": "2026-11-30T12:00:06+00:00",
    "anthropic-ratelimit-tokens-limit": "38000",
}
OPENAI_HEADERS = {  # resets as Go durations; names in any case
    "X-RateLimit-Limit-Requests": "500",
    "x-ratelimit-remaining-requests": "499",
    "x-ratelimit-reset-requests": "120ms",
    "x-ratelimit-limit-tokens": "200000",
    "x-ratelimit-remaining-tokens": "150000",
    "x-ratelimit-reset-tokens": "6m0s",
}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ANTHROPIC_HEADERS,
            RateLimits(
                requests=Limit(50, remaining=49, reset_seconds=1.0),
                input_tokens=Limit(30000, remaining=27000, reset_seconds=6.0),
                counts_cache_reads=False,  # Anthropic does not count cache reads
            ),
        ),
        (
            OPENAI_HEADERS,
            RateLimits(
                requests=Limit(500, remaining=499, reset_seconds=0.12),
                input_tokens=Limit(200000, remaining=150000, reset_seconds=360.0),
                counts_cache_reads=True,
            ),
        ),
        ({}, RateLimits()),  # no limit named: nothing is held
    ],
    ids=["anthropic", "openai", "none"],
)
def test_reads_the_limits_in_either_spelling(headers: dict[str, str], expected: RateLimits) -> None:
    assert read_rate_limits(headers, NOW) == expected


def _good(request: StructuredRequest, n: int) -> list[str]:
    return reply_chunks(request, 400)


async def _drain(provider: Any, request: StructuredRequest) -> list[Event]:
    return [event async for event in provider.stream(request)]


def test_requests_are_spaced_to_the_published_limit(builder_plan: PlanFor) -> None:
    clock = FakeTime()
    inner = ScriptedProvider(_good)
    paced = PacedProvider(inner, clock=clock, sleep=clock.sleep)
    request = builder_plan(inner).request

    async def go() -> None:
        await _drain(paced, request)  # nothing is known yet: it goes at once
        paced.observe(read_rate_limits({"x-ratelimit-limit-requests": "60"}))
        for _ in range(5):
            await _drain(paced, request)

    run(go())
    # 60 a minute is one a second: after the burst of one, each waits its second.
    assert clock.sleeps == pytest.approx([1.0] * 4)


def test_a_lower_remaining_and_a_429_hold_everyone(builder_plan: PlanFor) -> None:
    clock = FakeTime()
    calls = []

    def script(request: StructuredRequest, n: int) -> list[str] | BaseException:
        calls.append(clock.now)
        if n == 1:
            return ProviderError("rate limited", status=429, retry_after=5.0)
        return _good(request, n)

    paced = PacedProvider(ScriptedProvider(script), clock=clock, sleep=clock.sleep)
    request = builder_plan(paced).request

    async def go() -> None:
        with pytest.raises(ProviderError):
            await _drain(paced, request)
        await _drain(paced, request)

    run(go())
    assert calls == [0.0, 5.0]  # the second request waited out the 429's retry-after


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_a_panel_fanning_out_meets_no_429(
    api: str, monkeypatch: pytest.MonkeyPatch, panel_spec: PanelSpec, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "emulated-key")
    monkeypatch.setenv("OPENAI_API_KEY", "emulated-key")
    # Eight cells, seven fanning out at once.
    # Two requests a second; the benchmarks run 128 cells at concurrency 32.
    config = EmulatorConfig(ttft=0.05, chunk_tokens=20, requests_per_minute=120)
    with Emulator(config) as emulator:
        url = emulator.url if api == "anthropic" else f"{emulator.url}/v1"
        provider = build_provider(ModelChoice(api, EMULATED_MODELS[api], "test"), base_url=url)
        options = {"concurrency": 8, "refresh": True}
        record = panel_record(panel_spec, provider, tmp_path / "p", **options)
        paced = [s.status for s in emulator.served]
        emulator.served.clear()
        unpaced = RetryingProvider(emulated(api, emulator.url), base_delay=0.01)
        panel_record(panel_spec, unpaced, tmp_path / "u", **options)
        bare = [s.status for s in emulator.served]
    assert record.complete
    assert paced.count(429) == 0 and len(paced) == 8
    assert bare.count(429) > 0  # the same panel without the pacer meets the limit
