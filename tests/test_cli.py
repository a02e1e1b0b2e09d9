"""The command line end to end, on the offline model."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from panel.providers.base import StructuredRequest
from tests.conftest import EXAMPLES, ROOT

PAIR = str(EXAMPLES / "claude-api-vs-modal.toml")


def panel(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command in a child process, as a user would."""
    environment = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "panel", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_run_writes_record_markdown_and_html(tmp_path: Path) -> None:
    result = panel("run", PAIR, "--out", str(tmp_path / "out"), "--offline-delay", "0")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "latest").iterdir()) == [
        "panel.html",
        "panel.md",
        "record.json",
    ]
    run_dir = (tmp_path / "out" / "latest").resolve()
    assert run_dir.parent == tmp_path / "out" and run_dir.name.endswith("Z-offline")
    assert f"wrote {tmp_path / 'out' / run_dir.name}/record.json" in result.stderr
    record = json.loads((tmp_path / "out" / "latest" / "record.json").read_text())
    assert (
        record["model"]["provider"] == "offline" and record["model"]["is_language_model"] is False
    )
    assert len(record["cells"]) == 8 and record["complete"] is True
    assert result.stderr.splitlines()[0].startswith(
        "model: offline:offline — offline (not a language model"
    )
    assert "no API key is set" in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr


def test_plain_lines_when_not_a_terminal(tmp_path: Path) -> None:
    result = panel(
        "run", PAIR, "--out", str(tmp_path / "o"), "--offline-delay", "0", "--personas", "builder"
    )
    lines = [line for line in result.stderr.splitlines() if " × " in line]
    assert len(lines) == 2 and all(
        line.split(": ")[1].split()[0] in ("ship", "skip") for line in lines
    )


def test_rerun_is_served_from_the_response_cache(tmp_path: Path) -> None:
    args = [
        "run",
        PAIR,
        "--out",
        str(tmp_path / "o"),
        "--offline-delay",
        "0",
        "--cache-dir",
        str(tmp_path / "c"),
    ]
    assert panel(*args).returncode == 0
    second = panel(*args)
    assert second.returncode == 0
    assert "8/8 with a verdict, 8 from the response cache" in second.stderr
    record = json.loads((tmp_path / "o" / "latest" / "record.json").read_text())
    assert all(cell["from_cache"] for cell in record["cells"])


def test_python_dash_m_and_personas_listing() -> None:
    result = panel("personas")
    assert result.returncode == 0
    assert (
        "indie-creator — The Indie Creator (solo makers and small budgets; optional)"
        in result.stdout
    )
    assert "    weekend_test: Weekend test" in result.stdout


def test_default_model_follows_the_keys_present(monkeypatch: pytest.MonkeyPatch) -> None:
    from panel.providers.registry import choose_model

    assert choose_model(None, {}).provider == "offline"
    assert choose_model(None, {"OPENAI_API_KEY": "k"}).provider == "openai"
    assert (
        choose_model(None, {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"}).provider
        == "anthropic"
    )
    assert choose_model("offline", {"ANTHROPIC_API_KEY": "k"}).provider == "offline"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", *[str(EXAMPLES / "claw-code.toml")] * 2], "tool 'claw-code' appears twice"),
        (["run", PAIR, "--model", "gemini:pro"], "unknown provider 'gemini'"),
        (["run", PAIR, "--model", "anthropic:claude-sonnet-5-5"], "ANTHROPIC_API_KEY is not set"),
        (["run", PAIR, "--model", "openai:gpt-5-mini"], "OPENAI_API_KEY is not set"),
        (["run", PAIR, "--personas", ""], "at least one persona"),
        (["run", PAIR, "--personas", "builder,builder"], "named twice"),
        (["run", PAIR, "--concurrency", "0"], "--concurrency: must be a positive"),
        (["run", PAIR, "--max-cost", "1"], "no known price for offline:offline"),
        (["run", "missing.toml", "other.toml"], "missing.toml: no such file"),
        (["run", PAIR, "--concurrency", "many"], "must be a whole number"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main([*args, "--out", str(tmp_path / "o")] if args[0] == "run" else args)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_broken_persona_dir_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "personas"
    folder.mkdir()
    text = (ROOT / "personas" / "skeptic.toml").read_text().replace('ship_when = "', 'ship_wen = "')
    (folder / "skeptic.toml").write_text(text)
    code = main(["run", PAIR, "--personas-dir", str(folder), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "skeptic.toml: ship_wen: unknown field" in err


def test_incomplete_panel_exits_1_and_still_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from panel.providers import offline

    real = offline.OfflineProvider.reply

    def flaky(self: offline.OfflineProvider, request: StructuredRequest) -> dict[str, Any]:
        reply = real(self, request)
        if request.persona.id == "futurist":
            reply["score"] = 99
        return reply

    monkeypatch.setattr(offline.OfflineProvider, "reply", flaky)
    code = main(["run", PAIR, "--out", str(tmp_path / "o"), "--offline-delay", "0"])
    err = capsys.readouterr().err
    assert code == 1
    assert "panel incomplete" in err and "futurist × modal-gpu-inference: failed" in err
    record = json.loads((tmp_path / "o" / "latest" / "record.json").read_text())
    assert record["complete"] is False


@pytest.mark.parametrize(("command", "bounded"), [("render", True), ("view", False)])
def test_only_the_process_own_main_spares_the_collector(
    monkeypatch: pytest.MonkeyPatch, command: str, bounded: bool
) -> None:
    """A process ends with its objects frozen (none walked at exit), and a bounded command
    (render: one record) runs without the collector; a call in process changes neither."""
    assert main([command, "no-such-run"]) == 2  # in process (a test, a tool): left alone
    assert gc.isenabled() and gc.get_freeze_count() == 0
    monkeypatch.setattr(sys, "argv", ["panel", command, "no-such-run"])
    try:
        assert main() == 2  # the process's own entry point: it ends next
        assert gc.get_freeze_count() > 0
        assert gc.isenabled() is not bounded
    finally:
        gc.enable()
        gc.unfreeze()
