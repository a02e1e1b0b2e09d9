"""Compiled jinja2 templates kept between processes, in a folder only the user can write.

Compiling the two page templates took 0.06 s of a `panel render` process's 0.27 s; loading
them compiled takes about 1 ms. jinja2 stores a template's code with a checksum of its source, so
an edited template is compiled again. What else changes the code jinja2 writes (the
environment's syntax, escaping, filters and tests, jinja2's and Python's versions) is part
of each entry's key.

A cache entry is code: loading one runs it. So an entry is read only from a folder owned by
this user and closed to everyone else (created 0700), and only when the file itself is this
user's, a regular file (no link) that nobody else may write. Anything else (no home, a
read-only disk, a folder with the wrong owner or mode) means compiling as before: the cache
only ever saves time, it never fails a command.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, cast

import jinja2
from jinja2.bccache import Bucket

FOLDER = ("panel", "templates")
_OTHERS = stat.S_IRWXG | stat.S_IRWXO  # the folder: no access at all for group and others
_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH  # an entry: nobody else may have written it


def cache_home() -> Path | None:
    """`$XDG_CACHE_HOME`, else `~/.cache`; None when there is no home to keep a cache in."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(configured):
        return Path(configured)
    try:
        return Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no HOME and no password entry for this user
        return None


def private_folder(path: Path) -> Path | None:
    """`path`, created 0700 when missing, if it is a real folder of this user that nobody else
    may enter; else None."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = os.lstat(path)
    except OSError:
        return None
    owned = status.st_uid == os.geteuid()
    private = stat.S_ISDIR(status.st_mode) and not status.st_mode & _OTHERS
    return path if owned and private else None


def template_cache() -> TemplateCache | None:
    """The user's cache of compiled templates, or None when there is no safe place for one
    (or no way to tell: a system without file owners or O_NOFOLLOW)."""
    if not hasattr(os, "geteuid") or not hasattr(os, "O_NOFOLLOW"):
        return None
    home = cache_home()
    folder = private_folder(home.joinpath(*FOLDER)) if home is not None else None
    return TemplateCache(folder) if folder is not None else None


class TemplateCache(jinja2.BytecodeCache):
    """jinja2's bytecode cache in a private folder, keyed by everything that shapes the code."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        key = hashlib.sha256(f"{_shape(environment, name)}|{name}|{filename}".encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            # No link followed, and no wait on a pipe: anything but a regular file is refused.
            flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
            descriptor = os.open(self._path(bucket), flags)
        except OSError:
            return  # not cached yet (or not readable): compiled as usual
        with os.fdopen(descriptor, "rb") as stream:
            if not _trusted(os.fstat(descriptor)):
                return
            try:
                bucket.load_bytecode(stream)
            except Exception:  # a truncated or foreign entry is a miss, compiled again
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Written beside its name and renamed over it: a reader sees a whole entry or none."""
        try:
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        except OSError:
            return  # a full or read-only disk costs the next process a compile, nothing more
        try:
            with os.fdopen(descriptor, "wb") as stream:
                bucket.write_bytecode(cast(IO[bytes], stream))
            os.replace(temporary, self._path(bucket))
        except (OSError, ValueError, TypeError):  # a full disk; code marshal cannot write
            Path(temporary).unlink(missing_ok=True)

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"


def _trusted(status: os.stat_result) -> bool:
    """A regular file of this user's that no one else may write."""
    return (
        stat.S_ISREG(status.st_mode)
        and status.st_uid == os.geteuid()
        and not status.st_mode & _OTHERS_WRITE
    )


def _shape(environment: jinja2.Environment, name: str) -> str:
    """What the code jinja2 compiles depends on besides the source: its and Python's versions,
    the environment's class and syntax, escaping, finalize, and its filters' and tests' names
    and what each is passed (the compiled call differs)."""
    escape = environment.autoescape
    finalize = environment.finalize
    shape = (
        jinja2.__version__,
        sys.implementation.cache_tag,
        type(environment).__module__,
        type(environment).__qualname__,
        environment.code_generator_class.__qualname__,
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        escape(name) if callable(escape) else escape,
        None if finalize is None else _passed(finalize),
        sorted(environment.extensions),
        sorted((key, _passed(value)) for key, value in environment.filters.items()),
        sorted((key, _passed(value)) for key, value in environment.tests.items()),
    )
    return repr(shape)


def _passed(function: object) -> str:
    """What jinja2 passes a filter, test or finalize first (context, environment...) or ""."""
    return repr(getattr(function, "jinja_pass_arg", ""))
