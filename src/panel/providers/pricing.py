"""Prices and prompt-cache minimums, kept in one place.

Prices are dollars per million tokens. Cache multipliers apply to the
model's input price: a cache write costs more than plain input, a read much
less. Savings are computed from the usage the provider reported, against the
same tokens billed as plain input: measured, never guessed.
Sources, as published in November 2026 (re-check before changing a number): Anthropic's pricing page
(https://docs.anthropic.com/en/docs/about-claude/pricing, prompt-caching multipliers included)
and OpenAI's (https://openai.com/api/pricing/). A model not listed has no known price, and its
cost is left empty rather than invented. Write the month you read the pages when you update.
"""

from __future__ import annotations

from dataclasses import dataclass

from panel.models import Cost, Usage


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cache_read: float = 0.1  # multiple of the input price
    cache_write_5m: float = 1.25
    cache_write_1h: float = 2.0


# Longest matching prefix wins, so dated ids ("claude-haiku-4-5-20251001") find their family.
PRICES: dict[str, Price] = {
    "anthropic:claude-opus-5-5": Price(4, 20, cache_read=0.05),
    "anthropic:claude-sonnet-5-5": Price(2, 10, cache_read=0.05),
    "anthropic:claude-sonnet-5": Price(2, 10),
    "anthropic:claude-opus-5": Price(5, 25),
    "anthropic:claude-opus-4-8": Price(5, 25),
    "anthropic:claude-opus-4-7": Price(5, 25),
    "anthropic:claude-opus-4-6": Price(5, 25),
    "anthropic:claude-opus-4-5": Price(5, 25),
    "anthropic:claude-sonnet-4-6": Price(3, 15),
    "anthropic:claude-sonnet-4-5": Price(3, 15),
    "anthropic:claude-haiku-4-5": Price(1, 5),
    # OpenAI bills cache writes as plain input (no premium) and reads at a tenth.
    "openai:gpt-5-nano": Price(0.05, 0.40, cache_write_5m=1.0, cache_write_1h=1.0),
    "openai:gpt-5-mini": Price(0.25, 2.00, cache_write_5m=1.0, cache_write_1h=1.0),
    "openai:gpt-5": Price(1.25, 10.00, cache_write_5m=1.0, cache_write_1h=1.0),
}

# Shortest prefix the provider will cache, in tokens. Below it nothing is cached
# and no error is raised: both cache counters simply stay at 0.
CACHE_MINIMUM_TOKENS: dict[str, int] = {
    "anthropic:claude-opus-5-5": 512,
    "anthropic:claude-sonnet-5-5": 512,
    "anthropic:claude-haiku-5-5": 512,
    "anthropic:claude-opus-5": 512,
    "anthropic:claude-sonnet-5": 1024,
    "anthropic:claude-opus-4-8": 1024,
    "anthropic:claude-opus-4-7": 2048,
    "anthropic:claude-opus-4-6": 4096,
    "anthropic:claude-opus-4-5": 4096,
    "anthropic:claude-sonnet-4-6": 1024,
    "anthropic:claude-sonnet-4-5": 1024,
    "anthropic:claude-opus-4-1": 1024,
    "anthropic:claude-sonnet-4": 1024,
    "anthropic:claude-haiku-4-5": 4096,
    "anthropic:claude-3-5-haiku": 2048,
    "openai:": 1024,
}

CHARS_PER_TOKEN = 4  # a deliberately rough estimate, used only to warn before a run


def _lookup(table: dict[str, object], provider: str, model: str) -> object | None:
    key = f"{provider}:{model}"
    matches = [prefix for prefix in table if key.startswith(prefix)]
    return table[max(matches, key=len)] if matches else None


def price_for(provider: str, model: str) -> Price | None:
    found = _lookup(PRICES, provider, model)  # type: ignore[arg-type]
    return found if isinstance(found, Price) else None


def cache_minimum(provider: str, model: str) -> int | None:
    found = _lookup(CACHE_MINIMUM_TOKENS, provider, model)  # type: ignore[arg-type]
    return found if isinstance(found, int) else None


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN


BATCH_DISCOUNT = 0.5  # both batch APIs bill every token at half price, cache multipliers kept


def cost_of(
    provider: str, model: str, usage: Usage, *, cache_ttl: str = "5m", batch: bool = False
) -> Cost | None:
    price = price_for(provider, model)
    if price is None or not usage.reported:  # no usage reported: the cost is unknown, not $0
        return None
    if batch:
        full = cost_of(provider, model, usage, cache_ttl=cache_ttl)
        assert full is not None
        return Cost(
            usd=full.usd * BATCH_DISCOUNT, usd_without_cache=full.usd_without_cache * BATCH_DISCOUNT
        )
    write = price.cache_write_1h if cache_ttl == "1h" else price.cache_write_5m
    per_token_in = price.input / 1_000_000
    output = usage.output_tokens * price.output / 1_000_000
    actual = per_token_in * (
        usage.input_tokens
        + usage.cache_write_tokens * write
        + usage.cache_read_tokens * price.cache_read
    )
    plain = per_token_in * usage.total_input_tokens
    return Cost(usd=actual + output, usd_without_cache=plain + output)


CAPABILITIES = {
    "anthropic": "streaming, strict structured output, prompt cache (cache_control: 5m or 1h)",
    "openai": "streaming, strict structured output, automatic prompt cache (30m retention)",
    "offline": "no network or key; deterministic placeholder drafts, not a language model",
}


@dataclass(frozen=True)
class KnownModel:
    provider: str
    model: str
    price: Price | None
    cache_minimum: int | None

    @property
    def capabilities(self) -> str:
        return CAPABILITIES.get(self.provider, "")

    def cells(self) -> list[str]:
        def dollars(value: float | None) -> str:
            return "—" if value is None else f"${value:g}"

        p = self.price
        return [
            f"{self.provider}:{self.model}",
            dollars(p.input if p else None),
            dollars(p.output if p else None),
            dollars(p.input * p.cache_read if p else None),
            dollars(p.input * p.cache_write_5m if p else None),
            "—" if self.cache_minimum is None else f"{self.cache_minimum:,} tokens",
            self.capabilities,
        ]

    def to_json(self) -> dict[str, object]:
        p = self.price
        return {
            "model": f"{self.provider}:{self.model}",
            "provider": self.provider,
            "price_per_million": None if p is None else {
                "input": p.input, "output": p.output, "cache_read": p.input * p.cache_read,
                "cache_write_5m": p.input * p.cache_write_5m,
                "cache_write_1h": p.input * p.cache_write_1h,
            },
            "cache_minimum_tokens": self.cache_minimum,
            "capabilities": self.capabilities,
        }  # fmt: skip


def known_models() -> list[KnownModel]:
    """Every model named in the price or cache-minimum tables, and the offline model."""
    names = sorted({key for key in (*PRICES, *CACHE_MINIMUM_TOKENS) if not key.endswith(":")})
    rows = []
    for name in names:
        provider, _, model = name.partition(":")
        rows.append(KnownModel(provider, model, price_for(provider, model),
                               cache_minimum(provider, model)))  # fmt: skip
    return [*rows, KnownModel("offline", "offline", None, None)]


@dataclass(frozen=True)
class PrefixFit:
    """Whether a panel's shared prompt prefix reaches a model's cache minimum (an estimate)."""

    model: str
    minimum: int
    tokens: int

    @property
    def met(self) -> bool:
        return self.tokens >= self.minimum

    def text(self) -> str:
        if self.met:
            return f"yes ({self.tokens:,} ≥ {self.minimum:,})"
        return f"no: {self.minimum - self.tokens:,} tokens short of {self.minimum:,}"


def prefix_fits(prefix: str) -> dict[str, PrefixFit]:
    """For every model with a known cache minimum: does this prefix reach it?"""
    tokens = estimate_tokens(prefix)
    return {
        f"{row.provider}:{row.model}": PrefixFit(
            f"{row.provider}:{row.model}", row.cache_minimum, tokens
        )
        for row in known_models()
        if row.cache_minimum is not None
    }
