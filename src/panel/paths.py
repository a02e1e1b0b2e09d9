"""Paths a file system can hold, checked where they are given (a flag, a config), light enough
for the command line's parsers: no pydantic, nothing from the rest of panel."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

# The longest file name and path the common file systems take (ext4, APFS, NTFS via WSL):
# beyond them every look at the path fails with ENAMETOOLONG.
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4095


def path_problem(text: str) -> str | None:
    """Why `text` cannot name a file on any common file system, or None when it can."""
    if "\x00" in text:
        return "holds a NUL character"
    try:
        raw = os.fsencode(text)
    except UnicodeEncodeError:
        return "holds a character no file name can (a lone surrogate)"
    longest = max(len(name) for name in raw.split(b"/"))
    if longest > MAX_NAME_BYTES:
        return f"a name in it is {longest:,} bytes; a file system takes at most {MAX_NAME_BYTES}"
    if len(raw) > MAX_PATH_BYTES:
        return f"it is {len(raw):,} bytes long; the limit is {MAX_PATH_BYTES:,}"
    return None


def path_argument(text: str) -> Path:
    """A path a file system can hold, as an argparse type: a name over 255 bytes is refused as
    the flag's value (`argument --out: a name in it is 300 bytes; ...`), never met later as an
    OSError."""
    problem = path_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return Path(text)
