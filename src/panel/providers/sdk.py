"""What the SDK-backed providers share: the SDK loaded off the event loop, the first request's
head start, and a dropped connection's error.

The SDK loads at the first call, not at start-up: `panel run` has spoken by then, and a run with
`--model offline` never loads one. It loads in a worker thread, and the first streamed request
does not wait for it: it leaves at once over httpx2 and the SDK takes up its response
(`panel.providers.head_start`). Each provider module stays the only importer of its SDK: it hands
over the function that imports the SDK and makes the client, with the head start to send through.
Retries are off in every client (`max_retries=0`): `RetryingProvider` is the one retry layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from panel.errors import ProviderError
from panel.secrets import clip

if TYPE_CHECKING:
    from panel.providers.head_start import HeadStart, WireRequest


class Closable(Protocol):
    async def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=Closable)


class LazyClient(Generic[ClientT]):
    """An SDK client, made with `options` the first time it is asked for.

    `make(head_start, **options)` imports the SDK and makes its client, sending through the head
    start (see `ready`). It runs once: in a worker thread when `ready` or `loaded` asks for it.
    """

    def __init__(self, make: Callable[..., ClientT], **options: Any) -> None:
        self.options: dict[str, Any] = {**options, "max_retries": 0}
        self.make = make
        self._client: ClientT | None = None
        self._head_start: HeadStart | None = None
        self._lock = threading.Lock()
        self._loading: asyncio.Future[ClientT] | None = None

    @property
    def client(self) -> ClientT:
        """The client, made here and now if need be (for a caller outside the event loop)."""
        return self._client if self._client is not None else self._made(self.head_start)

    def _made(self, head_start: HeadStart) -> ClientT:
        with self._lock:
            if self._client is None:
                self._client = self.make(head_start, **self.options)
            return self._client

    @property
    def head_start(self) -> HeadStart:
        if self._head_start is None:
            from panel.providers.head_start import HeadStart  # httpx2: at the first call

            self._head_start = HeadStart()
        return self._head_start

    async def loaded(self) -> ClientT:
        """The client; the first time, the SDK is imported and the client made in a worker
        thread while the event loop goes on (a request sent ahead, a run's display)."""
        if self._client is not None:
            return self._client
        if self._loading is None:
            shared = self.head_start  # made on the loop: a call sent ahead and the client share it
            self._loading = asyncio.ensure_future(asyncio.to_thread(self._made, shared))
        return await asyncio.shield(self._loading)

    @contextlib.asynccontextmanager
    async def ready(self, first: Callable[[], WireRequest | None]) -> AsyncIterator[ClientT]:
        """The client, for one call. When the client is not made yet, the call's request
        (`first()`: the request its SDK will build; None when it cannot be written ahead) is sent
        at once, and the SDK's own send of that request takes up its response.

        A request sent ahead that the SDK has not taken up by the end of the block (the call was
        cancelled while the SDK loaded) is closed.
        """
        wire = first() if self._client is None and not self.head_start.used else None
        sent_ahead = wire is not None
        if wire is not None:
            self.head_start.send(wire)
        try:
            yield await self.loaded()
        finally:
            if sent_ahead:
                await self.head_start.discard()

    async def aclose(self) -> None:
        """Close the client if a call made it, and the head start's connection if one was sent;
        a provider never called has nothing open."""
        if self._loading is not None and not self._loading.done():
            with contextlib.suppress(BaseException):
                await self._loading
        if self._client is not None:
            await self._client.close()
        if self._head_start is not None:
            await self._head_start.aclose()


# What a 404 naming the model asks of the user: models retire (Sonnet 4.5 on 2026-11-30).
NO_SUCH_MODEL = "check --model: the server has no such model, misspelt or retired"


class ConnectionDropped(ProviderError):
    """A connection that failed or dropped. A provider whose reply had wholly arrived before
    (only the stream's terminator was lost) keeps the reply instead of paying for it again."""


def connection_failed(cell: str, error: Exception) -> ProviderError:
    """A connection that failed or dropped: retried, named by the exception's type only."""
    return ConnectionDropped(
        f"cell {cell}: connection failed ({type(error).__name__})", retryable=True
    )


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def one_line(text: str, limit: int = 300) -> str:
    """What a server said, fit for a one-line error: a proxy's HTML error page by its title (else
    its text), every run of whitespace (a pretty-printed body, a validation error's lines) one
    space, redacted and clipped."""
    if text.lstrip()[:1] == "<":
        title = _TITLE.search(text)
        text = "an HTML page: " + (title.group(1) if title else _TAG.sub(" ", text))
    return clip(" ".join(text.split()), limit)


# What reading a reply raises when it is not what the API sends: not UTF-8 or JSON, nested past
# Python's recursion limit, or of the wrong shape (a list where an event goes, a word for a count).
MALFORMED = (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)


@contextlib.contextmanager
def unreadable_reply(cell: str) -> Iterator[None]:
    """A reply panel cannot read is a failed attempt, retried like a dropped stream (a proxy cut or
    mangled it), named by the exception's type only: the server's text is never shown."""
    try:
        yield
    except ProviderError:
        raise
    except MALFORMED as error:
        raise ProviderError(
            f"cell {cell}: the server's reply is malformed ({type(error).__name__})",
            retryable=True,
        ) from error
