"""Rebuilding a run folder's pages from its record, with no model call.

Each file is written beside itself under a temporary name and renamed over
the old one, so a reader sees the old page or the new one, never half of
one. Files the editor put in the folder (overrides.toml, notes) are left as
they are.
"""

from __future__ import annotations

from pathlib import Path

from panel.files import write_atomically
from panel.models import Record
from panel.record.store import RECORD
from panel.report.output import HTML, MARKDOWN
from panel.report.render import LivePage, render_html, render_markdown


def republish(folder: Path, record: Record, live: LivePage | None = None) -> list[Path]:
    """Write the record and both pages into `folder`; returns the files written. With `live`
    (`render --vote-server URL`), the HTML page takes readers' votes on that server."""
    files = {
        RECORD: record.model_dump_json(indent=2),
        MARKDOWN: render_markdown(record),
        HTML: render_html(record, live),
    }  # every page is rendered before the first file is replaced
    return [write_atomically(folder / name, text, mode=0o644) for name, text in files.items()]
