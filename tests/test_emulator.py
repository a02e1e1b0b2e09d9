"""The local API emulator, and panel running unchanged against it (both APIs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from panel.models import Record
from panel.providers.retry import RetryingProvider
from panel.running.runner import PanelSpec
from tests.helpers import emulated, panel_record
from tests.support.emulator import Emulator, EmulatorConfig


def _retrying(api: str, emulator: Emulator) -> RetryingProvider:
    return RetryingProvider(emulated(api, emulator.url), base_delay=0.01)


def _panel(api: str, emulator: Emulator, spec: PanelSpec, tmp_path: Path, **options: Any) -> Record:
    """The panel through retries against the emulator, with nothing read from a cache."""
    return panel_record(spec, _retrying(api, emulator), tmp_path / "cache", refresh=True, **options)


def test_binds_loopback_only() -> None:
    with Emulator() as emulator:
        assert emulator.url.startswith("http://127.0.0.1:")
        assert emulator._server is not None
        assert emulator._server.sockets[0].getsockname()[0] == "127.0.0.1"


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_panel_runs_unchanged_and_reads_the_cache_after_warm_up(
    api: str, panel_spec: PanelSpec, tmp_path: Path
) -> None:
    with Emulator(EmulatorConfig(begin_delay=0.02, ttft=0.05)) as emulator:
        record = _panel(api, emulator, panel_spec, tmp_path, concurrency=8)
    assert record.complete, [c.error for c in record.cells]
    writes = [s for s in emulator.served if s.cache_write]
    reads = [s for s in emulator.served if s.cache_read]
    assert len(writes) == 1 and len(reads) == 7
    assert record.totals.usage.cache_read_tokens == sum(s.cache_read for s in reads)
    assert record.totals.usage.output_tokens == sum(s.output_tokens for s in emulator.served)


def test_without_warm_up_a_cold_cache_is_written_by_every_parallel_cell(
    panel_spec: PanelSpec, tmp_path: Path
) -> None:
    with Emulator(EmulatorConfig(begin_delay=0.05, ttft=0.1)) as emulator:
        record = _panel("anthropic", emulator, panel_spec, tmp_path, concurrency=8, warm_up=False)
    assert record.complete
    assert sum(1 for s in emulator.served if s.cache_write) == 8
    assert record.totals.usage.cache_read_tokens == 0


def test_a_prefix_below_the_minimum_is_not_cached(panel_spec: PanelSpec, tmp_path: Path) -> None:
    with Emulator(EmulatorConfig(cache_min_tokens=100_000)) as emulator:
        record = _panel("anthropic", emulator, panel_spec, tmp_path)
    assert record.totals.usage.cache_read_tokens == record.totals.usage.cache_write_tokens == 0


def test_injected_faults_are_survived(panel_spec: PanelSpec, tmp_path: Path) -> None:
    # One cell at a time: the first retries past 429 and 529, the second past 500, the third past a
    # dropped stream; the fourth is truncated once and answers with a larger limit; the fifth is
    # truncated twice, and fails.
    script = [
        "429",
        "529",
        "ok",
        "500",
        "ok",
        "drop",
        "ok",
        "truncate",
        "ok",
        "truncate",
        "truncate",
    ]
    config = EmulatorConfig(faults=list(script))
    with Emulator(config) as emulator:
        record = _panel("anthropic", emulator, panel_spec, tmp_path, concurrency=1)
    faults = [s.fault for s in emulator.served]
    assert faults[: len(script)] == script
    assert [s.status for s in emulator.served[:4]] == [429, 529, 200, 500]
    failed = [c for c in record.cells if c.status == "failed"]
    assert len(failed) == 1 and "truncated at max_tokens" in (failed[0].error or "")
    assert record.totals.cells_ok == 7


def test_rate_limit_answers_429_with_retry_after_and_panel_waits(
    panel_spec: PanelSpec, tmp_path: Path
) -> None:
    with Emulator(EmulatorConfig(rate_limit=2, rate_window=1.0)) as emulator:
        record = _panel("anthropic", emulator, panel_spec, tmp_path, concurrency=8)
    limited = [s for s in emulator.served if s.fault == "rate-limited"]
    assert limited and all(s.status == 429 for s in limited)
    assert record.complete  # no cell failed from the rate limit


def test_streams_at_the_configured_pace(panel_spec: PanelSpec, tmp_path: Path) -> None:
    config = EmulatorConfig(ttft=0.2, tokens_per_second=400, output_tokens=200, chunk_tokens=4)
    with Emulator(config) as emulator:
        _panel("anthropic", emulator, panel_spec, tmp_path, concurrency=8)
    for served in emulator.served:
        assert served.finished is not None and served.started is not None
        duration = served.finished - served.started
        expected = 0.2 + served.output_tokens / 400
        assert expected * 0.9 <= duration <= expected * 1.5 + 0.5  # never faster than configured


@pytest.mark.parametrize(
    ("model", "env"),
    [
        ("anthropic:claude-sonnet-5-5", "ANTHROPIC_BASE_URL"),
        ("openai:gpt-5-mini", None),
        ("openai:llama3.1", None),
    ],
)
def test_cli_against_the_emulator_gives_records_shaped_like_offline(
    model: str,
    env: str | None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from panel.cli import main
    from tests.test_cli import PAIR

    with Emulator(EmulatorConfig(begin_delay=0.01)) as emulator:
        args = [
            "run",
            PAIR,
            "--model",
            model,
            "--out",
            str(tmp_path / "api"),
            "--cache-dir",
            str(tmp_path / "c"),
        ]
        if env:
            monkeypatch.setenv("ANTHROPIC_API_KEY", "emulated-key")
            monkeypatch.setenv(env, emulator.url)
        elif model == "openai:gpt-5-mini":
            monkeypatch.setenv("OPENAI_API_KEY", "emulated-key")
            monkeypatch.setenv("OPENAI_BASE_URL", f"{emulator.url}/v1")
        else:  # a local compatible server: no key at all, named by --base-url
            args += ["--base-url", f"{emulator.url}/v1"]
        assert main(args) == 0, capsys.readouterr().err
    assert (
        main(
            [
                "run",
                PAIR,
                "--model",
                "offline",
                "--out",
                str(tmp_path / "off"),
                "--offline-delay",
                "0",
                "--cache-dir",
                str(tmp_path / "c"),
            ]
        )
        == 0
    )
    api = json.loads((tmp_path / "api" / "latest" / "record.json").read_text())
    offline = json.loads((tmp_path / "off" / "latest" / "record.json").read_text())
    assert api.keys() == offline.keys()
    assert [c.keys() for c in api["cells"]] == [c.keys() for c in offline["cells"]]
    assert api["totals"].keys() == offline["totals"].keys()
    assert api["totals"]["usage"]["cache_read_tokens"] > 0  # cache figures come from the responses
    assert (
        api["model"]["is_language_model"] is True and offline["model"]["is_language_model"] is False
    )
