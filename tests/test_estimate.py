"""The cost known before the run: --dry-run, the estimate on a paid run's first lines, --yes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from panel.cli import main
from panel.inputs.loading import choose_personas
from panel.models import Persona, ToolCard
from panel.providers.base import token_counter
from panel.providers.claude import ClaudeProvider
from panel.providers.openai_chat import OpenAIProvider
from panel.providers.retry import RetryingProvider
from panel.record.store import load_record
from panel.running.estimate import approximate, estimate_cost, expected_output_tokens
from panel.running.runner import plan_cells
from tests.helpers import ScriptedProvider, spec_for
from tests.support.emulator import Emulator

PAIR = str(Path(__file__).resolve().parents[1] / "examples" / "claude-api-vs-modal.toml")
SONNET = "anthropic:claude-sonnet-5-5"  # $2 in, $10 out per million; cache write 1.25x, read 0.05x


def _claude_at(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "emulated-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", emulator.url)


def _args(tmp_path: Path, *extra: str) -> list[str]:
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    return ["run", PAIR, "--quiet", "--out", out, "--cache-dir", cache, *extra]


def test_dry_run_counts_tokens_prices_the_plan_and_calls_no_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Emulator() as emulator:
        _claude_at(emulator, monkeypatch)
        assert main(_args(tmp_path, "--model", SONNET, "--dry-run", "--json")) == 0
        assert emulator.served == []  # no model call
        assert emulator.counted == ["anthropic"] * 4  # one count per persona
    report = json.loads(capsys.readouterr().out)
    assert report["cells"] == report["calls"] == 8
    assert report["token_counting"] == "counted by Anthropic's messages.count_tokens"
    assert report["input_tokens"] > 8 * report["prefix_tokens"] > 0
    assert 0 < report["estimated_cost_usd"] < report["worst_case_cost_usd"]
    assert not (tmp_path / "out").exists() and not (tmp_path / "cache").exists()


def test_a_paid_run_prints_the_estimate_records_it_and_compares_the_actual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Emulator() as emulator:
        _claude_at(emulator, monkeypatch)
        assert main(_args(tmp_path, "--model", SONNET)) == 0
    lines = capsys.readouterr().err.splitlines()
    # Counted beside the run (issue 25: the warm-up call does not wait for it), shown when known.
    shown = next(i for i, line in enumerate(lines) if line.startswith("estimate: "))
    assert lines[shown].startswith("estimate: 8 cells, 8 model calls")
    assert lines[shown + 1].startswith("estimated cost: $")
    assert any(line.startswith("cost this run: $") and "actual vs" in line for line in lines)
    record = load_record(tmp_path / "out")
    assert record.estimate is not None
    actual = record.totals.spend_this_run_usd
    expected, worst = record.estimate.estimated_cost_usd, record.estimate.worst_case_cost_usd
    assert actual is not None and expected is not None and worst is not None
    assert worst >= actual
    assert 0.5 <= expected / actual <= 2.0


def test_a_max_cost_below_the_worst_case_needs_yes_when_no_one_can_be_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Emulator() as emulator:
        _claude_at(emulator, monkeypatch)
        assert main(_args(tmp_path, "--model", SONNET, "--max-cost", "0.01")) == 2
        assert emulator.served == []
        error = capsys.readouterr().err.splitlines()[-1]
        assert error.startswith("panel: error: --max-cost $0.01 is below this run's worst case")
        assert error.endswith("pass --yes to run anyway")
        assert not (tmp_path / "out").exists()  # a refused spend leaves no folder behind
        assert main(_args(tmp_path, "--model", SONNET, "--max-cost", "1", "--yes")) == 0
        assert len(emulator.served) == 8


def test_a_model_with_no_known_price_is_unknown_never_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Emulator() as emulator:
        args = _args(tmp_path, "--model", "openai:llama3.1", "--base-url", f"{emulator.url}/v1")
        assert main(args) == 0
    err = capsys.readouterr().err
    assert "warning: no price is known for openai:llama3.1" in err
    assert "cost: unknown" in err and "estimated cost: unknown expected" in err
    record = load_record(tmp_path / "out")
    assert record.totals.cost_usd is None and record.estimate is not None
    assert record.estimate.estimated_cost_usd is None and not record.estimate.price_known
    page = (tmp_path / "out" / "latest" / "panel.md").read_text()
    assert "Cost: unknown" in page and "$0.0000" not in page


def test_the_warm_up_plan_one_write_then_reads_and_cached_cells_cost_nothing(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    provider = ScriptedProvider(lambda request, n: [])
    provider.info = provider.info.model_copy(
        update={"provider": "anthropic", "model": "claude-sonnet-5-5", "is_language_model": True}
    )
    builder = choose_personas(personas, ["builder"])
    plans = plan_cells(spec_for(builder, cards), provider)
    tokens = {plan.key: approximate(plan.request) for plan in plans}
    output = expected_output_tokens(builder[0])
    first, second = (tokens[plan.key] for plan in plans)
    # $2 per million input, 1.25x to write the prefix, 0.05x to read it; $10 per million output.
    write = 2 * (first.total - first.prefix + 1.25 * first.prefix) + 10 * output
    read = 2 * (second.total - second.prefix + 0.05 * second.prefix) + 10 * output
    warm = estimate_cost(provider, plans, tokens, "approximated", cached=set())
    assert warm.estimated_cost_usd == pytest.approx((write + read) / 1e6, abs=1e-6)
    second_writes = 2 * (second.total - second.prefix + 1.25 * second.prefix) + 10 * output
    cold = estimate_cost(provider, plans, tokens, "approximated", cached=set(), warm_up=False)
    assert cold.estimated_cost_usd == pytest.approx((write + second_writes) / 1e6, abs=1e-6)
    # The first cell is in the response cache: the second, now the only call, writes the prefix.
    one_cached = estimate_cost(provider, plans, tokens, "approximated", cached={plans[0].key})
    assert (one_cached.calls, one_cached.from_response_cache) == (1, 1)
    assert one_cached.estimated_cost_usd == pytest.approx(second_writes / 1e6, abs=1e-6)
    assert one_cached.worst_case_cost_usd is not None
    assert one_cached.worst_case_cost_usd >= (second_writes + 10 * (2000 - output)) / 1e6


def test_token_counting_is_found_through_the_retry_wrapper_and_only_where_it_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    inner = ClaudeProvider("claude-sonnet-5-5")
    assert token_counter(RetryingProvider(inner)) is inner
    compatible = OpenAIProvider("llama3.1", base_url="http://127.0.0.1:9/v1", compat=True)
    assert token_counter(compatible) is None
    assert token_counter(ScriptedProvider(lambda request, n: [])) is None
