"""Faults survived with nothing lost, and keys that never leak."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpcore2
import httpx
import pytest
import respx

from panel.cli import main
from panel.models import Persona, Record, ToolCard
from panel.providers.claude import ClaudeProvider
from panel.report.output import write_run
from tests.helpers import (
    PlanFor,
    broken_stream,
    event_stream,
    panel_process,
    run_command,
    tree,
    verdict_after,
    verdict_of,
)
from tests.sse import claude_events, sse
from tests.test_claude import SECRET, URL, _plans, reply_events


class Trickle(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A body delivered in tiny network chunks that split SSE lines (and UTF-8 characters)
    anywhere."""

    def __init__(self, body: bytes, size: int) -> None:
        self.pieces = [body[i : i + size] for i in range(0, len(body), size)]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece

    def __iter__(self) -> Iterator[bytes]:
        yield from self.pieces

    async def aclose(self) -> None:
        return None

    def close(self) -> None:
        return None


@pytest.mark.parametrize("size", [1, 3, 7, 64])
def test_sse_lines_split_across_network_chunks(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router, size: int
) -> None:
    plan = builder_plan(claude)
    body = sse(reply_events(plan.request, size=9))
    httpx2_mock.post(URL).mock(
        return_value=httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=Trickle(body, size)
        )
    )
    outcome = verdict_of(claude, plan)
    assert outcome.verdict.verdict in ("ship", "skip")


@pytest.mark.parametrize(
    ("sent_first", "failure"),
    [
        ('{"verdict": "sh', httpcore2.ReadError("connection reset")),
        ('{"verdict"', httpcore2.ReadTimeout("timed out")),
    ],
    ids=["dropped", "read-timeout"],
)
def test_a_connection_broken_mid_stream_is_retried(
    claude: Any,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    sent_first: str,
    failure: Exception,
) -> None:
    plan = builder_plan(claude)
    broken = broken_stream(sse(claude_events([sent_first], finish=False)), failure)
    good = event_stream(reply_events(plan.request))
    assert verdict_after(httpx2_mock.post(URL), claude, plan, broken, good).verdict is not None


def test_reset_before_the_stream_is_retried(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    reset = httpcore2.ReadError("connection reset by peer")
    good = event_stream(reply_events(plan.request))
    verdict_after(httpx2_mock.post(URL), claude, plan, reset, error_reply(503), good)


def error_reply(status: int) -> httpx.Response:
    return httpx.Response(
        status, json={"type": "error", "error": {"type": "api_error", "message": "unavailable"}}
    )


def test_keys_never_reach_records_caches_pages_logs_or_errors(
    monkeypatch: pytest.MonkeyPatch,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    plans = {
        p.request.prompt: p
        for p in _plans(
            personas, cards, ClaudeProvider("claude-sonnet-5-5"), ("builder", "skeptic")
        )
    }
    echo = {
        "type": "error",
        "error": {
            "type": "api_error",
            "message": (
                "upstream refused request with headers "
                f"{{'x-api-key': '{SECRET}', 'authorization': 'Bearer {SECRET}'}}"
            ),
        },
    }

    def respond(request: httpx.Request) -> httpx.Response:
        assert (
            request.headers["authorization"] == f"Bearer {SECRET}"
        )  # the key is sent, and only there
        content = json.loads(request.content)["messages"][0]["content"]
        if "You are The Skeptic" in content:
            return httpx.Response(400, json=echo)
        return event_stream(reply_events(plans[content].request))

    httpx2_mock.post(URL).mock(side_effect=respond)
    model = ["--model", "anthropic:claude-sonnet-5-5", "--personas", "builder,skeptic"]
    code = main([*run_command(tmp_path / "out", tmp_path / "cache"), *model])
    err = capsys.readouterr().err
    assert code == 1 and "[redacted]" in err
    written = [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    assert written and not any(SECRET in text for text in [*written, err])
    record = json.loads((tmp_path / "out" / "latest" / "record.json").read_text())
    assert "[redacted]" in next(c["error"] for c in record["cells"] if c["status"] == "failed")


def test_sigkill_mid_panel_loses_nothing_and_leaves_no_mixed_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    out, cache = tmp_path / "out", tmp_path / "cache"
    base = panel_process(out, cache)
    first = subprocess.run(
        [*base, "--offline-delay", "0", "--personas", "builder"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert first.returncode == 0
    old = tree(out)

    child = subprocess.Popen(
        [*base, "--offline-delay", "0.02", "--concurrency", "1"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    finished = 0
    while finished < 5:  # the two builder cells come from the cache; wait for three fresh ones
        line = child.stderr.readline()
        assert line, "the run ended before it could be killed"
        finished += " × " in line
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert tree(out) == old  # the earlier run and `latest`, untouched; no half-written folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "out"]

    again = subprocess.run(
        [*base, "--offline-delay", "0"], env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0
    cached = int(again.stderr.split("with a verdict, ")[1].split(" from")[0])
    assert cached >= 5  # only the missing cells were paid for
    assert json.loads((out / "latest" / "record.json").read_text())["totals"]["cells"] == 8


def test_outputs_never_half_written_when_rendering_fails(
    tmp_path: Path,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from panel.report import output
    from tests.test_render import _record

    record = _record(personas, cards, tmp_path)
    write_run(tmp_path / "out", record)
    before = tree(tmp_path / "out")

    def broken(_record: Record) -> str:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(output, "render_html", broken)
    with pytest.raises(RuntimeError):
        write_run(tmp_path / "out", record)
    assert tree(tmp_path / "out") == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "c") == ["out"]
