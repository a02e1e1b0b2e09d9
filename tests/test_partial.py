from __future__ import annotations

import json
import random

import pytest

from panel.running.partial import IncrementalJSON, PartialJSONError

DOCUMENT = {
    "verdict": "ship",
    "score": 8,
    "confidence": "high",
    "headline": 'Quotes " and back\\slashes, unicode é ✓ \u00e9 and \n newlines',
    "quote": "I " + "word " * 200 + "ship.",
    "competitors": ["A", "B, with comma", "C {braces} [brackets]"],
    "beats": {"primitive": "x", "nested": [1, 2.5, -3e2, True, False, None]},
}


@pytest.mark.parametrize("seed", range(12))
def test_any_chunking_gives_the_same_value_as_json_loads(seed: int) -> None:
    text = json.dumps(DOCUMENT, ensure_ascii=seed % 2 == 0, indent=seed % 3 or None)
    rng = random.Random(seed)
    parser = IncrementalJSON()
    position = 0
    while position < len(text):
        step = rng.randint(1, 9)
        parser.feed(text[position : position + step])
        position += step
    assert parser.finish() == DOCUMENT


def test_verdict_and_score_are_visible_before_the_quote_finishes() -> None:
    text = json.dumps(DOCUMENT)
    cut = text.index('"quote"') + 40
    parser = IncrementalJSON()
    parser.feed(text[:cut])
    assert parser.fields == {
        "verdict": "ship",
        "score": 8,
        "confidence": "high",
        "headline": DOCUMENT["headline"],
    }
    assert not parser.done


def test_a_number_is_not_shown_until_it_is_complete() -> None:
    parser = IncrementalJSON()
    parser.feed('{"score": 1')
    assert "score" not in parser.fields  # "1" may still become "10"
    parser.feed("0,")
    assert parser.fields["score"] == 10


def test_feed_reports_when_a_top_level_field_completes() -> None:
    parser = IncrementalJSON()
    assert parser.feed('{"verdict": "sh') is False
    assert parser.feed('ip", "sc') is True


def test_escape_split_across_deltas() -> None:
    parser = IncrementalJSON()
    for piece in ['{"a": "x\\', "u00", "e9", "\\", 'n"}']:
        parser.feed(piece)
    assert parser.finish() == {"a": "x\u00e9\n"}


@pytest.mark.parametrize(
    "text",
    [
        "Sure! Here is",
        '{"a" 1}',
        '{"a": tru3}',
        '{"a": 1]',
        '{"a": 1} trailing',
        "{'a': 1}",
        '{"a": "\\q"}',
    ],
)
def test_malformed_json_raises_with_a_position(text: str) -> None:
    parser = IncrementalJSON()
    with pytest.raises(PartialJSONError, match="at character"):
        parser.feed(text)
        parser.finish()


def test_truncated_json_is_not_a_value() -> None:
    parser = IncrementalJSON()
    parser.feed('{"verdict": "ship", "quote": "I was cut')
    with pytest.raises(PartialJSONError, match="ended before"):
        parser.finish()


EMOJI = {"verdict": "ship", "headline": "Fast 😀 and 🚀 at once", "quote": "I say 👍🏽.", "n": 1}


@pytest.mark.parametrize("seed", range(6))
def test_astral_characters_escaped_as_surrogate_pairs_survive_any_chunking(seed: int) -> None:
    text = json.dumps(EMOJI)  # ensure_ascii: each emoji is a \\ud83d\\ude00 pair of escapes
    assert "\\ud83d" in text
    rng = random.Random(seed)
    parser = IncrementalJSON()
    position = 0
    while position < len(text):
        step = rng.randint(1, 5)
        parser.feed(text[position : position + step])
        position += step
    assert parser.finish() == EMOJI


def test_a_surrogate_pair_split_between_its_two_escapes() -> None:
    parser = IncrementalJSON()
    for piece in ['{"h": "a \\ud83d', '\\ude00 b"}']:
        parser.feed(piece)
    value = parser.finish()
    assert value == {"h": "a 😀 b"}
    json.dumps(value, ensure_ascii=False).encode()  # text that can be written as UTF-8


@pytest.mark.parametrize(
    ("escaped", "expected"),
    [
        ("\\ud83d", "\ufffd"),
        ("\\ude00", "\ufffd"),
        ("\\ud83dx", "\ufffdx"),
        ("\\ude00\\ud83d", "\ufffd\ufffd"),
    ],
)
def test_a_lone_surrogate_becomes_a_replacement_character(escaped: str, expected: str) -> None:
    parser = IncrementalJSON()
    parser.feed('{"h": "' + escaped + '"}')
    assert parser.finish() == {"h": expected}


def test_nested_keys_never_show_as_top_level_fields() -> None:
    """A nested object reusing the names of top-level fields must not leak into `fields`."""
    document = {
        "beats": {"verdict": "skip", "score": 1, "deeper": {"confidence": "low", "score": 2}},
        "list": [{"verdict": "skip"}, {"score": 3}],
        "verdict": "ship",
        "score": 9,
    }
    text = json.dumps(document)
    parser = IncrementalJSON()
    for index, char in enumerate(text):
        parser.feed(char)
        for key, value in parser.fields.items():
            assert document[key] == value, f"after {text[: index + 1]!r}: {key}={value!r}"
    assert parser.finish() == document
    assert parser.fields == document
