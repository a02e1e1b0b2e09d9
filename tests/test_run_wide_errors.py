"""An error every call of a run would meet (the key, the account, the model refused) stops the
run sending: the first cell fails with it, the rest are not sent and say why in one line, and a
cell's own error (one prompt refused) never stops the others."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from panel.cli import main
from panel.models import Persona, ToolCard
from panel.providers.claude import ClaudeProvider
from tests.helpers import event_stream, run_command
from tests.test_claude import SECRET as CLAUDE_SECRET
from tests.test_claude import URL as CLAUDE_URL
from tests.test_claude import _plans, reply_events
from tests.test_openai import SECRET as OPENAI_SECRET
from tests.test_openai import URL as OPENAI_URL

CELLS = 8  # the example pair, the default panel of four


def claude_error(status: int, kind: str, message: str) -> httpx.Response:
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_1"}
    return httpx.Response(status, json=body, headers={"x-should-retry": "false"})


def openai_error(status: int, code: str, message: str) -> httpx.Response:
    body = {"error": {"message": message, "type": code, "param": None, "code": code}}
    return httpx.Response(status, json=body)


EVERY_CALL = {
    "claude 401": ("anthropic", claude_error(401, "authentication_error", "invalid x-api-key")),
    "claude 403": ("anthropic", claude_error(403, "permission_error", "not allowed")),
    "claude 404 model": (
        "anthropic",
        claude_error(404, "not_found_error", "model: claude-sonnet-5-5"),
    ),
    "claude no credit": (
        "anthropic",
        claude_error(
            400, "invalid_request_error", "Your credit balance is too low to access the API."
        ),
    ),
    "openai 401": ("openai", openai_error(401, "invalid_api_key", "Incorrect API key provided")),
    "openai quota": ("openai", openai_error(429, "insufficient_quota", "You exceeded your quota")),
    "openai 404 model": (
        "openai",
        openai_error(404, "model_not_found", "The model does not exist"),
    ),
}


def _run(
    api: str,
    respond: Any,
    monkeypatch: pytest.MonkeyPatch,
    httpx2_mock: respx.Router,
    tmp_path: Path,
) -> tuple[int, respx.Route, dict[str, Any]]:
    if api == "anthropic":
        monkeypatch.setenv("ANTHROPIC_API_KEY", CLAUDE_SECRET)
        route, model = httpx2_mock.post(CLAUDE_URL), "anthropic:claude-sonnet-5-5"
        httpx2_mock.post(f"{CLAUDE_URL}/count_tokens").mock(
            return_value=httpx.Response(200, json={"input_tokens": 5000})
        )
    else:
        monkeypatch.setenv("OPENAI_API_KEY", OPENAI_SECRET)
        route, model = httpx2_mock.post(OPENAI_URL), "openai:gpt-5-mini"
    route.mock(side_effect=respond)
    command = [*run_command(tmp_path / "out", tmp_path / "cache"), "--model", model]
    code = main([*command, "--grader", "none"])
    record = json.loads((tmp_path / "out" / "latest" / "record.json").read_text())
    return code, route, record


@pytest.mark.parametrize("case", list(EVERY_CALL))
def test_an_error_every_call_would_meet_is_met_once(
    case: str,
    monkeypatch: pytest.MonkeyPatch,
    httpx2_mock: respx.Router,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    api, answer = EVERY_CALL[case]
    code, route, record = _run(api, answer, monkeypatch, httpx2_mock, tmp_path)
    err = capsys.readouterr().err
    assert code == 1
    assert route.call_count == 1  # the warm-up alone: nothing more was sent
    statuses = sorted(cell["status"] for cell in record["cells"])
    assert statuses == ["failed"] + ["skipped"] * (CELLS - 1)
    failed = next(cell for cell in record["cells"] if cell["status"] == "failed")
    skipped = [cell["error"] for cell in record["cells"] if cell["status"] == "skipped"]
    assert all(e == f"not sent, as every call would fail alike: {failed['error']}" for e in skipped)
    assert f"{CELLS - 1} cells skipped: not sent, as every call would fail alike" in err
    assert CLAUDE_SECRET not in err and OPENAI_SECRET not in err


def test_a_cells_own_error_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CLAUDE_SECRET)
    provider = ClaudeProvider("claude-sonnet-5-5")
    plans = {p.request.prompt: p for p in _plans(personas, cards, provider, ("builder", "skeptic"))}

    def respond(request: httpx.Request) -> httpx.Response:
        content = json.loads(request.content)["messages"][0]["content"]
        if "You are The Skeptic" in content:  # this prompt alone is refused
            return claude_error(400, "invalid_request_error", "prompt is too long")
        return event_stream(reply_events(plans[content].request))

    route = httpx2_mock.post(CLAUDE_URL)
    route.mock(side_effect=respond)
    model = ["--model", "anthropic:claude-sonnet-5-5", "--personas", "builder,skeptic"]
    code = main([*run_command(tmp_path / "out", tmp_path / "cache"), *model])
    record = json.loads((tmp_path / "out" / "latest" / "record.json").read_text())
    statuses = sorted(cell["status"] for cell in record["cells"])
    assert code == 1 and statuses == ["failed", "failed", "ok", "ok"]
    assert route.call_count == 4  # every cell was sent
