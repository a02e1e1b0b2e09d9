"""Fixed expressions of a call, stories and answers, as data for the stance reader.

People state a call in set phrases far more often than in a verb with a subject: "highly
recommended", "a no-brainer", "worth every penny", "hard pass", "save yourself the headache",
"10/10", "my go-to", "never looked back". The grammar (`stance_grammar`, `stance_verbs`)
reads who makes a call and what it is about; this module lists the phrases that make one on
their own, about the clause's topic (the tool, "it", "this") unless a rival is named first.

The tables live in `stance_data/idioms.txt` (shipped in the package), read once at import.
Each line of a table is `keys :: pattern`: the pattern (one clause, lower-cased, straight quotes)
runs only on a text that holds one of its keys (whole words, or for keys that are not words,
substrings: "/10", "hands_down" for "hands down"); `{x}` stands for a name or pronoun the
call is about: "{x} all the way". The reader (`stance_clause`) keeps the grammar's guards for
them all: a negation before the phrase drops it ("not a must-have"), a question, what others
say, a condition or a hedge bounds it as it bounds a verb.
"""

# ruff: noqa: E501
# (the patterns below are data, one expression a line: a line broken in two would be two)

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from panel.running.stance_verbs import Stance

_X = r"(?P<x>[\w.+-]+(?: [\w.+-]+)?)"
IDIOMS_FILE = Path(__file__).parent / "stance_data" / "idioms.txt"
# Each section's call, and whether its `{x}` names what the call is about and is a choice.
_SECTIONS: dict[str, tuple[Stance, bool, bool]] = {
    "ship": ("ship", False, False),
    "skip": ("skip", False, False),
    "choice": ("ship", True, True),
    "against": ("skip", True, False),
}


@dataclass(frozen=True)
class Idiom:
    stance: Stance
    pattern: re.Pattern[str]
    about: bool  # its `{x}` names what the call is about (else the clause's topic)
    choice: bool  # a call for {x}: for a rival it is one against the tool

    def finditer(self, text: str) -> list[re.Match[str]]:
        if self.pattern.pattern.startswith(_ANCHORED):  # tried once, not at every position
            match = self.pattern.match(text)
            return [match] if match else []
        return list(self.pattern.finditer(text))


_ANCHORED = "(?<![\\w'+-])^"


def read_idioms(path: Path = IDIOMS_FILE) -> list[tuple[str, Idiom]]:
    """The phrase tables: `[section]` lines, then `keys :: pattern` a line; each pattern runs
    only on a text holding one of its keys. A bad line is named by its file and number."""
    found: list[tuple[str, Idiom]] = []
    section: tuple[Stance, bool, bool] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = _SECTIONS.get(line[1:-1])
            if section is None:
                raise ValueError(f"{path.name}:{number}: unknown section {line}")
            continue
        keys, _, pattern = line.partition(" :: ")
        if section is None or not pattern or not keys.strip():
            raise ValueError(f"{path.name}:{number}: not `keys :: pattern` in a section")
        try:
            compiled = re.compile(rf"(?<![\w'+-]){pattern.replace('{x}', _X)}(?![\w'-])")
        except re.error as exc:
            raise ValueError(f"{path.name}:{number}: bad pattern: {exc}") from None
        idiom = Idiom(section[0], compiled, section[1], section[2])
        found += [(key.replace("_", " "), idiom) for key in keys.split()]
    return found


_ALL = read_idioms()
BY_KEY: dict[str, tuple[Idiom, ...]] = {}
for _k, _idiom in _ALL:
    BY_KEY[_k] = (*BY_KEY.get(_k, ()), _idiom)
KEYS = frozenset(BY_KEY)


# Stories: what the writer did with the tool, and a closer that makes it a call.
DID_ADOPT = re.compile(
    r"(?:\b(?:we|i)(?:'ve| have)? (?:\w+ )?|^)(?:moved|switched|migrated|started|standardi[sz]ed"
    r"|settled|went back|gone back|returned|came back)"
    r" (?:[\w'-]+ ){0,5}?(?:to|on|onto) (?P<object>[\w.+-]+(?: [\w.+-]+)?)"
)
DID_LEAVE = re.compile(
    r"(?:\b(?:we|i)(?:'ve| have)? (?:\w+ )?|^)(?:left|dropped|ditched|cancell?ed|abandoned"
    r"|ripped out|moved off|migrated off|replaced|uninstalled|got rid of|deleted|removed|quit"
    r"|stopped using|gave up on|churned from|unsubscribed from) (?P<object>[\w.+-]+(?: [\w.+-]+)?)"
    r"|\b(?:ripped|tore|pulled) (?P<out>[\w.+-]+(?: [\w.+-]+)?) out\b"
)
# "I cancelled last week": what was cancelled is the tool.
BARE_LEAVE = re.compile(
    r"\b(?:we|i) (?:cancell?ed|quit|uninstalled|unsubscribed|churned)"
    r"(?=[,.;]|$| (?:last|this|yesterday|today|after|in|and|a|at|when|on day)\b)"
)
# Words without which no story is told: a substring test before the patterns.
STORY_WORDS = (
    "moved", "switched", "migrated", "started", "standardi", "settled", "went back", "gone back",
    "returned", "came back", "left", "dropped", "ditched", "cancel", "abandoned", "ripped",
    "moved off", "replaced", "uninstalled", "got rid", "deleted", "removed", "quit", "stopped",
    "gave up", "churned", "unsubscribed", "tore", "pulled",
)  # fmt: skip
IT = re.compile(r"^(?:it|this|them)\b")
PRONOUNS = frozenset(("it", "this", "this one", "them", "that one"))
# After a story, "never looked back" makes the story's call; without one, the tool's.
CLOSER = re.compile(
    r"\b(?:(?:never|haven't|have not|not|didn't|did not) (?:once )?looked back|no regrets"
    r"|(?:not|never|i'm not|we're not) looking back|haven't (?:thought about|missed) (?:it|them)"
    r"|(?:don't|do not|never) miss (?:it|them)|good riddance|couldn't be happier"
    r"|(?:can't|cannot|couldn't|won't|wouldn't|never|not|nobody wants to|no one wants to"
    r"|don't want to|never want to) (?:ever )?(?:go|going|be going|switch|switching|move"
    r"|moving) back(?! to)|no going back|there's no going back"
    r"|(?:can't|cannot|couldn't) (?:imagine|see (?:myself|ourselves|us)) (?:ever )?(?:going"
    r"|switching|moving) back(?! to))\b"
)
CLOSER_KEYS = ("back", "regrets", "haven't", "miss", "riddance", "happier")

CHOICE_FRAGMENT = re.compile(r"^(?:an? |the )?(?:[\w-]+ )?(?:choice|pick|decision|winner)[.!]*$")
SAME_KEYS = ("same", "suit", "lead", " do so", " do too", "likewise")
# "... and I'd encourage others to do the same": the call is what the story did.
DO_THE_SAME = re.compile(
    r"\b(?:(?:advise|tell|encourage|urge|nudge|recommend|push)\w* (?:[\w'-]+ ){0,6}?"
    r"(?:to )?(?:do the same|follow suit|follow our lead|the same way|do so|do too|do likewise)"
    r"|(?:suggest|recommend)\w* (?:that )?(?:others|everyone|anyone|you|teams) do (?:the same|so|too)"
    r"|(?:i|we)(?:'d| would) do the"
    r" same)\b"
)

QUESTION_CALL = re.compile(
    r"^(?:q:\s*)?(?:so,?\s+)?(?P<aux>would|should|will|do|does|is|can|could)\s+"
    r"(?P<subject>i|we|you|it|this|teams|anyone|(?!there\b)[\w.'-]+(?: [\w.'-]+)?(?= worth\b))"
)
ANSWER = re.compile(
    r"^(?:a:\s*|answer:\s*|reply:\s*)?(?:(?:for me|honestly|in my case|in short|short answer|personally|tl;?dr"
    r"|the (?:short|honest|simple) answer is)[,:]?\s+)?"
    r"(?:(?P<yes>yes|yep|yeah|yup|absolutely|definitely|without (?:a doubt|hesitation)|of course"
    r"|100%|in a heartbeat|every time|hell yes|sure|for sure|totally|no question|no doubt"
    r"|without question|instantly|easily)|(?P<no>no|nope|not yet|probably not|absolutely not"
    r"|definitely not|hell no|no way|not a chance|never|not anymore|not again|nah|not today"
    r"|not in a million years|only if|only when))\b"
)
# A question on the tool's fitness that a yes or no answers: "Is it production ready? Yes."
READY_QUESTION = re.compile(
    r"\b(?:production[- ]ready|ready for production|(?:used|use it|run it|running it) in production"
    r"|(?:still )?(?:maintained|supported)|the (?:industry |de facto )?standard|the right (?:choice|pick|tool)"
    r"|a (?:good|safe|sane) (?:choice|pick|bet|idea)|safe to use|stable enough)\b"
)
# "Firebase or Supabase for a new app? Supabase.": an answer that is a name.
NAME_ANSWER = re.compile(
    r"^(?:a: |answer: )?(?P<name>[\w.+-]+(?: [\w.+-]+)?)(?:[,.!]*$|[,.!]* (?:all the way|every time"
    r"|hands down|no contest|no question|no doubt|easily|obviously|full stop|period|without question|by a mile|any day)\b)"
)
# A tech radar's entry: a name, then its ring ("Deno Deploy ; Hold.", "Temporal: moved to Adopt").
RING = re.compile(
    r"^(?P<name>[\w.+-]+(?: [\w.+-]+){0,3})\s*[;:,.-]*\s*(?:ring:\s*)?(?:moved (?:from \w+ )?to"
    r" |stays? (?:in |at |on )?|remains? (?:in |at |on )?|now )?(?P<ring>adopt|hold)\b(?! off| on)"
)
# "If you're in Europe, Hetzner Cloud.": a name alone after a fronted condition.
CONDITION_NAME = re.compile(
    r"^(?:(?:but|and|so)(?: really| honestly)?,? )?(?:if|for|when|unless) [^,;]{3,100}, (?:then |just "
    r"|go with |use )?"
    r"(?P<name>(?P<rest>[\w.+-]+(?: [\w.+-]+){0,2}))[.!]*$"
)
CONDITION_OPENERS = ("if ", "for", "whe", "unl", "but", "and", "so ")
# "Caddy, no contest.": a name and a verdict word, answering "X or Y?".
NAMED_ANSWER = re.compile(
    r"^(?P<name>[\w.+-]+(?: [\w.+-]+)?),? (?:no contest|no question|no doubt|hands down|easily|every time|by a mile"
    r"|all day|without question|obviously)[.!]*$"
)

# A call said in mockery: "sure, just use it for the ledger, what could possibly go wrong".
SARCASM_KEYS = ("go wrong", "good luck with", "said no one", "said nobody", "yeah, right")
SARCASM = re.compile(
    r"\bwhat could (?:possibly )?go wrong\b|\bgood luck with (?:that|this)\b"
    r"|\bsaid (?:no one|nobody)(?: ever)?\b|\byeah, right\b"
)
