"""The SDK client both API providers share: made at the first call (off the event loop when the
loop asks), retries off, closed if made."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from panel.providers.head_start import HeadStart
from panel.providers.sdk import LazyClient, connection_failed
from tests.helpers import run


class _Client:
    def __init__(self, head_start: HeadStart, **options: Any) -> None:
        self.head_start, self.options = head_start, options
        self.thread = threading.current_thread()
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def test_the_client_is_made_once_at_first_use_with_retries_off() -> None:
    made: list[_Client] = []

    def make(head_start: HeadStart, **options: Any) -> _Client:
        made.append(_Client(head_start, **options))
        return made[-1]

    lazy = LazyClient(make, api_key="k", base_url=None, timeout=5.0)
    run(lazy.aclose())  # never used: nothing to close, nothing made
    assert made == []
    assert lazy.client is lazy.client and len(made) == 1
    assert made[0].options == {"api_key": "k", "base_url": None, "timeout": 5.0, "max_retries": 0}
    run(lazy.aclose())
    assert made[0].closed and made[0].head_start is lazy.head_start


def test_the_event_loop_has_the_client_made_in_a_worker_thread_once() -> None:
    made: list[_Client] = []

    def make(head_start: HeadStart, **options: Any) -> _Client:
        made.append(_Client(head_start, **options))
        return made[-1]

    lazy = LazyClient(make)

    async def three_at_once() -> list[_Client]:
        return list(await asyncio.gather(*(lazy.loaded() for _ in range(3))))

    clients = run(three_at_once())
    assert len(made) == 1 and clients == made * 3
    assert made[0].thread is not threading.main_thread()


def test_a_failed_connection_is_retried_and_named_by_its_type_only() -> None:
    error = connection_failed("builder × tool", ConnectionResetError("secret detail"))
    assert str(error) == "cell builder × tool: connection failed (ConnectionResetError)"
    assert error.retryable
