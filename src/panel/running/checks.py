"""What a validated verdict must still get right, and what the editor should look at.

The schema has already checked the shape (every beat present, the pick one of
the panel's tools, the quote a length the page can hold). This reads the
words: a quote or headline that clearly calls the opposite of its verdict is
a problem worth the one re-ask; what the rules cannot settle becomes a flag
on the cell (mixed signals, a claim of hands-on use the card does not record,
a score far from its verdict), shown to the editor and kept in the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from panel.models import ToolCard, VerdictBase

if TYPE_CHECKING:
    from panel.running.stance import Call, Reading
    from panel.running.stance_text import Names

# A ship usually scores 6 or more and a skip 5 or less; this far past that is worth a look.
FAR_SCORES = {"ship": range(1, 5), "skip": range(7, 11)}
# Every alternative starts with i, w, f or m: the look-ahead fails elsewhere at once (a third of
# the time of trying each alternative at every character of the quote).
_HANDS_ON = re.compile(
    r"(?=[iwfm])"
    r"\b(?:(?:i|we)\s+(?:\w+\s+)?(?:tried|tested|ran|installed|deployed|benchmarked|timed|"
    r"profiled|measured|clicked|signed up|spun up|set up|wired up|migrated|ported)\b"
    r"|(?:i|we)(?:'ve| have)\s+(?:been\s+)?(?:using|running|testing|tried|used|run|tested|deployed)"
    r"|\b(?:in|from) (?:my|our) (?:own )?(?:testing|tests|trial|trials|benchmarks|hands-on|runs?)\b"
    r"|\bwhen (?:i|we) (?:ran|tried|tested|installed|deployed)\b"
    r"|\bmy (?:own )?first (?:ten|10) minutes\b)",
    re.IGNORECASE,
)


# Words that name what a call is about when the tool's name is not there: "I'd ship it", "a
# skip", "this one is worth it". (Text the stance reader has lowered.)
_OBJECT_WORD = re.compile(r"\b(?:it|this|that|them|one|ship|skip|shipping|skipping|pass)\b")


@dataclass
class Checked:
    problem: str | None = None  # a clear contradiction: re-ask once
    flags: list[str] = field(default_factory=list)  # for the editor
    agrees: bool = False  # a firm call for the verdict and none against: no grader needed
    against: tuple[str, str] | None = None  # the stance and clause behind `problem`


@dataclass(frozen=True)
class ReviewCheck:
    """The checks for one cell: the tool under review and the names of its rivals."""

    tool: ToolCard
    rivals: tuple[str, ...] = ()

    def __call__(self, verdict: VerdictBase) -> Checked:
        # Imported at the first reply, not with the run: the stance grammar compiles about a
        # hundred patterns (~80 ms), which would hold back a run's first request.
        from panel.running.stance import Reading, read
        from panel.running.stance_text import names_for

        rivals = (*self.rivals, *verdict.competitors)
        # The headline and the quote are read apart: a headline has no full stop to end on.
        calls = [
            call
            for words in (verdict.headline, verdict.quote)
            for call in read(words, verdict.verdict, name=self.tool.name, rivals=rivals).calls
        ]
        reading = Reading(verdict.verdict, tuple(calls))
        against = reading.contradiction
        checked = Checked(
            problem=_problem(against, verdict.verdict) if against else None,
            agrees=_clearly_agrees(reading, names_for(self.tool.name, rivals)),
            against=(against.stance, against.clause) if against else None,
        )
        checked.flags += [
            f'mixed signals: "{call.clause}" reads as a {call.stance} under a '
            f"{verdict.verdict} verdict"
            for call in reading.mixed
        ]
        checked.flags += self._beats(verdict, rivals)
        checked.flags += self._claims(verdict)
        if verdict.score in FAR_SCORES[verdict.verdict]:
            checked.flags.append(f"score {verdict.score}/10 under a {verdict.verdict} verdict")
        return checked

    def _beats(self, verdict: VerdictBase, rivals: tuple[str, ...]) -> list[str]:
        from panel.running.stance import read

        notes: dict[str, object] = verdict.model_dump(include={"beats"})["beats"]
        flags = []
        for beat, note in notes.items():
            reading = read(str(note), verdict.verdict, name=self.tool.name, rivals=rivals)
            against = [c for c in reading.calls if c.stance != verdict.verdict]
            if against:
                flags.append(
                    f'beat {beat}: "{against[0].clause}" reads as a {against[0].stance} '
                    f"under a {verdict.verdict} verdict"
                )
        return flags

    def _claims(self, verdict: VerdictBase) -> list[str]:
        if self.tool.hands_on:
            return []
        claim = _HANDS_ON.search(verdict.quote)
        if claim is None:
            return []
        return [f'claims hands-on use ("{claim.group()}") but the card records none']


def _clearly_agrees(reading: Reading, names: Names) -> bool:
    """The rules found the verdict's own call, firmly made on what it names, and nothing against
    it. A call on something unnamed ("you can choose a simpler queue", "use something
    battle-tested") may be about an alternative: on real prose such calls are most of the rules'
    wrong readings, so the grader reads them."""
    calls = reading.calls
    if not all(c.stance == reading.verdict for c in calls):
        return False
    return any(c.firm and _names_its_object(c.clause, names) for c in calls)


def _names_its_object(clause: str, names: Names) -> bool:
    """The clause names the tool, a pronoun for it, or the call's own word ("a ship")."""
    return "tool" in names.mentions(clause) or _OBJECT_WORD.search(clause) is not None


def _problem(call: Call, verdict: str) -> str:
    """The re-ask's reason: the call the rules read against the verdict."""
    return (
        f'the quote reads as a {call.stance} ("{call.clause}") but the verdict is '
        f"{verdict}: make the words and the verdict agree (naming the call is optional)"
    )
