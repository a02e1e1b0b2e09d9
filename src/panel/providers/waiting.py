"""Holding a request back, the one way pacing, retry and the spending limit all do it.

Each waits while something is still left: seconds until a bucket has room or a
rate limit's retry-after has passed, dollars over the spending limit until a
call in flight settles. What is left is asked again after every pause: while
one task waits, others move what it waits for (a response names a lower limit,
a 429 holds everybody, a call settles). The clock and the pause are passed in,
so a test runs every wait on a fake clock, at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


async def wait_while(
    left: Callable[[], float], pause: Callable[[float], Awaitable[object]]
) -> None:
    """Pause for as long as `left()` is above zero, handing the pause what is left each time."""
    while (remaining := left()) > 0:
        await pause(remaining)


async def sleep_until(moment: float, clock: Clock, sleep: Sleep) -> None:
    """One sleep until `moment` on `clock`, none when it has passed.

    Not asked again after the sleep: a test's sleep may pass no time on the clock it reads.
    """
    delay = moment - clock()
    if delay > 0:
        await sleep(delay)
