"""Shared set-up for the benchmarks: panels run against the local emulator, measured in one run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tests.support: the emulator

from panel.inputs.loading import choose_personas, load_personas, load_tool_card  # noqa: E402
from panel.inputs.prompts import PromptSet  # noqa: E402
from panel.models import Record, ToolCard  # noqa: E402
from panel.providers.base import Provider  # noqa: E402
from panel.providers.registry import ModelChoice, build_provider  # noqa: E402
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


MODEL = "claude-sonnet-5-5"


def claude_at(url: str) -> Provider:
    """Claude as panel builds it (retries around the pacer around the provider)."""
    os.environ.setdefault("ANTHROPIC_API_KEY", "emulated-key")
    return build_provider(ModelChoice("anthropic", MODEL, "benchmark"), base_url=url)


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


@contextlib.contextmanager
def emulator_process(*flags: str) -> Iterator[str]:
    """The emulator in a process of its own (its CPU not counted against the client); its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.emulator", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    try:
        yield process.stdout.readline().split()[2]
    finally:
        process.terminate()
        process.wait()


def verdict_line(name: str, value: float, target: str, ok: bool) -> None:
    print(f"{name:<58} {value:>8.3f}   target {target:<12} {'PASS' if ok else 'FAIL'}")
