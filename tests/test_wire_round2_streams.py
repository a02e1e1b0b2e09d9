"""Real traffic panel had not seen, part two: how gateways frame a stream, Azure's content
filter, Claude's other blocks, proxies, llama.cpp, DeepSeek-style servers, the words servers
use for an end, all replayed as exact bytes through the real SDKs (see test_wire_round2)."""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from panel.errors import CellRefused
from panel.models import Usage
from tests.helpers import (
    PlanFor,
    chunks,
    event_stream,
    reply_text,
    verdict_after,
    verdict_of,
)
from tests.sse import claude_events, openai_chunks, sse
from tests.test_wire_round2 import VLLM, failure, openai_error, vllm

CLAUDE_URL = "https://api.anthropic.com/v1/messages"
OPENAI_URL = "https://api.openai.com/v1/chat/completions"
CELL = "cell builder × claude-api-streaming-caching"

# ------------------------------------------------------------------ how gateways frame a stream


class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent `size` bytes at a time, as a proxy's small TCP writes deliver it."""

    def __init__(self, body: bytes, size: int) -> None:
        self.parts = [body[i : i + size] for i in range(0, len(body), size)]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            yield part

    def __iter__(self) -> Iterator[bytes]:
        yield from self.parts

    async def aclose(self) -> None:
        return None

    def close(self) -> None:
        return None


def gateway_framed(body: bytes, framing: str) -> bytes:
    """A chat stream's `data:` records as a gateway re-frames them."""
    records = [r for r in body.split(b"\n\n") if r]
    if framing == "control-records":  # SSE retry advice, a bare ping, an id: all legal, no data
        records = [b"retry: 3000", *records[:2], b"event: ping", b"id: 7", *records[2:]]
    elif framing == "crlf-comments-named":  # CRLF, keep-alive comments, event names, no space
        records = [
            b": keep-alive\r\nevent: completion\r\n" + r.replace(b"data: ", b"data:")
            for r in records
        ]
        return b"\r\n\r\n".join(records) + b"\r\n\r\n"
    return b"\n\n".join(records) + b"\n\n"


@pytest.mark.parametrize("size", [1, 7, 4096])
@pytest.mark.parametrize("framing", ["control-records", "crlf-comments-named"])
def test_a_gateways_framing_of_a_chat_stream_reads_as_the_stream(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router, framing: str, size: int
) -> None:
    plan = builder_plan(gpt)
    text = reply_text(plan.request)
    body = gateway_framed(sse(openai_chunks(chunks(text, 40), cached=1024)), framing)
    served = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=Pieces(body, size)
    )
    outcome = verdict_after(httpx2_mock.post(OPENAI_URL), gpt, plan, served)
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    assert outcome.usage == Usage(input_tokens=476, output_tokens=90, cache_read_tokens=1024)


# ------------------------------------------------------------------ Azure OpenAI

AZURE = "https://panel-test.openai.azure.com/openai/v1"
PROMPT_FILTERED = {
    "message": "The response was filtered due to the prompt triggering Azure OpenAI's content "
    "management policy. Please modify your prompt and retry. To learn more about our content "
    "filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
    "type": None,
    "param": "prompt",
    "code": "content_filter",
    "status": 400,
    "innererror": {
        "code": "ResponsibleAIPolicyViolation",
        "content_filter_result": {
            "hate": {"filtered": False, "severity": "safe"},
            "jailbreak": {"filtered": True, "detected": True},
            "self_harm": {"filtered": False, "severity": "safe"},
            "sexual": {"filtered": False, "severity": "safe"},
            "violence": {"filtered": False, "severity": "safe"},
        },
    },
}


def azure(monkeypatch: pytest.MonkeyPatch) -> Any:
    from panel.providers.openai_chat import OpenAIProvider
    from tests.helpers import instant_retries

    monkeypatch.setenv("OPENAI_API_KEY", "azure-test-key-0123456789abcdef")
    return instant_retries(OpenAIProvider("gpt-4o", base_url=AZURE))


def test_azures_content_filter_refusing_the_prompt_is_a_refusal_not_a_failure(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    provider = azure(monkeypatch)
    plan = builder_plan(provider)
    answer = openai_error(400, PROMPT_FILTERED, **{"apim-request-id": "6f1b5c1e"})
    route = httpx2_mock.post(f"{AZURE}/chat/completions").mock(side_effect=[answer, answer])
    with pytest.raises(CellRefused) as caught:
        verdict_of(provider, plan)
    message = str(caught.value)
    assert route.call_count == 1 and caught.value.cell_status == "refused"
    assert message.startswith(CELL) and "\n" not in message
    assert "400" in message and "content filter refused the prompt: jailbreak" in message


def test_azures_annotated_stream_gives_the_verdict_and_a_filtered_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    provider = azure(monkeypatch)
    plan = builder_plan(provider)
    text = reply_text(plan.request)
    safe = {name: {"filtered": False, "severity": "safe"} for name in ("hate", "sexual")}
    first = {  # the prompt's filter results, before any choice: empty id, model and choices
        "choices": [], "created": 0, "id": "", "model": "", "object": "",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": safe}],
    }  # fmt: skip
    events = openai_chunks(chunks(text, 40))
    for _, chunk in events[1:-2]:  # every choice annotated with its own filter results
        chunk["choices"][0]["content_filter_results"] = safe
    route = httpx2_mock.post(f"{AZURE}/chat/completions")
    outcome = verdict_after(route, provider, plan, event_stream([(None, first), *events]))
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    filtered = openai_chunks(chunks(text[:90], 30), finish_reason="content_filter")
    route.reset()
    route.mock(side_effect=[event_stream([(None, first), *filtered])] * 2)
    with pytest.raises(CellRefused) as caught:
        verdict_of(provider, plan)
    assert route.call_count == 1 and caught.value.usage == Usage(
        input_tokens=1500, output_tokens=90
    )


# ------------------------------------------------------------------ Claude's other blocks


def content_block(index: int, block: dict[str, Any], *deltas: dict[str, Any]) -> list[Any]:
    """One content block as the Messages API streams it: start, deltas, stop."""
    start = {"type": "content_block_start", "index": index, "content_block": block}
    events: list[Any] = [("content_block_start", start)]
    events += [
        ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
        for delta in deltas
    ]
    return [*events, ("content_block_stop", {"type": "content_block_stop", "index": index})]


def renumbered(events: list[Any], first: int) -> list[Any]:
    """`claude_events`' text block moved to index `first` (blocks before it take the others)."""
    for _, data in events:
        if "index" in data:
            data["index"] = first
    return events


def test_thinking_and_a_server_tools_input_are_not_taken_for_the_reply(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    text = reply_text(plan.request)
    events = renumbered(claude_events(chunks(text, 40), output_tokens=1400), first=4)
    before = [
        *content_block(
            0,
            {"type": "thinking", "thinking": "", "signature": ""},
            {"type": "thinking_delta", "thinking": 'The card says {"score": 9}; weigh it.'},
            {"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxq"},
        ),
        *content_block(1, {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"}),
        *content_block(
            2,
            {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {}},
            {"type": "input_json_delta", "partial_json": ""},
            {"type": "input_json_delta", "partial_json": '{"query": "modal gpu pricing"}'},
        ),
        *content_block(
            3,
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []},
        ),
    ]
    stream = [events[0], *before, *events[1:]]
    outcome = verdict_after(httpx2_mock.post(CLAUDE_URL), claude, plan, event_stream(stream))
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    assert outcome.usage.output_tokens == 1400  # thinking is billed as output: counted in it


def test_a_claude_refusal_is_refused_billed_and_says_why(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    events = claude_events(['{"beats": "I can'], stop_reason="refusal", output_tokens=12)
    for name, data in events:
        if name == "message_delta":
            data["delta"]["stop_details"] = {
                "type": "refusal",
                "category": "cyber",
                "explanation": "The request could enable\nmalware development.",
            }
    route = httpx2_mock.post(CLAUDE_URL).mock(return_value=event_stream(events))
    with pytest.raises(CellRefused) as caught:
        verdict_of(claude, plan)
    message = str(caught.value)
    assert route.call_count == 1 and caught.value.usage == Usage(input_tokens=40, output_tokens=12)
    assert "cyber: The request could enable malware development." in message


@pytest.mark.parametrize("size", [1, 4096])
def test_a_claude_stream_through_a_proxy_that_passes_on_only_data_lines_reads_whole(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router, size: int
) -> None:
    plan = builder_plan(claude)
    text = reply_text(plan.request)
    events = claude_events(chunks(text, 40), input_tokens=30, cache_read=2000, output_tokens=400)
    body = sse([(None, data) for _, data in events])  # `data:` lines only, no `event:` names
    served = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=Pieces(body, size)
    )
    outcome = verdict_after(httpx2_mock.post(CLAUDE_URL), claude, plan, served)
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    assert outcome.usage == Usage(input_tokens=30, output_tokens=400, cache_read_tokens=2000)


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_an_sdk_that_moved_its_decoder_still_reads_a_stream(
    request: pytest.FixtureRequest,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    monkeypatch: pytest.MonkeyPatch,
    api: str,
) -> None:
    """The gateway decoders subclass a decoder the SDKs do not make public: where a later SDK
    has moved it, the SDK reads streams its own way, and a plain stream is a verdict all the
    same."""
    streaming = importlib.import_module(f"{api}._streaming")
    monkeypatch.delattr(streaming, "SSEDecoder")  # importing it from there: ImportError
    provider = request.getfixturevalue("claude" if api == "anthropic" else "gpt")
    plan = builder_plan(provider)
    text = reply_text(plan.request)
    if api == "anthropic":
        events, url = claude_events(chunks(text, 40), input_tokens=30, output_tokens=9), CLAUDE_URL
    else:
        events, url = openai_chunks(chunks(text, 40)), OPENAI_URL
    outcome = verdict_after(httpx2_mock.post(url), provider, plan, event_stream(events))
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)


def test_an_error_through_a_proxy_that_passes_on_only_data_lines_is_still_an_error(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    events = claude_events(['{"beats": '], finish=False) + [
        (None, {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}})
    ]
    body = sse([(None, data) for _, data in events])
    route = httpx2_mock.post(CLAUDE_URL)
    served = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    message = failure(claude, plan, route, served, served)
    assert route.call_count == 1 and "invalid_request_error: bad" in message


LLAMA_CPP = "http://localhost:8080/v1"


@pytest.mark.parametrize(
    ("error", "calls"),
    [
        (
            b'{"code":400,"message":"the request exceeds the available context size, try '
            b'increasing it","type":"exceed_context_size_error","n_prompt_tokens":9120,'
            b'"n_ctx":8192}',
            1,
        ),
        (
            b'{"code":500,"message":"the request exceeds the available context size: slot '
            b'busy","type":"server_error"}',
            4,
        ),  # fmt: skip
    ],
    ids=["400", "500"],
)
def test_llama_cpps_error_field_in_a_stream_is_told_and_retried_only_when_it_can_help(
    monkeypatch: pytest.MonkeyPatch,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    error: bytes,
    calls: int,
) -> None:
    from panel.providers.openai_chat import OpenAIProvider
    from tests.helpers import instant_retries

    provider = instant_retries(OpenAIProvider("qwen3-8b", base_url=LLAMA_CPP, compat=True))
    plan = builder_plan(provider)
    started = sse(openai_chunks([], finish_reason=None, done=False))
    body = started + b"error: " + error + b"\n\n" + b"data: [DONE]\n\n"  # as llama.cpp writes
    served = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    route = httpx2_mock.post(f"{LLAMA_CPP}/chat/completions")
    message = failure(provider, plan, route, *[served] * 4)
    assert route.call_count == calls and "the request exceeds the available context" in message


DEEPSEEK = "https://api.deepseek.com"


def deepseek(monkeypatch: pytest.MonkeyPatch, model: str) -> Any:
    from panel.providers.openai_chat import OpenAIProvider
    from tests.helpers import instant_retries

    monkeypatch.setenv("OPENAI_API_KEY", "sk-deepseek-test-0123456789")
    return instant_retries(OpenAIProvider(model, base_url=DEEPSEEK, compat=True))


def test_a_deepseek_style_reasoning_stream_gives_the_verdict_and_its_cache_hits(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    provider = deepseek(monkeypatch, "deepseek-reasoner")
    plan = builder_plan(provider)
    text = reply_text(plan.request)
    events = openai_chunks(chunks(text, 40))
    thinking = [  # reasoning first, as `reasoning_content` (vLLM's parser: `reasoning`)
        (None, {**events[1][1], "choices": [{"index": 0, "delta": {"content": None, key: part},
                                            "finish_reason": None}]})
        for key, part in (("reasoning_content", 'The card: {"score'), ("reasoning", '": 9}.'))
    ]  # fmt: skip
    usage = events[-2][1]["usage"]
    usage.update(  # DeepSeek's own cache fields; no prompt_tokens_details
        prompt_tokens=2048, completion_tokens=700, total_tokens=2748,
        prompt_cache_hit_tokens=1920, prompt_cache_miss_tokens=128,
        completion_tokens_details={"reasoning_tokens": 610},
    )  # fmt: skip
    del usage["prompt_tokens_details"]
    stream = [events[0], *thinking, *events[1:]]
    route = httpx2_mock.post(f"{DEEPSEEK}/chat/completions")
    outcome = verdict_after(route, provider, plan, event_stream(stream))
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    assert outcome.usage == Usage(input_tokens=128, output_tokens=700, cache_read_tokens=1920)


def test_a_retry_after_given_as_an_http_date_is_waited_for(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    import time
    from email.utils import formatdate

    plan = builder_plan(claude)
    later = formatdate(time.time() + 30, usegmt=True)  # RFC 9110: a date is as good as seconds
    body = {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}}
    limited = httpx.Response(429, headers={"retry-after": later}, json=body)
    good = event_stream(claude_events(chunks(reply_text(plan.request), 40)))
    verdict_after(httpx2_mock.post(CLAUDE_URL), claude, plan, limited, good)
    assert 28 <= claude.sleeps[0] <= 31


def test_a_prompt_a_reasoning_model_flags_under_the_usage_policy_is_a_refusal(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(gpt)
    flagged = {
        "message": "Invalid prompt: your prompt was flagged as potentially violating our usage "
        "policy. Please try again with a different prompt: "
        "https://platform.openai.com/docs/guides/reasoning#advice-on-prompting",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_prompt",
    }
    answer = openai_error(400, flagged, **{"openai-processing-ms": "9922"})
    route = httpx2_mock.post(OPENAI_URL).mock(side_effect=[answer, answer])
    with pytest.raises(CellRefused) as caught:
        verdict_of(gpt, plan)
    message = str(caught.value)
    assert route.call_count == 1 and caught.value.cell_status == "refused" and "\n" not in message
    assert "400: Invalid prompt: your prompt was flagged" in message and "usage policy" in message


@pytest.mark.parametrize("finish", ["eos_token", "eos", "stop_sequence"])
def test_a_compatible_servers_own_word_for_a_natural_end_gives_the_verdict(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router, finish: str
) -> None:
    provider = vllm(monkeypatch)  # TGI, Together, watsonx behind an OpenAI-style endpoint
    plan = builder_plan(provider)
    text = reply_text(plan.request)
    events = openai_chunks(chunks(text, 40), finish_reason=finish)
    route = httpx2_mock.post(f"{VLLM}/chat/completions")
    outcome = verdict_after(route, provider, plan, event_stream(events))
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)


def test_a_reply_the_server_broke_off_for_its_own_trouble_is_retried_and_billed(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    provider = deepseek(monkeypatch, "deepseek-chat")
    plan = builder_plan(provider)
    text = reply_text(plan.request)
    broken = openai_chunks(chunks(text[:60], 30), finish_reason="insufficient_system_resource",
                           prompt_tokens=900, completion_tokens=20)  # fmt: skip
    good = openai_chunks(chunks(text, 40), prompt_tokens=900, completion_tokens=300)
    route = httpx2_mock.post(f"{DEEPSEEK}/chat/completions")
    outcome = verdict_after(route, provider, plan, event_stream(broken), event_stream(good))
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    assert outcome.usage == Usage(input_tokens=1800, output_tokens=320)


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_a_404_for_a_retired_model_says_to_check_the_model(
    api: str, claude: Any, gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    if api == "anthropic":  # Sonnet 4.5 reached its end of life on 2026-11-30
        provider, url = claude, CLAUDE_URL
        body = {
            "type": "error",
            "error": {"type": "not_found_error", "message": "model: claude-sonnet-4-5-20250929"},
            "request_id": "req_011CVhN3k5yq",
        }
        answer = httpx.Response(404, headers={"request-id": "req_011CVhN3k5yq"}, json=body)
    else:
        provider, url = gpt, OPENAI_URL
        gone = {
            "message": "The model `gpt-4.5-preview` does not exist or you do not have access "
            "to it.",
            "type": "invalid_request_error",
            "param": None,
            "code": "model_not_found",
        }
        answer = openai_error(404, gone)
    route = httpx2_mock.post(url)
    message = failure(provider, builder_plan(provider), route, answer, answer)
    assert route.call_count == 1 and "404" in message and "check --model" in message
