"""What the Messages API's errors mean: the SDK's exceptions, and `error` events inside an open
stream, as one-line `ProviderError`s that say whether a retry can help.

Imported only by the `claude*.py` provider modules (it imports `anthropic` inside its functions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from panel.errors import ProviderError
from panel.providers.retry import retry_after_seconds, should_retry
from panel.providers.sdk import NO_SUCH_MODEL, connection_failed, one_line

if TYPE_CHECKING:
    import anthropic

# Error types that say the request itself is wrong. Any other `error` event inside an open
# stream is the service's trouble (overloaded, api_error, ...) and is retried like a 529.
REQUEST_ERRORS = {
    "invalid_request_error",
    "authentication_error",
    "permission_error",
    "not_found_error",
    "request_too_large",
    "billing_error",
}


def map_error(cell: str, error: Exception) -> ProviderError | None:
    import anthropic
    import httpx2

    if isinstance(error, anthropic.APIStatusError):
        return _status_error(cell, error)
    if isinstance(error, anthropic.APIConnectionError | httpx2.TransportError):
        return connection_failed(cell, error)
    return None


def _status_error(cell: str, error: anthropic.APIStatusError) -> ProviderError:
    status = error.status_code
    kind, message = error_body(error.body)
    if status == 200:  # an `error` event inside an open stream: retried like a 529
        return ProviderError(
            f"cell {cell}: error event mid-stream: {kind}: {message}",
            status=429 if kind == "rate_limit_error" else status,  # a rate limit's patience
            retryable=kind not in REQUEST_ERRORS,
        )
    hint = " (check ANTHROPIC_API_KEY)" if status in (401, 403) else ""
    no_model = status == 404 and "model" in message  # misspelt, or past its end of life
    if no_model:
        hint = f" ({NO_SUCH_MODEL})"
    unpaid = kind == "billing_error" or "credit balance" in message.lower()
    return ProviderError(
        f"cell {cell}: Anthropic API {status} {kind}: {message}{hint}",
        status=status,
        retryable=should_retry(status, error.response.headers),
        retry_after=retry_after_seconds(error.response.headers),
        every_call=status in (401, 403) or no_model or unpaid,
    )


def error_body(body: object) -> tuple[str, str]:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        kind, message = str(error.get("type", "error")), str(error.get("message", ""))
        return one_line(kind, 80), one_line(message)
    return "error", one_line(str(body)) if body else ""
