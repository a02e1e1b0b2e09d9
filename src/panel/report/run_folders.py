"""Where runs go: one new folder per run, a `latest` pointer, and the checks made before a run.

A run group (by default `panel-out/<tools>/`, or `--out DIR`) holds one folder per run, named
`<UTC time>-<model>`, and `latest`, a relative symlink to the newest complete one. panel marks a
group it created with a small marker file, so it later knows the folder is its own. Nothing in a
group is ever overwritten or deleted: a new run is a new folder beside the old ones.

`check_out_dir` refuses, with one line and before any model call, a place where writing a run
could bury or disturb someone's files: the working folder, the home folder, the filesystem root,
the response cache (or a folder holding it or inside it), a file, or a non-empty folder panel did
not write. `prepare` then creates the group and proves it writable, and checks there is room on
disk for the run, so a run is never paid for and then lost at the end for want of a folder.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterable
from pathlib import Path

from panel.errors import InputError, RunError
from panel.models import Record
from panel.record.store import LATEST, RECORD

DEFAULT_ROOT = Path("panel-out")
MARKER = ".panel-runs"
MARKER_TEXT = "panel run folders: one folder per run; 'latest' points at the newest complete one.\n"
# Room to leave on disk before a run: a fixed margin plus a generous share per cell for its
# cache entry and its part of record.json, panel.md and panel.html (a cell takes ~10 KB in all).
MIN_FREE_BYTES = 8 * 1024 * 1024
FREE_BYTES_PER_CELL = 64 * 1024
_SCAN_LIMIT = 2000
# Where `panel runs` and `panel digest` look for records: `panel-out/<tools>/<run>/` from the
# folder holding panel-out is 3 folders down; a run folder, a group and panel-out are less.
RECORD_DEPTH = 4
# Beyond this many folders on the way it is no archive: a publication's of ten years of runs
# (a folder a run, a few hundred groups) stays far below it; `panel runs /` meets it in a second.
MAX_FOLDERS = 250_000
PROBE = ".panel-probe-"
# Panel's temporary names carry their writer, `host~pid~start~`, so that whatever a killed
# process leaves (a staging folder, a link, a probe) is removed once that process is gone.
WRITER_TAG = "~"


def default_root(tool_ids: Iterable[str]) -> Path:
    name = re.sub(r"[^a-z0-9-]", "", "-vs-".join(tool_ids))[:120] or "panel"
    return DEFAULT_ROOT / name


def run_folder_name(record: Record) -> str:
    """`2026-11-30T101500Z-anthropic-claude-sonnet-5-5`: sorts by time, says which model."""
    when = record.created_at.strftime("%Y-%m-%dT%H%M%SZ")
    info = record.model
    model = info.model if info.provider == info.model else f"{info.provider}-{info.model}"
    slug = re.sub(r"[^a-z0-9.]+", "-", model.lower()).strip("-.")[:60] or "model"
    return f"{when}-{slug}"


def holds_panel_runs(folder: Path) -> bool:
    """Whether panel wrote this folder: its marker, its pointer, or a record of panel's in it."""
    if (folder / MARKER).is_file() or (folder / LATEST).is_symlink() or _is_record(folder / RECORD):
        return True
    try:
        children = [child for _, child in zip(range(_SCAN_LIMIT), folder.iterdir(), strict=False)]
    except OSError:
        return False
    return any(child.is_dir() and _is_record(child / RECORD) for child in children)


def _is_record(path: Path) -> bool:
    """A record panel wrote starts with its schema_version; a stranger's record.json does not."""
    try:
        with path.open("rb") as stream:
            head = stream.read(256)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and b'"schema_version"' in head[:64]


def check_out_dir(root: Path, *, cache_dir: Path) -> Path:
    """The run group to write into, refused with one line if writing there could harm anything."""
    source = f"--out {root}"
    try:
        target, cwd, cache = root.resolve(), Path.cwd().resolve(), cache_dir.resolve()
    except (OSError, RuntimeError) as exc:
        raise InputError(f"cannot use this folder ({exc})", source=source) from exc
    for refused, why in _refusals(target, cwd, cache):
        if refused:
            raise InputError(
                f"refusing {why}; name a new folder (or one holding panel runs)", source=source
            )
    latest = target / LATEST
    if os.path.lexists(latest) and not latest.is_symlink():
        raise InputError(
            f"{LATEST} there is not panel's pointer; choose another folder", source=source
        )
    return root


def check_apart(
    output: Path,
    inputs: Iterable[tuple[str, Path]],
    *,
    source: str,
    may_hold: Iterable[Path] = (),
) -> Path:
    """`output`, refused with one line, before anything is written, if it is, holds or is
    inside one of `inputs` (each a label and a path; links resolved): writing or replacing it
    could destroy what the command reads (`panel digest pub/panel-out --out pub`). Every
    command that writes a folder calls this first: digest, render, run, rerun, panel serve.
    `may_hold` names inputs the output may contain (a rerun's run folder, in its group)."""
    target = resolved(output, source)
    allowed = {resolved(path, str(path)) for path in may_hold}
    for label, path in inputs:
        real = resolved(path, label)
        if target == real:
            relation = "is"
        elif real.is_relative_to(target) and real not in allowed:
            relation = "holds"
        elif target.is_relative_to(real):
            relation = "is inside"
        else:
            continue
        raise InputError(
            f"refusing an output folder that {relation} {label} {path} (an input of this "
            "command): writing there could destroy what it reads; choose a folder apart from "
            "the inputs",
            source=source,
        )
    return output


def resolved(path: Path, source: str) -> Path:
    """The real, absolute path (links followed), or one InputError for a looping link."""
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:
        raise InputError("cannot be resolved (a looping link?)", source=source) from exc


def _refusals(target: Path, cwd: Path, cache: Path) -> list[tuple[bool, str]]:
    return [
        (target == Path(target.anchor), "the filesystem root"),
        (target == cwd, "the working folder"),
        (target == _home(), "the home folder"),
        (target == cache, "the response cache folder"),
        (target in cache.parents, "a folder holding the response cache"),
        (cache in target.parents, "a folder inside the response cache"),
        (target.exists() and not target.is_dir(), "a file (--out names a folder)"),
        (
            target.is_dir() and _non_empty(target) and not holds_panel_runs(target),
            "a folder panel did not write (it is not empty and holds no panel run)",
        ),
    ]


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (OSError, RuntimeError):
        return None


def _non_empty(folder: Path) -> bool:
    try:
        return next(iter(folder.iterdir()), None) is not None
    except OSError:
        return True


def check_room(root: Path, *, cells: int, cache_dir: Path) -> None:
    """Whether the group can be made and the disks hold the run, found without writing anything
    (a bad --out or a refused spend leaves no folder behind); `prepare` makes it later."""
    place = _existing(root)
    if not place.is_dir() or not os.access(place, os.W_OK | os.X_OK):
        what = "not a folder" if not place.is_dir() else "not writable"
        raise InputError(f"cannot write there ({place} is {what})", source=f"--out {root}")
    cache = _existing(cache_dir)
    if not cache.is_dir():  # a file or a device: no cell could be saved, each would say so
        raise InputError(
            f"not a folder ({cache} is a file or a device); name a folder for the response cache",
            source=f"--cache-dir {cache_dir}",
        )
    need = required_bytes(cells)
    for where, flag in ((root, "--out"), (cache_dir, "--cache-dir")):
        free = shutil.disk_usage(_existing(where)).free
        if free < need:
            raise RunError(
                f"{flag} {where}: only {free / 1e6:.1f} MB free on its disk and this run needs "
                f"about {need / 1e6:.0f} MB; free some space first (nothing was called)"
            )


def prepare(root: Path, *, cells: int, cache_dir: Path) -> None:
    """Create the group, prove it writable and check the disk, all before the first paid call."""
    check_room(root, cells=cells, cache_dir=cache_dir)
    try:
        mark_group(root)
        handle, probe = tempfile.mkstemp(dir=root, prefix=f"{PROBE}{writer_tag()}{WRITER_TAG}")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(
            f"cannot write there ({exc.strerror or exc})", source=f"--out {root}"
        ) from exc


def mark_group(root: Path) -> None:
    """Create the group folder if needed and mark it as panel's."""
    root.mkdir(parents=True, exist_ok=True)
    marker = root / MARKER
    if not marker.exists():
        marker.write_text(MARKER_TEXT, encoding="utf-8")


def required_bytes(cells: int) -> int:
    return MIN_FREE_BYTES + cells * FREE_BYTES_PER_CELL


def _existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def home_of(record_path: Path) -> Path | None:
    """The run group a record belongs to (so a rerun lands beside it), if panel wrote one."""
    folder = record_path if record_path.is_dir() else record_path.parent
    for candidate in (folder, folder.parent):
        if (candidate / MARKER).is_file() or (candidate / LATEST).is_symlink():
            return candidate
    return None


def find_records(root: Path) -> list[Path]:
    """Every run's record under `root`, old layout and new, each once, staging folders skipped.

    Runs lie at most `RECORD_DEPTH` folders below `root` (`panel runs .` finds
    `panel-out/<tools>/<run>/`), so only that far is looked; hidden folders, `latest` and links
    to folders are not entered. More than `MAX_FOLDERS` folders on the way is no runs folder
    (`panel runs /`, a home folder): one InputError naming it, not a walk of the whole disk."""
    found: dict[Path, Path] = {}
    try:
        real_root = root.resolve()
    except (OSError, RuntimeError):
        return []
    for path, linked in sorted(_record_files(root)):
        try:  # no link to a folder is entered: below the real root, only a linked file moves
            real = path.resolve() if linked else real_root / path.relative_to(root)
        except (OSError, RuntimeError):  # a link that loops: not a record anyone can read
            continue
        found.setdefault(real, path)
    return list(found.values())


def _record_files(root: Path) -> Iterable[tuple[Path, bool]]:
    """Each record file under `root`, and whether it is a link."""
    folders, looked = [(root, 0)], 0
    while folders:
        folder, depth = folders.pop()
        looked += 1
        if looked > MAX_FOLDERS:
            raise InputError(
                f"more than {MAX_FOLDERS:,} folders within {RECORD_DEPTH} levels: not a folder "
                "of panel runs; name the one holding them (panel-out, or a run group)",
                source=str(root),
            )
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name == RECORD and not entry.is_dir():
                        yield Path(entry.path), entry.is_symlink()
                    elif depth < RECORD_DEPTH and _may_hold_runs(entry):
                        folders.append((Path(entry.path), depth + 1))
        except OSError:  # a folder that cannot be read holds no run panel can show
            continue


def _may_hold_runs(entry: os.DirEntry[str]) -> bool:
    if entry.name.startswith(".") or entry.name == LATEST or entry.name == RECORD:
        return False
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def is_latest(record_path: Path) -> bool:
    """Whether a run folder is the one its group's `latest` points at."""
    link = record_path.parent.parent / LATEST
    try:
        return link.is_symlink() and link.resolve() == record_path.parent.resolve()
    except (OSError, RuntimeError):  # a `latest` that loops points at no run
        return False


def writer_tag(pid: int | None = None) -> str:
    """`host~pid~start`: who is writing, precise enough to tell, later, that it is gone."""
    pid = os.getpid() if pid is None else pid
    return f"{_host()}{WRITER_TAG}{pid}{WRITER_TAG}{_start_time(pid) or 0}"


def _host() -> str:
    """This machine, and on Linux its process-id namespace: two containers with one host name
    do not see each other's processes, so neither may judge the other's writer gone."""
    name = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"
    try:
        return f"{name}-{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return name


def _start_time(pid: int) -> int | None:
    """When the process started, in clock ticks since boot (Linux), to tell a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return int(stat.rpartition(")")[2].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def writer_gone(name: str, prefixes: tuple[str, ...]) -> bool | None:
    """Whether the process that named this leftover (after one of `prefixes`) is gone (None: it
    cannot be told here: another host, or a name without a writer tag)."""
    prefix = next((p for p in prefixes if p in name), None)
    if prefix is None:
        return None
    parts = name.rsplit(prefix, 1)[-1].split(WRITER_TAG)
    if len(parts) != 4:
        return None
    host, pid_text, start_text = parts[:3]
    if host != _host() or not pid_text.isdigit() or not start_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, someone else's
    except OSError:
        return None
    started = _start_time(pid)
    return started is not None and int(start_text) not in (0, started)
