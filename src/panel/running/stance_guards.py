"""Round 5's guards of the stance reader: shapes of real prose that look like a call and are not.

Read from false re-asks on real third-party prose and from passages written to probe the reader
(tests/data/stance/README.md, round 5): someone else's words, the scope of a negation, a feature
or part of the tool as the object, a tutorial's steps, a writer who disclaims a call. Each
pattern runs on lower-cased text with straight quotes; the small readers at the end (a call for
some cases, a negation scoped to a reason, sarcasm) use them for `stance`. `stance_words` holds
the calls' words.
"""

from __future__ import annotations

import re

from panel.running import stance_grammar as g
from panel.running import stance_idioms as i
from panel.running import stance_words as w
from panel.running.stance_text import Clause, Names, Target

# "too vague a benefit to be worth the trouble": "too ... to" negates what follows.
TOO_TO = re.compile(r"\btoo\b[^,;]{1,40}?\bto (?:be )?$")
# The tool's end is the object: "adopt the Jenkins retirement plan" is a call against Jenkins.
ITS_END = re.compile(
    r"^(?:'s )?(?:\w+ )?(?:retirement|removal|deprecation|sunset(?:ting)?|phase-?out"
    r"|decommission(?:ing)?|shutdown|replacement|exit)\b"
)
# A story's turn: "At first: sign me up! But after a month, ..." makes what came before history.
STORY_TURN = re.compile(
    r"^(?:but|however),? (?:after|then|once|over time|soon|eventually|within|these days|the more"
    r"|a (?:few|couple|week|month|year))\b"
)
# An open decision: "try it, compare, see if the project should switch": an evaluation, no call.
OPEN_DECISION = re.compile(
    r"\b(?:see|find out|figure out|decide|evaluate|determine|discuss) (?:if|whether|what is best"
    r"|which is best|which one)\b"
)
TRIAL = re.compile(
    r"^(?:\w+ ){0,3}?(?:consider|try|trying|evaluate|look (?:at|into)|check out|pilot"
    r"|give (?:it|this|them|\S+) a)\b"
)
# A proposal its writer defers: "Celery works fine so far, so this is not urgent".
NOT_URGENT = re.compile(
    r"\b(?:not (?:urgent|a priority|pressing)|no (?:rush|hurry|urgency)|low priority"
    r"|nice[ -]to[ -]have)\b"
)
# The writer leaves the choice to the reader's case: "the decision ultimately depends on the
# needs of the project", "how do you decide which one is right for you?", "this isn't about
# picking a winner" (a "depends on Node" is a fact, not this).
DEPENDS = re.compile(
    r"\b(?:it|this|that|(?:the|your|how much|which) (?:\w+ ){0,2}?(?:decision|choice|answer|pick"
    r"|value|one|tool)) (?:\w+ )?depends (?:on (?:your|you|what|whether|how|which|who|the (?:\w+ )?"
    r"(?:needs|use case|context|situation|project|team|circumstances))|entirely)"
    r"|\bit (?:all |really )?depends[.!,]"
    r"|\bwhich (?:one|tool|option)? ?is (?:right|best|better) for you"
    r"|\b(?:isn't|is not|not) about (?:picking|choosing)\b"
)
# "It depends on your team, but if you're building X, it is worth adopting": a call after all.
BUT_AFTER = re.compile(r"[^.?!]{0,120}\b(?:but|that said)\b|[.!,]?\s+(?:but|that said)\b")
# A concession: "React is the better default for hiring, I admit. But ..." (not the writer's call).
CONCESSION = re.compile(
    r"\b(?:i (?:will |'ll )?admit|admittedly|granted|to be fair|i(?:'ll| will) grant you)\b"
)
# A counterfactual the writer denies: "X would be a great alternative if we were starting over,
# but we are not".
DENIED = re.compile(
    r"\bif (?:i|we)\b[^.;]*\bbut (?:i|we)(?:'re not| are not| aren't|'m not| am not)\b"
)
# A maintainer's reply: "Thank you for your suggestion! However, ...": what came before was a
# user's suggestion.
THANKS = re.compile(r"\bthanks?(?: you)?(?: so much| a lot)? for (?:your|the|this) suggestion")
# A call for some cases only ("for some use cases, it would be a terrible decision"): a hedge.
FOR_SOME = re.compile(r"^for (?:some|certain|a few|particular|specific|many) ")
FOR_OTHERS = re.compile(r"\bfor (?:others|other \w+|the rest)\b")
# A part of the tool is the object, not the tool: "replace Jenkins credentials with secrets".
ITS_PART = re.compile(
    r"^(?:credentials|config(?:uration)?s?|settings|files?|syntax|calls|imports|versions?"
    r"|plugins?|jobs|agents|workers|instances|images|containers|tests|docs|documentation|logs"
    r"|secrets|variables|keys|tokens|users|accounts|section|tutorial|step)\b"
)
# A tutorial's steps: its imperatives are instructions, not calls ("skip this section").
TUTORIAL = re.compile(r"\b(?:step \d|this (?:tutorial|guide|section|walkthrough|chapter))\b")
PERSON = re.compile(
    r"\b(?:i|we|you|i'd|we'd|you'd|i'll|we'll|you'll|anyone|everyone|teams?|people)\b"
)
# The other branch of advice for a situation: "learn it if you enjoy X; otherwise C will do".
OTHERWISE = re.compile(r"[,;.]\s*(?:and |but )?otherwise\b|\botherwise,")
# A condition of taste on the reader: "pick it if you like the opinions" (a hedge, not a situation).
TASTE = re.compile(
    r"^(?:you |you're )?(?:like|love|enjoy|prefer|don't mind|fancy|into)\b(?! to\b)"
)  # ("if you like to tinker, X is the one to get": the reader's habit, a situation)
# A necessity denied: "you don't have to use it", "no need to use it here" (a permission).
NO_NEED = re.compile(r"(?:n't|\bnot|\bno) (?:\w+ )?(?:have|need) to\s*$|\bno need (?:\w+ )?to\s*$")
# A feature of the tool after its name: "never use git push --force", "stop using Slack DMs",
# "don't use Redis KEYS in production" (the feature is the object, not the tool).
FEATURE_OF = re.compile(
    r"(?:v?\d[\w.]* )?(?:style|idioms?|conventions?|patterns?|push|pull|rebase|reset|merge"
    r"|commands?|flags?|options?|mode|dms|direct messages|threads"
    r"|keys|hooks?|methods?|functions?|macros?|decorators?|annotations?|defaults?|globals?"
    r"|credentials|secrets|tokens|variables|env|logs|caches?|migrations|fixtures|mocks?|snapshots?"
    r"|magic|internals|private api|eval|any|install|run|exec|init|dlx)\b"
)
# An unnamed thing "instead" that is another tool, not another way of using this one.
SOME_OTHER = re.compile(r"(?:a|an|some|another|any|one of|other|plain|vanilla|good old)\b")
TOOL_THING = re.compile(
    r"\b(?:tool|library|lib|framework|service|template|app|platform|database|db|orm|stack"
    r"|option|alternative|solution|product|package|editor|client|provider|host|language"
    r"|runtime|engine|system|queue|admin|server|cms|ide|builder|bundler|runner)s?\b"
)
# An imperative "use" with what to use it for: "use it to draft" (an instruction).
PURPOSE = re.compile(r"(?:it|this|them|[\w.+-]+) to (?!the\b|a\b|an\b|your\b|our\b)\w+")
# Where a name with "the" before it ends its phrase ("the Jenkins route", "the X one"); another
# word makes it a modifier ("the Kotlin coroutines debugger").
NAME_ENDS = re.compile(
    r"(?:for|instead|in|on|at|to|into|as|with|from|over|rather|and|or|but|if|unless|until|when"
    r"|once|because|again|anymore|yet|either|too|now|today|here|altogether|entirely|way|route"
    r"|path|approach|option|one|version|release|project|ecosystem|stack|platform|tool|v?\d"
    r"|docker|image|images|variant|package|packages|service|services|library|lib|framework"
    r"|module|crate|gem|distribution|distro|build|edition|plan|tier|app|cli|sdk|runtime|engine"
    r"|database|db|server|client|extension|integration|api|orm|that|which|who|where|is|are|was"
    r"|were|will|would|can|could|should|has|have|does|did|so|then|also|yet|though)\b"
)
# A preposition before something that is not named: "stay away from the nightly kernels".
PREPOSITION_THING = re.compile(
    r"(?:from|of|with|about) (?=(?:the|a|an|your|any|those|these|all)\s)"
)
# The means of a how-to: "avoid long class strings by extracting components".
BY_DOING = re.compile(r"\bby \w+ing\b")
# The writer disclaims a call: "no strong feelings either way", "this is not a recommendation".
NO_OPINION = re.compile(
    r"\bno (?:strong )?(?:feelings|opinions?|preference) either way\b|\bnot a recommendation\b"
    r"|\bbefore (?:deciding|i decide|we decide|making a call) either way\b"
    r"|\bno strong (?:opinions?|preference)\b"
    r"|\b(?:i|we) have no (?:strong )?(?:opinion|preference)|\bnot (?:an endorsement|endorsing)\b"
    r"|\bdon't have (?:a |any )?(?:strong )?(?:opinion|preference)"
)
# An indirect question: "I asked whether I should switch", "it depends on whether you want to".
WHETHER = re.compile(r"\bwhether\b[^,;:]*$")
# A verb in a comparison or an indirect question is no call: "more overhead than I'd prefer",
# "it doesn't explain why you would want to use it" ("I can't see why you'd" is a frame: a call).
SUBORDINATE = re.compile(
    r"\bthan (?:i|we|you|anyone)\b[^,;:]*$|\b(?:explain|explains|explained|wonder|wondering"
    r"|wondered|ask|asks|asked|asking|question|curious|unclear|clear on) (?:\w+ )?(?:why|how)"
    r"\b[^,;:]*$"
)
# A span of time that measures a thing: "a month of numbers", "a year of data".
SPAN_OF = re.compile(r"(?:a|an|one|two|three|six) (?:\w+ )?(?:days?|weeks?|months?|years?) of\b")
# What follows an imperative that makes it an experiment or a condition, not advice: "swap it for
# Preact and measure", "use it long enough and you stop laughing" ("wait and see" stays a call).
EXPERIMENT = re.compile(
    r"and (?:measure|compare|benchmark|profile|time it)\b"
    r"|and you (?:stop|start|begin|realise|realize|notice)\b"
)
# The condition a negated call sets: "don't use it for auth without a second review".
WITHOUT = re.compile(r"^(?:[^,;]*\s)?without (?:a|an|the|some|any|proper|careful|good|real) ")
DONT = re.compile(r"(?:just |please )?(?:don't|do not|never)\b")
# "pick either", "pick one", "choose any": whichever, no pick.
ANY_ONE = re.compile(r"(?:either|one|any|any one|whichever|both)\b(?! of (?:it|this))")


def asked_about_rival(before: str, names: Names) -> bool:
    """ "Teams asked whether to move to OpenTofu. The answer was: not yet.": about the rival."""
    return "whether" in before and set(names.mentions(before)) == {"rival"}


def sarcastic(sentence: str) -> bool:
    """ "Sure, just use it for your ledger, what could possibly go wrong.": the call is mocked."""
    return any(k in sentence for k in i.SARCASM_KEYS) and bool(i.SARCASM.search(sentence))


def for_a_reason(segment: str, clause: Clause) -> bool:
    """ "Don't learn Zig because a tweet told you to": the negation is the reason's (and a "without"
    its condition's); "swap it for
    Preact and measure": an experiment; "use it long enough and you stop laughing": a condition."""
    if "because" not in segment and "and " not in segment and "without" not in segment:
        return False
    end = segment.find(clause.text)
    after = segment[end + len(clause.text) :].lstrip(" ,") if end >= 0 else ""
    if after.startswith("because"):
        return bool(g.NEGATOR.search(clause.text))
    if DONT.match(clause.text) and (WITHOUT.search(clause.text) or WITHOUT.search(after)):
        return True  # "don't use it for auth without a second review": use it with one
    return after.startswith("and ") and bool(EXPERIMENT.match(after))


def narrowed(clauses: list[Clause]) -> tuple[frozenset[str], frozenset[str]]:
    """Clauses a fronted "for X" narrows, or a trailing "for that" (a call for some uses); and of
    them, those narrowed to some cases only ("for some use cases it would be a mistake")."""
    if not any("for " in clause.text for clause in clauses):
        return _NONE, _NONE
    found: set[str] = set()
    partial: set[str] = set()
    for index, clause in enumerate(clauses):
        before = clauses[index - 1].text if index else ""
        after = clauses[index + 1].text if index + 1 < len(clauses) else ""
        if w.FRONTED_FOR.match(clause.text) or w.FRONTED_FOR.match(before):
            found.add(clause.text)
            if FOR_SOME.match(clause.text) or FOR_SOME.match(before):
                partial.add(clause.text)
        if re.search(r"\bfor (?:that|those|this)$", after):
            found.add(clause.text)
        if " for some " in f" {clause.text} " and FOR_OTHERS.search(after):
            found.add(clause.text)  # "the right tool for some things and the wrong one for others"
            partial.add(clause.text)
    return frozenset(found), frozenset(partial)


_NONE: frozenset[str] = frozenset()


# A sentence that leaves the situation a call was narrowed to: "Then you need a real query".
SCOPE_TURNS = ("then ", "then, ", "until ", "that is, until", "once you ", "the moment ")


# A call narrowed to a small situation: "a no-brainer for a weekend prototype".
NARROW_FOR = re.compile(
    r"\bfor (?:a|an|your|one|small|quick|simple|tiny|throwaway|side|hobby|weekend|toy)\b"
)
# A member of the tool's API in code: "use express.json() instead".
MEMBER = re.compile(r"\.[a-z_]")
IT = re.compile(r"\b(?:it|them)\b")


# Clauses that make no call, whatever their verb: "consider this:" announces what follows;
# "I'll use Hibernate as an example" picks an illustration, not a tool.
_ANNOUNCED = (" this", " the following")
AS_EXAMPLE = re.compile(r"\bas (?:an? |the )?(?:example|illustration|case study|stand-in)\b")
# A belief given up: "I used to believe any project should default to it" (then: "not so sure").
USED_TO = re.compile(
    r"^(?:i|we|people|many of us|everyone)(?: \w+)? used to (?:believe|think|say|argue|tell"
    r"|feel|insist|preach|claim)\b"
)
# "If you have a certbot setup, Nginx is fine - leave it alone": keep what you have.
KEEP_AS_IS = re.compile(
    r"\b(?:is|are|'s) (?:perfectly |totally |just )?(?:fine|good enough|ok|okay)\b[^.]{0,8}?"
    r"\bleave (?:it|them|this) (?:alone|be|as is)\b"
)
# Picks listed each with its own condition: "choose X if A, Y if B, or Z if C" is a menu.
MENU_IF = re.compile(r"\bif\b")


def no_call(clause: str, segment: str) -> bool:
    if clause.endswith(_ANNOUNCED) and f"{clause}:" in segment:
        return True
    return "as " in clause and bool(AS_EXAMPLE.search(clause))


def menu(sentence: str, names: Names) -> bool:
    """Two or more conditions and two or more names: picks by situation, no call for everyone."""
    return len(MENU_IF.findall(sentence)) >= 2 and len(set(names.mentions(sentence))) >= 2


# A pick for a situation: "if you need X, ..." or "use Notion for ...", "for most setups: Caddy".
_SITUATION_OPENERS = ("if ", "when ", "for ", "- ", "and ", "but ", "so ")
_SITUATION = re.compile(
    r"^(?:- |(?:and|but|so)(?: really| honestly)?,? )?(?:if|when|for) [^,:;]{1,100}[,:]"
)
_NOT_BEFORE = ("not ", "n't ", "never ")
_USED = re.compile(r"\b(?:use|pick|choose|go with|reach for) (?P<name>[\w.+-]+(?: [\w.+-]+)?)$")
_USE_KEYS = (" use ", " pick ", " choose ", " go with ", " reach for ")
_FOR_IT = (" for it ", " for this ", " for that ", " for them ", " for it.", " for it,")


def menu_sentences(sentences: list[str], names: Names) -> set[int]:
    """Sentences that pick by situation beside a neighbour picking another name for another one
    ("If you need X, go with Django. If you need Y, Flask is the better option."), and every
    sentence of a text that gives two names each its use ("Use Notion for A. Use Obsidian for
    B.")."""
    found: set[int] = set()
    if names.pattern is None:
        return found
    # (a prefix test first: most sentences open with no situation, and most texts hold no menu)
    situated = [s.startswith(_SITUATION_OPENERS) and bool(_SITUATION.match(s)) for s in sentences]
    for index in range(1, len(sentences)):
        if situated[index - 1] and situated[index]:
            named = {
                m.group()
                for s in sentences[index - 1 : index + 1]
                for m in names.pattern.finditer(s)
            }
            if len(named) >= 2 and names.pattern.search(sentences[index]):
                found |= {index - 1, index}
    text = " " + " ".join(sentences)  # (a space first: "use X for" opening the text)
    if text.count(" for") < 2 or sum(text.count(key) for key in _USE_KEYS) < 2:
        return found  # (substring tests first: most texts give no two names their uses)
    if len(_uses(text, names)) >= 2:
        uses = {index: _uses(f" {sentence}", names) for index, sentence in enumerate(sentences)}
        if len(set().union(*uses.values())) >= 2:
            found |= {index for index, named in uses.items() if named}
    return found


def _uses(text: str, names: Names) -> set[str]:
    """The names `text` gives a use: "use Notion for A" (not "do not use X for A", nor "use X
    for it"); looked for before each " for", far fewer places than a pattern would try."""
    found: set[str] = set()
    at = text.find(" for")
    while at >= 0:
        if text.startswith((" for ", " for:"), at) and not text.startswith(_FOR_IT, at):
            used = _USED.search(text, max(0, at - 48), at)
            named = names.pattern.match(used["name"]) if used and names.pattern else None
            if named and used and not text.endswith(_NOT_BEFORE, 0, used.start()):
                found.add(named.group())
        at = text.find(" for", at + 4)
    return found


def in_condition(clause: Clause, before: Clause | None) -> bool:
    """ "If you are a small company and use Teams internally": a verb joined to a condition."""
    return before is not None and not clause.opens and before.text.startswith(_CONDITIONS)


_CONDITIONS = ("if ", "when ", "unless ")


# Where what is in use is named: "we are using jest", "if you use Firefox" (a bare "make the
# switch" then leaves it).
_IN_USE = re.compile(
    r"(?:\b(?:are|'re|am|'m|is|currently|still|already|been) (?:\w+ )?(?:using|on|running"
    r"|stuck (?:with|on))|\b(?:if|when|while) (?:you|we) (?:\w+ )?(?:use|run|are on|'re on)"
    r"|\b(?:we|i) (?:\w+ )?use|\b(?:runs|run|is on|are on))\s+$"
)


def in_use(text: str, names: Names) -> Target | None:
    """The tool or a rival, when the text says it is what the reader or the writer is on (and
    not both: "we are using Postgres; the analytics team runs MySQL")."""
    found = {
        names.kinds[match.group()]
        for match in (names.pattern.finditer(text) if names.pattern else ())
        if _IN_USE.search(text, max(0, match.start() - 40), match.start())
    }
    return found.pop() if len(found) == 1 else None
