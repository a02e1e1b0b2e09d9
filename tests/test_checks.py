"""A verdict's words: a clear contradiction gets the one re-ask; the rest is flagged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from panel.inputs.prompts import PromptSet
from panel.models import Persona, ToolCard
from panel.providers.base import StructuredRequest
from panel.running.orchestrator import CellPlan, RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import plan_cells, run_panel
from panel.running.stance import read
from panel.running.stance_verbs import Stance
from panel.running.structured import Outcome, stream_verdict
from tests.helpers import ScriptedProvider, chunks, good_reply, run, spec_for
from tests.quotes import OWN_QUOTES, reference_quotes

SHIP_QUOTE = OWN_QUOTES[0][1]
AGAINST = SHIP_QUOTE + " Still, shipping on this now would be a mistake."
HEADLINE = "A durable job queue priced per job"


def _plan(
    personas: dict[str, Persona], cards: list[ToolCard], persona: str = "builder"
) -> CellPlan:
    spec = spec_for([personas[persona]], cards)
    return plan_cells(spec, ScriptedProvider(lambda r, n: []))[0]


def _reply(request: StructuredRequest, **changes: Any) -> list[str]:
    # The offline headline names the offline verdict's call ("Ship at 8/10"): ours is neutral.
    return chunks(json.dumps({**good_reply(request), "headline": HEADLINE, **changes}))


def _stream(plan: CellPlan, provider: ScriptedProvider) -> Outcome:
    return run(
        stream_verdict(provider, plan.request, plan.model, PromptSet.from_dir(), check=plan.check)
    )


def test_a_clear_contradiction_gets_the_one_reask(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    plan = _plan(personas, cards)

    def script(request: StructuredRequest, n: int) -> list[str]:
        quote = AGAINST if n == 1 else SHIP_QUOTE
        return _reply(request, verdict="ship", score=8, quote=quote)

    provider = ScriptedProvider(script)
    outcome = _stream(plan, provider)
    assert outcome.attempts == 2 and outcome.flags == []
    reask = provider.calls[1].history[0].user
    assert "reads as a skip" in reask and "shipping on this now would be a mistake" in reask


def test_a_contradiction_that_survives_the_reask_is_kept_and_flagged(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    plan = _plan(personas, cards)
    provider = ScriptedProvider(lambda r, n: _reply(r, verdict="ship", score=8, quote=AGAINST))
    outcome = _stream(plan, provider)  # a paid, well-formed review is not thrown away
    assert outcome.attempts == 2 and outcome.verdict.verdict == "ship"
    assert outcome.flags[0].startswith("kept after a re-ask: the quote reads as a skip")


@pytest.mark.parametrize(("verdict", "quote"), OWN_QUOTES)
def test_reference_style_quotes_are_accepted_first_try(
    personas: dict[str, Persona], cards: list[ToolCard], verdict: str, quote: str
) -> None:
    plan = _plan(personas, cards)
    score = 8 if verdict == "ship" else 4
    provider = ScriptedProvider(lambda r, n: _reply(r, verdict=verdict, score=score, quote=quote))
    outcome = _stream(plan, provider)
    assert outcome.attempts == 1 and outcome.flags == []


@pytest.mark.skipif(
    not reference_quotes(), reason="../shared/reference is not beside this checkout"
)
def test_the_reference_quotes_are_accepted_first_try(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    plan = _plan(personas, cards)
    for _, verdict, quote in reference_quotes():
        changes = {"verdict": verdict, "score": 8 if verdict == "ship" else 4, "quote": quote}
        provider = ScriptedProvider(lambda r, n, c=changes: _reply(r, **c))  # type: ignore[misc]
        outcome = _stream(plan, provider)
        assert (outcome.attempts, outcome.flags) == (1, []), quote[:60]


def test_mixed_signals_are_accepted_with_a_flag(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    plan = _plan(personas, cards)
    quote = SHIP_QUOTE + " Skip it if you need multi-GPU inference."
    provider = ScriptedProvider(lambda r, n: _reply(r, verdict="ship", score=8, quote=quote))
    outcome = _stream(plan, provider)
    assert outcome.attempts == 1
    assert outcome.flags == [
        'mixed signals: "skip it if you need multi-gpu inference" reads as a skip under a ship '
        "verdict"
    ]


def test_hands_on_claims_are_flagged_unless_the_card_records_them(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    quote = "When I ran `modal deploy` the endpoint came up in a minute. " + SHIP_QUOTE
    plan = _plan(personas, cards)
    assert plan.check is not None
    verdict = plan.model.model_validate(
        {**good_reply(plan.request), "verdict": "ship", "score": 8, "quote": quote}
    )
    assert plan.check(verdict).flags == [
        'claims hands-on use ("When I ran") but the card records none'
    ]
    noted = [cards[0].model_copy(update={"hands_on": "Deployed the quickstart."}), cards[1]]
    assert _plan(personas, noted).check(verdict).flags == []  # type: ignore[misc]


NEUTRAL = (
    "The card describes a durable job queue priced per job, with retries, schedules and a "
    "dashboard. The free tier covers ten thousand jobs a month, and the paid plans are metered "
    "per run, with no seat charges and no minimum commitment on any of them. "
)


@pytest.mark.parametrize(
    ("call", "ending", "settled"),
    [
        ("ship", "I would ship it.", True),
        ("ship", "{name} is worth adopting.", True),
        ("skip", "My call: a skip.", True),
        # firm calls for the verdict on something unnamed: they may be about an alternative
        ("ship", "We should make the switch to improve the developer experience.", False),
        ("skip", "Use something battle-tested.", False),
    ],
)
def test_only_a_call_that_names_what_it_is_about_spares_the_grader(
    personas: dict[str, Persona], cards: list[ToolCard], call: Stance, ending: str, settled: bool
) -> None:
    plan = _plan(personas, cards)
    assert plan.check is not None
    quote = NEUTRAL + ending.format(name=cards[0].name)
    score = 8 if call == "ship" else 3
    verdict = plan.model.model_validate(
        {**good_reply(plan.request), "verdict": call, "score": score, "quote": quote,
         "headline": HEADLINE}
    )  # fmt: skip
    calls = read(quote, call, name=cards[0].name).calls
    assert [(c.stance, c.firm) for c in calls] == [(call, True)]  # each a firm call for it
    checked = plan.check(verdict)
    assert checked.problem is None and not checked.flags
    assert checked.agrees is settled


def test_a_score_far_from_its_verdict_is_flagged(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    plan = _plan(personas, cards)
    provider = ScriptedProvider(lambda r, n: _reply(r, verdict="ship", score=3, quote=SHIP_QUOTE))
    assert _stream(plan, provider).flags == ["score 3/10 under a ship verdict"]


def test_a_beat_against_the_verdict_is_flagged(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    plan = _plan(personas, cards, "skeptic")
    reply = good_reply(plan.request)
    beats = {**reply["beats"], "verdict_anyway": "Not a ship until the SLA exists."}
    provider = ScriptedProvider(
        lambda r, n: _reply(r, verdict="ship", score=7, quote=SHIP_QUOTE, beats=beats)
    )
    assert _stream(plan, provider).flags == [
        'beat verdict_anyway: "not a ship until the sla exists" reads as a skip under a ship '
        "verdict"
    ]


def test_flags_reach_the_record_and_survive_the_response_cache(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    spec = spec_for([personas["builder"]], cards)
    provider = ScriptedProvider(lambda r, n: _reply(r, verdict="ship", score=2, quote=SHIP_QUOTE))
    store = ResponseStore(tmp_path)
    first = run(run_panel(spec, provider, store, RunOptions()))
    again = run(run_panel(spec, provider, store, RunOptions()))
    for record in (first, again):
        assert [c.flags for c in record.cells] == [["score 2/10 under a ship verdict"]] * 2
    assert all(c.from_cache for c in again.cells)
