"""The words of a call made without a verb, and of what bounds a call, for the stance reader.

Labels and nouns ("a skip until it scales", "my go-to", "not worth it"), judgements ("shipping
on this now would be a mistake"), conditions ("once SSO lands", "if you're starting fresh"),
what others say, questions and their answers. Compiled once, here (the labels and nouns from
`stance_data/noun_calls.toml`, shipped in the package); every pattern runs on lower-cased text
with straight quotes. See `stance_grammar` for the call verbs.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from panel.running.stance_grammar import Stance, alt

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


# Calls made without a verb: a label, a noun, a judgement.
_AFTER = alt(
    "now", "today", "anyway", "regardless", "here", "for", "from", "yet", "until", "till",
    "unless", "if", "once", "when", "either", "too", "on", "despite", "in", "with", "as",
)  # fmt: skip

_END = rf"(?=\s*$|\s+{_AFTER}\b|\s+(?:that\s+)?(?:i|we)(?:'d| would)\s)"  # "the pick I'd make"

_GRADE = alt(
    "easy", "clear", "solid", "firm", "confident", "qualified", "cautious", "strong",
    "reluctant", "conditional", "hesitant", "narrow", "comfortable", "obvious", "definite",
    "provisional", "tentative", "enthusiastic", "honest", "earned", "deserved", "hard", "soft",
    "polite", "unqualified", "wholehearted", "simple", "quick", "big", "resounding", "hearty",
    "instant", "definite", "outright",
)  # fmt: skip


NounCall = tuple[Stance, re.Pattern[str], bool, tuple[str, ...]]  # stance, words, firm, keys
NOUN_CALLS_FILE = Path(__file__).parent / "stance_data" / "noun_calls.toml"


def read_noun_calls(path: Path = NOUN_CALLS_FILE) -> list[NounCall]:
    """The calls made without a verb, a data file shipped in the package (see its header)."""
    calls = tomllib.loads(path.read_text(encoding="utf-8"))["call"]
    table: list[NounCall] = []
    for number, call in enumerate(calls, 1):
        stance = call["stance"]
        if stance not in ("ship", "skip") or not call["keys"]:
            raise ValueError(f"{path.name}: call {number}: bad stance or no keys")
        pattern = call["pattern"].replace("{GRADE}", _GRADE).replace("{END}", _END)
        if re.search(r"\{[A-Z]+\}", pattern):  # a misspelt part would match nothing, silently
            raise ValueError(f"{path.name}: call {number}: unknown part in {pattern!r}")
        table.append(
            (
                "ship" if stance == "ship" else "skip",
                re.compile(pattern),
                bool(call.get("firm", True)),
                tuple(call["keys"]),
            )
        )
    return table


NOUN_CALLS = read_noun_calls()

# Nouns that judge a choice: only ship when good, and turned round by these.
BAD_CHOICE = re.compile(r"\b(?:wrong|bad|poor|risky|terrible|worst|costly)\b")

GOOD_CHOICE = re.compile(
    r"\b(?:right|obvious|safe|safer|solid|good|great|sensible|smart|best|clear|natural|pick"
    r"|go-to|one to|tool to|framework to|library to|database to|option to|editor to|first|top"
    r"|platform to|winner|way to go|favou?rite|preferred|my|our|you want|you need"
    r"|you'll want|you'd want|to get|to buy|to try|to learn|perfect|ideal|excellent|tool for"
    r"|correct|pragmatic|practical|sane|reasonable|logical|safest|simplest|easiest|wisest"
    r"|strongest|standout|recommended|only real|real|better|stronger|safer|simpler|smarter|wiser"
    r"|fantastic|superb|brilliant|terrific|no-drama|dependable)\b"
    r"|^the (?:answer|winner)$"
)

NOUN_NEGATOR = re.compile(
    r"(?:\bnot|n't|\bnever|\banything but|\bfar from|\bhardly|\bno longer)(?:\s+[\w']+){0,2}\s*$"
)

WORTH = re.compile(
    r"\bworth\s+(?:(?P<soft>a (?:look|try|shot|spin|trial|pilot)|considering|checking out"
    r"|keeping an eye on)|it\b|using|learning|adopting|trying|switching(?: to)?|buying"
    r"|betting on|paying for|shipping|(?:migrating|moving|upgrading) to"
    r"|the (?:money|price|switch|effort|upgrade|hype|cost|hassle"
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
              "leap of faith", "regret", "bad idea"),
        r"not (?:a|an) (?:good|great|smart|wise) idea",
        "premature", "reckless", "risky", "unwise", "naive", "irresponsible", "too early",
        "too soon", "hard to justify", "foolish", "makes (?:no|little) sense",
        "(?:doesn't|does not) (?:really |quite )?make (?:much |any )?sense",
        "no longer makes sense",
        "overkill", "a waste",
    )
    + r"\b"
)  # fmt: skip

FOR = re.compile(
    r"\b"
    + alt(
        r"the (?:right|obvious|smart|best|correct)(?: \w+)? (?:call|move|choice|decision)",
        r"the (?:easiest|best|smartest|cheapest) (?:money|decision|move|thing|win)",
        "a safe bet", "an easy call", "a no-brainer", "sensible", "wise", "justified",
        "defensible", "prudent",
    )
    + r"\b"
)  # fmt: skip

JUDGED = re.compile(
    r"\b(?:(shipping|adopting|betting on|buying|using|choosing|picking|switching to|going with"
    r"|moving to|migrating to|starting with|building on|investing in|paying(?: for)?|switching"
    r"|keeping"
    r"|bringing in|(?:starting|building|putting) (?:[\w'-]+ ){0,3}on (?=it\b|this\b|them\b))"
    r"|(skipping|passing on|waiting"
    r"|holding off|avoiding)|to (ship|adopt|bet on|buy|use|choose|pick|switch to|go with|move to"
    r"|start with|build on|keep)|to (skip|pass on|wait|hold off|avoid))\b"
)


CHOICE_NOUN = re.compile(
    r"\b(?:pick|go-to|default|choices?|bet|winner|call|move|decision|answer|options?|fit|solutions?"
    r"|alternative"
    r"|tool|spot|place|candidate|replacement|successor|starting point|approach|stack|editor"
    r"|way forward|path forward|(?:one|tool|framework|library"
    r"|database|option|editor|platform) to)\b"
)

# A condition on the tool or its maker ("if they fix the pricing"), not on the reader's project.
TOOL_STATE = re.compile(
    r"^(?:it|they|this|the (?:\w+ )?(?:vendor|company|team|project|maintainers|pricing|price|api"
    r"|roadmap"
    r"|beta|docs|sdk|product|tool|service|library|framework))(?:'s|'re)?\b(?! (?:has|have|needs?)"
    r" to\b)"
)

# A part or an aspect of the tool as the subject: "the deployment experience is the best I've
# used" judges the deployment, not the tool.
ASPECT = re.compile(
    r"^(?:the|its|their) (?:[\w-]+ )?(?:experience|docs|documentation|ui|ux|interface|dashboard"
    r"|onboarding|pricing|support|community|api|cli|syntax|installer|setup|design|editor"
    r"|integration|ecosystem|free tier|tier|plan)"
    r" (?:is|are|was|were)(?: [a-z]+ly)?\s*$"
)
# What follows a gerund that is a subject: "switching to X isn't a rational decision".
PREDICATE = re.compile(
    r"\s+(?:is|isn't|was|wasn't|are|aren't|would(?:n't)? be|will(?:n't)? be|seems|feels|makes"
    r"|made|has been|remains)\b"
)
# A time after a choice that places it in the past: "X was the smarter choice in 2019".
THEN_AFTER = re.compile(
    r"\s+(?:in (?:19|20)\d\d|back then|at the time|back in the day|(?:\w+ )?years ago"
    r"|for (?:many |several |a few |\w+ )?years)\b"
)
# A scope that covers (nearly) everything: "for the vast majority of projects", "for most teams".
BROAD = re.compile(
    r"\s*for (?:the (?:vast |great )?majority|most|nearly (?:every|all)|almost (?:every|all)|every"
    r"|all|any|new)\b"
)
# A pick ranked above the rest ("the better default choice", "the obvious pick"), unlike "a
# good option too".
RANKED = re.compile(
    r"\b(?:better|best|right|correct|obvious|go-to|default|winner|only|smarter|safer)\b"
)
ALSO = re.compile(r"\b(?:also|too|as well|another|one of)\b")
# A condition on a time, not on the reader's project: "when the future arrives, switch".
A_TIME = re.compile(r"^(?:the )?(?:future|time|day|moment|dust|world|market|ecosystem)\b")

NOUN_INDEX: dict[str, tuple[int, ...]] = {
    key: tuple(i for i, (*_, keys) in enumerate(NOUN_CALLS) if key in keys)
    for *_, keys in NOUN_CALLS
    for key in keys
}
NOUN_KEYS = frozenset(key for *_, keys in NOUN_CALLS for key in keys)

# Words without which a judgement or a condition cannot be there: a substring test first.
JUDGED_KEYS = frozenset((
    "mistake", "error", "gamble", "bet", "wrong", "leap", "premature", "reckless", "risky",
    "unwise", "naive", "irresponsible", "too early", "too soon", "justify", "justified",
    "foolish", "sense", "overkill", "waste", "right", "obvious", "smart", "best", "correct",
    "easy call", "brainer", "regret", "idea",
    "sensible", "wise", "defensible", "prudent", "easiest", "smartest", "cheapest",
))  # fmt: skip

CONDITION_KEYS = frozenset((
    "if", "unless", "until", "till", "once", "when", "as soon as", "the day", "provided",
    "assuming", "only after",
))  # fmt: skip


# "If you're still on X, it's time to move": the tool is what you leave.
TIME_TO_MOVE = re.compile(
    r"\b(?:it's|it is|now is the) time to (?:move on|move|switch|leave|migrate|jump ship"
    r"|look elsewhere|go)\b"
    r"|^if you(?:'re| are) (?:still )?(?:on|using|running|stuck (?:on|with)) (?P<on>[^,;]{1,40}),"
    r" (?:then )?(?:just )?(?:switch|move|migrate|leave|jump ship)(?: (?:now|today|asap"
    r"|immediately|already|right away))?[.!]*$"
)

# The writer's recommendation to an audience described at length (across "and" and "or"): its name.
RECOMMENDED_TO = re.compile(
    r"\b(?:my|our) (?:recommendation|top recommendation) (?:to|for) (?:anyone|everyone|people|folks"
    r"|teams|those|beginners|newcomers|most)\b[^.;?]{0,160} (?:is|would be|remains) (?:the |a )?"
    r"(?:excellent |great |wonderful |trusty |humble |venerable |open[- ]source )?"
    r"(?P<name>[\w.+-]+(?: [\w.+-]+)?)"
)

# Where a name after a label ("Winner: Proxmox for flexibility") may end: it is the pick.
LABEL_NAME_END = re.compile(r"\s*(?:$|for\b|\(|all the way|every time|hands down|,? no contest)")

# A fronted scope narrows the calls of its clause: "for log analytics it's the wrong tool".
FRONTED_FOR = re.compile(
    r"^for (?!now\b|me\b|us\b|what\b|years\b|months\b|once\b|a (?:while|year|month|week)\b"
    r"|the (?:first|last) time\b)"
)


# A choice judged in the past: history, not a call ("X was the obvious choice in 2019").
PAST_BEFORE = re.compile(r"\b(?:was|were|had been|used to be|used to)\s+(?:\w+\s+)?$")
HISTORY = re.compile(
    r"\b(?:go-to|default|standard|winner|favou?rite|must|no-brainer|keeper|obvious|natural)\b"
)

PAST_CHOICE = re.compile(rf"{PAST_BEFORE.pattern}|\bmade (?:it|them|this|that) $")
# "we weren't using the right tool for the job": what was in use, not a call
PAST_USE = re.compile(r"\b(?:was|were|wasn't|weren't|had been|hadn't been) (?:\w+ )?using $")
SO_FAR = re.compile(r"\b(?:hasn't|has not|haven't|have not) (?:really )?been $")
# "encouraged me to find a better solution": a choice looked for, not the tool
SOUGHT = re.compile(
    r"\b(?:find|finding|look(?:ing)? for|search(?:ing)? for|seek(?:ing)?|choose|pick|opt for"
    r"|go with|try|consider|want|need|(?:switch|move|migrate)(?:ing)? to"
    r"|match(?:ing)? (?:it|them|this) to)\s*$"
)
# "it certainly had a good editor": what the tool has, not what it is
POSSESSED = re.compile(r"\b(?:has|had|have|having|with|offers?|includes?)(?: \w+)? $")
A_THING = re.compile(r"an? (?!(?:\w+ )?(?:place|spot|home)\b)")

# A past evaluation placed in another time or setting: "in banking, where they were the right call"
THEN = re.compile(
    r"\b(?:where|when|back when|back then|at one point|at the time|in (?:19|20)\d\d)\b"
    r"[^,;]*\b(?:was|were)\s+(?:\w+\s+)?$"
)

MOVE_ELSEWHERE = re.compile(
    r"\b(?:moving|switching|migrating) (?:over )?to (?:a|an|another|some)"
    r" (?:new |different |other )?"
)

ANOTHER = re.compile(
    r"^(?!the |this |that |it |its |our |my )(?:(?:a|an|another|some|any)\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:tool|option|alternative|service|library|framework|product|platform|solution|approach"
    r"|something|anything|one)(?: else)?\s+(?:is|are|would be|will be|'s|seems|feels)\s"
)

# "It was a mistake", "microservices are a premature optimization": who is judged.
JUDGED_SUBJECT = re.compile(
    r"(?:^|[,;:] |\b(?:and|so|but|honestly|frankly|good\.?"
    r"|(?:think|say|believe|feel|find)(?: that)?) )"
    r"(?:(?:a|an|the|our|my|your) )?"
    r"(?P<subject>[\w.+-]+(?: [\w.+-]+)?)"
    r"(?:'s| (?:is|are|was|were|'s|would be|will be|remains?|seems?)| (?:is|are|was) not)"
    r"(?: (?:just|really|simply|often|usually|generally|still|probably|basically|honestly"
    r"|absolutely|always|clearly))?(?: (?:a|an|the|pure|just))?\s*$"
)
# What "it" alone may be judged: strong enough that "it" is the tool ("it was a mistake").
STRONG_AGAINST = re.compile(r"\b(?:mistake|regret|waste|overkill|premature|idea)\b")
# Work divided between two tools: "use Excel for the sums and Airtable for the forms".
SPLIT_USES = re.compile(
    r"\b(?:use|pick|choose|go with|reach for|keep) [\w.+-]+(?: [\w.+-]+)? for [^;]{1,60}?"
    r"(?:,|\band|;) (?:use |pick |choose |go with |reach for |keep )?[\w.+-]+(?: [\w.+-]+)? for\b"
)
# What of the tool's own may be skipped: "skipping this release would be a mistake".
OWN_THING = re.compile(
    r"(?:this|the|that|its) (?:\w+ )?(?:release|version|upgrade|update|plan|tier|subscription"
    r"|renewal|beta|launch|one|tool|product)\b"
)
# "It should probably be the default starting point": a choice prescribed.
SHOULD_BE = re.compile(r"\b(?:should|must|ought to)(?: \w+)? be\s*$")
# Where a statement ends and a trailing question starts: "..., and maybe we could try Y?"
QUESTION_TAIL = re.compile(r",? (?:and|but|or) (?=(?:maybe|perhaps|also|what about|how about) )")
# A condition on the reader, whose doubts are not the writer's hedge: "if you're not sure, ...".
READER_IF = re.compile(r"\b(?:if|unless|when|whenever) (?:you|you're|your)\b[^,;]*")
# "None of these is a no-brainer": a negative subject of a copula negates what follows.
NEGATIVE_COPULA = re.compile(
    r"(?:^|\s)(?:no(?! longer)|nobody|no one|none|neither|nothing)(?: \S+){0,5}?"
    r" (?:is|are|was|were|be|seems?|feels?)(?: \w+)?\s*$"
)
# A call noun that is no choice: "my wake-up call", "a close call".
NOT_A_CHOICE = re.compile(
    r"\b(?:wake-up|phone|conference|video|roll|close|sales|support|cold|zoom|api|function) call\b"
)
# A situation the writer describes, not a call: "where I still reach for plain HTTP".
WHERE_MINE = re.compile(
    r"\b(?:where|when|whenever|wherever) (?:i|we)"
    r"(?:'d| would| still| sometimes| also| usually)?\s*$"
)
# What is in use now: "we're using it", "we are still using it" (a state, not advice).
NOW_USING = re.compile(
    r"\b(?:i|we|they)(?:'re|'m| are| am)(?: (?:still|currently|already|now))?\s*$"
)
# The writer, in the present: "we choose pnpm over npm".
MINE_NOW = re.compile(
    r"(?:^|\s)(?:i|we)(?: (?:still|now|always|usually|generally|simply|just))?\s*$"
)
# "I'd consider it", "worth considering", "might consider": a thought, not advice.
MINE_TO_CONSIDER = re.compile(
    r"\b(?:(?:i|we)(?:'d|'ll|'m|'re| would| will| might| may| could| am| are)?"
    r"(?: (?:also|still|probably|definitely|seriously|maybe|perhaps|even|really))*|worth|might|may"
    r"|could)\s*$"
)


# Guards of the clause reader (`stance_clause`).
MINE_AFTER = re.compile(r"\s+(?:that\s+)?(?:i|we)(?:'d| would)\s+(?!not\b|never\b)\w+")
# "there's nothing left that makes it worth staying": no reason is a negation
NOTHING = re.compile(
    r"\b(?:nothing|little|no reason)(?: \w+){0,2}? (?:that |which )?makes? (?:it|this|them) $"
)
# "we've told the team to", "I keep telling people to": the writer's own advice, reported
I_TELL = re.compile(r"^(?:i|we)(?:'ve| have| always| keep| often| now)?\s*$")
ANOTHER_ONE = re.compile(r"^(?:the|another|one more|a new|more) ")
INDIFFERENT = re.compile(r"(?<=take )your pick\b")  # "X or Y, take your pick": no pick
UNNEGATABLE = re.compile(r"\b(?:no-brainer|must(?:-\w+)?)\b")
