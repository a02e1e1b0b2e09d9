"""Rebuilding a run folder's pages from its record, with no model call.

Each file is written beside itself under a temporary name and renamed over
the old one, so a reader sees the old page or the new one, never half of
one. Files the editor put in the folder (overrides.toml, notes) are left as
they are.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from panel.models import Record
from panel.record.store import RECORD
from panel.report.output import HTML, MARKDOWN
from panel.report.render import render_html, render_markdown


def republish(folder: Path, record: Record) -> list[Path]:
    """Write the record and both pages into `folder`; returns the files written."""
    files = {
        RECORD: record.model_dump_json(indent=2),
        MARKDOWN: render_markdown(record),
        HTML: render_html(record),
    }  # every page is rendered before the first file is replaced
    return [write_atomically(folder / name, text) for name, text in files.items()]


def write_atomically(path: Path, text: str) -> Path:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
