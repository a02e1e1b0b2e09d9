"""Putting a newly built site in place of the old one, so a reader sees one or the other, whole.

The new site is built in a hidden sibling staging folder: pages that did not change are carried
over as hard links to the old site's files (a copy where links are refused), the rest written
fresh. The two folders are then exchanged in one step (Linux `renameat2(RENAME_EXCHANGE)`),
and the old site, now under the staging name, is removed. At no instant is there no site at the
destination, and a build killed at any step leaves the old site or the new one there; what it
leaves behind is a hidden `.<site>.new-*` folder, removed by a later build once it is stale.

Where the exchange is not available (another system, a file system without it) the old site is
renamed aside to `.<site>.old-*` and the new one renamed in: a kill between those two renames
leaves the old site under that name, and the next build puts it back before anything else.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

NEW, OLD = ".new-", ".old-"
STALE_SECONDS = 3600
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_names(out: Path) -> tuple[str, str]:
    """The prefixes of the hidden folders a build of `out` makes beside it."""
    return f".{out.name}{NEW}", f".{out.name}{OLD}"


@contextlib.contextmanager
def staged_site(out: Path, marker: str, marker_text: str) -> Iterator[Path]:
    """A staging folder beside `out` to build the new site in; swapped in when the block ends.

    If the block raises, the staging folder is removed and `out` is left as it was. The
    `marker` file (panel built this folder) is written first, so a staging folder left by a
    kill is recognisably panel's.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    restore_retired(out, marker)
    remove_stale(out, marker)
    new_prefix, _ = staging_names(out)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=new_prefix))
    try:
        staging.chmod(0o755)
        write_file(staging / marker, marker_text)
        yield staging
        if out.exists():
            exchange(staging, out)  # from here `staging` holds the old site
        else:
            os.rename(staging, out)  # nothing to replace
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # the unfinished new site, never the old
        raise
    shutil.rmtree(staging, ignore_errors=True)


def write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def carry_over(source: Path, target: Path) -> None:
    """A page of the old site into the new one: the same file (a hard link), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
            raise
        shutil.copy2(source, target)


def keep_others(old: Path, new: Path, own: set[str]) -> list[str]:
    """Everything at the top of the old site that panel does not write (`own`: its pages, the
    runs folder, its marker and manifest), carried into the new site: a CNAME, a robots.txt or
    an assets folder someone added is kept, never lost with the old site. Their names."""
    kept = []
    for entry in sorted(old.iterdir()) if old.is_dir() else []:
        if entry.name in own:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, new / entry.name, symlinks=True, copy_function=_linked)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry), new / entry.name)
        else:
            carry_over(entry, new / entry.name)
        kept.append(entry.name)
    return kept


def _linked(source: str, target: str) -> None:
    carry_over(Path(source), Path(target))


def exchange(first: Path, second: Path) -> None:
    """Swap two folders' names at once; where that is impossible, the fallback described above."""
    if _renameat2(first, second):
        return
    _, old_prefix = staging_names(second)
    retired = second.parent / f"{old_prefix}{first.name.rsplit('-', 1)[-1]}"
    os.rename(second, retired)
    try:
        os.rename(first, second)
    except BaseException:
        os.rename(retired, second)
        raise
    os.rename(retired, first)  # the old site where the caller removes it


def _renameat2(first: Path, second: Path) -> bool:
    """True when the kernel swapped the two; False when this system cannot (then nothing moved)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False  # a C library without it (glibc before 2.28, musl before 1.2.?)
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    result = function(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # a file system (or kernel) without the exchange
    raise OSError(code, os.strerror(code), str(second))


def restore_retired(out: Path, marker: str) -> None:
    """A build killed between the fallback's two renames left the old site aside: put it back."""
    if out.exists():
        return
    _, old_prefix = staging_names(out)
    retired = [p for p in out.parent.glob(f"{old_prefix}*") if (p / marker).is_file()]
    if retired:
        newest = max(retired, key=lambda p: p.stat().st_mtime)
        os.rename(newest, out)


def remove_stale(out: Path, marker: str) -> None:
    """Staging and retired folders of earlier builds killed part-way (panel's own, and old)."""
    cutoff = time.time() - STALE_SECONDS
    for prefix in staging_names(out):
        for leftover in out.parent.glob(f"{prefix}*"):
            try:
                mine = leftover.is_dir() and not leftover.is_symlink()
                if mine and (leftover / marker).is_file() and leftover.stat().st_mtime < cutoff:
                    shutil.rmtree(leftover)
            except OSError:
                continue
