"""A static site from a folder of runs: an index, a weekly digest page and an Atom feed.

Every page is rendered from the records (card and model text escaped; the feed
is built with an XML library and stripped of characters XML cannot carry). The
site is built beside its destination and swapped in (`report.site_swap`), and only
a folder panel built (it carries a marker file) or an empty one is ever replaced.

A publication keeps every run, so a build does only what changed: the site keeps a
manifest of the record file each run page was built from (its modification time, size
and inode) and what the index, weekly page and feed show of it. The next build reads
only records that are new or changed, renders only their pages (the other pages are
carried over as they are), and writes the index, weekly page and feed afresh. A new
panel release or changed page templates rebuild every page.
"""

from __future__ import annotations

import hashlib
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from panel import __version__
from panel.errors import InputError
from panel.files import read_text
from panel.models import Record, RunSummary, SiteManifest, SitePage
from panel.record.store import load_record, load_summary
from panel.report.figures import percent
from panel.report.render import LivePage, render_html, template_environment
from panel.report.run_folders import find_records
from panel.report.site_swap import carry_over, keep_others, staged_site, write_file
from panel.resources import template_dir

if TYPE_CHECKING:
    import jinja2

MARKER = ".panel-site"
MANIFEST = ".panel-manifest.json"
MARKER_TEXT = (
    "built by panel digest; its pages are replaced on the next build, other files are kept\n"
)
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
ATOM = "http://www.w3.org/2005/Atom"
FEED, INDEX, WEEKLY = "feed.xml", "index.html", "digest.html"
_SINCE = re.compile(r"^(\d{1,4})([hdw])$")
# What XML cannot hold, and what a page should not: DEL, C1 controls, bidirectional overrides.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")

Stamp = tuple[int, int, int]  # a record file's modification time (ns), size and inode


@dataclass(frozen=True)
class Run:
    record: RunSummary  # what the index, weekly page and feed show; the page reads the record
    page: str  # the run's page, relative to the site root
    source: Path  # the record file
    stamp: Stamp
    read: RunSummary  # as read from the file (`record` may add readers' votes from a database)

    @property
    def key(self) -> str:
        return source_key(self.source)

    @property
    def ship_line(self) -> str:
        names = {tool.id: tool.name for tool in self.record.tools}
        return " · ".join(
            f"{names.get(s.tool, s.tool)} {percent(s.ship_pct)}"
            for s in self.record.aggregates.tools
        )

    @property
    def model(self) -> str:
        return f"{self.record.model.provider}:{self.record.model.model}"


@dataclass(frozen=True)
class Site:
    path: Path
    runs: list[Run]  # as published, newest first
    rendered: int  # run pages rendered by this build (the others were carried over)


def parse_since(text: str) -> timedelta:
    """`36h`, `7d` or `2w` as a time span."""
    match = _SINCE.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise InputError(f"--since: {text!r} is not a span like 36h, 7d or 2w")
    count, unit = int(match.group(1)), match.group(2)
    return (
        timedelta(hours=count) if unit == "h" else timedelta(days=count * (7 if unit == "w" else 1))
    )


def source_key(path: Path) -> str:
    """A record file's identity in the manifest: a digest of its path, not the path itself."""
    return hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:32]


def find_runs(
    root: Path, warn: Callable[[str], None], known: dict[str, SitePage] | None = None
) -> list[Run]:
    """Every run under `root` once (a `latest` pointer is not a second run, a hidden staging
    folder is no run), newest first. A record the manifest `known` holds unchanged is not read."""
    if not root.is_dir():
        raise InputError("no such folder", source=str(root))
    known = known or {}
    runs: dict[str, Run] = {}
    for path in find_records(root):  # hidden folders (panel's staging) and `latest` skipped
        try:
            status = path.stat()
        except OSError as error:
            warn(f"skipped {path}: {error.strerror or error}")
            continue
        stamp = (status.st_mtime_ns, status.st_size, status.st_ino)
        page = known.get(source_key(path))
        try:
            summary = page.summary if page and _built_from(page) == stamp else load_summary(path)
        except InputError as error:
            warn(f"skipped {error}")
            continue
        page_path = f"runs/{page_name(summary.run_id)}.html"
        runs.setdefault(summary.run_id, Run(summary, page_path, path, stamp, summary))
    return sorted(runs.values(), key=lambda r: (r.record.created_at, r.record.run_id), reverse=True)


def _built_from(page: SitePage) -> Stamp:
    return (page.mtime_ns, page.size, page.inode)


def page_name(run_id: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", run_id):
        return run_id
    return "run-" + hashlib.sha256(run_id.encode()).hexdigest()[:16]


def built_pages(out: Path, live: LivePage | None = None) -> dict[str, SitePage]:
    """What the site at `out` was built from, by record; empty when unknown or built another
    way (another release, other templates, another vote server): then every page is built."""
    try:
        text = read_text(out / MANIFEST, limit=MAX_MANIFEST_BYTES)
        manifest = SiteManifest.model_validate_json(text)
    except (InputError, ValidationError, OSError):
        return {}
    if manifest.built_by != built_by(live):
        return {}  # another release or other templates: every page again
    return {page.source: page for page in manifest.pages}


def built_by(live: LivePage | None = None) -> str:
    """What a page depends on besides its record and its votes: panel's version, a digest of
    its page templates, and the vote server its pages talk to (if any)."""
    server = f"; votes on {live.server}" if live else ""
    return f"panel {__version__}; templates {_templates_digest()}{server}"


@cache
def _templates_digest() -> str:
    digest = hashlib.sha256()
    for template in sorted(template_dir().glob("*.j2")):
        digest.update(template.name.encode() + b"\0" + template.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_site(
    runs: list[Run],
    out: Path,
    *,
    since: timedelta,
    now: datetime,
    site_url: str | None = None,
    live: LivePage | None = None,
    known: dict[str, SitePage] | None = None,
    warn: Callable[[str], None] = lambda line: None,
) -> Site:
    """Write the site into `out` at once; only the pages of new or changed records are
    rendered (`known`: the current site's manifest, from `built_pages`). With `live`
    (`digest --vote-server URL`), each run's page takes readers' votes on that server."""
    out = out.resolve()
    _check_out(out)
    known = known or {}
    published: list[Run] = []
    rendered = 0
    with staged_site(out, MARKER, MARKER_TEXT) as staging:
        (staging / "runs").mkdir()
        keep_others(out, staging, {MARKER, MANIFEST, INDEX, WEEKLY, FEED, "runs"})
        for run in runs:
            before = known.get(run.key)
            unchanged = (
                before is not None
                and before.page == run.page
                and _built_from(before) == run.stamp
                and before.votes == run.record.community_votes  # a database's may have moved
            )
            if unchanged and (out / run.page).is_file():
                carry_over(out / run.page, staging / run.page)
                published.append(run)
                continue
            try:
                record = load_record(run.source)
            except InputError as error:
                warn(f"skipped {error}")
                continue
            shown = record.model_copy(update={"community_votes": run.record.community_votes})
            write_file(staging / run.page, render_html(shown, live))
            published.append(run)
            rendered += 1
        recent = [run for run in published if run.record.created_at >= now - since]
        pages = {
            INDEX: _page("digest_index.html.j2", runs=published, recent=len(recent)),
            WEEKLY: _page("digest_week.html.j2", runs=recent, since=since, now=now),
            FEED: feed_xml(recent, site_url=site_url, site_name=out.name, now=now),
            MANIFEST: _manifest(published, live),
        }
        for name, text in pages.items():
            write_file(staging / name, text)
    return Site(out, published, rendered)


def _manifest(runs: list[Run], live: LivePage | None) -> str:
    pages = [
        SitePage(
            source=run.key,
            mtime_ns=run.stamp[0],
            size=run.stamp[1],
            inode=run.stamp[2],
            page=run.page,
            summary=run.read,
            votes=run.record.community_votes,
        )
        for run in runs
    ]
    return SiteManifest(built_by=built_by(live), pages=pages).model_dump_json() + "\n"


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError("is a file, not a folder for the site", source=f"--out {out}")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise InputError(
            "folder holds files panel did not write; choose a new or empty folder",
            source=f"--out {out}",
        )
    if out == Path.cwd().resolve() or out == Path.home().resolve() or out.parent == out:
        raise InputError("refusing to replace this folder; choose a folder for the site",
                         source=f"--out {out}")  # fmt: skip


def _page(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


@cache
def _environment() -> jinja2.Environment:
    """One environment per process: each page template is compiled once, not once per page."""
    return template_environment(
        html=True, finalize=lambda value: _text(value) if isinstance(value, str) else value
    )


def _text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_id(record: Record | RunSummary) -> str:
    """A tag: URI (RFC 4151) from the run's identity: the same run always has the same id."""
    day = record.created_at.astimezone(UTC).strftime("%Y-%m-%d")
    return f"tag:panel,{day}:run/{page_name(record.run_id)}"


def feed_xml(runs: list[Run], *, site_url: str | None, site_name: str, now: datetime) -> str:
    """An Atom 1.0 feed: one entry per comparison run, newest first."""
    base = (site_url.rstrip("/") + "/") if site_url else ""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "title", "panel digest")
    _add(feed, "id", f"{base}{FEED}" if base else f"tag:panel,2026:digest/{_text(site_name)}")
    _add(feed, "updated", _stamp(runs[0].record.created_at if runs else now))
    author = _add(feed, "author")
    _add(author, "name", "panel")
    _add(feed, "generator", "panel")
    if base:
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}{FEED}")
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=f"{base}{WEEKLY}")
    for run in runs:
        record = run.record
        entry = _add(feed, "entry")
        _add(entry, "id", entry_id(record))
        _add(entry, "title", f"{_entry_title(record)} ({run.model})")
        _add(entry, "updated", _stamp(record.created_at))
        _add(entry, "published", _stamp(record.created_at))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=f"{base}{run.page}")  # fmt: skip
        summary = f"Panel ship: {run.ship_line}. {_call_summary(record)}."
        if not record.model.is_language_model:
            summary += " Offline draft: the verdicts are placeholders, not a model's."
        _add(entry, "summary", summary)
        for tool in record.tools:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=_text(tool.id), label=_text(tool.name))
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    if text is not None:
        element.text = _text(text)
    return element


def _entry_title(record: Record | RunSummary) -> str:
    """A review of one tool is titled by the tool; a comparison by its title."""
    return record.tools[0].name if len(record.tools) == 1 else record.title


def _call_summary(record: Record | RunSummary) -> str:
    label = "Overall" if record.aggregates.call is None else "The panel's call"
    return f"{label}: {record.aggregates.call_line}"
