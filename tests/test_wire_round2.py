"""Real traffic panel had not seen: what the providers and compatible servers legitimately send,
replayed as exact bytes through the real SDKs (the `httpx2_mock` router), and what panel makes of
it: a retry only where it can help, one line naming the cell, usage counted once, nothing paid
for thrown away."""

from __future__ import annotations

import json
from typing import Any

import httpcore2
import httpx
import pytest
import respx

from panel.errors import CellFailure, ProviderError
from panel.models import Usage
from tests.helpers import (
    PlanFor,
    broken_stream,
    chunks,
    event_stream,
    reply_text,
    verdict_after,
    verdict_of,
)
from tests.sse import claude_events, openai_chunks, sse

CLAUDE_URL = "https://api.anthropic.com/v1/messages"
OPENAI_URL = "https://api.openai.com/v1/chat/completions"
CELL = "cell builder × claude-api-streaming-caching"


def failure(provider: Any, plan: Any, route: respx.Route, *answers: httpx.Response) -> str:
    """The one-line error a cell ends with when `route` gives `answers` in turn."""
    route.mock(side_effect=list(answers))
    with pytest.raises(ProviderError) as caught:
        verdict_of(provider, plan)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message and message.startswith(CELL), message
    return message


def openai_error(status: int, error: dict[str, Any], **headers: str) -> httpx.Response:
    """An OpenAI error response as the API writes it (pretty-printed JSON, a request id)."""
    body = json.dumps({"error": error}, indent=2).encode() + b"\n"
    head = {"content-type": "application/json", "x-request-id": "req_5f3c", **headers}
    return httpx.Response(status, headers=head, content=body)


# ------------------------------------------------------------------ errors no retry can mend

QUOTA = {
    "message": "You exceeded your current quota, please check your plan and billing details. "
    "For more information on this error, read the docs: "
    "https://platform.openai.com/docs/guides/error-codes/api-errors.",
    "type": "insufficient_quota",
    "param": None,
    "code": "insufficient_quota",
}
OVER_THE_LIMIT = {
    "message": "Request too large for gpt-4o in organization org-************************ on "
    "tokens per min (TPM): Limit 30000, Requested 45117. The input or output tokens must be "
    "reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits "
    "to learn more.",
    "type": "tokens",
    "param": None,
    "code": "rate_limit_exceeded",
}


NOT_ACTIVE = {  # its code is sometimes null: the type says it
    "message": "Your account is not active, please check your billing details on our website.",
    "type": "billing_not_active",
    "param": None,
    "code": None,
}


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (QUOTA, "insufficient_quota"),
        (NOT_ACTIVE, "billing is not active"),
        (OVER_THE_LIMIT, "larger than the rate limit"),
    ],
    ids=["insufficient-quota", "billing-not-active", "request-over-the-limit"],
)
def test_a_429_no_wait_can_mend_fails_at_once_saying_so(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router, error: dict[str, Any], said: str
) -> None:
    plan = builder_plan(gpt)
    route = httpx2_mock.post(OPENAI_URL)
    answer = openai_error(429, error, **{"x-ratelimit-remaining-requests": "4999"})
    message = failure(gpt, plan, route, *[answer] * 12)
    assert route.call_count == 1 and gpt.sleeps == []
    assert "429" in message and said in message and "retry cannot help" in message
    # An ordinary rate limit ("Used" too) is still waited out, as the server advised.
    ordinary = dict(OVER_THE_LIMIT, message="Rate limit reached for gpt-4o in organization org-x "
                    "on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try "
                    "again in 1.4s.")  # fmt: skip
    good = event_stream(openai_chunks(chunks(reply_text(plan.request), 40)))
    route.reset()
    verdict_after(route, gpt, plan, openai_error(429, ordinary, **{"retry-after": "2"}), good)
    assert 2 <= gpt.sleeps[0] <= 3


# A proxy's error page (nginx, Cloudflare) in front of either API: CRLF lines, no JSON.
BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_an_html_error_page_is_retried_and_told_in_one_line(
    api: str, claude: Any, gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    provider, url = (claude, CLAUDE_URL) if api == "anthropic" else (gpt, OPENAI_URL)
    page = httpx.Response(502, headers={"content-type": "text/html"}, content=BAD_GATEWAY)
    route = httpx2_mock.post(url)
    message = failure(provider, builder_plan(provider), route, *[page] * 4)
    assert route.call_count == 4 and "502 Bad Gateway" in message and "<" not in message


def test_a_validation_error_over_several_lines_is_one_line(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    from panel.providers.openai_chat import OpenAIProvider
    from tests.helpers import instant_retries

    base_url = "http://localhost:8000/v1"  # vLLM: a pydantic error, one line per problem
    provider = instant_retries(OpenAIProvider("Qwen/Qwen3-8B", base_url=base_url, api_key="x"))
    body = {
        "object": "error",
        "message": "1 validation error for ChatCompletionRequest\nmax_tokens\n  Input should be "
        "less than or equal to 32768 [type=less_than_equal, input_value=65536]",
        "type": "BadRequestError",
        "param": None,
        "code": 400,
    }
    route = httpx2_mock.post(f"{base_url}/chat/completions")
    message = failure(provider, builder_plan(provider), route, httpx.Response(400, json=body))
    assert route.call_count == 1 and "max_tokens Input should be less than" in message


# ------------------------------------------------------------------ a whole reply, then a cut

DROPPED = httpcore2.RemoteProtocolError("peer closed connection without sending complete message")


@pytest.mark.parametrize("cut", ["dropped", "ended"])
def test_a_claude_reply_whose_message_stop_is_lost_is_kept_not_bought_again(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router, cut: str
) -> None:
    plan = builder_plan(claude)
    text = reply_text(plan.request)
    events = claude_events(chunks(text, 40), input_tokens=30, cache_read=2000, output_tokens=400)
    body = sse(events[:-1])  # through message_delta: every block, the stop reason, final usage
    first = broken_stream(body, DROPPED) if cut == "dropped" else event_stream(events[:-1])
    outcome = verdict_after(httpx2_mock.post(CLAUDE_URL), claude, plan, first)
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    assert outcome.usage == Usage(input_tokens=30, output_tokens=400, cache_read_tokens=2000)


@pytest.mark.parametrize("usage_arrived", [True, False], ids=["with-usage", "before-usage"])
def test_a_chat_reply_whose_connection_drops_after_its_finish_is_kept(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router, usage_arrived: bool
) -> None:
    plan = builder_plan(gpt)
    text = reply_text(plan.request)
    events = openai_chunks(chunks(text, 40), prompt_tokens=1500, cached=1280)
    kept = events[:-1] if usage_arrived else events[:-2]  # no [DONE]; maybe no usage chunk
    outcome = verdict_after(
        httpx2_mock.post(OPENAI_URL), gpt, plan, broken_stream(sse(kept), DROPPED)
    )
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    expected = Usage(input_tokens=220, output_tokens=90, cache_read_tokens=1280)
    assert outcome.usage == (expected if usage_arrived else Usage(reported=False))


def test_a_claude_stream_whose_gateway_leaves_usage_out_is_a_verdict_of_unknown_cost(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    text = reply_text(plan.request)
    events = claude_events(chunks(text, 40))
    for name, data in events:
        if name == "message_start":
            del data["message"]["usage"]
        elif name == "message_delta":
            del data["usage"]
    outcome = verdict_after(httpx2_mock.post(CLAUDE_URL), claude, plan, event_stream(events))
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    assert not outcome.usage.reported


def test_a_claude_closing_usage_without_an_output_count_is_not_taken_as_the_cost(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    events = claude_events(chunks(reply_text(plan.request), 40), input_tokens=30)
    for name, data in events:
        if name == "message_delta":
            data["usage"] = {"output_tokens": None, "cache_creation_input_tokens": None}
    outcome = verdict_after(httpx2_mock.post(CLAUDE_URL), claude, plan, event_stream(events))
    assert not outcome.usage.reported and outcome.usage.input_tokens == 30


# ------------------------------------------------------------------ stop reasons


def test_a_reply_cut_by_a_full_context_window_is_not_asked_again_with_a_larger_limit(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    text = reply_text(plan.request)
    events = claude_events(
        chunks(text[:200], 40), stop_reason="model_context_window_exceeded", output_tokens=900
    )
    for name, data in events:
        if name == "message_delta":  # as 2026-era streams write it
            data["delta"]["stop_details"] = None
            data["usage"].update(input_tokens=40, cache_read_input_tokens=0)
    route = httpx2_mock.post(CLAUDE_URL).mock(return_value=event_stream(events))
    with pytest.raises(CellFailure) as caught:
        verdict_of(claude, plan)
    assert route.call_count == 1  # a larger max_tokens makes no room in the window
    assert "context window" in str(caught.value) and "truncated" in str(caught.value)
    assert caught.value.usage == Usage(input_tokens=40, output_tokens=900)


# ------------------------------------------------------------------ compatible servers

VLLM = "http://localhost:8000/v1"


def vllm(monkeypatch: pytest.MonkeyPatch) -> Any:
    from panel.providers.openai_chat import OpenAIProvider
    from tests.helpers import instant_retries

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return instant_retries(OpenAIProvider("Qwen/Qwen3-8B", base_url=VLLM))


VLLM_TOO_LONG = {
    "object": "error",
    "message": "This model's maximum context length is 8192 tokens. However, you requested 9010 "
    "tokens (4914 in the messages, 4096 in the completion). Please reduce the length of the "
    "messages or completion.",
    "type": "BadRequestError",
    "param": None,
    "code": 400,
}


@pytest.mark.parametrize(
    ("chunk", "calls"),
    [
        (VLLM_TOO_LONG, 1),  # vLLM 2024: the error bare, as a chunk the SDK passes on
        ({"error": VLLM_TOO_LONG}, 1),  # later vLLM: wrapped, raised by the SDK
        ({"error": dict(VLLM_TOO_LONG, type="InternalServerError", code=500)}, 4),
    ],
    ids=["bare-400", "wrapped-400", "wrapped-500"],
)
def test_a_compatible_servers_error_chunk_is_told_and_retried_only_when_it_can_help(
    monkeypatch: pytest.MonkeyPatch,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    chunk: dict[str, Any],
    calls: int,
) -> None:
    provider = vllm(monkeypatch)
    plan = builder_plan(provider)
    started = openai_chunks([], finish_reason=None, done=False)
    broken = event_stream([*started, (None, chunk), (None, "[DONE]")])
    route = httpx2_mock.post(f"{VLLM}/chat/completions")
    message = failure(provider, plan, route, *[broken] * 4)
    assert route.call_count == calls and "maximum context length is 8192" in message
