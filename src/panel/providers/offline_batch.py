"""A batch API for the offline model, so `panel run --batch` works on any machine.

It answers at once with the offline model's drafts; nothing leaves the process,
and a batch it did not answer in this process has no results (its requests are
simply sent again).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from panel.models import Usage
from panel.providers.base import Finished, StructuredRequest, TextDelta
from panel.providers.batch import BatchItem, BatchState
from panel.providers.offline import OfflineProvider


class OfflineBatches:
    def __init__(self, provider: OfflineProvider) -> None:
        self._provider = OfflineProvider()  # no pacing: a batch answers all at once
        self._requests: dict[str, StructuredRequest] = {}
        self._done: dict[str, list[BatchItem]] = {}

    def params(self, request: StructuredRequest) -> dict[str, Any]:
        body = {
            "system": request.system,
            "prompt": request.prompt,
            "history": [[turn.assistant, turn.user] for turn in request.history],
            "schema": request.schema,
        }
        self._requests[_key(body)] = request
        return body

    async def submit(self, bodies: dict[str, dict[str, Any]]) -> str:
        batch_id = f"offline_batch_{uuid.uuid4().hex[:16]}"
        items = []
        for custom_id, body in bodies.items():
            request = self._requests[_key(body)]
            items.append(await self._answer(custom_id, request))
        self._done[batch_id] = items
        return batch_id

    async def _answer(self, custom_id: str, request: StructuredRequest) -> BatchItem:
        text, usage = "", Usage()
        async for event in self._provider.stream(request):
            if isinstance(event, TextDelta):
                text += event.text
            elif isinstance(event, Finished):
                usage = event.usage
        return BatchItem(custom_id, "succeeded", text=text, usage=usage, stop_reason="end")

    async def state(self, batch_id: str) -> BatchState:
        count = len(self._done.get(batch_id, []))
        return BatchState(batch_id, "ended", ended=True, total=count, done=count)

    async def results(self, batch_id: str) -> list[BatchItem]:
        return list(self._done.get(batch_id, []))

    async def cancel(self, batch_id: str) -> BatchState:
        return await self.state(batch_id)


def _key(body: dict[str, Any]) -> str:
    return json.dumps([body["system"], body["prompt"], body["history"]])
