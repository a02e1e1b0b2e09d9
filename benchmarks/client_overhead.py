"""Benchmark 4: CPU time panel spends per cell, against the bare SDK consuming the same stream.

The emulator runs in its own process, streaming as fast as it can one token
per delta, so only the client's CPU is counted (time.process_time). "Bare
SDK" iterates `messages.create(stream=True)` and does nothing with the
events; "panel" is the whole cell path: provider, retry wrapper,
incremental JSON parsing, partial updates and validation.
Targets: panel <= 1.3x the bare SDK, and CPU per output token at 3,000
tokens within 1.3x of that at 300 (linear growth).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import anthropic
from _common import ROOT, claude_at, header, spec, verdict_line
from pydantic import field_validator

from panel.inputs.prompts import PromptSet
from panel.running.runner import plan_cells
from panel.running.structured import stream_verdict

CELLS = 12


def start_emulator(output_tokens: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.emulator",
            "--port",
            "0",
            "--ttft",
            "0",
            "--tokens-per-second",
            "0",
            "--output-tokens",
            str(output_tokens),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    return process, line.split()[2]


def lenient(model):
    """The persona's verdict model without the quote's length limit, so a 3,000-token reply
    validates."""

    class Lenient(model):  # type: ignore[misc, valid-type]
        @field_validator("quote")
        @classmethod
        def _quote_fits_the_page(cls, quote: str) -> str:
            return quote

    return Lenient


async def bare_sdk(url: str, params: dict) -> float:
    client = anthropic.AsyncAnthropic(api_key="emulated-key", base_url=url, max_retries=0)
    started = time.process_time()
    for _ in range(CELLS):
        async for _event in await client.messages.create(**params, stream=True):
            pass
    elapsed = (time.process_time() - started) / CELLS
    await client.close()
    return elapsed


async def panel_cells(url: str) -> float:
    provider = claude_at(url)
    plan = plan_cells(spec(), provider)[0]
    model, prompts = lenient(plan.model), PromptSet.from_dir()
    started = time.process_time()
    for _ in range(CELLS):
        await stream_verdict(provider, plan.request, model, prompts, on_partial=lambda fields: None)
    elapsed = (time.process_time() - started) / CELLS
    await provider.aclose()
    return elapsed


def measure(output_tokens: int) -> tuple[float, float]:
    process, url = start_emulator(output_tokens)
    try:
        provider = claude_at(url)
        params = provider.inner.inner.request_params(plan_cells(spec(), provider)[0].request)  # type: ignore[attr-defined]
        asyncio.run(bare_sdk(url, params))  # warm both paths: imports, schema building
        asyncio.run(panel_cells(url))
        bare = min(asyncio.run(bare_sdk(url, params)) for _ in range(3))
        ours = min(asyncio.run(panel_cells(url)) for _ in range(3))
    finally:
        process.terminate()
        process.wait()
    return bare, ours


def main() -> None:
    header(f"client CPU per cell (emulator in another process, best of 3 x {CELLS} cells)")
    results = {}
    for tokens in (300, 3000):
        bare, ours = measure(tokens)
        results[tokens] = ours
        print(
            f"{tokens:>5} output tokens: bare SDK {bare * 1000:.1f} ms, panel {ours * 1000:.1f} "
            "ms per cell"
        )
        verdict_line(
            f"panel / bare SDK CPU ({tokens} tokens)", ours / bare, "<= 1.3", ours / bare <= 1.3
        )
    growth = (results[3000] / 3000) / (results[300] / 300)
    verdict_line("CPU per token at 3000 / at 300 (linearity)", growth, "<= 1.3", growth <= 1.3)


if __name__ == "__main__":
    main()
