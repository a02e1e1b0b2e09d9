"""`--max-cost` as a bound: a call's worst case is reserved before it starts, settled when it ends.

Counting only finished cells lets every cell in flight spend past the limit
(at concurrency 32, 32 cells' worth). Instead, before a cell starts, its
worst case is reserved: its input at the price it will be billed (a cache
write for the warm-up, a cache read for the cells after it) plus
`max_tokens` of output. When the call ends, the reservation is replaced by
what its usage says it cost, failed-but-billed attempts included. A cell the
remaining budget cannot cover waits for the cells in flight to settle; when
nothing is in flight and it still does not fit, the run stops there. A
re-ask, and a retry after a response had begun (a begun response is
billed), reserve again before they are sent, so spend passes the limit only
if a call costs more than its worst case.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from panel.errors import CellFailure
from panel.models import ModelInfo, Usage
from panel.providers.base import (
    Event,
    Finished,
    Provider,
    Restarted,
    Started,
    StructuredRequest,
    Wrapper,
)
from panel.providers.pricing import cost_of
from panel.providers.waiting import wait_while

# Tokens are estimated from characters on the generous side (English runs about 4 to a token).
CHARS_PER_TOKEN = 3
PrefixPrice = Literal["write", "read"]
# Sums of float reservations drift: what is left below this is nothing in flight, not a call.
CENT_FRACTION = 1e-9


def worst_case(info: ModelInfo, request: StructuredRequest, prefix: PrefixPrice) -> float:
    """The most one call for `request` can cost: its input as billed, and all the output allowed."""
    rest = request.prompt + "".join(turn.assistant + turn.user for turn in request.history)
    prefix_tokens = math.ceil(len(request.system) / CHARS_PER_TOKEN)
    usage = Usage(
        input_tokens=math.ceil((len(rest) + len(str(request.schema))) / CHARS_PER_TOKEN),
        output_tokens=request.max_tokens,
        cache_write_tokens=prefix_tokens if prefix == "write" else 0,
        cache_read_tokens=prefix_tokens if prefix == "read" else 0,
    )
    model = request.model or info.model  # a grader request names its own, smaller model
    cost = cost_of(info.provider, model, usage, cache_ttl=request.cache_ttl)
    return cost.usd if cost is not None else 0.0


@dataclass
class Reservation:
    amount: float
    settled: bool = False


class Budget:
    """Dollars spent and reserved against a limit; with no limit nobody is ever held."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.spent = 0.0
        self.reserved = 0.0
        self.stopped = False
        self._settled = asyncio.Event()
        self._held_by_waiters = 0.0  # reserved by calls that are themselves waiting to extend

    async def reserve(self, amount: float) -> Reservation | None:
        """Room for `amount`, once the calls in flight leave enough; None when it never will."""
        reservation = Reservation(0.0)
        return reservation if await self.extend(reservation, amount) else None

    async def extend(self, reservation: Reservation, amount: float) -> bool:
        """Add `amount` to a reservation, waiting for others to settle; False once it cannot fit."""
        await wait_while(
            lambda: self._short(reservation, amount), lambda _: self._next(reservation)
        )
        if self._over(amount) > 0:
            return False  # stopped
        self.reserved += amount
        reservation.amount += amount
        return True

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
        if not await self.budget.extend(reservation, worst_case(self.info, request, self.prefix)):
            limit = self.budget.limit or 0.0
            raise CellFailure(
                f"cell {request.cell}: stopped: the spending limit of ${limit:.2f} cannot cover "
                "another call for it"
            )

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        reservation, self._first = self._first, None
        if reservation is None:  # a re-ask
            reservation = Reservation(0.0)
            await self._cover(reservation, request)
        self.prefix = "read"  # from here on the prefix has been written
        begun = False
        try:
            async for event in self.inner.stream(request):
                if isinstance(event, Started):
                    begun = True
                elif isinstance(event, Restarted) and begun:
                    await self._cover(reservation, request)  # the begun attempt was billed
                elif isinstance(event, Finished):
                    # The usage includes what the retry layer says discarded attempts were billed.
                    self.budget.settle(reservation, self._cost(event.usage, request))
                yield event
        except BaseException as error:
            usage = getattr(error, "usage", None)  # what a failed call says it was billed
            if isinstance(usage, Usage) and usage != Usage():
                self.budget.settle(reservation, self._cost(usage, request))
            raise
        finally:
            self.budget.settle(reservation, reservation.amount if begun else 0.0)
