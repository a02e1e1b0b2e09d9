from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from panel.errors import InputError, ProviderError
from panel.inputs.loading import choose_personas
from panel.models import Persona, Record, ToolCard
from panel.providers.base import Provider, StructuredRequest
from panel.providers.offline import OfflineProvider
from panel.record.store import load_record
from panel.report.markup import html_inline, md_block, md_inline, parser
from panel.report.output import write_run
from panel.report.render import (
    LivePage,
    render_html,
    render_markdown,
    safe_url,
    vote_server_page,
)
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import run_panel
from tests.helpers import ScriptedProvider, chunks, good_reply, run, spec_for
from tests.records import hostile_record, offline_record

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
    assert page.count('class="tool card"') == 2
    assert page.count('class="quote card"') == 8
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
    group = tmp_path / "out" / "panel"
    out = write_run(group, record)
    assert sorted(p.name for p in out.iterdir()) == ["panel.html", "panel.md", "record.json"]
    assert load_record(out) == record == load_record(group)  # a group reads as its latest run
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    again = write_run(group, record)  # a second run is a second folder; the first is untouched
    assert again != out and again.parent == out.parent == group
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert (group / "latest").resolve() == again.resolve()
    assert sorted(p.name for p in group.iterdir()) == sorted(
        [".panel-runs", out.name, again.name, "latest"]
    )


def _markdown_html(markdown: str) -> tuple[str, list[str]]:
    """panel.md as a CommonMark (+ tables) reader renders it, raw HTML allowed, and the token
    types it parsed into."""
    reader = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = reader.parse(markdown)
    types = [t.type for t in tokens] + [c.type for t in tokens for c in t.children or []]
    return reader.render(markdown), types


def test_incomplete_panel_counts_the_missing_verdict_and_makes_no_call(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    def script(request: StructuredRequest, n: int) -> list[str] | BaseException:
        if request.cell == "skeptic × modal-gpu-inference":
            return ProviderError(f"cell {request.cell}: Anthropic API 500: down")
        return chunks(json.dumps(good_reply(request)), 40)

    record = _record(personas, cards, tmp_path, ScriptedProvider(script))
    modal = next(s for s in record.aggregates.tools if s.tool == "modal-gpu-inference")
    assert modal.tally.endswith("(1 missing)") and modal.reviewers == 4
    assert modal.ship_pct == 100 * modal.ships / 4
    for page in (render_html(record), render_markdown(record)):
        assert modal.tally in page
        assert "no verdict from The Skeptic" in page
        assert "No call" in page
        assert "no overall call: the panel is incomplete" in page.lower()
        assert "The Skeptic on Modal GPU Serverless Inference" in page


def test_markdown_in_cards_and_quotes_is_rendered_and_hostile_html_is_not(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    record = hostile_record(personas, cards, tmp_path)
    page = render_html(record)
    assert "<script" not in page and "<img" not in page and 'href="javascript' not in page
    assert "<code>cache_control</code>" in page and "<strong>one flag</strong>" in page
    assert "**one flag**" not in page and "`cache_control`" not in page
    assert (
        '<a href="https://example.com/docs" rel="nofollow noopener noreferrer">safe link</a>'
        in page
    )
    assert "[click me](javascript:alert(document.cookie))" in page  # left as text, not a link
    assert "<h1>" not in page.split("</h1>", 1)[1]  # a card cannot add headings
    assert page.count("<details>") == 14 and "For the editor:" in page


def test_markdown_page_is_commonmark_with_the_same_content(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    for record in (_record(personas, cards, tmp_path), hostile_record(personas, cards, tmp_path)):
        rendered, types = _markdown_html(render_markdown(record))
        assert "html_block" not in types and "html_inline" not in types  # no raw HTML at all
        assert "table_open" in types  # the reviewer × tool matrix
        answered = [c for c in record.cells if c.status == "ok"]
        for cell in answered:  # every quote reads the same as on the HTML page
            assert str(html_inline((cell.verdict or {})["quote"])) in " ".join(rendered.split())
        hrefs = re.findall(r'href="([^"]*)"', rendered)
        assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)


def _words(html: str) -> str:
    return " ".join(html.split())


def test_markup_round_trip_and_links() -> None:
    text = "Run `a`b` and **x** <b>y</b> [ok](https://a.example/(1)) [no](javascript:x) 1. & #"
    assert parser().renderInline(md_inline(text)) == parser().renderInline(text)
    block = (
        "# title\n\n- one `x`\n- two\n\n  more\n\n> quote **q**\n\n```\n<b> ```` \n```\n\n10. ten"
    )
    assert _words(parser().render(md_block(block))) == _words(parser().render(block))
    assert 'rel="nofollow noopener noreferrer"' in html_inline("[a](https://a.example)")
    assert "<a" not in html_inline("[a](data:text/html,x) <http://a b>")


def test_a_page_pointing_at_a_vote_server_loads_only_its_script(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    record = offline_record(personas, cards, tmp_path)
    live = vote_server_page("https://votes.example:8443/")
    assert live == LivePage(server="https://votes.example:8443")
    page = render_html(record, live)
    assert '<script type="module" src="https://votes.example:8443/static/desk.js"></script>' in page
    assert "script-src https://votes.example:8443;" in page
    assert "connect-src https://votes.example:8443;" in page
    assert f'data-run="{record.run_id}" data-server="https://votes.example:8443"' in page
    assert page.count("data-community=") == len(record.tools)
    assert "<script" not in render_html(record)  # a plain page stays script-free
    for bad in ("ftp://votes.example", "https://votes.example/path", "https://u:p@votes.example"):
        with pytest.raises(InputError, match="--vote-server"):
            vote_server_page(bad)
