"""Calls made without a verb: a noun or a label ("a skip until it scales", "my go-to", "not worth
it"), a judgement ("shipping on this now would be a mistake", "it was a mistake"), and whether
what they judge is the tool or a rival. See `stance_clause` for one clause's calls as a whole.
"""

from __future__ import annotations

import re

from panel.running import stance_grammar as g
from panel.running import stance_guards as gd
from panel.running import stance_object as o
from panel.running import stance_words as w
from panel.running.stance_grammar import Stance
from panel.running.stance_text import Hints, Names

OPPOSITE: dict[Stance, Stance] = {"ship": "skip", "skip": "ship"}


def judged(text: str, names: Names) -> list[tuple[Stance, bool]]:
    """A call judged by an evaluation: "shipping on this now would be a mistake"."""
    against, keeps = w.AGAINST.search(text), w.FOR.search(text)
    match = w.JUDGED.search(text) if against or keeps else None
    if match is None:
        return _named_judged(text, against, names) if against else []
    stance: Stance = "ship" if match.group(1) or match.group(3) else "skip"
    if match.group() == "switching" and not names.mentions(text[match.end() :]):
        return []  # "hard to justify switching": switching from what, to what?
    if match.group().endswith("skip") or match.group() == "skipping":
        rest = text[match.end() :].strip()
        if o.object_of(rest, names, "") in ("unknown", "name") and not w.OWN_THING.match(rest):
            return []  # "it would be a mistake to skip the docs": not the tool that is skipped
    # A negation inside the judgement is the judgement's ("no longer makes sense"), not a flip.
    outside = text[: against.start()] + " " + text[against.end() :] if against else text
    flips = len(g.NEGATOR.findall(outside)) + (1 if against else 0)
    return [(stance if flips % 2 == 0 else OPPOSITE[stance], True)]


def _named_judged(text: str, against: re.Match[str], names: Names) -> list[tuple[Stance, bool]]:
    """The tool judged by name: "microservices are a premature optimization", "it was a mistake"."""
    subject = w.JUDGED_SUBJECT.search(text[: against.start()])
    if subject is None or text[against.end() :].startswith((" to ", " not to ")):
        return []  # "it would be a mistake to skip the docs": the infinitive is the call's
    named = names.at(subject["subject"]) == "tool"
    strong = subject["subject"] in ("it", "this", "that") and w.STRONG_AGAINST.search(
        against.group()
    )
    if not named and not strong:
        return []
    return [("ship" if g.NEGATOR.search(subject.group()) else "skip", True)]


def noun_calls(text: str, names: Names, hints: Hints) -> list[tuple[Stance, bool]]:
    """Labels, nouns and judgements: "a skip until it scales", "not worth it", "my go-to"."""
    found: list[tuple[Stance, bool]] = []
    taken: list[range] = []  # "a better pick" inside "I can't think of a better pick"
    # Only the patterns whose key words are in the clause run: substring tests are far cheaper.
    indices = sorted({i for key in hints.nouns if key in text for i in w.NOUN_INDEX[key]})
    for stance, pattern, firm, _ in (w.NOUN_CALLS[i] for i in indices):
        for match in pattern.finditer(text):
            if any(match.start() in span for span in taken) or w.INDIFFERENT.search(
                text, match.start(), match.end()
            ):
                continue
            if match.groupdict().get("subject") and names.at(match["subject"]) != "tool":
                continue  # "Spark is overkill" is about Spark
            near = max(0, match.start() - 40)  # (the words just before: no scan of the clause)
            if w.SOUGHT.search(text, near, match.start()) or (
                w.POSSESSED.search(text, near, match.start()) and w.A_THING.match(match.group())
            ):
                continue  # "find a better solution": what is looked for is something else
            call = _judged_noun(stance, match.group(), text[match.end() :], text[: match.start()])
            if call:
                taken.append(range(match.start(), match.end()))
            before = text[: match.start()]
            if call == "ship" and _rival_chosen(before, match.group(), names):
                after = text[match.end() :]  # "... choice for big SPAs": for some
                narrow = g.SCOPE.search(after) and not w.BROAD.match(after)
                past = _past(match, text, before)  # "Jira was our go-to for years"
                found.append(("skip", firm and not narrow and not past))  # "REST is the better ..."
            elif call and not about_rival(before, names):
                nobody = w.NEGATIVE_COPULA.search(before)
                negated = bool(w.NOUN_NEGATOR.search(before) or nobody)
                if negated and (nobody or w.UNNEGATABLE.search(match.group())):
                    continue  # "not a must-have" is no skip: no call either way
                negated = negated or match.group().startswith("not recommended")
                past = _past(match, text, before)
                found.append((OPPOSITE[call] if negated else call, firm and not past))
    for match in w.WORTH.finditer(text) if "worth" in text else ():
        if not about_rival(text[: match.start()], names):
            before = text[: match.start()]
            worth_negated = w.NOUN_NEGATOR.search(before) or w.NOTHING.search(before)
            worth_negated = worth_negated or gd.TOO_TO.search(before)
            so_far = bool(w.SO_FAR.search(before))  # "it hasn't been worth it yet": a report
            found.append(("skip" if worth_negated else "ship", not match["soft"] and not so_far))
    return found


def _judged_noun(stance: Stance, phrase: str, after: str, before: str) -> Stance | None:
    if not w.CHOICE_NOUN.search(phrase):
        return stance
    if w.NOT_A_CHOICE.search(phrase):
        return None  # "that flight became my wake-up call"
    if w.MINE_AFTER.match(after):
        return "ship"  # "the starting point I'd hand them": the writer's own pick
    if w.BAD_CHOICE.search(phrase):
        return "skip"
    if w.SHOULD_BE.search(before):
        return "ship"  # "it should be the default starting point": the choice, prescribed
    return "ship" if w.GOOD_CHOICE.search(phrase) else None


def _past(match: re.Match[str], text: str, before: str) -> bool:
    """ "X was the go-to in 2019" is history; "it was the right call" is still a call."""
    past = bool(w.HISTORY.search(match.group()) and w.PAST_CHOICE.search(before))
    past = past or bool(w.THEN.search(before))  # "where they were the right choice"
    past = past or bool(w.PAST_USE.search(before))  # "we weren't using the right tool"
    return past or bool(w.THEN_AFTER.match(text, match.end()))  # "... in 2019", "... for years"


def _rival_chosen(before: str, phrase: str, names: Names) -> bool:
    """A rival judged the better pick: "I now think REST is the better default choice"."""
    subject = w.JUDGED_SUBJECT.search(before) if w.RANKED.search(phrase) else None
    if subject is None or names.at(subject["subject"]) != "rival":
        return False
    return not (w.NOUN_NEGATOR.search(before) or w.ALSO.search(before + phrase))


def about_rival(before: str, names: Names) -> bool:
    mentioned = names.mentions(before)
    if not mentioned:  # "a lighter, privacy-first tool is the better fit": some other tool
        other = w.ANOTHER.match(before) or w.MOVE_ELSEWHERE.search(before)
        return bool(other or w.ASPECT.match(before))  # "the deployment experience is the best"
    return "tool" not in mentioned
