"""The `anthropic` SDK's async client as panel makes it: the SDK's own http client answering a
request sent ahead (`panel.providers.head_start`), and an SSE decoder for the streams gateways
write. Imported only by the `claude*.py` provider modules; the SDK is imported at the first call.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import anthropic

    from panel.providers.head_start import HeadStart

DEFAULT_BASE_URL = "https://api.anthropic.com"


def anthropic_client(head_start: HeadStart, **options: Any) -> anthropic.AsyncAnthropic:
    import anthropic  # at the first call, in a worker thread: see panel.providers.sdk

    from panel.providers.head_start import sdk_http_client

    http_client = sdk_http_client(
        anthropic.DefaultAsyncHttpxClient, head_start, options, DEFAULT_BASE_URL
    )
    try:  # the SDK's decoder is not public: an SDK that moved it reads streams its own way
        from anthropic._streaming import ServerSentEvent, SSEDecoder
    except ImportError:
        return anthropic.AsyncAnthropic(**options, http_client=http_client)

    class EventsNamed(SSEDecoder):
        """An event without an `event:` line, as proxies that pass on only `data:` lines write
        the stream, named by its data's `type` (which the API always writes as the event's
        name): the SDK drops every unnamed event, and read a whole paid reply as nothing."""

        def decode(self, line: str) -> ServerSentEvent | None:
            event = super().decode(line)
            if event is None or event.event is not None:
                return event
            kind = _type_of(event.data)
            if kind is None:
                return event
            return ServerSentEvent(
                event=kind, data=event.data, id=event.id, retry=event.retry, raw=event.raw
            )

    class AsyncAnthropic(anthropic.AsyncAnthropic):  # the SDK's name: its user agent is the name
        def _make_sse_decoder(self, options: Any = None) -> SSEDecoder:
            return EventsNamed()

    return AsyncAnthropic(**options, http_client=http_client)


def _type_of(data: str) -> str | None:
    """The `type` of an event's JSON data, if it is an object that names one."""
    try:
        payload = json.loads(data)
    except ValueError:
        return None
    kind = payload.get("type") if isinstance(payload, dict) else None
    return kind if isinstance(kind, str) and kind else None
