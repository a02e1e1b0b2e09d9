"""What each model takes on the wire, decided from its name in one place.

Sources: shared/PROVIDERS.md (November 2026) and the installed SDKs. A model
this module does not recognise gets the conservative answer: no effort, no
reasoning parameters, no `prompt_cache_options`; `temperature` is never sent
to a model that rejects it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from panel.urls import public_url

# Claude 4.6 and later (and Opus 4.5) accept `output_config.effort`; 5.x models think adaptively
# by default, billed as output and counted against max_tokens, so a bound matters there.
_CLAUDE = re.compile(r"claude-(?:[a-z]+)-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?(?:-latest)?$")
_GPT = re.compile(r"gpt-(\d+)(?:\.(\d+))?")
_O_SERIES = re.compile(r"o\d+(?:-|$)")
EFFORT_SINCE = (4, 6)
EFFORT_ALSO = ("claude-opus-4-5",)
PROMPT_CACHE_OPTIONS_SINCE = (5, 6)

# OpenAI-compatible servers that run locally and take only the common subset of chat completions.
KNOWN_LOCAL_SERVERS = {11434: "Ollama", 8000: "vLLM", 8080: "llama.cpp", 1234: "LM Studio"}
LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"}


def _bare(model: str) -> str:
    """A gateway's `vendor/model` names the same model."""
    return model.rsplit("/", 1)[-1].lower()


def claude_takes_effort(model: str) -> bool:
    name = _bare(model)
    if name.startswith(EFFORT_ALSO):
        return True
    found = _CLAUDE.match(name)
    if found is None:
        return False
    version = (int(found.group(1)), int(found.group(2) or 0))
    return version >= EFFORT_SINCE


def openai_reasons(model: str) -> bool:
    """gpt-5 and later, and the o-series, reason by default and reject `temperature`."""
    name = _bare(model)
    if _O_SERIES.match(name):
        return True
    found = _GPT.match(name)
    return found is not None and int(found.group(1)) >= 5 and "-chat" not in name


def openai_takes_prompt_cache_options(model: str) -> bool:
    found = _GPT.match(_bare(model))
    if found is None:
        return False
    return (int(found.group(1)), int(found.group(2) or 0)) >= PROMPT_CACHE_OPTIONS_SINCE


OFFLINE_LABEL = "offline (not a language model: canned, deterministic drafts)"


def model_label(provider: str, model: str, base_url: str | None) -> str:
    """How outputs name a model; worked out without the SDK, so the CLI can say it at once."""
    if provider == "anthropic":
        return f"Claude ({model})"
    elsewhere = base_url is not None and "api.openai.com" not in base_url
    where = f" at {public_url(base_url)}" if base_url and elsewhere else ""
    return f"OpenAI-compatible ({model}{where})"


def known_local_server(base_url: str | None) -> str | None:
    """The name of a well-known local compatible server at this URL (Ollama on :11434, ...)."""
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if (parts.hostname or "").lower() not in LOOPBACK:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return KNOWN_LOCAL_SERVERS.get(port) if port else None
