"""The warm-up gate: one cell goes first, and the rest follow once its response has begun.

A prompt-cache entry is readable only once the response that writes it has
begun (its first streamed event; the HTTP headers come earlier and do not
count). Sending every cell at once would have each of them write the same
prefix. So the first cell that must call the model goes alone; when its
provider says `Started`, the gate opens for everyone. If that cell fails
before its response begins, the next waiting cell becomes the warm-up: the
panel never fans out into a cold cache.
"""

from __future__ import annotations

import asyncio


class WarmUpGate:
    def __init__(self, *, enabled: bool = True) -> None:
        self._open = asyncio.Event()
        self._turn = asyncio.Lock()  # held by the cell that is the warm-up now
        self._holding = False
        if not enabled:
            self._open.set()

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    async def enter(self) -> bool:
        """Wait until the caller may call the model; True when it goes as the warm-up.

        A warm-up must call `opened()` when its response begins and `leave()`
        when it is done, whether it succeeded or not.
        """
        if self._open.is_set():
            return False
        await self._turn.acquire()
        if self._open.is_set():
            self._turn.release()
            return False
        self._holding = True
        return True

    def opened(self) -> None:
        """The warm-up's response has begun: everyone may go."""
        self._open.set()
        self._release()

    def leave(self) -> None:
        """The warm-up is over; while the gate is shut, the next waiting cell is the warm-up."""
        self._release()

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self._turn.release()
