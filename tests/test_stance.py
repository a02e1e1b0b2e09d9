"""Reading the call a quote makes: meaning, not the word."""

from __future__ import annotations

import pytest

from panel.running.stance import read
from tests.quotes import (
    AGAINST_SHIP,
    AGAINST_SKIP,
    MIXED_UNDER_SHIP,
    NEUTRAL_OPENING,
    NO_CALL,
    OWN_QUOTES,
    reference_quotes,
)

REFERENCE = reference_quotes()


@pytest.mark.parametrize(("verdict", "quote"), OWN_QUOTES)
def test_our_reference_style_quotes_read_clean_under_their_verdict(
    verdict: str, quote: str
) -> None:
    reading = read(quote, verdict)  # type: ignore[arg-type]
    assert reading.contradiction is None and reading.mixed == []


@pytest.mark.skipif(not REFERENCE, reason="../shared/reference is not beside this checkout")
@pytest.mark.parametrize(("page", "verdict", "quote"), REFERENCE)
def test_the_reference_quotes_read_clean_under_their_verdict(
    page: str, verdict: str, quote: str
) -> None:
    reading = read(quote, verdict)  # type: ignore[arg-type]
    assert reading.contradiction is None and reading.mixed == []


def test_the_reference_pages_are_read_when_present() -> None:
    if REFERENCE:
        assert len(REFERENCE) == 16 and [v for _, v, _ in REFERENCE].count("skip") == 1


@pytest.mark.parametrize("sentence", AGAINST_SHIP)
def test_a_call_against_a_ship_is_caught(sentence: str) -> None:
    reading = read(NEUTRAL_OPENING + sentence, "ship")
    assert reading.contradiction is not None, [c.clause for c in reading.calls]
    assert reading.contradiction.stance == "skip"
    # ... and the same words under the verdict they argue for are fine
    assert read(NEUTRAL_OPENING + sentence, "skip").contradiction is None


@pytest.mark.parametrize("sentence", AGAINST_SKIP)
def test_a_call_against_a_skip_is_caught(sentence: str) -> None:
    reading = read(NEUTRAL_OPENING + sentence, "skip")
    assert reading.contradiction is not None, [c.clause for c in reading.calls]
    assert read(NEUTRAL_OPENING + sentence, "ship").contradiction is None


@pytest.mark.parametrize("sentence", NO_CALL)
@pytest.mark.parametrize("verdict", ["ship", "skip"])
def test_talking_about_shipping_is_not_a_call(sentence: str, verdict: str) -> None:
    reading = read(NEUTRAL_OPENING + sentence, verdict)  # type: ignore[arg-type]
    assert reading.calls == (), [c.clause for c in reading.calls]


@pytest.mark.parametrize("sentence", MIXED_UNDER_SHIP)
def test_a_call_for_part_of_the_audience_is_left_to_the_editor(sentence: str) -> None:
    reading = read(NEUTRAL_OPENING + sentence, "ship")
    assert reading.contradiction is None and reading.mixed


def test_a_call_for_another_day_is_no_call_today() -> None:
    for sentence in ("I'd ship it once SSO lands.", "Were the pricing sane, it'd be a ship."):
        assert read(NEUTRAL_OPENING + sentence, "skip").calls == ()


def test_a_clause_about_a_rival_makes_no_call_on_this_tool() -> None:
    text = NEUTRAL_OPENING + "Claude Code remains the safer ship. Modal is a ship."
    rivals = ("Claude Code", "Modal GPU Serverless Inference")
    assert read(text, "skip", name="Claw Code", rivals=rivals).calls == ()
    assert read(text, "skip", name="Claw Code").contradiction is not None


def test_the_tool_name_stands_where_it_does() -> None:
    assert read("Skip Tallyho.", "ship", name="Tallyho").contradiction is not None
    assert read("Skip Tallyho.", "ship").contradiction is None


def test_a_firm_call_for_the_verdict_outweighs_a_stray_one_against() -> None:
    text = "I'd ship it. A pass on the enterprise tier, though: skip it for now."
    reading = read(text, "ship")
    assert reading.contradiction is None and reading.mixed
