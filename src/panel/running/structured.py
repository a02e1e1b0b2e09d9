"""From a provider's text stream to a validated verdict, shared by every provider.

Partial objects are produced incrementally (see `panel.running.partial`), a retry's
`Restarted` throws the partial state away so nothing half-streamed is ever
taken as a verdict, and a reply that does not validate gets exactly one
re-ask quoting the problem before the cell fails. A reply that validates but
whose words clearly contradict its verdict (`panel.running.checks`) gets the
same one re-ask; if the second reply still does, it is kept with a flag for
the editor rather than thrown away. With a grader, the grader's reading decides that re-ask:
a contradiction the rules find but the grader does not read becomes a flag for the editor.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from panel.errors import CellFailure, CellRefused, ProviderError
from panel.files import describe_validation_error
from panel.inputs.prompts import PromptSet
from panel.models import Grading, Usage, VerdictBase
from panel.providers.base import (
    Finished,
    Provider,
    Restarted,
    Started,
    StructuredRequest,
    TextDelta,
    Turn,
)
from panel.running.checks import Checked
from panel.running.grader import grader_flags, settle
from panel.running.partial import IncrementalJSON, PartialJSONError

MAX_REASKS = 1
# A reply cut at max_tokens is asked once more with this many times the limit.
TRUNCATION_GROWTH = 2

OnPartial = Callable[[dict[str, Any]], None]
OnStarted = Callable[[], None]
Check = Callable[[VerdictBase], Checked]
Grade = Callable[[VerdictBase], Awaitable[Grading]]  # the model-graded check (running.grader)


@dataclass
class Outcome:
    verdict: VerdictBase
    usage: Usage
    attempts: int
    seconds_to_verdict: float | None
    seconds_total: float
    flags: list[str] = field(default_factory=list)
    grading: Grading | None = None


@dataclass
class _Reply:
    text: str
    value: Any = None
    parse_error: str | None = None
    finished: Finished | None = None

    @property
    def usage(self) -> Usage:
        """What the call reported; a stream cut before its final event reported nothing."""
        return self.finished.usage if self.finished else Usage()


async def stream_verdict(
    provider: Provider,
    request: StructuredRequest,
    model: type[VerdictBase],
    prompts: PromptSet,
    *,
    on_partial: OnPartial | None = None,
    on_started: OnStarted | None = None,
    check: Check | None = None,
    grade: Grade | None = None,
) -> Outcome:
    """Stream one cell to a validated verdict.

    A reply cut at the output limit is asked again once with a larger limit (a reasoning model
    may spend the first on thinking); a reply that does not validate gets one re-ask quoting the
    problem. Every call is counted in the usage, also when the cell fails in the end. With
    `grade`, an accepted verdict the rules do not clearly agree with is graded by a small model,
    and a reading of the opposite call gets the same one re-ask.
    """
    started_at = time.perf_counter()
    clock = _VerdictClock(started_at)
    usage = Usage()
    calls = reasks = 0
    budget_raised = False
    grading: Grading | None = None
    grader_reasked = False
    while True:
        calls += 1
        clock.seconds = None  # time to verdict is that of the reply finally accepted
        try:
            reply = await _read_reply(provider, request, on_partial, on_started, clock)
        except (ProviderError, CellFailure) as error:  # a stream stopped at the budget too
            error.usage = usage + (error.usage or Usage())
            raise
        usage = usage + reply.usage
        if _truncated(reply) and not budget_raised:
            budget_raised = True
            request = replace(request, max_tokens=request.max_tokens * TRUNCATION_GROWTH)
            continue
        try:
            _fail_on_stop_reason(request, reply, retried=budget_raised)
        except CellFailure as failure:
            failure.usage = usage
            raise
        problem, verdict = _validate(reply, model)
        if verdict is not None:
            checked = check(verdict) if check else Checked()
            # A reply after a grader's re-ask is graded again, so the record shows its reading.
            if grade is not None and not (checked.agrees and not grading):
                grading = await grade(verdict)
                if settle(checked, grading, verdict):
                    grader_reasked = grader_reasked or reasks < MAX_REASKS
            if grading is not None and grader_reasked:
                grading = grading.model_copy(update={"reasked": True})
            if checked.problem is None or reasks >= MAX_REASKS:
                flags = checked.flags + grader_flags(grading, verdict)
                if checked.problem is not None:
                    flags = [f"kept after a re-ask: {checked.problem}", *flags]
                seconds = time.perf_counter() - started_at
                return Outcome(verdict, usage, calls, clock.seconds, seconds, flags, grading)
            problem = checked.problem
        if reasks >= MAX_REASKS:
            raise CellFailure(
                f"cell {request.cell}: reply still invalid after a re-ask: {problem}", usage=usage
            )
        reasks += 1
        request = request.with_turn(
            Turn(assistant=reply.text or "(empty reply)", user=prompts.reask(problem))
        )


def _truncated(reply: _Reply) -> bool:
    return reply.finished is not None and reply.finished.stop_reason == "max_tokens"


class _VerdictClock:
    """When verdict and score were first both known: the time a reader waits for the call."""

    def __init__(self, started_at: float) -> None:
        self.started_at = started_at
        self.seconds: float | None = None

    def observe(self, fields: dict[str, Any]) -> None:
        if self.seconds is None and "verdict" in fields and "score" in fields:
            self.seconds = time.perf_counter() - self.started_at


async def _read_reply(
    provider: Provider,
    request: StructuredRequest,
    on_partial: OnPartial | None,
    on_started: OnStarted | None,
    clock: _VerdictClock,
) -> _Reply:
    parser = IncrementalJSON()
    chunks: list[str] = []
    reply = _Reply(text="")
    async for event in provider.stream(request):
        if isinstance(event, Started):
            if on_started:
                on_started()
        elif isinstance(event, Restarted):
            parser, chunks, reply.parse_error = IncrementalJSON(), [], None
            clock.seconds = None
            if on_partial:
                on_partial({})
        elif isinstance(event, TextDelta):
            chunks.append(event.text)
            if reply.parse_error is None:
                reply.parse_error = _feed(parser, event.text, clock, on_partial)
        elif isinstance(event, Finished):
            reply.finished = event
    reply.text = "".join(chunks)
    if reply.parse_error is None and reply.finished and reply.finished.stop_reason == "end":
        try:
            reply.value = parser.finish()
        except PartialJSONError as exc:
            reply.parse_error = str(exc)
    return reply


def _feed(
    parser: IncrementalJSON, text: str, clock: _VerdictClock, on_partial: OnPartial | None
) -> str | None:
    try:
        if parser.feed(text):
            clock.observe(parser.fields)
            if on_partial:
                on_partial(dict(parser.fields))
    except PartialJSONError as exc:
        return str(exc)
    return None


def _fail_on_stop_reason(request: StructuredRequest, reply: _Reply, *, retried: bool) -> None:
    finished = reply.finished
    if finished is None:
        raise CellFailure(f"cell {request.cell}: the stream ended without its final event")
    detail = f" ({finished.detail})" if finished.detail else ""
    if finished.stop_reason == "max_tokens":
        again = f" (after a retry with {TRUNCATION_GROWTH}x the limit)" if retried else ""
        raise CellFailure(
            f"cell {request.cell}: reply truncated at max_tokens={request.max_tokens}{again}; "
            "the partial JSON was discarded"
        )
    if finished.stop_reason == "context_window":  # a larger max_tokens makes no room: not asked
        raise CellFailure(
            f"cell {request.cell}: reply truncated: the prompt and the reply filled the model's "
            f"context window{detail}; the partial JSON was discarded"
        )
    if finished.stop_reason == "refusal":
        raise CellRefused(f"cell {request.cell}: the model refused to review{detail}")
    if finished.stop_reason != "end":
        raise CellFailure(f"cell {request.cell}: the reply stopped unexpectedly{detail}")


def _validate(reply: _Reply, model: type[VerdictBase]) -> tuple[str, VerdictBase | None]:
    if not reply.text.strip():
        return "the reply was empty", None
    if reply.parse_error is not None:
        return f"the reply is not valid JSON ({reply.parse_error})", None
    try:
        return "", model.model_validate(reply.value)
    except ValidationError as exc:
        return describe_validation_error(exc), None
