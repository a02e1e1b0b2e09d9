"""`--batch`: cells through both batch APIs (on the emulator), resumable and never sent twice."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from panel.models import ModelInfo, Usage
from panel.providers.batch_ledger import BatchLedger
from panel.providers.pricing import cost_of
from tests.conftest import ROOT
from tests.support.emulator import Emulator, EmulatorConfig
from tests.support.emulator_batches import BatchConfig

PAIR = str(ROOT / "examples" / "claude-api-vs-modal.toml")
MODELS = {"anthropic": "anthropic:claude-sonnet-5-5", "openai": "openai:gpt-5-mini"}


def _point_at(emulator: Emulator, api: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Environment and flags that send `api` to the emulator."""
    if api == "anthropic":
        monkeypatch.setenv("ANTHROPIC_API_KEY", "emulated-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", emulator.url)
        return ["--model", MODELS[api]]
    monkeypatch.setenv("OPENAI_API_KEY", "emulated-key")
    return ["--model", MODELS[api], "--base-url", f"{emulator.url}/v1"]


def _run(tmp_path: Path, flags: list[str], *extra: str) -> int:
    return main(
        [
            "run",
            PAIR,
            "--batch",
            "--quiet",
            "--poll-every",
            "0.05",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--out",
            str(tmp_path / "out"),
            *flags,
            *extra,
        ]
    )


def _record(tmp_path: Path) -> dict[str, Any]:
    found = sorted((tmp_path / "out").rglob("record.json"), key=lambda p: p.stat().st_mtime)
    record: dict[str, Any] = json.loads(found[-1].read_text())
    return record


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_every_cell_goes_out_in_one_batch_at_half_price(
    api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator(EmulatorConfig(batch=BatchConfig(delay=0.2))) as emulator:
        assert _run(tmp_path, _point_at(emulator, api, monkeypatch)) == 0
    assert len(emulator.batches.created) == 1
    (batch,) = emulator.batches.batches.values()
    assert len(batch.requests) == 8
    record = _record(tmp_path)
    assert record["complete"] and record["model"]["batch"] is True
    for cell in record["cells"]:
        assert cell["batch"] is True
        full = cost_of(api, MODELS[api].split(":")[1], Usage(**cell["usage"]), cache_ttl="1h")
        assert full is not None and cell["cost"]["usd"] == pytest.approx(full.usd / 2)
    # the cache accounting is per cell, as in streaming: one write, the other cells read
    reads = [c["usage"]["cache_read_tokens"] > 0 for c in record["cells"]]
    assert reads.count(True) == 7


def test_claude_batches_use_the_one_hour_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator() as emulator:
        assert _run(tmp_path, _point_at(emulator, "anthropic", monkeypatch)) == 0
    (batch,) = emulator.batches.batches.values()
    ttls = {body["system"][0]["cache_control"]["ttl"] for _, body, _ in batch.requests}
    assert ttls == {"1h"}
    assert all("stream" not in body for _, body, _ in batch.requests)


def test_errored_and_expired_requests_fail_their_cells_and_are_sent_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = EmulatorConfig(batch=BatchConfig(delay=0.1, faults=["errored", "expired"]))
    with Emulator(config) as emulator:
        flags = _point_at(emulator, "openai", monkeypatch)
        assert _run(tmp_path, flags) == 1
        err = capsys.readouterr().err
        assert "batch request errored" in err and "batch request expired" in err
        failed = [c for c in _record(tmp_path)["cells"] if c["status"] == "failed"]
        assert len(failed) == 2
        assert _run(tmp_path, flags) == 0  # the same command sends only what failed
    assert [len(emulator.batches.batches[b].requests) for b in emulator.batches.created] == [8, 2]


def test_a_reply_that_fails_validation_is_asked_again_in_one_follow_up_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = EmulatorConfig(batch=BatchConfig(delay=0.05, faults=["invalid", "ok", "invalid"]))
    with Emulator(config) as emulator:
        assert _run(tmp_path, _point_at(emulator, "anthropic", monkeypatch)) == 0
    sizes = [len(emulator.batches.batches[b].requests) for b in emulator.batches.created]
    assert sizes == [8, 2]
    (follow_up,) = [emulator.batches.batches[b] for b in emulator.batches.created[1:]]
    for _, body, _ in follow_up.requests:  # the re-ask carries the rejected reply and the reason
        assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    attempts = sorted(c["attempts"] for c in _record(tmp_path)["cells"])
    assert attempts == [1] * 6 + [2, 2]


def test_reask_live_streams_the_follow_up_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = EmulatorConfig(batch=BatchConfig(delay=0.05, faults=["invalid"]))
    with Emulator(config) as emulator:
        flags = _point_at(emulator, "anthropic", monkeypatch)
        assert _run(tmp_path, flags, "--reask-live") == 0
    assert len(emulator.batches.created) == 1
    assert [s.api for s in emulator.served].count("anthropic-batch") == 8
    assert [s.api for s in emulator.served].count("anthropic") == 1  # the re-ask, streamed


def test_a_killed_run_collects_its_batch_next_time_and_never_sends_it_twice(
    tmp_path: Path,
) -> None:
    config = EmulatorConfig(batch=BatchConfig(delay=3600))
    with Emulator(config) as emulator:
        env = {
            **os.environ,
            "ANTHROPIC_API_KEY": "emulated-key",
            "ANTHROPIC_BASE_URL": emulator.url,
        }
        command = [
            sys.executable,
            "-m",
            "panel",
            "run",
            PAIR,
            "--batch",
            "--quiet",
            "--model",
            MODELS["anthropic"],
            "--poll-every",
            "0.05",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--out",
            str(tmp_path / "out"),
        ]
        child = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
        ledger = BatchLedger(tmp_path / "cache" / "batches")
        deadline = time.monotonic() + 60
        while not ledger.entries() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        (entry,) = ledger.entries()
        assert entry.batch_id == emulator.batches.created[0] and not entry.collected
        listed = subprocess.run(
            [sys.executable, "-m", "panel", "batches", "--cache-dir", str(tmp_path / "cache")],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        assert entry.batch_id in listed and "pending" in listed and "8 requests" in listed

        config.batch.delay = 0  # the provider finishes the batch while nobody watches
        finished = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert f"batch {entry.batch_id}: picked up, 8 requests" in finished.stderr
    assert len(emulator.batches.created) == 1  # never submitted again
    assert ledger.entries()[0].collected


def test_batches_cancel_reaches_the_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Emulator(EmulatorConfig(batch=BatchConfig(delay=3600))) as emulator:
        _point_at(emulator, "anthropic", monkeypatch)
        ledger = BatchLedger(tmp_path / "cache" / "batches")
        info = ModelInfo(
            provider="anthropic", model="claude-sonnet-5-5", label="x", is_language_model=True
        )
        created = emulator.batches._create(
            "anthropic", {"requests": [{"custom_id": "cell-a", "params": {}}]}
        )
        batch_id = json.loads(created.body)["id"]
        ledger.record(info, emulator.url, batch_id, {"cell-a": "builder × x"})
        code = main(["batches", "cancel", batch_id, "--cache-dir", str(tmp_path / "cache")])
        assert code == 0 and emulator.batches.batches[batch_id].canceled
    assert f"batch {batch_id}: ended" in capsys.readouterr().err


def test_request_ids_are_stable_and_fit_both_apis(tmp_path: Path) -> None:
    from panel.providers.batch import request_id

    class Params:
        def params(self, request: Any) -> dict[str, object]:
            return {"prompt": request}

    first = request_id(Params(), "same", 0)  # type: ignore[arg-type]
    assert first == request_id(Params(), "same", 0)  # type: ignore[arg-type]
    assert first != request_id(Params(), "same", 1)  # type: ignore[arg-type]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", first)


def test_a_collected_batch_serves_only_its_successes(tmp_path: Path) -> None:
    ledger = BatchLedger(tmp_path)
    info = ModelInfo(provider="anthropic", model="m", label="m", is_language_model=True)
    entry = ledger.record(info, "", "msgbatch_1", {"a": "cell a", "b": "cell b"})
    assert ledger.holding("anthropic", "", "b") == entry
    ledger.mark_collected(entry, ["a"])
    assert ledger.holding("anthropic", "", "a") is not None
    assert ledger.holding("anthropic", "", "b") is None  # failed there: send it again
    assert ledger.holding("anthropic", "http://elsewhere", "a") is None


def test_offline_batch_runs_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert _run(tmp_path, ["--model", "offline"]) == 0
    record = _record(tmp_path)
    assert record["complete"] and all(c["batch"] for c in record["cells"])


@pytest.mark.parametrize("value", ["0", "-1"])
def test_poll_every_must_be_positive(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, ["--model", "offline", "--poll-every", value]) == 2
    assert "--poll-every" in capsys.readouterr().err


def test_pages_mark_batch_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert _run(tmp_path, ["--model", "offline"]) == 0
    folder = max((tmp_path / "out").rglob("record.json"), key=lambda p: p.stat().st_mtime).parent
    for page in ("panel.md", "panel.html"):
        text = (folder / page).read_text()
        assert "8 of 8 cells answered through the batch API (billed at 50%)" in text
