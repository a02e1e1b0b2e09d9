"""The warm-up gate opens on the warm-up call's first streamed event, never on its HTTP headers.

A prompt-cache entry is readable only once the response that writes it has
begun; the headers come earlier. So a provider says `Started` only when the
first event (Claude `message_start`, OpenAI's first chunk) has been parsed,
and the orchestrator fans out on that, and never into a cold cache: when the
warm-up call fails, the next cell becomes the warm-up.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Literal

import anthropic
import httpcore2
import httpx
import pytest
import respx

from panel.errors import ProviderError
from panel.providers.base import Event, Provider, Started, StructuredRequest, TextDelta
from panel.providers.claude import ClaudeProvider
from panel.providers.openai_chat import OpenAIProvider
from panel.running.runner import PanelSpec
from tests.helpers import (
    PlanFor,
    ScriptedProvider,
    broken_stream,
    emulated,
    panel_record,
    reply_chunks,
    run,
)
from tests.sse import claude_events, openai_chunks, sse
from tests.support.emulator import Emulator, EmulatorConfig

CLAUDE_URL = "https://api.anthropic.com/v1/messages"
OPENAI_URL = "https://api.openai.com/v1/chat/completions"
URLS = {"anthropic": CLAUDE_URL, "openai": OPENAI_URL}
LIMITS = {"anthropic-ratelimit-requests-limit": "50", "x-ratelimit-limit-tokens": "30000"}


async def _events(
    provider: Any, request: StructuredRequest
) -> tuple[list[Event], Exception | None]:
    seen: list[Event] = []
    try:
        async for event in provider.stream(request):
            seen.append(event)
    except Exception as error:  # noqa: BLE001 - the test looks at what came before it
        return seen, error
    return seen, None


def _headers_then_broken(body: bytes) -> httpx.Response:
    return broken_stream(body, httpcore2.ReadError("connection reset"), LIMITS)


def _bare(api: str) -> Provider:
    """The API's provider without retries: a failure is seen as it comes."""
    if api == "anthropic":
        return ClaudeProvider("claude-sonnet-5-5", api_key="sk-ant-test")
    return OpenAIProvider("gpt-5-mini", api_key="sk-test")


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_headers_alone_are_not_a_start(
    api: str, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    provider = _bare(api)
    httpx2_mock.post(URLS[api]).mock(return_value=_headers_then_broken(b""))
    seen, error = run(_events(provider, builder_plan(provider).request))
    assert isinstance(error, ProviderError)
    assert not any(isinstance(event, Started) for event in seen)


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_started_comes_with_the_first_event_and_carries_the_rate_limit_headers(
    api: str, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    provider = _bare(api)
    request = builder_plan(provider).request
    text = reply_chunks(request)
    first = (claude_events(text) if api == "anthropic" else openai_chunks(text))[:1]
    httpx2_mock.post(URLS[api]).mock(return_value=_headers_then_broken(sse(first)))
    seen, error = run(_events(provider, request))
    assert isinstance(error, ProviderError)  # the stream broke after its first event
    assert len(seen) == 1 and isinstance(seen[0], Started)
    assert seen[0].headers == LIMITS
    assert "content-type" not in seen[0].headers


class _FirstFailsThenSlowStart(ScriptedProvider):
    """The first call fails before its response begins; later calls start after a pause."""

    def __init__(self) -> None:
        super().__init__(
            lambda request, n: (
                ProviderError("overloaded (gave up)") if n == 1 else reply_chunks(request)
            ),
            delay=0.02,
        )


def test_a_failed_warm_up_hands_the_warm_up_to_the_next_cell(
    panel_spec: PanelSpec, tmp_path: Path
) -> None:
    provider = _FirstFailsThenSlowStart()
    record = panel_record(panel_spec, provider, tmp_path, concurrency=8)
    assert record.totals.cells_ok == 7
    calls = [cell for kind, cell in provider.events if kind == "call"]
    second_started = provider.events.index(("started", calls[1]))
    # The second cell went alone, as the new warm-up: nobody else was sent before it began.
    assert [kind for kind, _ in provider.events[:second_started]] == ["call", "call"]


def test_a_warm_up_that_never_starts_keeps_the_gate_shut(
    panel_spec: PanelSpec, tmp_path: Path
) -> None:
    in_flight, peak = 0, 0

    class NeverStarts(ScriptedProvider):
        async def stream(self, request: StructuredRequest) -> Any:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                await asyncio.sleep(0.005)
                raise ProviderError("overloaded (gave up)")
                yield TextDelta("")  # pragma: no cover - makes this an async generator
            finally:
                in_flight -= 1

    provider = NeverStarts(lambda request, n: [])
    record = panel_record(panel_spec, provider, tmp_path, concurrency=8)
    assert record.totals.cells_ok == 0
    assert peak == 1  # every cell was tried as the warm-up in turn, none into a cold cache


# -- against the emulator, which models readiness as the services document it


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_panel_fans_out_on_the_first_event_and_every_other_cell_reads(
    api: str, panel_spec: PanelSpec, tmp_path: Path
) -> None:
    # Headers at once, the first event (and the readable cache entry) 0.2 s later.
    with Emulator(EmulatorConfig(ttft=0.2)) as emulator:
        provider = emulated(api, emulator.url)
        record = panel_record(panel_spec, provider, tmp_path, concurrency=8, refresh=True)
    assert record.complete
    assert [bool(s.cache_write) for s in emulator.served].count(True) == 1
    assert sum(bool(s.cache_read) for s in emulator.served) == 7


async def _bare_sdk_panel(url: str, params: dict[str, Any], gate: str) -> None:
    """Eight calls with the bare SDK: one first, the rest once the gate opens."""
    client = anthropic.AsyncAnthropic(api_key="emulated-key", base_url=url, max_retries=0)

    async def consume(stream: Any) -> None:
        async for _event in stream:
            pass

    async def follower() -> None:
        await consume(await client.messages.create(**params, stream=True))

    leader = await client.messages.create(**params, stream=True)  # returns on the headers
    first = None if gate == "headers" else await anext(aiter(leader))
    assert first is None or first.type == "message_start"
    await asyncio.gather(consume(leader), *(follower() for _ in range(7)))
    await client.close()


@pytest.mark.parametrize(
    ("cache_ready", "gate", "reads"),
    [
        ("first_event", "headers", 0),  # what the services do, and a gate on the headers
        ("first_event", "first_event", 7),  # ... and a gate on the first event
        ("headers", "headers", 7),  # a service readable from the headers would forgive it
        ("complete", "first_event", 0),  # one readable only when complete would not
    ],
)
def test_the_readiness_point_decides_what_a_gate_gets(
    cache_ready: Literal["headers", "first_event", "complete"],
    gate: str,
    reads: int,
    builder_plan: PlanFor,
) -> None:
    config = EmulatorConfig(
        ttft=0.5, cache_ready=cache_ready, tokens_per_second=400, output_tokens=100
    )
    with Emulator(config) as emulator:
        provider = emulated("anthropic", emulator.url)
        assert isinstance(provider, ClaudeProvider)
        params = provider.request_params(builder_plan(provider).request)
        run(_bare_sdk_panel(emulator.url, params, gate))
    assert len(emulator.served) == 8
    assert sum(bool(s.cache_read) for s in emulator.served) == reads
    assert sum(bool(s.cache_write) for s in emulator.served) == 8 - reads
    assert all(s.started is not None and s.first_event is not None for s in emulator.served)
    assert all(s.first_event - s.started >= 0.4 for s in emulator.served)  # type: ignore[operator]
