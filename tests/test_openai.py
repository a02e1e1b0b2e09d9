"""The OpenAI provider (and compatible servers) against respx routes serving chat-completion
streams."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpcore2
import httpx
import pytest
import respx

from panel.errors import CellFailure, InputError, ProviderError
from panel.inputs.loading import choose_personas
from panel.inputs.prompts import PromptSet
from panel.inputs.schema import strict_problems
from panel.models import Persona, ToolCard
from panel.providers.base import Provider, StructuredRequest
from panel.providers.openai_chat import OpenAIProvider
from panel.running.orchestrator import CellPlan, RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import plan_cells, run_panel
from panel.running.structured import Outcome, stream_verdict
from tests.helpers import chunks, good_reply, instant_retries, run, spec_for
from tests.sse import BrokenStream, openai_chunks, sse

URL = "https://api.openai.com/v1/chat/completions"
SECRET = "sk-proj-test-secret-0123456789"


def make(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Any:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    return instant_retries(OpenAIProvider(kwargs.pop("model", "gpt-5-mini"), **kwargs))


@pytest.fixture
def gpt(monkeypatch: pytest.MonkeyPatch) -> Any:
    return make(monkeypatch)


def stream_response(events: list[tuple[str | None, Any]]) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(events))


def reply(request: StructuredRequest, size: int = 30, **kwargs: Any) -> httpx.Response:
    return stream_response(openai_chunks(chunks(json.dumps(good_reply(request)), size), **kwargs))


def _plan(
    personas: dict[str, Persona], cards: list[ToolCard], provider: Provider, who: str = "builder"
) -> CellPlan:
    return plan_cells(spec_for([personas[who]], cards), provider)[0]


def _verdict(provider: Provider, plan: CellPlan, **kwargs: Any) -> Outcome:
    return run(stream_verdict(provider, plan.request, plan.model, PromptSet.from_dir(), **kwargs))


def test_schema_is_sent_strict_with_cache_key_and_usage(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    plan = _plan(personas, cards, gpt)
    route = httpx2_mock.post(URL).mock(return_value=reply(plan.request))
    _verdict(gpt, plan)
    body = json.loads(route.calls[0].request.content)
    schema = body["response_format"]["json_schema"]
    assert schema["strict"] is True and strict_problems(schema["schema"]) == []
    assert body["messages"][0] == {"role": "system", "content": plan.request.system}
    assert body["messages"][1]["content"] == plan.request.prompt
    assert body["prompt_cache_key"] == plan.request.panel_key
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_completion_tokens"] == plan.request.max_tokens
    assert "prompt_cache_options" not in body  # gpt-5-mini does not take it
    assert body["reasoning_effort"] == "low" and "temperature" not in body


def test_cache_retention_option(
    monkeypatch: pytest.MonkeyPatch,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    newer = make(monkeypatch, cache_retention="30m", model="gpt-5.6-mini")
    older = make(monkeypatch, cache_retention="30m", model="gpt-5-mini")
    plan = _plan(personas, cards, newer)
    route = httpx2_mock.post(URL).mock(side_effect=[reply(plan.request), reply(plan.request)])
    _verdict(newer, plan)
    _verdict(older, plan)
    sent = [json.loads(call.request.content) for call in route.calls]
    assert sent[0]["prompt_cache_options"] == {"ttl": "30m"}
    assert "prompt_cache_options" not in sent[1]  # gpt-5 and earlier reject it
    assert any("--cache-retention is not sent" in note for note in older.notes(plan.request.system))
    assert not any("--cache-retention" in note for note in newer.notes(plan.request.system))


def test_partial_objects_arrive_in_order(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    plan = _plan(personas, cards, gpt)
    httpx2_mock.post(URL).mock(return_value=reply(plan.request, size=4))
    seen: list[list[str]] = []
    _verdict(gpt, plan, on_partial=lambda f: seen.append(list(f)))
    order = [
        "beats",
        "competitors",
        "versus",
        "verdict",
        "score",
        "confidence",
        "headline",
        "quote",
    ]
    assert seen == [order[:n] for n in range(1, len(order) + 1)]


def test_cached_tokens_are_accounted(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
    tmp_path: Path,
) -> None:
    calls = {"n": 0}

    def respond(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        body = json.loads(request.content)
        plan = next(
            p
            for p in plan_cells(spec_for(choose_personas(personas, None), cards), gpt)
            if p.request.prompt == body["messages"][1]["content"]
        )
        return reply(
            plan.request,
            prompt_tokens=3000,
            cached=0 if calls["n"] == 1 else 2816,
            completion_tokens=300,
        )

    httpx2_mock.post(URL).mock(side_effect=respond)
    record = run(
        run_panel(
            spec_for(choose_personas(personas, None), cards),
            gpt,
            ResponseStore(tmp_path),
            RunOptions(),
        )
    )
    usage = record.totals.usage
    assert usage.cache_read_tokens == 7 * 2816
    assert usage.input_tokens == 3000 + 7 * (3000 - 2816)
    assert usage.total_input_tokens == 8 * 3000
    assert record.totals.cached_input_share == round(7 * 2816 / 24000, 4)
    # gpt-5-mini: $0.25/M in, $2/M out, cached input at a tenth.
    expected = ((24000 - 7 * 2816) * 0.25 + 7 * 2816 * 0.025 + 2400 * 2) / 1e6
    assert record.totals.cost_usd == pytest.approx(expected, abs=1e-6)
    assert record.totals.saved_usd == pytest.approx(7 * 2816 * 0.225 / 1e6, abs=1e-6)


def test_compatible_server_without_key(
    monkeypatch: pytest.MonkeyPatch,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    provider = OpenAIProvider("llama3.1", base_url="http://127.0.0.1:11434/v1")
    plan = _plan(personas, cards, provider)
    route = httpx2_mock.post("http://127.0.0.1:11434/v1/chat/completions").mock(
        return_value=reply(plan.request)
    )
    outcome = _verdict(provider, plan)
    body = json.loads(route.calls[0].request.content)
    assert outcome.verdict is not None
    assert body["max_tokens"] == plan.request.max_tokens and "prompt_cache_key" not in body
    assert "max_completion_tokens" not in body and "reasoning_effort" not in body
    assert "127.0.0.1:11434" in provider.info.label


def test_base_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    provider = OpenAIProvider("qwen")
    plan = _plan(personas, cards, provider)
    route = httpx2_mock.post("http://127.0.0.1:8000/v1/chat/completions").mock(
        return_value=reply(plan.request)
    )
    _verdict(provider, plan)
    assert route.called


def test_no_key_and_no_server_is_one_clear_line() -> None:
    with pytest.raises(InputError, match="OPENAI_API_KEY is not set.*--model offline"):
        OpenAIProvider("gpt-5-mini")


@pytest.mark.parametrize(
    ("first", "sleep"),
    [
        (
            httpx.Response(
                429,
                headers={"x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s"},
                json={"error": {"message": "slow down", "type": "rate_limit_exceeded"}},
            ),
            60.0,
        ),
        (
            httpx.Response(429, headers={"retry-after": "2"}, json={"error": {"message": "slow"}}),
            2.0,
        ),
        (httpx.Response(503, json={"error": {"message": "unavailable"}}), None),
    ],
)
def test_retries_honour_reset_headers(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
    first: httpx.Response,
    sleep: float,
) -> None:
    plan = _plan(personas, cards, gpt)
    route = httpx2_mock.post(URL).mock(side_effect=[first, reply(plan.request)])
    _verdict(gpt, plan)
    assert route.call_count == 2
    if (
        sleep is not None
    ):  # the server's wait plus up to 0.5 s of jitter; 6 minutes is capped at 60 s
        assert len(gpt.sleeps) == 1 and sleep <= gpt.sleeps[0] <= min(60.0, sleep + 0.5)


def test_retries_broken_streams(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    plan = _plan(personas, cards, gpt)
    dropped = httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        stream=BrokenStream(
            sse(openai_chunks(['{"verd'], finish_reason=None, done=False)),
            httpcore2.RemoteProtocolError("peer closed"),
        ),
    )
    no_finish = stream_response(openai_chunks(['{"verdict": "ship"'], finish_reason=None))
    route = httpx2_mock.post(URL).mock(side_effect=[dropped, no_finish, reply(plan.request)])
    assert _verdict(gpt, plan).verdict is not None
    assert route.call_count == 3


def test_connection_refused_is_retried_then_reported(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    plan = _plan(personas, cards, gpt)
    route = httpx2_mock.post(URL).mock(side_effect=httpcore2.ConnectError("refused"))
    with pytest.raises(ProviderError, match="connection failed.*gave up after 4 attempts"):
        _verdict(gpt, plan)
    assert route.call_count == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"finish_reason": "length"}, "truncated at max_tokens"),
        (
            {"refusal": "I can't help with that."},
            r"refused to review \(refusal: I can't help with that\.\)",
        ),
        ({"finish_reason": "content_filter"}, "refused"),
    ],
)
def test_truncation_and_refusal_fail_the_cell(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
    kwargs: dict[str, Any],
    message: str,
) -> None:
    plan = _plan(personas, cards, gpt)
    httpx2_mock.post(URL).mock(
        return_value=stream_response(openai_chunks(['{"verdict": "ship", "quo'], **kwargs))
    )
    with pytest.raises(CellFailure, match=message):
        _verdict(gpt, plan)


def test_a_server_that_answers_in_prose_gets_one_reask(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    plan = _plan(personas, cards, gpt)
    prose = stream_response(
        openai_chunks(["Sure! I think this tool is great and I would ship it."])
    )
    route = httpx2_mock.post(URL).mock(side_effect=[prose, reply(plan.request)])
    outcome = _verdict(gpt, plan)
    second = json.loads(route.calls[1].request.content)["messages"]
    assert second[2] == {
        "role": "assistant",
        "content": "Sure! I think this tool is great and I would ship it.",
    }
    assert "not valid JSON" in second[3]["content"]
    assert outcome.attempts == 2


def test_prose_twice_fails_the_cell_clearly(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    plan = _plan(personas, cards, gpt)
    httpx2_mock.post(URL).mock(
        return_value=stream_response(openai_chunks(["Here is my review: ship."]))
    )
    with pytest.raises(
        CellFailure, match="reply still invalid after a re-ask: the reply is not valid JSON"
    ):
        _verdict(gpt, plan)


def test_auth_error_names_the_variable_not_the_key(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    plan = _plan(personas, cards, gpt)
    httpx2_mock.post(URL).mock(
        return_value=httpx.Response(
            401,
            json={
                "error": {
                    "message": f"Incorrect API key provided: {SECRET[:8]}***",
                    "type": "invalid_request_error",
                }
            },
        )
    )
    with pytest.raises(ProviderError) as caught:
        _verdict(gpt, plan)
    assert "check OPENAI_API_KEY" in str(caught.value) and SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "retried"), [("server_error", True), ("invalid_request_error", False)]
)
def test_an_error_chunk_mid_stream_is_retried_only_when_passing(
    gpt: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
    kind: str,
    retried: bool,
) -> None:
    """`data: {"error": ...}` inside an open stream: a server error is retried (the streamed
    start thrown away), a refused request is not."""
    plan = _plan(personas, cards, gpt)
    started = openai_chunks(['{"verdict": "sh'], finish_reason=None, done=False)
    error: list[tuple[str | None, Any]] = [
        (None, {"error": {"message": "the stream broke", "type": kind}})
    ]
    broken = stream_response(started + error)
    route = httpx2_mock.post(URL).mock(side_effect=[broken, reply(plan.request)])
    if retried:
        assert _verdict(gpt, plan).verdict is not None
        assert route.call_count == 2
    else:
        with pytest.raises(ProviderError, match=kind):
            _verdict(gpt, plan)
        assert route.call_count == 1
