"""`--max-cost` as a bound that spends what it is given.

Counting only finished cells lets every cell in flight spend past the limit
(at concurrency 32, 32 cells' worth); reserving every call's worst case
(`max_tokens` of output, about seven times a typical reply) stops a run with
half its limit unspent, and a limit covering one typical cell runs none.
So before a call starts, what it is LIKELY to cost is reserved: the mean of
what this run's calls of the same kind (writing or reading the prefix) have
cost so far, or before there are any, its input at the price it will be billed
plus a typical verdict's output (`inputs.schema.typical_output_tokens`).
While it streams, its cost so far (input as reserved, output counted from the
text received, generously) is kept inside its reservation: when the next chunk
could pass it, the reservation grows if the budget has room, and otherwise the
stream is stopped there. A stopped stream is billed for what it produced: that
is what the budget and the cell's usage count, and the cell says it stopped at
the limit. When the call ends, the reservation is replaced by what its usage
says it cost. A cell the remaining budget cannot cover waits for the cells in
flight to settle; when nothing is in flight and it still does not fit, the run
stops there. So spend passes the limit by at most the chunk a server had
already sent when a stream was stopped.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal

from panel.errors import CellFailure
from panel.inputs.schema import typical_output_tokens
from panel.models import ModelInfo, Usage
from panel.providers.base import (
    Event,
    Finished,
    Provider,
    Restarted,
    Started,
    StructuredRequest,
    TextDelta,
    Wrapper,
)
from panel.providers.pricing import CHARS_PER_TOKEN as TYPICAL_CHARS
from panel.providers.pricing import cost_of
from panel.providers.waiting import wait_while

# Tokens are estimated from characters on the generous side (English runs about 4 to a token).
CHARS_PER_TOKEN = 3
# What a call likely costs counts its input, and a stream its output, as typical English runs
# (the worst case counts generously): until a call of the run has finished and shown what its
# text costs, a call of denser text may cost a little more than its reservation says.
TYPICAL_CHARS_PER_TOKEN = TYPICAL_CHARS
PrefixPrice = Literal["write", "read"]
# Sums of float reservations drift: what is left below this is nothing in flight, not a call.
CENT_FRACTION = 1e-9
HEADROOM = 1.25  # reserved over what a call likely costs


def worst_case(info: ModelInfo, request: StructuredRequest, prefix: PrefixPrice) -> float:
    """The most one call for `request` can cost: its input as billed, and all the output allowed
    (what the estimate shows as the worst case; the budget reserves `Budget.likely`)."""
    usage = _input_usage(request, prefix).model_copy(update={"output_tokens": request.max_tokens})
    model = request.model or info.model  # a grader request names its own, smaller model
    cost = cost_of(info.provider, model, usage, cache_ttl=request.cache_ttl)
    return cost.usd if cost is not None else 0.0


def likely_case(info: ModelInfo, request: StructuredRequest, prefix: PrefixPrice) -> float:
    """What to reserve for one call for `request` before any call has been seen: its input as
    billed (at a typical `TYPICAL_CHARS_PER_TOKEN`) and a typical verdict's output with
    HEADROOM."""
    output = math.ceil(typical_output_tokens(request.persona) * HEADROOM)
    usage = _input_usage(request, prefix, TYPICAL_CHARS_PER_TOKEN)
    usage = usage.model_copy(update={"output_tokens": output})
    cost = cost_of(info.provider, request.model or info.model, usage, cache_ttl=request.cache_ttl)
    return cost.usd if cost is not None else 0.0


def _input_usage(
    request: StructuredRequest, prefix: PrefixPrice, chars_per_token: float = CHARS_PER_TOKEN
) -> Usage:
    rest = request.prompt + "".join(turn.assistant + turn.user for turn in request.history)
    prefix_tokens = math.ceil(len(request.system) / chars_per_token)
    return Usage(
        input_tokens=math.ceil((len(rest) + len(str(request.schema))) / chars_per_token),
        cache_write_tokens=prefix_tokens if prefix == "write" else 0,
        cache_read_tokens=prefix_tokens if prefix == "read" else 0,
    )


def _kind(request: StructuredRequest, prefix: PrefixPrice) -> tuple[PrefixPrice, str]:
    """Calls alike in cost: writing or reading the prefix, and by which model (a grader's call
    names its own, smaller one)."""
    return prefix, request.model or ""


@dataclass
class Reservation:
    amount: float
    settled: bool = False


class StoppedAtLimit(CellFailure):
    """A stream stopped because its output would pass what the budget can still give it."""


class Budget:
    """Dollars spent and reserved against a limit; with no limit nobody is ever held."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.spent = 0.0
        self.reserved = 0.0
        self.stopped = False
        self._settled = asyncio.Event()
        self._held_by_waiters = 0.0  # reserved by calls that are themselves waiting to extend
        self._calls: dict[tuple[PrefixPrice, str], list[tuple[float, float]]] = {}
        self.chars_per_token = float(TYPICAL_CHARS_PER_TOKEN)  # of streamed text; then learnt

    def likely(self, info: ModelInfo, request: StructuredRequest, prefix: PrefixPrice) -> float:
        """What to reserve for a call: the mean cost of this run's finished calls of its kind,
        or the likely case before there is one, with HEADROOM (half of all replies run longer
        than the mean: without it they would be stopped whenever the budget is fully booked)."""
        seen = self._calls.get(_kind(request, prefix))
        if not seen:
            return likely_case(info, request, prefix)
        return HEADROOM * sum(cost for cost, _ in seen) / len(seen)

    def input_cost(self, request: StructuredRequest, prefix: PrefixPrice) -> float | None:
        """The most a finished call of this kind was billed for its input, if one has finished."""
        seen = self._calls.get(_kind(request, prefix))
        return max(i for _, i in seen) if seen else None

    def observe(
        self,
        request: StructuredRequest,
        prefix: PrefixPrice,
        cost: float,
        input_cost: float,
        ratio: float,
    ) -> None:
        """A call that ran to its end: its cost, its input's, and characters per output token
        (the fewest seen is kept: output the text does not show, thinking, counts too)."""
        self._calls.setdefault(_kind(request, prefix), []).append((cost, input_cost))
        if ratio > 0:
            self.chars_per_token = min(self.chars_per_token, max(ratio, 1.0))

    def try_extend(self, reservation: Reservation, amount: float) -> bool:
        """Add `amount` to a reservation if it fits now (a stream cannot wait for room)."""
        if self._over(amount) > 0:
            return False
        self.reserved += amount
        reservation.amount += amount
        return True

    async def reserve(self, amount: float | Callable[[], float]) -> Reservation | None:
        """Room for `amount`, once the calls in flight leave enough; None when it never will."""
        reservation = Reservation(0.0)
        return reservation if await self.extend(reservation, amount) else None

    async def extend(self, reservation: Reservation, amount: float | Callable[[], float]) -> bool:
        """Add `amount` to a reservation, waiting for others to settle; False once it cannot fit.

        A callable `amount` is asked again after each wait: what a call likely costs is learnt
        from the calls that settle meanwhile."""
        size = amount if callable(amount) else lambda: amount
        await wait_while(
            lambda: self._short(reservation, size()), lambda _: self._next(reservation)
        )
        return self.try_extend(reservation, size())  # False: stopped

    def _over(self, amount: float) -> float:
        """Dollars by which `amount` more would pass the limit (nothing or less: it fits)."""
        return 0.0 if self.limit is None else self.spent + self.reserved + amount - self.limit

    def _short(self, reservation: Reservation, amount: float) -> float:
        """What a call still waits for: dollars over the limit; 0 once it fits or never will."""
        over = self._over(amount)
        running = self.reserved - self._held_by_waiters - reservation.amount
        if over > 0 and (self.stopped or running <= CENT_FRACTION):
            self.stopped = True  # no call still running can free room: stop here
            return 0.0
        return over

    async def _next(self, reservation: Reservation) -> None:
        """Until the next call settles; a waiting reservation frees nothing, so it is set aside."""
        settled = self._settled
        self._held_by_waiters += reservation.amount
        try:
            await settled.wait()
        finally:
            self._held_by_waiters -= reservation.amount

    def settle(self, reservation: Reservation, cost: float) -> None:
        """Replace a reservation with what the calls it covered cost (once)."""
        if reservation.settled:
            return
        reservation.settled = True
        self.reserved -= reservation.amount
        self.spent += cost
        self._settled.set()
        self._settled = asyncio.Event()


class BudgetedCell(Wrapper):
    """One cell's calls through a provider, each one covered by the budget before it is sent.

    The orchestrator makes the first reservation before the cell starts; a
    re-ask (a second `stream`) or a retry after a begun response (a
    `Restarted`) extends it, and fails the cell when the budget cannot.
    """

    def __init__(
        self, inner: Provider, budget: Budget, first: Reservation, prefix: PrefixPrice
    ) -> None:
        super().__init__(inner)
        self.budget = budget
        self.prefix = prefix
        self._first: Reservation | None = first

    async def aclose(self) -> None:
        return None  # the run's provider is closed by whoever opened it

    def _cost(self, usage: Usage, request: StructuredRequest) -> float:
        model = request.model or self.info.model
        cost = cost_of(self.info.provider, model, usage, cache_ttl=request.cache_ttl)
        return cost.usd if cost is not None else 0.0

    async def _cover(self, reservation: Reservation, request: StructuredRequest) -> None:
        def likely() -> float:
            return self.budget.likely(self.info, request, self.prefix)

        if not await self.budget.extend(reservation, likely):
            limit = self.budget.limit or 0.0
            raise CellFailure(
                f"cell {request.cell}: stopped: the spending limit of ${limit:.2f} cannot cover "
                "another call for it"
            )

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        reservation, self._first = self._first, None
        prefix = self.prefix
        if reservation is None:  # a re-ask
            reservation = Reservation(0.0)
            await self._cover(reservation, request)
        self.prefix = "read"  # from here on the prefix has been written
        meter = _Meter(self, request, prefix, reservation.amount)
        begun = False
        events = self.inner.stream(request)
        try:
            async for event in events:
                if isinstance(event, Started):
                    begun = True
                elif isinstance(event, Restarted):
                    meter.restart()
                    if begun:
                        await self._cover(reservation, request)  # the begun one was billed
                elif isinstance(event, TextDelta):
                    meter.add(event.text)
                    self._keep_inside(reservation, request, meter)
                elif isinstance(event, Finished):
                    # The usage includes what the retry layer says discarded attempts cost.
                    cost = self._cost(event.usage, request)
                    self.budget.settle(reservation, cost)
                    meter.learn(prefix, event.usage)
                yield event
        except StoppedAtLimit:
            self.budget.settle(reservation, meter.cost)  # billed for what it produced
            raise
        except BaseException as error:
            usage = getattr(error, "usage", None)  # what a failed call says it was billed
            if isinstance(usage, Usage) and usage != Usage():
                self.budget.settle(reservation, self._cost(usage, request))
            raise
        finally:
            self.budget.settle(reservation, reservation.amount if begun else 0.0)
            close = getattr(events, "aclose", None)  # a stopped stream's connection closes now
            if close is not None:
                await close()

    def _keep_inside(
        self, reservation: Reservation, request: StructuredRequest, meter: _Meter
    ) -> None:
        """Grow the reservation before the next chunk could pass it; stop when it cannot."""
        if self.budget.limit is None or meter.cost + meter.last_chunk <= reservation.amount:
            return
        step = max(meter.cost + meter.last_chunk - reservation.amount, meter.likely / 4)
        if self.budget.try_extend(reservation, step):
            return
        if self.budget.try_extend(reservation, meter.cost + meter.last_chunk - reservation.amount):
            return
        limit = self.budget.limit
        raise StoppedAtLimit(
            f"cell {request.cell}: stopped at the spending limit of ${limit:.2f} after "
            f"{meter.output_tokens} output tokens; ${meter.cost:.4f} counted for what it streamed",
            usage=meter.usage,
        )


class _Meter:
    """A streaming call's cost so far: its input as this run's calls of its kind were billed
    (estimated as the likely case before one has finished), its output counted from the text
    received at the fewest characters per token seen (`TYPICAL_CHARS_PER_TOKEN` before any: text
    denser than that is undercounted until the first call of the run has finished)."""

    def __init__(
        self, cell: BudgetedCell, request: StructuredRequest, prefix: PrefixPrice, likely: float
    ) -> None:
        self._cell, self._request, self.likely = cell, request, likely
        self.input = _input_usage(request, prefix, TYPICAL_CHARS_PER_TOKEN)
        self._output_price = cell._cost(Usage(output_tokens=1_000_000), request) / 1_000_000
        seen = cell.budget.input_cost(request, prefix)
        self._input_cost = seen if seen is not None else cell._cost(self.input, request)
        self._ratio = cell.budget.chars_per_token
        self._chars = 0
        self._before = 0.0  # attempts before a retry, input and output
        self.last_chunk = 0.0

    def restart(self) -> None:
        """A retry after a begun response: what that one streamed stays counted."""
        self._before, self._chars = self.cost, 0  # the new attempt's input is billed again

    def add(self, text: str) -> None:
        self._chars += len(text)
        self.last_chunk = math.ceil(len(text) / self._ratio) * self._output_price

    def learn(self, prefix: PrefixPrice, usage: Usage) -> None:
        """The call finished: what it was billed teaches the budget about the next ones."""
        total = self._cell._cost(usage, self._request)
        output = self._cell._cost(Usage(output_tokens=usage.output_tokens), self._request)
        ratio = self._chars / usage.output_tokens if usage.output_tokens else 0.0
        self._cell.budget.observe(self._request, prefix, total, total - output, ratio)

    @property
    def output_tokens(self) -> int:
        return math.ceil(self._chars / self._ratio)

    @property
    def cost(self) -> float:
        return self._before + self._input_cost + self.output_tokens * self._output_price

    @property
    def usage(self) -> Usage:
        return self.input.model_copy(update={"output_tokens": self.output_tokens})
