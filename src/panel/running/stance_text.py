"""The text of a review cut the way the stance reader reads it: names, sentences, clauses.

The tool's name and its rivals' are matched by one pattern per panel (cached), never built per
cell; sentences split at their ends, segments at a contrast ("but", "though", a semicolon),
clauses at commas, colons and the conjunctions that start a new predicate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from panel.running import stance_grammar as g
from panel.running import stance_idioms as i
from panel.running import stance_words as w

Target = Literal["tool", "rival", "alt", "none", "unknown", "name", "verb"]


@dataclass(frozen=True)
class Names:
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
def names_for(name: str | None, rivals: tuple[str, ...]) -> Names:
    """One pattern per panel (cached): the tool's name and its rivals', with their first words."""
    kinds: dict[str, Target] = {}
    own = (name or "").lower().strip()
    for rival in rivals:
        for alias in _aliases(rival.lower().strip(), last=True):
            if alias not in own.split() and alias != own:
                kinds[alias] = "rival"
    for alias in _aliases(own, last=True):
        if alias not in kinds:
            kinds[alias] = "tool"
    if not kinds:
        return Names(None, {})
    longest_first = sorted(kinds, key=len, reverse=True)
    alternation = "|".join(re.escape(n) for n in longest_first)
    return Names(re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])"), kinds)


def _aliases(name: str, last: bool = False) -> set[str]:
    """How prose names a tool: "modal" for "modal gpu inference", "r2" for "cloudflare r2",
    "fly" for "fly.io"; never a common word ("home" for "home assistant")."""
    words = name.split()
    if len(words) > 1 and words[0] in VENDORS:
        return {name, " ".join(words[1:])}  # "r2" is short, and still the product's name
    found = {NAME_SUFFIX.sub("", name)}
    short = _SHORT_FORM.sub("", name)
    if len(words) == 1 and len(short) >= 5:
        found.add(short)  # "postgres" for "postgresql", "mongo" for "mongodb"
    if len(words) > 1:
        found.add(NAME_SUFFIX.sub("", words[0]))
        if last and len(words[-1]) >= 4:
            found.add(words[-1])  # a rival's "Yoga" for "GraphQL Yoga"
    return {a for a in {name, *found} if a == name or (len(a) >= 3 and a not in COMMON_WORDS)} - {
        ""
    }


VENDORS = {
    "cloudflare", "google", "aws", "amazon", "microsoft", "azure", "github", "apple", "openai",
    "anthropic", "hashicorp", "vercel", "meta", "gitlab", "oracle", "ibm", "jetbrains", "mozilla",
}  # fmt: skip

COMMON_WORDS = frozenset((
    "the", "app", "web", "api", "new", "get", "one", "for", "and", "pro", "max", "big", "sql",
    "dev", "run", "box", "git", "kit", "hub", "lab", "job", "home", "open", "free", "data",
    "cloud", "auto", "easy", "fast", "just", "next", "plain", "direct", "simple", "a", "an",
    "code", "server", "studio", "desktop", "labs", "agents", "workspace", "inference", "pages",
    "functions", "workers", "actions", "projects", "hosting", "sdks", "instance", "runtime",
    "framework", "engine", "platform", "service", "services", "suite", "tools", "sync",
    "drive", "mail", "photos", "notes", "search", "query", "router", "realm", "stack", "base",
    "graph", "couch",
))  # fmt: skip

_SHORT_FORM = re.compile(r"(?<=[a-z])(?:ql|db|js)$")
NAME_SUFFIX = re.compile(r"\.(?:js|io|dev|sh|ai|app|com|so|new|co|run|org|net)$")

# What others say: a call after these words is someone else's.
REPORTED = re.compile(
    r"\b(?:says?(?! enough)|said|tells?|told|swears?"
    r"|thinks?(?! (?:very |long and )?(?:twice|hard|carefully))|claims?|argues?|insists?|believes?"
    r"|recommends|suggests|advises|warns|(?:calls?|called) (?:it|this|that|them)|according to"
    r"|assumes?|assumed|suggested|pretend(?:s|ed|ing)?|fram(?:es|ed|ing) (?:\w+ )?as"
    r"|(?:^|(?<=describe )|(?<=\*\*))(?:the )?alternatives?(?: (?:you've |we've )?considered)?(?=:)"
    r"|will tell you"
    r"|would tell you|labels?|dismiss(?:es)?|promises|advertises|touts|markets (?:it|itself)"
    r"|bills itself|pitches|tagline|slogan|not (?:saying|suggesting|arguing|telling you)"
    r"|(?:common |popular |old |persistent )?myth|mention(?:s|ed)?(?= that\b)"
    r"|(?:are|is|were|was) (?:\w+ )?(?:recommending|advising|suggesting)"
    r"|treat(?:s|ed)? (?:[\w-]+ ){1,4}?as"
    r"|misconception|conventional wisdom|received wisdom"
    r"|the (?:speaker|author)'s (?:\w+ )?(?:argument|point|thesis|message|claim"
    r"|conclusion))\b"
)

REPORTED_WORDS = frozenset((
    "say", "says", "said", "tell", "tells", "told", "swear", "swears", "think", "thinks", "claim",
    "claims", "argue", "argues", "insist", "insists", "believe", "believes", "recommends",
    "suggests", "advises", "warns", "call", "calls", "called", "according", "will", "would",
    "label", "labels", "dismiss", "dismisses", "promises", "advertises", "touts", "markets",
    "bills", "pitches", "tagline", "slogan", "assume", "assumes", "assumed", "suggested", "pretend",
    "pretends", "pretended", "pretending", "framing", "frames", "framed", "alternative",
    "alternatives", "myth", "misconception", "wisdom", "speaker", "author",
    "saying", "suggesting", "arguing", "telling", "mention", "mentions", "mentioned",
    "recommending", "advising", "treat", "treats", "treated",
))  # fmt: skip

# Words attributed after they are given: "X is the right tool, the speaker said".
_SAID_AFTER = re.compile(
    r"^[^;]{3,}?,\s+(?:(?!(?:i|we|i've|we've|i'd|we'd|i'm|and)\b)[\w'-]+\s+){0,3}?(?:said|says"
    r"|argued|argues|claimed|claims|wrote|writes|insisted|insists|added|adds)\b(?! that| so)[^;,]*"
)
_SAID_WORDS = frozenset(
    ("said", "says", "argued", "argues", "claimed", "claims", "wrote", "writes", "insisted")
    + ("insists", "added", "adds")
)
# (or no one: "can't think of a reason to ..." drops its "I")
REPORTED_BY_ME = re.compile(
    r"\b(?:i|we)(?:'d|'ll|'ve)?(?:\s+[\w']+){0,2}\s*$|^(?:can't|cannot|couldn't|honestly can't)\s*$"
)

# Where what others say ends: "any guide that tells you to set it up is out of date, so don't".
# ("..., so" and "..., and" may still be theirs: only a contrast or a new clause is surely mine.)
REPORTED_END = re.compile(r"[,;]\s+(?:but|yet|though)\b|;")

_QUOTES = {0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"', 0x2014: " ; ", 0x2013: " ; "}
_CODE = re.compile(r"`([^`]*)`")  # "`--skip-cache`" is code; "`pnpm`" a name
_NAME_LIKE = re.compile(r"[\w.+-]+")
_LINK = re.compile(r"\[([^\]]{1,60})\]\([^)\s]{1,200}\)")
_ASIDE = re.compile(
    r"\s\(\w+\)|\s\([^()]{1,60}\)(?=\s+(?:should|must|is|are|was|has|have|will|would|can)\b)"
)
_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|vs|etc|approx)\.")
_VOTE = re.compile(r"(?<![\w.+-])[+-]1(?![\w.%/])")  # "+1 to moving", "I'm -1 on adopting"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def normalise(text: str) -> str:
    text = text.translate(_QUOTES)
    if "`" in text:  # a flag is no call; a name in backticks is the name
        text = _CODE.sub(_code, text).replace("`", "")
    text = _ABBREVIATIONS.sub(lambda m: m.group(1).replace(".", ""), text)
    if "(" in text:  # "[vitest](https://...)" is vitest; "(first)" and asides before a verb go
        text = _ASIDE.sub("", _LINK.sub(r"\1", text))
    # One word for idioms whose "and" is no clause break: "going back and forth" is no return.
    if "+1" in text or "-1" in text:
        text = _VOTE.sub(lambda m: "plus-one" if m.group() == "+1" else "minus-one", text)
    text = " ".join(text.lower().split()).replace(" back and forth", " back-and-forth")
    if " go to" in text:  # "my go to", "the go to for caching": the noun
        text = _GO_TO.sub(r"\1 go-to", text)
    if "://" in text:  # "consider https://github.com/astral-sh/uv": the repository's name
        text = _URL.sub(" ", _REPOSITORY.sub(r"\1", text))  # any other address: no words
    if _bare_nt(text):  # "we wont switch", "dont use it": a negation all the same
        text = _BARE_NT.sub(r"\1n't", text)
    if '"' in text:  # a sentence in quotes is someone's slogan or title: "You should never use X"
        text = _QUOTED.sub(_quoted, text)
    # "just wait and it will change back": a prediction, no advice to wait
    return _WAIT_AND.sub("wait-and-", text) if "wait and" in text else text


_BARE_NT_KEYS = ("dont", "doesnt", "didnt", "wont", "wouldnt", "shouldnt", "cant", "couldnt",
                 "isnt", "arent", "wasnt", "werent", "mustnt", "neednt")  # fmt: skip
_NT_END = re.compile(r"nt\b")  # a literal first: scanned far faster than the pattern below
_BARE_NT = re.compile(r"\b(do|does|did|wo|would|should|ca|could|is|are|was|were|must|need)nt\b")
_GO_TO = re.compile(r"\b(my|our|your|the|a) go to\b(?! (?:the|a|an|my|our|bed|work|school)\b)")
_REPOSITORY = re.compile(
    r"https?://(?:www\.)?github\.com/[\w.-]+/([\w.-]+?)(?:\.git)?(?=[)\s,;]|$|/?\s)"
)
_URL = re.compile(r"\bhttps?://\S+")
_QUOTED = re.compile(r'"([^"]{1,300})"')
_MENTION = re.compile(r"\s*(?:is|isn't|was|wasn't|are|means|as a)\b")
_WAIT_AND = re.compile(r"\bwait and (?=(?:it|they|things|that|this|you|we)(?:'ll| will)\b)")


def _code(match: re.Match[str]) -> str:
    return match.group(1) if _NAME_LIKE.fullmatch(match.group(1)) else " code "


def _bare_nt(text: str) -> bool:
    """Whether `text` may hold a negation without its apostrophe: a cheap test first."""
    return any(
        text.endswith(_BARE_NT_KEYS, max(0, m.end() - 8), m.end()) for m in _NT_END.finditer(text)
    )


def _quoted(match: re.Match[str]) -> str:
    """A quoted span of three words or more is someone else's words; a scare-quoted word stays."""
    inside = match.group(1)
    if _MENTION.match(match.string, match.end()):
        return ' "a quotation" '  # '"Use Tailwind" is not a design system': a mention
    if len(inside.split()) < 3 or len(match.group()) + 20 > len(match.string):
        return match.group()  # a quote that is all the text is the quote itself
    return ' "a quotation" '


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def own_words(sentence: str) -> str:
    """The sentence up to what someone else says: "critics will call it a skip"."""
    if sentence[:1] == ">":
        return ""  # a quoted line, in a reply: "> you should not use Kafka. This is simplistic."
    words = g.WORDS.findall(sentence)
    if REPORTED_WORDS.isdisjoint(words):
        return sentence  # a set test is far cheaper than the pattern
    said = _SAID_AFTER.search(sentence) if not _SAID_WORDS.isdisjoint(words) else None
    if said:  # "The right tool is Kotlin, the speaker said; ..."
        return own_words(sentence[said.end() :].lstrip(" ,;"))
    for match in REPORTED.finditer(sentence):
        if not REPORTED_BY_ME.search(sentence[: match.start()]):
            end = REPORTED_END.search(sentence, match.end())
            mine = sentence[end.start() :].lstrip(",; ") if end else ""
            if not mine:
                return sentence[: match.start()]
            return f"{sentence[: match.start()]} ; {own_words(mine)}"
    return sentence


# No leading or trailing \s*: a pattern that may start with a space is tried at every position.
_CONTRAST = re.compile(
    r";|\s-\s|(?<!anything )(?<!not just )\bbut\b|(?<!n't )(?<!not )\bhowever\b"
    r"|(?:(?<=, )|(?<=and ))yet\b(?!\s*[,.;:!?]|\s*$)|\bthough\b(?!\s*[,.;:!?]|\s*$)"
    r"|\balthough\b|\bwhereas\b|\bstill\b(?=\s*,)|\bnonetheless\b|\bnevertheless\b"
)
_CONTRAST_HINT = (";", " - ", "but", "however", "yet", "though", "whereas", "still", "nonethe",
                  "neverthe")  # fmt: skip
CONCEDES = {"but", "however", "yet", "nonetheless", "nevertheless"}  # what came before: conceded
CONCESSIVE = {"though", "although", "whereas"}  # what follows: conceded
_CLAUSE_BREAK = re.compile(  # starts with a character set, which the engine scans for fast
    r"[,:()\"\s](?:(?<=(?P<mark>[,:()\"]))"
    r"|(?<=\s)(?P<word>so|and|or|nor|because|since|which|then)(?=\s))"
)


@dataclass(frozen=True)
class Clause:
    text: str
    opens: bool  # where an imperative or a bare label may stand: "Skip." "My call: skip."
    carried: str  # who spoke before a break ("I wouldn't, frankly, ship it"; "avoid it and use")
    labelled: bool = False  # after "my call:", "verdict:": a bare "skip" or "adopt" is the call


def segments(sentence: str) -> list[tuple[str, str]]:
    """(the contrast word that opened it, its text) for each part of a sentence."""
    if not any(hint in sentence for hint in _CONTRAST_HINT):
        return [("", sentence)] if sentence.strip(" ,.!") else []
    parts: list[tuple[str, str]] = []
    marker, start = "", 0
    for match in _CONTRAST.finditer(sentence):
        parts.append((marker, sentence[start : match.start()]))
        marker, start = match.group().strip(" ,"), match.end()
    parts.append((marker, sentence[start:]))
    return [(m, t) for m, t in parts if t.strip(" ,.!")]


_LINKS = ("and", "or")


def clauses(segment: str) -> list[Clause]:
    result: list[Clause] = []
    start, opens, carried, labelled = 0, True, "", False
    fronted = joined = infinitive = linked = False
    to = "to " in segment  # (no infinitive without it: the joins below are not tracked)
    for match in [*_CLAUSE_BREAK.finditer(segment), None]:
        piece = segment[start : match.start() if match else len(segment)].strip(" .!")
        word = match["word"] if match else None
        if piece:
            if linked and infinitive:  # "to promote it as X, or use it as Y, is wrong"
                opens, carried = False, "to"
            result.append(Clause(piece, opens, carried, labelled))
            infinitive = to and (piece.startswith("to ") or (linked and infinitive))
            carried = _carry(piece, carried, match)
            # "If you are on the free tier and growing, plan your exit": the fronted phrase
            # runs to its comma, and the main clause after it may be an imperative.
            starts_fronted = bool(g.FRONTED.match(piece))
            label = bool(g.LABEL.fullmatch(piece))
            fronted = starts_fronted or (fronted and joined)
            ends_fronted = fronted and match is not None and match["mark"] == ","
            opens = _opens_next(piece, match, starts_fronted or label) or ends_fronted
            joined = word in _LINKS
            announces = label or g.LABEL_LINE.match(piece)
            labelled = bool(announces) and match is not None and match["mark"] == ":"
        elif match is not None and (match["mark"] == ":" or word in ("so", "then")):
            opens = True  # ", so wait": what follows may be an imperative
        if match:
            start = match.end()
            linked = to and ((not piece and linked) or word in _LINKS)
    return result


def _carry(piece: str, carried: str, match: re.Match[str] | None) -> str:
    """Who speaks in the next clause when it has no subject of its own."""
    if g.BARE_SUBJECT.match(piece):
        return piece  # "I wouldn't," ... "ship it"
    joins = match is not None and match["word"] in ("and", "or", "nor")
    found = g.verbs(piece) if joins else []
    verb = found[0] if found else None
    if verb and match is not None:
        before = piece[: verb.start()]
        return before if match["word"] != "and" else g.NEGATOR.sub("", before)
    return carried if carried and g.SUBJECT_WORD.search(piece) is None else ""


def _opens_next(piece: str, match: re.Match[str] | None, framed: bool) -> bool:
    """Whether an imperative may follow `piece`; `framed`: it is a label or a fronted phrase."""
    if match is None:
        return False
    if match["mark"] == ":" or match["word"] in ("so", "then"):
        return True
    if match["word"] in ("and", "or") and piece.startswith(("if ", "when ", "unless ")):
        return False  # "if you are small and use Teams internally": still the condition
    return framed or bool(
        g.OPENERS.match(piece) or g.VOCATIVE.match(piece)  # "mac devs, just switch already"
    )


_KEYS = w.NOUN_KEYS | w.JUDGED_KEYS | w.CONDITION_KEYS | i.KEYS

_CAPITALISED = re.compile(r"(?<=[a-z0-9,;:] )[A-Z][a-z][\w.+-]*")  # "OrbStack", not "GPU"


@dataclass(frozen=True)
class Hints:
    """What a text holds, looked up once: the key words of the rarer patterns, proper names."""

    keys: frozenset[str] = _KEYS
    nouns: frozenset[str] = w.NOUN_KEYS  # of `keys`: the noun patterns', the judgements', ...
    judged: frozenset[str] = w.JUDGED_KEYS
    conditions: frozenset[str] = w.CONDITION_KEYS
    idioms: tuple[str, ...] = tuple(sorted(i.KEYS))  # in one order: the calls' order is fixed
    proper: frozenset[str] = frozenset()  # capitalised mid-sentence: "go with ECS" names a rival
    current: Target | None = None  # what the text says is in use: "we are using jest"


def hints(text: str, original: str = "") -> Hints:
    """The key words in `text` of the patterns behind a substring test: only theirs need to run."""
    proper = frozenset(word.lower().rstrip(".") for word in _CAPITALISED.findall(original))
    words = g.WORDS.findall(text)
    present = _PART_FIRSTS.intersection(words)  # a phrase is tried only if its first word is there
    keys = _WORD_KEYS.intersection(words) | {key for key in _PART_ALWAYS if key in text}
    keys |= {key for first in present for key in _PART_BY_WORD[first] if key in text}
    return Hints(
        keys,
        keys & w.NOUN_KEYS,
        keys & w.JUDGED_KEYS,
        keys & w.CONDITION_KEYS,
        tuple(sorted(keys & i.KEYS)),
        proper=proper,
    )


ALL = Hints()
# Keys that are whole words are looked up in the text's words (one set operation); the rest
# (phrases, word parts) by substring.
_WORD_KEYS = frozenset(key for key in _KEYS if key.isalpha())
_PART_KEYS = tuple(key for key in _KEYS if not key.isalpha())
# A phrase that starts with a letter needs its first word among the text's words ("hard no" needs
# "hard"); the rest ("/10", "#1", " no") are tried by substring every time.
_PART_ALWAYS = tuple(key for key in _PART_KEYS if not key[0].isalpha())
_PART_BY_WORD: dict[str, tuple[str, ...]] = {}
for _key in _PART_KEYS:
    if _key[0].isalpha():
        _first = g.WORDS.match(_key)
        if _first:
            _PART_BY_WORD[_first.group()] = (*_PART_BY_WORD.get(_first.group(), ()), _key)
_PART_FIRSTS = frozenset(_PART_BY_WORD)
