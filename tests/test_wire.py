"""What goes on the wire, model by model: effort, temperature, compat subset, errors, usage."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from panel.errors import ProviderError
from panel.inputs.prompts import PromptSet
from panel.models import Persona, ToolCard, Usage
from panel.providers.claude import ClaudeProvider
from panel.providers.openai_chat import OpenAIProvider
from panel.providers.traits import (
    claude_takes_effort,
    known_local_server,
    openai_reasons,
    openai_takes_prompt_cache_options,
)
from panel.running.orchestrator import CellPlan
from panel.running.runner import PanelSpec, plan_cells
from panel.running.structured import stream_verdict
from tests.helpers import (
    PlanFor,
    answer_cells,
    chunks,
    event_stream,
    instant_retries,
    offline_run,
    panel_record,
    plan_for,
    reply_chunks,
    reply_text,
    run,
    sent,
    spec_for,
    verdict_after,
    verdict_of,
)
from tests.sse import claude_events, openai_chunks

CLAUDE_URL = "https://api.anthropic.com/v1/messages"
OPENAI_URL = "https://api.openai.com/v1/chat/completions"


# ------------------------------------------------------------------ which model takes what


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-sonnet-5-5", True),
        ("claude-opus-4-6", True),
        ("claude-opus-4-5-20251101", True),
        ("claude-sonnet-4-5-20250929", False),
        ("claude-haiku-4-5", False),
        ("claude-3-5-sonnet-20240620", False),
        ("anthropic/claude-opus-5", True),
    ],
)
def test_effort_goes_to_the_claude_models_that_take_it(model: str, expected: bool) -> None:
    assert claude_takes_effort(model) is expected


@pytest.mark.parametrize(
    ("model", "reasons", "cache_options"),
    [
        ("gpt-5-mini", True, False),
        ("gpt-5.6", True, True),
        ("gpt-6-nano", True, True),
        ("o4-mini", True, False),
        ("gpt-4o-2024-08-06", False, False),
        ("gpt-5-chat-latest", False, False),
        ("openai/gpt-5.7-mini", True, True),
        ("llama3.1", False, False),
    ],
)
def test_openai_model_traits(model: str, reasons: bool, cache_options: bool) -> None:
    assert openai_reasons(model) is reasons
    assert openai_takes_prompt_cache_options(model) is cache_options


def test_only_well_known_local_servers_are_compatible_by_themselves() -> None:
    assert known_local_server("http://localhost:11434/v1") == "Ollama"
    assert known_local_server("http://127.0.0.1:8000/v1") == "vLLM"
    assert known_local_server("https://gateway.example.com/v1") is None
    assert known_local_server("http://localhost:4000/v1") is None
    assert known_local_server(None) is None


# ------------------------------------------------------------------ Claude


def test_claude_gets_low_effort_and_never_temperature(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-000000")
    plan = builder_plan(ClaudeProvider("claude-sonnet-5-5"))
    warm = replace(plan.request, temperature=0.7)  # as an old record would carry
    route = httpx2_mock.post(CLAUDE_URL).mock(
        side_effect=lambda request: event_stream(claude_events(reply_chunks(plan.request)))
    )
    for model in ("claude-sonnet-5-5", "claude-sonnet-4-5"):
        provider = instant_retries(ClaudeProvider(model))
        run(stream_verdict(provider, warm, plan.model, PromptSet.from_dir()))
    new, old = (json.loads(call.request.content) for call in route.calls)
    assert new["output_config"]["effort"] == "low" and "effort" not in old["output_config"]
    assert "temperature" not in new and "temperature" not in old
    assert new["max_tokens"] == plan.request.max_tokens > 2000  # sized from the schema


def test_an_error_event_mid_stream_is_retried_and_the_lost_attempt_is_billed(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    text = reply_text(plan.request)
    broken = claude_events([text[:30]], input_tokens=500, cache_write=3000, finish=False) + [
        ("error", {"type": "error", "error": {"type": "api_error", "message": "Internal"}})
    ]
    good = claude_events(chunks(text, 40), input_tokens=500, cache_read=3000, output_tokens=300)
    route = httpx2_mock.post(CLAUDE_URL)
    outcome = verdict_after(route, claude, plan, event_stream(broken), event_stream(good))
    assert outcome.usage == Usage(
        input_tokens=1000, output_tokens=301, cache_write_tokens=3000, cache_read_tokens=3000
    )


def test_a_rate_limit_sent_mid_stream_gets_a_rate_limits_patience(
    claude: Any, gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    """Six rate-limit events in a row, then the reply: more than an overload's four attempts,
    within a 429's ten."""
    plan = builder_plan(claude)
    text = reply_text(plan.request)
    limited = claude_events(["{"], finish=False) + [
        ("error", {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}})
    ]
    good = claude_events(chunks(text, 40), input_tokens=500, output_tokens=300)
    answers = [event_stream(limited) for _ in range(6)] + [event_stream(good)]
    outcome = verdict_after(httpx2_mock.post(CLAUDE_URL), claude, plan, *answers)
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    # An OpenAI-style server's rate-limit chunk, the same.
    plan = builder_plan(gpt)
    text = reply_text(plan.request)
    chunk = {"error": {"message": "Rate limit reached", "type": "rate_limit_exceeded"}}
    limited_chunks = openai_chunks(["{"], finish_reason=None, done=False) + [(None, chunk)]
    answers = [event_stream(limited_chunks) for _ in range(6)]
    answers.append(event_stream(openai_chunks(chunks(text, 40))))
    outcome = verdict_after(httpx2_mock.post(OPENAI_URL), gpt, plan, *answers)
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)


def test_an_invalid_request_error_event_is_not_retried(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    broken = claude_events(["{"], finish=False) + [
        ("error", {"type": "error", "error": {"type": "invalid_request_error", "message": "no"}})
    ]
    route = httpx2_mock.post(CLAUDE_URL).mock(
        side_effect=[event_stream(broken), event_stream(broken)]
    )
    with pytest.raises(ProviderError, match="invalid_request_error") as failure:
        verdict_of(claude, plan)
    assert route.call_count == 1
    assert failure.value.usage is not None and failure.value.usage.input_tokens == 40


def test_repeated_cache_counts_in_message_delta_are_counted_once(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    events = claude_events(reply_chunks(plan.request), input_tokens=12, cache_read=2000)
    for name, data in events:
        if name == "message_delta":  # 2026-era streams repeat the input side here
            data["usage"].update(input_tokens=12, cache_read_input_tokens=2000)
    httpx2_mock.post(CLAUDE_URL).mock(return_value=event_stream(events))
    assert verdict_of(claude, plan).usage == Usage(
        input_tokens=12, output_tokens=120, cache_read_tokens=2000
    )


def test_a_gateway_that_answers_a_stream_with_a_whole_message_still_gives_theverdict_of(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    text = reply_text(plan.request)
    message = {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-5-5",
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 30, "output_tokens": 400, "cache_read_input_tokens": 2000},
    }  # fmt: skip
    route = httpx2_mock.post(CLAUDE_URL).mock(return_value=httpx.Response(200, json=message))
    outcome = verdict_of(claude, plan)
    assert route.call_count == 1 and outcome.verdict.model_dump(mode="json") == json.loads(text)
    assert outcome.usage == Usage(input_tokens=30, output_tokens=400, cache_read_tokens=2000)


# ------------------------------------------------------------------ OpenAI


def _openai(monkeypatch: pytest.MonkeyPatch, model: str, **kwargs: Any) -> Any:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-test-key-000000")
    return instant_retries(OpenAIProvider(model, **kwargs))


@pytest.mark.parametrize(
    ("model", "base_url", "compat", "full"),
    [
        ("gpt-5-mini", "https://gateway.example.com/v1", False, True),  # a gateway: still OpenAI
        ("gpt-5-mini", "https://gateway.example.com/v1", True, False),  # --compat
        ("llama3.1", "http://localhost:11434/v1", False, False),  # Ollama, known by its port
    ],
)
def test_a_base_url_alone_does_not_make_a_server_compatible(
    monkeypatch: pytest.MonkeyPatch,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    model: str,
    base_url: str,
    compat: bool,
    full: bool,
) -> None:
    provider = _openai(monkeypatch, model, base_url=base_url, compat=compat)
    plan = builder_plan(provider)
    events = openai_chunks(reply_chunks(plan.request))
    route = httpx2_mock.post(f"{base_url}/chat/completions").mock(return_value=event_stream(events))
    verdict_of(provider, plan)
    body = sent(route)
    if full:
        assert body["max_completion_tokens"] == plan.request.max_tokens
        assert body["prompt_cache_key"] == plan.request.panel_key
        assert body["reasoning_effort"] == "low" and "max_tokens" not in body
    else:
        assert body["max_tokens"] == plan.request.max_tokens
        assert not {"max_completion_tokens", "prompt_cache_key", "reasoning_effort"} & set(body)


def test_temperature_only_where_the_model_takes_it(
    monkeypatch: pytest.MonkeyPatch, personas: dict[str, Persona], cards: list[ToolCard]
) -> None:
    plan = plan_for(personas, cards, _openai(monkeypatch, "gpt-4o"))
    warm = replace(plan.request, temperature=0.5)
    assert OpenAIProvider("gpt-4o").request_params(warm)["temperature"] == 0.5
    assert "temperature" not in OpenAIProvider("gpt-5-mini").request_params(warm)
    assert "temperature" not in OpenAIProvider("o3").request_params(warm)


def test_a_refused_field_is_named_with_the_flag_that_leaves_it_out(
    monkeypatch: pytest.MonkeyPatch, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    base_url = "https://llm.internal.example/v1"
    provider = _openai(monkeypatch, "gpt-5-mini", base_url=base_url)
    plan = builder_plan(provider)
    refusal = httpx.Response(
        400,
        json={
            "error": {
                "message": "Unrecognized request argument supplied: prompt_cache_key",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        },
    )
    route = httpx2_mock.post(f"{base_url}/chat/completions").mock(side_effect=[refusal, refusal])
    with pytest.raises(ProviderError) as failure:
        verdict_of(provider, plan)
    message = str(failure.value)
    assert route.call_count == 1 and "\n" not in message
    assert "'prompt_cache_key'" in message and "--compat" in message


def test_an_error_chunk_is_retried_like_an_overload(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(gpt)
    text = reply_text(plan.request)
    broken = openai_chunks([text[:20]], finish_reason=None, done=False) + [
        (None, {"error": {"message": "The server is overloaded", "type": "server_error"}})
    ]
    good = event_stream(openai_chunks(chunks(text, 40)))
    outcome = verdict_after(httpx2_mock.post(OPENAI_URL), gpt, plan, event_stream(broken), good)
    assert outcome.verdict is not None


def test_a_500_that_says_do_not_retry_is_not_retried(
    gpt: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(gpt)
    error = httpx.Response(
        500, headers={"x-should-retry": "false"}, json={"error": {"message": "broken"}}
    )
    route = httpx2_mock.post(OPENAI_URL).mock(side_effect=[error, error])
    with pytest.raises(ProviderError, match="500"):
        verdict_of(gpt, plan)
    assert route.call_count == 1


# ------------------------------------------------------------------ records and pages


def test_unknown_usage_is_said_in_the_record_and_the_pages_never_shown_as_zero_cost(
    monkeypatch: pytest.MonkeyPatch,
    personas: dict[str, Persona],
    cards: list[ToolCard],
    httpx2_mock: respx.Router,
    tmp_path: Path,
) -> None:
    from panel.cli.display import totals_lines
    from panel.report.output import write_run

    base_url = "http://localhost:11434/v1"
    provider = _openai(monkeypatch, "gpt-5-mini", base_url=base_url)  # priced, yet no usage
    spec = spec_for([personas["builder"]], cards)

    def reply(plan: CellPlan, call: int) -> httpx.Response:
        events = [e for e in openai_chunks(reply_chunks(plan.request)) if "usage" not in e[1]]
        return event_stream(events)

    answer = answer_cells(plan_cells(spec, provider), reply, turn=1)
    httpx2_mock.post(f"{base_url}/chat/completions").mock(side_effect=answer)
    record = panel_record(spec, provider, tmp_path / "c")
    assert record.complete and all(not cell.usage.reported for cell in record.cells)
    assert all(cell.cost is None for cell in record.cells) and record.totals.cost_usd is None
    written = write_run(tmp_path / "out", record)
    for text in [*totals_lines(record), (written / "panel.md").read_text()]:
        assert "$0.0000" not in text
    assert "usage" in " ".join(totals_lines(record)) and "unknown" in " ".join(totals_lines(record))
    for page in ("panel.md", "panel.html"):
        assert "the server reported no usage" in (written / page).read_text()


def test_rerun_of_an_old_record_does_not_bring_temperature_back(
    monkeypatch: pytest.MonkeyPatch,
    panel_spec: PanelSpec,
    httpx2_mock: respx.Router,
    tmp_path: Path,
) -> None:
    from panel.cli import main

    assert offline_run(tmp_path / "a", tmp_path / "c") == 0
    record_path = tmp_path / "a" / "latest" / "record.json"
    record = json.loads(record_path.read_text())
    record["settings"]["temperature"] = 0.7  # as records written before 2026-10 carry
    record_path.write_text(json.dumps(record))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-000000")
    plans = plan_cells(panel_spec, ClaudeProvider("claude-sonnet-5-5"))
    answer = answer_cells(
        plans, lambda plan, call: event_stream(claude_events(reply_chunks(plan.request, 7)))
    )
    route = httpx2_mock.post(CLAUDE_URL).mock(side_effect=answer)
    args = ["rerun", str(record_path), "--model", "anthropic:claude-sonnet-5-5"]
    assert main([*args, "--out", str(tmp_path / "b"), "--cache-dir", str(tmp_path / "c")]) == 0
    assert route.called
    assert all("temperature" not in json.loads(call.request.content) for call in route.calls)


# ------------------------------------------------------------------ start-up


def test_the_cli_and_its_parser_load_no_sdk_and_no_rich() -> None:
    """`panel --help` and a run's first line must not wait for an SDK, rich or jinja2."""
    code = (
        "import sys, panel.cli; panel.cli.entry._parser(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'anthropic', 'openai', 'rich', 'jinja2', 'httpx2'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_building_a_provider_does_not_load_its_sdk_until_the_first_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = (
        "import sys; from panel.providers.registry import build_provider, choose_model; "
        "[build_provider(choose_model(m)) for m in ('anthropic:claude-sonnet-5-5', 'gpt-5')]; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'anthropic', 'openai'}))"
    )
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-000000")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-test-key-000000")
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
