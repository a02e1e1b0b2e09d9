"""Small builders shared by the tests."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import respx

from panel.inputs.prompts import PromptSet
from panel.models import ModelInfo, Persona, Record, ToolCard, Usage
from panel.providers.base import Event, Finished, Provider, Started, StructuredRequest, TextDelta
from panel.providers.offline import OfflineProvider
from panel.running.orchestrator import CellPlan, RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import PanelSpec, plan_cells, run_panel
from panel.running.structured import Outcome, stream_verdict
from tests.sse import BrokenStream, sse

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def spec_for(personas: list[Persona], cards: list[ToolCard], **options: Any) -> PanelSpec:
    return PanelSpec(
        title="Test panel", tools=cards, personas=personas, prompts=PromptSet.from_dir(), **options
    )


def panel_record(spec: PanelSpec, provider: Provider, cache: Path, **options: Any) -> Record:
    """The record of a whole panel run through `provider`, its responses cached in `cache`."""
    return run(run_panel(spec, provider, ResponseStore(cache), RunOptions(**options)))


def good_reply(request: StructuredRequest) -> dict[str, Any]:
    """A valid verdict for the request's persona (the offline model writes one)."""
    return OfflineProvider().reply(request)


def reply_text(request: StructuredRequest) -> str:
    """A valid verdict for the request, as the JSON text a model streams."""
    return json.dumps(good_reply(request))


def run_command(out: Path, cache: Path) -> list[str]:
    """`panel run` of the example pair into `out`, caching in `cache` (options follow)."""
    from tests.conftest import EXAMPLES

    pair = str(EXAMPLES / "claude-api-vs-modal.toml")
    return ["run", pair, "--out", str(out), "--cache-dir", str(cache)]


def panel_process(out: Path, cache: Path, *options: str) -> list[str]:
    """`run_command` as a separate process: the command line of a Python running panel."""
    return [sys.executable, "-m", "panel", *run_command(out, cache), *options]


def offline_run(out: Path, cache: Path, *options: str) -> int:
    """`panel run` of the example pair with the offline model at full speed: its exit code."""
    from panel.cli import main

    offline = ["--model", "offline", "--offline-delay", "0"]
    return main([*run_command(out, cache), *offline, *options])


# Two example cards and a quick offline panel of two personas, for the hostile-input tests,
# run in the working folder (their `tmp_path` fixture moves there).
HOSTILE_CARDS = ["claw-code.toml", "modal-gpu-inference.toml"]
QUICK_RUN = ["--offline-delay", "0", "--personas", "builder,skeptic", "--cache-dir", "cache"]


def hostile_cards() -> list[str]:
    from tests.conftest import EXAMPLES

    return [str(EXAMPLES / name) for name in HOSTILE_CARDS]


def latest_offline_run(out: str = "runs") -> Path:
    """The run folder of one quick offline run of the two cards into `out`."""
    from panel.cli import main

    assert main(["run", *hostile_cards(), *QUICK_RUN, "--out", out, "--quiet"]) == 0
    return (Path(out) / "latest").resolve()


def fails_in_one_line(capsys: Any, args: list[str], *wanted: str) -> str:
    """`panel ARGS` refused as bad input: exit 2 and one line holding each of `wanted`."""
    from panel.cli import main

    capsys.readouterr()  # what came before
    code = main(args)
    err: str = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for part in wanted:
        assert part in err, err
    return err


def reply_chunks(request: StructuredRequest, size: int = 40) -> list[str]:
    """A valid verdict for the request, as a model streams it: in pieces of `size` characters."""
    return chunks(reply_text(request), size)


# The builder's verdict fields in the order a streamed reply fills them in.
VERDICT_FIELDS = [
    "beats",
    "competitors",
    "versus",
    "verdict",
    "score",
    "confidence",
    "headline",
    "quote",
]


def growing(fields: list[str]) -> list[list[str]]:
    """The fields partial verdicts show as a reply streams in: one more each time."""
    return [fields[:n] for n in range(1, len(fields) + 1)]


def plan_for(
    personas: dict[str, Persona], cards: list[ToolCard], provider: Provider, who: str = "builder"
) -> CellPlan:
    """The first cell of a panel of one persona (the builder unless named) on the two cards."""
    return plan_cells(spec_for([personas[who]], cards), provider)[0]


def verdict_of(provider: Provider, plan: CellPlan, **options: Any) -> Outcome:
    """The cell's verdict, streamed from `provider` with the shipped prompts."""
    return run(stream_verdict(provider, plan.request, plan.model, PromptSet.from_dir(), **options))


def verdict_in_order(provider: Provider, plan: CellPlan) -> Outcome:
    """The cell's verdict; on the way, each partial verdict named one more of the builder's
    fields, in the order they stream."""
    seen: list[list[str]] = []
    outcome = verdict_of(provider, plan, on_partial=lambda fields: seen.append(list(fields)))
    assert seen == growing(VERDICT_FIELDS)
    return outcome


def verdict_after(
    route: respx.Route, provider: Provider, plan: CellPlan, *answers: Any, **options: Any
) -> Outcome:
    """The cell's verdict when `route` gives `answers` in turn (failures, then a reply); every one
    of them is asked for, and nothing more."""
    route.mock(side_effect=list(answers))
    outcome = verdict_of(provider, plan, **options)
    assert route.call_count == len(answers)
    return outcome


def event_stream(
    events: list[tuple[str | None, Any]], status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    """A server-sent-events response carrying `events`."""
    return httpx.Response(
        status,
        headers={"content-type": "text/event-stream", **(headers or {})},
        content=sse(events),
    )


def answer_cells(
    plans: list[CellPlan], reply: Callable[[CellPlan, int], httpx.Response], turn: int = 0
) -> Callable[[httpx.Request], httpx.Response]:
    """A route's side effect for a panel: `reply(plan, n)` for the cell whose prompt a request
    carries as message `turn` (Claude's first; OpenAI's second, after the system message), `n`
    counting the requests from 1."""
    by_prompt = {plan.request.prompt: plan for plan in plans}
    count = itertools.count(1)

    def respond(request: httpx.Request) -> httpx.Response:
        prompt = json.loads(request.content)["messages"][turn]["content"]
        return reply(by_prompt[prompt], next(count))

    return respond


def cache_use(call: int, tokens: int) -> dict[str, int]:
    """What a warm panel's call `call` (from 1) does with a `tokens` prefix: the first writes it to
    the cache, the later ones read it (`claude_events` and `openai`-style keyword names)."""
    return {"cache_write": tokens} if call == 1 else {"cache_read": tokens}


def broken_stream(
    body: bytes, error: Exception, headers: dict[str, str] | None = None
) -> httpx.Response:
    """An event stream whose connection fails with `error` once `body` has been read."""
    headers = {"content-type": "text/event-stream", **(headers or {})}
    return httpx.Response(200, headers=headers, stream=BrokenStream(body, error))


def sent(route: respx.Route, call: int = 0) -> dict[str, Any]:
    """The JSON body of the request a route received (the first unless told)."""
    return dict(json.loads(route.calls[call].request.content))


class ScriptedProvider:
    """A provider whose reply to each cell is chosen by a function: text chunks, or an exception."""

    info = ModelInfo(
        provider="scripted", model="scripted", label="scripted test model", is_language_model=False
    )

    def __init__(
        self,
        script: Callable[[StructuredRequest, int], list[str] | BaseException],
        usage: Usage | None = None,
        delay: float = 0.0,
    ) -> None:
        self.script = script
        self.usage = usage or Usage(input_tokens=10, output_tokens=20)
        self.delay = delay
        self.calls: list[StructuredRequest] = []
        self.events: list[tuple[str, str]] = []

    def notes(self, shared_prefix: str) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        self.calls.append(request)
        self.events.append(("call", request.cell))
        outcome = self.script(request, len(self.calls))
        if isinstance(outcome, BaseException):
            raise outcome
        await asyncio.sleep(self.delay)
        self.events.append(("started", request.cell))
        yield Started()
        for chunk in outcome:
            await asyncio.sleep(0)
            yield TextDelta(chunk)
        self.events.append(("finished", request.cell))
        yield Finished(usage=self.usage, stop_reason="end")


def instant_retries(inner: Any) -> Any:
    """A RetryingProvider whose waits pass at once on a fake clock; `.sleeps` lists them."""
    from panel.providers.retry import RetryingProvider

    sleeps: list[float] = []
    now = [0.0]

    async def no_sleep(seconds: float) -> None:  # time passes, instantly
        sleeps.append(seconds)
        now[0] += seconds

    provider = RetryingProvider(inner, sleep=no_sleep)
    provider.clock = lambda: now[0]
    provider.sleeps = sleeps  # type: ignore[attr-defined]
    return provider


def chunks(text: str, size: int = 7) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def tree(folder: Path) -> dict[str, str]:
    """Every file and symlink under `folder`, hidden ones included: contents and link targets."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[name] = path.read_text(encoding="utf-8", errors="replace")
    return found


PlanFor = Callable[[Provider], CellPlan]  # the `builder_plan` fixture


class FakeTime:
    """A clock and a sleep for a wrapper: each sleep passes its time at once, and is listed."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


EMULATED_MODELS = {"anthropic": "claude-sonnet-5-5", "openai": "gpt-5-mini"}


def emulated(api: str, url: str) -> Provider:
    """The API's provider, bare (no retry or pacing around it), pointed at the emulator at `url`."""
    from panel.providers.claude import ClaudeProvider
    from panel.providers.openai_chat import OpenAIProvider

    if api == "anthropic":
        return ClaudeProvider(EMULATED_MODELS[api], base_url=url, api_key="emulated-key")
    return OpenAIProvider(EMULATED_MODELS[api], base_url=f"{url}/v1", api_key="emulated-key")
