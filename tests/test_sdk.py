"""The SDK client both API providers share: made at the first call, retries off, closed if made."""

from __future__ import annotations

from typing import Any

from panel.providers.sdk import LazyClient, connection_failed
from tests.helpers import run


class _Client:
    def __init__(self, **options: Any) -> None:
        self.options = options
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def test_the_client_is_made_once_at_first_use_with_retries_off() -> None:
    made: list[_Client] = []

    def make(**options: Any) -> _Client:
        made.append(_Client(**options))
        return made[-1]

    lazy = LazyClient(make, api_key="k", base_url=None, timeout=5.0)
    run(lazy.aclose())  # never used: nothing to close, nothing made
    assert made == []
    assert lazy.client is lazy.client and len(made) == 1
    assert made[0].options == {"api_key": "k", "base_url": None, "timeout": 5.0, "max_retries": 0}
    run(lazy.aclose())
    assert made[0].closed


def test_a_failed_connection_is_retried_and_named_by_its_type_only() -> None:
    error = connection_failed("builder × tool", ConnectionResetError("secret detail"))
    assert str(error) == "cell builder × tool: connection failed (ConnectionResetError)"
    assert error.retryable
