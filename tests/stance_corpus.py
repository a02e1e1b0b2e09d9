"""The stance corpus (tests/data/stance/) and how the stance reader scores on it.

A passage read under its own verdict should not be re-asked (a re-ask there is a false re-ask;
a no-call passage is read under both verdicts); read under the opposite verdict, a passage that
states its call in words should be (a re-ask there is a catch).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from panel.running.stance import Stance, read

CORPUS = Path(__file__).resolve().parent / "data" / "stance"
HALVES = (
    "tune", "holdout", "fresh", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7",
    "blind8", "blind9", "blind10", "blind11", "blind12", "blind13", "blind14", "blind15", "blind16",
    "blind17", "real1", "real2", "real3", "real4",
)  # fmt: skip
# Parts whose catches sit well above the 80% target, held there: real1 and real2 were written
# for the classes of rounds 4 and 5 (read from real prose), so a regression in any of them shows
# (real2 holds four probe passages whose calls the rules still miss: 46/50); real3 was written
# for round 6's classes (read from the real set tune4). real4 (round 8, from tune4, tune5, final,
# final2 and fresh6) holds 36 reach calls stated in words, all caught but one guard's, 11 in its
# precision passages, six of which the rules leave unread once the misreading is gone ("you can
# choose a simpler solution", "when the day comes ..., consider making the switch", "to sell it
# as ... is just wrong"), and a guard's conceded call: 40/48.
FLOORS = {"real1": 0.95, "real2": 0.9, "real3": 0.9, "real4": 0.75}
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
    """Every part in `folder` (*.toml, in name order; or the one file named): an outside corpus,
    scored as one."""
    if folder.is_file():
        return load_file(folder)
    return [p for path in sorted(folder.glob("*.toml")) for p in load_file(path)]


def load_file(path: Path) -> list[Passage]:
    """A part's passages. An outside corpus may leave out `rivals` (none) and `worded` (a call
    counts as implied), and carry fields of its own (`url`, `source`): they are not read."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    passages = []
    for index, p in enumerate(data["passage"]):
        missing = [key for key in ("call", "tool", "text") if key not in p]
        call = str(p.get("call", "")).strip().lower()
        if missing or call not in ("ship", "skip", "none"):
            problem = f"lacks {', '.join(missing)}" if missing else f"call {p['call']!r}"
            raise ValueError(f"{path}: passage {p.get('id', index + 1)} {problem}")
        passages.append(
            Passage(
                str(p.get("id", f"{path.stem}-{index + 1}")),
                cast(Literal["ship", "skip", "none"], call),
                bool(p.get("worded", False)) and call != "none",
                p["tool"],
                tuple(p.get("rivals", ())),
                " ".join(p["text"].split()),
            )
        )
    return passages


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
