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
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from panel.running import stance_grammar as g
from panel.running.stance_grammar import Stance

__all__ = ["Call", "Reading", "Stance", "read"]

OPPOSITE: dict[Stance, Stance] = {"ship": "skip", "skip": "ship"}
Target = Literal["tool", "rival", "alt", "none", "unknown", "name", "verb"]


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

    `rivals` (competitors, the panel's other tools) are what a call may point to instead:
    "Modal is the safer ship" makes no call on this tool, "go with Modal instead" a skip.
    """
    names = _names(name, tuple(rivals))
    sentences = _sentences(_normalise(text))
    calls: list[Call] = []
    for index, sentence in enumerate(sentences):
        if sentence.endswith("?"):
            answer = sentences[index + 1] if index + 1 < len(sentences) else ""
            calls += _answered(sentence, answer, names)
        else:
            calls += _sentence_calls(_own_words(sentence), names)
    return Reading(verdict, tuple(calls))


# ------------------------------------------------------------------ text and names


@dataclass(frozen=True)
class _Names:
    pattern: re.Pattern[str] | None
    kinds: dict[str, Target]

    def at(self, text: str) -> Target | None:
        match = self.pattern.match(text) if self.pattern else None
        return self.kinds[match.group()] if match else None

    def mentions(self, text: str) -> list[Target]:
        return [self.kinds[m.group()] for m in self.pattern.finditer(text)] if self.pattern else []

    def after_preposition(self, text: str) -> Target | None:
        for match in self.pattern.finditer(text) if self.pattern else ():
            if g.PREPOSITION_BEFORE.search(text[: match.start()]):
                return self.kinds[match.group()]
        return None


@lru_cache(maxsize=256)
def _names(name: str | None, rivals: tuple[str, ...]) -> _Names:
    """One pattern per panel (cached): the tool's name and its rivals', with their first words."""
    kinds: dict[str, Target] = {}
    own = (name or "").lower().strip()
    for rival in rivals:
        rival = rival.lower().strip()
        for alias in (rival, _first_word(rival)):
            if alias and alias not in own.split() and alias != own:
                kinds[alias] = "rival"
    for alias in (own, _first_word(own)):
        if alias and alias not in kinds:
            kinds[alias] = "tool"
    if not kinds:
        return _Names(None, {})
    longest_first = sorted(kinds, key=len, reverse=True)
    alternation = "|".join(re.escape(n) for n in longest_first)
    return _Names(re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])"), kinds)


def _first_word(name: str) -> str:
    """ "Modal" for "Modal GPU Serverless Inference"; "R2" for "Cloudflare R2"."""
    words = name.split()
    if len(words) > 1 and words[0] in g.VENDORS:
        return " ".join(words[1:])
    return words[0] if len(words) > 1 and len(words[0]) >= 4 else ""


_QUOTES = {0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"', 0x2014: " ; ", 0x2013: " ; "}
_CODE = re.compile(r"`[^`]*`")
_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|vs|etc|approx)\.")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _normalise(text: str) -> str:
    text = _CODE.sub(" code ", text.translate(_QUOTES))  # "--skip-cache" is a name, not a call
    text = _ABBREVIATIONS.sub(lambda m: m.group(1).replace(".", ""), text)
    return " ".join(text.lower().split())


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _own_words(sentence: str) -> str:
    """The sentence up to what someone else says: "critics will call it a skip"."""
    for match in g.REPORTED.finditer(sentence):
        if not g.REPORTED_BY_ME.search(sentence[: match.start()]):
            return sentence[: match.start()]
    return sentence


def _answered(question: str, answer: str, names: _Names) -> list[Call]:
    """ "Would I build the next one on it? Yes." makes the call the question asks about."""
    asked, said = g.QUESTION_CALL.match(question), g.ANSWER.match(answer)
    if asked is None or said is None:
        return []  # a question asks; only its answer makes the call
    statement = f"{asked['subject']} {asked['aux']} {question[asked.end() :]}".rstrip("?")
    calls = _sentence_calls(statement, names)
    if said["no"]:
        return [Call(OPPOSITE[c.stance], f"{question} {answer}", c.firm) for c in calls]
    return [Call(c.stance, f"{question} {answer}", c.firm) for c in calls]


# -------------------------------------------------------- sentences and clauses

_CONTRAST = re.compile(
    r"\s*(?:;|\s-\s|(?<!anything )(?<!not just )\bbut\b|\bhowever\b"
    r"|(?<!not )(?<!n't )\byet\b(?!\s*[,.;:!?]|\s*$)|\bthough\b(?!\s*[,.;:!?]|\s*$)"
    r"|\balthough\b|\bwhereas\b|\bstill\b(?=\s*,)|\bnonetheless\b|\bnevertheless\b)\s*"
)
_CONCEDES = {"but", "however", "yet", "nonetheless", "nevertheless"}  # what came before: conceded
_CONCESSIVE = {"though", "although", "whereas"}  # what follows: conceded
_CLAUSE_BREAK = re.compile(
    r"\s*(?P<mark>[,:()\"])\s*|\s+(?P<word>so|and|or|nor|because|since|which|then)\s+"
)
Scope = Literal["firm", "soft", "later"]
_SCOPE_ORDER = {"firm": 0, "soft": 1, "later": 2}


@dataclass(frozen=True)
class _Clause:
    text: str
    opens: bool  # where an imperative or a bare label may stand: "Skip." "My call: skip."
    carried: str  # who spoke before a break ("I wouldn't, frankly, ship it"; "avoid it and use")
    labelled: bool = False  # after "my call:", "verdict:": a bare "skip" or "adopt" is the call


def _segments(sentence: str) -> list[tuple[str, str]]:
    """(the contrast word that opened it, its text) for each part of a sentence."""
    parts: list[tuple[str, str]] = []
    marker, start = "", 0
    for match in _CONTRAST.finditer(sentence):
        parts.append((marker, sentence[start : match.start()]))
        marker, start = match.group().strip(" ,"), match.end()
    parts.append((marker, sentence[start:]))
    return [(m, t) for m, t in parts if t.strip(" ,.!")]


def _sentence_calls(sentence: str, names: _Names) -> list[Call]:
    segments = _segments(sentence)
    found = [_segment_calls(segment, names) for _, segment in segments]
    calls: list[Call] = []
    for index, (marker, _) in enumerate(segments):
        following = segments[index + 1][0] if index + 1 < len(segments) else ""
        # "Though I'd normally pick it, ..." concedes; so does "I'd pick it, but skip it for now".
        conceded = marker in _CONCESSIVE or (following in _CONCEDES and bool(found[index + 1]))
        calls += [Call(c.stance, c.clause, c.firm and not conceded) for c in found[index]]
    return calls


def _segment_calls(segment: str, names: _Names) -> list[Call]:
    clauses = _clauses(segment)
    subjunctive = bool(g.SUBJUNCTIVE.match(segment))  # "were the pricing sane, ..."
    calls: list[Call] = []
    for clause, scope in zip(clauses, _scopes(clauses, subjunctive), strict=True):
        for stance, firm in _clause_calls(clause, names):
            if scope == "later" and stance == "ship":
                continue  # "I'd ship it once SSO lands": a call for another day
            hedged = scope != "firm" or bool(g.HEDGE.search(clause.text))
            calls.append(Call(stance, clause.text, firm and not hedged))
    return calls


def _scopes(clauses: list[_Clause], subjunctive: bool) -> list[Scope]:
    """A condition bounds its own clause and the one it is fronted to or trails."""
    own = [_condition_scope(c.text) for c in clauses]
    starts = [bool(g.CONDITION.match(c.text)) for c in clauses]
    scopes: list[Scope] = []
    for index, scope in enumerate(own):
        bounds: list[Scope] = [scope, "later" if subjunctive else "firm"]
        if index > 0 and starts[index - 1]:
            bounds.append(own[index - 1])
        if index + 1 < len(own) and starts[index + 1] and not starts[index]:
            bounds.append(own[index + 1])
        scopes.append(max(bounds, key=_SCOPE_ORDER.__getitem__))
    return scopes


def _condition_scope(segment: str) -> Scope:
    """How a condition bounds the calls beside it; the most bounding condition wins."""
    scope: Scope = "firm"
    for match in g.CONDITION.finditer(segment):
        word, rest = match["word"], match["rest"]
        found: Scope = "firm"
        if segment[max(0, match.start() - 5) : match.start()].strip() == "even":
            found = "firm"  # "even if you never run it in production": no bound
        elif word in ("unless", "until", "till"):
            found = "firm"  # "use it unless you need X", "a skip until it scales"
        elif g.READER.match(rest) or " your " in f" {rest} ":
            needs = g.REQUIREMENT.search(rest) or word == "only if"
            found = "soft" if needs else "firm"  # advice for the reader's situation stands
        elif not g.NARRATOR.match(rest):
            found = "later"  # "once SSO lands", "if the beta publishes numbers"
        if _SCOPE_ORDER[found] > _SCOPE_ORDER[scope]:
            scope = found
    return scope


def _clauses(segment: str) -> list[_Clause]:
    result: list[_Clause] = []
    start, opens, carried, labelled = 0, True, "", False
    for match in [*_CLAUSE_BREAK.finditer(segment), None]:
        piece = segment[start : match.start() if match else len(segment)].strip(" .!")
        if piece:
            result.append(_Clause(piece, opens, carried, labelled))
            carried = _carry(piece, carried, match)
            opens = _opens_next(piece, match)
            labelled = bool(g.LABEL.fullmatch(piece)) and match is not None and match["mark"] == ":"
        elif match is not None and match["mark"] == ":":
            opens = True
        if match:
            start = match.end()
    return result


def _carry(piece: str, carried: str, match: re.Match[str] | None) -> str:
    """Who speaks in the next clause when it has no subject of its own."""
    if g.BARE_SUBJECT.match(piece):
        return piece  # "I wouldn't," ... "ship it"
    verb = g.VERB.search(piece)
    if verb and match is not None and match["word"] in ("and", "or", "nor"):
        before = piece[: verb.start()]
        return before if match["word"] != "and" else g.NEGATOR.sub("", before)
    return carried if g.SUBJECT_WORD.search(piece) is None else ""


def _opens_next(piece: str, match: re.Match[str] | None) -> bool:
    if match is None:
        return False
    if match["mark"] == ":" or match["word"] in ("so", "then"):
        return True
    return bool(g.OPENERS.match(piece) or g.LABEL.fullmatch(piece) or g.FRONTED.match(piece))


# ------------------------------------------------------------------- one clause


def _clause_calls(clause: _Clause, names: _Names) -> list[tuple[Stance, bool]]:
    text = clause.text
    label = g.LABEL.match(text)
    labelled = bool(label and label.end() > 0) or clause.labelled
    if label and label.end() > 0:
        text = text[label.end() :]
        clause = _Clause(text, True, clause.carried, True)
    if labelled:
        word = g.LABEL_WORD.match(text)
        if word:
            return [("ship" if word["ship"] else "skip", True)]
    found = [
        call
        for m in g.VERB.finditer(text)
        if (call := _verb_call(text, m, clause, labelled, names))
    ]
    found += _judged(text)
    found += _noun_calls(text, names)
    return found


def _verb_call(
    text: str, match: re.Match[str], clause: _Clause, labelled: bool, names: _Names
) -> tuple[Stance, bool] | None:
    verb = g.VERBS[int(next(k for k, v in match.groupdict().items() if v)[1:])]
    before, rest = text[: match.start()], text[match.end() :].strip()
    if rest.startswith("to ") and match.group().endswith("wait"):
        return None  # "can't wait to see v2": eagerness
    target = _replaced(rest, names) if verb.lemma == "replace" else _object(rest, names, before)
    named = target in ("tool", "rival") or labelled  # "... and use Tailscale": still a call
    flips, firm = _speaker(before, match.group(), clause, clause.opens or named, verb)
    if flips < 0:
        return None
    elided = g.CHAIN.fullmatch(before) is not None  # "Don't buy.", "Would buy again."
    if verb.lemma == "recommend" and g.ENOUGH.match(rest):
        flips += 1  # "I can't recommend it enough"
    implicit = labelled or _relative(before) or (elided and clause.opens)
    stance = _stance(verb, target, implicit)
    if stance is None:
        return None
    if flips % 2:
        if target in ("rival", "alt") and verb.stance == "ship" and not verb.keeps:
            return None  # "no reason to use React": no call on this tool
        stance = OPPOSITE[stance]
    return stance, firm and verb.firm


def _speaker(
    before: str, verb_text: str, clause: _Clause, opens: bool, verb: g.Verb
) -> tuple[int, bool]:
    """(negations, firm) when the reviewer makes this call; (-1, _) when nobody does."""
    gerund = verb_text.split()[0].endswith("ing")
    lead = g.LEAD.search(before) or g.GERUND_LEAD.search(before)
    flips = 0
    if lead is not None:
        flips += 1 if lead.groupdict().get("negated") or lead.groupdict().get("against") else 0
        flips += 1 if lead.group().startswith("regret") else 0
        flips += len(g.NEGATOR.findall(lead.group()))
        before, gerund = before[: lead.start()], False
        if g.OPENERS.match(before) or g.IMPERSONAL_LEAD.search(before):
            return flips, True
    chain = g.CHAIN.search(before)
    words = chain["chain"] if chain else ""
    head = before[: chain.start()].rstrip() if chain else before.rstrip()
    if not head.strip() or g.OPENERS.match(head):
        if clause.carried and not lead:
            return _speaker(
                clause.carried + " " + before, verb_text, _no_carry(clause), opens, verb
            )
        spoken = opens or lead is not None or bool(head.strip() or words.strip())
        imperative = not gerund and spoken  # "so, just wait"; "Ship." opening a sentence
        if not verb.commands and lead is None and not g.INTENT_MODAL.search(words):
            return -1, False  # "add it to your PATH": an instruction
        return (len(g.NEGATOR.findall(words)) + flips, True) if imperative else (-1, False)
    subject_match = g.SUBJECT_BEFORE.search(head)
    subject, contraction = _split(subject_match["subject"] if subject_match else "")
    words = f"{contraction} {words}"
    flips += len(g.NEGATOR.findall(words)) + len(g.NEGATOR.findall(contraction))
    flips += 1 if g.RELATIVE_NEGATION.search(head[: len(head) - len(subject + contraction)]) else 0
    if gerund and not (g.PROGRESSIVE.search(words) or lead is not None):
        return -1, False
    if not _makes_call(subject, words, verb, lead):
        return -1, False
    flips += 1 if g.NEGATIVE_SUBJECT.search(head) else 0  # "no team should touch it"
    return flips, _firm_for(subject, words)


def _no_carry(clause: _Clause) -> _Clause:
    return _Clause(clause.text, clause.opens, "", clause.labelled)


def _split(token: str) -> tuple[str, str]:
    for ending in ("'d", "'ll", "'m", "'re", "'ve", "n't"):
        if token.endswith(ending) and len(token) > len(ending):
            return token[: -len(ending)], ending
    return token, ""


def _makes_call(subject: str, words: str, verb: g.Verb, lead: re.Match[str] | None) -> bool:
    if lead is not None and subject in g.FIRST_PERSON:
        return True  # "I'd tell anyone to", "I'd recommend staying"
    if subject in ("i", "we"):
        modal = g.INTENT_MODAL.search(words) and verb.mine  # "I'll try it": a plan
        return bool(modal or verb.lemma in g.PRESENT_CALL)
    if subject == "you":
        return bool(g.ADVICE_MODAL.search(words) or verb.lemma in ("own", "regret"))
    if subject in g.IMPERSONAL or not subject:
        return False
    return bool(g.THIRD_PERSON_ADVICE.search(words))  # "anyone starting fresh should use it"


def _firm_for(subject: str, words: str) -> bool:
    past = g.PAST.search(words) and not g.INTENT_MODAL.search(words)
    return not past  # "we didn't stick with it": a story, not a call


def _relative(before: str) -> bool:
    """ "the one I'd recommend", "not something I'd buy again": the object came first."""
    return bool(g.RELATIVE.search(before))


def _object(rest: str, names: _Names, before: str) -> Target:
    """What the verb is about: the tool, a rival, something else, or nothing named."""
    if not rest:
        return _topic(before, names)
    kind = names.at(rest) or names.at(rest[4:] if rest.startswith("the ") else "")
    if kind:
        return kind
    pronoun = g.PRONOUN.match(rest)
    if pronoun:
        after = rest[pronoun.end() :].strip()
        determiner = pronoun["bare"] and after and not g.ADVERBIAL.match(after)
        return "unknown" if determiner else "tool"
    if g.ALTERNATIVE.match(rest):
        return "alt"
    if g.VERB.match(rest):
        return "verb"
    if g.ADVERBIAL.match(rest):
        return _topic(before, names)
    kind = names.after_preposition(rest)
    if kind:
        return kind
    if g.INSTEAD.search(rest):
        return "alt"
    return "unknown" if g.DETERMINER.match(rest) else "name"  # "stick with Celery"


def _replaced(rest: str, names: _Names) -> Target:
    """ "replace asdf with mise": for mise, against asdf."""
    old, _, new = rest.partition(" with ")
    if _object(new, names, "") == "tool":
        return "tool"
    return "rival" if _object(old, names, "") == "tool" else "unknown"


def _topic(before: str, names: _Names) -> Target:
    """A verb with no object is about the clause's topic: "Drizzle is the one I'd recommend"."""
    mentioned = names.mentions(before)
    return "rival" if mentioned and "tool" not in mentioned else "none"


def _stance(verb: g.Verb, target: Target, implicit: bool) -> Stance | None:
    if target == "tool" or (target == "none" and (verb.bare or implicit)):
        return verb.stance
    if verb.stance == "ship" and (target in ("rival", "alt") or target == "name" and verb.keeps):
        return "skip"  # "go with Supabase instead", "stick with Celery"
    return None


def _judged(text: str) -> list[tuple[Stance, bool]]:
    """A call judged by an evaluation: "shipping on this now would be a mistake"."""
    against, keeps = g.AGAINST.search(text), g.FOR.search(text)
    match = g.JUDGED.search(text) if against or keeps else None
    if match is None:
        return []
    stance: Stance = "ship" if match.group(1) or match.group(3) else "skip"
    flips = len(g.NEGATOR.findall(text)) + (1 if against else 0)
    return [(stance if flips % 2 == 0 else OPPOSITE[stance], True)]


def _noun_calls(text: str, names: _Names) -> list[tuple[Stance, bool]]:
    """Labels, nouns and judgements: "a skip until it scales", "not worth it", "my go-to"."""
    found: list[tuple[Stance, bool]] = []
    for stance, pattern, firm in g.NOUN_CALLS:
        for match in pattern.finditer(text):
            call = _judged_noun(stance, match.group())
            if call and not _about_rival(text[: match.start()], names):
                negated = g.NOUN_NEGATOR.search(text[: match.start()])
                found.append((OPPOSITE[call] if negated else call, firm))
    for match in g.WORTH.finditer(text):
        if not _about_rival(text[: match.start()], names):
            negated = g.NOUN_NEGATOR.search(text[: match.start()])
            found.append(("skip" if negated else "ship", not match["soft"]))
    return found


def _judged_noun(stance: Stance, phrase: str) -> Stance | None:
    if not g.CHOICE_NOUN.search(phrase):
        return stance
    if g.BAD_CHOICE.search(phrase):
        return "skip"
    return "ship" if g.GOOD_CHOICE.search(phrase) else None


def _about_rival(before: str, names: _Names) -> bool:
    mentioned = names.mentions(before)
    return bool(mentioned) and "tool" not in mentioned
