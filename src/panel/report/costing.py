"""The cost estimate in words: before a run (and for --dry-run), and after it, beside the actual.

A model with no known price has its cost said to be unknown, never $0: the
record keeps such costs as empty (None), and these lines name the reason.
"""

from __future__ import annotations

from panel.models import CostEstimate, ModelInfo, Record
from panel.providers.pricing import price_for


def dollars(value: float | None) -> str:
    return "unknown" if value is None else f"${value:,.4f}"


def unknown_price(info: ModelInfo) -> str:
    return (
        f"no price is known for {info.provider}:{info.model}: its cost is shown as unknown, "
        "not as $0 (prices live in src/panel/providers/pricing.py)"
    )


def cost_or_unknown(record: Record) -> str:
    """The run's cost for the page: "unknown (no known price ...)" rather than a dash or $0."""
    cost = record.totals.cost_usd
    info = record.model
    if cost is None and info.is_language_model:
        known = price_for(info.provider, info.model) is not None
        return "unknown" if known else f"unknown (no known price for {info.provider}:{info.model})"
    if cost is None:
        return "—"
    graders = record.totals.grader_cost_usd
    return f"${cost:,.4f}" + (f", of which the grader ${graders:,.4f}" if graders else "")


def estimate_lines(estimate: CostEstimate, info: ModelInfo) -> list[str]:
    """What the run will cost, before any call."""
    cached = (
        f", {estimate.from_response_cache} from the response cache"
        if estimate.from_response_cache
        else ""
    )
    lines = [
        f"estimate: {estimate.cells} cells{cached}, {estimate.calls} model calls; "
        f"{estimate.input_tokens:,} input tokens ({estimate.token_counting}; shared prefix "
        f"{estimate.prefix_tokens:,} per call), about {estimate.expected_output_tokens:,} output "
        f"tokens (at most {estimate.max_output_tokens:,})",
        f"estimated cost: {dollars(estimate.estimated_cost_usd)} expected"
        f"{' with the warm-up' if estimate.warm_up else ''}, "
        f"{dollars(estimate.worst_case_cost_usd)} at worst (every call writes the prefix and "
        "runs to max_tokens)",
    ]
    if not estimate.price_known:
        lines.append(f"warning: {unknown_price(info)}")
    return lines


def actual_line(record: Record) -> str | None:
    """The run's own spend beside what was estimated before it."""
    estimate = record.estimate
    if estimate is None or not record.model.is_language_model:
        return None
    actual = record.totals.spend_this_run_usd
    expected, worst = estimate.estimated_cost_usd, estimate.worst_case_cost_usd
    if actual is None or expected is None:
        return f"cost: unknown (estimated {dollars(expected)}); {unknown_price(record.model)}"
    ratio = f" ({actual / expected:.2f}x the estimate)" if expected > 0 else ""
    return (
        f"cost this run: {dollars(actual)} actual vs {dollars(expected)} estimated{ratio}; "
        f"worst case was {dollars(worst)}"
    )
