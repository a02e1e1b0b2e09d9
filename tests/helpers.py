"""Small builders shared by the tests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from panel.inputs.prompts import PromptSet
from panel.models import ModelInfo, Persona, ToolCard, Usage
from panel.providers.base import Event, Finished, Started, StructuredRequest, TextDelta
from panel.providers.offline import OfflineProvider
from panel.running.runner import PanelSpec

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def spec_for(personas: list[Persona], cards: list[ToolCard], **options: Any) -> PanelSpec:
    return PanelSpec(
        title="Test panel", tools=cards, personas=personas, prompts=PromptSet.from_dir(), **options
    )


def good_reply(request: StructuredRequest) -> dict[str, Any]:
    """A valid verdict for the request's persona (the offline model writes one)."""
    return OfflineProvider().reply(request)


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
