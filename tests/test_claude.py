"""The Claude provider against respx routes serving Messages API streams in the wire format."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from panel.errors import ProviderError
from panel.models import Persona, ToolCard
from panel.providers.base import Provider, StructuredRequest
from panel.providers.claude import ClaudeProvider
from panel.running.orchestrator import CellPlan
from panel.running.runner import PanelSpec, plan_cells
from tests.conftest import CLAUDE_KEY
from tests.helpers import (
    PlanFor,
    answer_cells,
    cache_use,
    event_stream,
    good_reply,
    offline_run,
    panel_record,
    reply_chunks,
    reply_text,
    sent,
    spec_for,
    verdict_after,
    verdict_in_order,
    verdict_of,
)
from tests.sse import claude_events

URL = "https://api.anthropic.com/v1/messages"
SECRET = CLAUDE_KEY


def error_response(status: int, kind: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        headers=headers or {},
        json={"type": "error", "error": {"type": kind, "message": f"{kind} happened"}},
    )


def reply_events(
    request: StructuredRequest, size: int = 30, **usage: Any
) -> list[tuple[str | None, Any]]:
    return claude_events(reply_chunks(request, size), **usage)


def _plans(
    personas: dict[str, Persona],
    cards: list[ToolCard],
    provider: Provider,
    who: tuple[str, ...] = ("builder",),
) -> list[CellPlan]:
    return plan_cells(spec_for([personas[p] for p in who], cards), provider)


def test_request_puts_the_breakpoint_after_the_shared_prefix(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    route = httpx2_mock.post(URL).mock(return_value=event_stream(reply_events(plan.request)))
    verdict_of(claude, plan)
    body = sent(route)
    assert body["system"] == [
        {
            "type": "text",
            "text": plan.request.system,
            "cache_control": {"type": "ephemeral", "ttl": "5m"},
        }
    ]
    assert body["messages"] == [{"role": "user", "content": plan.request.prompt}]
    assert "You are The Builder" in body["messages"][0]["content"]
    assert body["output_config"]["format"] == {"type": "json_schema", "schema": plan.request.schema}
    assert body["stream"] is True and "tool_choice" not in body
    assert route.calls[0].request.headers["x-stainless-retry-count"] == "0"


def test_one_hour_ttl(
    claude: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
) -> None:
    spec = spec_for([personas["builder"]], cards, cache_ttl="1h")
    plan = plan_cells(spec, claude)[0]
    route = httpx2_mock.post(URL).mock(return_value=event_stream(reply_events(plan.request)))
    verdict_of(claude, plan)
    assert sent(route)["system"][0]["cache_control"]["ttl"] == "1h"


def test_a_prefix_below_the_model_minimum_sends_no_breakpoint_and_says_so(
    monkeypatch: pytest.MonkeyPatch, personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    haiku = ClaudeProvider("claude-haiku-4-5")  # a 4,096-token minimum
    plan = _plans(personas, cards, haiku)[0]
    short = replace(plan.request, system=plan.request.system[:8000])  # about 2,000 tokens
    assert "cache_control" not in haiku.request_params(short)["system"][0]
    assert "below the 4096-token minimum" in haiku.notes(short.system)[0]
    sonnet = ClaudeProvider("claude-sonnet-5-5")
    assert sonnet.notes(short.system) == []
    assert "cache_control" in haiku.request_params(plan.request)["system"][0]  # the real prefix


def test_partial_objects_arrive_in_order(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    httpx2_mock.post(URL).mock(return_value=event_stream(reply_events(plan.request, size=5)))
    outcome = verdict_in_order(claude, plan)
    assert outcome.usage.output_tokens == 120


def test_usage_and_savings_add_up_over_a_panel(
    claude: Any, panel_spec: PanelSpec, httpx2_mock: respx.Router, tmp_path: Path
) -> None:
    def reply(plan: CellPlan, call: int) -> httpx.Response:
        usage = {"input_tokens": 50, "output_tokens": 200, **cache_use(call, 3000)}
        return event_stream(reply_events(plan.request, **usage))

    plans = plan_cells(panel_spec, claude)
    httpx2_mock.post(URL).mock(side_effect=answer_cells(plans, reply))
    record = panel_record(panel_spec, claude, tmp_path)
    totals = record.totals
    assert record.complete and totals.usage.cache_write_tokens == 3000
    assert totals.usage.cache_read_tokens == 7 * 3000 and totals.usage.input_tokens == 8 * 50
    assert totals.cached_input_share == round(21000 / (400 + 3000 + 21000), 4)
    # Sonnet 5.5: $2/M in, $10/M out, write 1.25x, read 0.05x.
    expected = (400 * 2 + 3000 * 2.5 + 21000 * 0.1 + 1600 * 10) / 1e6
    without = (24400 * 2 + 1600 * 10) / 1e6
    assert totals.cost_usd == pytest.approx(expected, abs=1e-6)
    assert totals.cost_without_cache_usd == pytest.approx(without, abs=1e-6)
    assert totals.saved_usd == pytest.approx(without - expected, abs=1e-6)


@pytest.mark.parametrize(
    ("first", "expected_sleep"),
    [
        (error_response(429, "rate_limit_error", {"retry-after": "7"}), 7.0),
        (error_response(529, "overloaded_error"), None),
        (error_response(500, "api_error"), None),
    ],
)
def test_retries_status_errors(
    claude: Any,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    first: httpx.Response,
    expected_sleep: float | None,
) -> None:
    plan = builder_plan(claude)
    good = event_stream(reply_events(plan.request))
    outcome = verdict_after(httpx2_mock.post(URL), claude, plan, first, good)
    assert outcome.verdict is not None
    if expected_sleep is not None:  # retry-after, plus up to 0.5 s of jitter
        assert (
            len(claude.sleeps) == 1 and expected_sleep <= claude.sleeps[0] <= expected_sleep + 0.5
        )


def test_retries_an_error_event_inside_an_open_stream(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    text = reply_text(plan.request)
    broken = claude_events([text[:25]], finish=False) + [
        ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    ]
    seen = []
    good = event_stream(reply_events(plan.request))
    route = httpx2_mock.post(URL)
    outcome = verdict_after(
        route, claude, plan, event_stream(broken), good, on_partial=lambda f: seen.append(dict(f))
    )
    assert {} in seen  # the half-streamed attempt was thrown away
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)


def test_retries_a_stream_that_ends_without_message_stop(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    cut = event_stream(claude_events(['{"verdict": "ship", "score": 7'], finish=False))
    verdict_after(
        httpx2_mock.post(URL), claude, plan, cut, event_stream(reply_events(plan.request))
    )


def test_gives_up_after_bounded_attempts_naming_the_cell(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    route = httpx2_mock.post(URL).mock(return_value=error_response(529, "overloaded_error"))
    with pytest.raises(
        ProviderError, match=r"cell builder × claude-api-streaming-caching: .*529.*gave up after 4"
    ):
        verdict_of(claude, plan)
    assert route.call_count == 4
    assert len(claude.sleeps) == 3


def test_bad_request_is_not_retried_and_never_echoes_the_key(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    route = httpx2_mock.post(URL).mock(return_value=error_response(401, "authentication_error"))
    with pytest.raises(ProviderError) as caught:
        verdict_of(claude, plan)
    assert route.call_count == 1
    assert "check ANTHROPIC_API_KEY" in str(caught.value) and SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("stop", "message"), [("refusal", "refused"), ("max_tokens", "truncated at max_tokens")]
)
def test_refusal_and_truncation_fail_one_cell_only(
    claude: Any,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
    tmp_path: Path,
    stop: str,
    message: str,
) -> None:
    def reply(plan: CellPlan, call: int) -> httpx.Response:
        if plan.persona.id == "skeptic" and plan.tool.id == "modal-gpu-inference":
            return event_stream(
                claude_events(['{"verdict": "skip", "quote": "I wi'], stop_reason=stop)
            )
        return event_stream(reply_events(plan.request))

    spec = spec_for([personas["builder"], personas["skeptic"]], cards)
    httpx2_mock.post(URL).mock(side_effect=answer_cells(plan_cells(spec, claude), reply))
    record = panel_record(spec, claude, tmp_path)
    failed = [c for c in record.cells if c.status != "ok"]
    assert (
        len(failed) == 1
        and message in (failed[0].error or "")
        and "skeptic × modal-gpu-inference" in (failed[0].error or "")
    )
    assert failed[0].status == ("refused" if stop == "refusal" else "failed")
    assert record.totals.cells_ok == 3
    calls = 1 if stop == "refusal" else 2  # a truncation is retried once with a larger limit
    assert (
        failed[0].usage.output_tokens == 120 * calls and failed[0].cost is not None
    )  # a failed call is still paid for
    assert record.totals.cost_usd == pytest.approx(
        sum(c.cost.usd for c in record.cells if c.cost), abs=1e-6
    )


def test_validation_reask_quotes_the_error(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    bad = json.dumps({**good_reply(plan.request), "score": 14})
    route = httpx2_mock.post(URL).mock(
        side_effect=[
            event_stream(claude_events([bad])),
            event_stream(reply_events(plan.request)),
        ]
    )
    outcome = verdict_of(claude, plan)
    second = sent(route, 1)
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    assert second["messages"][1]["content"] == bad
    assert "score: Input should be less than or equal to 10" in second["messages"][2]["content"]
    assert second["system"] == sent(route)["system"]
    assert outcome.attempts == 2


def test_base_url_is_honoured(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9999")
    provider = ClaudeProvider("claude-sonnet-5-5")
    plan = builder_plan(provider)
    route = httpx2_mock.post("http://127.0.0.1:9999/v1/messages").mock(
        return_value=event_stream(reply_events(plan.request))
    )
    verdict_of(provider, plan)
    assert route.called


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        # a reviewer's pick is None when their verdicts disagree: data, like the verdict
        return {key: _shape(item) for key, item in value.items() if key not in ("verdict", "pick")}
    if isinstance(value, list):  # a list of scalars is a list, empty or not (dissenters)
        first = _shape(value[0]) if value else None
        return [first] if isinstance(first, dict | list) else "list"
    return type(value).__name__ if value is not None else None


def test_cli_run_against_the_messages_api_gives_a_record_shaped_like_offline(
    monkeypatch: pytest.MonkeyPatch,
    panel_spec: PanelSpec,
    httpx2_mock: respx.Router,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from panel.cli import main
    from tests.test_cli import PAIR

    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    plans = plan_cells(panel_spec, ClaudeProvider("claude-sonnet-5-5"))

    def reply(plan: CellPlan, call: int) -> httpx.Response:
        return event_stream(reply_events(plan.request, **cache_use(call, 3100)))

    httpx2_mock.post(URL).mock(side_effect=answer_cells(plans, reply))
    spec_title = "Claude API streaming & caching vs Modal GPU inference"
    assert (
        main(["run", PAIR, "--out", str(tmp_path / "claude"), "--cache-dir", str(tmp_path / "c")])
        == 0
    )
    err = capsys.readouterr().err
    assert err.startswith(
        "model: anthropic:claude-sonnet-5-5 — Claude (claude-sonnet-5-5) (ANTHROPIC_API_KEY is set)"
    )
    assert (
        "input from prompt cache: 86.4%" in err
    )  # 21700 / (8*40 + 3100 + 21700) and "saved $" in err
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    assert offline_run(tmp_path / "offline", tmp_path / "c") == 0
    claude = json.loads((tmp_path / "claude" / "latest" / "record.json").read_text())
    offline = json.loads((tmp_path / "offline" / "latest" / "record.json").read_text())
    assert claude["title"] == offline["title"] == spec_title
    shape_claude, shape_offline = _shape(claude), _shape(offline)
    for volatile in ("totals", "model", "cells"):
        shape_claude.pop(volatile), shape_offline.pop(volatile)
    for shape in (shape_claude, shape_offline):  # a winner or none, depending on the verdicts
        shape["aggregates"]["overall"].pop("winner")
        shape["settings"].pop("grader")  # claude-haiku-4-5 with a key, none offline
    assert (
        claude["settings"]["grader"] == "claude-haiku-4-5" and offline["settings"]["grader"] is None
    )
    assert shape_claude == shape_offline
    assert [c.keys() for c in claude["cells"]] == [c.keys() for c in offline["cells"]]
    assert claude["totals"]["usage"]["cache_read_tokens"] == 7 * 3100
    assert SECRET not in (tmp_path / "claude" / "latest" / "record.json").read_text()
    assert not any(SECRET in p.read_text() for p in (tmp_path / "c").rglob("*.json"))
