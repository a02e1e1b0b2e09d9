"""`run --json`: NDJSON events on standard output, one object per line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from panel.providers.base import StructuredRequest
from tests.conftest import EXAMPLES

PAIR = str(EXAMPLES / "claude-api-vs-modal.toml")


def events(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    lines = capsys.readouterr().out.splitlines()
    return [json.loads(line) for line in lines]  # every line is one JSON object


def test_json_prints_one_event_per_line_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", PAIR, "--out", str(tmp_path / "o"), "--offline-delay", "0.001", "--json"]
    assert main([*args, "--personas", "builder,skeptic"]) == 0
    found = events(capsys)
    assert found[0]["event"] == "run_started" and found[0]["cells"] == 4
    assert found[0]["personas"] == ["builder", "skeptic"]
    assert found[-1]["event"] == "run_finished" and found[-1]["complete"] is True
    assert found[-1]["cells_ok"] == 4 and Path(found[-1]["folder"]).exists()
    cells = {(e["persona"], e["tool"]) for e in found if "persona" in e}
    assert len(cells) == 4
    for cell in cells:
        mine = [e for e in found if (e.get("persona"), e.get("tool")) == cell]
        kinds = [e["event"] for e in mine]
        assert kinds[0] == "cell_started" and kinds[-1] == "cell_finished"
        assert "partial_verdict" in kinds  # the verdict streams before the cell finishes
        assert set(kinds[1:-1]) == {"partial_verdict"}
        assert mine[-1]["verdict"] in ("ship", "skip") and 1 <= mine[-1]["score"] <= 10


def test_a_failed_cell_is_an_event_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from panel.providers import offline

    real = offline.OfflineProvider.reply

    def broken(self: offline.OfflineProvider, request: StructuredRequest) -> dict[str, Any]:
        reply = real(self, request)
        if request.tool.id == "modal-gpu-inference":
            reply["score"] = 99
        return reply

    monkeypatch.setattr(offline.OfflineProvider, "reply", broken)
    args = ["run", PAIR, "--out", str(tmp_path / "o"), "--offline-delay", "0", "--json"]
    assert main([*args, "--personas", "builder"]) == 1
    found = events(capsys)
    failed = [e for e in found if e["event"] == "cell_failed"]
    assert [(e["tool"], e["status"]) for e in failed] == [("modal-gpu-inference", "failed")]
    assert found[-1]["event"] == "run_finished" and found[-1]["complete"] is False
