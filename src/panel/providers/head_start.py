"""A head start for a provider's first request: it leaves over httpx2 while the SDK loads.

Importing an SDK takes most of a second (anthropic's types are hundreds of pydantic models), and
a run's warm-up call, whose first streamed event makes the prompt cache readable for every other
cell, would wait for it. So the provider module writes down the request its SDK is about to send
(`WireRequest`: method, URL, headers, JSON body), and `HeadStart.send` sends it at once while
the SDK is imported in a worker thread (`panel.providers.sdk`). Then the SDK makes that same call
itself, through an http client of its own kind (`HeadStartClient`, mixed into the SDK's
`DefaultAsyncHttpxClient`) whose `send` hands back the response already on its way: the status
errors, the event stream, usage, refusals, retries and rate-limit headers are all the SDK's own,
exactly as on any later request.

What this relies on, pinned by tests/test_head_start.py against the installed SDKs (no private
SDK API is called): the SDK takes an `http_client` (its documented hook) and sends each attempt
through `http_client.send`; and the request written here is the one the SDK builds, header for
header and byte for byte. Where the provider cannot write it so (an SDK older than the one it was
written for, custom headers from the environment) there is no head start, and a request the SDK
builds differently (another method, URL or JSON body) is never answered by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import platform
import re
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx2


@dataclass(frozen=True)
class WireRequest:
    """A request as an SDK sends it: the headers include the API key, so it is never shown."""

    method: str
    url: str
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    timeout: float


@dataclass
class _Sent:
    request: httpx2.Request
    response: asyncio.Task[httpx2.Response]
    taken: bool = False


class HeadStart:
    """At most one request sent ahead of its SDK, on an httpx2 client of its own.

    The client is a plain one (redirects followed and proxies read from the environment, as the
    SDK's are); it lives until `aclose`, since the response it opened may still be streaming.
    """

    def __init__(self) -> None:
        self.used = False
        self._client: httpx2.AsyncClient | None = None
        self._sent: _Sent | None = None

    def send(self, wire: WireRequest) -> None:
        """Send `wire` now (the response awaited by whoever takes it); only the first time."""
        if self.used:
            return
        self.used = True
        self._client = httpx2.AsyncClient(follow_redirects=True)
        request = self._client.build_request(
            wire.method, wire.url, headers=wire.headers, content=wire.body, timeout=wire.timeout
        )
        response = asyncio.ensure_future(self._client.send(request, stream=True))
        self._sent = _Sent(request, response)

    def take(self, request: httpx2.Request) -> asyncio.Task[httpx2.Response] | None:
        """The response on its way to the request sent ahead, if `request` is that request."""
        sent = self._sent
        if sent is None or sent.taken or not _same_request(sent.request, request):
            return None
        sent.taken = True
        return sent.response

    async def discard(self) -> None:
        """Close the response sent ahead if nobody took it (a call cancelled while the SDK
        loaded, or a request the SDK built differently)."""
        sent = self._sent
        if sent is None or sent.taken:
            return
        sent.taken = True
        if not sent.response.done():
            sent.response.cancel()
        with contextlib.suppress(BaseException):  # cancelled above, or failed: nothing to close
            await (await sent.response).aclose()

    async def aclose(self) -> None:
        await self.discard()
        if self._client is not None:
            await self._client.aclose()


def _same_request(sent: httpx2.Request, asked: httpx2.Request) -> bool:
    if sent.method != asked.method or sent.url != asked.url:
        return False
    if sent.content == asked.content:
        return True
    try:  # the same JSON written in another key order is the same question
        return bool(json.loads(sent.content) == json.loads(asked.content))
    except ValueError:
        return False


class HeadStartClient(httpx2.AsyncClient):
    """Mixed into an SDK's default httpx2 client: the request sent ahead is answered by the
    response already on its way; every other request is sent as the SDK's client sends it."""

    def __init__(self, *, head_start: HeadStart, **options: Any) -> None:
        self.head_start = head_start
        super().__init__(**options)

    async def send(
        self, request: httpx2.Request, *, stream: bool = False, **options: Any
    ) -> httpx2.Response:
        early = self.head_start.take(request)
        if early is None:
            return await super().send(request, stream=stream, **options)
        response = await early
        response.request = request  # the SDK reads its own request back from the response
        self.cookies.extract_cookies(response)  # as this client's own send keeps them
        if not stream:
            try:
                await response.aread()
            except BaseException:
                await response.aclose()
                raise
        return response


def stainless_headers(
    package: str, *, user_agent: str, written_for: tuple[int, int]
) -> dict[str, str] | None:
    """The agent and platform headers a Stainless-built SDK (anthropic, openai) sends, as both
    write them on Linux, macOS and Windows (telemetry: a rarer system's name may differ).

    None when the installed SDK is older than `written_for`, the version whose requests the
    provider writes (an older one may send another API version), or its version is unknown.
    """
    try:
        sdk_version = version(package)
    except PackageNotFoundError:
        return None
    release = re.match(r"(\d+)\.(\d+)", sdk_version)
    if release is None or (int(release[1]), int(release[2])) < written_for:
        return None
    return {
        "User-Agent": f"{user_agent}/Python {sdk_version}",
        "X-Stainless-Lang": "python",
        "X-Stainless-Package-Version": sdk_version,
        "X-Stainless-OS": _stainless_os(platform.system().lower()),
        "X-Stainless-Arch": _stainless_arch(platform.machine().lower()),
        "X-Stainless-Runtime": platform.python_implementation(),
        "X-Stainless-Runtime-Version": platform.python_version(),
    }


def _stainless_os(system: str) -> str:
    named = {"darwin": "MacOS", "windows": "Windows", "linux": "Linux", "freebsd": "FreeBSD"}
    return named.get(system, f"Other:{system}" if system else "Unknown")


def _stainless_arch(machine: str) -> str:
    named = {"arm64": "arm64", "aarch64": "arm64", "arm": "arm", "x86_64": "x64"}
    if machine in named:
        return named[machine]
    if sys.maxsize <= 2**32:
        return "x32"
    return f"other:{machine}" if machine else "unknown"


def sdk_body(fields: dict[str, Any], order: tuple[str, ...]) -> bytes:
    """A JSON body as the SDKs write it: their field order (fields they do not name last),
    compact, UTF-8."""
    rank = {key: index for index, key in enumerate(order)}
    ordered = {key: fields[key] for key in sorted(fields, key=lambda key: rank.get(key, len(rank)))}
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def joined_url(base_url: str, path: str) -> str:
    """`path` under `base_url`, joined as the SDKs join them (a slash added to the base)."""
    base = httpx2.URL(base_url)
    raw_path = base.raw_path if base.raw_path.endswith(b"/") else base.raw_path + b"/"
    return str(base.copy_with(raw_path=raw_path + path.lstrip("/").encode()))


def sdk_http_client(
    default_client: type[httpx2.AsyncClient],
    head_start: HeadStart,
    options: dict[str, Any],
    default_base_url: str,
) -> httpx2.AsyncClient:
    """An SDK's default http client (`default_client`), answering the request sent ahead, made
    as the SDK makes its own: its base URL (or the SDK's default) and timeout."""

    class HttpClient(HeadStartClient, default_client):  # type: ignore[valid-type,misc]
        """The SDK's default http client, answering a request sent ahead."""

    base_url = options["base_url"] or default_base_url
    client: httpx2.AsyncClient = HttpClient(
        head_start=head_start, base_url=base_url, timeout=options["timeout"]
    )
    return client
