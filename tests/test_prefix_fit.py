"""The shared prompt prefix against each model's cache minimum."""

from __future__ import annotations

import json

import pytest

from panel.cli import main
from panel.providers.pricing import CHARS_PER_TOKEN, prefix_fits
from tests.conftest import EXAMPLES


def test_a_prefix_is_cached_from_the_models_minimum_on() -> None:
    at = prefix_fits("x" * 4096 * CHARS_PER_TOKEN)["anthropic:claude-haiku-4-5"]
    below = prefix_fits("x" * 4000 * CHARS_PER_TOKEN)["anthropic:claude-haiku-4-5"]
    assert at.met and at.text() == "yes (4,096 ≥ 4,096)"
    assert not below.met and below.text() == "no: 96 tokens short of 4,096"
    assert "offline:offline" not in prefix_fits("")  # no cache, no minimum


def test_models_reports_the_panels_prefix_against_every_minimum(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pair = str(EXAMPLES / "claude-api-vs-modal.toml")
    assert main(["models", "--prefix", pair, "--format", "json"]) == 0
    rows = {row["model"]: row for row in json.loads(capsys.readouterr().out)}
    haiku = rows["anthropic:claude-haiku-4-5"]
    # The default four-reviewer panel reaches the highest minimum (Haiku 4.5, Opus 4.5/4.6).
    assert haiku["prefix_cached"] is True and haiku["prefix_tokens"] >= 4096
    assert "prefix_tokens" not in rows["offline:offline"]
    assert main(["models", "--prefix", pair]) == 0
    out = capsys.readouterr().out
    assert "prefix cached" in out and "shared prompt prefix is about" in out
