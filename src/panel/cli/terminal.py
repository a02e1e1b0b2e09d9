"""Untrusted text on the terminal: no markup, no control characters, no escape sequences.

Card names, model replies, error bodies and record fields can hold rich markup (`[/]` would
crash a table) or terminal escapes (ESC/OSC sequences that recolour, retitle or rewrite the
screen). `clean` strips the sequences and the control characters; `SafeConsole` applies it to
every string it renders and never reads markup, so nothing printed through it is interpreted.
"""

from __future__ import annotations

import os
import re
import sys
from functools import cache
from typing import TYPE_CHECKING, Any, TextIO

# Imported on every start by the CLI: rich is loaded only when a console is made.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other ESC sequences, then lone controls:
# C0 except tab and newline, DEL, C1, the bidirectional overrides and isolates that reorder what
# is shown, the marks that steer the same reordering (LRM, RLM, ALM), and the zero-width
# characters (spaces, joiners, word joiner, BOM) that make two names that print alike differ.
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
)
_UNSEEN = r"\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_CONTROLS = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_UNSEEN}]")
# What JSON leaves raw with ensure_ascii=False and a terminal still obeys (or hides): DEL, C1,
# bidi, zero-width.
_RAW_IN_JSON = re.compile(rf"[\x7f-\x9f{_UNSEEN}]")


def clean(text: object, *, one_line: bool = False) -> str:
    """`text` as something safe to print: escape sequences and control characters removed."""
    result = _CONTROLS.sub("", _SEQUENCES.sub("", str(text)))
    if one_line:
        result = " ".join(result.split())
    return result


# A path holding a character a terminal would obey, hide or break the line at (or a byte that
# is no UTF-8, which Python keeps as a lone surrogate) is shown quoted, in the shell's $'...'.
_UNSHOWABLE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_UNSEEN}\ud800-\udfff]")
_SHELL_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\", "'": "\\'"}


def shown_path(path: object) -> str:
    """`path` on one line as it can be typed: as is, or quoted as $'...' (bash, zsh) with each
    character that is not safe to print written as an escape. The file keeps its name."""
    text = str(path)
    if not _UNSHOWABLE.search(text):
        return text
    return "$'" + "".join(_shell_escape(char) for char in text) + "'"


def _shell_escape(char: str) -> str:
    if char in _SHELL_ESCAPES:
        return _SHELL_ESCAPES[char]
    if not _UNSHOWABLE.match(char):
        return char
    # As the bytes of the name (bash reads $'\u...' only in a UTF-8 locale, $'\x..' in any); a
    # byte that is no UTF-8, kept by os.fsdecode as a lone surrogate, is written back as that byte.
    try:
        raw = char.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no file name decodes to: shown, not typed
        return f"\\u{ord(char):04x}"
    return "".join(f"\\x{byte:02x}" for byte in raw)


# A word longer than this in an error line is a value echoed back (a 100,000-character flag):
# shown by its ends and its length, so the line stays one a terminal can show.
LONGEST_WORD = 200
_LONG_WORD = re.compile(rf"\S{{{LONGEST_WORD + 1},}}")


def shortened(line: str) -> str:
    """`line` with each word over LONGEST_WORD characters cut to its ends and its length."""
    return _LONG_WORD.sub(
        lambda m: f"{m.group()[:60]}…[{len(m.group()):,} characters]…{m.group()[-20:]}", line
    )


def safe_json(text: str) -> str:
    """JSON text with every character a terminal obeys written as a \\u escape: the same JSON
    (such characters only occur inside strings), safe to print."""
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def safe_text(text: object, style: str = "") -> Text:
    """A rich Text of cleaned text: shown as written, never read as markup."""
    from rich.text import Text

    return Text(clean(text), style=style)


def safe_console(**options: Any) -> Console:
    """A rich Console that reads no markup or emoji codes and cleans every string it renders."""
    return _safe_console_class()(**options)


def table_console() -> Console:
    """Tables on standard output; when piped, wide enough that nothing is cut."""
    console = safe_console(highlight=False, soft_wrap=True)
    return (
        console if console.is_terminal else safe_console(highlight=False, soft_wrap=True, width=240)
    )


@cache
def _safe_console_class() -> type[Console]:
    from rich.console import Console

    class SafeConsole(Console):
        def render_str(self, text: str, **options: Any) -> Text:
            options.update(markup=False, emoji=False)
            return super().render_str(clean(text), **options)

    return SafeConsole


class LazyConsole:
    """A safe console (`safe_console`) made only when something needs more than a line of text.

    Loading rich costs about a tenth of a second; a run's first lines and one-line errors are
    plain text, cleaned as the console would clean them and written straight to the stream. The
    first call that needs rich (a table, a live grid, `is_terminal`, ...) makes the console, and
    from then on everything goes through it, so nothing is written out of order.
    """

    _PLAIN = frozenset({"markup", "soft_wrap", "highlight"})

    def __init__(self, *, stderr: bool = False, **options: Any) -> None:
        self._stderr, self._options = stderr, options
        self._console: Console | None = None

    def print(self, *objects: Any, **options: Any) -> None:
        plain = all(type(o) is str for o in objects) and set(options) <= self._PLAIN
        if self._console is None and plain and options.get("markup") is False:
            stream = sys.stderr if self._stderr else sys.stdout
            stream.write(clean(" ".join(objects)) + "\n")
            stream.flush()
            return
        self.console.print(*objects, **options)

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = safe_console(stderr=self._stderr, **self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


def out(text: object = "", *, stream: TextIO | None = None, one_line: bool = False) -> None:
    """A line of cleaned text on standard output (or `stream`); `one_line` also folds newlines,
    so text read from a file cannot print a line of its own."""
    print(clean(text, one_line=one_line), file=stream or sys.stdout)


EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left


def closed_pipe() -> int:
    """The reader went away (`panel personas | head`): stop quietly, as a pipeline expects.

    Standard output is pointed at /dev/null so the interpreter's last flush cannot fail again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # not a real file (captured in tests): nothing is left to flush
    return EXIT_CLOSED_PIPE
