"""Cells through a provider's batch API, behind the same streaming protocol.

`BatchingProvider` wraps a provider and implements `Provider` itself, so the
orchestrator, validation, re-asks and the response cache work unchanged: each
`stream(request)` call joins a queue; once no new request has arrived for a
short window, the queue goes out as one batch (a re-ask after validation joins
the next one, so a panel's re-asks form one follow-up batch). When the batch
ends, every waiting call replays its result as one `Started`, one `TextDelta`
and a `Finished` with the usage the provider reported.

Never twice: the batch id and its requests' ids are written to the ledger the
moment the provider returns them. A request whose id a stored batch already
holds is attached to that batch instead of being sent again, which is how an
interrupted run picks its batch up on the next `panel run` with the same inputs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from panel.errors import ProviderError
from panel.models import BatchEntry, ModelInfo, Usage
from panel.providers.base import (
    Event,
    Finished,
    Provider,
    Started,
    StopReason,
    StructuredRequest,
    TextDelta,
)
from panel.providers.batch_ledger import BatchLedger
from panel.providers.retry import backoff

Outcome = Literal["succeeded", "errored", "expired", "canceled"]
T = TypeVar("T")
API_ATTEMPTS = 5


@dataclass(frozen=True)
class BatchItem:
    """One request's result, as the batch API reported it."""

    custom_id: str
    outcome: Outcome
    text: str = ""
    usage: Usage = field(default_factory=Usage)
    stop_reason: StopReason = "other"
    error: str = ""


@dataclass(frozen=True)
class BatchState:
    batch_id: str
    status: str  # the provider's own word: in_progress, ended, completed, expired, ...
    ended: bool
    total: int
    done: int
    failed: int = 0


class BatchAPI(Protocol):
    """What a provider's batch API offers: submit, look, read, cancel."""

    def params(self, request: StructuredRequest) -> dict[str, object]:
        """The request body a streaming call would send, without streaming."""
        ...

    async def submit(self, bodies: dict[str, dict[str, object]]) -> str: ...

    async def state(self, batch_id: str) -> BatchState: ...

    async def results(self, batch_id: str) -> list[BatchItem]: ...

    async def cancel(self, batch_id: str) -> BatchState: ...


Progress = Callable[[BatchState, float], None]


def request_id(api: BatchAPI, request: StructuredRequest, occurrence: int) -> str:
    """A stable id for a request: the same inputs give the same id on the next run.

    Both APIs take ids of at most 64 characters from [A-Za-z0-9_-].
    """
    body = json.dumps(api.params(request), sort_keys=True, ensure_ascii=True)
    digest = hashlib.sha256(f"{body}\n{occurrence}".encode()).hexdigest()
    return f"cell-{digest[:48]}"


@dataclass
class _Waiting:
    request: StructuredRequest
    custom_id: str
    future: asyncio.Future[BatchItem]


class BatchingProvider:
    """A provider whose calls are pooled into batches; `live` streams re-asks when set."""

    def __init__(
        self,
        inner: Provider,
        api: BatchAPI,
        ledger: BatchLedger,
        *,
        window: float = 0.3,
        poll_every: float = 30.0,
        on_progress: Progress | None = None,
        on_note: Callable[[str], None] | None = None,
        live: Provider | None = None,
        endpoint: str = "",
        retry_base: float = 1.0,
    ) -> None:
        self._inner, self._api, self._ledger, self._live = inner, api, ledger, live
        self.retry_base = retry_base
        self.endpoint = endpoint  # the API's base URL without credentials ("" = the default)
        self.window, self.poll_every = window, poll_every
        self._on_progress = on_progress or (lambda state, elapsed: None)
        self._on_note = on_note or (lambda text: None)
        self._queue: list[_Waiting] = []
        self._seen: dict[str, int] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._last_arrival = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches: list[str] = []  # every batch this run submitted or attached to

    @property
    def info(self) -> ModelInfo:
        return self._inner.info.model_copy(update={"batch": True})

    def notes(self, shared_prefix: str) -> list[str]:
        return self._inner.notes(shared_prefix)

    async def aclose(self) -> None:
        for task in [*self._tasks, *([self._flusher] if self._flusher else [])]:
            task.cancel()
        await self._inner.aclose()
        if self._live is not None and self._live is not self._inner:
            await self._live.aclose()

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        if request.history and self._live is not None:
            async for event in self._live.stream(request):
                yield event
            return
        item = await self._enqueue(request)
        if item.outcome != "succeeded":
            raise ProviderError(
                f"cell {request.cell}: batch request {item.outcome}: {item.error or 'no detail'} "
                "(run the same command again to send it again)",
                retryable=False,
            )
        yield Started()
        if item.text:
            yield TextDelta(item.text)
        yield Finished(usage=item.usage, stop_reason=item.stop_reason, detail="batch")

    def _enqueue(self, request: StructuredRequest) -> asyncio.Future[BatchItem]:
        base = request_id(self._api, request, 0)
        occurrence = self._seen.get(base, 0)
        self._seen[base] = occurrence + 1
        custom_id = base if occurrence == 0 else request_id(self._api, request, occurrence)
        future: asyncio.Future[BatchItem] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(request, custom_id, future))
        self._last_arrival = time.monotonic()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_when_quiet())
        return future

    async def _flush_when_quiet(self) -> None:
        while (quiet := time.monotonic() - self._last_arrival) < self.window:
            await asyncio.sleep(self.window - quiet)
        waiting, self._queue = self._queue, []
        task = asyncio.create_task(self._run(waiting))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, waiting: list[_Waiting]) -> None:
        try:
            for stored, group in self._plan(waiting):
                entry = stored or await self._submit(group)
                self.batches.append(entry.batch_id)
                await self._collect(entry, group)
        except BaseException as error:  # every waiting call learns why, not just the first
            failure = error if isinstance(error, ProviderError) else None
            for item in waiting:
                if not item.future.done():
                    if failure is not None:
                        item.future.set_exception(failure)
                    else:
                        item.future.cancel()
            if not isinstance(error, Exception):
                raise

    def _plan(self, waiting: list[_Waiting]) -> list[tuple[BatchEntry | None, list[_Waiting]]]:
        """Attach what stored batches already hold; the rest (entry None) is sent once."""
        groups: dict[str, tuple[BatchEntry | None, list[_Waiting]]] = {}
        fresh: list[_Waiting] = []
        for item in waiting:
            entry = self._ledger.holding(self.info.provider, self.endpoint, item.custom_id)
            if entry is None:
                fresh.append(item)
            else:
                groups.setdefault(entry.batch_id, (entry, []))[1].append(item)
        for batch_id, (_, group) in groups.items():
            self._on_note(f"batch {batch_id}: picked up, {len(group)} requests already sent")
        # One model per batch (OpenAI's batch API asks it): a grader's requests go apart.
        by_model: dict[str | None, list[_Waiting]] = {}
        for item in fresh:
            by_model.setdefault(item.request.model, []).append(item)
        return [*groups.values(), *((None, group) for group in by_model.values())]

    async def _collect(self, entry: BatchEntry, group: list[_Waiting]) -> None:
        started = time.monotonic()
        delay = min(self.poll_every, 1.0)
        while True:
            state = await self._call(lambda: self._api.state(entry.batch_id))
            self._on_progress(state, time.monotonic() - started)
            if state.ended:
                break
            await asyncio.sleep(delay)
            delay = min(self.poll_every, delay * 2)
        read = await self._call(lambda: self._api.results(entry.batch_id))
        results = {item.custom_id: item for item in read}
        missing: Outcome = "expired" if "expired" in state.status else "errored"
        self._ledger.mark_collected(
            entry, [i for i, found in results.items() if found.outcome == "succeeded"]
        )
        for item in group:
            found = results.get(item.custom_id) or BatchItem(
                item.custom_id, missing, error=f"no result (batch {state.status})"
            )
            if not item.future.done():
                item.future.set_result(found)

    async def _call(self, step: Callable[[], Awaitable[T]], *, answered_only: bool = False) -> T:
        """One batch API call, retried on transient errors like any streamed call."""
        for attempt in range(1, API_ATTEMPTS + 1):
            try:
                return await step()
            except ProviderError as error:
                transient = error.retryable and (error.status is not None or not answered_only)
                if not transient or attempt == API_ATTEMPTS:
                    raise
                await asyncio.sleep(backoff(attempt, error.retry_after, base=self.retry_base))
        raise AssertionError("unreachable")

    async def _submit(self, group: list[_Waiting]) -> BatchEntry:
        bodies = {item.custom_id: self._api.params(item.request) for item in group}
        # A submit is retried only when the server answered: after a lost connection the batch
        # may exist, and sending it again would pay for it twice.
        batch_id = await self._call(lambda: self._api.submit(bodies), answered_only=True)
        cells = {item.custom_id: item.request.cell for item in group}
        try:
            entry = self._ledger.record(self.info, self.endpoint, batch_id, cells)
        except OSError as error:
            self._on_note(
                f"batch {batch_id}: could not be written to the ledger ({error.strerror}); "
                "if this run is interrupted, collect it by hand or it will be sent again"
            )
            entry = BatchEntry(
                batch_id=batch_id,
                provider=self.info.provider,
                model=self.info.model,
                endpoint=self.endpoint,
                submitted_at="",
                requests=cells,
            )
        self._on_note(
            f"batch {batch_id}: {len(group)} requests sent; if this run is interrupted, run the "
            "same command again to collect them (panel batches lists pending batches)"
        )
        return entry


def unreadable_item(custom_id: object, error: Exception) -> BatchItem:
    """A batch result panel cannot read (not JSON, the wrong shape): its request fails, and is
    sent again, instead of every result of the paid batch being lost to one line."""
    kind = type(error).__name__
    return BatchItem(str(custom_id), "errored", error=f"the batch's result is malformed ({kind})")
