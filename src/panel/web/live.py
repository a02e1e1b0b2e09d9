"""Runs started from the desk: each an asyncio task in the server, its events kept for replay.

A subscriber gets every event from `run_started` on (a late one too), then the new ones as
they come, and the stream ends after the last (`run_finished`, `run_cancelled` or
`run_failed`). The finished run is written with `write_run`, as `panel run` writes it, and so
joins the index.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from anyio import to_thread

from panel.errors import InputError, PanelError, RunError
from panel.providers.pricing import price_for
from panel.providers.registry import ModelChoice, build_provider
from panel.report.output import write_run
from panel.report.run_folders import check_out_dir, default_root, prepare
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.run_events import Event, RunEvents, run_started
from panel.running.runner import PanelSpec, run_panel

LAST_EVENTS = frozenset({"run_finished", "run_cancelled", "run_failed"})
KEEP_FINISHED = 100
KEEPALIVE_SECONDS = 15.0


@dataclass
class LiveRun:
    run_id: str
    events: list[Event] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    @property
    def done(self) -> bool:
        return bool(self.events) and self.events[-1]["event"] in LAST_EVENTS

    def push(self, event: Event) -> None:
        self.events.append(event)
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()  # wakes every subscriber waiting on the old one


class LiveRuns:
    def __init__(
        self,
        runs_dir: Path,
        *,
        offline_delay: float = 0.02,
        at_once: int = 4,
        max_cost: float | None = None,
    ) -> None:
        self.runs_dir = runs_dir
        self.max_cost = max_cost  # each run's spending limit (`panel serve --max-cost`)
        self.cache_dir = runs_dir / ".panel-cache"
        self.offline_delay = offline_delay
        self.at_once = at_once
        self.runs: OrderedDict[str, LiveRun] = OrderedDict()

    def running(self) -> int:
        return sum(1 for live in self.runs.values() if not live.done)

    def start(self, spec: PanelSpec, choice: ModelChoice) -> str:
        """Check the run group is writable (a one-line InputError if not), start the run."""
        if self.running() >= self.at_once:
            raise RunError(f"{self.at_once} runs are going already; wait for one to finish")
        unpriced = price_for(choice.provider, choice.model) is None
        if self.max_cost is not None and unpriced and choice.provider != "offline":
            raise InputError(  # the offline model costs nothing; any other must have a price
                f"model: no known price for {choice.provider}:{choice.model}, so this "
                f"server's --max-cost of ${self.max_cost:.2f} could not be kept"
            )
        out_root = self.runs_dir / default_root(tool.id for tool in spec.tools).name
        check_out_dir(out_root, cache_dir=self.cache_dir)
        prepare(out_root, cells=len(spec.tools) * len(spec.personas), cache_dir=self.cache_dir)
        live = LiveRun(uuid.uuid4().hex[:12])
        self.runs[live.run_id] = live
        live.task = asyncio.create_task(self._run(live, spec, choice, out_root))
        self._forget_old()
        return live.run_id

    def cancel(self, run_id: str) -> bool:
        live = self.runs.get(run_id)
        if live is None or live.done or live.task is None:
            return False
        live.task.cancel()
        return True

    async def close(self) -> None:
        tasks = [live.task for live in self.runs.values() if live.task and not live.done]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, live: LiveRun, spec: PanelSpec, choice: ModelChoice, root: Path) -> None:
        events = RunEvents(run_started(spec, choice), live.push)
        events.begin()
        provider = build_provider(choice, offline_delay=self.offline_delay)
        store = ResponseStore(self.cache_dir)
        try:
            try:
                record = await run_panel(
                    spec, provider, store, self._options(choice), on_update=events.update
                )
            finally:
                await provider.aclose()
            record = record.model_copy(update={"run_id": live.run_id})  # the id given at start
            folder = await to_thread.run_sync(write_run, root, record)
        except asyncio.CancelledError:
            events.emit("run_cancelled", run_id=live.run_id)
            return
        except PanelError as exc:
            events.emit("run_failed", run_id=live.run_id, error=str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a subscriber still hears how its run ended
            events.emit("run_failed", run_id=live.run_id, error=f"{type(exc).__name__}")
            return
        events.finished(record, str(folder.relative_to(self.runs_dir)))

    def _options(self, choice: ModelChoice) -> RunOptions:
        priced = price_for(choice.provider, choice.model) is not None
        return RunOptions(max_cost=self.max_cost if priced else None)

    def _forget_old(self) -> None:
        finished = [run_id for run_id, live in self.runs.items() if live.done]
        for run_id in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self.runs[run_id]


async def event_stream(live: LiveRun) -> AsyncIterator[str]:
    """Server-sent events: every event so far, then each new one; ends after the last."""
    sent = 0
    while True:
        waiter = live.changed  # taken before reading: a push after this wakes it
        while sent < len(live.events):
            data = json.dumps(live.events[sent], ensure_ascii=False, default=str)
            yield f"id: {sent}\ndata: {data}\n\n"
            sent += 1
        if live.done:
            return
        try:
            await asyncio.wait_for(waiter.wait(), KEEPALIVE_SECONDS)
        except TimeoutError:
            yield ": keepalive\n\n"
