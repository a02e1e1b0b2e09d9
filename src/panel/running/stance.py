"""The call a review's words make, read against its verdict.

A quote may talk about shipping without making a call ("ships with a CLI", "it lets you skip
the YAML", "use `--frozen` in CI"); what matters is the call the reviewer makes, in any person:
"I'd pick it again", "you may want to hold off", "anyone starting fresh should use it", "my
advice: steer clear", "a skip until it scales". The reader goes sentence by sentence and clause
by clause, the way a reader does:

- a call verb and who makes it (`stance_grammar`): I or we with a modal, you with an advice
  modal, anyone with "should", an imperative, an advice frame ("my recommendation is to");
- what it is about: the tool ("it", its name), a rival ("go with Modal instead" is a skip of
  the tool under review), something else ("skip the YAML" is no call);
- the scope of a negation: the words between who speaks and the verb ("I wouldn't adopt it",
  "no reason to wait", "not something I'd buy again"), not a window of words;
- the scope of a condition: advice for the reader's situation stands ("if you're starting
  fresh, go with X"; "unless you need Y, use X"); a call carved out for a need ("skip it if
  you need multi-GPU") is hedged; a call for another day ("I'd ship it once SSO lands") is none;
- what is not the reviewer's call: a question without an answer, what others say, a concession,
  a hedge ("might", "tempting"), a past-tense story ("we didn't stick with it").

A firm call against the verdict with no firm call for it is a contradiction. A call against the
verdict beside one for it, or a hedged one, is a mixed signal the rules cannot settle: the
editor decides. Naming the call is welcome, never required: a quote that makes no call is fine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

from panel.running import stance_grammar as g
from panel.running import stance_guards as gd
from panel.running import stance_idioms as i
from panel.running import stance_shapes as sh
from panel.running import stance_words as w
from panel.running.stance_clause import OPPOSITE, clause_calls
from panel.running.stance_grammar import Stance
from panel.running.stance_shapes import Call
from panel.running.stance_text import (
    CONCEDES,
    CONCESSIVE,
    Clause,
    Hints,
    Names,
    names_for,
    normalise,
    own_words,
)
from panel.running.stance_text import clauses as split_clauses
from panel.running.stance_text import hints as text_hints
from panel.running.stance_text import segments as split_segments
from panel.running.stance_text import sentences as split_sentences

__all__ = ["Call", "Reading", "Stance", "read"]

Scope = Literal["firm", "reader", "soft", "later"]
_SCOPE_ORDER: dict[Scope, int] = {"firm": 0, "reader": 1, "soft": 2, "later": 3}


@dataclass(frozen=True)
class Reading:
    verdict: Stance
    calls: tuple[Call, ...]

    @cached_property  # asked for the re-ask, the mixed signals and the editor's flag
    def contradiction(self) -> Call | None:
        """A firm call against the verdict that outweighs every call for it.

        "I'd start with X, and look elsewhere only if you hit those walls" reads as a call for
        X: a call for a situation does not settle a review that makes one for everyone.
        """
        against = [c for c in self.calls if c.stance != self.verdict and c.firm]
        if not against:
            return None
        agrees = max((c.weight for c in self.calls if c.stance == self.verdict), default=0)
        strongest = max(against, key=lambda c: c.weight)
        return strongest if strongest.weight > agrees else None

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

    `rivals` (competitors, the panel's other tools) are what a call may point to instead:
    "Modal is the safer ship" makes no call on this tool, "go with Modal instead" a skip.
    """
    names = names_for(name, tuple(rivals))
    original, text = text, normalise(text)
    hints = text_hints(text, original)  # the key words of the rarer patterns, looked up once a text
    if "switch" in text or " the jump" in text or " the move" in text:
        hints = replace(hints, current=gd.in_use(text, names))
    sentences = split_sentences(text)
    calls: list[Call] = []
    done: Stance | None = None  # what the reviewer did, for "I'd advise others to do the same"
    tells = any(word in text for word in i.STORY_WORDS)  # substring tests: far cheaper
    mocks = any(key in text for key in i.SARCASM_KEYS)
    # Per sentence only if the text has them at all ("do so" stripped: an aside may end before it)
    sames = any(key.strip() in text for key in i.SAME_KEYS)
    closes = any(key in text for key in i.CLOSER_KEYS)
    last: list[Call] = []  # the calls of the sentence before
    menus = gd.menu_sentences(sentences, names) if " if " in text or " for" in text else set()
    for index, sentence in enumerate(sentences):
        if sentence.endswith("?"):
            answer = sentences[index + 1] if index + 1 < len(sentences) else ""
            calls += _answered(sentence, answer, names, hints)
            tail = [*w.QUESTION_TAIL.finditer(sentence)]  # "we should switch to X and maybe Y?"
            if tail:
                calls += _sentence_calls(own_words(sentence[: tail[-1].start()]), names, hints)
            continue
        if index and _about_the_rival_before(sentence, sentences[index - 1], names):
            continue  # "Ghostty is fast and asks for nothing. Easy choice.": Ghostty's
        mine = own_words(sentence)
        if "if:" in mine:  # "Go with Cypress if: the app is small ...": a list of conditions
            mine = mine[: mine.index("if:") + 2]
        done = (_done(mine, names) if tells else None) or done
        same = i.DO_THE_SAME.search(mine) if sames and any(k in mine for k in i.SAME_KEYS) else None
        if same and done and not w.NOUN_NEGATOR.search(mine[: same.start()]):
            calls.append(Call(done, same.group(), True))
        closer = i.CLOSER.search(mine) if closes and any(k in mine for k in i.CLOSER_KEYS) else None
        if closer:  # "moved to Astro and never looked back"; "once you have it, no going back"
            calls.append(Call(done or "ship", closer.group(), True))
        found = _sentence_calls(mine, names, hints)
        if found and " but " in mine and gd.DENIED.search(mine):  # "if we were starting over, but
            found = [Call(c.stance, c.clause, False, c.conditional) for c in found]  # we are not"
        conceding = "admit" in mine or "grant" in mine or "to be fair" in mine
        if found and conceding and gd.CONCESSION.search(mine):
            found = [Call(c.stance, c.clause, False, c.conditional) for c in found]  # "I admit"
        if found and _not_firm_here(mine, sentences[index - 1] if index else "", names, mocks):
            found = [Call(c.stance, c.clause, False, c.conditional) for c in found]
        if "suggestion" in mine and gd.THANKS.search(mine):  # a reply: what came before was theirs
            calls = [Call(c.stance, c.clause, False, c.conditional) for c in calls]
        if index in menus:  # "If you need X, go with Django. If you need Y, Flask.": a menu
            found = [Call(c.stance, c.clause, False, True) for c in found]
        if mine.startswith(gd.SCOPE_TURNS) and calls:
            calls = _left_behind(calls, last)  # "A no-brainer for a prototype. Then you need ..."
        if mine.startswith(("but ", "however")) and (
            any(c.firm for c in found) or gd.STORY_TURN.match(mine)
        ):
            calls = _overruled(calls, found)  # "At first: sign me up! But ... I've moved on."
        calls += found
        last = found
    return Reading(verdict, tuple(_unsettled(calls, text)))


def _unsettled(calls: list[Call], text: str) -> list[Call]:
    """Calls the text itself leaves open: a proposal "not urgent", a trial to "see if" it fits."""
    if not any(c.firm for c in calls):
        return calls  # (each test below is behind substring tests: far cheaper than a pattern)
    if "otherwise" in text and gd.OTHERWISE.search(text):  # "use it if X; otherwise, Y"
        calls = [
            Call(c.stance, c.clause, c.firm and not c.conditional, c.conditional) for c in calls
        ]
    depends = gd.DEPENDS.search(text) if any(k in text for k in _DEPENDS_KEYS) else None
    if depends and not gd.BUT_AFTER.match(text, depends.end()):
        return [Call(c.stance, c.clause, False, c.conditional) for c in calls]  # "it depends"
    if any(k in text for k in _DEFERRED_KEYS) and (
        gd.NOT_URGENT.search(text) or gd.NO_OPINION.search(text)
    ):  # "this is not urgent", "no strong feelings either way": the writer disclaims a call
        return [Call(c.stance, c.clause, False, c.conditional) for c in calls]
    if any(k in text for k in _TUTORIAL_KEYS) and gd.TUTORIAL.search(text):  # "skip this section"
        return [Call(c.stance, c.clause, c.firm and bool(gd.PERSON.search(c.clause)), c.conditional)
                for c in calls]  # fmt: skip
    if any(k in text for k in _OPEN_KEYS) and gd.OPEN_DECISION.search(text):
        return [Call(c.stance, c.clause, c.firm and not gd.TRIAL.match(c.clause), c.conditional)
                for c in calls]  # fmt: skip
    return calls


_DEFERRED_KEYS = ("urgent", "rush", "hurry", "priority", "nice", "either way", "opinion",
                  "preference", "not a recommend", "endors")  # fmt: skip
_DEPENDS_KEYS = ("depends", "right for you", "about picking", "about choosing")
_OPEN_KEYS = ("see if", "see whether", "out if", "out whether", "decide", "evaluat", "determin",
              "discuss", "is best", "which one")  # fmt: skip
_TUTORIAL_KEYS = ("step ", "tutorial", "guide", "section", "walkthrough", "chapter")


def _not_firm_here(sentence: str, before: str, names: Names, mocks: bool) -> bool:
    """Calls a sentence makes that are not the writer's firm call on the tool: an answer to a
    question about a rival, mockery ("what could possibly go wrong"), or an "it" that may be the
    rival's ("Postman wants you logged in for everything now. Skip it.")."""
    if "whether" in before and gd.asked_about_rival(before, names):
        return True
    if mocks and gd.sarcastic(sentence):
        return True
    if sentence.count(" ") > 7 or not before or not gd.IT.search(sentence):
        return False  # ("Recommend.", "My call: ship." after a rival still close the review)
    return names.at(before) == "rival" and not names.mentions(sentence)


def _left_behind(calls: list[Call], last: list[Call]) -> list[Call]:
    """Calls for a situation ("for a weekend prototype") that the next sentence leaves: hedges."""
    left = {id(c) for c in last if c.conditional or gd.NARROW_FOR.search(c.clause)}
    return [Call(c.stance, c.clause, False, True) if id(c) in left else c for c in calls]


def _overruled(before: list[Call], found: list[Call]) -> list[Call]:
    """A "But ..." sentence that makes a firm call turns the earlier opposite calls into history."""
    stances = {c.stance for c in found if c.firm}
    return [Call(c.stance, c.clause, c.firm and c.stance in stances, c.conditional) for c in before]


def _about_the_rival_before(sentence: str, before: str, names: Names) -> bool:
    """ "Easy choice." picks what the sentence before praised: a rival, when it opens it."""
    return bool(i.CHOICE_FRAGMENT.match(sentence)) and names.at(before) == "rival"


def _done(sentence: str, names: Names) -> Stance | None:
    """What a story did with the tool: "we moved to Cloudflare Pages" (from the tool: a skip)."""
    stories: tuple[tuple[re.Pattern[str], Stance], ...] = (
        (i.DID_ADOPT, "ship"),
        (i.DID_LEAVE, "skip"),
    )
    for pattern, stance in stories:
        match = pattern.search(sentence)
        what = match and (match["object"] or match.groupdict().get("out"))
        if what:
            kind = names.at(what) or ("tool" if i.IT.match(what) else None)
            if kind in ("tool", "rival"):
                return stance if kind == "tool" else OPPOSITE[stance]
    return "skip" if i.BARE_LEAVE.search(sentence) else None  # "I cancelled last week"


def _answered(question: str, answer: str, names: Names, hints: Hints) -> list[Call]:
    """ "Would I build the next one on it? Yes." makes the call the question asks about."""
    asked, said = i.QUESTION_CALL.match(question), i.ANSWER.match(answer)
    about = names.mentions(question)
    if said and i.READY_QUESTION.search(question) and ("tool" in about or not about):
        return [Call("ship" if said["yes"] else "skip", f"{question} {answer}", True)]
    if asked is None and said is not None and names.at(question) == "tool":
        return [Call("ship" if said["yes"] else "skip", f"{question} {answer}", True)]  # "X? nah."
    if asked is None or said is None:
        return sh.name_answer(question, answer, names)  # a question asks; only its answer calls
    subject = asked["subject"]
    if subject == "you" and asked["aux"] in ("would", "will", "do", "did"):
        subject = "i"  # "Would you recommend it? Yes.": the writer answers for themself
    statement = f"{subject} {asked['aux']} {question[asked.end() :]}".rstrip("?")
    calls = _sentence_calls(statement, names, hints)
    if said["no"]:
        return [Call(OPPOSITE[c.stance], f"{question} {answer}", c.firm) for c in calls]
    return [Call(c.stance, f"{question} {answer}", c.firm) for c in calls]


def _sentence_calls(sentence: str, names: Names, hints: Hints) -> list[Call]:
    calls = sh.time_to_move(sentence, names)
    if calls and sentence.startswith("if "):
        return calls  # "If you are on LastPass, switch today": away from it
    calls += sh.named_answer(sentence, names)
    calls += sh.ring(sentence, names) + sh.name_for_condition(sentence, names)
    segments = split_segments(sentence)
    found = [_segment_calls(segment, names, hints) for _, segment in segments]
    for index in range(1, len(found)):  # "if you need X, it's the wrong tool - use Y instead"
        before = found[index - 1]
        if segments[index][0] in (";", "-") and before and all(c.conditional for c in before):
            found[index] = [Call(c.stance, c.clause, c.firm, True) for c in found[index]]
    for index, (marker, _) in enumerate(segments):
        following = segments[index + 1][0] if index + 1 < len(segments) else ""
        # "Though I'd normally pick it, ..." concedes; so does "I'd pick it, but skip it for now".
        conceded = marker in CONCESSIVE or (following in CONCEDES and bool(found[index + 1]))
        calls += [
            Call(c.stance, c.clause, c.firm and not conceded, c.conditional) for c in found[index]
        ]
    split = w.SPLIT_USES.search(sentence) if " for " in sentence else None
    if split and len(set(names.mentions(split.group()))) == 2:  # "use X for A and Y for B"
        return [Call(c.stance, c.clause, False, True) for c in calls]
    if " if " in sentence and gd.menu(sentence, names):  # "choose X if A, Y if B, or Z if C"
        return [Call(c.stance, c.clause, False, True) for c in calls]
    kept = gd.KEEP_AS_IS.search(sentence) if "leave" in sentence else None
    if kept:  # "Nginx is fine - leave it alone": keep it; about a rival, no call
        mine = names.mentions(sentence[: kept.start()])[-1:] == ["tool"]
        left = [c for c in calls if c.clause.startswith("leave")]
        calls = [c for c in calls if c not in left] + [
            Call("ship", c.clause, c.firm) for c in left[:mine]
        ]
    return calls


def _segment_calls(segment: str, names: Names, hints: Hints) -> list[Call]:
    clauses = split_clauses(segment)
    subjunctive = bool(w.SUBJUNCTIVE.match(segment))  # "were the pricing sane, ..."
    calls: list[Call] = []
    narrowed, partial = gd.narrowed(clauses)
    before: Clause | None = None
    for clause, scope in zip(clauses, _scopes(clauses, subjunctive, names, hints), strict=True):
        if gd.no_call(clause.text, segment) or gd.in_condition(clause, before):
            continue  # "consider this:", "as an example", "if you're small and use Teams"
        before = clause
        for stance, firm, scoped in clause_calls(clause, names, hints):
            if scope == "later" and stance == "ship":
                continue  # "I'd ship it once SSO lands": a call for another day
            own = w.READER_IF.sub("", clause.text)  # "if you're not sure": the reader's doubt
            hedged = scope not in ("firm", "reader") or bool(g.HEDGE.search(own))
            conditional = scope == "reader" or scoped or clause.text in narrowed
            hedged = hedged or clause.text in partial  # "for some use cases, ..."
            hedged = hedged or gd.for_a_reason(segment, clause)  # "don't learn it because ..."
            hedged = hedged or bool(gd.USED_TO.match(clause.text))  # a belief given up
            calls.append(Call(stance, clause.text, firm and not hedged, conditional))
    return calls


def _scopes(clauses: list[Clause], subjunctive: bool, names: Names, hints: Hints) -> list[Scope]:
    """A condition bounds its own clause and the one it is fronted to or trails."""
    if hints.keys.isdisjoint(w.CONDITION_KEYS) and not subjunctive:
        return ["firm"] * len(clauses)  # no condition anywhere in the text
    own = [
        _condition_scope(c.text, names) if any(k in c.text for k in hints.conditions) else "firm"
        for c in clauses
    ]
    starts = [bool(w.CONDITION.match(c.text)) for c in clauses]
    for index in range(1, len(clauses) - 1):  # "if you are on X, or you need Y, Z": one condition
        if starts[index - 1] and not starts[index] and w.READER.match(clauses[index].text):
            starts[index], own[index] = True, own[index - 1]
    scopes: list[Scope] = []
    for index, scope in enumerate(own):
        bounds: list[Scope] = [scope, "later" if subjunctive else "firm"]
        if index > 0 and starts[index - 1]:
            bounds.append(own[index - 1])
        if index + 1 < len(own) and starts[index + 1] and not starts[index]:
            bounds.append(own[index + 1])
        scopes.append(max(bounds, key=_SCOPE_ORDER.__getitem__))
    return scopes


def _condition_scope(segment: str, names: Names) -> Scope:
    """How a condition bounds the calls beside it; the most bounding condition wins."""
    scope: Scope = "firm"
    for match in w.CONDITION.finditer(segment):
        word, rest = match["word"], match["rest"]
        found: Scope = "firm"
        if segment[max(0, match.start() - 5) : match.start()].strip() == "even":
            found = "firm"  # "even if you never run it in production": no bound
        elif word in ("unless", "until", "till"):
            found = "firm"  # "use it unless you need X", "a skip until it scales"
        elif w.A_TIME.match(rest):
            found = "later"  # "when the day comes that your stack speaks Arrow, switch"
        elif w.READER.match(rest) or " your " in f" {rest} ":
            only = word == "only if" or " only " in f" {segment[: match.start()]}"
            needs = w.REQUIREMENT.search(rest) or only  # "look elsewhere only if you hit X"
            taste = gd.TASTE.match(rest)  # "pick it if you like the opinions": a matter of taste
            found = "soft" if needs or taste else "reader"  # the reader's situation stands
        elif word in ("if", "when", "whenever"):  # on the tool, or on the reader's project
            about_tool = w.TOOL_STATE.match(rest) or names.at(rest) == "tool"
            found = "later" if about_tool else "reader"  # "if the beta publishes numbers"
            if " only " in f" {segment[: match.start()]}":
                found = "soft"  # "consider it only for dashboards if the benefits are measured"
        elif not w.NARRATOR.match(rest):
            found = "later"  # "once SSO lands"
        if _SCOPE_ORDER[found] > _SCOPE_ORDER[scope]:
            scope = found
    return scope
