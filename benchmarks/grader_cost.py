"""Benchmark: what the model-graded check (--grader) costs, as a share of the panel's cost.

A grader call is made only for a quote whose call the rules do not find. Two panels of 8 cells
per provider pair, on the emulator: every quote making no call (every cell graded: the most the
grader can add), and every second quote making none (issue 24 measured 40 of 63 real passages
stating their call, most of which the rules find: about half the cells of a real panel). Cells
and graders are priced from the usage the emulator reports. Target: at most 3% of the panel.

Where a grader call's money goes is printed too, part by part, against the average cell: the
emulator bills the prompt's text (system and user, 4 characters a token), so the instruction,
the tool line and fence, and the review read are split by their characters. The output schema
and Anthropic's structured-output preamble are shown apart: the real APIs bill them as input,
the emulator does not, so on the real API a grader call costs more than the emulator's share
(cells pay theirs inside their cached prefix, at cache prices). A second share adds both, an
estimate labelled so (the target is checked on the emulator's figure), from the recordings in
tests/conformance: Anthropic bills a schema at about 2.4 characters a token plus a 130-token
preamble (230 and 414 input tokens for a 5-token prompt with a 224-character schema and a
12-token one with a 645-character schema: stream-json-output-config-sonnet45 and
stream-json-output-format-beta-sonnet45); OpenAI about 4.4 characters a token and no preamble
to speak of (172 and 64 tokens for 645 and 172 characters: stream-json-schema-strict-gpt4o and
stream-refusal-json-schema-gpt4o).
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from _common import header, spec, verdict_line

from panel.inputs.schema import wire_schema
from panel.models import Record
from panel.providers.pricing import CHARS_PER_TOKEN, price_for
from panel.providers.registry import ModelChoice, build_provider
from panel.running.grader import GRADER_MAX_TOKENS, grader_schema
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import PanelSpec, run_panel
from tests.support.emulator import Emulator, EmulatorConfig, Served

TARGET = 0.03
# What the real APIs bill for a structured-output schema (see the docstring): characters a token,
# and a fixed preamble in tokens.
SCHEMA_CHARS_PER_TOKEN = {"anthropic": 2.4, "openai": 4.4}
STRUCTURED_PREAMBLE = {"anthropic": 130, "openai": 0}
PAIRS = [
    ("anthropic", "claude-sonnet-5-5", "claude-haiku-4-5"),
    ("openai", "gpt-5-mini", "gpt-5-nano"),
]


def measure(
    provider: str, model: str, grader: str, config: EmulatorConfig
) -> tuple[Record, list[Served]]:
    os.environ.setdefault("ANTHROPIC_API_KEY", "emulated-key")
    os.environ.setdefault("OPENAI_API_KEY", "emulated-key")
    store = ResponseStore(Path(tempfile.mkdtemp(prefix="panel-bench-")))
    with Emulator(config) as emulator:
        url = emulator.url if provider == "anthropic" else f"{emulator.url}/v1"

        async def go() -> Record:
            built = build_provider(ModelChoice(provider, model, "benchmark"), base_url=url)
            try:
                panel = replace(spec(), grader=grader)
                return await run_panel(panel, built, store, RunOptions(refresh=True))
            finally:
                await built.aclose()

        record = asyncio.run(go())
        served = list(emulator.served)
    assert record.complete
    return record, served


Row = tuple[str, float, float, float]


def breakdown(
    panel: PanelSpec, provider: str, grader: str, record: Record, served: list[Served]
) -> list[Row]:
    """Rows of (part, tokens per grader call, $ per call, share of the average cell's cost)."""
    price = price_for(provider, grader)
    assert price is not None
    graded = [s for s in served if s.grader]
    cell = record.cells[0]
    assert cell.verdict is not None
    tool = next(t for t in panel.tools if t.id == cell.tool)
    text = f"{cell.verdict['headline']}\n\n{cell.verdict['quote']}"
    system = panel.prompts.grader("system", tool, text)
    prompt = panel.prompts.grader("prompt", tool, text)
    cells_usd = (record.totals.cost_usd or 0.0) - (record.totals.grader_cost_usd or 0.0)
    per_cell = cells_usd / len(record.cells)
    output = sum(s.output_tokens for s in graded) / len(graded)
    writes = sum(s.cache_write for s in graded) / len(graded)
    parts = [
        ("instruction (system)", len(system) / CHARS_PER_TOKEN, price.input),
        ("tool line and fence", (len(prompt) - len(text)) / CHARS_PER_TOKEN, price.input),
        ("headline and quote read", len(text) / CHARS_PER_TOKEN, price.input),
        ("cache writes", writes, price.input * price.cache_write_5m),
        ("output (the JSON answer)", output, price.output),
    ]
    rows = [(name, tokens, tokens * rate / 1e6) for name, tokens, rate in parts]
    schema_chars = len(json.dumps(grader_schema(), separators=(",", ":")))
    schema_tokens = schema_chars / SCHEMA_CHARS_PER_TOKEN[provider]
    rows.append(
        ("(schema: billed by the APIs only)", schema_tokens, schema_tokens * price.input / 1e6)
    )
    preamble = STRUCTURED_PREAMBLE[provider]
    rows.append(("(structured-output preamble: APIs)", preamble, preamble * price.input / 1e6))
    rows.append(("(max_tokens: reserved, not spent)", GRADER_MAX_TOKENS, 0.0))
    return [(name, tokens, usd, usd / per_cell) for name, tokens, usd in rows]


def schema_billed(
    panel: PanelSpec, provider: str, model: str, grader: str, served: list[Served]
) -> tuple[float, float]:
    """What billing each call's schema and preamble adds: (to the grader calls, to the cells)."""
    cell_schema = wire_schema(panel.personas, [tool.id for tool in panel.tools])
    added = {"grader": 0.0, "cells": 0.0}
    for one in served:
        schema = grader_schema() if one.grader else cell_schema
        chars = len(json.dumps(schema, separators=(",", ":")))
        tokens = STRUCTURED_PREAMBLE[provider] + chars / SCHEMA_CHARS_PER_TOKEN[provider]
        price = price_for(provider, grader if one.grader else model)
        assert price is not None
        rate = 1.0  # in the cached prefix of a cell, at the prefix's price
        if one.cache_write:
            rate = price.cache_write_5m
        elif one.cache_read:
            rate = price.cache_read
        added["grader" if one.grader else "cells"] += tokens * rate * price.input / 1e6
    return added["grader"], added["cells"]


def main() -> None:
    header("grader cost share (8 cells, the grader answering 'none')")
    for provider, model, grader in PAIRS:
        for label, config in (
            ("every cell graded", EmulatorConfig(state_call=False)),
            ("every second cell graded", EmulatorConfig(no_call_every=2)),
        ):
            record, served = measure(provider, model, grader, config)
            total, graders = record.totals.cost_usd, record.totals.grader_cost_usd
            assert total is not None and graders is not None
            calls = sum(s.grader for s in served)
            print(
                f"{model} + {grader}, {label}: {calls} grader calls, ${graders:.5f} of a "
                f"${total:.5f} panel"
            )
            if label == "every cell graded":
                print("  one grader call, part by part, against the average cell:")
                rows = breakdown(spec(), provider, grader, record, served)
                for name, tokens, usd, share in rows:
                    print(f"    {name:<36} {tokens:>6.0f} tokens  ${usd:.7f}  {share:6.2%}")
                review = next(usd for name, _, usd, _ in rows if name.startswith("headline"))
                floor = review * calls / (total - graders + review * calls)
                print(f"  the review alone, read once a cell, would be {floor:.3f} of the panel")
            share = graders / total
            verdict_line(f"  share ({provider}, {label})", share, f"<= {TARGET}", share <= TARGET)
            more_graders, more_cells = schema_billed(spec(), provider, model, grader, served)
            billed = (graders + more_graders) / (total + more_graders + more_cells)
            print(f"  estimate with schemas billed as the real APIs do: {billed:.3f}")


if __name__ == "__main__":
    main()
