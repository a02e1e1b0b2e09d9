"""The stance corpus (tests/data/stance/) and how the stance reader scores on it.

A passage read under its own verdict should not be re-asked (a re-ask there is a false re-ask;
a no-call passage is read under both verdicts); read under the opposite verdict, a passage that
states its call in words should be (a re-ask there is a catch).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from panel.running.stance import Stance, read

CORPUS = Path(__file__).resolve().parent / "data" / "stance"
HALVES = (
    "tune", "holdout", "fresh", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7",
    "blind8", "blind9", "blind10", "blind11", "blind12", "blind13", "blind14", "blind15", "blind16",
    "blind17", "real1", "real2", "real3",
)  # fmt: skip
# Parts whose catches sit well above the 80% target, held there: real1 and real2 were written
# for the classes of rounds 4 and 5 (read from real prose), so a regression in any of them shows
# (real2 holds four probe passages whose calls the rules still miss: 46/50); real3 was written
# for round 6's classes (read from the real set tune4).
FLOORS = {"real1": 0.95, "real2": 0.9, "real3": 0.9}
UNTUNED = ("blind18",)  # never tuned for its catches: the standing estimate for unseen prose
OPPOSITE: dict[Stance, Stance] = {"ship": "skip", "skip": "ship"}


@dataclass(frozen=True)
class Passage:
    id: str
    call: Literal["ship", "skip", "none"]
    worded: bool
    tool: str
    rivals: tuple[str, ...]
    text: str

    def reask(self, verdict: Stance) -> bool:
        reading = read(self.text, verdict, name=self.tool, rivals=self.rivals)
        return reading.contradiction is not None


@dataclass
class Score:
    consistent: int = 0  # readings under a passage's own verdict (both, for no-call passages)
    false_reasks: list[str] = field(default_factory=list)
    calls: int = 0  # passages with a call, read under the opposite verdict
    worded: int = 0  # ... of which state the call in words
    caught: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)  # worded calls not caught

    @property
    def caught_worded(self) -> int:
        return len([i for i in self.caught if i not in self.unworded])

    unworded: set[str] = field(default_factory=set)


def load(half: str) -> list[Passage]:
    return load_file(CORPUS / f"{half}.toml")


def load_folder(folder: Path) -> list[Passage]:
    """Every part in `folder` (*.toml, in name order): an outside corpus, scored as one."""
    return [p for path in sorted(folder.glob("*.toml")) for p in load_file(path)]


def load_file(path: Path) -> list[Passage]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Passage(
            p["id"],
            p["call"],
            p["worded"],
            p["tool"],
            tuple(p["rivals"]),
            " ".join(p["text"].split()),
        )
        for p in data["passage"]
    ]


def score(passages: list[Passage]) -> Score:
    result = Score()
    for passage in passages:
        if passage.call == "none":
            result.consistent += 1
            if passage.reask("ship") or passage.reask("skip"):
                result.false_reasks.append(passage.id)
            continue
        result.consistent += 1
        if passage.reask(passage.call):
            result.false_reasks.append(passage.id)
        result.calls += 1
        result.worded += passage.worded
        if not passage.worded:
            result.unworded.add(passage.id)
        if passage.reask(OPPOSITE[passage.call]):
            result.caught.append(passage.id)
        elif passage.worded:
            result.missed.append(passage.id)
    return result
