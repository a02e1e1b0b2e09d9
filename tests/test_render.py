from __future__ import annotations

import html
import json
from pathlib import Path

from panel.inputs.loading import choose_personas
from panel.models import Persona, Record, ToolCard
from panel.providers.base import Provider, StructuredRequest
from panel.providers.offline import OfflineProvider
from panel.record.store import load_record
from panel.report.output import write_outputs
from panel.report.render import render_html, render_markdown, safe_url
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import run_panel
from tests.helpers import ScriptedProvider, chunks, good_reply, run, spec_for

SCRIPT = "<script>alert(1)</script>"


def _record(
    personas: dict[str, Persona],
    cards: list[ToolCard],
    tmp_path: Path,
    provider: Provider | None = None,
) -> Record:
    spec = spec_for(choose_personas(personas, None), cards)
    return run(
        run_panel(spec, provider or OfflineProvider(), ResponseStore(tmp_path / "c"), RunOptions())
    )


def test_html_has_a_column_per_tool_and_interleaved_scorecard(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    record = _record(personas, cards, tmp_path)
    page = render_html(record)
    assert page.count('class="tool"') == 2
    assert page.count('class="quote"') == 8
    builder, skeptic = page.index("The Builder <small>"), page.index("The Skeptic <small>")
    assert builder < skeptic
    assert "Offline draft" in page and "Panel ship" in page and "—" in page
    for summary in record.aggregates.tools:
        assert f"<b>{summary.ship_pct:g}%<small> (" in page  # then its 95% interval


def test_markdown_shows_ship_percent_and_every_quote(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    record = _record(personas, cards, tmp_path)
    page = render_markdown(record)
    assert page.startswith("# Claude API")
    assert page.count("> “") == 8
    assert "Offline draft" in page


def test_hostile_card_and_model_text_is_escaped(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    hostile = cards[0].model_copy(
        update={
            "name": f"Evil {SCRIPT}",
            "tagline": '"><img src=x onerror=alert(1)>',
            "links": {
                "homepage": "javascript:alert(1)",
                "docs": 'https://ok.example/" onmouseover="x',
            },
        }
    )

    def script(request: StructuredRequest, n: int) -> list[str]:
        reply = good_reply(request)
        reply["headline"] = SCRIPT
        return chunks(json.dumps(reply))

    record = _record(personas, [hostile, cards[1]], tmp_path, ScriptedProvider(script))
    page = render_html(record)
    assert SCRIPT not in page and "<img" not in page
    assert html.escape(SCRIPT) in page
    assert 'href="javascript' not in page and 'onmouseover="x' not in page
    markdown = render_markdown(record)
    assert "<script>" not in markdown


def test_safe_url() -> None:
    assert safe_url("https://modal.com/docs") == "https://modal.com/docs"
    for bad in (
        "javascript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "https://a b",
        'http://x/"y',
    ):
        assert safe_url(bad) is None


def test_outputs_are_written_whole_and_read_back(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    record = _record(personas, cards, tmp_path)
    out = write_outputs(tmp_path / "out" / "panel", record)
    assert sorted(p.name for p in out.iterdir()) == ["panel.html", "panel.md", "record.json"]
    assert load_record(out) == record
    again = write_outputs(out, record)  # replacing an existing folder leaves nothing behind
    assert sorted(p.name for p in again.parent.iterdir()) == ["panel"]
