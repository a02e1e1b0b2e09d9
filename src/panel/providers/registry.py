"""From `--model PROVIDER:MODEL` (or the environment) to a provider, wrapped for retries."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from panel.errors import InputError
from panel.models import ModelInfo
from panel.providers.base import Provider
from panel.secrets import redact
from panel.urls import check_base_url

if TYPE_CHECKING:
    from panel.providers.batch import BatchAPI

DEFAULT_MODELS = {"anthropic": "claude-sonnet-5-5", "openai": "gpt-5-mini"}
# The default grader (`--grader`): each provider's smallest current model (see pricing.PRICES).
GRADER_MODELS = {"anthropic": "claude-haiku-4-5", "openai": "gpt-5-nano"}
ALIASES = {"claude": "anthropic"}
# A bare model name (no `provider:`) names its provider by its family's prefix.
INFERRED = [
    ("claude-", "anthropic"),
    ("gpt-", "openai"),
    ("chatgpt-", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
]


@dataclass(frozen=True)
class ModelChoice:
    provider: str
    model: str
    reason: str


def choose_model(
    spec: str | None,
    env: dict[str, str] | None = None,
    reason: str = "chosen with --model",
    source: str = "--model",
) -> ModelChoice:
    """The provider and model `spec` names; a bad one is one InputError naming `source`, where
    the value came from (`--model`, `PANEL_MODEL`, `panel.toml: model`, a record)."""
    env = dict(os.environ) if env is None else env
    if spec is None:
        if env.get("ANTHROPIC_API_KEY"):
            return ModelChoice("anthropic", DEFAULT_MODELS["anthropic"], "ANTHROPIC_API_KEY is set")
        if env.get("OPENAI_API_KEY"):
            return ModelChoice("openai", DEFAULT_MODELS["openai"], "OPENAI_API_KEY is set")
        return ModelChoice("offline", "offline", "no API key is set")
    name, colon, model = spec.strip().partition(":")
    name = ALIASES.get(name.lower(), name.lower())
    if not colon and name not in (*DEFAULT_MODELS, *ALIASES, "offline"):
        name, model = infer_provider(spec.strip(), source), spec.strip()
    if name == "offline":
        model = model.strip() or "offline"
        _check_model_name(model, source)
        return ModelChoice("offline", model, reason)
    if name not in DEFAULT_MODELS:
        raise InputError(
            f"{source}: unknown provider {name!r} (use anthropic:MODEL, openai:MODEL or offline)"
        )
    model = model.strip() or DEFAULT_MODELS[name]
    _check_model_name(model, source)
    return ModelChoice(name, model, reason)


def infer_provider(model: str, source: str = "--model") -> str:
    """The provider of a bare model name: `claude-...` is Anthropic's, `gpt-...`, `o3` OpenAI's."""
    lowered = model.lower()
    for prefix, provider in INFERRED:
        if lowered.startswith(prefix):
            return provider
    raise InputError(
        f"{source}: cannot tell which provider serves {model!r}; write anthropic:{model} "
        f"or openai:{model}"
    )


def _check_model_name(model: str, source: str) -> None:
    if not all(c.isalnum() or c in "-._:/@" for c in model) or len(model) > 100:
        raise InputError(f"{source}: {model!r} is not a model name")
    if redact(model) != model:  # a model's name is printed, names the run folder, is written
        raise InputError(f"{source}: holds an API key (or a key's shape), not a model's name")


def choose_grader(spec: str | None, run: ModelChoice) -> str | None:
    """The grader's model for a run on `run`: the provider's smallest by default (none offline,
    where the rules alone check), `none` for no grader, else a model of the run's own provider
    (`offline` on an offline run: its deterministic grader)."""
    if spec is None:
        return GRADER_MODELS.get(run.provider)
    if spec.strip().lower() == "none":
        return None
    choice = choose_model(spec, env={}, source="--grader")
    if choice.provider != run.provider:
        raise InputError(
            f"--grader: {spec!r} is not a model of {run.provider}, the run's provider "
            "(a grader request goes through the same provider; use --grader none for none)"
        )
    return choice.model


def model_of_record(info: ModelInfo) -> ModelChoice:
    """The model a record was written with, checked like `--model` (a rerun keeps it)."""
    try:
        choice = choose_model(f"{info.provider}:{info.model}", env={}, source="record's model")
    except InputError as exc:
        raise InputError(f"{exc.detail}; pass --model") from exc
    return ModelChoice(choice.provider, choice.model, "the record's model; --model changes it")


def build_provider(
    choice: ModelChoice,
    *,
    base_url: str | None = None,
    offline_delay: float = 0.0,
    cache_retention: str | None = None,
    compat: bool = False,
) -> Provider:
    """The provider for a choice; SDKs are imported only when their provider is used.

    `compat` sends an OpenAI-compatible server only the common subset of chat completions.
    """
    if choice.provider == "offline":
        from panel.providers.offline import OfflineProvider

        return OfflineProvider(delay=offline_delay, variant=choice.model)
    from panel.providers.pacing import PacedProvider
    from panel.providers.retry import RetryingProvider

    base_url = checked_base_url(choice.provider, base_url)

    # Every attempt, retries included, goes through the pacer.
    if choice.provider == "anthropic":
        from panel.providers.claude import ClaudeProvider

        return RetryingProvider(PacedProvider(ClaudeProvider(choice.model, base_url=base_url)))
    from panel.providers.openai_chat import OpenAIProvider

    return RetryingProvider(
        PacedProvider(
            OpenAIProvider(
                choice.model, base_url=base_url, cache_retention=cache_retention, compat=compat
            )
        )
    )


def batch_api_for(provider: Provider) -> BatchAPI:
    """The batch API of the provider under any wrappers (each provider module offers one)."""
    while hasattr(provider, "inner"):
        provider = provider.inner
    name = provider.info.provider
    if name == "offline":
        from panel.providers.offline import OfflineProvider
        from panel.providers.offline_batch import OfflineBatches

        return OfflineBatches(cast(OfflineProvider, provider))
    if name == "anthropic":
        from panel.providers.claude import ClaudeProvider
        from panel.providers.claude_batch import ClaudeBatches

        return ClaudeBatches(cast(ClaudeProvider, provider))
    if name == "openai":
        from panel.providers.openai_batch import OpenAIBatches
        from panel.providers.openai_chat import OpenAIProvider

        return OpenAIBatches(cast(OpenAIProvider, provider))
    raise InputError(f"--batch: {name} has no batch API")


BASE_URL_VARIABLES = {"anthropic": "ANTHROPIC_BASE_URL", "openai": "OPENAI_BASE_URL"}


def checked_base_url(provider: str, base_url: str | None) -> str | None:
    """The flag's URL, else the provider's environment variable's, refused at once if unusable."""
    if base_url is not None:
        return check_base_url(base_url, "--base-url")
    variable = BASE_URL_VARIABLES.get(provider)
    from_env = os.environ.get(variable) if variable else None
    if from_env:
        check_base_url(from_env, variable or "")
    return None
