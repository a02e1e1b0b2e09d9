"""Writing a run's folder all at once.

The folder is built beside its destination under a temporary name and then
swapped in, so a reader (or a run killed at any moment) finds either the old
complete folder or the new complete one, never a mix.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from panel.models import Record
from panel.record.store import RECORD
from panel.report.render import render_html, render_markdown

MARKDOWN = "panel.md"
HTML = "panel.html"


def write_outputs(out_dir: Path, record: Record) -> Path:
    files = {
        RECORD: record.model_dump_json(indent=2),
        MARKDOWN: render_markdown(record),
        HTML: render_html(record),
    }
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted_swap(out_dir)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.new-"))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a run's folder is for sharing
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _swap_in(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    retired = out_dir.parent / f".{out_dir.name}.old"
    shutil.rmtree(retired, ignore_errors=True)
    os.replace(out_dir, retired)
    os.replace(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def recover_interrupted_swap(out_dir: Path) -> None:
    """A run killed between the two renames leaves only the old folder, set aside: put it back."""
    retired = out_dir.parent / f".{out_dir.name}.old"
    if retired.is_dir() and not out_dir.exists():
        os.replace(retired, out_dir)
    for leftover in out_dir.parent.glob(f".{out_dir.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
