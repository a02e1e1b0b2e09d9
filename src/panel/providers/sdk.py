"""What the SDK-backed providers share: a client made at the first call, and a dropped connection.

The SDK loads at the first call, not at start-up: `panel run` has spoken by
then, and a run with `--model offline` never loads one. Each provider module
stays the only importer of its SDK: it hands over the function that imports
the SDK and makes the client. Retries are off in every client
(`max_retries=0`): `RetryingProvider` is the one retry layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from panel.errors import ProviderError


class Closable(Protocol):
    async def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=Closable)


class LazyClient(Generic[ClientT]):
    """An SDK client, made with `options` the first time it is asked for."""

    def __init__(self, make: Callable[..., ClientT], **options: Any) -> None:
        self.options: dict[str, Any] = {**options, "max_retries": 0}
        self._make = make
        self._client: ClientT | None = None

    @property
    def client(self) -> ClientT:
        if self._client is None:
            self._client = self._make(**self.options)
        return self._client

    async def aclose(self) -> None:
        """Close the client if a call made it; a provider never called has nothing open."""
        if self._client is not None:
            await self._client.close()


def connection_failed(cell: str, error: Exception) -> ProviderError:
    """A connection that failed or dropped: retried, named by the exception's type only."""
    return ProviderError(f"cell {cell}: connection failed ({type(error).__name__})", retryable=True)
