"""Rendering a template with a bound on its time and the size of what it makes.

A template is data a team may edit, or one read back from a record: it may loop for ever, include
itself, or build a gigabyte (`'x' * 10**9`, `10 ** 10 ** 10`, `center(2000000000)`). The
sandbox refuses such arithmetic and such widths before they run, the output is counted as it is
generated, and a trace function in the rendering thread stops any template line run past the
deadline. Each becomes an `InputError` naming the template: one line, never a hang or a
RecursionError.
"""

from __future__ import annotations

import math
import queue
import re
import resource
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

MAX_RENDER_CHARS = 4_000_000  # about a million tokens: more than any model reads
MAX_RENDER_SECONDS = 5.0
MAX_RENDER_MEMORY_KB = 512 * 1024  # growth of the process's peak memory while rendering
_TEMPLATE_CODE = "<template>"
_DIGITS = re.compile(r"\d+")

Tracer = Callable[[FrameType, str, Any], Any]


class RenderLimit(Exception):
    """A template went past a bound; the message says which."""


def _too_large(what: str) -> RenderLimit:
    return RenderLimit(f"{what} would be too large (the limit is {MAX_RENDER_CHARS:,} characters)")


def _check_size_argument(value: object) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_RENDER_CHARS:
        raise _too_large(f"an argument of {value:,}")
    if (_sized(value) or 0) > MAX_RENDER_CHARS:
        raise _too_large("an argument")


def _check_format(text: str) -> None:
    """A width or precision in a format string is a size: `'%2000000000d' % 1`."""
    for digits in _DIGITS.findall(text):
        if len(digits) > 7 and int(digits) > MAX_RENDER_CHARS:
            raise _too_large(f"a format width of {int(digits):,}")


def _sized(value: object) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | bytes) else None


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, refusing arithmetic, calls and filters whose result would be too large."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _sized(seq)
                if size is not None and isinstance(times, int) and size * times > MAX_RENDER_CHARS:
                    raise _too_large("a repeated text or list")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right * math.log2(abs(left)) > MAX_RENDER_CHARS:
                raise _too_large("a power")
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        elif operator == "+" and (_sized(left) or 0) + (_sized(right) or 0) > MAX_RENDER_CHARS:
            raise _too_large("a joined text")
        return super().call_binop(context, operator, left, right)

    def call(self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            _check_size_argument(value)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            _check_format(owner)
        return super().call(__context, __obj, *args, **kwargs)

    def bound_filters(self) -> None:
        """Every filter refuses a size argument (a width, a count) beyond the limit."""
        for name, function in list(self.filters.items()):
            self.filters[name] = _bounded_filter(function)


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    def bounded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            _check_size_argument(value)
            if isinstance(value, str) and function.__name__ in ("do_format", "format"):
                _check_format(value)
        return function(*args, **kwargs)

    for marker in ("jinja_pass_arg",):  # keep how jinja passes the context or environment
        if hasattr(function, marker):
            setattr(bounded, marker, getattr(function, marker))
    bounded.__name__ = getattr(function, "__name__", "filter")
    return bounded


def render_bounded(template: jinja2.Template, context: dict[str, object]) -> str:
    """The rendered text, or a `RenderLimit`; template errors propagate unchanged."""
    return render_bounded_all(template, [context])[0]


def render_bounded_all(
    template: jinja2.Template, contexts: Sequence[Mapping[str, object]]
) -> list[str]:
    """`render_bounded` for each context, in one hand-off to the rendering thread: handing each
    cell of a panel over on its own cost about ten times the rendering."""
    bound = {"deadline": 0.0, "memory": 0}  # of the render under way
    outcome: dict[str, Any] = {}
    rendered: list[str] = []

    def line_check(frame: FrameType, event: str, arg: Any) -> Tracer:
        if time.monotonic() > bound["deadline"]:
            raise RenderLimit(f"rendering took longer than {MAX_RENDER_SECONDS:g} s")
        if _peak_memory_kb() > bound["memory"]:  # a text doubled line after line
            raise _too_large("what the template builds")
        return line_check

    def on_call(frame: FrameType, event: str, arg: Any) -> Tracer | None:
        return line_check if frame.f_code.co_filename == _TEMPLATE_CODE else None

    def work() -> None:
        sys.settrace(on_call)
        try:
            for context in contexts:
                bound["deadline"] = time.monotonic() + MAX_RENDER_SECONDS
                bound["memory"] = _peak_memory_kb() + MAX_RENDER_MEMORY_KB
                rendered.append(_generate(template, context))
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread as is
            outcome["error"] = exc
        finally:
            sys.settrace(None)

    done = threading.Event()

    def job() -> None:
        try:
            work()
        finally:
            done.set()

    worker = _worker()
    worker.put(job)
    seen = 0
    while not done.wait(MAX_RENDER_SECONDS * 2):
        if len(rendered) == seen:  # stuck in one long C call: the thread is left
            _abandon(worker)
            raise RenderLimit(f"rendering took longer than {MAX_RENDER_SECONDS:g} s")
        seen = len(rendered)
    if "error" in outcome:
        raise outcome["error"]
    return rendered


def render_sized_all(
    template: jinja2.Template, contexts: Sequence[Mapping[str, object]]
) -> list[str]:
    """Each context rendered here and now, its size bounded but not its time or memory: only
    for the templates panel ships, whose loops run over what the models bound (a card's facts,
    a persona's beats). Traced line by line in the rendering thread, a cell's prompt cost four
    times its rendering (0.12 ms a cell instead of 0.03)."""
    return [_generate(template, context) for context in contexts]


def _generate(template: jinja2.Template, context: Mapping[str, object]) -> str:
    pieces, size = [], 0
    for piece in template.generate(**context):
        size += len(piece)
        if size > MAX_RENDER_CHARS:
            raise _too_large("the rendered text")
        pieces.append(piece)
    return "".join(pieces)


# One rendering thread for the process, fed a queue (a panel renders a prompt per cell: a thread
# started for each cost more than the rendering). A thread stuck past the deadline is abandoned
# (it is a daemon) and the next render starts a fresh one.
_WORKER: queue.SimpleQueue[Callable[[], None]] | None = None
_WORKER_LOCK = threading.Lock()


def _worker() -> queue.SimpleQueue[Callable[[], None]]:
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None:
            jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
            thread = threading.Thread(target=_serve, args=(jobs,), name="panel-render", daemon=True)
            thread.start()
            _WORKER = jobs
        return _WORKER


def _serve(jobs: queue.SimpleQueue[Callable[[], None]]) -> None:
    while True:
        jobs.get()()


def _abandon(jobs: queue.SimpleQueue[Callable[[], None]]) -> None:
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is jobs:
            _WORKER = None


def _peak_memory_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
