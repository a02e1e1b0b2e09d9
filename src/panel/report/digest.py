"""A static site from a folder of runs: an index, a weekly digest page and an Atom feed.

Every page is rendered from the records (card and model text escaped; the feed
is built with an XML library and stripped of characters XML cannot carry). The
site is built beside its destination and swapped in, and only a folder panel
built (it carries a marker file) or an empty one is ever replaced.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from panel.errors import InputError
from panel.models import Record
from panel.record.store import RECORD, load_record
from panel.report.render import LivePage, percent, render_html, template_environment

MARKER = ".panel-site"
ATOM = "http://www.w3.org/2005/Atom"
FEED, INDEX, WEEKLY = "feed.xml", "index.html", "digest.html"
_SINCE = re.compile(r"^(\d{1,4})([hdw])$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Run:
    record: Record
    page: str  # the run's page, relative to the site root

    @property
    def ship_line(self) -> str:
        names = {tool.id: tool.name for tool in self.record.tools}
        return " · ".join(
            f"{names[s.tool]} {percent(s.ship_pct)}" for s in self.record.aggregates.tools
        )

    @property
    def model(self) -> str:
        return f"{self.record.model.provider}:{self.record.model.model}"


def parse_since(text: str) -> timedelta:
    """`36h`, `7d` or `2w` as a time span."""
    match = _SINCE.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise InputError(f"--since: {text!r} is not a span like 36h, 7d or 2w")
    count, unit = int(match.group(1)), match.group(2)
    return (
        timedelta(hours=count) if unit == "h" else timedelta(days=count * (7 if unit == "w" else 1))
    )


def find_runs(root: Path, warn: Callable[[str], None]) -> list[Run]:
    """Every run under `root` once (a `latest` pointer is not a second run), newest first."""
    if not root.is_dir():
        raise InputError("no such folder", source=str(root))
    records: dict[str, Record] = {}
    for path in sorted(root.rglob(RECORD)):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # a staging or retired folder
        try:
            record = load_record(path)
        except InputError as error:
            warn(f"skipped {error}")
            continue
        records.setdefault(record.run_id, record)
    ordered = sorted(records.values(), key=lambda r: (r.created_at, r.run_id), reverse=True)
    return [Run(record, f"runs/{page_name(record.run_id)}.html") for record in ordered]


def page_name(run_id: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", run_id):
        return run_id
    return "run-" + hashlib.sha256(run_id.encode()).hexdigest()[:16]


def build_site(runs: list[Run], out: Path, *, since: timedelta, now: datetime,
               site_url: str | None = None, live: LivePage | None = None) -> Path:  # fmt: skip
    """Write the site into `out` at once; returns its resolved path. With `live`
    (`digest --vote-server URL`), each run's page takes readers' votes on that server."""
    out = out.resolve()
    _check_out(out)
    recent = [run for run in runs if run.record.created_at >= now - since]
    files = {
        INDEX: _page("digest_index.html.j2", runs=runs, recent=len(recent)),
        WEEKLY: _page("digest_week.html.j2", runs=recent, since=since, now=now),
        FEED: feed_xml(recent, site_url=site_url, site_name=out.name, now=now),
        MARKER: "built by panel digest; the whole folder is replaced on the next build\n",
    }
    files.update({run.page: render_html(run.record, live) for run in runs})
    _swap_in(files, out)
    return out


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


def _swap_in(files: dict[str, str], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.new-"))
    retired = out.parent / f".{out.name}.old-{staging.name.rsplit('-', 1)[-1]}"
    try:
        staging.chmod(0o755)
        (staging / "runs").mkdir()
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if out.exists():
            os.replace(out, retired)
        os.replace(staging, out)
    except BaseException:
        if retired.exists() and not out.exists():
            os.replace(retired, out)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _page(template: str, **context: Any) -> str:
    env = template_environment(
        html=True, finalize=lambda value: _text(value) if isinstance(value, str) else value
    )
    env.filters["percent"] = percent
    return env.get_template(template).render(**context)


def _text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_id(record: Record) -> str:
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


def _entry_title(record: Record) -> str:
    """A review of one tool is titled by the tool; a comparison by its title."""
    return record.tools[0].name if len(record.tools) == 1 else record.title


def _call_summary(record: Record) -> str:
    label = "Overall" if record.aggregates.call is None else "The panel's call"
    return f"{label}: {record.aggregates.call_line}"


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    if text is not None:
        element.text = _text(text)
    return element
