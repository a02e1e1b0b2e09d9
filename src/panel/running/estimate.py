"""What a panel will cost, known before any model call.

The plan is the run's own: every call's rendered request (the shared prefix
and the cell's assignment), less the cells the response cache already holds.
Input tokens are counted by the provider's free counting endpoint when it has
one and a key is set (Claude's `messages.count_tokens`, OpenAI's
`responses.input_tokens`): one request per persona and tool order, the other
tools' assignments adjusted by their length in characters. Otherwise, and
whenever counting fails, they are approximated at `CHARS_PER_TOKEN`
characters per token. The estimate says which.

Expected cost follows the warm-up plan: for each distinct prefix the first
call writes the prompt cache and the others read it (with `--no-warm-up` the
first `concurrency` calls all write), and nothing is cached below the
model's cache minimum. Output is expected at `expected_output_tokens` per
call: a quote of about 150 words, a line per beat, the pick, a headline and
the JSON around them. The worst case bills every call's whole prefix as a
cache write (the dearest input rate) and `max_tokens` of output, with input
counted as generously as the spending limit reserves it
(`panel.running.budget.worst_case`). With a grader (`--grader`), both
figures grade every call once (the most it can do, since a quote whose call
the rules find needs none). Re-asks and retried failures are outside both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from panel.inputs.schema import QUOTE_TOKENS as QUOTE_TOKENS  # re-exported: the grader estimate
from panel.inputs.schema import typical_output_tokens
from panel.models import CostEstimate, ModelInfo, Persona, Usage
from panel.providers.base import Provider, StructuredRequest, token_counter
from panel.providers.pricing import (
    BATCH_DISCOUNT,
    CHARS_PER_TOKEN,
    cache_minimum,
    cost_of,
    estimate_tokens,
)
from panel.running.budget import worst_case
from panel.running.orchestrator import CellPlan

APPROXIMATED = f"approximated at {CHARS_PER_TOKEN} characters per token"
COUNT_CONCURRENCY = 4


def expected_output_tokens(persona: Persona) -> int:
    """Output tokens of a typical verdict of this persona (`inputs.schema`: the budget reserves
    the same figure)."""
    return typical_output_tokens(persona)


@dataclass(frozen=True)
class CallTokens:
    prefix: int  # the cacheable part (the shared prefix)
    total: int  # every input token of the call


def approximate(request: StructuredRequest) -> CallTokens:
    prefix = estimate_tokens(request.system)
    return CallTokens(prefix=prefix, total=prefix + estimate_tokens(request.prompt))


async def count_input(
    provider: Provider, plans: Sequence[CellPlan]
) -> tuple[dict[str, CallTokens], str]:
    """Input tokens per plan key, and how they were found."""
    approximated = {plan.key: approximate(plan.request) for plan in plans}
    counter = token_counter(provider)
    if counter is None or not plans:
        return approximated, APPROXIMATED
    samples: dict[tuple[str, str], CellPlan] = {}
    for plan in plans:
        samples.setdefault((plan.persona.id, plan.request.system), plan)
    limit = asyncio.Semaphore(COUNT_CONCURRENCY)

    async def count(plan: CellPlan) -> int:
        async with limit:
            return await counter.count_input_tokens(plan.request)

    try:
        counts = await asyncio.gather(*(count(plan) for plan in samples.values()))
    except Exception as exc:  # noqa: BLE001 - counting is advisory: fall back to the approximation
        return approximated, f"{APPROXIMATED} (token counting failed: {exc})"
    counted = dict(zip(samples, counts, strict=True))
    found = {}
    for plan in plans:
        group = (plan.persona.id, plan.request.system)
        sample_prompt = estimate_tokens(samples[group].request.prompt)
        total = counted[group] + estimate_tokens(plan.request.prompt) - sample_prompt
        found[plan.key] = CallTokens(prefix=max(0, counted[group] - sample_prompt), total=total)
    return found, counter.counting_method


def _writers(plans: Sequence[CellPlan], *, warm_up: bool, concurrency: int) -> set[str]:
    """The calls expected to write the prompt cache: the first of each prefix (or first wave)."""
    seen: dict[str, int] = {}
    writers = set()
    for plan in plans:
        index = seen.get(plan.request.system, 0)
        seen[plan.request.system] = index + 1
        if index < (1 if warm_up else max(1, concurrency)):
            writers.add(plan.key)
    return writers


def _expected_usage(info: ModelInfo, plan: CellPlan, call: CallTokens, writes: bool) -> Usage:
    output = expected_output_tokens(plan.persona)
    minimum = cache_minimum(info.provider, info.model)
    if minimum is not None and call.prefix < minimum:  # too short to cache: all plain input
        return Usage(input_tokens=call.total, output_tokens=output)
    return Usage(
        input_tokens=call.total - call.prefix,
        output_tokens=output,
        cache_write_tokens=call.prefix if writes else 0,
        cache_read_tokens=0 if writes else call.prefix,
    )


def _price(info: ModelInfo, plan: CellPlan, usage: Usage) -> float | None:
    if not info.is_language_model:
        return 0.0  # the offline model costs nothing
    cost = cost_of(
        info.provider, info.model, usage, cache_ttl=plan.request.cache_ttl, batch=info.batch
    )
    return None if cost is None else cost.usd


def _worst(info: ModelInfo, plan: CellPlan, call: CallTokens) -> float | None:
    counted = Usage(
        input_tokens=call.total - call.prefix,
        cache_write_tokens=call.prefix,
        output_tokens=plan.request.max_tokens,
    )
    cost = _price(info, plan, counted)
    if cost is None or not info.is_language_model:
        return cost
    generous = worst_case(info, plan.request, "write") * (BATCH_DISCOUNT if info.batch else 1)
    return max(cost, generous)


def estimate_cost(
    provider: Provider,
    plans: Sequence[CellPlan],
    tokens: dict[str, CallTokens],
    method: str,
    *,
    cached: set[str],
    warm_up: bool = True,
    concurrency: int = 8,
) -> CostEstimate:
    info = provider.info
    calls = [plan for plan in plans if plan.key not in cached]
    writers = _writers(calls, warm_up=warm_up, concurrency=concurrency)
    usage = Usage()
    expected: float | None = 0.0
    worst: float | None = 0.0
    for plan in calls:
        call = tokens[plan.key]
        used = _expected_usage(info, plan, call, plan.key in writers)
        usage = usage + used
        cost = _price(info, plan, used)
        expected = None if expected is None or cost is None else expected + cost
        ceiling = _worst(info, plan, call)
        if plan.grader is not None and info.is_language_model:
            graded, graded_worst = plan.grader.estimate(info, plan.request, QUOTE_TOKENS)
            expected = None if expected is None or graded is None else expected + graded
            ceiling = None if ceiling is None or graded_worst is None else ceiling + graded_worst
        worst = None if worst is None or ceiling is None else worst + ceiling
    return CostEstimate(
        cells=len(plans),
        calls=len(calls),
        from_response_cache=len(plans) - len(calls),
        input_tokens=usage.total_input_tokens,
        prefix_tokens=max((tokens[p.key].prefix for p in calls), default=0),
        expected_output_tokens=usage.output_tokens,
        max_output_tokens=sum(plan.request.max_tokens for plan in calls),
        token_counting=method,
        warm_up=warm_up,
        price_known=not info.is_language_model
        or cost_of(info.provider, info.model, Usage()) is not None,
        estimated_cost_usd=None if expected is None else round(expected, 6),
        worst_case_cost_usd=None if worst is None else round(worst, 6),
    )


async def estimate_panel(
    provider: Provider,
    plans: Sequence[CellPlan],
    cached: set[str],
    *,
    warm_up: bool = True,
    concurrency: int = 8,
) -> CostEstimate:
    """Count the calls' tokens and price them; no model is asked for a reply."""
    tokens, method = await count_input(provider, [p for p in plans if p.key not in cached])
    return estimate_cost(
        provider, plans, tokens, method, cached=cached, warm_up=warm_up, concurrency=concurrency
    )
