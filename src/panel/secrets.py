"""Keeping API keys out of everything panel writes or prints.

Errors are the one path by which a provider's words reach a record, a log
line or the terminal, and an API error may echo the request it refused
(headers included). Every panel error message is passed through `redact`,
which removes the values of the key variables in the environment and
anything shaped like a provider key or a bearer token.
"""

from __future__ import annotations

import os
import re

REDACTED = "[redacted]"
_KEY_VARIABLES = ("_API_KEY", "_AUTH_TOKEN", "_TOKEN")
_KEY_SHAPES = re.compile(
    r"(sk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_\-]{8,})"
    r"|((?:bearer|x-api-key|api-key|authorization)[\"']?\s*[:=]?\s*[\"']?)([A-Za-z0-9._\-]{8,})",
    re.IGNORECASE,
)


def _secret_values() -> list[str]:
    values = [value for name, value in os.environ.items() if name.upper().endswith(_KEY_VARIABLES)]
    return sorted((v for v in values if len(v) >= 8), key=len, reverse=True)


def redact(text: str) -> str:
    for value in _secret_values():
        text = text.replace(value, REDACTED)
    return _KEY_SHAPES.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    if match.group(1):
        return REDACTED
    return f"{match.group(2)}{REDACTED}"
