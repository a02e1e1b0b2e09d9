"""Claude's Message Batches API (`messages.batches`), for `panel run --batch`.

It drives the `ClaudeProvider`'s own client and request parameters, so a batch
request is byte for byte the streaming request without `stream`; the SDK is
imported only by `claude.py`. Results come back in any order and are matched by
`custom_id`.
"""

from __future__ import annotations

from typing import Any

from panel.models import Usage
from panel.providers.base import StructuredRequest, token_count
from panel.providers.batch import BatchItem, BatchState, Outcome, unreadable_item
from panel.providers.claude import STOP_REASONS, ClaudeProvider
from panel.providers.claude_errors import map_error
from panel.providers.retry import errors_mapped
from panel.providers.sdk import MALFORMED, unreadable_reply


class ClaudeBatches:
    def __init__(self, provider: ClaudeProvider) -> None:
        self._provider = provider
        self._batches = provider.sdk.client.messages.batches

    def params(self, request: StructuredRequest) -> dict[str, Any]:
        return self._provider.request_params(request)

    async def submit(self, bodies: dict[str, dict[str, Any]]) -> str:
        requests = [{"custom_id": key, "params": body} for key, body in bodies.items()]
        with errors_mapped(lambda error: map_error("batch", error)):
            batch = await self._batches.create(requests=requests)  # type: ignore[arg-type]
        return str(batch.id)

    async def state(self, batch_id: str) -> BatchState:
        with errors_mapped(lambda error: map_error(f"batch {batch_id}", error)):
            batch = await self._batches.retrieve(batch_id)
        counts = batch.request_counts
        failed = counts.errored + counts.expired + counts.canceled
        return BatchState(
            batch_id=batch_id,
            status=batch.processing_status,
            ended=batch.processing_status == "ended",
            total=counts.processing + counts.succeeded + failed,
            done=counts.succeeded + failed,
            failed=failed,
        )

    async def results(self, batch_id: str) -> list[BatchItem]:
        items = []
        where = f"batch {batch_id}"
        with errors_mapped(lambda error: map_error(where, error)), unreadable_reply(where):
            async for line in await self._batches.results(batch_id):
                try:  # one result panel cannot read fails its own request, and no other
                    items.append(_item(line.custom_id, line.result.model_dump()))
                except MALFORMED as error:
                    items.append(unreadable_item(getattr(line, "custom_id", ""), error))
        return items

    async def cancel(self, batch_id: str) -> BatchState:
        with errors_mapped(lambda error: map_error(f"batch {batch_id}", error)):
            await self._batches.cancel(batch_id)
        return await self.state(batch_id)


def _item(custom_id: str, result: dict[str, Any]) -> BatchItem:
    kind: Outcome = result.get("type", "errored")
    if kind != "succeeded":
        error = result.get("error") or {}
        inner = error.get("error", error) if isinstance(error, dict) else {}
        detail = f"{inner.get('type', kind)}: {inner.get('message', '')}".strip(": ")
        return BatchItem(custom_id, kind if kind in _OUTCOMES else "errored", error=detail)
    message = result.get("message") or {}
    text = "".join(
        block.get("text", "") for block in message.get("content", []) if block.get("type") == "text"
    )
    usage = message.get("usage") or {}
    stop = message.get("stop_reason") or ""
    return BatchItem(
        custom_id,
        "succeeded",
        text=text,
        usage=Usage(
            input_tokens=token_count(usage.get("input_tokens")),
            output_tokens=token_count(usage.get("output_tokens")),
            cache_write_tokens=token_count(usage.get("cache_creation_input_tokens")),
            cache_read_tokens=token_count(usage.get("cache_read_input_tokens")),
        ),
        stop_reason=STOP_REASONS.get(stop, "other"),
    )


_OUTCOMES = ("succeeded", "errored", "expired", "canceled")
