"""When prompt caching cost more than it saved, the run and the page say so, and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from panel.cli.display import totals_lines
from panel.inputs.loading import choose_personas
from panel.models import Persona, Record, ToolCard, Usage
from panel.providers.base import StructuredRequest
from panel.report.render import render_html, render_markdown
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import run_panel
from tests.helpers import ScriptedProvider, chunks, good_reply, run, spec_for

PREFIX = 3000


def _good(request: StructuredRequest, n: int) -> list[str]:
    return chunks(json.dumps(good_reply(request)), 40)


class _Billed(ScriptedProvider):
    """Claude-priced; the first `writers` calls write the prefix, the others read it."""

    def __init__(self, writers: int) -> None:
        super().__init__(_good)
        self.info = self.info.model_copy(
            update={"provider": "anthropic", "model": "claude-sonnet-5-5"}
        )
        self.writers = writers

    async def stream(self, request: StructuredRequest):  # type: ignore[no-untyped-def]
        writes = len(self.calls) < self.writers
        self.usage = Usage(
            input_tokens=50,
            output_tokens=300,
            cache_write_tokens=PREFIX if writes else 0,
            cache_read_tokens=0 if writes else PREFIX,
        )
        async for event in super().stream(request):
            yield event


def _record(writers: int, personas: dict[str, Persona], cards: list[ToolCard], tmp: Path) -> Record:
    spec = spec_for(choose_personas(personas, None), cards)
    options = RunOptions(concurrency=1)
    return run(run_panel(spec, _Billed(writers), ResponseStore(tmp), options))


def _pages(record: Record) -> list[str]:
    return ["\n".join(totals_lines(record)), render_markdown(record), render_html(record)]


def test_a_cost_is_named_with_its_cause(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    record = _record(8, personas, cards, tmp_path)  # every cell wrote the prefix, none read it
    assert record.totals.saved_usd is not None and record.totals.saved_usd < 0
    extra = f"${-record.totals.saved_usd:,.4f}"
    for page in _pages(record):
        assert f"caching cost {extra} extra: 8 cells wrote the same prefix" in page
        assert "saved $-" not in page and "-$" not in page


@pytest.mark.parametrize("writers", [1, 2])
def test_a_saving_reads_as_one(
    writers: int, personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    record = _record(writers, personas, cards, tmp_path)
    assert record.totals.saved_usd is not None and record.totals.saved_usd > 0
    for page in _pages(record):
        assert f"saved ${record.totals.saved_usd:,.4f}" in page
        assert "caching cost" not in page
