"""Calls a sentence makes by its shape, with no call verb: a name that answers "X or Y?", a tech
radar's ring, a name after a condition, "Caddy, no contest", "if you're still on X, it's time to
move". And `Call`, what the stance reader finds (`panel.running.stance`).
"""

from __future__ import annotations

from dataclasses import dataclass

from panel.running import stance_idioms as i
from panel.running import stance_words as w
from panel.running.stance_grammar import Stance
from panel.running.stance_text import Names


@dataclass(frozen=True)
class Call:
    stance: Stance
    clause: str  # where it was found, for the re-ask and the editor
    firm: bool
    conditional: bool = False  # for the reader's situation: "if you're starting fresh, use it"

    @property
    def weight(self) -> int:
        """A hedged call settles nothing; one for a situation less than one for everyone."""
        return 0 if not self.firm else 1 if self.conditional else 2


def name_answer(question: str, answer: str, names: Names) -> list[Call]:
    """ "Firebase or Supabase for a new SaaS? Supabase.": the answer names the pick."""
    match = i.NAME_ANSWER.match(answer) if " or " in question else None
    kind = names.at(match["name"]) if match else None
    if kind not in ("tool", "rival") or len(names.mentions(question)) < 2:
        return []
    return [Call("ship" if kind == "tool" else "skip", f"{question} {answer}", True)]


def ring(sentence: str, names: Names) -> list[Call]:
    """A tech radar's entry: "Jenkins ; hold for new pipelines", "Temporal: moved to adopt"."""
    match = i.RING.match(sentence) if "adopt" in sentence or "hold" in sentence else None
    if match is None or names.at(match["name"]) != "tool":
        return []
    return [Call("ship" if match["ring"] == "adopt" else "skip", sentence, True)]


_JOINS = ("but", "and", "so ")
_CONDITIONS = (" if ", " for ", " when ", " unless ")


def name_for_condition(sentence: str, names: Names) -> list[Call]:
    """ "If cost is the main constraint, Hetzner Cloud.": the name is the advice."""
    opener = sentence[:3]
    if opener in _JOINS and not any(k in sentence[:24] for k in _CONDITIONS):
        return []  # "but really, if ..., then Vue" (a test first: most "but"s open no condition)
    match = i.CONDITION_NAME.match(sentence) if opener in i.CONDITION_OPENERS else None
    kind = names.at(match["name"]) if match else None
    if kind not in ("tool", "rival") or not match or len(match["name"]) < len(match["rest"]):
        return []
    return [Call("ship" if kind == "tool" else "skip", sentence, True, True)]


def named_answer(sentence: str, names: Names) -> list[Call]:
    """ "Caddy, no contest.": for the tool when it is named, against it when a rival is; so is
    "my recommendation to anyone who is starting out or ... is the excellent Bitwarden"."""
    match = i.NAMED_ANSWER.match(sentence)
    if match is None and "recommendation " in sentence:
        match = w.RECOMMENDED_TO.search(sentence)
    kind = names.at(match["name"]) if match else None
    if kind not in ("tool", "rival"):
        return []
    return [Call("ship" if kind == "tool" else "skip", sentence, True)]


def time_to_move(sentence: str, names: Names) -> list[Call]:
    """ "If you're still on X, it's time to move": against X, for what you move to."""
    match = w.TIME_TO_MOVE.search(sentence)
    mentioned = names.mentions(match["on"] or sentence[: match.start()]) if match else []
    if not mentioned:
        return []
    stance: Stance = "skip" if mentioned[0] == "tool" else "ship"
    return [Call(stance, sentence, True, True)]
