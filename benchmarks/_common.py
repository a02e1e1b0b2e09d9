"""Shared set-up for the benchmarks: panels run against the local emulator, measured in one run."""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tests.support: the emulator

from panel.inputs.loading import choose_personas, load_personas, load_tool_card  # noqa: E402
from panel.inputs.prompts import PromptSet  # noqa: E402
from panel.models import Record, ToolCard  # noqa: E402
from panel.providers.claude import ClaudeProvider  # noqa: E402
from panel.providers.retry import RetryingProvider  # noqa: E402
from panel.running.orchestrator import RunOptions  # noqa: E402
from panel.running.response_cache import ResponseStore  # noqa: E402
from panel.running.runner import PanelSpec, run_panel  # noqa: E402

EXAMPLES = ROOT / "examples"


def header(title: str) -> None:
    print(f"# {title}")
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def tool_cards(count: int) -> list[ToolCard]:
    """The example cards, then numbered variants of them, as many as asked for."""
    base = [
        load_tool_card(EXAMPLES / f"{name}.toml")
        for name in ("claude-api-streaming-caching", "modal-gpu-inference", "claw-code")
    ]
    cards = []
    for index in range(count):
        card = base[index % len(base)]
        if index >= len(base):
            card = card.model_copy(
                update={"id": f"{card.id}-{index}", "name": f"{card.name} #{index}"}
            )
        cards.append(card)
    return cards


def spec(tools: int = 2) -> PanelSpec:
    personas = choose_personas(load_personas(), None)
    return PanelSpec(
        title="Benchmark panel",
        tools=tool_cards(tools),
        personas=personas,
        prompts=PromptSet.from_dir(),
    )


def claude_at(url: str) -> RetryingProvider:
    os.environ.setdefault("ANTHROPIC_API_KEY", "emulated-key")
    return RetryingProvider(ClaudeProvider("claude-sonnet-5-5", base_url=url))


def run_against(url: str, panel: PanelSpec, **options: object) -> Record:
    store = ResponseStore(Path(tempfile.mkdtemp(prefix="panel-bench-")))
    opts = RunOptions(refresh=True, **options)  # type: ignore[arg-type]

    async def go() -> Record:
        provider = claude_at(url)
        try:
            return await run_panel(panel, provider, store, opts)
        finally:
            await provider.aclose()

    return asyncio.run(go())


def verdict_line(name: str, value: float, target: str, ok: bool) -> None:
    print(f"{name:<58} {value:>8.3f}   target {target:<12} {'PASS' if ok else 'FAIL'}")
