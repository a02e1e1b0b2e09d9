"""What an OpenAI-style server's errors mean: the SDK's exceptions and the error bodies a server
sends instead of a reply, as one-line `ProviderError`s that say whether a retry can help.

Imported only by the `openai*.py` provider modules (it imports `openai` inside its functions).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from panel.errors import CellRefused, ProviderError, RunError
from panel.providers.retry import retry_after_seconds, should_retry, status_is_retryable
from panel.providers.sdk import NO_SUCH_MODEL, connection_failed, one_line

if TYPE_CHECKING:
    import openai

# Error types that say the request itself is wrong; any other error chunk is retried like a 529.
REQUEST_ERRORS = {
    "invalid_request_error",
    "authentication_error",
    "permission_error",
    "not_found_error",
    "invalid_api_key",
    "unsupported_parameter",
}
# Fields a compatible server may not know, and what leaves each one out.
OPTIONAL_FIELDS = {
    "max_completion_tokens": "run with --compat",
    "prompt_cache_key": "run with --compat",
    "reasoning_effort": "run with --compat",
    "prompt_cache_options": "run without --cache-retention",
}
# A 400 that is the service refusing the prompt on its policy, not a request to fix: Azure's
# content filter (the categories it caught in `innererror`), and OpenAI's reasoning models
# flagging a prompt ("Invalid prompt: your prompt was flagged as potentially violating our
# usage policy").
REFUSING_CODES = {
    "content_filter": "the service's content filter refused the prompt",
    "invalid_prompt": "the service refused the prompt under its usage policy",
}
# 429s about the account, not the rate: no wait makes it able to pay.
ACCOUNT_ERRORS = {
    "insufficient_quota": "the account's quota or credit is used up",
    "billing_not_active": "the account's billing is not active",
}
# A rate-limit message naming a request larger than the limit itself ("Limit 30000, Requested
# 45000"): waiting never makes it fit. An ordinary one says "Used" too, and a wait helps.
_OVER_THE_LIMIT = re.compile(r"Limit (\d+), Requested (\d+)")


def raise_for_error_body(cell: str, payload: dict[str, Any]) -> None:
    """A document or chunk that is an error, not a completion: raised. Besides OpenAI's
    `{"error": {...}}`, vLLM wrote its error chunk bare in 2024 (`"object": "error"`, with
    `message`, `type` and the HTTP `code`), which the SDK passes on as a chunk with no choices."""
    error = payload.get("error") if isinstance(payload.get("error"), dict) else None
    if error is None and payload.get("object") == "error":
        error = payload
    if error is not None:
        raise stream_error(cell, error.get("type"), said(payload), error.get("code"))


def stream_error(cell: str, kind: str | None, message: str, code: object = None) -> ProviderError:
    """An error sent in place of a reply (an error chunk, an error document): retried unless its
    type, or the HTTP status a compatible server gives as its `code` (vLLM: `BadRequestError`,
    400), says the request itself is wrong."""
    status = int(code) if isinstance(code, int | str) and str(code).isdigit() else None
    if kind in ("rate_limit_exceeded", "rate_limit_error"):
        status = 429  # a rate limit sent inside the stream: waited for as patiently as a 429
    wrong = kind in REQUEST_ERRORS or (status is not None and not status_is_retryable(status))
    return ProviderError(
        f"cell {cell}: error mid-stream: {kind or 'error'}: {message}",
        status=status,
        retryable=not wrong,
    )


def map_error(cell: str, error: Exception, sent: Collection[str] = ()) -> RunError | None:
    import httpx2
    import openai

    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        if error.code in REFUSING_CODES:
            return _filtered(cell, error)
        hint = " (check OPENAI_API_KEY)" if status in (401, 403) else _field_hint(error, sent)
        no_model = status == 404 and (
            error.code == "model_not_found" or "model" in said(error.body)
        )
        if no_model:
            hint = f" ({NO_SUCH_MODEL})"
        hopeless = _hopeless(error)
        if hopeless:
            hint = f" ({hopeless}: a retry cannot help, so none was made)"
        return ProviderError(
            f"cell {cell}: OpenAI API {status}: {said(error.body)}{hint}",
            status=status,
            retryable=not hopeless and should_retry(status, error.response.headers),
            retry_after=retry_after_seconds(error.response.headers),
            every_call=status in (401, 403) or no_model or _account_error(error) is not None,
        )
    if isinstance(error, openai.APIConnectionError | httpx2.TransportError):
        return connection_failed(cell, error)
    if isinstance(error, openai.APIError):  # an error chunk inside an open stream
        kind = error.type if isinstance(error.type, str) else error.code
        return stream_error(cell, kind, said(error.body), error.code)
    return None


def _filtered(cell: str, error: openai.APIStatusError) -> CellRefused:
    """The service declining the prompt on its policy (see `REFUSING_CODES`): refused, as a
    filtered reply's finish_reason says; not a request to fix, and never retried."""
    inner = error.body.get("innererror") if isinstance(error.body, dict) else None
    results = inner.get("content_filter_result") if isinstance(inner, dict) else None
    caught = [
        str(name)
        for name, result in (results.items() if isinstance(results, dict) else ())
        if isinstance(result, dict) and result.get("filtered")
    ]
    why = f": {', '.join(caught)}" if caught else ""
    refused = REFUSING_CODES[str(error.code)]
    return CellRefused(
        f"cell {cell}: OpenAI API {error.status_code}: {said(error.body)} ({refused}{why}; "
        "not retried)"
    )


def _account_error(error: openai.APIStatusError) -> str | None:
    """The `ACCOUNT_ERRORS` kind the error names (its code, else its type), if any."""
    return next((k for k in (error.code, error.type) if k in ACCOUNT_ERRORS), None)


def _hopeless(error: openai.APIStatusError) -> str:
    """Why a rate-limit status (429) can never turn into a reply by waiting; empty when it can.

    OpenAI answers an account that cannot pay with 429 (`ACCOUNT_ERRORS`), and a request larger
    than a per-minute limit with 429 too: the SDKs retry both, and no wait ever helps.
    """
    kind = _account_error(error)
    if kind is not None:
        return f"{ACCOUNT_ERRORS[kind]} ({kind})"
    over = _OVER_THE_LIMIT.search(said(error.body))
    if error.status_code == 429 and over and int(over.group(2)) > int(over.group(1)):
        return "the request alone is larger than the rate limit"
    return ""


def _field_hint(error: openai.APIStatusError, sent: Collection[str]) -> str:
    """Name the field a server refused, when it is one we send and a flag can leave out."""
    if error.status_code not in (400, 422):
        return ""
    text = f"{error.param or ''} {said(error.body)} {error.body}"
    for field, remedy in OPTIONAL_FIELDS.items():
        if field in sent and field in text:
            return f" (the server does not take {field!r}: {remedy} to leave it out)"
    return ""


def said(body: object) -> str:
    """What an error body says: its message, else the body itself, clipped."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return one_line(str(inner["message"]))
    return one_line(str(body)) if body else "no detail"
