"""A comparison record as Markdown and as one self-contained HTML page.

Every value that came from a tool card or a model is untrusted: the HTML
environment autoescapes, card and model prose goes through `markup` (Markdown
with raw HTML off and http(s) links only), and the Markdown page re-writes the
same parse as plain CommonMark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from panel.compiled import template_cache
from panel.models import CellResult, Record
from panel.record.consensus import representatives
from panel.report.costing import cost_or_unknown
from panel.report.figures import (
    agreement_note,
    caching_outcome,
    community,
    grader_note,
    money,
    percent,
    score_interval,
    share,
    ship_interval,
    statistics_lines,
)
from panel.report.markup import html_block, html_inline, md_block, md_escape, md_inline, safe_url
from panel.resources import template_dir

__all__ = [
    "LivePage",
    "render_html",
    "render_markdown",
    "safe_url",
    "vote_server_page",
    "without_controls",
]


@dataclass(frozen=True)
class LivePage:
    """A page that talks to a `panel serve` server: its script (vote buttons, live counts and,
    for an editor, edit controls) and the server's origin ("" when the server serves the page).
    The page's Content-Security-Policy allows that script and those requests, nothing more."""

    server: str = ""

    @property
    def script(self) -> str:
        return f"{self.server}/static/desk.js"

    @property
    def policy(self) -> str:
        origin = self.server or "'self'"
        return (
            f"default-src 'none'; style-src 'unsafe-inline' {origin}; script-src {origin}; "
            f"connect-src {origin}; base-uri 'none'; form-action 'none'"
        )


def vote_server_page(url: str, source: str = "--vote-server") -> LivePage:
    """For `render --vote-server URL` and `digest --vote-server URL`: a published page whose
    readers vote on that server (which must be started with `--allow-origin` for the page's
    site). Refuses what is not a plain http(s) origin, naming `source` (the flag given)."""
    from urllib.parse import urlsplit

    from panel.errors import InputError
    from panel.urls import check_base_url

    parts = urlsplit(check_base_url(url, source))
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise InputError(f"{source}: {url!r} must be an origin (scheme, host, port) alone")
    checked = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    return LivePage(server=checked)


def template_environment(*, html: bool, **options: Any) -> jinja2.Environment:
    """panel's templates: a missing value is an error, and HTML pages escape what they show;
    `percent` is there for every page (the run pages, the digest's and the desk's). Compiled
    once per user and template source, not once per process (`panel.compiled`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=template_cache(),
        **options,
    )
    env.filters["percent"] = percent
    return env


@cache
def _environment(*, html: bool) -> jinja2.Environment:
    """One environment per kind and process: the page templates are compiled once, not once per
    page (a digest renders thousands)."""
    env = template_environment(html=html)
    env.filters.update(
        safe_url=safe_url,
        md=md_escape,
        md_inline=md_inline,
        md_block=md_block,
        markdown=html_block,
        markdown_inline=html_inline,
        money=money,
        share=share,
        community=community,
        caching_outcome=caching_outcome,
        ship_interval=ship_interval,
        cost_or_unknown=cost_or_unknown,
        score_interval=score_interval,
        agreement_note=agreement_note,
        grader_note=grader_note,
    )
    return env


def _context(record: Record, live: LivePage | None = None) -> dict[str, Any]:
    # As published: overrides applied; with --samples, a sample that agrees with the majority.
    grid: dict[tuple[str, str], CellResult] = representatives([c.edited() for c in record.cells])
    stats = record.statistics
    return {
        "record": record,
        "tool_stats": {t.tool: t for t in stats.tools} if stats else {},
        "consensus": {(c.persona, c.tool): c for c in stats.cells} if stats else {},
        "statistics_lines": statistics_lines(record),
        "summaries": {s.tool: s for s in record.aggregates.tools},
        "grid": grid,
        "persona_names": {p.id: p.name for p in record.personas},
        "tool_names": {t.id: t.name for t in record.tools},
        "batch_note": batch_note(record),
        "prefs": {pref.persona: pref for pref in record.aggregates.personas},
        "beat_labels": {p.id: {b.id: b.label for b in p.beats} for p in record.personas},
        "compared": len(record.tools) > 1,
        "live": live,
    }


def batch_note(record: Record) -> str:
    """Which cells went through a batch API (billed at half price), or "" when none did."""
    batched = sum(1 for cell in record.cells if cell.batch)
    if not batched:
        return ""
    return f"{batched} of {len(record.cells)} cells answered through the batch API (billed at 50%)"


# Control characters (C0 but tab and newline, DEL, C1) and the bidirectional overrides: a card
# or a reply carrying them would reach a terminal that shows panel.md (`cat`), or reorder a page.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def without_controls(page: str) -> str:
    """A rendered page without control characters or bidirectional overrides (see _CONTROLS)."""
    return _CONTROLS.sub("", page)


def render_markdown(record: Record) -> str:
    page = _environment(html=False).get_template("page.md.j2").render(_context(record))
    return without_controls(page)


def render_html(record: Record, live: LivePage | None = None) -> str:
    """The page; with `live`, one that loads the desk's script from a panel server."""
    page = _environment(html=True).get_template("page.html.j2").render(_context(record, live))
    return without_controls(page)
