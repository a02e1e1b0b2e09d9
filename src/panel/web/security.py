"""What every request passes: headers on every response, writes refused across sites, the
editor's token, the readers' cookie and a rate limit on votes.

Cross-site writes are refused twice over: a browser's `Origin` must match the `Host` it sent
the request to, and every editor's write carries `Authorization: Bearer TOKEN`, a header only
the page's own script can add (a form on another site cannot).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The served pages load one script and one stylesheet from the server and talk only to it.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PREFLIGHT = {
    "access-control-allow-methods": "GET, POST",
    "access-control-allow-headers": "content-type, x-panel-voter",
    "access-control-max-age": "600",
}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
VOTER_COOKIE = "panel_voter"
VOTER_HEADER = "x-panel-voter"  # a published page on another site keeps its voter id itself


class SecurityHeaders:
    """ASGI middleware: a Content-Security-Policy and friends on every response, and writes
    from another site refused before any route sees them."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int,
        allowed_origins: tuple[str, ...] = (),
        hosts: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.allowed_origins = allowed_origins
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        if self.hosts and _host_name(request_headers.get("host", "")) not in self.hosts:
            # A page whose DNS name was rebound to 127.0.0.1 reaches us under its own name.
            refused = JSONResponse({"error": "unknown Host for this server"}, status_code=421)
            await refused(scope, receive, send)
            return
        length = request_headers.get("content-length", "0")
        if (
            not (len(length) < 16 and length.isascii() and length.isdigit())
            or int(length) > self.max_body
        ):
            response = JSONResponse(
                {"error": f"request body over {self.max_body // 1024} KiB"}, status_code=413
            )
            await response(scope, receive, send)
            return
        received = 0

        async def bounded_receive() -> Message:  # a body sent without a length is counted
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise HTTPException(413, f"request body over {self.max_body // 1024} KiB")
            return message

        origin = request_headers.get("origin")
        cors = origin if origin and _is_public_path(scope["path"]) else None
        cors = cors if cors in self.allowed_origins else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", PAGE_POLICY)
                headers["x-content-type-options"] = "nosniff"
                headers["referrer-policy"] = "no-referrer"
                headers["x-frame-options"] = "DENY"
                headers.setdefault("cache-control", "no-store")
                if cors:
                    headers["access-control-allow-origin"] = cors
                    headers["access-control-expose-headers"] = VOTER_HEADER
                    headers["vary"] = "Origin"
            await send(message)

        if scope["method"] == "OPTIONS" and cors:  # a published page's preflight
            preflight = Response(status_code=204, headers=PREFLIGHT)
            await preflight(scope, receive, send_with_headers)
            return
        await self.app(scope, bounded_receive, send_with_headers)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _host_name(host: str) -> str:
    """The name in a Host header, without its port (`[::1]:8765` -> `::1`)."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0].lower()


def _is_public_path(path: str) -> bool:
    """What a page published on another site (`--allow-origin`) may fetch: votes, and the
    desk's script (a module script is fetched with CORS)."""
    return path.startswith("/static/") or (
        path.startswith("/api/runs/") and path.endswith("/votes")
    )


def check_origin(request: Request, allowed: tuple[str, ...] = ()) -> None:
    """Refuse a write a browser sends from another site (the `Origin` it names is not the
    server it talks to). Clients that send no Origin (curl, scripts) are judged by the token."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin is None:
        if request.headers.get("sec-fetch-site") == "cross-site":
            raise HTTPException(403, "cross-site request refused")
        return
    if origin in allowed:
        return
    try:
        netloc = urlsplit(origin).netloc.lower()
    except ValueError:  # a bracketed host that is no IP address: no page sends it
        netloc = None
    if origin == "null" or netloc != request.headers.get("host", "").lower():
        raise HTTPException(403, "cross-site request refused (Origin does not match Host)")


def require_editor(request: Request, token: str) -> None:
    """The editor's token, compared in constant time; else 401 (none) or 403 (wrong)."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise HTTPException(401, "this needs the editor token (Authorization: Bearer TOKEN)")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPException(403, "wrong editor token")


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Voters:
    """Reader ids the server issued: `random.signature`, so a client cannot mint its own."""

    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def issue(self) -> str:
        voter = secrets.token_urlsafe(16)
        return f"{voter}.{self._sign(voter)}"

    def check(self, value: str | None) -> str | None:
        """The voter id in a cookie or header value, if the server signed it."""
        voter, dot, signature = (value or "").partition(".")
        if (
            not dot
            or len(value or "") > 200
            # as bytes: compare_digest refuses str holding non-ASCII (a header is Latin-1)
            or not hmac.compare_digest(signature.encode(), self._sign(voter).encode())
        ):
            return None
        return voter

    def _sign(self, voter: str) -> str:
        return hmac.new(self.secret, voter.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class Bucket:
    tokens: float
    stamp: float


class RateLimit:
    """A token bucket per client (address, plus the reader's id when the server issued one):
    `burst` votes at once, then `rate` a second. At most `clients` buckets are kept."""

    def __init__(self, burst: float = 30, rate: float = 10, clients: int = 10_000) -> None:
        self.burst, self.rate, self.clients = burst, rate, clients
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def take(self, client: str, now: float | None = None) -> float:
        """0 if the client may go on, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(client, None) or Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        self._buckets[client] = bucket
        while len(self._buckets) > self.clients:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate
