"""The `openai` SDK's async client as panel makes it: the SDK's own http client answering a
request sent ahead (`panel.providers.head_start`), and an SSE decoder for the streams gateways
and compatible servers write. Imported only by the `openai*.py` provider modules; the SDK is
imported at the first call.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import openai

    from panel.providers.head_start import HeadStart

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def openai_client(head_start: HeadStart, **options: Any) -> openai.AsyncOpenAI:
    import openai  # at the first call, in a worker thread: see panel.providers.sdk

    from panel.providers.head_start import sdk_http_client

    http_client = sdk_http_client(
        openai.DefaultAsyncHttpxClient, head_start, options, DEFAULT_BASE_URL
    )
    try:  # the SDK's decoder is not public: an SDK that moved it reads streams its own way
        from openai._streaming import ServerSentEvent, SSEDecoder
    except ImportError:
        return openai.AsyncOpenAI(**options, http_client=http_client)

    class GatewayFrames(SSEDecoder):
        """Two legal records the SDK mishandles.

        A record with no data (a gateway's `retry: 3000`, an `id:`, a bare `event: ping`) is a
        control frame: the SDK hands it on and fails parsing '' as JSON (openai-python #2722),
        ending a sound stream. llama.cpp's server writes a streamed error as an `error:` field,
        which the SDK ignores, reading a failed request as a stream that ended without a
        reason: it is handed on as the `{"error": ...}` data the SDK raises for.
        """

        def __init__(self) -> None:
            super().__init__()
            self._error: str | None = None

        def decode(self, line: str) -> ServerSentEvent | None:
            name, _, value = line.partition(":")
            if name == "error":
                self._error = value.removeprefix(" ")
                return None
            if not line and self._error is not None:
                super().decode(line)  # the record's other fields end with it
                error, self._error = _error_object(self._error), None
                return ServerSentEvent(data=json.dumps({"error": error}))
            event = super().decode(line)
            return event if event is None or event.data.strip() else None

    class AsyncOpenAI(openai.AsyncOpenAI):  # the SDK's name: its user agent is the class name
        def _make_sse_decoder(self) -> SSEDecoder:
            return GatewayFrames()

    return AsyncOpenAI(**options, http_client=http_client)


def _error_object(text: str) -> dict[str, Any]:
    """An `error:` field's value as an error object: its JSON, else its text as the message."""
    try:
        error = json.loads(text)
    except ValueError:
        error = None
    return error if isinstance(error, dict) else {"message": text or "error"}
