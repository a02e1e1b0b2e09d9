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
from panel.inputs.schema import strict_problems
from panel.providers.base import StructuredRequest
from panel.providers.openai_chat import OpenAIProvider
from panel.running.orchestrator import CellPlan
from panel.running.runner import PanelSpec, plan_cells
from tests.conftest import OPENAI_KEY
from tests.helpers import (
    PlanFor,
    answer_cells,
    broken_stream,
    event_stream,
    instant_retries,
    panel_record,
    reply_chunks,
    sent,
    verdict_after,
    verdict_in_order,
    verdict_of,
)
from tests.sse import openai_chunks, sse

URL = "https://api.openai.com/v1/chat/completions"
SECRET = OPENAI_KEY


def make(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Any:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    return instant_retries(OpenAIProvider(kwargs.pop("model", "gpt-5-mini"), **kwargs))


def reply(request: StructuredRequest, size: int = 30, **kwargs: Any) -> httpx.Response:
    return event_stream(openai_chunks(reply_chunks(request, size), **kwargs))


def test_schema_is_sent_strict_with_cache_key_and_usage(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(gpt)
    route = httpx2_mock.post(URL).mock(return_value=reply(plan.request))
    verdict_of(gpt, plan)
    body = sent(route)
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
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    newer = make(monkeypatch, cache_retention="30m", model="gpt-5.6-mini")
    older = make(monkeypatch, cache_retention="30m", model="gpt-5-mini")
    plan = builder_plan(newer)
    route = httpx2_mock.post(URL).mock(side_effect=[reply(plan.request), reply(plan.request)])
    verdict_of(newer, plan)
    verdict_of(older, plan)
    sent = [json.loads(call.request.content) for call in route.calls]
    assert sent[0]["prompt_cache_options"] == {"ttl": "30m"}
    assert "prompt_cache_options" not in sent[1]  # gpt-5 and earlier reject it
    assert any("--cache-retention is not sent" in note for note in older.notes(plan.request.system))
    assert not any("--cache-retention" in note for note in newer.notes(plan.request.system))


def test_partial_objects_arrive_in_order(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(gpt)
    httpx2_mock.post(URL).mock(return_value=reply(plan.request, size=4))
    verdict_in_order(gpt, plan)


def test_cached_tokens_are_accounted(
    gpt: Any, panel_spec: PanelSpec, httpx2_mock: respx.Router, tmp_path: Path
) -> None:
    def answer(plan: CellPlan, call: int) -> httpx.Response:
        cached = 0 if call == 1 else 2816
        return reply(plan.request, prompt_tokens=3000, cached=cached, completion_tokens=300)

    plans = plan_cells(panel_spec, gpt)
    httpx2_mock.post(URL).mock(side_effect=answer_cells(plans, answer, turn=1))
    record = panel_record(panel_spec, gpt, tmp_path)
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
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    provider = OpenAIProvider("llama3.1", base_url="http://127.0.0.1:11434/v1")
    plan = builder_plan(provider)
    route = httpx2_mock.post("http://127.0.0.1:11434/v1/chat/completions").mock(
        return_value=reply(plan.request)
    )
    outcome = verdict_of(provider, plan)
    body = sent(route)
    assert outcome.verdict is not None
    assert body["max_tokens"] == plan.request.max_tokens and "prompt_cache_key" not in body
    assert "max_completion_tokens" not in body and "reasoning_effort" not in body
    assert "127.0.0.1:11434" in provider.info.label


def test_base_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    provider = OpenAIProvider("qwen")
    plan = builder_plan(provider)
    route = httpx2_mock.post("http://127.0.0.1:8000/v1/chat/completions").mock(
        return_value=reply(plan.request)
    )
    verdict_of(provider, plan)
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
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router, first: httpx.Response, sleep: float
) -> None:
    plan = builder_plan(gpt)
    verdict_after(httpx2_mock.post(URL), gpt, plan, first, reply(plan.request))
    if (
        sleep is not None
    ):  # the server's wait plus up to 0.5 s of jitter; 6 minutes is capped at 60 s
        assert len(gpt.sleeps) == 1 and sleep <= gpt.sleeps[0] <= min(60.0, sleep + 0.5)


def test_retries_broken_streams(gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router) -> None:
    plan = builder_plan(gpt)
    started = sse(openai_chunks(['{"verd'], finish_reason=None, done=False))
    dropped = broken_stream(started, httpcore2.RemoteProtocolError("peer closed"))
    no_finish = event_stream(openai_chunks(['{"verdict": "ship"'], finish_reason=None))
    route = httpx2_mock.post(URL)
    assert (
        verdict_after(route, gpt, plan, dropped, no_finish, reply(plan.request)).verdict is not None
    )


def test_connection_refused_is_retried_then_reported(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(gpt)
    route = httpx2_mock.post(URL).mock(side_effect=httpcore2.ConnectError("refused"))
    with pytest.raises(ProviderError, match="connection failed.*gave up after 4 attempts"):
        verdict_of(gpt, plan)
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
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router, kwargs: dict[str, Any], message: str
) -> None:
    plan = builder_plan(gpt)
    httpx2_mock.post(URL).mock(
        return_value=event_stream(openai_chunks(['{"verdict": "ship", "quo'], **kwargs))
    )
    with pytest.raises(CellFailure, match=message):
        verdict_of(gpt, plan)


def test_a_server_that_answers_in_prose_gets_one_reask(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(gpt)
    prose = event_stream(openai_chunks(["Sure! I think this tool is great and I would ship it."]))
    route = httpx2_mock.post(URL).mock(side_effect=[prose, reply(plan.request)])
    outcome = verdict_of(gpt, plan)
    second = sent(route, 1)["messages"]
    assert second[2] == {
        "role": "assistant",
        "content": "Sure! I think this tool is great and I would ship it.",
    }
    assert "not valid JSON" in second[3]["content"]
    assert outcome.attempts == 2


def test_prose_twice_fails_the_cell_clearly(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(gpt)
    httpx2_mock.post(URL).mock(
        return_value=event_stream(openai_chunks(["Here is my review: ship."]))
    )
    with pytest.raises(
        CellFailure, match="reply still invalid after a re-ask: the reply is not valid JSON"
    ):
        verdict_of(gpt, plan)


def test_auth_error_names_the_variable_not_the_key(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(gpt)
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
        verdict_of(gpt, plan)
    assert "check OPENAI_API_KEY" in str(caught.value) and SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "retried"), [("server_error", True), ("invalid_request_error", False)]
)
def test_an_error_chunk_mid_stream_is_retried_only_when_passing(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router, kind: str, retried: bool
) -> None:
    """`data: {"error": ...}` inside an open stream: a server error is retried (the streamed
    start thrown away), a refused request is not."""
    plan = builder_plan(gpt)
    started = openai_chunks(['{"verdict": "sh'], finish_reason=None, done=False)
    error: list[tuple[str | None, Any]] = [
        (None, {"error": {"message": "the stream broke", "type": kind}})
    ]
    broken = event_stream(started + error)
    route = httpx2_mock.post(URL).mock(side_effect=[broken, reply(plan.request)])
    if retried:
        assert verdict_of(gpt, plan).verdict is not None
        assert route.call_count == 2
    else:
        with pytest.raises(ProviderError, match=kind):
            verdict_of(gpt, plan)
        assert route.call_count == 1
