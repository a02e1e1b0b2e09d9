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

from panel.running.stance_verbs import VERB, VERBS, Stance, Verb, alt, verbs

__all__ = ["VERB", "VERBS", "Stance", "Verb", "alt", "verbs"]


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
    "as well", "happy to", "glad to", "pleased to", "willing to", "quick to", "ready to",
    "hesitate to",
    "comfortable", "confident", "almost certainly", "almost", "totally", "fully", "wholly",
    "heavily", "unhesitatingly", "again", "often", "usually", "typically", "normally", "mostly",
    "inevitably", "eventually", "however", "therefore", "thus", "wanted to", "at some point",
    "hereby",
    "without hesitation", "from now on", "then", "so", "please", "yourself a favou?r and",
    "in good faith", "in good conscience", "with a straight face", "in any conscience",
    r"[a-z]+ly",
)  # fmt: skip
CHAIN = re.compile(rf"(?:(?<=\s)|^)(?P<chain>(?:{_CHAIN_WORD}\s*)*)$")
NEGATOR = re.compile(r"\b(?:not|never|no longer|cannot|hesitate|\w+n't)\b")
BARE_SUBJECT = re.compile(rf"^(?:i|we|you)(?:'d|'ll)?(?:\s+{_CHAIN_WORD})+\s*$")
SUBJECT_BEFORE = re.compile(r"(?:^|\s)(?P<subject>[\w']+)\s*$")
FIRST_PERSON = {"i", "we", "i'd", "we'd", "i'll", "we'll", "i'm", "we're", "i've", "we've"}
IMPERSONAL = {"it", "this", "that", "which", "there", "it's", "that's", "who", "what"}
# For you, I and we, the modals that make a call rather than describe ("you can use it").
ADVICE_MODAL = re.compile(
    r"\b(?:should(?:n't)?|must(?:n't)?|ought to|had better|'d better|need to|have to|want to"
    r"|better off|might as well)(?!\w)"
)
INTENT_MODAL = re.compile(
    r"(?:\bwould|'d|\bwill|'ll|\bgoing to|\bgonna|\bplan to|\bintend to|\bcan(?:not|'t)?"
    r"|\bcouldn't|\bwon't|\bwouldn't|'m|'re|\bam|\bare|\bkeep|\brather|\bshould(?:n't)?"
    r"|\bmust(?:n't)?|\bmight as well)(?!\w)"
)
PROGRESSIVE = re.compile(r"(?:'m|'re|\bam|\bare|\bbe|\bkeep)\b")
PAST = re.compile(r"\b(?:did|didn't|was|were|had)\b")
# Verbs a reviewer uses in the present to make a call: "I recommend it", "we suggest".
PRESENT_CALL = {"recommend", "regret", "stay", "return", "reach", "default"}  # "we stay with it"
HEDGE = re.compile(
    r"\b(?:tempting|tempted|maybe|perhaps|on paper|at first|would have"
    r"|might(?! want| not need| as well)|may(?! want| not need| \d)|could(?!n't)|i guess|not sure"
    r"|wonder(?:ing|ed)? (?:if|whether)"
    r"|(?:unsure|asking|question(?:ing)?) (?:if|whether)"
    r"|(?:is|are|'s) often(?= (?:the|a) better))\b"  # "often the better fit": a rule of thumb
)

# An advice frame before the verb: "my advice is to", "I'd tell anyone to", "no reason to".
LEAD = re.compile(
    r"(?P<lead>"
    + alt(
        r"(?:my|our|the|his|her|their|the (?:speaker|author|host|guest|presenter)'s) "
        r"(?:(?:honest|personal|general|strong|only|real|final|own|main|key|closing) )?"
        r"(?:advice|recommendation|suggestion|answer|call|verdict|takeaway)"
        r"(?: here| (?:to|for) (?:anyone|everyone|teams|people|us|the room|the audience)"
        r"(?: [\w'-]+){0,5}?)? (?:is|was|would be|remains)(?: simply| just| clear)?",
        r"(?:tell|told|encourage|urge|advise|ask|remind|want|nudge|push)(?:ing|d|ed)?"
        r" (?:you|anyone|everyone|the team|our team|my team|the whole team"
        r"|everybody|people|others|teams|folks|readers|(?:other|most|small|any|every) \w+)"
        r"(?: [\w'-]+){0,6}?",
        r"owe it to (?:yourself|yourselves|themselves)",
        r"(?:this is|here's|consider this|take this as) (?:your|a|the)"
        r" (?:sign|nudge|reminder|excuse)",
        r"(?P<negated>(?:(?:i |we )?(?:can't|cannot|don't|do not|didn't|did not)"
        r" (?:see|think of|find) (?:a|any)"
        r"|(?:i )?see no|no|there's (?:simply |just |really )?no|there is no)"
        r" (?:good |real |compelling )?reason(?: for [\w' -]{1,40}?)?|no need|hard"
        r"|difficult|tough|(?:no|little) point|little|nothing|not much|crazy|foolish|mad|silly"
        r"|nuts)",
        r"(?:better|best|wise|wiser|smart|smarter|safer|sensible|advisable|crucial|essential|vital"
        r"|makes? (?:more |a lot of |good |total |perfect )?sense"
        r"|(?:(?:it's|it is|now is the) )?time|(?:the )?time is (?:ripe|right)|(?:a )?good idea"
        r"|(?:would|'d) be (?:great|good|nice|better|ideal))",
        r"(?:recommend|suggest|advise)(?:ing|ed)?(?: (?:you|that you|teams|people))?",
        r"(?:i|we)(?:'ve| have) (?:now |finally |just )?(?:decided|chosen"
        r"|made the (?:call|decision))",
    )
    + r")(?: not)? to\s*$"
)
GERUND_LEAD = re.compile(
    r"\b(?:recommend(?:ing)?|suggest(?:ing)?|propos(?:e|ing)|advise|regret|worth|consider|(?:come|comes|coming)"
    r" down on the side of|in favou?r of|side with"
    r"|plus-one (?:to|for|on)|(?:have |had |with )?(?:no|zero) (?:hesitation|qualms)(?: in| about)?"
    r"|(?:find|found) (?:myself|ourselves)|(?:(?:real |some |still )?value|sense) in"
    r"|(?P<caution>caution(?:ing)? (?:you |teams |people |everyone )?(?:about|against))"
    r"|(?P<against>(?:recommend|advise|warn)(?:ing)? against|minus-one (?:to|for|on)"
    r"|^(?:(?:i'm|i am|we're|we are) (?:firmly |strongly |very much )?)?against))\s*$"
)
# "I recommend that you wait", "I'd urge you find alternatives": advice with no "to".
THAT_LEAD = re.compile(
    r"(?:\b(?:recommend|suggest|advise|propose|urge)(?:s|ed)? (?:that )?"
    r"(?:you|we|teams|people|everyone|anyone|folks|readers|users|developers|customers)"
    r"|(?:would|'d) be (?:great|good|nice|better|ideal) if (?:we|you)"
    r"(?: [\w()]+){0,3}?)(?: (?:all|just|simply|really|seriously|do not|don't|not|never))?\s*$"
)
# "I can't see why you'd pick it": a negated frame, like "no reason to".
WHY_LEAD = re.compile(
    r"(?P<negated>(?:i |we )?(?:can't|cannot|don't|do not|fail to) (?:see|understand) why"
    r" (?:you|anyone|we|people|teams|a team|one|they)(?:'d| would| should| need to| will)?)\s*$"
)
# "I don't think we should use it": the negation of the frame is the call's.
NEG_RAISING = re.compile(
    r"\b(?:don't|do not|didn't|never|can't) (?:think|believe|feel|reckon|suppose|imagine)"
    r"(?: that)?\s*$"
)
# Inside a condition on the reader: "unless you need X", "if you want to use Y".
READER_CONDITION = re.compile(
    r"\b(?:if|unless|when|whenever|as long as|before|until|till|once) (?:you|your team|you're"
    r"|you've|you'd)\b[^,;]*$"
    r"|\bif (?:i|we) (?:would|'d|were to|had to|ever|did|do)(?: \w+)?\s*$"  # "if I would use it"
)
# Whom an imperative is addressed to: "mac devs, just switch already".
VOCATIVE = re.compile(
    r"^(?:(?:hey |dear |fellow |other |\w+ )?(?:devs|developers|folks|people|everyone|friends"
    r"|founders|teams|y'all|guys|readers|engineers|ctos|admins|homelabbers|self-hosters|users)"
    r"|hey \w+)$"
)
# Where the reader is now: "anyone still using jQuery", "teams on Heroku".
ON_NOW = re.compile(r"\b(?:using|on|from|leaving|stuck (?:with|on)|running|with)\s+$")
# "use a template with x-if instead": a way of using the tool, not another tool.
FEATURE = re.compile(r"^(?:a|an|the)\s+[\w-]+\s+(?:with|for|from|in|on|via|to)\b")
RATHER = re.compile(r"\b(?:i|we)(?:'d| would) (?:rather|prefer)(?: that)?\s*$")
# Who may stand in front of the verb and still make the reviewer's call.
OPENERS = re.compile(
    r"^(?:"
    + alt(
        "so", "then", "and", "just", "still", "honestly", "fwiw", "imo", "imho", "tbh",
        "frankly", "seriously", "please", "yes",
        "otherwise", "instead", "again", "go ahead and", "go and", "just go and",
        "really", "simply", "definitely", "absolutely", "overall", "ultimately", "in short",
        "bottom line", "long story short", "tl;?dr", "short answer", "net", "for now", "today",
        "right now", "for me", "personally", "in the end", "instead", "i'd say", "i would say",
        "i say", "do yourself a favou?r and", "my advice", "my verdict", "verdict", "the verdict",
        "my call", "the call", "call", "my recommendation", "recommendation", "my take",
        r"\d+(?:[/.]\d+)?(?: stars?)?",
        "the answer", "my answer", "advice", "my pick", "the pick", "easy", "my vote", "vote",
        "go", "let's", "let us", "just go", r"[^\w\s'\",;:]+",
    )
    + r"[\s,:]*)*$"
)  # fmt: skip
LABEL = re.compile(
    r"^(?:[^\w\s#*]+\s*)?"  # an emoji or a bullet before the label: "🏆 short answer:"
    r"(?:(?:#+\s*|\*\*)?(?:describe (?:your|the) )?(?:preferred|proposed|suggested|recommended)"
    r" (?:solution|change|fix|approach)(?:\*\*)?|describe the solution you'd like"
    r"|(?:(?:my|our|the|final|overall|short|quick|honest)\s+)(?:call|verdict|vote|rating"
    r"|recommendation|advice|version"
    r"|take|answer|pick|suggestion|conclusion|decision)|verdict|bottom line|tl;?dr|short answer"
    r"|long story short|in short|recommendation|advice|decision|recommendations to others"
    r"|(?:the |our |overall |clear )?winner"
    r"|the (?:right|correct|honest|real) answer (?:for|to|in) [^,;]{1,60}?(?=\s+is\b))"
    r"(?:\s+(?:here|then|for now|today))?(?:\s+(?:is|would be|remains|stays))?(?:\s+to)?\s*"
)
LABEL_WORD = re.compile(
    r"^(?:[^\w\s'\"]+\s*)?(?:(?P<ship>ship|ship it|buy|adopt|adopt it|go|yes|recommended|thumbs up"
    r"|use it|accepted|approved)"
    r"|(?P<skip>skip|skip it|pass|hold|wait|avoid|no|no-go|not recommended|thumbs down"
    r"|not yet|no ship|avoid it|a hard no|don't|do not|nope|rejected|declined))"
    r"(?=\s*$|\s+(?:for|from|until|unless|on|today|now)\b|\s+-)"
)

_TOOL_NOUN = alt(
    "tool", "product", "service", "library", "lib", "framework", "platform", "thing", "app",
    "package", "runtime", "editor", "one", "database", "db", "stack", "switch", "move",
    "purchase", "decision", "migration", "subscription", "upgrade", "change", "orm", "queue",
    "engine", "sdk", "cli", "extension", "plugin", "browser", "ide", "toolkit", "offering",
    "tracker", "wrapper", "dependency", "dep",
)  # fmt: skip
# A category noun after "the": the tool for "skip the framework", but "use the database for
# message delivery" in a review of Kafka picks something else.
CATEGORY = re.compile(
    r"^the (?:library|lib|framework|platform|runtime|editor|database|db|orm|queue|engine|sdk|cli"
    r"|extension|plugin|browser|ide|toolkit|tracker)\b"
)
PRONOUN = re.compile(
    rf"^(?:it|this one|that one|(?:the|this|that) {_TOOL_NOUN}|(?P<bare>this|that))\b"
)
ADVERBIAL = re.compile(
    r"^(?:"
    + alt(
        "now", "today", "for now", "yet", "again", "anyway", "anymore", "here", "first", "already",
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
    r"^(?:something(?= else| (?:\w+ )?(?:different|other)| (?:[\w-]+ ){0,3}?(?:instead|than)\b|\s*$"
    r"| (?:more |less |much |a bit |a little )?(?:simpler|lighter|smaller|cheaper|faster|boring"
    r"|saner|calmer|lighter-weight|mature|stable|modern|newer|that|which|being|still|actively"
    r"|(?:well-)?maintained|battle-tested|proven|tried and tested))"
    r"|what you (?:have|know|use)|anything else|another|an alternative|alternatives"
    r"|(?:one of (?:the|their|its|these|those|several|many) |more |other )?(?:[\w-]+ ){0,2}"
    r"alternatives"
    r"|other|a different"
    r"|elsewhere|the alternative|a (?:calmer|simpler|boring|mature|plain)|plain)\b"
)
INSTEAD = re.compile(r"\binstead\b(?! of)")
PREPOSITION_BEFORE = re.compile(r"\b(?:on|with|in|for|like|to|into)\s+(?:the\s+)?$")


SUBJECT_WORD = re.compile(r"\b(?:i|we|you|it|this|that|they|he|she|i'd|i'll|i'm|it's|that's)\b")
FRONTED = re.compile(
    r"^(?:if|unless|when|once|for|in|on|with|as|after|before|until|whenever|given|starting|since"
    r"|now that"
    r"|coming from|compared with|compared to|looking back|as a starting point)\b"
)
# (or a fronted scope: "for new projects there's no reason to choose it")
IMPERSONAL_LEAD = re.compile(
    r"(?:\b(?:is|'s|are|be|was|seems|remains|it|there|closed by|ended by|finished by)"
    r"(?: (?:often|usually|generally|probably|almost always|always|still|really|much|far))?"
    r"|^(?:for|in|on|with) (?:[\w'-]+ ){1,5}|^)\s*$"
)
THIRD_PERSON_ADVICE = re.compile(
    r"\b(?:should(?:n't)?|must(?:n't)?|ought to|had better|needs to|need to)(?!\w)"
)
RELATIVE_NEGATION = re.compile(
    r"(?:\bnot|n't|\bnever)\s+(?:something|one|anything|what|a \w+|the kind of \w+|the \w+)\s*"
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
# Before a colon, a clause that announces the call: "our advice for that kind of team is simple".
LABEL_LINE = re.compile(
    r"^(?:(?:my|our|the|final|overall|short|quick|honest)\s+)?(?:advice|call|verdict"
    r"|recommendations?|answer|take|suggestion|conclusion|version|bottom line|tl;?dr|decision)\b"
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
    r"(?:mature|settle|stabili[sz]e|ship|land|improve|catch up|prove|grow)"
    r"|\S+(?: \S+)? to (?:be|hit|reach) (?:v?\d|stable|ready|out|released|production))"
)
# After a rival, the use it is given: "use Obsidian for learning" splits the work, picks nothing.
USE_FOR = re.compile(r"\bfor (?!now\b|good\b|sure\b|long\b|a while\b|me\b|us\b|years\b)[a-z]")
# After the object, a scope that narrows a call to some uses: "I wouldn't use it for X".
SCOPE = re.compile(
    r"\bfor (?!now|me\b|us\b|good|long|sure|what|a (?:while|year|"
    r"month|week|quarter|bit|few|couple|second|moment|minute))(?:anything|any|a|an|the|your|our"
    r"|production|serious|big|large|small|teams?|projects?|\w+ (?:apps?|projects?|services?"
    r"|workloads?|teams?|sites?|code|work|data|use))\b"
)
# What "we" say to propose a change in a team's thread: "we may want to move to pytest".
WE_PROPOSE = re.compile(r"\b(?:(?:may|might) want to|want to|need to)\b")
OPEN_IF = re.compile(r"\b(?:if|whether|when|unless|once|until|why|how)\s*$")
# "you shouldn't need to", "you should not have to": an expectation, not advice.
EXPECTATION = re.compile(r"\bshould(?:n't| not) (?:\w+ )?(?:need|have) to\b")
