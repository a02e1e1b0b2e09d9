"""Writing a run's folder so that a reader only ever sees complete runs.

The order of operations is the guarantee (a test checks it step by step):

1. render every file in memory (a renderer that fails touches no disk);
2. write them into a hidden staging folder inside the run group, each flushed to disk;
3. rename the staging folder to its final, new name (`<UTC time>-<model>`): the run folder
   appears whole, at once, and never replaces anything;
4. create a symlink to it under a temporary name and rename it over `latest`, so `latest`
   always points at a complete run, the old one until the instant it points at the new one.

A failure at any step (a full disk included) removes only panel's own staging folder or
temporary link: every earlier run, and `latest`, are left exactly as they were.

A writer killed outright (`kill -9`, a power cut) cannot clean up: its staging folder's name
says who wrote it (host, process id and the process's start time), and the next run in the
group removes it once that process is gone, never while it is still writing.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from panel.errors import RunError
from panel.models import Record
from panel.record.store import LATEST, RECORD
from panel.report.render import render_html, render_markdown
from panel.report.run_folders import (
    PROBE,
    WRITER_TAG,
    mark_group,
    run_folder_name,
    writer_gone,
    writer_tag,
)

MARKDOWN = "panel.md"
HTML = "panel.html"
STAGING = ".staging-"
STALE_SECONDS = 3600  # a leftover whose writer cannot be checked (another host, an old name)


def write_run(root: Path, record: Record) -> Path:
    """Write `record` as a new run folder in `root`, point `latest` at it, and return it."""
    files = {
        RECORD: record.model_dump_json(indent=2),
        MARKDOWN: render_markdown(record),
        HTML: render_html(record),
    }
    name = run_folder_name(record)
    try:
        mark_group(root)
        _remove_stale_staging(root)
        run_dir = _publish(root, name, files)
    except OSError as exc:
        raise RunError(
            f"could not write the run into {root} ({exc.strerror or exc}); earlier runs are "
            "untouched, and every completed cell is in the response cache: once there is room, "
            "the same command writes the run without calling the model again"
        ) from exc
    try:
        point_latest(root, run_dir.name)
    except OSError as exc:
        raise RunError(
            f"wrote {run_dir} but could not point {root / LATEST} at it ({exc.strerror or exc})"
        ) from exc
    return run_dir


def _publish(root: Path, name: str, files: dict[str, str]) -> Path:
    staging = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}{STAGING}{writer_tag()}{WRITER_TAG}"))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a run's folder is for sharing
        for file_name, text in files.items():
            _write_durably(staging / file_name, text)
        _fsync_folder(staging)
        run_dir = _rename_to_new_name(staging, root, name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_folder(root)
    return run_dir


def _write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _rename_to_new_name(staging: Path, root: Path, name: str) -> Path:
    """Rename to `name`, or `name-2`, ...: never onto anything that exists."""
    for n in range(1, 100):
        candidate = root / (name if n == 1 else f"{name}-{n}")
        if os.path.lexists(candidate):
            continue
        try:
            os.rename(staging, candidate)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                continue  # another run took the name a moment ago
            raise
        return candidate
    raise OSError(errno.EEXIST, f"no free name for {name} after 99 tries")


def point_latest(root: Path, target_name: str) -> None:
    """Swing `latest` to `target_name` in one rename; a `latest` panel did not make is kept."""
    link = root / LATEST
    if os.path.lexists(link) and not link.is_symlink():
        raise OSError(errno.EEXIST, f"{link} is not panel's pointer; left as it is")
    temporary = root / f".{LATEST}.{writer_tag()}{WRITER_TAG}{uuid.uuid4().hex}.tmp"
    os.symlink(target_name, temporary)  # relative: the group can be moved or shared
    try:
        os.replace(temporary, link)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _remove_stale_staging(root: Path) -> None:
    """Staging folders and links left by a run killed while writing: removed once their
    writer is gone, never while it may still be writing."""
    cutoff = time.time() - STALE_SECONDS
    leftovers = [
        *root.glob(f".*{STAGING}*"),
        *root.glob(f".{LATEST}.*.tmp"),
        *root.glob(f"{PROBE}*"),
    ]
    for leftover in leftovers:
        try:
            gone = writer_gone(leftover.name, (STAGING, f".{LATEST}.", PROBE))
            if gone is False or (gone is None and leftover.lstat().st_mtime >= cutoff):
                continue  # its writer is alive (or may be): another run writing right now
            if leftover.is_symlink() or not leftover.is_dir():
                leftover.unlink()
            else:
                shutil.rmtree(leftover)
        except OSError:
            continue
