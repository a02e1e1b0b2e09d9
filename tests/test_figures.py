"""The page, the Markdown and the terminal show how sure the panel is."""

from __future__ import annotations

import json
from pathlib import Path

from panel.inputs.loading import choose_personas
from panel.models import Persona, Record, ToolCard
from panel.providers.base import StructuredRequest
from panel.report.figures import statistics_lines
from panel.report.render import render_html, render_markdown
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import run_panel
from tests.helpers import ScriptedProvider, chunks, good_reply, run, spec_for

DISTINCT = {
    "builder": "The primitive is clean and the first ten minutes go well with the command line.",
    "skeptic": "Replicate and Baseten compete here; it breaks for multi-GPU models, I predict.",
    "futurist": "The thesis bets on bursty inference; second-order effects reach tuned variants.",
    "business-analyst": "Buyers pay from infrastructure budgets; the moat is execution on pricing.",
}


def _reply(request: StructuredRequest, ship: bool, quote: str) -> list[str]:
    reply = good_reply(request)
    verdict = "ship" if ship else "skip"
    reply.update(
        verdict=verdict,
        score=8 if ship else 3,
        quote=f"{' '.join([quote] * 6)} I call it a {verdict}.",
    )
    return chunks(json.dumps(reply), 60)


def _record(
    personas: dict[str, Persona],
    cards: list[ToolCard],
    tmp_path: Path,
    provider: ScriptedProvider,
    **options: object,
) -> Record:
    spec = spec_for(choose_personas(personas, None), cards, **options)
    return run(run_panel(spec, provider, ResponseStore(tmp_path), RunOptions()))


def test_ship_percent_carries_its_wilson_interval_on_both_pages(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    # The skeptic skips the first tool: 3 of 4 ship, 75% (30-95%); everyone ships the second.
    def script(request: StructuredRequest, n: int) -> list[str]:
        ship = not (request.persona.id == "skeptic" and request.tool.id == cards[0].id)
        return _reply(request, ship, DISTINCT[request.persona.id])

    record = _record(personas, cards, tmp_path, ScriptedProvider(script))
    markdown, page = render_markdown(record), render_html(record)
    over = "95% interval over 4 reviewers"
    assert f"**75%** (30-95%, {over})" in markdown and f"**100%** (51-100%, {over})" in markdown
    assert f"<b>75%<small> (30-95%, {over})</small></b>" in page
    assert "## How sure the panel is" in markdown and "How sure the panel is</h2>" in page
    kappa = next(line for line in statistics_lines(record) if "Fleiss" in line)
    assert kappa == "Agreement across reviewers (Fleiss' kappa): -0.14 over 2 tools."
    assert "Reviewers who sound alike (quote similarity of 0.3 or more): none." in markdown


def test_cells_that_disagree_with_themselves_are_marked(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    def script(request: StructuredRequest, n: int) -> list[str]:
        split = request.persona.id == "builder" and request.sample == 2
        return _reply(request, not split, DISTINCT[request.persona.id])

    record = _record(personas, cards, tmp_path, ScriptedProvider(script), samples=3)
    markdown, page = render_markdown(record), render_html(record)
    assert markdown.count("2/3 samples agree") == 2 and markdown.count("3/3 samples agree") == 6
    assert markdown.count("the samples disagree") == 2
    assert page.count('class="agreement split-cell"') == 2
    assert "mean score 6.33 (spread 2.36)" in markdown  # 8, 8, 3
    assert "Cells whose samples disagree: The Builder on" in markdown


def test_reviewers_who_write_alike_are_flagged(
    personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path
) -> None:
    def script(request: StructuredRequest, n: int) -> list[str]:
        alike = request.persona.id in ("builder", "skeptic")
        return _reply(request, True, DISTINCT["builder" if alike else request.persona.id])

    record = _record(personas, cards, tmp_path, ScriptedProvider(script))
    assert record.statistics is not None
    flagged = {(p.tool, *p.personas) for p in record.statistics.quote_similarity if p.collapsed}
    assert flagged == {(card.id, "builder", "skeptic") for card in cards}
    assert "The Builder and The Skeptic on" in render_markdown(record)
