"""The words of a ship-or-skip call, as data for `panel.running.stance`.

Every pattern is compiled once, here, and runs on one clause of lower-cased text with straight
quotes. A call is built from parts a reader recognises:

- a call verb (`VERBS`): recommend, adopt, use, pick, go with, avoid, steer clear, hold off,
  wait... with the stance it takes when nothing negates it and what it may stand without;
- who makes it (`CHAIN`, `ADVICE_MODAL`, `LEAD`): I or we with a modal ("I'd", "we're going
  to"), you with an advice modal ("you should", "you may want to"), anyone with "should", an
  imperative, or an advice frame ("my advice is to", "I'd tell anyone to", "no reason to");
- what it is about (`PRONOUN`, `ADVERBIAL`, `ALTERNATIVE`): the tool, a rival, something else.

Labels, nouns, judgements and conditions live in `stance_words`.
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
        r"(?:switch|mov|migrat)(?:e|ing)?(?: over)?(?: to|(?= (?:[\w.'-]+ ){1,4}to\b))",
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
    (r"steer(?:ing)?(?= (?:[\w.'-]+ ){0,2}(?:to|towards?)\b)", Verb("ship", False, lemma="via")),
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
    (r"go(?= [\w.'-]+(?:\s*$| for| if| over))", Verb("ship", False)),
    (r"put(?:ting)?(?= (?:[\w.'-]+ ){1,3}(?:in|into|on)\b)", Verb("ship", False, commands=False)),
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
    (r"build(?:ing)?(?: on|(?= (?:[\w.'-]+ ){1,4}on\b))", Verb("ship", False, lemma="via")),
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
    (r"leav(?:e|ing) (?:it|them|this) (?:alone|be|on the shelf)", Verb("skip", True, lemma="it")),
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


_HEADS = frozenset(head for form, _ in _VERB_TABLE for head in _heads(form))
_WORD = re.compile(r"(?<![\w'-])[a-z][a-z ]")


def verbs(text: str) -> list[re.Match[str]]:
    """`VERB.finditer(text)`, tried only where a word starts as a call verb can (far cheaper)."""
    found: list[re.Match[str]] = []
    for word in _WORD.finditer(text):
        start = word.start()
        if (
            text[start : start + 4] not in _HEADS
            and text[start : start + 3] not in _HEADS
            and word.group() not in _HEADS
        ):
            continue
        if not found or start >= found[-1].end():
            match = VERB.match(text, start)
            if match:
                found.append(match)
    return found


REPLACE = re.compile(r"\breplac(?:e|ing) (?P<old>.+?) with (?P<new>.+)$")

# The words between who makes a call and its verb: modals, negations, adverbs.
_CHAIN_WORD = alt(
    "would", "'d", "will", "'ll", "should", "must", "ought to", "shall", "am", "'m", "are", "'re",
    "be", "is", "going to", "gonna", "plan to", "intend to", "have to", "need to", "want to",
    "may", "might", "can", "could", "do", "does", "did", r"\w+n't", "cannot", "not", "never",
    "no longer", "rather", "sooner", "better", "had better", "still", "also", "just", "only",
    "simply", "really", "honestly", "frankly", "definitely", "absolutely", "certainly", "happily",
    "gladly", "strongly", "highly", "heartily", "warmly", "wholeheartedly", "unreservedly",
    "probably", "personally", "seriously", "genuinely", "actually", "even", "always", "now",
    "reluctantly", "confidently", "comfortably", "at least", "in good conscience", "keep",
    "happy to", "glad to", "pleased to", "willing to", "quick to", "ready to", "hesitate to",
    "comfortable", "confident", "almost certainly", "almost", "totally", "fully", "wholly",
    "heavily", "unhesitatingly", "again",
    "without hesitation", "from now on", "then", "so", "please", "yourself a favou?r and",
)  # fmt: skip
CHAIN = re.compile(rf"(?:(?<=\s)|^)(?P<chain>(?:{_CHAIN_WORD}\s*)*)$")
NEGATOR = re.compile(r"\b(?:not|never|no longer|cannot|hesitate|\w+n't)\b")
BARE_SUBJECT = re.compile(rf"^(?:i|we|you)(?:'d|'ll)?(?:\s+{_CHAIN_WORD})+\s*$")
SUBJECT_BEFORE = re.compile(r"(?:^|\s)(?P<subject>[\w']+)\s*$")
FIRST_PERSON = {"i", "we", "i'd", "we'd", "i'll", "we'll", "i'm", "we're", "i've", "we've"}
IMPERSONAL = {"it", "this", "that", "which", "there", "it's", "that's", "who", "what"}
# For you, I and we, the modals that make a call rather than describe ("you can use it").
ADVICE_MODAL = re.compile(
    r"\b(?:should|must|ought to|had better|'d better|need to|have to|want to|better off)\b"
)
INTENT_MODAL = re.compile(
    r"(?:\bwould|'d|\bwill|'ll|\bgoing to|\bgonna|\bplan to|\bintend to|\bcan(?:not|'t)?"
    r"|\bcouldn't|\bwon't|\bwouldn't|'m|'re|\bam|\bare|\bkeep|\brather|\bshould|\bmust)\b"
)
PROGRESSIVE = re.compile(r"(?:'m|'re|\bam|\bare|\bbe|\bkeep)\b")
PAST = re.compile(r"\b(?:did|didn't|was|were|had)\b")
# Verbs a reviewer uses in the present to make a call: "I recommend it", "we suggest".
PRESENT_CALL = {"recommend", "regret"}
HEDGE = re.compile(
    r"\b(?:tempting|tempted|maybe|perhaps|on paper|at first|would have|might(?! want)"
    r"|may(?! want)|could(?!n't)|i guess|not sure)\b"
)

# An advice frame before the verb: "my advice is to", "I'd tell anyone to", "no reason to".
LEAD = re.compile(
    r"(?P<lead>"
    + alt(
        r"(?:my|our|the) (?:advice|recommendation|suggestion|answer|call|verdict)"
        r"(?: here)? (?:is|would be|remains)",
        r"(?:tell|encourage|urge|advise|ask|remind|want|nudge|push) (?:you|anyone|everyone"
        r"|everybody|people|others|teams|folks|readers|(?:other|most|small|any|every) \w+)"
        r"(?: [\w'-]+){0,6}?",
        r"owe it to (?:yourself|yourselves|themselves)",
        r"(?P<negated>(?:(?:i )?(?:can't|cannot|don't|do not) (?:see|think of|find) (?:a|any)"
        r"|(?:i )?see no|no|there's no|there is no) (?:good |real |compelling )?reason|no need|hard"
        r"|difficult|tough|(?:no|little) point|little|nothing|not much|crazy|foolish|mad|silly"
        r"|nuts)",
        r"(?:better|best|wise|smart|safer|sensible|(?:(?:it's|it is|now is the) )?time)",
        r"(?:recommend|suggest|advise)(?:ing)?(?: (?:you|that you|teams|people))?",
    )
    + r")(?: not)? to\s*$"
)
GERUND_LEAD = re.compile(
    r"\b(?:recommend(?:ing)?|suggest(?:ing)?|advise|regret|worth|consider|(?:come|comes|coming)"
    r" down on the side of|in favou?r of|side with"
    r"|(?P<against>(?:recommend|advise|warn)(?:ing)? against))\s*$"
)
# Who may stand in front of the verb and still make the reviewer's call.
OPENERS = re.compile(
    r"^(?:"
    + alt(
        "so", "then", "and", "just", "still", "honestly", "frankly", "seriously", "please", "yes",
        "otherwise", "instead", "again", "go ahead and", "go and", "just go and",
        "really", "simply", "definitely", "absolutely", "overall", "ultimately", "in short",
        "bottom line", "long story short", "tl;?dr", "short answer", "net", "for now", "today",
        "right now", "for me", "personally", "in the end", "instead", "i'd say", "i would say",
        "i say", "do yourself a favou?r and", "my advice", "my verdict", "verdict", "the verdict",
        "my call", "the call", "call", "my recommendation", "recommendation", "my take",
        r"\d+(?:[/.]\d+)?(?: stars?)?",
        "the answer", "my answer", "advice", "my pick", "the pick", "easy", "my vote", "vote",
    )
    + r"[\s,:]*)*$"
)  # fmt: skip
LABEL = re.compile(
    r"^(?:(?:(?:my|our|the|final|overall|short|quick|honest)\s+)(?:call|verdict|vote|rating"
    r"|recommendation|advice|version"
    r"|take|answer|pick|suggestion|conclusion)|verdict|bottom line|tl;?dr|short answer"
    r"|long story short|in short|recommendation|advice)"
    r"(?:\s+(?:here|then|for now|today))?(?:\s+(?:is|would be|remains|stays))?(?:\s+to)?\s*"
)
LABEL_WORD = re.compile(
    r"^(?:(?P<ship>ship|ship it|buy|adopt|adopt it|go|yes|recommended|thumbs up"
    r"|use it)"
    r"|(?P<skip>skip|skip it|pass|hold|wait|avoid|no|no-go|not recommended|thumbs down"
    r"|not yet|no ship|avoid it|a hard no|don't|do not|nope))"
    r"(?=\s*$|\s+(?:for|from|until|unless|on|today|now)\b)"
)

_TOOL_NOUN = alt(
    "tool", "product", "service", "library", "lib", "framework", "platform", "thing", "app",
    "package", "runtime", "editor", "one", "database", "db", "stack", "option", "switch", "move",
    "purchase", "decision", "migration", "subscription", "upgrade", "change", "orm", "queue",
    "engine", "sdk", "cli", "extension", "plugin", "browser", "ide", "toolkit", "offering",
    "tracker", "wrapper",
)  # fmt: skip
PRONOUN = re.compile(
    rf"^(?:it|this one|that one|(?:the|this|that) {_TOOL_NOUN}|(?P<bare>this|that))\b"
)
ADVERBIAL = re.compile(
    r"^(?:"
    + alt(
        "now", "today", "for now", "yet", "again", "anyway", "anymore", "here", "first",
        "either", "too", "instead", "for", "in", "on", "at", "to", "into", "by", "until", "till",
        "unless", "if",
        "when", "once", "before", "without", "from", "as", "with", "over", "altogether",
        "entirely", "completely", "happily", "gladly", "immediately", "regardless", "then",
        "outright", "though", "and", "or", "right", "though", "honestly", "personally",
        "entirely", "at all", "in production", "by default", "going forward", "another", "out",
        "and see", "it out", r"a (?:release|year|quarter|month|week|few|couple|cycle|version|bit"
        r"|while|minute|second|moment|beat)", r"(?:one|two|three|six) (?:more )?(?:releases?"
        r"|months?|quarters?|years?|versions?|weeks?)",
    )
    + r")\b"
)  # fmt: skip
ALTERNATIVE = re.compile(
    r"^(?:something|what you (?:have|know|use)|anything else|another|an alternative|alternatives"
    r"|other|a different"
    r"|elsewhere|the alternative|a (?:calmer|simpler|boring|mature|plain)|plain)\b"
)
INSTEAD = re.compile(r"\binstead\b(?! of)")
PREPOSITION_BEFORE = re.compile(r"\b(?:on|with|in|for|like|to|into)\s+(?:the\s+)?$")
CONTRAST_OBJECT = re.compile(r"\b(?:over|rather than|instead of|not)\s+(?:the\s+)?$")


SUBJECT_WORD = re.compile(r"\b(?:i|we|you|it|this|that|they|he|she|i'd|i'll|i'm|it's|that's)\b")
FRONTED = re.compile(
    r"^(?:if|unless|when|once|for|in|on|with|as|after|before|until|whenever|given|starting"
    r"|coming from|compared with|compared to|looking back|as a starting point)\b"
)
IMPERSONAL_LEAD = re.compile(r"(?:\b(?:is|'s|are|be|was|seems|remains|it|there)|^)\s*$")
THIRD_PERSON_ADVICE = re.compile(r"\b(?:should|must|ought to|had better|needs to|need to)\b")
RELATIVE_NEGATION = re.compile(
    r"(?:\bnot|n't|\bnever)\s+(?:something|one|anything|what|a \w+|the kind of \w+)\s*"
    r"(?:that\s*)?$"
)
# "the platform I'd choose", "not something I'd buy again": the object came before the verb.
RELATIVE = re.compile(
    r"\b(?!(?:so|and|but|then|if|when|because|that|which|what|why|how|where|though|or|yes|no)\b)"
    r"[a-z-]+\s+(?:that\s+|which\s+)?(?:i|we)(?:'d|'ll| would| will)(?:\s+\w+)?\s*$"
    r"|\bwhat\s+(?:i|we)(?:'d|'ll| would| will)?(?:\s+\w+)?\s*$"
)
NEGATIVE_SUBJECT = re.compile(r"(?:^|\s)(?:no|nobody|no one|none|never)(?:\s(?:\S+\s*){0,5})?$")
# What may follow a verb whose object was left out: "Don't buy.", "Would buy again."
ELIDED_REST = re.compile(
    r"^(?:again|now|today|yet|anymore|either|too|here|instead|already"
    r"|for now|at all|ever)?\W*$"
)
ENOUGH = re.compile(r"^(?:[\w.'-]+\s+){0,3}(?:highly |strongly )?enough\b")
DETERMINER = re.compile(r"^(?:the|a|an|your|my|our|their|this|that|these|those|some|any)\b")
ON_IT = re.compile(r"\b(?:on|in|with|into|onto)\s+(?:it|this one)\b")
# Before a colon, a clause that announces the call: "our advice for that kind of team is simple".
LABEL_LINE = re.compile(
    r"^(?:(?:my|our|the|final|overall|short|quick|honest)\s+)?(?:advice|call|verdict"
    r"|recommendation|answer|take|suggestion|conclusion|version|bottom line|tl;?dr)\b"
)
VIA = re.compile(r"\b(?:on|in|with|into|onto|at|to|towards?)\s+(?P<object>.*)$")
HERE = re.compile(r"^(?:\S+\s+){0,2}(?:here|this way)\b")
REJECTED = re.compile(
    r"\b(?:rather than|instead of|over|before)\s+(?:the\s+)?(?P<name>\S+(?:\s+\S+)?)"
)
WORDS = re.compile(r"[a-z]+")


# What "wait" may wait for and still be a call: a version, a release, the tool ("wait for v2").
WAIT_FOR = re.compile(
    r"^(?:on|for)\s+(?:v?\d|version|the (?:next|first|stable|\d|dust|beta|ga|pricing|price|api)"
    r"|(?:a|the|another) (?:stable|proper|real|new|major|later|future|few|couple|year|release"
    r"|version|quarter|month)|general availability|ga\b|it\b|them\b|this\b|\S+(?: \S+)? to "
    r"(?:mature|settle|stabili[sz]e|ship|land|improve|catch up|prove|grow))"
)
# After the object, a scope that narrows a call to some uses: "I wouldn't use it for X".
SCOPE = re.compile(
    r"\bfor (?!now|me\b|us\b|good|long|sure|what|a (?:while|year|"
    r"month|week|quarter|bit|few|couple|second|moment|minute))(?:anything|any|a|an|the|your|our"
    r"|production|serious|big|large|small|teams?|projects?|\w+ (?:apps?|projects?|services?"
    r"|workloads?|teams?|sites?|code|work|data|use))\b"
)
