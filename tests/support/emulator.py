"""A local emulator of the Anthropic Messages API and OpenAI chat completions, streaming.

It exists so panel can be measured as users will feel it without reaching a
model API: point `ANTHROPIC_BASE_URL` or `OPENAI_BASE_URL` (or `--base-url`)
at it and panel runs unchanged. It answers with JSON valid for the schema in
the request, streams it at a set time to first token and token rate, reports
usage as the real APIs do, and models prompt caching as documented: the
HTTP headers go out at once (`begin_delay`), the first event (Claude
`message_start`, OpenAI's first chunk) at the time to first token, and a
prefix written by a response becomes readable only from that first event on,
and only above a minimum length. `cache_ready` moves that moment to the
headers or to the end of the response, to show what a client that fans out
on the headers loses. It can inject 429 (with retry-after), 529, 500, a
dropped stream and a truncated reply, and emulate rate limits per minute with
the services' rate-limit headers (`emulator_limits.py`).

It binds to 127.0.0.1 only. Run it alone with `python -m tests.support.emulator`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.support.emulator_batches import BatchAPIs, BatchConfig
from tests.support.emulator_limits import RateLimiter
from tests.support.emulator_output import fill_schema, grading, is_grading

CHARS_PER_TOKEN = 4


@dataclass
class EmulatorConfig:
    begin_delay: float = 0.0  # seconds from the request to the HTTP headers
    ttft: float = 0.0  # seconds from the request to the first event and token (>= begin_delay)
    # When a prefix this response writes becomes readable by others: the services document
    # "first_event"; "headers" and "complete" are there to compare against.
    cache_ready: Literal["headers", "first_event", "complete"] = "first_event"
    tokens_per_second: float = 0.0  # 0: as fast as possible
    output_tokens: int = 300  # the length the generated reply aims for
    cache_min_tokens: int = 1024
    faults: list[str] = field(
        default_factory=list
    )  # consumed one per request: 429, 529, 500, drop, truncate, ok
    rate_limit: int = 0  # at most this many requests per `rate_window` seconds (0: no limit)
    rate_window: float = 1.0
    requests_per_minute: float = 0  # token-bucket limits with rate-limit headers (0: none)
    input_tokens_per_minute: float = 0
    chunk_tokens: int = 1  # tokens per streamed delta
    batch: BatchConfig = field(default_factory=BatchConfig)  # the batch APIs' delay and faults
    state_call: bool = True  # a quote ends on its verdict's call; False: it makes none
    no_call_every: int = 0  # with state_call, every n-th verdict's quote makes no call (0: none)
    # A first reply's quote ends on the opposite of its verdict's call (a reply to a re-ask
    # states its own): what the rules read as a contradiction.
    opposite_call: bool = False
    # A grader request (`--grader`) is answered with these calls in turn, then "none".
    grader_calls: list[str] = field(default_factory=list)


@dataclass
class Served:
    """What the emulator did for one request, for tests and benchmarks to inspect."""

    api: str
    received: float
    started: float | None = None  # the HTTP headers went out
    first_event: float | None = None  # message_start / the first chunk went out
    finished: float | None = None
    status: int = 200
    fault: str = "ok"
    cache_read: int = 0
    cache_write: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    streamed_tokens: int = 0  # output actually sent: less than output_tokens if the client left
    prefix_key: str | None = None  # the cache entry this response writes, if any
    grader: bool = False  # a grader request (--grader), answered from `grader_calls`


class Emulator:
    def __init__(self, config: EmulatorConfig | None = None, port: int = 0) -> None:
        self.config = config or EmulatorConfig()
        self.port = port
        self.served: list[Served] = []
        self.counted: list[str] = []  # token-counting requests (free, no reply), by API
        self._verdicts = 0  # verdict replies written so far (for `no_call_every`)
        self._cache: dict[str, float] = {}  # prefix key -> the moment it becomes readable
        self._recent: deque[float] = deque()
        self.limits = RateLimiter(
            self.config.requests_per_minute, self.config.input_tokens_per_minute
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self.batches = BatchAPIs(self, self.config.batch)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- life cycle: a thread with its own loop, so the caller's loop stays free

    def __enter__(self) -> Emulator:
        self._thread = threading.Thread(target=self._serve_forever, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the emulator did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop and self._server:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(5)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def _serve_forever(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, host="127.0.0.1", port=self.port)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        with contextlib.suppress(RuntimeError):
            self._loop.run_forever()
        self._loop.close()

    # -- HTTP/1.1 with keep-alive and chunked bodies

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                method, path, headers, body = request
                if self.batches.handles(path):
                    response = self.batches.serve(method, path, headers, body)
                    await _send_bytes(writer, response.status, response.body, response.content_type)
                    continue
                keep = await self._handle(path, body, writer)
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away, or the emulator is shutting down
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, path: str, body: bytes, writer: asyncio.StreamWriter) -> bool:
        if path.endswith(("/messages/count_tokens", "/responses/input_tokens")):
            await self._count_tokens(path, body, writer)
            return True
        api = (
            "anthropic"
            if path.endswith("/messages")
            else "openai"
            if path.endswith("/chat/completions")
            else ""
        )
        if not api:
            await _send_json(writer, 404, {"error": {"type": "not_found_error", "message": path}})
            return True
        served = Served(api=api, received=time.perf_counter())
        self.served.append(served)
        try:
            request = json.loads(body)
        except ValueError:
            served.status = 400
            await _send_json(
                writer, 400, {"error": {"type": "invalid_request_error", "message": "bad JSON"}}
            )
            return True
        refused = self._refusal(served) or self._rate_limited(api, request, served)
        if refused is not None:
            status, headers, kind = refused
            served.status = status
            await _send_json(
                writer, status, {"type": "error", "error": {"type": kind, "message": kind}}, headers
            )
            return True
        await self._stream(api, request, served, writer)
        return served.fault not in ("drop",)

    async def _count_tokens(self, path: str, body: bytes, writer: asyncio.StreamWriter) -> None:
        """Messages count_tokens and Responses input_tokens: the input as the emulator bills it."""
        request = json.loads(body)
        if path.endswith("/messages/count_tokens"):
            self.counted.append("anthropic")
            _, text = _prompt_parts("anthropic", request)
            await _send_json(writer, 200, {"input_tokens": len(text) // CHARS_PER_TOKEN})
            return
        self.counted.append("openai")
        text = str(request.get("instructions") or "") + str(request.get("input") or "")
        tokens = len(text) // CHARS_PER_TOKEN
        await _send_json(writer, 200, {"object": "response.input_tokens", "input_tokens": tokens})

    def _refusal(self, served: Served) -> tuple[int, dict[str, str], str] | None:
        now = time.perf_counter()
        config = self.config
        if config.rate_limit:
            while self._recent and now - self._recent[0] >= config.rate_window:
                self._recent.popleft()
            if len(self._recent) >= config.rate_limit:
                wait = config.rate_window - (now - self._recent[0])
                served.fault = "rate-limited"
                return 429, {"retry-after": f"{max(wait, 0.01):.3f}"}, "rate_limit_error"
            self._recent.append(now)
        fault = config.faults.pop(0) if config.faults else "ok"
        served.fault = fault
        if fault == "429":
            return 429, {"retry-after": "0.05"}, "rate_limit_error"
        if fault in ("529", "500"):
            return int(fault), {}, "overloaded_error" if fault == "529" else "api_error"
        return None

    def _rate_limited(
        self, api: str, request: dict[str, Any], served: Served
    ) -> tuple[int, dict[str, str], str] | None:
        if not self.limits.active:
            return None
        wait = self.limits.admit(self._counted_tokens(api, request))
        if wait is None:
            return None
        served.fault = "rate-limited"
        headers = {"retry-after": f"{max(wait, 0.001):.3f}", **self.limits.headers(api)}
        return 429, headers, "rate_limit_error"

    def _counted_tokens(self, api: str, request: dict[str, Any]) -> int:
        """Input tokens a per-minute limit counts: Anthropic leaves out cache reads."""
        prefix, total = _prompt_parts(api, request)
        readable = self._cache.get(f"{api}:{request.get('model')}:{prefix}")
        read = api == "anthropic" and readable is not None and readable <= time.perf_counter()
        return (len(total) - (len(prefix) if read else 0)) // CHARS_PER_TOKEN

    # -- the reply

    def _cache_account(self, api: str, request: dict[str, Any], served: Served) -> None:
        prefix, total = _prompt_parts(api, request)
        prefix_tokens, total_tokens = len(prefix) // CHARS_PER_TOKEN, len(total) // CHARS_PER_TOKEN
        cacheable = prefix_tokens >= self.config.cache_min_tokens and (
            api == "openai" or _marks_cache(request)
        )
        now = time.perf_counter()
        if cacheable:
            key = f"{api}:{request.get('model')}:{prefix}"
            readable_at = self._cache.get(key)
            if readable_at is not None and readable_at <= now:
                served.cache_read = prefix_tokens
            else:
                served.cache_write = prefix_tokens
                self._cache.setdefault(key, float("inf"))
                served.prefix_key = key
        served.input_tokens = total_tokens - served.cache_read - served.cache_write

    def _reached(self, moment: str, served: Served) -> None:
        """The response reached `moment`; if that is when its cache write is ready, it is now."""
        key = served.prefix_key
        if moment == self.config.cache_ready and key and self._cache.get(key) == float("inf"):
            self._cache[key] = time.perf_counter()

    def reply(self, api: str, request: dict[str, Any], served: Served) -> Any:
        """JSON for the request's schema; a grader request gets the next of `grader_calls`."""
        schema = _schema_of(api, request)
        if is_grading(schema):
            served.grader = True
            calls = self.config.grader_calls
            return grading(calls.pop(0) if calls else "none")
        self._verdicts += 1
        every = self.config.no_call_every
        return fill_schema(
            schema,
            _last_user_text(api, request),
            self.config.output_tokens,
            state_call=self.config.state_call and not (every and self._verdicts % every == 0),
            opposite_call=self.config.opposite_call,
            revised=sum(m.get("role") == "user" for m in request.get("messages", [])) > 1,
        )

    async def _stream(
        self, api: str, request: dict[str, Any], served: Served, writer: asyncio.StreamWriter
    ) -> None:
        self._cache_account(api, request, served)
        text = json.dumps(self.reply(api, request, served))
        pieces = _pieces(text, self.config.chunk_tokens * CHARS_PER_TOKEN)
        if served.fault == "truncate":
            pieces = pieces[: max(1, len(pieces) // 3)]
        served.output_tokens = len(pieces) * self.config.chunk_tokens
        events = (
            _Anthropic(served) if api == "anthropic" else _OpenAI(served, request.get("model", ""))
        )
        await asyncio.sleep(self.config.begin_delay)
        await _start_chunked(writer, self.limits.headers(api))
        served.started = time.perf_counter()
        self._reached("headers", served)
        await asyncio.sleep(max(0.0, served.received + self.config.ttft - time.perf_counter()))
        await _send_chunk(writer, events.opening())
        served.first_event = time.perf_counter()
        self._reached("first_event", served)
        gap = (
            self.config.chunk_tokens / self.config.tokens_per_second
            if self.config.tokens_per_second
            else 0.0
        )
        started = time.perf_counter()
        for index, piece in enumerate(pieces):
            if served.fault == "drop" and index == len(pieces) // 2:
                writer.transport.abort()  # the connection dies mid-stream
                return
            await _send_chunk(writer, events.delta(piece))
            served.streamed_tokens += self.config.chunk_tokens
            if gap:
                await asyncio.sleep(max(0.0, started + gap * (index + 1) - time.perf_counter()))
        await _send_chunk(
            writer, events.closing("max_tokens" if served.fault == "truncate" else "end")
        )
        await _send_chunk(writer, b"")
        served.finished = time.perf_counter()
        self._reached("complete", served)


# ---------------------------------------------------------------- wire formats


def _sse(name: str | None, data: Any) -> bytes:
    head = f"event: {name}\n" if name else ""
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"{head}data: {payload}\n\n".encode()


class _Anthropic:
    def __init__(self, served: Served) -> None:
        self.served = served

    def opening(self) -> bytes:
        usage = {
            "input_tokens": self.served.input_tokens,
            "output_tokens": 1,
            "cache_creation_input_tokens": self.served.cache_write,
            "cache_read_input_tokens": self.served.cache_read,
        }
        message: dict[str, Any] = {
            "id": "msg_emulated",
            "type": "message",
            "role": "assistant",
            "model": "emulated",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": usage,
        }
        return _sse("message_start", {"type": "message_start", "message": message}) + _sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )

    def delta(self, text: str) -> bytes:
        return _sse(
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": text},
            },
        )

    def closing(self, stop: str) -> bytes:
        reason = "max_tokens" if stop == "max_tokens" else "end_turn"
        return (
            _sse("content_block_stop", {"type": "content_block_stop", "index": 0})
            + _sse(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": reason, "stop_sequence": None},
                    "usage": {"output_tokens": self.served.output_tokens},
                },
            )
            + _sse("message_stop", {"type": "message_stop"})
        )


class _OpenAI:
    def __init__(self, served: Served, model: str) -> None:
        self.served, self.model = served, model

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-emulated",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    def opening(self) -> bytes:
        return _sse(None, self._chunk({"role": "assistant", "content": ""}))

    def delta(self, text: str) -> bytes:
        return _sse(None, self._chunk({"content": text}))

    def closing(self, stop: str) -> bytes:
        served = self.served
        prompt = served.input_tokens + served.cache_read + served.cache_write
        usage = {
            "id": "chatcmpl-emulated",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": self.model,
            "choices": [],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": served.output_tokens,
                "total_tokens": prompt + served.output_tokens,
                "prompt_tokens_details": {"cached_tokens": served.cache_read},
            },
        }
        finish = "length" if stop == "max_tokens" else "stop"
        return _sse(None, self._chunk({}, finish)) + _sse(None, usage) + _sse(None, "[DONE]")


# ----------------------------------------------------------------- requests


def _prompt_parts(api: str, request: dict[str, Any]) -> tuple[str, str]:
    """The cacheable prefix (system text) and the whole prompt, as text."""
    if api == "anthropic":
        system = request.get("system") or ""
        prefix = (
            "".join(block.get("text", "") for block in system)
            if isinstance(system, list)
            else str(system)
        )
    else:
        prefix = next(
            (m["content"] for m in request.get("messages", []) if m.get("role") == "system"), ""
        )
    rest = "".join(
        str(m.get("content", "")) for m in request.get("messages", []) if m.get("role") != "system"
    )
    return prefix, prefix + rest


def _marks_cache(request: dict[str, Any]) -> bool:
    system = request.get("system")
    return bool(request.get("cache_control")) or (
        isinstance(system, list) and any("cache_control" in block for block in system)
    )


def _schema_of(api: str, request: dict[str, Any]) -> dict[str, Any]:
    if api == "anthropic":
        schema = request.get("output_config", {}).get("format", {}).get("schema")
    else:
        schema = request.get("response_format", {}).get("json_schema", {}).get("schema")
    return schema if isinstance(schema, dict) else {"type": "string"}


def _last_user_text(api: str, request: dict[str, Any]) -> str:
    users = [m for m in request.get("messages", []) if m.get("role") == "user"]
    return str(users[0].get("content", "")) if users else ""


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, dict[str, str], bytes] | None:
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    headers = {
        k.strip().lower(): v.strip()
        for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return method, path, headers, body


async def _send_json(
    writer: asyncio.StreamWriter,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    payload = json.dumps(body).encode()
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    writer.write(
        f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: "
        f"{len(payload)}\r\n"
        f"{extra}\r\n".encode()
        + payload
    )
    await writer.drain()


async def _send_bytes(
    writer: asyncio.StreamWriter, status: int, payload: bytes, content_type: str
) -> None:
    writer.write(
        f"HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\n"
        f"content-length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    await writer.drain()


async def _start_chunked(writer: asyncio.StreamWriter, headers: dict[str, str]) -> None:
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
        + f"{extra}\r\n".encode()
    )
    await writer.drain()


async def _send_chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    await writer.drain()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.emulator", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--ttft", type=float, default=0.5)
    parser.add_argument("--tokens-per-second", type=float, default=60.0)
    parser.add_argument("--output-tokens", type=int, default=300)
    parser.add_argument("--cache-min-tokens", type=int, default=1024)
    parser.add_argument("--chunk-tokens", type=int, default=1)
    parser.add_argument("--cache-ready", choices=["headers", "first_event", "complete"])
    parser.add_argument("--requests-per-minute", type=float, default=0)
    parser.add_argument("--input-tokens-per-minute", type=float, default=0)
    args = parser.parse_args()
    config = EmulatorConfig(
        ttft=args.ttft,
        tokens_per_second=args.tokens_per_second,
        output_tokens=args.output_tokens,
        cache_min_tokens=args.cache_min_tokens,
        chunk_tokens=args.chunk_tokens,
        cache_ready=args.cache_ready or "first_event",
        requests_per_minute=args.requests_per_minute,
        input_tokens_per_minute=args.input_tokens_per_minute,
    )
    with Emulator(config, port=args.port) as emulator:
        print(
            f"emulating on {emulator.url} (Anthropic: {emulator.url}, OpenAI: {emulator.url}/v1)",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
