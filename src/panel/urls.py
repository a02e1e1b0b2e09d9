"""Base URLs given by the user: checked before any call, and shown or stored without credentials.

A gateway URL may carry a key (`https://user:KEY@host`, `?api_key=KEY`). The full URL goes to
the SDK, which needs it; everything panel stores or prints (the record, the response cache key,
a log line, the terminal) gets `public_url`, and the credential values are remembered by
`panel.secrets` so that an error echoing them is redacted too.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from panel.errors import InputError
from panel.secrets import REDACTED, holds_secret, redact, remember_secret

SCHEMES = ("http", "https")
_USERINFO = re.compile(r"//[^/?#]*@")
MAX_URL_LENGTH = 2000
# Query parameters that carry a credential by convention (lower case, '-' read as '_').
CREDENTIAL_PARAMS = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "token",
        "access_token",
        "auth",
        "auth_token",
        "secret",
        "password",
        "signature",
        "sig",
        "code",
        "client_secret",
        "x_api_key",
        "subscription_key",
    }
)


def check_base_url(url: str, source: str = "--base-url") -> str:
    """The URL itself if an SDK can call it: http(s), a host, a valid port; else one InputError."""
    if len(url) > MAX_URL_LENGTH:
        raise InputError(f"{source}: a URL of {len(url):,} characters is too long")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise InputError(f"{source}: a URL cannot contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port that is not a number in range
        host = parts.hostname
    except ValueError as exc:
        raise InputError(f"{source}: not a valid URL ({exc}): {public_url(url)}") from exc
    if parts.scheme.lower() not in SCHEMES:
        shown = parts.scheme or "no scheme"
        raise InputError(f"{source}: only http:// and https:// URLs are supported, not {shown}")
    if not host:
        raise InputError(f"{source}: the URL has no host: {public_url(url)}")
    if port == 0:
        raise InputError(f"{source}: port 0 is not a port: {public_url(url)}")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError as exc:
            raise InputError(f"{source}: not a valid IPv6 host: {public_url(url)}") from exc
    _remember_credentials(url)
    return url


def public_url(url: str) -> str:
    """The URL with its user, password, credential-like query values and any key in its path
    (a gateway that takes the key as a path segment) replaced."""
    try:
        parts = urlsplit(url)
        hostport = parts.netloc.rpartition("@")[2]
        netloc = f"{REDACTED}@{hostport}" if "@" in parts.netloc else parts.netloc
        query = urlencode(
            [(k, REDACTED if _is_credential(k) else v) for k, v in parse_qsl(parts.query, True)],
            safe="[]",
        )
        return urlunsplit((parts.scheme, netloc, redact(parts.path), query, ""))
    except ValueError:  # not parseable: drop anything that could be a credential
        return redact(_USERINFO.sub(f"//{REDACTED}@", url.split("?", 1)[0]))


def has_credentials(url: str) -> bool:
    """Whether a URL carries a user, a password or a credential-like query (or fragment) value
    that `public_url` would hide; `[redacted]` placeholders are not credentials."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not parseable: judge it by its text
        return bool(_USERINFO.search(url)) or public_url(url) != url
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo and userinfo != REDACTED:
        return True
    pairs = [*parse_qsl(parts.query, True), *parse_qsl(parts.fragment, True)]
    in_query = any(_is_credential(name) and value != REDACTED for name, value in pairs)
    return in_query or holds_secret(parts.path)


def refuse_credentials(url: str, source: str) -> str:
    """`url` itself, or one InputError if it carries credentials (a public address never does)."""
    if has_credentials(url):
        raise InputError(
            f"{source}: {public_url(url)} carries credentials (user:password@ or a key in the "
            "query); give the public address without them"
        )
    return url


def _is_credential(name: str) -> bool:
    return name.lower().replace("-", "_") in CREDENTIAL_PARAMS


def _remember_credentials(url: str) -> None:
    parts = urlsplit(url)
    for value in (parts.username, parts.password):
        if value:
            remember_secret(value)
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if _is_credential(name):
            remember_secret(value)
