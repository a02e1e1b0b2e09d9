"""The first request's head start (issue 25): it leaves over httpx2 while the SDK loads, it is the
very request the SDK sends, and whatever answers it is read exactly as on any later request."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpcore2
import httpx
import httpx2
import pytest
import respx

from panel.errors import ProviderError
from panel.models import Usage
from panel.providers.base import Event, Provider, StructuredRequest
from panel.providers.claude import ClaudeProvider
from panel.providers.head_start import HeadStart, WireRequest
from panel.providers.openai_chat import OpenAIProvider
from tests.conftest import CLAUDE_KEY, OPENAI_KEY
from tests.helpers import (
    PlanFor,
    broken_stream,
    event_stream,
    instant_retries,
    reply_chunks,
    run,
    verdict_after,
)
from tests.sse import claude_events, openai_chunks, sse
from tests.test_claude import URL, error_response, reply_events

OPENAI_URL = "https://api.openai.com/v1/chat/completions"


def _claude(monkeypatch: pytest.MonkeyPatch, **options: Any) -> ClaudeProvider:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CLAUDE_KEY)
    return ClaudeProvider("claude-sonnet-5-5", **options)


async def _read(provider: Provider, request: StructuredRequest) -> list[Event]:
    return [event async for event in provider.stream(request)]


def _headers(request: httpx.Request) -> list[tuple[str, str]]:
    return sorted((name.lower(), value) for name, value in request.headers.multi_items())


def _gpt(monkeypatch: pytest.MonkeyPatch, **options: Any) -> OpenAIProvider:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    return OpenAIProvider("gpt-5-mini", **options)


def _reply(api: str, request: StructuredRequest) -> httpx.Response:
    if api == "anthropic":
        return event_stream(reply_events(request))
    return event_stream(openai_chunks(reply_chunks(request, 30)))


# ------------------------------------------------------------------ the request itself


async def _sdk_call(api: str, base_url: str | None, params: dict[str, Any]) -> None:
    """The call made by the SDK's own client, as it is made with no head start."""
    import anthropic
    import openai

    sdk: Any
    if api == "anthropic":
        sdk = anthropic.AsyncAnthropic(
            api_key=CLAUDE_KEY, base_url=base_url, max_retries=0, timeout=120.0
        )
        stream = await sdk.messages.create(**params, stream=True)
    else:
        sdk = openai.AsyncOpenAI(
            api_key=OPENAI_KEY, base_url=base_url, max_retries=0, timeout=120.0
        )
        stream = await sdk.chat.completions.create(**params, stream=True)
    async for _ in stream:
        pass
    await sdk.close()


ENVIRONMENT_HEADERS = {
    "OPENAI_ORG_ID": ("openai-organization", "org-panel"),
    "OPENAI_PROJECT_ID": ("openai-project", "proj_panel"),
}


@pytest.mark.parametrize(
    ("api", "base_url", "environment", "url"),
    [
        ("anthropic", None, {}, URL),
        ("anthropic", "https://gateway.example.com/anthropic", {}, None),
        ("openai", None, {}, OPENAI_URL),
        (
            "openai",
            "https://gateway.example.com/openai",
            {"OPENAI_ORG_ID": "org-panel", "OPENAI_PROJECT_ID": "proj_panel"},
            None,
        ),
    ],
    ids=["claude", "claude-gateway", "openai", "openai-org-project"],
)
def test_the_request_sent_ahead_is_the_one_the_sdk_sends(
    monkeypatch: pytest.MonkeyPatch,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    api: str,
    base_url: str | None,
    environment: dict[str, str],
    url: str | None,
) -> None:
    """Header for header, byte for byte, against the SDK's own client making the same call."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    make = _claude if api == "anthropic" else _gpt
    provider = make(monkeypatch, base_url=base_url)
    plan = builder_plan(provider)
    path = "/v1/messages" if api == "anthropic" else "/chat/completions"
    route = httpx2_mock.post(url or f"https://gateway.example.com/{api}{path}").mock(
        side_effect=lambda request: _reply(api, plan.request)
    )

    async def both() -> None:
        await _read(provider, plan.request)
        await provider.aclose()
        await _sdk_call(api, base_url, provider.request_params(plan.request))

    run(both())
    assert provider.sdk.head_start.used and route.call_count == 2
    ahead, own = (call.request for call in route.calls)
    assert (ahead.method, ahead.url, ahead.content) == (own.method, own.url, own.content)
    assert _headers(ahead) == _headers(own)
    assert ahead.extensions["timeout"] == own.extensions["timeout"]
    for variable, (header, value) in ENVIRONMENT_HEADERS.items():
        assert variable not in environment or ahead.headers[header] == value


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_custom_headers_leave_the_first_request_to_the_sdk(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router, api: str
) -> None:
    """`ANTHROPIC_CUSTOM_HEADERS` / `OPENAI_CUSTOM_HEADERS` are merged by each SDK its own way (an
    authorization among them, say): no head start is written, and the SDK sends the call."""
    monkeypatch.setenv(f"{api.upper()}_CUSTOM_HEADERS", "X-Team: panel")
    provider = _claude(monkeypatch) if api == "anthropic" else _gpt(monkeypatch)
    plan = builder_plan(provider)
    route = httpx2_mock.post(URL if api == "anthropic" else OPENAI_URL)
    route.mock(return_value=_reply(api, plan.request))
    run(_read(provider, plan.request))
    assert not provider.sdk.head_start.used and route.call_count == 1
    assert route.calls[0].request.headers["x-team"] == "panel"


def test_the_first_request_leaves_before_the_sdk_has_loaded(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    """The SDK's loading waits here until the request has reached the server: were the request
    to wait for the SDK (or the SDK to load on the event loop), the wait would time out."""
    claude = _claude(monkeypatch)
    plan = builder_plan(claude)
    arrived = threading.Event()

    def respond(request: httpx.Request) -> httpx.Response:
        arrived.set()
        return event_stream(reply_events(plan.request))

    route = httpx2_mock.post(URL).mock(side_effect=respond)
    make = claude.sdk.make

    def make_once_the_request_arrived(*args: Any, **options: Any) -> Any:
        if not arrived.wait(timeout=20):
            raise TimeoutError("the first request waited for the SDK")
        return make(*args, **options)

    claude.sdk.make = make_once_the_request_arrived
    events = run(_read(claude, plan.request))
    assert route.call_count == 1  # the SDK took up the response: nothing was sent twice
    assert events[-1].usage == Usage(input_tokens=40, output_tokens=120)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("installed", "sent_ahead"), [(None, False), ("2.14.9", False), ("2.16.0", True)]
)
def test_the_head_start_is_written_only_for_the_sdk_it_knows(
    monkeypatch: pytest.MonkeyPatch,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    installed: str | None,
    sent_ahead: bool,
) -> None:
    """An SDK older than the one whose request is written (it may send another API version), or
    one installed without its metadata, sends the first request itself."""
    from importlib.metadata import PackageNotFoundError

    from panel.providers import head_start

    def version(package: str) -> str:
        if installed is None:
            raise PackageNotFoundError(package)
        return installed

    monkeypatch.setattr(head_start, "version", version)
    claude = _claude(monkeypatch)
    plan = builder_plan(claude)
    route = httpx2_mock.post(URL).mock(return_value=_reply("anthropic", plan.request))
    run(_read(claude, plan.request))
    assert claude.sdk.head_start.used is sent_ahead and route.call_count == 1


def test_later_requests_are_sent_by_the_sdk_alone_with_the_first_responses_cookies(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    """A cookie the first response set (a gateway's, say) goes with the later requests, as it
    does when the SDK sends every request itself."""
    claude = _claude(monkeypatch)
    plan = builder_plan(claude)
    cookie = {"set-cookie": "__cf_bm=abc; Path=/; Domain=.api.anthropic.com; HttpOnly; Secure"}
    route = httpx2_mock.post(URL).mock(
        side_effect=[event_stream(reply_events(plan.request), headers=cookie)]
        + [event_stream(reply_events(plan.request)) for _ in range(2)]
    )

    async def three() -> None:
        for _ in range(3):
            await _read(claude, plan.request)
        await claude.aclose()

    run(three())
    assert [call.request.headers.get("cookie") for call in route.calls] == [
        None,
        *["__cf_bm=abc"] * 2,
    ]
    assert claude.sdk.client.is_closed()


def test_a_request_the_sdk_builds_differently_is_never_answered_by_the_head_start(
    httpx2_mock: respx.Router,
) -> None:
    route = httpx2_mock.post("https://api.example.com/v1/x").mock(
        return_value=httpx.Response(200, json={"ok": True})
    )
    wire = WireRequest("POST", "https://api.example.com/v1/x", {}, b'{"a":1,"b":[2]}', 5.0)

    async def asked(body: bytes) -> bool:
        calls = route.call_count
        head_start = HeadStart()
        head_start.send(wire)
        taken = head_start.take(httpx2.Request("POST", wire.url, content=body))
        if taken is not None:
            assert await (await taken).aread() == b'{"ok":true}'
        while route.call_count == calls:  # sent all the same, and closed unread below
            await asyncio.sleep(0.001)
        await head_start.aclose()
        return taken is not None

    assert run(asked(b'{"b":[2],"a":1}'))  # the same question, keys in another order
    assert not run(asked(b'{"a":1,"b":[3]}'))
    assert not run(asked(b"not json"))
    assert "key" not in repr(WireRequest("GET", "https://x", {"x-api-key": "key"}, b"", 1.0))


class Watched(httpx.AsyncByteStream):
    """A response body that notes whether the client closed it."""

    def __init__(self, body: bytes) -> None:
        self.body, self.closed = body, False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.body

    async def aclose(self) -> None:
        self.closed = True


def test_a_first_call_cancelled_while_the_sdk_loads_closes_the_response_sent_ahead(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    claude = _claude(monkeypatch)
    plan = builder_plan(claude)
    body = Watched(sse(reply_events(plan.request)))
    headers = {"content-type": "text/event-stream"}
    route = httpx2_mock.post(URL).mock(
        return_value=httpx.Response(200, headers=headers, stream=body)
    )
    release = threading.Event()
    make = claude.sdk.make

    def make_when_released(*args: Any, **options: Any) -> Any:
        release.wait(timeout=20)
        return make(*args, **options)

    claude.sdk.make = make_when_released

    async def cancelled() -> None:
        call = asyncio.ensure_future(_read(claude, plan.request))
        while not route.called:
            await asyncio.sleep(0.001)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert body.closed  # by the cancelled call, before the SDK has loaded
        release.set()
        await claude.aclose()

    run(cancelled())
    assert route.call_count == 1


# ------------------------------------------------------------------ answers to the first request

STRICT_SCHEMA = (
    "output_config.format.schema: For 'integer' type, property 'minimum' is not supported"
)


def _claude_faults() -> dict[str, Any]:
    started = claude_events([], finish=False)[:2]
    error_event = (
        "error",
        {"type": "error", "error": {"type": "overloaded_error", "message": "x"}},
    )
    return {
        "400-strict-schema": httpx.Response(
            400,
            headers={"x-should-retry": "false"},
            json={
                "type": "error",
                "error": {"type": "invalid_request_error", "message": STRICT_SCHEMA},
            },
        ),
        "401": error_response(401, "authentication_error"),
        "429-retry-after": error_response(
            429,
            "rate_limit_error",
            {"retry-after": "7", "anthropic-ratelimit-requests-remaining": "0"},
        ),
        "5xx": error_response(529, "overloaded_error"),
        "error-event": event_stream([*started, error_event]),
        "truncated": event_stream(claude_events(['{"verdict": "sh'], finish=False)),
        "dropped": broken_stream(sse(started), httpcore2.ReadError("connection reset")),
        "refused-connection": httpcore2.ConnectError("connection refused"),
    }


def _openai_faults() -> dict[str, Any]:
    started = openai_chunks(['{"verdict": "sh'], finish_reason=None, done=False)
    unsupported = {
        "message": "Unsupported parameter: 'prompt_cache_key' is not supported with this model.",
        "type": "invalid_request_error",
        "param": "prompt_cache_key",
        "code": "unsupported_parameter",
    }
    return {
        "400-unsupported-field": httpx.Response(400, json={"error": unsupported}),
        "401": httpx.Response(401, json={"error": {"message": "Incorrect API key provided"}}),
        "429-retry-after": httpx.Response(
            429,
            headers={"retry-after": "7", "x-ratelimit-remaining-requests": "0"},
            json={"error": {"message": "slow down", "type": "rate_limit_exceeded"}},
        ),
        "5xx": httpx.Response(503, json={"error": {"message": "unavailable"}}),
        "error-chunk": event_stream(
            [*started, (None, {"error": {"message": "the stream broke", "type": "server_error"}})]
        ),
        "truncated": event_stream(started),
        "dropped": broken_stream(sse(started), httpcore2.ReadError("connection reset")),
        "refused-connection": httpcore2.ConnectError("connection refused"),
    }


def _error_on_call(
    provider: Provider, request: StructuredRequest, route: respx.Route, fault: Any, call: int
) -> ProviderError:
    """The error `provider` raises when `fault` answers its call number `call` (from 1), the
    calls before it answered with a good reply."""
    api = provider.info.provider
    route.mock(side_effect=[_reply(api, request) for _ in range(call - 1)] + [fault])

    async def calls() -> ProviderError:
        try:
            for _ in range(call - 1):
                await _read(provider, request)
            with pytest.raises(ProviderError) as raised:
                await _read(provider, request)
            return raised.value
        finally:
            await provider.aclose()

    return run(calls())


def _said(error: ProviderError) -> tuple[Any, ...]:
    return (str(error), error.status, error.retryable, error.retry_after, error.usage)


@pytest.mark.parametrize(
    ("api", "name", "status", "retryable", "retry_after"),
    [
        ("anthropic", "400-strict-schema", 400, False, None),
        ("anthropic", "401", 401, False, None),
        ("anthropic", "429-retry-after", 429, True, 7.0),
        ("anthropic", "5xx", 529, True, None),
        ("anthropic", "error-event", 200, True, None),
        ("anthropic", "truncated", None, True, None),
        ("anthropic", "dropped", None, True, None),
        ("anthropic", "refused-connection", None, True, None),
        ("openai", "400-unsupported-field", 400, False, None),
        ("openai", "401", 401, False, None),
        ("openai", "429-retry-after", 429, True, 7.0),
        ("openai", "5xx", 503, True, None),
        ("openai", "error-chunk", None, True, None),
        ("openai", "truncated", None, True, None),
        ("openai", "dropped", None, True, None),
        ("openai", "refused-connection", None, True, None),
    ],
)
def test_a_fault_answering_the_first_request_reads_as_on_any_later_one(
    monkeypatch: pytest.MonkeyPatch,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    api: str,
    name: str,
    status: int | None,
    retryable: bool,
    retry_after: float | None,
) -> None:
    """Each fault answers a fresh provider's first request (sent ahead, taken up by the SDK) and
    another's third (the SDK's own): the same error, word for word."""
    make = _claude if api == "anthropic" else _gpt
    route = httpx2_mock.post(URL if api == "anthropic" else OPENAI_URL)
    first = make(monkeypatch)
    plan = builder_plan(first)
    fault = (_claude_faults() if api == "anthropic" else _openai_faults())[name]
    on_first = _error_on_call(first, plan.request, route, fault, call=1)
    assert first.sdk.head_start.used and route.call_count == 1
    on_third = _error_on_call(make(monkeypatch), plan.request, route, fault, call=3)
    assert _said(on_first) == _said(on_third)
    assert (on_first.status, on_first.retryable, on_first.retry_after) == (
        status,
        retryable,
        retry_after,
    )
    assert CLAUDE_KEY not in str(on_first) and OPENAI_KEY not in str(on_first)


def test_a_rate_limited_first_request_is_retried_after_the_servers_wait(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    claude = instant_retries(_claude(monkeypatch))
    plan = builder_plan(claude)
    limited = error_response(429, "rate_limit_error", {"retry-after": "7"})
    good = event_stream(reply_events(plan.request))
    route = httpx2_mock.post(URL)
    outcome = verdict_after(route, claude, plan, limited, good)
    assert outcome.verdict.verdict in ("ship", "skip")
    assert claude.sleeps and claude.sleeps[0] >= 7
    assert claude.inner.sdk.head_start.used
    assert [call.request.headers["x-stainless-retry-count"] for call in route.calls] == ["0", "0"]
