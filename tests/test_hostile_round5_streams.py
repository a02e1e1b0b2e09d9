"""Hostile input, round 5 (part 3 of 3): what models and batch APIs send. Each class failed on
the code before this round.

- a model's stream that is not what the API sends (bytes that are no UTF-8, data that is no
  JSON or nests 100,000 deep, an event that is a list or null, a word or NaN for a token count,
  an object for a stop reason): an AttributeError, TypeError or JSONDecodeError failed the cell
  as an "internal error", never retried, the attempt's usage lost; a count of 1e30 tokens was
  written into a record no reader can read back;
- a model's reply naming a field twice (`"score": 8, ..., "score": 1`): the last silently won,
  as files and request bodies no longer let it (round 4); a number of 5,000 digits was quoted
  whole in the cell's error;
- a batch's result file holding a line panel cannot read (not JSON, a list, a word where an
  object goes): a traceback, and every result of the paid batch lost with it;
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import httpx
import pytest
import respx

from panel.errors import PanelError, ProviderError
from panel.providers.base import token_count
from tests.helpers import (
    PlanFor,
    ScriptedProvider,
    chunks,
    event_stream,
    instant_retries,
    reply_text,
    verdict_of,
)
from tests.sse import claude_events, openai_chunks, sse

# ------------------------------------------------ 1. a stream that is not what the API sends

CLAUDE_URL = "https://api.anthropic.com/v1/messages"
OPENAI_URL = "https://api.openai.com/v1/chat/completions"
START = claude_events([])[0][1]


def _raw(body: bytes) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)


MALFORMED_CLAUDE = {
    "no UTF-8": (b"event: message_start\ndata: \xff\xfe\n\n", "UnicodeDecodeError"),
    "no JSON": (b"event: message_start\ndata: {not json\n\n", "JSONDecodeError"),
    "a list": (b"event: message_start\ndata: [1, 2]\n\n", "AttributeError"),
    "null": (b"event: message_start\ndata: null\n\n", "AttributeError"),
    "deep": (b"event: message_start\ndata: " + b"[" * 100_000 + b"]" * 100_000 + b"\n\n",
             "RecursionError"),
}  # fmt: skip


@pytest.mark.parametrize("name", MALFORMED_CLAUDE)
def test_a_malformed_claude_stream_is_a_failed_attempt_retried(
    name: str, claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    body, kind = MALFORMED_CLAUDE[name]
    good = event_stream(claude_events(chunks(reply_text(plan.request), 40)))
    route = httpx2_mock.post(CLAUDE_URL).mock(side_effect=[_raw(body), good])
    assert verdict_of(claude, plan).verdict is not None and route.call_count == 2
    route.mock(side_effect=None, return_value=_raw(body))
    with pytest.raises(ProviderError) as failure:
        verdict_of(claude, plan)
    message = str(failure.value)
    assert f"the server's reply is malformed ({kind})" in message and "\n" not in message


def test_a_malformed_event_after_the_start_keeps_the_attempts_usage(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    """The attempt was billed for its input: the cell's usage says so."""
    plan = builder_plan(claude)
    body = sse([("message_start", START)]) + b"event: content_block_delta\ndata: [3]\n\n"
    httpx2_mock.post(CLAUDE_URL).mock(return_value=_raw(body))
    with pytest.raises(ProviderError, match="malformed") as failure:
        verdict_of(claude, plan)
    assert failure.value.usage is not None and failure.value.usage.input_tokens > 0


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'data: {"id": "x", "choices": 5}\n\n', "TypeError"),
        (b'data: {"id": "x", "choices": [{"index": 0, "delta": {"content": 5}}]}\n\n',
         "TypeError"),
        (b"data: [1]\n\n", "AttributeError"),
        (b"data: {\n\n", "JSONDecodeError"),
    ],
)  # fmt: skip
def test_a_malformed_openai_stream_is_a_failed_attempt_retried(
    body: bytes,
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    recwarn: pytest.WarningsRecorder,
) -> None:
    from panel.providers.openai_chat import OpenAIProvider

    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-test-key-000000")
    provider = instant_retries(OpenAIProvider("gpt-5-mini"))
    plan = builder_plan(provider)
    good = event_stream(openai_chunks(chunks(reply_text(plan.request), 40)))
    route = httpx2_mock.post(OPENAI_URL).mock(side_effect=[_raw(body), good])
    assert verdict_of(provider, plan).verdict is not None and route.call_count == 2
    route.mock(side_effect=None, return_value=_raw(body))
    with pytest.raises(ProviderError, match=rf"the server's reply is malformed \({kind}\)"):
        verdict_of(provider, plan)
    # No warning either: the SDK's serializer warning prints lines of its own on the terminal.
    assert [str(w.message) for w in recwarn if issubclass(w.category, UserWarning)] == []


@pytest.mark.parametrize("stop", [{"a": 1}, ["end_turn"]])
def test_a_stop_reason_that_is_no_word_is_an_unexpected_stop(
    stop: object, claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    events = claude_events(chunks(reply_text(plan.request), 40))
    for name, data in events:
        if name == "message_delta":
            data["delta"]["stop_reason"] = stop
    httpx2_mock.post(CLAUDE_URL).mock(return_value=event_stream(events))
    with pytest.raises(PanelError, match="stopped unexpectedly") as failure:
        verdict_of(claude, plan)
    assert "TypeError" not in str(failure.value)


@pytest.mark.parametrize(
    ("value", "counted"),
    [(120, 120), ("120", 120), (10**30, 0), (float("nan"), 0), ("many", 0), (True, 0),
     (-5, 0), (1.5, 0), ([3], 0), ("9" * 5000, 0), (2.0, 2), (None, 0)],
)  # fmt: skip
def test_a_token_count_a_server_reports_is_a_sane_whole_number_or_none(
    value: object, counted: int
) -> None:
    """1e30 tokens was written into the record (which no reader takes: 31 digits); a word or
    NaN raised ValueError in the middle of a stream."""
    assert token_count(value) == counted


# ------------------------------------------------ 2. a model's reply naming a field twice


def test_a_reply_naming_a_field_twice_is_asked_again(builder_plan: PlanFor) -> None:
    from panel.running.partial import IncrementalJSON, PartialJSONError

    with pytest.raises(PartialJSONError, match="an object names 'a' twice at character 11"):
        IncrementalJSON().feed('{"a": 1, "a": 2}')
    assert IncrementalJSON().feed('{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}')  # apart: fine

    def reply(request: Any, call: int) -> list[str]:
        text = reply_text(request)
        twice = text[:-1] + ', "score": 1}'  # the real score first, then another
        return chunks(twice if call == 1 else text, 60)

    provider = ScriptedProvider(reply)
    plan = builder_plan(provider)
    outcome = verdict_of(provider, plan)
    assert len(provider.calls) == 2  # the first reply was refused and asked again
    assert outcome.verdict.model_dump(mode="json") == json.loads(reply_text(plan.request))


def test_a_number_of_5000_digits_is_quoted_short_in_the_error() -> None:
    from panel.running.partial import IncrementalJSON, PartialJSONError

    parser = IncrementalJSON()
    with pytest.raises(PartialJSONError) as failure:
        parser.feed('{"score": ' + "9" * 5000 + "}")
    assert len(str(failure.value)) < 100


# ------------------------------------------------ 3. a batch result panel cannot read

GOOD_LINE = {
    "custom_id": "cell-1",
    "response": {"status_code": 200, "body": {
        "choices": [{"message": {"content": "{}"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5}}},
}  # fmt: skip


def test_one_unreadable_openai_batch_line_fails_its_request_only() -> None:
    from panel.providers import openai_batch

    text = "\n".join(
        [
            json.dumps(GOOD_LINE),
            '{"custom_id": "cell-2", "response": {"status_code": 200, "body": ',  # cut short
            json.dumps({"custom_id": "cell-3", "response": "a word"}),
            "[1, 2]",  # no custom_id: no request to fail
            json.dumps({**GOOD_LINE, "custom_id": "cell-4"}),
        ]
    )
    items = openai_batch._items(text)
    assert [(item.custom_id, item.outcome) for item in items] == [
        ("cell-1", "succeeded"),
        ("cell-2", "errored"),
        ("cell-3", "errored"),
        ("cell-4", "succeeded"),
    ]
    assert items[1].error == "the batch's result is malformed (JSONDecodeError)"
    assert items[2].error == "the batch's result is malformed (AttributeError)"


def test_one_unreadable_claude_batch_result_fails_its_request_only() -> None:
    from types import SimpleNamespace

    from panel.providers.claude_batch import ClaudeBatches

    def line(custom_id: str, result: dict[str, Any]) -> Any:
        return SimpleNamespace(
            custom_id=custom_id, result=SimpleNamespace(model_dump=lambda: result)
        )

    good = {"type": "succeeded", "message": {"content": [{"type": "text", "text": "{}"}],
                                             "usage": {"output_tokens": 3}}}  # fmt: skip
    odd = {"type": "succeeded", "message": {"content": ["a word"], "stop_reason": {"a": 1}}}

    class Results:
        async def results(self, batch_id: str) -> Any:
            async def lines() -> Any:
                for item in (line("cell-1", good), line("cell-2", odd), line("cell-3", good)):
                    yield item

            return lines()

    batches = ClaudeBatches.__new__(ClaudeBatches)
    cast(Any, batches)._batches = Results()
    items = asyncio.run(batches.results("b1"))
    assert [(item.custom_id, item.outcome) for item in items] == [
        ("cell-1", "succeeded"),
        ("cell-2", "errored"),
        ("cell-3", "succeeded"),
    ]
