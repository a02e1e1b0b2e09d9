"""Keeping API keys out of everything panel writes or prints.

An API error may echo the request it refused (headers included), and a base
URL may carry credentials. Every `PanelError` message is passed through
`redact` when it is made (`panel.errors`); base URLs that panel writes down go
through `panel.urls.public_url` first. `redact` removes the values of the key
variables in the environment, the credentials of a base URL (remembered by
`remember_secret`), anything shaped like a provider key or a bearer token, URL
user info and credential query parameters. Text is redacted before it is cut
(`clip`), so a key split by the cut cannot survive as a fragment.
"""

from __future__ import annotations

import os
import re

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 8
_KEY_VARIABLES = ("_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
# Whole tokens only: a shape must not start inside a word, so `/tmp/risk-assessment-2026` or
# `disk-full-volume` keep their letters (`ri[redacted]` helped no one and hid the path).
_KEY_SHAPES = re.compile(
    r"(?<![A-Za-z0-9])(sk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_\-]{8,})"
    r"|(?<![A-Za-z0-9])"
    r"((?:bearer|x-api-key|api-key|authorization)[\"']?\s*[:=]?\s*[\"']?)([A-Za-z0-9._\-]{8,})",
    re.IGNORECASE,
)
# https://user:password@host, and ?key=... / &api_key=... / &token=... in any URL or text.
_URL_USERINFO = re.compile(r"(?<=://)[^/\s@?#\"']+@")
_CREDENTIAL_PARAM = re.compile(
    r"([?&;](?:api[_-]?key|key|token|access[_-]?token|auth[_-]?token|auth|secret|password|"
    r"client[_-]?secret|sig|signature|x[_-]api[_-]key|subscription[_-]key)=)[^&\s\"'#]+",
    re.IGNORECASE,
)
_remembered: set[str] = set()


def remember_secret(value: str) -> None:
    """A credential seen outside the environment (a base URL's): redacted wherever it appears."""
    if len(value) >= MIN_SECRET_LENGTH:
        _remembered.add(value)


def _secret_values() -> list[str]:
    values = {value for name, value in os.environ.items() if name.upper().endswith(_KEY_VARIABLES)}
    values |= _remembered
    return sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def redact(text: str) -> str:
    for value in _secret_values():
        text = text.replace(value, REDACTED)
    text = _URL_USERINFO.sub(f"{REDACTED}@", text)
    text = _CREDENTIAL_PARAM.sub(rf"\1{REDACTED}", text)
    return _KEY_SHAPES.sub(_mask, text)


def holds_secret(text: str) -> bool:
    """Whether `text` holds what `redact` removes: a key, a key's shape, a credential."""
    return redact(text) != text


def clip(text: str, limit: int) -> str:
    """Redacted first, then cut to `limit` characters: the cut can never split a key."""
    return redact(text)[:limit]


def _mask(match: re.Match[str]) -> str:
    if match.group(1):
        return REDACTED
    prefix, value = match.group(2), match.group(3)
    before = match.string[max(0, match.start() - 24) : match.start()].lower()
    if "authoriz" not in before and not _is_credential_context(prefix, value):
        return match.group(0)  # prose: "the bearer receives", "authorization failed-badly"
    return f"{prefix}{REDACTED}"


def _is_credential_context(prefix: str, value: str) -> bool:
    """A header name is followed by `:` or `=` before its value; `Bearer` (outside an
    Authorization header) by a token, which looks like one (a digit in it, or 20 characters
    and more), not by a word of prose."""
    if ":" in prefix or "=" in prefix:
        return True
    if prefix.lstrip("\"'").lower().startswith("bearer"):
        return any(c.isdigit() for c in value) or len(value) >= 20
    return False
