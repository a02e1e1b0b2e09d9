"""The words of a ship-or-skip call, as data for `panel.running.stance`.

Every pattern is compiled once, here, and runs on one clause of lower-cased text with straight
quotes. A call is built from parts a reader recognises:

- a call verb (`VERBS`): recommend, adopt, use, pick, go with, avoid, steer clear, hold off,
  wait... with the stance it takes when nothing negates it and what it may stand without;
- who makes it (`CHAIN`, `ADVICE_MODAL`, `LEAD`): I or we with a modal ("I'd", "we're going
  to"), you with an advice modal ("you should", "you may want to"), anyone with "should", an
  imperative, or an advice frame ("my advice is to", "I'd tell anyone to", "no reason to");
- what it is about (`PRONOUN`, `ADVERBIAL`, `ALTERNATIVE`): the tool, a rival, something else;
- labels and judgements that make a call without a verb (`NOUN_CALLS`, `WORTH`, `JUDGED`).
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
        r"giv(?:e|ing)(?= (?:[\w.'-]+ ){1,3}a (?:try|shot|go|spin|chance|whirl"
        r"|(?:serious |good |close |hard )?look)\b)",
        Verb("ship", False),
    ),
    (r"check(?:ing)? out", Verb("ship", False, firm=False, mine=False)),
    (r"(?:do|make) it again", Verb("ship", True)),
    (r"(?:stick|stay)(?:ing)? (?:with|on)", Verb("ship", False, keeps=True)),
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
    (r"think(?:ing)? twice", Verb("skip", True)),
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
    """How a verb form can start, to three characters: "(?:switch|mov)e" gives swi and mov."""
    group = form.find("(?:")
    literal = re.match(r"[a-z ]*", form)
    if group < 0 or group >= 3 or (literal and len(literal.group()) >= 3):
        text = literal.group() if literal else ""
        return {text[:3]} if len(text) >= 2 else set()
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
        if text[start : start + 3] not in _HEADS and word.group() not in _HEADS:
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
IMPERSONAL = {"it", "this", "that", "which", "there", "it's", "that's", "who", "what", "they"}
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
        r"(?:tell|encourage|urge|advise|ask|remind|want) (?:you|anyone|everyone|everybody|people"
        r"|others|teams|folks|readers|(?:other|most|small|any) \w+)(?: [\w'-]+){0,6}?",
        r"owe it to (?:yourself|yourselves|themselves)",
        r"(?P<negated>(?:(?:i )?(?:can't|cannot|don't|do not) see (?:a|any)|see no|no|there's no)"
        r" (?:good |real )?reason|no need|hard|difficult|tough|(?:no|little) point)",
        r"(?:better|best|wise|smart|safer|sensible)",
        r"(?:recommend|suggest|advise)(?:ing)?(?: (?:you|that you|teams|people))?",
    )
    + r")(?: not)? to\s*$"
)
GERUND_LEAD = re.compile(
    r"\b(?:recommend(?:ing)?|suggest(?:ing)?|advise|regret|worth|consider"
    r"|(?P<against>(?:recommend|advise|warn)(?:ing)? against))\s*$"
)
# Who may stand in front of the verb and still make the reviewer's call.
OPENERS = re.compile(
    r"^(?:"
    + alt(
        "so", "then", "and", "just", "still", "honestly", "frankly", "seriously", "please", "yes",
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

# Conditions: who or what the call waits on.
CONDITION = re.compile(
    r"\b(?P<word>if|unless|until|till|once|when|whenever|as soon as|the day|provided|assuming"
    r"|only after|only if)\b\s*(?P<rest>(?:\S+\s*){0,8})"
)
READER = re.compile(r"^(?:you|you're|you've|you'd|your|all you|in doubt|starting|in the market)\b")
REQUIREMENT = re.compile(
    r"\b(?:need|needs|require|requires|rely|relies|depend|depends|must|have to|care)\b"
)
NARRATOR = re.compile(r"^(?:i|we|i'm|we're|i've|we've|i'd|we'd)\b")
SUBJUNCTIVE = re.compile(r"\s*(?:were|had|should)\s+(?!you\b)\w+")

# What others say: a call after these words is someone else's.
REPORTED = re.compile(
    r"\b(?:says?|said|tells?|told|swears?|thinks?|claims?|argues?|insists?|believes?"
    r"|recommends|suggests|advises|warns|(?:calls?|called) (?:it|this|that|them)|according to"
    r"|will tell you"
    r"|would tell you|labels?|dismiss(?:es)?)\b"
)
REPORTED_WORDS = frozenset((
    "say", "says", "said", "tell", "tells", "told", "swear", "swears", "think", "thinks", "claim",
    "claims", "argue", "argues", "insist", "insists", "believe", "believes", "recommends",
    "suggests", "advises", "warns", "call", "calls", "called", "according", "will", "would",
    "label", "labels", "dismiss", "dismisses",
))  # fmt: skip
REPORTED_BY_ME = re.compile(r"\b(?:i|we)(?:'d|'ll)?(?:\s+[\w']+){0,2}\s*$")

# Calls made without a verb: a label, a noun, a judgement.
_AFTER = alt(
    "now", "today", "anyway", "regardless", "here", "for", "from", "yet", "until", "till",
    "unless", "if", "once", "when", "either", "too", "on", "despite", "in", "with", "as",
)  # fmt: skip
_END = rf"(?=\s*$|\s+{_AFTER}\b)"
_GRADE = alt(
    "easy", "clear", "solid", "firm", "confident", "qualified", "cautious", "strong",
    "reluctant", "conditional", "hesitant", "narrow", "comfortable", "obvious", "definite",
    "provisional", "tentative", "enthusiastic", "honest", "earned", "deserved", "hard", "soft",
    "polite", "unqualified", "wholehearted", "simple", "quick", "big", "resounding", "hearty",
)  # fmt: skip
_DET = rf"(?:(?:a|an|the|my|our|still a|still an)\s+)?(?:{_GRADE}\s+)?"
NOUN_CALLS: list[tuple[Stance, re.Pattern[str], bool, tuple[str, ...]]] = [
    (
        "ship",
        re.compile(rf"\b(?:a|an|the|my|our|still a)\s+(?:{_GRADE}\s+)?ship{_END}"),
        True,
        ("ship",),
    ),
    ("ship", re.compile(r"\bship\s+(?:verdict|call|vote)\b"), True, ("ship",)),
    (
        "ship",
        re.compile(
            rf"\b(?:a|an|still a)\s+(?:{_GRADE}\s+)?(?:buy|recommendation)"
            rf"{_END}"
        ),
        True,
        ("buy", "recommendation"),
    ),
    (
        "ship",
        re.compile(
            r"(?:^|\b(?:highly|strongly|warmly|heartily|definitely|comes|very|not)\s+)"
            rf"recommended{_END}"
        ),
        True,
        ("recommended",),
    ),
    (
        "ship",
        re.compile(
            r"\b(?:a|an|the)\s+(?:absolute\s+|easy\s+)?(?:no-brainer|must-have"
            r"|must)(?=\s*$|\s+(?:for|if|here)\b)"
        ),
        True,
        ("brainer", "must"),
    ),
    (
        "ship",
        re.compile(
            r"\b(?:money well spent|no regrets|thumbs up|count me in|green light"
            rf"|(?:an\s+)?(?:easy|clear|enthusiastic|resounding) yes){_END}"
        ),
        True,
        ("money", "regret", "thumbs", "count me", "green light", "yes"),
    ),
    (
        "ship",
        re.compile(
            r"\b(?:(?:can't|cannot|couldn't) (?:think of|name|imagine) a|there's no"
            r"|no) better (?:pick|choice|option|tool|place to start|bet)\b"
        ),
        True,
        ("better",),
    ),
    (
        "ship",
        re.compile(
            rf"\b(?:(?:the|my|our|a|an)\s+(?:\w+\s+)?(?:pick|go-to|default|choice"
            r"|bet|winner|call|move|decision|answer|option|fit|solution|tool"
            r"|way to go)|the (?:\w+ )?(?:one|tool|framework"
            r"|library|database|option|editor|platform) to (?:use|pick|choose|beat"
            rf"|reach for|bet on)){_END}"
        ),
        True,
        (
            "pick",
            "go-to",
            "default",
            "choice",
            "bet",
            "winner",
            "call",
            "move",
            "decision",
            "answer",
            "option",
            "fit",
            "solution",
            "tool",
            "way to go",
            "one to",
            "framework to",
            "library to",
            "database to",
            "editor to",
            "platform to",
        ),
    ),
    (
        "skip",
        re.compile(rf"\b(?:a|an|the|my|our|still a)\s+(?:{_GRADE}\s+)?skip{_END}(?!-)"),
        True,
        ("skip",),
    ),
    ("skip", re.compile(r"\bskip\s+(?:verdict|call|vote)\b"), True, ("skip",)),
    ("skip", re.compile(r"\bno\s+ship\b(?!-)"), True, ("ship",)),
    (
        "skip",
        re.compile(
            rf"\b(?:a|an|my|still a)\s+(?:{_GRADE}\s+)?pass(?=\s*$|\s+(?:for|from"
            r"|on (?:it|this|them)|here|today|now|until|unless)\b)"
        ),
        True,
        ("pass",),
    ),
    ("skip", re.compile(rf"\b(?:hard|easy|firm|clear)\s+(?:pass|no){_END}"), True, ("pass", "no")),
    (
        "skip",
        re.compile(rf"\ba\s+(?:{_GRADE}\s+)?(?:no|no-go|wait[- ]and[- ]see){_END}"),
        True,
        ("no", "wait"),
    ),
    (
        "skip",
        re.compile(
            r"\b(?:never again|thumbs down|count me out|a waste of (?:time|money"
            r"|effort|tokens|a weekend))\b"
        ),
        True,
        ("never again", "thumbs", "count me", "waste"),
    ),
    ("skip", re.compile(r"^\s*not yet\s*$"), True, ("not yet",)),
    ("ship", re.compile(r"\blook no further\b"), True, ("further",)),
    (
        "ship",
        re.compile(rf"\b(?:a|an|my|our|the)\s+(?:\w+\s+)?recommendation{_END}"),
        True,
        ("recommendation",),
    ),
    ("ship", re.compile(rf"\ba\s+(?:{_GRADE}\s+)?yes{_END}"), True, ("yes",)),
    (
        "ship",
        re.compile(r"\b(?:you|your (?:future )?self|your team) will thank (?:you|me)\b"),
        True,
        ("thank",),
    ),
    (
        "ship",
        re.compile(
            r"\b(?:gets?|earns?|has|deserves?|wins?) my (?:vote|recommendation"
            r"|endorsement|money|pick)\b"
        ),
        True,
        ("my ",),
    ),
    (
        "skip",
        re.compile(r"\b(?:proceed|approach|tread) (?:with (?:great )?caution|carefully)\b"),
        False,
        ("caution", "carefully"),
    ),
]
# Nouns that judge a choice: only ship when good, and turned round by these.
BAD_CHOICE = re.compile(r"\b(?:wrong|bad|poor|risky|terrible|worst|costly)\b")
GOOD_CHOICE = re.compile(
    r"\b(?:right|obvious|safe|safer|solid|good|great|sensible|smart|best|clear|natural|pick"
    r"|go-to|one to|tool to|framework to|library to|database to|option to|editor to|first|top"
    r"|platform to|winner|way to go|favou?rite|preferred|my|our)\b"
)
NOUN_NEGATOR = re.compile(
    r"(?:\bnot|n't|\bnever|\banything but|\bfar from|\bhardly|\bno longer)(?:\s+\w+){0,2}\s*$"
)
WORTH = re.compile(
    r"\bworth\s+(?:(?P<soft>a (?:look|try|shot|spin|trial|pilot)|considering|checking out"
    r"|keeping an eye on)|it\b|using|learning|adopting|trying|switching(?: to)?|buying"
    r"|betting on|paying for|shipping|the (?:money|price|switch|effort|upgrade|hype|cost|hassle"
    r"|time|migration|premium|subscription|learning curve"
    r"|(?!(?:wait|name|paper|read|click|mention)\b)\w+)|every (?:penny|cent|dollar)"
    r"|your (?:time|money))"
)
# A call judged by an evaluation: "shipping on this now would be a mistake".
AGAINST = re.compile(
    r"\b"
    + alt(
        r"(?:a|an|the)\s+(?:\w+\s+)?"
        + alt("mistake", "error", "gamble", "bad bet", "wrong call", "wrong move", "wrong choice",
              "leap of faith"),
        "premature", "reckless", "risky", "unwise", "naive", "irresponsible", "too early",
        "too soon", "hard to justify", "foolish", "makes (?:no|little) sense",
        "doesn't make (?:much )?sense",
        "overkill", "a waste",
    )
    + r"\b"
)  # fmt: skip
FOR = re.compile(
    r"\b"
    + alt(
        r"the (?:right|obvious|smart|best|correct)(?: \w+)? (?:call|move|choice|decision)",
        "a safe bet", "an easy call", "a no-brainer", "sensible", "wise", "justified",
        "defensible", "prudent",
    )
    + r"\b"
)  # fmt: skip
JUDGED = re.compile(
    r"\b(?:(shipping|adopting|betting on|buying|using|choosing|picking|switching to|going with"
    r"|moving to|migrating to|starting with|building on|investing in|paying(?: for)?|switching"
    r"|bringing in)|(skipping|passing on|waiting"
    r"|holding off|avoiding)|to (ship|adopt|bet on|buy|use|choose|pick|switch to|go with|move to"
    r"|start with|build on)|to (skip|pass on|wait|hold off|avoid))\b"
)
QUESTION_CALL = re.compile(
    r"^(?:so,?\s+)?(?P<aux>would|should|will|do|does|is|can|could)\s+"
    r"(?P<subject>i|we|you|it|this|teams|anyone|(?!there\b)[\w.'-]+(?: [\w.'-]+)?(?= worth\b))"
)
ANSWER = re.compile(
    r"^(?:(?:for me|honestly|in my case|in short|short answer|personally)[,:]?\s+)?"
    r"(?:(?P<yes>yes|yep|yeah|absolutely|definitely|without (?:a doubt|hesitation)|of course"
    r"|100%)|(?P<no>no|nope|not yet|probably not|absolutely not|definitely not|hell no))\b"
)

SUBJECT_WORD = re.compile(r"\b(?:i|we|you|it|this|that|they|he|she|i'd|i'll|i'm|it's|that's)\b")
FRONTED = re.compile(
    r"^(?:if|unless|when|once|for|in|on|with|as|after|before|until|whenever|given|starting"
    r"|coming from|compared with|compared to|looking back|as a starting point)\b"
)
IMPERSONAL_LEAD = re.compile(r"(?:\b(?:is|'s|are|be|was|seems|remains|it|there)|^)\s*$")
THIRD_PERSON_ADVICE = re.compile(r"\b(?:should|must|ought to|had better|needs to|need to)\b")
RELATIVE_NEGATION = re.compile(
    r"(?:\bnot|n't|\bnever)\s+(?:something|one|anything|a \w+|the kind of \w+)\s*(?:that\s*)?$"
)
RELATIVE = re.compile(
    r"\b(?:one|something|what|thing|tool|anything)\s+(?:that\s+)?(?:i|we)(?:'d|'ll)?(?:\s+\w+)?"
    r"\s*$"
)
CHOICE_NOUN = re.compile(
    r"\b(?:pick|go-to|default|choice|bet|winner|call|move|decision|answer|option|fit|solution"
    r"|tool|(?:one|tool|framework|library"
    r"|database|option|editor|platform) to)\b"
)
NEGATIVE_SUBJECT = re.compile(r"(?:^|\s)(?:no|nobody|no one|none|never)\s(?:\S+\s*){0,5}$")
VENDORS = {
    "cloudflare", "google", "aws", "amazon", "microsoft", "azure", "github", "apple", "openai",
    "anthropic", "hashicorp", "vercel", "meta", "gitlab", "oracle", "ibm", "jetbrains", "mozilla",
}  # fmt: skip
ENOUGH = re.compile(r"^(?:[\w.'-]+\s+){0,3}(?:highly |strongly )?enough\b")
DETERMINER = re.compile(r"^(?:the|a|an|your|my|our|their|this|that|these|those|some|any)\b")
# A condition on the tool or its maker ("if they fix the pricing"), not on the reader's project.
TOOL_STATE = re.compile(
    r"^(?:it|they|this|the (?:\w+ )?(?:vendor|company|team|project|maintainers|pricing|price|api"
    r"|roadmap"
    r"|beta|docs|sdk|product|tool|service|library|framework))(?:'s|'re)?\b(?! (?:has|have|needs?)"
    r" to\b)"
)
ON_IT = re.compile(r"\b(?:on|in|with|into|onto)\s+(?:it|this one)\b")
# Before a colon, a clause that announces the call: "our advice for that kind of team is simple".
LABEL_LINE = re.compile(
    r"^(?:(?:my|our|the|final|overall|short|quick|honest)\s+)?(?:advice|call|verdict"
    r"|recommendation|answer|take|suggestion|conclusion|version|bottom line|tl;?dr)\b"
)
VIA = re.compile(r"\b(?:on|in|with|into|onto)\s+(?P<object>.*)$")
REJECTED = re.compile(
    r"\b(?:rather than|instead of|over|before)\s+(?:the\s+)?(?P<name>\S+(?:\s+\S+)?)"
)
NOUN_KEYS = frozenset(key for *_, keys in NOUN_CALLS for key in keys)
WORDS = re.compile(r"[a-z]+")
# Words without which a judgement or a condition cannot be there: a substring test first.
JUDGED_KEYS = frozenset((
    "mistake", "error", "gamble", "bet", "wrong", "leap", "premature", "reckless", "risky",
    "unwise", "naive", "irresponsible", "too early", "too soon", "justif", "foolish", "sense",
    "overkill", "waste", "right", "obvious", "smart", "best", "correct", "easy call", "brainer",
    "sensible", "wise", "defensible", "prudent",
))  # fmt: skip
CONDITION_KEYS = frozenset((
    "if", "unless", "until", "till", "once", "when", "as soon as", "the day", "provided",
    "assuming", "only after",
))  # fmt: skip
_KEYS = NOUN_KEYS | JUDGED_KEYS | CONDITION_KEYS


_CAPITALISED = re.compile(r"(?<=[a-z0-9,;:] )[A-Z][\w.+-]*")


@dataclass(frozen=True)
class Hints:
    """What a text holds, looked up once: the key words of the rarer patterns, proper names."""

    keys: frozenset[str] = _KEYS
    proper: frozenset[str] = frozenset()  # capitalised mid-sentence: "go with ECS" names a rival


def hints(text: str, original: str = "") -> Hints:
    """The key words in `text` of the patterns behind a substring test: only theirs need to run."""
    proper = frozenset(word.lower().rstrip(".") for word in _CAPITALISED.findall(original))
    return Hints(frozenset(key for key in _KEYS if key in text), proper)


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
# "If you're still on X, it's time to move": the tool is what you leave.
TIME_TO_MOVE = re.compile(
    r"\b(?:it's|it is|now is the) time to (?:move on|move|switch|leave|migrate|jump ship"
    r"|look elsewhere|go)\b"
)
COMMON_WORDS = frozenset((
    "the", "app", "web", "api", "new", "get", "one", "for", "and", "pro", "max", "big", "sql",
    "dev", "run", "box", "git", "kit", "hub", "lab", "job", "home", "open", "free", "data",
    "cloud", "auto", "easy", "fast", "just", "next", "plain", "direct", "simple", "a", "an",
))  # fmt: skip
NAME_SUFFIX = re.compile(r"\.(?:js|io|dev|sh|ai|app|com|so|new|co|run|org|net)$")
ALL = Hints()
