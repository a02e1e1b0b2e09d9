"""OpenAI's Batch API, for `panel run --batch`.

The requests go up as one JSONL file (`files.create(purpose="batch")`), the
batch runs with `completion_window="24h"`, and the answers come back in an
output file and an error file, matched by `custom_id`. Each body is the
streaming request of `OpenAIProvider` without its streaming options; the SDK
is imported only by `openai_chat.py`.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from panel.errors import ProviderError
from panel.models import Usage
from panel.providers.base import StopReason, StructuredRequest, token_count
from panel.providers.batch import BatchItem, BatchState, Outcome, unreadable_item
from panel.providers.openai_chat import FINISH_REASONS, OpenAIProvider
from panel.providers.openai_errors import map_error
from panel.providers.retry import errors_mapped
from panel.providers.sdk import MALFORMED

ENDPOINT: Final = "/v1/chat/completions"
ENDED = {"completed", "failed", "expired", "cancelled"}


class OpenAIBatches:
    def __init__(self, provider: OpenAIProvider) -> None:
        self._provider = provider
        self._client = provider.sdk.client

    def params(self, request: StructuredRequest) -> dict[str, Any]:
        body = dict(self._provider.request_params(request))
        body.pop("stream_options", None)  # only allowed on a streamed call
        body.pop("stream", None)
        return body

    async def submit(self, bodies: dict[str, dict[str, Any]]) -> str:
        lines = [
            json.dumps({"custom_id": key, "method": "POST", "url": ENDPOINT, "body": body})
            for key, body in bodies.items()
        ]
        data = ("\n".join(lines) + "\n").encode()
        with errors_mapped(lambda error: map_error("batch", error)):
            upload = await self._client.files.create(
                file=("panel-batch.jsonl", data), purpose="batch"
            )
            batch = await self._client.batches.create(
                input_file_id=upload.id, endpoint=ENDPOINT, completion_window="24h"
            )
        return str(batch.id)

    async def state(self, batch_id: str) -> BatchState:
        with errors_mapped(lambda error: map_error(f"batch {batch_id}", error)):
            batch = await self._client.batches.retrieve(batch_id)
        if batch.status == "failed":
            problems = [e.message for e in (batch.errors.data or [])] if batch.errors else []
            raise ProviderError(
                f"batch {batch_id} failed: {'; '.join(str(p) for p in problems) or 'no detail'}"
            )
        counts = batch.request_counts
        total, completed, failed = (
            (counts.total, counts.completed, counts.failed) if counts else (0, 0, 0)
        )
        return BatchState(
            batch_id=batch_id,
            status=batch.status,
            ended=batch.status in ENDED,
            total=total,
            done=completed + failed,
            failed=failed,
        )

    async def results(self, batch_id: str) -> list[BatchItem]:
        with errors_mapped(lambda error: map_error(f"batch {batch_id}", error)):
            batch = await self._client.batches.retrieve(batch_id)
            items = []
            for file_id in (batch.output_file_id, batch.error_file_id):
                if file_id:
                    content = await self._client.files.content(file_id)
                    items += _items(content.text)
        return items  # a request the batch never ran (expired) is in neither file

    async def cancel(self, batch_id: str) -> BatchState:
        with errors_mapped(lambda error: map_error(f"batch {batch_id}", error)):
            await self._client.batches.cancel(batch_id)
        return await self.state(batch_id)


def _items(text: str) -> list[BatchItem]:
    """Each line of a batch's output or error file; one panel cannot read fails its own request
    (found by its custom_id) and no other."""
    items = []
    for line in filter(str.strip, text.splitlines()):
        try:
            items.append(_item(json.loads(line)))
        except MALFORMED as error:
            found = _CUSTOM_ID.search(line)
            items += [unreadable_item(found.group(1), error)] if found else []
    return items


_CUSTOM_ID = re.compile(r'"custom_id"\s*:\s*"([A-Za-z0-9_-]{1,64})"')


def _item(line: dict[str, Any]) -> BatchItem:
    custom_id = str(line.get("custom_id", ""))
    response = line.get("response") or {}
    error = line.get("error")
    body = response.get("body") or {}
    if error or response.get("status_code") != 200:
        detail = error or body.get("error") or {}
        code = str(detail.get("code") or "") if isinstance(detail, dict) else ""
        message = str(detail.get("message") or "") if isinstance(detail, dict) else str(detail)
        outcome: Outcome = "expired" if code == "batch_expired" else "errored"
        status = response.get("status_code")
        return BatchItem(custom_id, outcome, error=f"{status or code}: {message}".strip(": "))
    choice = (body.get("choices") or [{}])[0]
    reply: dict[str, Any] = choice.get("message") or {}
    refusal = reply.get("refusal")
    stop: StopReason = (
        "refusal" if refusal else FINISH_REASONS.get(choice.get("finish_reason") or "", "other")
    )
    return BatchItem(
        custom_id,
        "succeeded",
        text=reply.get("content") or "",
        usage=_usage(body.get("usage") or {}),
        stop_reason=stop,
        error=f"refusal: {refusal}" if refusal else "",
    )


def _usage(raw: dict[str, Any]) -> Usage:
    details = raw.get("prompt_tokens_details") or {}
    cached = token_count(details.get("cached_tokens"))
    written = token_count(details.get("cache_write_tokens"))
    return Usage(
        input_tokens=max(0, token_count(raw.get("prompt_tokens")) - cached - written),
        output_tokens=token_count(raw.get("completion_tokens")),
        cache_read_tokens=cached,
        cache_write_tokens=written,
    )
