from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from panel.errors import CellFailure
from panel.models import Usage
from panel.providers.base import Event, Finished, Restarted, Started, StructuredRequest, TextDelta
from panel.running.orchestrator import CellPlan
from tests.helpers import (
    PlanFor,
    ScriptedProvider,
    chunks,
    good_reply,
    reply_text,
    verdict_in_order,
    verdict_of,
)


@pytest.fixture
def plan(builder_plan: PlanFor) -> CellPlan:
    return builder_plan(ScriptedProvider(lambda r, n: []))


def test_partials_arrive_in_order_and_verdict_is_known_before_the_quote(plan: CellPlan) -> None:
    text = reply_text(plan.request)
    provider = ScriptedProvider(lambda r, n: chunks(text, 5))
    outcome = verdict_in_order(provider, plan)
    assert outcome.attempts == 1 and outcome.verdict.verdict == good_reply(plan.request)["verdict"]
    assert (
        outcome.seconds_to_verdict is not None
        and outcome.seconds_to_verdict <= outcome.seconds_total
    )


@pytest.mark.parametrize(
    ("bad", "quoted"),
    [
        ("Sure! This tool is great, I would ship it.", "not valid JSON"),
        (json.dumps({"verdict": "ship"}), "beats: Field required"),
        ("SCORE14", "less than or equal to 10"),
        ("", "the reply was empty"),
    ],
)
def test_invalid_reply_gets_one_reask_quoting_the_error(
    plan: CellPlan, bad: str, quoted: str
) -> None:
    good = reply_text(plan.request)
    if bad == "SCORE14":
        bad = json.dumps({**good_reply(plan.request), "score": 14})
    provider = ScriptedProvider(lambda r, n: chunks(bad) if n == 1 else chunks(good))
    outcome = verdict_of(provider, plan)
    assert outcome.attempts == 2
    assert outcome.usage.output_tokens == 40  # both calls are paid for
    reask = provider.calls[1]
    assert reask.history[0].assistant == (bad or "(empty reply)")
    assert quoted in reask.history[0].user
    assert reask.system == plan.request.system  # the cached prefix is untouched


def test_still_invalid_after_one_reask_fails_the_cell(plan: CellPlan) -> None:
    provider = ScriptedProvider(lambda r, n: ["I refuse to answer in JSON."])
    with pytest.raises(
        CellFailure,
        match="builder × claude-api-streaming-caching: reply still invalid after a re-ask",
    ):
        verdict_of(provider, plan)
    assert len(provider.calls) == 2


class _Events:
    """A provider replaying fixed event lists, one per call."""

    def __init__(self, *scripts: list[Event]) -> None:
        self.scripts = list(scripts)
        self.info = ScriptedProvider.info

    def notes(self, prefix: str) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        for event in self.scripts.pop(0):
            yield event


def test_restart_discards_partial_output(plan: CellPlan) -> None:
    good = reply_text(plan.request)
    lying = '{"verdict": "' + ("skip" if '"ship"' in good[:20] else "ship") + '", "score": 1'
    events: list[Event] = [
        Started(),
        TextDelta(lying),
        Restarted("retry"),
        Started(),
        *map(TextDelta, chunks(good)),
        Finished(usage=Usage(), stop_reason="end"),
    ]
    seen = []
    outcome = verdict_of(_Events(events), plan, on_partial=lambda f: seen.append(dict(f)))
    assert {} in seen  # the restart cleared what had been shown
    assert outcome.verdict.model_dump(mode="json") == json.loads(good)


@pytest.mark.parametrize(
    ("stop", "message"),
    [
        ("max_tokens", "truncated at max_tokens"),
        ("refusal", "refused"),
        ("other", "stopped unexpectedly"),
    ],
)
def test_stop_reasons_fail_the_cell(plan: CellPlan, stop: str, message: str) -> None:
    events: list[Event] = [
        Started(),
        TextDelta('{"verdict": "ship", "quote": "I was cu'),
        Finished(Usage(), stop),  # type: ignore[arg-type]  # unknown reasons included
    ]
    provider = _Events(events, events)  # a truncation is asked once more, with a larger limit
    with pytest.raises(CellFailure, match=message):
        verdict_of(provider, plan)
    assert len(provider.scripts) == (0 if stop == "max_tokens" else 1)


def test_stream_without_final_event_fails(plan: CellPlan) -> None:
    with pytest.raises(CellFailure, match="without its final event"):
        verdict_of(_Events([Started(), TextDelta("{")]), plan)


class _Recording(_Events):
    """`_Events` that also keeps each request it was sent."""

    def __init__(self, *scripts: list[Event]) -> None:
        super().__init__(*scripts)
        self.requests: list[StructuredRequest] = []

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        self.requests.append(request)
        async for event in super().stream(request):
            yield event


def test_a_reask_after_a_restarted_stream_quotes_only_the_reply_it_rejected(plan: CellPlan) -> None:
    """The text streamed before a retry's `Restarted` is not part of the reply: the re-ask's
    assistant turn carries only what came after it, the reply that was actually judged."""
    good = reply_text(plan.request)
    discarded = '{"verdict": "ship", "headline": "ABANDONED-ATTEMPT'
    rejected = '{"verdict": "ship"}'
    provider = _Recording(
        [
            Started(),
            TextDelta(discarded),
            Restarted("retry"),
            Started(),
            *map(TextDelta, chunks(rejected, 4)),
            Finished(usage=Usage(), stop_reason="end"),
        ],
        [Started(), *map(TextDelta, chunks(good)), Finished(usage=Usage(), stop_reason="end")],
    )
    outcome = verdict_of(provider, plan)
    assert outcome.attempts == 2
    reask = provider.requests[1]
    assert [turn.assistant for turn in reask.history] == [rejected]
    assert all("ABANDONED-ATTEMPT" not in turn.assistant + turn.user for turn in reask.history)
