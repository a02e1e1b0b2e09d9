"""The words of a ship-or-skip call, as data for `panel.running.stance`.

Every pattern runs on one clause of lower-cased text with straight quotes.
A pattern names the call it makes when nothing negates it; `needs_subject`
means the phrase is a call only when the reviewer (I, we, you-with-a-modal)
or an imperative makes it: "I'd skip it" and "skip it" are calls, "it lets
you skip the YAML" is not. `firm=False` marks phrases too soft to settle a
contradiction on their own ("worth a look").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Stance = Literal["ship", "skip"]


def alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


NEGATOR = re.compile(
    r"\b"
    + alt(
        "not", "never", "no", "nor", "cannot", "hardly", "barely", "neither", "nobody", "no one",
        r"\w+n't", "anything but", "far from", "rather than", "instead of", "without",
        r"(?:hard|difficult|tough) to",
    )
    + r"\b"
)  # fmt: skip
# An evaluation that turns round the call it judges: "shipping on this now would be a mistake".
AGAINST = re.compile(
    r"\b"
    + alt(
        r"(?:a|an|the)\s+(?:\w+\s+)?"
        + alt("mistake", "error", "gamble", "bad bet", "wrong call", "wrong move", "leap of faith"),
        "premature", "reckless", "risky", "unwise", "naive", "irresponsible", "too early",
        "too soon", "hard to justify", "foolish",
    )
    + r"\b"
)  # fmt: skip
# An evaluation that keeps it: "holding off is the right call".
FOR = re.compile(
    r"\b"
    + alt(
        r"the right (?:call|move|choice)", "a safe bet", "the smart move", "an easy call",
        "a no-brainer", "sensible", "wise", "justified", "defensible", "prudent",
    )
    + r"\b"
)  # fmt: skip
# A call judged by such an evaluation: ship-ward (groups 1, 3) or skip-ward (groups 2, 4).
JUDGED = re.compile(
    r"\b(?:(shipping|adopting|betting on|buying)|(skipping|passing on|waiting|holding off)"
    r"|to (ship|adopt|bet on|buy)|to (skip|pass on|wait|hold off))\b"
)
CONDITION = re.compile(
    r"\b(?:if|once|when|whenever|as soon as|the day|provided|assuming|unless|only after)\b"
)
SUBJUNCTIVE = re.compile(r"\s*(?:were|had|should)\b")  # "were the pricing sane, ..."
HEDGE = re.compile(r"\b(?:tempting|tempted|easy to|could|might|may|on paper|at first|would have)\b")
REPORTED = re.compile(
    r"\b(?:calls?|called|says?|said|thinks?|argues?|claims?|labels?|dismiss(?:es)?|insists?"
    r"|will tell you|would tell you)\b"
)
FIRST_PERSON = re.compile(r"\b(?:i|i'd|i'll|i'm|me|my|we|we'd|our)\b")
CALL_WORD = re.compile(r"\b(?:ship|skip|pass|wait|hold)")
SUBJECT_WORD = re.compile(r"\b(?:i|we|you|it|this|that|they|he|she|i'd|i'll|i'm|it's|that's)\b")

_MODALS = alt(
    "would", "will", "should", "must", "do", "did", "does", "am", "are", "is", "going to",
    "have to", "need to", "want to", "plan to", "prefer to", "be", "rather", "'d rather", "still",
    "also", "happily", "gladly", "probably", "definitely", "absolutely", "certainly", "just",
    "really", "honestly", "comfortably", "confidently", "reluctantly", "only", "even", "not",
    "never", "simply", "frankly", r"\w+n't", "cannot",
)  # fmt: skip
# Who makes the call: I, we, or you with a modal ("you should skip it").
SUBJECT = re.compile(
    rf"(?:\b(?:i|we)(?:'d|'ll|'m)?|\byou(?:'d|'ll)?(?=(?:\s+{_MODALS})+\s*$))(?:\s+{_MODALS})*\s*$"
)
# The same, committed enough to carry a call with any ending: "I would never ship this to a team".
COMMITTED = re.compile(
    r"\b(?:i|we)(?:'d|'ll|\s+(?:would|will|should|must|never|not|\w+n't))(?:\s+\w+)?\s*$"
)
# Words that may open an imperative call: "so, honestly, just skip it".
IMPERATIVE = re.compile(
    r"^\s*(?:"
    + alt(
        "so", "then", "and", "just", "still", "honestly", "frankly", "for now", "today",
        "right now", "in short", "bottom line", "net", "overall", "in the end", "ultimately",
        "please", "do", "don't", "do not", "never", "simply", "verdict", "my verdict",
        "the verdict", "call", "my call", "the call", "the answer", "my answer", "for me",
        "personally", "easy", "no reason to", "no need to", "better to", "best to", "worth",
        "advice", "my advice", r"(?:would|will|could|can|should)(?:n't| not)", "won't", "cannot",
    )
    + r"\b\s*)*$"
)  # fmt: skip
INFINITIVE = re.compile(
    r"\b(?:better|rather|recommend|suggest|advise|worth"
    r"|(?:reason|need|hesitate|point)(?:\s+not)?\s+to|(?:hard|difficult|tough|one)\s+to)\s*$"
)

_IT = "it|this|that|this one|them"
AFTER = alt(
    "now", "today", "anyway", "regardless", "here", "already", "tomorrow", "for", "from",
    "happily", "gladly", "immediately", "as is", "as-is", "with confidence",
    "on (?:its|the) strength", "yet", "until", "till", "either", "too", "if", "unless", "once",
    "when",
)  # fmt: skip
_ENDS = rf"(?=\s*$|\s+{AFTER}\b)"
_DETERMINER = alt(
    "a", "an", "the", "my", "our", "still a", "easy", "clear", "solid", "firm", "confident",
    "qualified", "cautious", "strong", "reluctant", "conditional", "hesitant", "narrow",
    "comfortable", "obvious", "definite", "provisional", "tentative", "enthusiastic", "honest",
    "earned", "deserved", "hard", "soft", "polite",
    r"(?:a|an) (?:easy|clear|firm|solid|strong|qualified|cautious|reluctant|narrow|confident"
    r"|comfortable|hard|soft|polite)",
)  # fmt: skip


@dataclass(frozen=True)
class Phrase:
    stance: Stance
    regex: re.Pattern[str]
    needs_subject: bool
    firm: bool = True


def _verb(word: str, objects: str) -> str:
    """`ship`, `ship it`, `shipping this`: `end` is empty when a clause may end there."""
    return rf"\b{word}(?:ping)?(?P<object>\s+(?:{objects}))?(?P<end>{_ENDS})?"


def _noun(word: str) -> str:
    """`a ship`, `an easy skip`, `the ship` (not `the ship date`)."""
    return rf"\b{_DETERMINER}\s+{word}\b(?!-)(?=\s*$|\s+(?:{AFTER}|call|verdict|vote)\b)"


def phrases(name: str | None) -> list[Phrase]:
    """Every call phrase; `name` (the tool under review) may stand where "it" does."""
    it = _IT + (f"|{re.escape(name.lower())}" if name else "")
    ship: Stance = "ship"
    skip: Stance = "skip"
    table: list[tuple[Stance, str, bool, bool]] = [
        (ship, _verb("ship", it), True, True),
        (ship, _noun("ship"), False, True),
        (ship, r"\bship\s+(?:verdict|call|vote)\b", False, True),
        (ship, r"\b(?:still|it|this|this one|that)\s+ships"
               r"(?=\s*$|\s+(?:because|for me|from me|anyway|regardless|on merit|though)\b)",
         False, True),
        (ship, r"\bworth\s+(?:shipping|adopting|betting on|paying for|buying)\b", False, True),
        (ship, r"\bworth\s+it(?=\s*$)", False, True),
        (ship, r"\bworth\s+(?:a (?:trial|try|pilot|look|spin)|trying|trialling|trialing"
               r"|the (?:money|price|spend))\b", False, False),
        (ship, rf"\b(?:adopt|recommend|buy|trial|pilot|back|bet on|choose|pick|use|bother with)"
               rf"\s+(?:{it}){_ENDS}", True, True),
        (ship, rf"\b(?:recommend|bother|endorse|greenlight|green-light){_ENDS}", True, True),
        (ship, rf"\bget behind (?:{it}|shipping|adopting)\b", True, True),
        (ship, r"\b(?:(?:a\s+)?green light|green-lit|thumbs up|count me in"
               r"|(?:a|an easy|a clear|an enthusiastic|easy|clear) yes)(?=\s*$|\s+(?:from|for)\b)",
         False, True),
        (ship, r"\b(?:a|an easy|a clear|a strong|a firm)\s+buy(?=\s*$|\s+(?:for|from|now|today)\b)",
         False, True),
        (skip, _verb("skip", it), True, True),
        (skip, _noun("skip"), False, True),
        (skip, r"\bskip\s+(?:verdict|call|vote)\b", False, True),
        (skip, r"\bno\s+ship\b(?!-)", False, True),
        (skip, rf"\b{_DETERMINER}\s+pass(?=\s*$|\s+(?:for|from|on (?:{it})|here|today|now)\b)",
         False, True),
        (skip, rf"\bpass(?:ing)?(?:\s+on\s+(?:{it}))?{_ENDS}", True, True),
        (skip, r"\bhold(?:ing)?\s+off\b", True, True),
        (skip, r"\bwait(?:ing)?(?=\s*$|\s+(?:for|until|till|and see|on (?:it|this)|another"
               r"|out|it out|a (?:quarter|year|release|cycle|month|version|few|couple))\b)",
         True, True),
        (skip, rf"\b(?:avoid (?:{it})|steer clear|stay away|look elsewhere|stick with|keep using"
               r"|stay with)\b", True, True),
        (skip, r"\b(?:a|a hard|a firm|a clear|hard|firm)\s+no(?=\s*$|\s+(?:from|for)\b)",
         False, True),
        (skip, r"^\s*not yet\s*$", False, True),
        (skip, rf"\b(?:sit (?:{it}) out|give (?:{it}) a miss|thumbs down|count me out"
               r"|keep (?:my|your) money)\b", False, True),
        (skip, r"\b(?:a|an easy|a clear|a firm)\s+wait[- ]and[- ]see\b", False, True),
    ]  # fmt: skip
    return [
        Phrase(stance, re.compile(regex), subject, firm) for stance, regex, subject, firm in table
    ]
