"""The call a review's words make, read against its verdict.

A quote may talk about shipping without making a call ("ships with a CLI",
"shipping fast is its pitch", "OpenAI ships a bigger window"); what matters
is the call the reviewer makes: "I'd ship it", "not a ship", "a pass for me",
"hold off", "don't adopt it". The reader goes sentence by sentence and clause
by clause: it finds call phrases (`stance_phrases`), counts the negations
that turn them round ("not", "wouldn't", "no reason to", "would be a
mistake"), and tells a firm call from a hedged one (a condition, a
concession, a question, what others say, a rival's name).

A firm call against the verdict with no firm call for it is a contradiction.
A call against the verdict beside one for it, or a hedged one, is a mixed
signal the rules cannot settle: the editor decides. Naming the call is
welcome, never required: a quote that makes no call is fine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from panel.running import stance_phrases as words
from panel.running.stance_phrases import Phrase, Stance

OPPOSITE: dict[Stance, Stance] = {"ship": "skip", "skip": "ship"}
NEGATION_WINDOW = 8  # words before a call phrase that a negation may reach from


@dataclass(frozen=True)
class Call:
    stance: Stance
    clause: str  # where it was found, for the re-ask and the editor
    firm: bool


@dataclass(frozen=True)
class Reading:
    verdict: Stance
    calls: tuple[Call, ...]

    @property
    def contradiction(self) -> Call | None:
        """A firm call against the verdict, and no firm call for it."""
        against = [c for c in self.calls if c.stance != self.verdict and c.firm]
        agrees = any(c.stance == self.verdict and c.firm for c in self.calls)
        return against[0] if against and not agrees else None

    @property
    def mixed(self) -> list[Call]:
        """Calls against the verdict that the rules cannot settle."""
        if self.contradiction is not None:
            return []
        return [c for c in self.calls if c.stance != self.verdict]


def read(
    text: str, verdict: Stance, *, name: str | None = None, rivals: tuple[str, ...] = ()
) -> Reading:
    """The calls `text` makes on the tool `name`, read against `verdict`.

    A clause naming one of `rivals` (competitors, the panel's other tools) is about that
    rival ("Modal is the safer ship") and makes no call on this tool.
    """
    phrases = words.phrases(name)
    about_rival = _rival_names(name, rivals)
    calls: list[Call] = []
    for sentence in _sentences(_normalise(text)):
        if sentence.endswith("?"):
            continue  # a question asks; its answer makes the call
        found = _sentence_calls(sentence, phrases)
        calls += [c for c in found if not (about_rival and about_rival.search(c.clause))]
    return Reading(verdict, tuple(calls))


def _normalise(text: str) -> str:
    text = text.translate({0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"'})
    text = re.sub(r"`[^`]*`", " code ", text)  # a code span is a name ("--skip-cache"), not a call
    return " ".join(text.lower().split())


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def _rival_names(name: str | None, rivals: tuple[str, ...]) -> re.Pattern[str] | None:
    own = set((name or "").lower().split())
    names = {rival.lower().strip() for rival in rivals if rival.strip()}
    names |= {r.lower().split()[0] for r in rivals if r.split() and len(r.split()[0]) >= 4}
    names = {n for n in names if n not in own}
    if not names:
        return None
    longest_first = sorted(names, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in longest_first) + r")\b")


# -------------------------------------------------------- sentences and clauses

_CONTRAST = re.compile(
    r"\s*(?:;|\u2014|\u2013|\s-\s|(?<!anything )\bbut\b|\bhowever\b"
    r"|(?<!not )(?<!n't )\byet\b(?!\s*[,.;:!?]|\s*$)|\bthough\b|\balthough\b|\bwhereas\b"
    r"|\bwhile\b|\bstill\b(?=\s*,)|\bnonetheless\b|\bnevertheless\b)\s*"
)
_CONCEDES = {"but", "however", "yet", "nonetheless", "nevertheless"}  # what came before: conceded
_CONCESSIVE = {"though", "although", "whereas", "while"}  # what follows: conceded
_CLAUSE_BREAK = re.compile(r"\s*([,:()\"])\s*|\s+(?:so|and|because|since|which|then)\s+")


@dataclass(frozen=True)
class _Clause:
    text: str
    carried: int  # negations carried in from a bare "I wouldn't," before it
    opens: bool  # first of its segment, or after a colon: where a bare "Ship." can stand


def _segments(sentence: str) -> list[tuple[str, str]]:
    """(the contrast word that opened it, its text) for each part of a sentence."""
    parts: list[tuple[str, str]] = []
    marker, start = "", 0
    for match in _CONTRAST.finditer(sentence):
        parts.append((marker, sentence[start : match.start()]))
        marker, start = match.group().strip(" ,"), match.end()
    parts.append((marker, sentence[start:]))
    return [(m, t) for m, t in parts if t.strip(" ,.!")]


def _sentence_calls(sentence: str, phrases: list[Phrase]) -> list[Call]:
    calls: list[Call] = []
    segments = _segments(sentence)
    for index, (marker, segment) in enumerate(segments):
        following = segments[index + 1][0] if index + 1 < len(segments) else ""
        conceded = marker in _CONCESSIVE or following in _CONCEDES
        conditional = bool(words.CONDITION.search(segment) or words.SUBJUNCTIVE.match(segment))
        for clause in _clauses(segment):
            for stance, firm in _clause_calls(clause, phrases):
                if conditional and stance == "ship" and "unless" not in segment:
                    continue  # "I'd ship it once SSO lands": a call for another day
                hedged = conceded or conditional or bool(words.HEDGE.search(clause.text))
                calls.append(Call(stance, clause.text, firm and not hedged))
    return calls


def _clauses(segment: str) -> list[_Clause]:
    result: list[_Clause] = []
    carried, start, opens = 0, 0, True
    for match in [*_CLAUSE_BREAK.finditer(segment), None]:
        piece = segment[start : match.start() if match else len(segment)].strip(" .!")
        if piece:
            result.append(_Clause(piece, carried, opens))
            bare = len(piece.split()) <= 4 and not words.CALL_WORD.search(piece)
            if bare and words.NEGATOR.search(piece):
                carried = len(words.NEGATOR.findall(piece))  # "I wouldn't, frankly, ship it"
            elif words.SUBJECT_WORD.search(piece):
                carried = 0
        if match:
            lead_only = opens and bool(words.IMPERATIVE.match(piece))
            start, opens = match.end(), match.group(1) == ":" or lead_only or not result
    return result


# ------------------------------------------------------------------- one clause


def _clause_calls(clause: _Clause, phrases: list[Phrase]) -> list[tuple[Stance, bool]]:
    text = clause.text
    if words.REPORTED.search(text) and not words.FIRST_PERSON.search(text):
        return []  # "critics will call it a skip": someone else's call
    judged = _judged(text, clause.carried)
    if judged is not None:
        return [(judged, True)]
    found: list[tuple[Stance, bool]] = []
    for phrase in phrases:
        for match in phrase.regex.finditer(text):
            before = text[: match.start()]
            if phrase.needs_subject and not _made_by_reviewer(before, match, clause):
                continue
            if "can't wait" in text[max(0, match.start() - 7) : match.end()]:
                continue  # eagerness, not a call to wait
            flips = clause.carried + len(words.NEGATOR.findall(_window(before)))
            found.append(
                (phrase.stance if flips % 2 == 0 else OPPOSITE[phrase.stance], phrase.firm)
            )
    return found


def _window(before: str) -> str:
    return " ".join(before.split()[-NEGATION_WINDOW:])


def _made_by_reviewer(before: str, match: re.Match[str], clause: _Clause) -> bool:
    groups = match.groupdict()
    if "end" in groups and groups["end"] is None:  # "ship it to a team": only a committed I/we
        return bool(groups["object"]) and bool(words.COMMITTED.search(before))
    if words.SUBJECT.search(before) or words.INFINITIVE.search(before):
        return True
    if not words.IMPERATIVE.match(before):
        return False
    bare = "object" in groups and not groups["object"] and not before.strip()
    return clause.opens or not bare  # "build, ship, iterate" is a list, not a call


def _judged(text: str, carried: int) -> Stance | None:
    """A call judged by an evaluation: "shipping on this now would be a mistake"."""
    against, keeps = words.AGAINST.search(text), words.FOR.search(text)
    match = words.JUDGED.search(text) if against or keeps else None
    if match is None:
        return None
    stance: Stance = "ship" if match.group(1) or match.group(3) else "skip"
    flips = carried + len(words.NEGATOR.findall(text)) + (1 if against else 0)
    return stance if flips % 2 == 0 else OPPOSITE[stance]
