"""The call verbs of the stance reader, as data: each form, the stance it takes, what it needs.

A verb makes a call only with someone to make it and something it is about (`stance_grammar`,
`stance_clause`); here are the verbs alone, compiled once into one pattern, and the shortcut that
tries the pattern only where a word starts as a call verb can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


# A call verb, its forms (base and -ing; the -ing form only after "am/are/be" or an advice frame).
_VERB_TABLE: list[tuple[str, Verb]] = [
    (r"ship(?:ping)?", Verb("ship", True)),
    (r"adopt(?:ing)?", Verb("ship", False)),
    (r"us(?:e|ing)", Verb("ship", False)),
    (r"choos(?:e|ing)", Verb("ship", False)),
    (r"pick(?:ing)?", Verb("ship", False)),
    (r"go(?:ing)? (?:with|for)", Verb("ship", False)),
    (r"go for it", Verb("ship", True, lemma="it")),
    (r"buy(?:ing)?", Verb("ship", False)),
    (r"renew(?:ing)?", Verb("ship", False)),
    (
        r"(?:switch|mov|migrat)(?:e|ing)?(?: over)?(?: to|(?= (?:[\w.'-]+ ){1,6}to\b))",
        Verb("ship", False),
    ),
    (r"(?:switch|mak(?:e|ing) the (?:same )?(?:move|switch|jump))(?:ing)?", Verb("ship", True)),
    (r"get(?:ting)? involved(?: with)?", Verb("ship", True)),
    (r"sign(?:ing)? off(?: on)?", Verb("ship", True)),
    (r"tak(?:e|ing) (?:on )?(?:the|this|that) dependency", Verb("ship", True, lemma="it")),
    (r"sign(?:ing)? up(?: for)?", Verb("ship", True, commands=False)),
    (
        r"point(?:ing)?(?= (?:[\w.'-]+ ){0,2}(?:here|to|towards?|at)\b)",
        Verb("ship", False, lemma="via"),
    ),
    (r"steer(?:ing)?(?= (?:[\w.'-]+ ){0,5}(?:to|towards?)\b)", Verb("ship", False, lemma="via")),
    (r"(?:pilot|trial)(?:l?ing)?", Verb("ship", False)),
    (r"target(?:ing)?", Verb("ship", False, commands=False)),
    (r"look(?:ing)? (?:past|beyond)", Verb("skip", False)),
    (
        r"evaluat(?:e|ing)(?= (?:[\w.'-]+ ){1,3}(?:first|instead|before (?:you|renewing|buying"
        r"|signing|committing)|rather)\b)",
        Verb("ship", False),
    ),
    (r"default(?:ing)? to", Verb("ship", False)),
    (
        r"host(?:ing)?(?= (?:[\w.'-]+ ){0,5}(?:on|with|there|here)\b)",
        Verb("ship", False, lemma="via"),
    ),
    (r"do(?:ing)? (?:it|this|that|the \w+) (?:in|with|on)", Verb("ship", False, lemma="via")),
    (r"owe(?:s)? (?:it|them|this) (?:a|an|one)", Verb("ship", True, lemma="it")),
    (r"self-host(?:ing)?", Verb("ship", False)),
    (r"standardi[sz](?:e|ing) on", Verb("ship", False)),
    (r"roll(?:ing)? out", Verb("ship", False)),
    (r"(?:go|going) all[- ]in on", Verb("ship", False)),
    (r"double(?: |-)?down on", Verb("ship", False)),
    (r"put(?:ting)? (?:it|them|this) forward", Verb("ship", True, lemma="it")),
    (
        r"look(?:ing)? (?:at|into)(?= (?:[\w.'-]+ ){1,3}(?:first|instead|before (?:you|renewing"
        r"|buying|signing|committing)|rather)\b)",
        Verb("ship", False),
    ),
    (r"stay(?:ing)? put", Verb("skip", True)),
    (r"(?:walk|shy)(?:ing)? away(?: from)?", Verb("skip", True)),
    (r"uninstall(?:ing)?", Verb("skip", False)),
    (r"stop(?:ping)? (?:using|paying for|recommending)", Verb("skip", False)),
    (r"(?:rip|ripp)(?:ing)? out", Verb("skip", False)),
    (r"give? up on|giving up on", Verb("skip", False)),
    (r"wast(?:e|ing)(?= (?:[\w.'-]+ ){0,3}on\b)", Verb("ship", False, lemma="via")),
    (r"go(?:ing)? back to", Verb("ship", False)),
    (r"go(?:ing)? back(?! to)", Verb("skip", True, firm=False)),  # back to what? the editor decides
    (r"install(?:ing)?", Verb("ship", False, commands=False)),
    (r"run(?:ning)? (?:far )?away(?: from)?", Verb("skip", True)),
    (r"keep(?:ing)? (?:well |far )?away(?: from)?", Verb("skip", True)),
    (r"wast(?:e|ing) (?:your|my|their|our) (?:time|money)", Verb("ship", True)),
    (r"giv(?:e|ing) (?:it|them|this) (?:some |more )?time", Verb("skip", True, lemma="it")),
    (r"giv(?:e|ing) (?:it|them|this) (?:a|another) year", Verb("skip", True, lemma="it")),
    (r"vouch(?:ing)? for", Verb("ship", False)),
    (r"(?:retir|sunset|phas)(?:e|ing)(?: out)?", Verb("skip", False)),
    (r"push(?:ing)? back", Verb("skip", True)),
    (
        r"stay(?:ing)?(?! tuned| on top| in | ahead| away| clear| well| far| up| out| put| focused"
        r"| safe| current| with| on)",
        Verb("ship", True, keeps=True),
    ),
    (r"tak(?:e|ing) the plunge", Verb("ship", True)),
    (r"put(?:ting)? (?:my |our |your |good |real )?money on", Verb("ship", False)),
    (r"go(?:ing)? (?:straight |directly )?to", Verb("ship", False)),
    (r"go(?:ing)? (?:anywhere )?near", Verb("ship", False)),
    (r"let(?:ting)? (?:it|them|this) (?:anywhere )?(?:near|into)", Verb("ship", True, lemma="it")),
    (r"cancel(?:l?ing)?", Verb("skip", True)),
    (r"lean(?:ing)? (?:towards?|to)", Verb("ship", False)),
    (
        r"go(?= [\w.'-]+(?:\s*$| for| if| over| every time| all day| any day| hands down))",
        Verb("ship", False),
    ),
    (
        r"put(?:ting)?(?= (?:[\w.'-]+ ){1,3}(?:in|into|on)\b)",
        Verb("ship", False, commands=False, lemma="put"),
    ),
    (r"put(?:ting)? (?:it |them |this )?in front of", Verb("ship", False, lemma="it")),
    (r"go(?:ing)? (?:that|this) (?:route|way)", Verb("ship", True, lemma="it")),
    (r"go(?:ing)? down (?:that|this) (?:road|route|path)", Verb("ship", True, lemma="it")),
    (r"start(?:ing)? (?:there|here)", Verb("ship", True, lemma="it")),
    (r"bring(?:ing)?(?= (?:[\w.'-]+ ){1,3}(?:in|into|on|onto)\b)", Verb("ship", False)),
    (r"writ(?:e|ing)(?= (?:[\w.'-]+ ){1,3}in\b)", Verb("ship", False, lemma="via")),
    (r"plan(?:ning)? (?:your|an|the|our|their) (?:exit|migration|escape)", Verb("skip", True)),
    (
        r"giv(?:e|ing) (?:it|them|this|this one) (?:another|a few|some|more|a couple of) (?:years?"
        r"|months?|releases?|time|quarters?|versions?|cycles?)",
        Verb("skip", True),
    ),
    (
        r"start(?:ing)?(?: on| with|(?= (?:[\w.'-]+ ){1,4}(?:on|with)\b))",
        Verb("ship", False, lemma="via"),
    ),
    (r"add(?:ing)?", Verb("ship", False, commands=False)),
    (
        r"(?:recommend|advis(?:e|ing)|warn)(?:ing)? (?:you )?(?:against|off)",
        Verb("skip", False, lemma="recommend"),
    ),
    (r"recommend(?:ing)?", Verb("ship", True, lemma="recommend")),
    (r"suggest(?:ing)?", Verb("ship", False, lemma="recommend")),
    (r"endors(?:e|ing)", Verb("ship", True, lemma="recommend")),
    (r"back(?:ing)?", Verb("ship", False)),
    (r"bet(?:ting)? on", Verb("ship", False)),
    (r"embrac(?:e|ing)", Verb("ship", False)),
    (r"learn(?:ing)?", Verb("ship", False)),
    (r"invest(?:ing)? in", Verb("ship", False)),
    (r"reach(?:ing)? for", Verb("ship", False)),
    (r"touch(?:ing)?", Verb("ship", False)),
    (
        r"build(?:ing)?(?: on| in| with|(?= (?:[\w.'-]+ ){1,4}(?:on|in|with)\b))",
        Verb("ship", False, lemma="via"),
    ),
    (r"get(?:ting)? behind", Verb("ship", False)),
    (r"(?:be )?better off with", Verb("ship", False, lemma="own")),
    (r"seriously consider(?:ing)?", Verb("ship", False)),
    (r"consider(?:ing)?", Verb("ship", False, firm=False)),
    (r"tr(?:y|ying)", Verb("ship", False, mine=False)),
    (
        r"giv(?:e|ing)(?= (?:[\w.'-]+ ){1,3}a (?:try|shot|go|spin|chance|whirl|weekend|week|day"
        r"|(?:serious |good |close |hard )?look)\b)",
        Verb("ship", False),
    ),
    (r"check(?:ing)? out", Verb("ship", False, firm=False, mine=False)),
    (r"(?:do|make) it again", Verb("ship", True)),
    (r"(?:stick|stay)(?:ing)? (?:with|on|to)", Verb("ship", False, keeps=True)),
    (r"keep(?:ing)? (?:using|paying for)", Verb("ship", False, keeps=True)),
    (r"need", Verb("ship", False, lemma="own")),
    (r"skip(?:ping)?(?! (?:to|over|ahead|past|straight|down|through)\b)", Verb("skip", True)),
    (r"avoid(?:ing)?", Verb("skip", True)),
    (r"pass(?:ing)?(?: on)?", Verb("skip", True)),
    (r"steer(?:ing)? (?:well |very |way )?clear(?: of)?", Verb("skip", True)),
    (r"stay(?:ing)? (?:well |far |way )?(?:away|clear)(?: from| of)?", Verb("skip", True)),
    (r"keep(?:ing)? (?:it|them) (?:far )?away", Verb("skip", True, lemma="it")),
    (r"hold(?:ing)? off(?: on)?", Verb("skip", True)),
    (r"wait(?:ing)?", Verb("skip", True)),
    (r"look(?:ing)? elsewhere", Verb("skip", True)),
    (r"giv(?:e|ing)(?= (?:[\w.'-]+ ){1,3}a (?:miss|pass|wide berth)\b)", Verb("skip", False)),
    (r"tak(?:e|ing) a pass(?: on)?", Verb("skip", True)),
    (r"sleep(?:ing)? on", Verb("skip", False)),
    (r"replac(?:e|ing)", Verb("ship", False, lemma="replace")),
    (r"set(?:ting)? up", Verb("ship", False, commands=False)),
    (r"sit(?:ting)? (?:it|this one|this|them) out", Verb("skip", True, lemma="it")),
    (
        r"(?:save|keep)(?:ing)? (?:your|their|my|our|the) (?:money|subscription|cash|fee)",
        Verb("skip", True),
    ),
    (r"run(?:ning)?", Verb("ship", False, lemma="alternative")),
    (r"pay(?:ing)? for", Verb("ship", False, lemma="alternative")),
    (r"think(?:ing)? (?:very |long and )?(?:twice|hard|carefully)", Verb("skip", True)),
    (
        r"leav(?:e|ing) (?:it|them|this) (?:alone|be|on the shelf|in the past|behind)",
        Verb("skip", True, lemma="it"),
    ),
    (r"bother(?:ing)?(?: with)?", Verb("ship", True)),
    (r"regret(?:ted|ting)?", Verb("skip", True, lemma="regret")),
    (r"(?:drop|ditch|abandon)(?:ping|ing)?", Verb("skip", False)),
    (r"(?:(?:mov|migrat)(?:e|ing)|switch(?:ing)?) (?:off(?: of)?|away from)", Verb("skip", False)),
    (r"go wrong with", Verb("skip", False, lemma="own")),
]
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
    for start in (m.start() for m in _START.finditer(text)):
        if found and start < found[-1].end():
            continue
        indices = _starting(text[start : start + 4])
        if indices:
            match = _subset(indices).match(text, start)
            if match:
                found.append(match)
    return found
