"""Real recorded traffic, replayed through the provider code as it was recorded.

`tests/conformance/` is a verbatim copy of `../shared/conformance/`: exchanges other projects
recorded against Anthropic, OpenAI, Ollama and vLLM (see its README). Each one is served by the
`httpx2_mock` router with its recorded status, headers and body bytes, whole and one byte at a
time. The expected outcome is read from the recording itself, never from a list of names, so a
new transcript dropped into the folder is checked the same way:

- an error status: retried and then answered if the response allows a retry
  (`x-should-retry`, else 408/409/429/5xx), otherwise one clear line and no second call;
- a refusal (`delta.refusal`, `stop_reason: refusal`): the cell is refused, billed, not re-asked;
- a truncation (`max_tokens`, `length`): never accepted, retried once with a larger budget;
- anything else: a verdict (spliced into the recorded text deltas) with exactly the recorded usage,
  or usage "unknown" when the server reported none.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
import respx

from panel.errors import CellFailure, CellRefused, RunError
from panel.models import Usage
from panel.providers.base import Provider, StructuredRequest
from panel.providers.claude import ClaudeProvider
from panel.providers.openai_chat import OpenAIProvider
from panel.running.orchestrator import CellPlan
from panel.running.structured import Outcome
from tests.helpers import PlanFor, good_reply, instant_retries, sent, verdict_after, verdict_of

HERE = Path(__file__).resolve().parent
CONFORMANCE = HERE / "conformance"
SHARED = HERE.parent.parent / "shared" / "conformance"  # beside the repository, where CI has it
NOT_SERVED = {"content-encoding", "content-length", "transfer-encoding"}
TRUNCATED = {"max_tokens", "model_context_window_exceeded", "length"}
# Cut because prompt and reply filled the context window: a larger output limit makes no room.
WINDOW_FULL = {"model_context_window_exceeded"}
REFUSED = {"refusal", "content_filter"}
ENDED = {"end_turn", "stop_sequence", "tool_use", "stop", "tool_calls", "eos_token", "eos"}
# An error that says the request itself is wrong: never retried, wherever it arrives.
REQUEST_ERRORS = {
    "invalid_request_error",
    "authentication_error",
    "permission_error",
    "not_found_error",
    "request_too_large",
    "invalid_api_key",
}
STRING = r'"((?:[^"\\]|\\.)*)"'


@dataclass(frozen=True)
class Transcript:
    folder: Path

    @property
    def name(self) -> str:
        return f"{self.folder.parent.name}/{self.folder.name}"

    @cached_property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))
        return meta

    @cached_property
    def body(self) -> bytes:
        return (self.folder / str(self.meta["response"]["body_file"])).read_bytes()

    @property
    def status(self) -> int:
        return int(self.meta["response"]["status"])

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [
            (k, v)
            for k, v in self.meta["response"]["headers"].items()
            if k.lower() not in NOT_SERVED
        ]

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def url(self) -> str:
        parts = urlsplit(self.meta["request"]["url"])
        return f"{parts.scheme}://{parts.netloc}{parts.path}"

    @property
    def is_messages_api(self) -> bool:
        return self.url.endswith("/v1/messages")

    @property
    def is_stream(self) -> bool:
        return self.body.lstrip().startswith((b"event:", b"data:"))

    @cached_property
    def payloads(self) -> list[dict[str, Any]]:
        """Every JSON payload of the body: the `data:` lines of a stream, or the one document."""
        texts = [self.body.decode("utf-8", "replace")]
        if self.is_stream:
            lines = texts[0].splitlines()
            texts = [line[5:] for line in lines if line.startswith("data:")]
        found = []
        for text in texts:
            try:
                payload = json.loads(text)
            except ValueError:
                continue  # `[DONE]`, or an error page that is not JSON
            found.append(payload if isinstance(payload, dict) else {})
        return found

    @property
    def stream_error(self) -> dict[str, Any] | None:
        """An error sent inside a 200 response (an SSE `error` event, an error chunk)."""
        if self.status >= 400:
            return None
        for payload in self.payloads:
            error = payload.get("error")
            if isinstance(error, dict) and (
                payload.get("type") == "error" or not self.is_messages_api
            ):
                return error
        return None

    @property
    def retried(self) -> bool:
        advice = self.header("x-should-retry")
        if advice in ("true", "false"):
            return advice == "true"
        return self.status in (408, 409, 429) or self.status >= 500

    @property
    def stop_reason(self) -> str | None:
        """The last stop (or finish) reason the recording gave, if any."""
        if self.is_messages_api:
            reasons = [
                p.get("delta", {}).get("stop_reason")
                for p in self.payloads
                if p.get("type") == "message_delta"
            ]
            reasons += [p.get("stop_reason") for p in self.payloads if p.get("type") == "message"]
        else:
            reasons = [c.get("finish_reason") for p in self.payloads for c in p.get("choices", [])]
        given = [r for r in reasons if r]
        return str(given[-1]) if given else None

    @property
    def stop(self) -> str:
        """How the recorded reply ended: `refusal`, `truncated` or `end`."""
        choices = [c for p in self.payloads for c in p.get("choices", [])]
        if not self.is_messages_api and any(_refusal(c) for c in choices):
            return "refusal"
        last = self.stop_reason
        if last is None:
            return "cut"  # no final event: the stream ended early
        if last in REFUSED:
            return "refusal"
        return "truncated" if last in TRUNCATED else "end" if last in ENDED else "other"

    @property
    def outcome(self) -> str:
        if self.status >= 400:
            return "retried" if self.retried else "rejected"
        if self.stream_error is not None:
            kind = self.stream_error.get("type") or self.stream_error.get("code")
            return "rejected" if kind in REQUEST_ERRORS else "retried"
        outcomes = {"end": "verdict", "refusal": "refused", "truncated": "truncated"}
        return outcomes.get(self.stop, "failed")  # "other", "cut": no verdict, never accepted

    def usage(self) -> Usage:
        """The usage the recording reports, worked out from the bytes (not from panel's code)."""
        return (
            _messages_usage(self.payloads) if self.is_messages_api else _chat_usage(self.payloads)
        )

    def response(self, body: bytes | None = None, *, bytewise: bool = False) -> httpx.Response:
        content = self.body if body is None else body
        if bytewise:
            return httpx.Response(
                self.status, headers=self.headers, stream=_OneByteAtATime(content)
            )
        return httpx.Response(self.status, headers=self.headers, content=content)

    def with_text(self, text: str) -> bytes:
        """The recorded body with `text` spread over the deltas (or message) that carried text.

        Only the string values change: event names, framing, padding, usage and stop reasons stay
        as recorded. Deltas that were empty stay empty.
        """
        if not self.is_stream:
            return json.dumps(_with_text(json.loads(self.body), text)).encode("utf-8")
        lines = self.body.decode("utf-8").split("\n")
        carriers = [i for i, line in enumerate(lines) if _carried(line, self.is_messages_api)]
        pieces = _split(text, len(carriers))
        for index, piece in zip(carriers, pieces, strict=True):
            lines[index] = _replace_text(lines[index], piece, self.is_messages_api)
        return "\n".join(lines).encode("utf-8")


def _with_text(document: dict[str, Any], text: str) -> dict[str, Any]:
    """A whole (non-streamed) reply whose text is `text`: the first block, or tool input."""
    for block in document.get("content") or []:  # a Messages API message
        if block.get("type") == "text":
            block["text"], text = text, ""
        elif block.get("type") == "tool_use":
            block["input"], text = json.loads(text) if text else {}, ""
    for choice in document.get("choices") or []:  # a chat completion
        message = choice.get("message") or {}
        calls = message.get("tool_calls") or []
        if calls and not message.get("content"):
            calls[0]["function"]["arguments"], text = text, ""
        else:
            message["content"], text = text, ""
    return document


class _OneByteAtATime(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for index in range(len(self.body)):
            yield self.body[index : index + 1]

    def __iter__(self) -> Iterator[bytes]:
        for index in range(len(self.body)):
            yield self.body[index : index + 1]

    async def aclose(self) -> None:
        return None

    def close(self) -> None:
        return None


def _refusal(choice: dict[str, Any]) -> bool:
    part = choice.get("delta") or choice.get("message") or {}
    return bool(part.get("refusal"))


def _text_keys(messages_api: bool) -> tuple[str, ...]:
    return ("text", "partial_json") if messages_api else ("content", "arguments")


def _carried_text(payload: dict[str, Any], messages_api: bool) -> str:
    if messages_api:
        delta = payload.get("delta", {}) if payload.get("type") == "content_block_delta" else {}
        return (
            str(delta.get("text") or delta.get("partial_json") or "")
            if isinstance(delta, dict)
            else ""
        )
    texts = []
    for choice in payload.get("choices", []):
        part = choice.get("delta") or choice.get("message") or {}
        texts.append(part.get("content") or "")
        texts += [
            call.get("function", {}).get("arguments") or "" for call in part.get("tool_calls") or []
        ]
    return "".join(texts)


def _carried(line: str, messages_api: bool) -> bool:
    body = line[5:] if line.startswith("data:") else line
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    if messages_api and payload.get("delta", {}).get("type") not in (
        "text_delta",
        "input_json_delta",
    ):
        return False
    return isinstance(payload, dict) and bool(_carried_text(payload, messages_api))


def _replace_text(line: str, piece: str, messages_api: bool) -> str:
    """Swap the first non-empty text-carrying string literal of the line for `piece`."""
    for key in _text_keys(messages_api):
        for match in re.finditer(rf'"{key}"\s*:\s*{STRING}', line):
            if match.group(1):
                start, end = match.span(1)
                return line[: start - 1] + json.dumps(piece) + line[end + 1 :]
    raise AssertionError(f"no text to replace in {line[:80]!r}")


def _split(text: str, parts: int) -> list[str]:
    assert parts > 0, "a transcript that ends normally must carry some text"
    size = -(-len(text) // parts)
    pieces = [text[i * size : (i + 1) * size] for i in range(parts)]
    return [piece or " " for piece in pieces]  # an empty delta would change the framing's meaning


USAGE_NAMES = {
    "input_tokens": "input_tokens",
    "output_tokens": "output_tokens",
    "cache_creation_input_tokens": "cache_write_tokens",
    "cache_read_input_tokens": "cache_read_tokens",
}


def _messages_usage(payloads: list[dict[str, Any]]) -> Usage:
    """message_start's input side, overlaid by message_delta's keys; `iterations` when present."""
    totals: dict[str, int] = {}
    iterations: list[dict[str, Any]] = []
    for payload in payloads:
        usage = (
            payload.get("message", {}).get("usage")
            if payload.get("type") == "message_start"
            else None
        )
        usage = (
            payload.get("usage") if payload.get("type") in ("message_delta", "message") else usage
        )
        if usage:
            totals.update({k: v for k, v in usage.items() if k in USAGE_NAMES and v is not None})
            iterations = usage.get("iterations") or iterations
    if iterations:
        totals = {key: sum(step.get(key) or 0 for step in iterations) for key in USAGE_NAMES}
    return Usage.model_validate({USAGE_NAMES[k]: v for k, v in totals.items()})


def _chat_usage(payloads: list[dict[str, Any]]) -> Usage:
    reported = [p["usage"] for p in payloads if p.get("usage")]
    if not reported:
        return Usage(reported=False)
    usage = reported[-1]
    details = usage.get("prompt_tokens_details") or {}
    cached, written = details.get("cached_tokens") or 0, details.get("cache_write_tokens") or 0
    return Usage(
        input_tokens=usage["prompt_tokens"] - cached - written,
        output_tokens=usage["completion_tokens"],
        cache_read_tokens=cached,
        cache_write_tokens=written,
    )


def roots() -> list[Path]:
    """The copied folder, and any other recorded traffic named by PANEL_EXTRA_CONFORMANCE
    (folders laid out the same way, separated by the path separator)."""
    extra = os.environ.get("PANEL_EXTRA_CONFORMANCE", "")
    return [CONFORMANCE, *(Path(part) for part in extra.split(os.pathsep) if part)]


def transcripts() -> list[Transcript]:
    return [Transcript(m.parent) for root in roots() for m in sorted(root.glob("*/*/meta.json"))]


ALL = transcripts()
USED: set[str] = set()


def by_outcome(*outcomes: str) -> list[Any]:
    chosen = [t for t in ALL if t.outcome in outcomes]
    USED.update(t.name for t in chosen)
    if not chosen:  # said, not pytest's bare "empty parameter set": the test waits for one
        reason = f"no recording in tests/conformance ends as {' or '.join(outcomes)!r} yet"
        return [pytest.param(None, id="none-recorded", marks=pytest.mark.skip(reason=reason))]
    return [pytest.param(t, id=t.name) for t in chosen]


# ------------------------------------------------------------------ building the client


def provider_for(transcript: Transcript, monkeypatch: pytest.MonkeyPatch) -> Provider:
    """The client production builds for this service, with instant retry waits."""
    model = transcript.meta["request"]["model"]
    if transcript.is_messages_api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-replay")
        origin = transcript.url.removesuffix("/v1/messages")
        return instant_retries(ClaudeProvider(model, base_url=origin))  # type: ignore[no-any-return]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-replay")
    base_url = transcript.url.removesuffix("/chat/completions")
    return instant_retries(OpenAIProvider(model, base_url=base_url))  # type: ignore[no-any-return]


def verdict_text(request: StructuredRequest) -> str:
    return json.dumps(good_reply(request), ensure_ascii=False)


E = TypeVar("E", bound=BaseException)


@dataclass
class Replay:
    """One transcript's service: the client built for it, the builder's cell, and the route."""

    transcript: Transcript
    provider: Provider
    plan: CellPlan
    route: respx.Route

    def answer(self, *bodies: bytes | None) -> Outcome:
        """The cell's outcome when the service serves the recording once per body, in turn (the
        recorded body where None)."""
        self.route.mock(side_effect=[self.transcript.response(body) for body in bodies])
        return verdict_of(self.provider, self.plan)

    def failure(self, kind: type[E], *bodies: bytes | None) -> E:
        """The error of kind `kind` the cell ends with, served these bodies in turn."""
        with pytest.raises(kind) as caught:
            self.answer(*bodies)
        return caught.value


@pytest.fixture
def replay(
    transcript: Transcript,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
    monkeypatch: pytest.MonkeyPatch,
) -> Replay:
    provider = provider_for(transcript, monkeypatch)
    return Replay(transcript, provider, builder_plan(provider), httpx2_mock.post(transcript.url))


def a_success_like(transcript: Transcript) -> Transcript:
    """A recorded normal reply of the same API (the same service first), to answer a retry."""
    same_api = [
        t
        for t in ALL
        if t.outcome == "verdict"
        and t.is_stream
        and t.is_messages_api == transcript.is_messages_api
    ]
    return min(same_api, key=lambda t: t.folder.parent != transcript.folder.parent)


# ------------------------------------------------------------------ the outcomes


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
@pytest.mark.parametrize("transcript", by_outcome("verdict"))
def test_a_normal_reply_gives_a_verdict_with_the_recorded_usage(
    transcript: Transcript, bytewise: bool, replay: Replay
) -> None:
    text = verdict_text(replay.plan.request)
    recorded = transcript.response(transcript.with_text(text), bytewise=bytewise)
    outcome = verdict_after(replay.route, replay.provider, replay.plan, recorded)
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    assert outcome.usage == transcript.usage()


@pytest.mark.parametrize("transcript", by_outcome("retried"))
def test_a_retryable_error_is_retried_then_answered(transcript: Transcript, replay: Replay) -> None:
    success = a_success_like(transcript)
    text = verdict_text(replay.plan.request)
    answers = [transcript.response(), success.response(success.with_text(text))]
    outcome = verdict_after(replay.route, replay.provider, replay.plan, *answers)
    assert outcome.verdict.model_dump(mode="json") == json.loads(text)
    # An error status cost nothing; an error inside a begun stream cost what it had reported.
    lost = transcript.usage() if transcript.status < 400 and transcript.is_messages_api else Usage()
    assert outcome.usage == success.usage() + lost
    wait = transcript.header("retry-after")
    if wait is not None and wait.isdigit():
        sleeps = replay.provider.sleeps  # type: ignore[attr-defined]
        assert float(wait) <= sleeps[0] <= float(wait) + 1


@pytest.mark.parametrize("transcript", by_outcome("rejected"))
def test_a_final_error_is_one_clear_line_and_no_retry(
    transcript: Transcript, replay: Replay
) -> None:
    message = str(replay.failure(RunError, None, None))
    assert replay.route.call_count == 1
    assert "\n" not in message and "gave up" not in message
    error = transcript.stream_error or next(
        (p["error"] for p in transcript.payloads if isinstance(p.get("error"), dict)), {}
    )
    assert str(error.get("message", ""))[:40] in message
    if transcript.status >= 400:
        assert str(transcript.status) in message
    else:
        assert str(error.get("type") or error.get("code")) in message


@pytest.mark.parametrize("transcript", by_outcome("failed"))
def test_a_reply_that_stopped_otherwise_is_never_a_verdict(
    transcript: Transcript, replay: Replay
) -> None:
    body = transcript.body
    if transcript.stop != "cut":  # a whole verdict in its text changes nothing
        body = transcript.with_text(verdict_text(replay.plan.request))
    replay.route.mock(return_value=transcript.response(body))
    with pytest.raises(RunError):
        verdict_of(replay.provider, replay.plan)
    assert replay.route.call_count >= 1


@pytest.mark.parametrize("transcript", by_outcome("refused"))
def test_a_refusal_is_recorded_as_refused_billed_and_not_reasked(
    transcript: Transcript, replay: Replay
) -> None:
    refused = replay.failure(CellRefused, None, None)
    assert replay.route.call_count == 1
    assert refused.usage == transcript.usage()
    assert refused.cell_status == "refused"


@pytest.mark.parametrize("transcript", by_outcome("truncated"))
def test_a_truncation_is_never_accepted_and_gets_one_larger_budget(
    transcript: Transcript, replay: Replay
) -> None:
    # Even with a whole verdict in its text, a cut reply is not a verdict.
    cut = transcript.with_text(verdict_text(replay.plan.request))
    failure = replay.failure(CellFailure, cut, cut, cut)
    if transcript.stop_reason in WINDOW_FULL:  # no output limit makes room: asked once
        assert "truncated" in str(failure) and replay.route.call_count == 1
        assert failure.usage == transcript.usage()
        return
    assert "truncated" in str(failure) and replay.route.call_count == 2
    limits = [_output_limit(sent(replay.route, call)) for call in (0, 1)]
    assert limits[1] > limits[0] == replay.plan.request.max_tokens
    assert failure.usage == transcript.usage() + transcript.usage()  # both calls are paid


def _output_limit(body: dict[str, Any]) -> int:
    return int(body.get("max_tokens") or body["max_completion_tokens"])


def test_every_transcript_is_replayed() -> None:
    folders = {
        f"{d.parent.name}/{d.name}" for root in roots() for d in root.glob("*/*") if d.is_dir()
    }
    assert len(folders) >= 23
    assert folders == USED, f"not replayed by any test: {sorted(folders - USED)}"


def test_the_copy_is_byte_identical_to_the_shared_folder() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not beside the repository here (CI has it)")
    ours = {
        p.relative_to(CONFORMANCE): p.read_bytes() for p in CONFORMANCE.rglob("*") if p.is_file()
    }
    theirs = {p.relative_to(SHARED): p.read_bytes() for p in SHARED.rglob("*") if p.is_file()}
    assert sorted(ours) == sorted(theirs)
    assert [k for k in ours if ours[k] != theirs[k]] == []
