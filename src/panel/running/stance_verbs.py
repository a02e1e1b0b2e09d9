"""The call verbs of the stance reader, as data: each form, the stance it takes, what it needs.

A verb makes a call only with someone to make it and something it is about (`stance_grammar`,
`stance_clause`); here are the verbs alone, read from `stance_data/verbs.txt` (shipped in the
package), compiled once into one pattern, and the shortcut that tries the pattern only where a
word starts as a call verb can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Stance = Literal["ship", "skip"]


def alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


@dataclass(frozen=True)
class Verb:
    stance: Stance
    bare: bool  # a call with no object ("I'd hold off"); else it needs the tool named
    keeps: bool = False  # "stick with X": X is what you keep, so not the tool means a skip
    firm: bool = True
    lemma: str = ""  # for the few verbs a subject uses without a modal: "I recommend it"
    mine: bool = True  # "I'll try it" is a plan, not a call; "try it" is one
    commands: bool = True  # "add it to your PATH" is an instruction, not a call


_FLAGS = {"bare", "keeps", "soft", "not-mine", "not-command"}


def _verb(stance: str, flags: list[str], where: str) -> Verb:
    """One verb's `stance flags` (see the header of stance_data/verbs.txt)."""
    lemmas = [flag.removeprefix("lemma=") for flag in flags if flag.startswith("lemma=")]
    unknown = [flag for flag in flags if flag not in _FLAGS and not flag.startswith("lemma=")]
    if stance not in ("ship", "skip") or unknown or len(lemmas) > 1:
        raise ValueError(f"{where}: bad stance or flags {stance} {' '.join(flags)}")
    return Verb(
        "ship" if stance == "ship" else "skip",
        bare="bare" in flags,
        keeps="keeps" in flags,
        firm="soft" not in flags,
        lemma=lemmas[0] if lemmas else "",
        mine="not-mine" not in flags,
        commands="not-command" not in flags,
    )


VERBS_FILE = Path(__file__).parent / "stance_data" / "verbs.txt"


def read_verbs(path: Path = VERBS_FILE) -> list[tuple[str, Verb]]:
    """The verb table, a data file shipped in the package: `form :: stance flags` a line."""
    table: list[tuple[str, Verb]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        form, _, call = line.rpartition(" :: ")
        stance, *flags = call.split()
        table.append((form, _verb(stance, flags, f"{path.name}:{number}")))
    return table


# A call verb, its forms and what it takes, in the order they are tried (first match wins).
_VERB_TABLE = read_verbs()
VERBS: list[Verb] = [verb for _, verb in _VERB_TABLE]
VERB = re.compile(
    r"(?<![\w'-])"
    + alt(*(f"(?P<v{i}>{form})" for i, (form, _) in enumerate(_VERB_TABLE)))
    + r"(?![\w-])"
)


def _heads(form: str) -> set[str]:
    """How a verb form can start, to four characters: "(?:switch|mov)e" gives swit and move."""
    group = form.find("(?:")
    literal = re.match(r"[a-z ]*", form)
    if group < 0 or group >= 4 or (literal and len(literal.group()) >= 4):
        text = literal.group() if literal else ""
        return {text[:4]} if len(text) >= 2 else set()
    depth, close = 0, group
    for index in range(group, len(form)):
        depth += (form[index] == "(") - (form[index] == ")")
        if depth == 0:
            close = index
            break
    parts, depth, current = [], 0, ""
    for char in form[group + 3 : close]:
        depth += (char == "(") - (char == ")")
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    head, rest = form[:group], form[close + 1 :]
    found = {h for part in [*parts, current] for h in _heads(head + part + rest.lstrip("?"))}
    return found | (_heads(head + rest[1:]) if rest.startswith("?") else set())


_HEADS_OF = [_heads(form) for form, _ in _VERB_TABLE]
_HEADS = frozenset(head for heads in _HEADS_OF for head in heads)
_BY_HEAD: dict[str, tuple[int, ...]] = {
    head: tuple(i for i, heads in enumerate(_HEADS_OF) if head in heads) for head in _HEADS
}
# Where a word starts as a call verb can (a lookahead: heads overlap, "go t" and "try").
_START = re.compile(
    r"(?<![\w'-])(?=" + "|".join(re.escape(h) for h in sorted(_HEADS, key=len, reverse=True)) + ")"
)
_SUBSETS: dict[tuple[int, ...], re.Pattern[str]] = {}
_AT: dict[str, tuple[int, ...]] = {}  # a word's first four characters -> the verbs it may start


def _subset(indices: tuple[int, ...]) -> re.Pattern[str]:
    """`VERB` cut to the verbs that may start here, in the table's order (same first match)."""
    pattern = _SUBSETS.get(indices)
    if pattern is None:
        forms = (f"(?P<v{i}>{_VERB_TABLE[i][0]})" for i in indices)
        pattern = _SUBSETS[indices] = re.compile(alt(*forms) + r"(?![\w-])")
    return pattern


def _starting(four: str) -> tuple[int, ...]:
    indices = _AT.get(four)
    if indices is None:
        found = {i for n in (4, 3, 2) for i in _BY_HEAD.get(four[:n], ())}
        indices = tuple(sorted(found))
        if len(_AT) < 20_000:  # bounded: a cache of word starts, not of texts
            _AT[four] = indices
    return indices


def verbs(text: str) -> list[re.Match[str]]:
    """`VERB.finditer(text)`, tried only where a word starts as a call verb can, and only with
    the verbs that can start so (far cheaper than the whole pattern at every word)."""
    found: list[re.Match[str]] = []
    for at in _START.finditer(text):
        start = at.start()
        if found and start < found[-1].end():
            continue
        indices = _starting(text[start : start + 4])
        if indices:
            match = _subset(indices).match(text, start)
            if match:
                found.append(match)
    return found
