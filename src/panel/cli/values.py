"""Command-line values checked as argparse parses them: a bad one is one line and exit 2.

Each function is an argparse `type=`: it turns the text into a value or raises
`argparse.ArgumentTypeError`, which the parser reports as `argument --flag: reason`.
"""

from __future__ import annotations

import argparse
import math

from panel.errors import InputError
from panel.urls import check_base_url

MAX_COUNT = 1_000_000
# A title's length, as a panel file's `title` and the desk's new-run `title` allow it.
MAX_TITLE = 200


def positive_int(text: str) -> int:
    """A whole number from 1 to a million (tokens, cells in flight), in plain digits: int()
    alone would read `1_0` as 10, and `+3` or Arabic-Indic digits too."""
    digits = text.strip()
    unsigned = digits.removeprefix("-")
    if not (unsigned.isascii() and unsigned.isdigit()):
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}")
    if len(unsigned.lstrip("0")) > len(str(MAX_COUNT)):  # int() refuses 4,300 digits and more
        if digits.startswith("-"):
            raise argparse.ArgumentTypeError("must be a positive number, not a negative one")
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_COUNT:,}, not {len(digits):,} digits"
        )
    value = int(digits, 10)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {value}")
    if value > MAX_COUNT:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_COUNT:,}, not {value:,}")
    return value


def positive_dollars(text: str) -> float:
    """A finite amount of dollars above zero."""
    value = _number(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of dollars, not {text}")
    return value


def seconds(text: str) -> float:
    """A finite, non-negative number of seconds (at most an hour)."""
    value = _number(text)
    if not (math.isfinite(value) and 0 <= value <= 3600):
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to 3600, not {text}")
    return value


def title(text: str) -> str:
    """A run's title: one line of at most 200 characters, as in a panel file and on the desk
    (it is written into the prompt, the record and every page). Blank: the default title."""
    line = text.strip()
    if len(line) > MAX_TITLE:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_TITLE} characters (a panel file's limit too), not {len(line):,}"
        )
    return line


def base_url(text: str) -> str:
    """An http(s) URL an SDK can call; checked here so a bad one never reaches a retry loop."""
    try:
        return check_base_url(text, "URL")
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("URL: ")) from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
