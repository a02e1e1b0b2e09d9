"""The emulator's batch APIs: Anthropic Message Batches and the OpenAI Batch API (with files).

A batch ends `delay` seconds after it was created. Its requests are then run in
a shuffled order against the emulator's own prompt cache (the first request of
a prefix writes it, the later ones read it), and results come back shuffled
too, matched only by `custom_id`. Per-request faults, consumed one per request
in submission order: `ok`, `errored`, `expired`, `invalid` (a reply that is
not a verdict).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass, field
from email.parser import BytesParser
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.emulator import Emulator

CHARS_PER_TOKEN = 4


@dataclass
class BatchConfig:
    delay: float = 0.2  # seconds from creation to the end of processing
    faults: list[str] = field(default_factory=list)
    seed: int = 7  # the shuffle of processing and result order


@dataclass
class _Batch:
    id: str
    api: str
    requests: list[tuple[str, dict[str, Any], str]]  # custom_id, body, fault
    created: float
    canceled: bool = False
    results: list[dict[str, Any]] | None = None


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"


class BatchAPIs:
    def __init__(self, emulator: Emulator, config: BatchConfig) -> None:
        self.emulator, self.config = emulator, config
        self.batches: dict[str, _Batch] = {}
        self.created: list[str] = []  # every batch id, in creation order
        self._files: dict[str, bytes] = {}
        self._random = random.Random(config.seed)

    def handles(self, path: str) -> bool:
        return "/batches" in path or "/files" in path

    def serve(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        parts = path.split("?")[0].rstrip("/").split("/")
        if "files" in parts:
            return self._files_api(method, parts, headers, body)
        api = "anthropic" if "messages" in parts else "openai"
        tail = parts[parts.index("batches") + 1 :]
        if method == "POST" and not tail:
            return self._create(api, json.loads(body))
        batch = self.batches.get(tail[0]) if tail else None
        if batch is None:
            return _json(404, {"type": "error", "error": {"type": "not_found_error"}})
        if tail[1:] == ["cancel"]:
            batch.canceled = True
        if tail[1:] == ["results"]:
            return self._results(batch)
        return _json(200, self._describe(batch))

    # -- creating

    def _create(self, api: str, request: dict[str, Any]) -> Response:
        if api == "anthropic":
            items = [(r["custom_id"], r["params"]) for r in request["requests"]]
        else:
            lines = self._files[request["input_file_id"]].decode().splitlines()
            items = [(line["custom_id"], line["body"]) for line in map(json.loads, lines)]
        faults = self.config.faults
        batch = _Batch(
            id=f"{'msgbatch' if api == 'anthropic' else 'batch'}_{uuid.uuid4().hex[:20]}",
            api=api,
            requests=[(key, body, faults.pop(0) if faults else "ok") for key, body in items],
            created=time.monotonic(),
        )
        self.batches[batch.id] = batch
        self.created.append(batch.id)
        return _json(200, self._describe(batch))

    def _files_api(
        self, method: str, parts: list[str], headers: dict[str, str], body: bytes
    ) -> Response:
        if method == "POST":
            content = _multipart_file(headers.get("content-type", ""), body)
            file_id = f"file-{uuid.uuid4().hex[:20]}"
            self._files[file_id] = content
            return _json(
                200,
                {
                    "id": file_id,
                    "object": "file",
                    "bytes": len(content),
                    "created_at": int(time.time()),
                    "filename": "batch.jsonl",
                    "purpose": "batch",
                    "status": "processed",
                },
            )
        file_id = parts[parts.index("files") + 1]
        return Response(200, self._files.get(file_id, b""), "application/octet-stream")

    # -- processing

    def _ended(self, batch: _Batch) -> bool:
        if batch.results is None and (
            batch.canceled or time.monotonic() - batch.created >= self.config.delay
        ):
            batch.results = self._run(batch)
        return batch.results is not None

    def _run(self, batch: _Batch) -> list[dict[str, Any]]:
        order = list(batch.requests)
        self._random.shuffle(order)
        results = [self._answer(batch, key, body, fault) for key, body, fault in order]
        self._random.shuffle(results)
        return results

    def _answer(self, batch: _Batch, key: str, body: dict[str, Any], fault: str) -> dict[str, Any]:
        from tests.support.emulator import Served

        if batch.canceled:
            fault = "canceled"
        if fault in ("errored", "expired", "canceled"):
            return {"custom_id": key, "fault": fault}
        served = Served(api=f"{batch.api}-batch", received=time.perf_counter())
        self.emulator.served.append(served)
        self.emulator._cache_account(batch.api, body, served)
        self.emulator._reached(self.emulator.config.cache_ready, served)  # processed: readable
        reply = self.emulator.reply(batch.api, body, served)
        text = '{"verdict": "maybe"}' if fault == "invalid" else json.dumps(reply)
        served.output_tokens = max(1, len(text) // CHARS_PER_TOKEN)
        served.finished = time.perf_counter()
        return {"custom_id": key, "fault": "ok", "text": text, "served": served}

    # -- describing, in each API's words

    def _describe(self, batch: _Batch) -> dict[str, Any]:
        ended = self._ended(batch)
        outcomes = [r["fault"] for r in batch.results or []]
        total = len(batch.requests)
        if batch.api == "anthropic":
            return {
                "id": batch.id,
                "type": "message_batch",
                "processing_status": "ended" if ended else "in_progress",
                "request_counts": {
                    "processing": 0 if ended else total,
                    "succeeded": outcomes.count("ok"),
                    "errored": outcomes.count("errored"),
                    "canceled": outcomes.count("canceled"),
                    "expired": outcomes.count("expired"),
                },
                "created_at": "2026-11-30T00:00:00Z",
                "expires_at": "2026-12-01T00:00:00Z",
                "ended_at": "2026-11-30T00:01:00Z" if ended else None,
                "archived_at": None,
                "cancel_initiated_at": None,
                "results_url": f"{self.emulator.url}/v1/messages/batches/{batch.id}/results"
                if ended
                else None,
            }
        failed = len(outcomes) - outcomes.count("ok")
        status = ("cancelled" if batch.canceled else "completed") if ended else "in_progress"
        return {
            "id": batch.id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "errors": None,
            "input_file_id": "file-input",
            "completion_window": "24h",
            "status": status,
            "output_file_id": self._file(batch, ok=True) if ended else None,
            "error_file_id": self._file(batch, ok=False) if ended and failed else None,
            "created_at": int(time.time()),
            "request_counts": {"total": total, "completed": total - failed, "failed": failed}
            if ended
            else {"total": total, "completed": 0, "failed": 0},
        }

    def _results(self, batch: _Batch) -> Response:
        if not self._ended(batch):
            return _json(400, {"type": "error", "error": {"type": "invalid_request_error"}})
        lines = [json.dumps(self._anthropic_line(r)) for r in batch.results or []]
        return Response(200, ("\n".join(lines) + "\n").encode(), "application/binary")

    def _anthropic_line(self, result: dict[str, Any]) -> dict[str, Any]:
        fault = result["fault"]
        if fault == "errored":
            error = {"type": "invalid_request_error", "message": "emulated error"}
            body: dict[str, Any] = {"type": "errored", "error": {"type": "error", "error": error}}
        elif fault in ("expired", "canceled"):
            body = {"type": fault}
        else:
            served = result["served"]
            body = {
                "type": "succeeded",
                "message": {
                    "id": "msg_batch",
                    "type": "message",
                    "role": "assistant",
                    "model": "emulated",
                    "content": [{"type": "text", "text": result["text"]}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {
                        "input_tokens": served.input_tokens,
                        "output_tokens": served.output_tokens,
                        "cache_creation_input_tokens": served.cache_write,
                        "cache_read_input_tokens": served.cache_read,
                    },
                },
            }
        return {"custom_id": result["custom_id"], "result": body}

    def _file(self, batch: _Batch, *, ok: bool) -> str:
        file_id = f"file-{batch.id}-{'out' if ok else 'err'}"
        chosen = [r for r in batch.results or [] if (r["fault"] == "ok") == ok]
        self._files[file_id] = "".join(
            json.dumps(self._openai_line(r)) + "\n" for r in chosen
        ).encode()
        return file_id

    def _openai_line(self, result: dict[str, Any]) -> dict[str, Any]:
        key, fault = result["custom_id"], result["fault"]
        if fault == "expired":
            error = {"code": "batch_expired", "message": "This request could not be executed."}
            return {"id": f"req_{key}", "custom_id": key, "response": None, "error": error}
        if fault != "ok":
            body = {"error": {"message": "emulated error", "type": "server_error"}}
            response = {"status_code": 500, "request_id": "req", "body": body}
            return {"id": f"req_{key}", "custom_id": key, "response": response, "error": None}
        served = result["served"]
        prompt = served.input_tokens + served.cache_read + served.cache_write
        completion = {
            "id": "chatcmpl-batch",
            "object": "chat.completion",
            "created": 0,
            "model": "emulated",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": result["text"], "refusal": None},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": served.output_tokens,
                "total_tokens": prompt + served.output_tokens,
                "prompt_tokens_details": {"cached_tokens": served.cache_read},
            },
        }
        response = {"status_code": 200, "request_id": "req", "body": completion}
        return {"id": f"req_{key}", "custom_id": key, "response": response, "error": None}


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status, json.dumps(body).encode())


def _multipart_file(content_type: str, body: bytes) -> bytes:
    message = BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    for part in message.walk():
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else b""
    return b""
