"""Fixed expressions of a call, stories and answers, as data for the stance reader.

People state a call in set phrases far more often than in a verb with a subject: "highly
recommended", "a no-brainer", "worth every penny", "hard pass", "save yourself the headache",
"10/10", "my go-to", "never looked back". The grammar (`stance_grammar`, `stance_verbs`)
reads who makes a call and what it is about; this module lists the phrases that make one on
their own, about the clause's topic (the tool, "it", "this") unless a rival is named first.

Each line of a table is `keys :: pattern`: the pattern (one clause, lower-cased, straight quotes)
runs only on a text that holds one of its keys (whole words, or for keys that are not words,
substrings: "/10", "hands_down" for "hands down"); `{x}` stands for a name or pronoun the
call is about: "{x} all the way". The reader (`stance_clause`) keeps the grammar's guards for
them all: a negation before the phrase drops it ("not a must-have"), a question, what others
say, a condition or a hedge bounds it as it bounds a verb.
"""

# ruff: noqa: E501
# (the tables are data, one expression a line: a line broken in two would be two expressions)

from __future__ import annotations

import re
from dataclasses import dataclass

from panel.running.stance_verbs import Stance

_X = r"(?P<x>[\w.+-]+(?: [\w.+-]+)?)"

# Calls for the tool, firm: a reader takes each as the writer recommending it.
_SHIP = r"""
recommend recommended :: (?:highly|strongly|heartily|warmly|wholeheartedly|definitely|absolutely|totally|100%) recommend(?:ed)?
recommend :: (?:^|\d+/\d+ |would |will |i |we )(?:highly |definitely |absolutely |happily |100% )?recommend$
recommend :: (?:a |an )?(?:strong|easy|big|huge|solid|full|unreserved|unqualified|enthusiastic|no-brainer) recommend$
recommend recommended :: recommend(?:ed)? without (?:hesitation|reservation|reservations|a second thought)
recommend :: recommend (?:it|this|them) (?:to|for) (?:everyone|anyone|everybody|all)
again :: would (?:buy|use|pick|choose|install|subscribe|pay|adopt|recommend|do it|sign up) again
definitely absolutely happily gladly :: would (?:definitely|absolutely|happily|gladly) (?:buy|use|pick|choose|install|adopt|recommend)
brainer :: (?:a|an|the|my|our|absolute|total|complete|easy|total) no[- ]brainer
brainer :: ^no[- ]brainer
must :: (?:^|\ba |\ban |\bthe |\bmy |\bour |\babsolute |\btotal )must[- ](?:have|try|use|install|buy|own|read|learn|see)
must :: ^(?:it's |it is |this is |definitely |absolutely )?a must(?=\s*$| for| if| here)
the_one :: (?:^|this |it |that )(?:'s|is) (?:the one|the one to (?:get|use|pick|beat)|the one you want)(?=\s*$| for| if| here)
go-to goto :: (?:(?:my|our|the team's|everyone's) (?:new |current |daily |default )?|^)go-?to
driver default standard :: (?:my|our) (?:daily driver|new default|default now|new standard|standard now)
standard :: the (?:new |clear |de facto )?standard (?:now|for (?:us|me|our team))
further :: look no further
worth_every :: worth every (?:penny|cent|dollar|minute|second|hour|tradeoff|trade-off|compromise)
beat :: (?:(?:nearly|almost|pretty|very|really) )?(?:hard|tough|difficult|impossible) to beat
resistance :: the path of least resistance
gets :: (?:is|'s) (?:just )?as (?:close|good) as (?:it|you'll|you will|you can|one can) (?:gets?|get)
pay :: (?:i|we) (?:gladly|happily|still|willingly|now|cheerfully) pay for (?:it|this|them)
over :: (?:won|wins|has won|have won) (?:me|us|the team|everyone) over
be :: where you (?:should|want to|ought to|need to) (?:be|start|begin)
then_some times_over :: worth (?:it|the (?:money|price|hype|switch|upgrade|subscription|investment|effort|learning curve)) (?:and then some|ten times over|many times over|a hundred times over)
itself :: (?:paid|pays) for itself
regret :: (?:you|you'll|you will) (?:won't|never|not) regret (?:it|this|trying|using|switching|buying|adopting|learning)
regret :: you won't regret it
forget :: set (?:it|this|them) up (?:\w+ )?and forget (?:about )?(?:it|them)
enough :: (?:can't|cannot|couldn't) say enough (?:good|nice|positive|great) (?:things|about it)
better :: (?:hard|difficult|impossible) to (?:imagine|think of|find|picture|name) (?:anything|something|a tool|an option|a better one) better
choice pick call decision :: ^(?:an? )?(?:easy|obvious|simple|clear|no-brainer of a) (?:choice|pick|call|decision)$
ahead above :: put {x} (?:well |way |far |miles )?(?:ahead of|above)
thank :: (?:you'll|you will|your team will|future you will|your future self will) thank (?:me|yourself|you)
thank :: thank me later
wonder :: (?:you'll|you will) wonder how you (?:ever )?(?:lived|worked|coped|managed) without (?:it|this)
imagine picture :: (?:can't|cannot|couldn't|wouldn't want to) (?:imagine|picture) (?:working|living|coding|developing|life|going|doing \w+) without (?:it|this|them)
sold convert converted hooked :: (?:i'm|we're|i am|we are|i was|we were|consider me|color me|colour me) (?:totally |fully |completely )?(?:sold|a convert|converted|hooked)
sold :: sold on (?:it|this|them)
sold :: ^sold$
me_up :: (?:sign|count) me up
money :: (?:shut up and )?take my money
walk :: run,? don't walk
thumbs :: (?:two|both|big|huge) thumbs up
star stars :: (?:five|5) stars?
/10 :: (?:10|9|9\.5)/10(?! of)
/5 :: (?:5|4\.5)/5(?! of)
a+ :: \ba\+
approval blessing vote endorsement money :: (?:gets?|has|earns?|deserves?|wins?|got) (?:my|our) (?:full |strong |enthusiastic )?(?:seal of approval|stamp of approval|blessing|vote|endorsement|money)
swear :: (?:i|we) swear by (?:it|this|them)
again :: (?:i|we)(?:'d| would) (?:do it|make the switch|switch|make that call|make the same call|choose it|pick it) again
keeping :: (?:^|i'm |we're |i am |we are |definitely |happily )keeping (?:it|this|them)(?=\s*$| for| and| around| installed| in| on| as)
all-in all_in :: (?:i'm|we're|i am|we are) (?:all[- ]in|all in) on (?:it|this|them)
using paying renewing :: (?:i|we)(?:'ll| will) (?:keep|be) (?:using|paying for|renewing) (?:it|this|them)(?! for now)
myself ourselves :: (?:i|we) (?:can't|cannot) see (?:myself|ourselves|us) (?:going back|leaving|switching|moving)
best :: (?:easily|hands down|by far|probably|possibly|genuinely|honestly|simply)? ?(?:the |^)best (?:[\w.'-]+ ){0,3}(?:(?:i've|i have|we've|we have) (?:ever )?(?:used|installed|bought|tried|paid for|adopted|set up|added)|(?:i|we) (?:run|use|own|pay for)\b)
spent made bought :: (?:best|smartest|easiest|simplest|wisest|greatest) (?:[\w-]+ ){0,2}?(?:money|purchase|decision|investment|call|choice|move) (?:i've|i have|we've|we have|i|we) (?:ever )?(?:spent|made|bought)
get grab download install buy :: (?:^|just |go |so )(?:go )?(?:get|grab|download|install|buy) (?:it|this|one)(?: now| today| already| asap| immediately)?$
hesitation reservations reservation qualms :: (?:i have|i've got|we have|i'd have|no|zero) (?:no |zero )?(?:hesitation|reservations?|qualms) (?:in )?(?:recommending|putting|suggesting|backing|endorsing) (?:it|this|them)
give :: give (?:it|this|them|this one) (?:a|an) (?:\w+ )?(?:go|whirl|spin|shot|try|chance|look|test drive|test run)$
worth :: (?:it's|it is|this is|that's) (?:\w+ )?(?:worth (?:a|the) (?:look|shot|try))(?! (?:if|once|when|for))
top_pick top_choice top_recommendation first_pick first_choice first_recommendation number_one #1 no._1 :: (?:my|our|the) (?:top|first|number one|#1|no\. 1) (?:pick|choice|recommendation)
pick choice recommendation vote winner :: (?:my|our) (?:pick|choice|recommendation|vote|winner) (?:every time|all day|hands down|without question)
winner pick choice :: the (?:clear|obvious|easy|safe) (?:winner|pick|choice)(?=\s*$| for| here| in| if| again)
vote argue :: (?:i|we)(?:'d| would) (?:vote|argue) (?:that )?(?:we |you )?(?:do it|go for it|adopt it|merge it|go with it|take it|use it|move to it|switch)
plus :: plus-one (?:from me|here)
plus :: (?:^|strong |big )plus-one$
choice pick path bet option default answer way_to_go right_call correct_call smart_call safe_call sane_call right_move smart_move :: (?:^|\bthe |\ba |\ban )(?:[\w-]+,? (?:and )?){0,2}?(?:right|correct|sane|safe|smart|obvious|sensible|pragmatic|dependable|boring|dull|reasonable|natural|best|winning|grown-up|responsible) (?:choice|pick|call|path|bet|option|default|answer|move|way to go)(?=\s*$| for| here| in| if| again| today| now| every| at| when| unless| by| to you)
one_i'd one_we'd one_i_would one_we_would one_i'll option_i'd tool_i'd stack_i'd :: the (?:one|option|tool|stack|thing|choice) (?:i'd|i would|we'd|we would|i'll|i will) (?:happily |still |always )?(?:bet|stake|build|start|put|pick|choose|trust|reach for|point)
vote propose proposing suggest suggesting recommend recommending say_we :: (?:^|i |we |i'd |i would )(?:vote|propose|proposing|suggest|suggesting|recommend|recommending|say) (?:that )?we (?:\w+ )?(?:buy|get|roll out|renew|expand|keep) (?:it|this|them|seats|licen[cs]es|a licen[cs]e|a team plan|subscriptions)
where_i where_we :: (?:^|it's |it is |this is |that's |still )where (?:i'd|i would|we'd|we would|i|we) (?:always )?(?:start|begin|send people|point people|send anyone|point anyone)
reason :: (?:no|there's no|there is no|can't think of a|cannot think of a|couldn't think of a|can't think of any|can't see a) (?:good |real )?reason (?:not to|to (?:use|start|pick|choose|go with|build|reach for) (?:[\w'-]+ ){0,5}?(?:anything|something) else)
star stars :: 4\.[5-9] stars?
recommendation :: ^(?:an? )?(?:easy|strong|solid|clear|unreserved|firm|top|enthusiastic|wholehearted) recommendation
owe owes :: owes? (?:it|this|them|themselves|yourself) (?:an? |one )?(?:afternoon|evening|weekend|try|look|shot|spin|test drive|chance)
seriously definitely strongly really absolutely :: (?:i'd|i would|you should|you'd want to|i'd definitely|you really should) (?:seriously|definitely|strongly|really|absolutely) (?:look at|look into|consider|evaluate|check out|try) (?:it|this|them)\b(?! (?:if|once|when|later|for now))
what_i what_we :: (?:^|it's |it is |that's |this is )what (?:i|we)(?:'d| would)? (?:use|reach for|pick|run|recommend|install|deploy|choose|default to|set up|put) (?:\w+ ){0,3}?(?:on|for|in|at) (?:every|all|any|each)
essential indispensable :: ^(?:it's |it is |this is |simply |absolutely |just )?(?:essential|indispensable)(?=\s*$| on| for| in| if| at)
evening afternoon weekend :: worth (?:an|a|the|one) (?:evening|afternoon|weekend|hour|day)(?! (?:if|once|when))
where_to :: (?:^|this is |it's |it is |that's )where to (?:begin|start)
renewing expanding :: ^(?:and )?(?:we're |we are |we'll |we will |i'm |i'll )?(?:renewing|expanding)(?= it| for| to| the| our| across|$)
your :: (?:this|it|that)(?:'s| is) your (?:new |next )?(?:editor|tool|database|framework|library|stack|app|ide|terminal|browser|host|platform|cms|orm|runtime)(?=\s*$| if| for|[.!])
every_new :: is (?:now )?(?:in|part of|baked into) (?:every|each) new
set :: (?:^|just |so |go )set (?:it|this|them) up (?:today|now|right now|asap|this week)
needs :: every (?:[\w-]+ ){0,2}?(?:app|application|project|team|site|service|codebase|startup|repository|repo)s? (?:needs|should (?:use|have|run)) (?:it|this|them)(?=\s*$| and| from| in| on| for| now| today|[.!])
check :: (?:^|definitely |go |do |so )check (?:it|this|them) out(?=\s*$| now| today)
earned :: (?:has |have |it |it's |it has )?earned (?:its|their|a permanent) (?:place|spot|keep)
default :: ^(?:the |a |my |our )?default (?:choice|pick) for (?:many |most |any |every |all )?(?:new|greenfield)
"""

# Calls against the tool, firm.
_SKIP = r"""
pass skip nope hard_no big_no firm_no clear_no strong_no solid_no easy_no :: (?:hard|big|firm|easy|clear|strong|solid) (?:pass|no|skip|nope)(?=\s*$| for| from| here| on| until| unless| today)
pass :: ^pass$
nope :: ^nope$
avoid :: ^avoid$
avoid :: avoid (?:it|this|them)? ?(?:like the plague|at all costs|if you can|if at all possible|if possible)
steer :: steer (?:well |way )?clear
away :: (?:run|stay) (?:far |well )?away
hills :: run for the hills
save spare :: (?:save|spare) (?:yourself|yourselves|your team|everyone) (?:the|some|a lot of|a world of|from the)? ?(?:\w+ )?(?:trouble|headache|headaches|hassle|money|pain|time|grief|frustration|heartache|effort|misery|cost|bother|agony)
save :: save your (?:money|time|sanity|cash|breath|effort|weekend)
dead :: (?:is|'s|are|'re) (?:now )?dead to (?:me|us)
waste :: (?:don't|do not|never) waste (?:your|any|a minute of your|a second of your) (?:time|money|effort|energy|weekend)
worth :: not worth (?:it|the (?:hassle|money|price|effort|time|trouble|headache|pain|switch|upgrade|risk|cost|migration|subscription|licen[cs]e fee)|your (?:time|money)|bothering|paying for|switching to|the \w+ fee)
worth :: (?:not|isn't|is not|wasn't) worth (?:a|the) (?:look|try|download|install)
waste :: (?:a|an|total|complete|utter|absolute) waste of (?:time|money|effort|energy|a weekend|a sprint|tokens)
waste :: ^(?:a |an |total |complete )?waste of (?:time|money)
mistake mistakes :: (?:learn|take it) from (?:my|our) mistakes?
mistake :: (?:don't|do not) make (?:my|our|the same) mistake
warned :: (?:you've been|consider yourself|you have been) warned
give :: give (?:it|this|them|this one) a (?:miss|pass|wide berth|hard pass)
done finished :: (?:i|we)(?:'m|'re| am| are) (?:so |completely |totally )?(?:done|finished) with (?:it|this|them)
again :: (?:i'll|i will|we'll|we will) never (?:use|touch|buy|recommend|go back to) (?:it|this|them) again
again :: never again(?! (?:will|would|shall|do|does|did|am|can|could|should|have|has|is|are|must)\b)
again :: (?:not|never) (?:touching|using|buying) (?:it|this|that|them) again
star stars :: (?:one|1|zero|0|no) stars?(?=\s*$| from| out| if)
/10 :: (?:0|1|2|3)/10(?! of)
/5 :: (?:0|1|2)/5(?! of)
starter nonstarter no-go dead nightmare :: (?:a|an|total|complete) (?:non-?starter|no-go|dead end|nightmare to recommend)(?=\s*$| for| here| in| if| at| to| with| unless| until)
vote argue :: (?:i|we)(?:'d| would) (?:vote|argue) (?:against|no|to drop it|to skip it|we skip|we don't|we do not)
minus :: minus-one (?:from me|here)
minus :: (?:^|strong |big )minus-one$
yourself house roll :: (?:^|just )(?:build|write|roll|make) (?:it|your own|one|them) (?:yourself|in-house|in house)|(?:^|just )roll your own
stopped quit :: (?:i've|we've|i have|we have|i|we) (?:\w+ )?(?:stopped|quit) (?:recommending|suggesting|using|paying for|renewing|pointing people to) (?:it|this|them)
shop :: shop around
say_no :: (?:just )?say no
uninstall delete cancel ditch drop dump :: (?:uninstall|delete|cancel|ditch|drop|dump) (?:it|this|them)(?: now| today| immediately| already)?$
justify defend recommend argue case :: (?:hard|impossible|difficult|tough|harder|tricky) to (?:justify|defend|recommend|argue for|make a case for|make the case for)(?=\s*$| (?:it|this|them|using|paying|keeping|renewing|buying|adopting|the (?:price|cost|spend|bill|subscription|licen[cs]e|tool|product|service))\b| (?:for|to|at|in|on|when|if|unless|over|anymore|now|today)\b)
keep continue conscience :: (?:can't|cannot|couldn't|no longer|won't) (?:\w+ )?(?:keep|continue|in good conscience|honestly) (?:recommending|suggesting|recommend|suggest|justifying|endorsing|backing)
dead :: (?:is|'s|are|as|now|pure|just) dead weight
better :: (?:you|you're|you are|you'd be|you would be|you'll be|you will be|we're|we'd be|most people are|most teams are) (?:much |far |way |probably |honestly )?better off (?!(?:using|with|going with|sticking with|picking|choosing|on|staying on|staying with|keeping|learning|buying|adopting|trying)\b)(?:just )?(?:\w+ing\b(?! (?:it|this|them)\b)|without)
elsewhere away :: (?:steer|point|send|direct|push|nudge) (?:people|folks|them|you|everyone|anyone|teams|newcomers|beginners|most people|most teams) (?:elsewhere|away)
where_i where_we :: (?:not|no longer|never) where (?:i'd|i would|we'd|we would|i|we) (?:start|begin|send people|point people|send anyone|point anyone)
justify :: (?:can't|cannot|couldn't|no longer|can no longer) (?:\w+ )?justify (?:keeping|using|paying|renewing|staying|sticking|it|this|them)
star stars :: (?:two|2) stars?(?=\s*$| from| out| if)
list shortlist radar :: (?:keep|leave|take|cross) (?:it|this|them) off (?:your|the|any|our) (?:short ?list|list|radar)
not_the :: ^(?:it's |it is |this is |that's |just |simply )?not the (?:right |best |ideal |obvious )?(?:tool|choice|pick|option|fit|one|answer) for
done :: (?:i'm|we're|i am|we are) (?:so |completely |totally )?done (?:defending|recommending|paying for|supporting|babysitting|fighting|apologi[sz]ing for) (?:it|this|them)
renewing :: ^(?:we're |we are |we'll |we will |i'm |i'll |i am )?(?:not|won't be|will not be) renewing
only :: (?:i'd|i would|we'd|we would) only (?:keep|use|run) (?:it|this|them) (?:where|if|when|for|in) (?:it's |they're |it is )?(?:already|legacy)
case :: (?:there's no longer a|there is no longer a|there's no|there is no|no longer a|hard to make a|can't make a|cannot make a) (?:good |real |strong |compelling )?case for (?:it|this|them)
the_one :: (?:^|\b(?:this|it|that))(?:'s| is) not the one(?=\s*$| for| if| here)
stopped :: (?:i've|we've|i have|we have|i|we) (?:\w+ )?stopped (?:pointing|sending|steering) (?:people|folks|anyone|clients|customers|friends) (?:there|(?:to|toward|towards) (?:it|this|them))
stop :: (?:^|just |please |so )stop (?:it|using (?:it|this|them))(?: now| already| today| please)?[.!]*$
overhead :: (?:it's|it is|that's|this is|it adds|just) (?:an? )?(?:\w+ )?(?:overhead|complexity|weight) (?:you|most teams|most people|you probably) (?:don't|do not) need
trouble hassle :: more (?:trouble|hassle|pain|work) than (?:it's|it is|they're|they are) worth
most :: ^most (?:[\w-]+ )?(?:startups|teams|companies|people|projects|apps|developers|shops|users)(?: and (?:[\w-]+ )?\w+)? (?:do not|don't)(?: (?:really |even )?need (?:it|this|them|one))?$
reason :: (?:another|one more|yet another|the main|the biggest|a good) reason not to(?=\s*$| use| pick| choose| adopt| bother| go with| touch| buy)
warning :: as a warning to (?:any|all|every|other|fellow|would-be|future|prospective)
recommend recommended :: recommend(?:ed)? (?:[\w-]+ ){0,3}?(?:to )?(?:build|write|roll) (?:an? |your |their )?(?:own|in-house)
"""

# Calls about a name or pronoun `{x}`: for it when it is the tool; for a rival, against the tool.
_CHOICE = r"""
answer pick choice recommendation vote winner verdict go-to bet :: (?:my|our|the) (?:honest |final |clear )?(?:answer|pick|choice|recommendation|vote|winner|verdict|go-to|bet)(?: (?!is\b)[\w'-]+){0,4} (?:is|remains|would be|goes to|stays) {x}
money vote :: (?:my|our) (?:money|vote)(?:'s| is) on {x}
plus :: plus-one (?:for|to) {x}
all_the_way every_time hands_down no_contest full_stop period any_day for_the_win ftw or_bust :: ^{x} (?:all the way|every time|every single time|hands down|no contest|full stop|period|any day|for the win|ftw|or bust)
looked :: (?:moved|switched|migrated|went) (?:over |back )?to {x} and (?:never|haven't|have not|not) looked back
it_is :: ^{x} it is[.!]*$
get_your got_my got_our got_the get_my get_our getting_my getting_our moved_my moved_our moved_the put_my put_our switched_my switched_our switched_the :: (?:got|get|getting|moved|put|switched) (?:my|our|the|your) (?:whole |entire )?(?:team|company|org|family|department) (?:on|onto|over to|to) {x}
list :: ^{x} (?:should be|belongs|deserves a (?:spot|place)|needs to be) (?:at the top of|on|high on|near the top of) (?:your|the|any) (?:short ?)?list
take :: (?:i'd|i would|we'd|we would) take {x} over
definitely absolutely totally hands_down easily :: ^(?:definitely|absolutely|totally|100%|hands down|easily) {x}[.!]*$
team :: (?:^|\b(?:i|we)(?:'m|'re| am| are)? (?:still |firmly |always )?(?:am |are )?|still |firmly |always )team {x}(?=\s*$|[,.!])
shout :: (?:give|giving|gives) (?:a )?shout[- ]?out to {x}
won wins :: ^{x} (?:clearly |easily |simply )?(?:won|wins)(?: (?:out|hands down|easily|by a mile|by a landslide|again))?[.!]*$
found tried alternative option :: (?:the|my) (?:best|top|favou?rite|only good) (?:[\w-]+ ){0,2}?(?:alternative|option|choice|pick|tool|replacement)s? (?:(?:i|we)(?:'ve| have)? )?(?:ever )?(?:found|tried|used|tested|know of) (?:is|was|remains|has been) {x}
of_the_week of_the_month of_the_year of_the_day of_the_issue :: (?:tool|pick|app|library|find|product|recommendation|package|crate|plugin)s? of the (?:week|month|year|day|issue)(?: is)?:? {x}
back :: ^(?:(?:i'm|we're|i went|we went|went|going|i'm going|we're going|i've gone|we've gone|and) )?(?:right )?back to {x}(?=\s*$| for| after| and| it is| within| in a| in two| in three)
better :: better off (?:just )?(?:using|with|going with|sticking with|picking|choosing|on|staying on|staying with|adopting|buying) {x}
onto moving migrating switching standardising standardizing consolidating move migrate switch standardise standardize consolidate :: (?:^|(?:we're |we are |i'm |i am |we'll |we will |time to |plan to |planning to |going to |let's |we should |you should |we need to |need to |about to )(?:(?!the |a |an |this |that |our |my |their )\w+ )?)(?:moving|migrating|switching|standardi[sz]ing|consolidating|move|migrate|switch|standardi[sz]e|consolidate) (?:(?:[\w'-]+ ){0,4}?)?(?:to|onto|on(?! from)|over to) {x}
vote propose proposing suggest suggesting recommend recommending say_we :: (?:^|i |we |i'd |i would )(?:vote|propose|proposing|suggest|suggesting|recommend|recommending|say|move) (?:that )?we (?:\w+ )?(?:adopt|use|standardi[sz]e on|switch to|move to|go with|pick|choose|migrate to|roll out|try|bet on|settle on|consolidate on) {x}
where_i where_we where_he where_she where_they :: ^{x} (?:is|'s) (?:usually |always |still |now )?where (?:i'd|i|we|we'd|i would|we would|he'd|she'd|they'd|he would|she would|they would) (?:send|point|steer|direct|start|begin|put (?:my|our) money)
rolling roll :: (?:^|we're |we are |we'll |we will |let's |time to |i'm |going to |i'd |we'd |i say we |i vote we )(?:\w+ )?roll(?:ing)? (?:out )?{x}(?= out\b| to (?:every|all|the (?:whole|rest|entire))| across| everywhere| company-wide| org-wide|$)
toward towards :: (?:nudge|push|steer|point|send|direct) (?:[\w'-]+ ){1,3}?(?:toward|towards) {x}
standard default :: (?:^|\b(?:we|i|team|leadership|company|org|committee|board|management|cto|they)(?:'ve| has| have| finally| officially| just)* )(?:approved|adopted|chose|picked|made|named|declared|blessed|selected) {x} (?:as )?(?:the|our) (?:new |official |company-wide |team-wide |org-wide )?(?:standard|default)
sweet_spot :: {x} (?:is|'s) (?:currently |now |still |really |definitely |clearly )?the sweet spot
give :: give {x}(?: \([^)]{1,40}\))? (?:a|an) (?:\w+ )?(?:go|whirl|spin|shot|try|chance|test drive)(?=\s*$| if| for| and| now| today|[.!])
winner short_answer verdict bottom_line top_pick :: (?:winner|short answer|verdict|bottom line|top pick)\s*:\s*{x}
start starting begin beginning build building :: if (?:i|we)(?:'d| would| were to| was| were| am| are)? (?:start|starting|begin|beginning|build|building) (?:[\w'-]+ ){0,5}?(?:today|now|again|from scratch)(?:,| ,)? (?:it(?:'d| would) be (?:with |on )?|i(?:'d| would) (?:use|pick|choose|go with|start with|reach for) )?{x}
ship pick choose use :: (?:i'd|i would|we'd|we would) (?:ship|pick|choose|use|run) {x} (?:on|for|in|across) (?:all|every|each) (?:[\w-]+ ){0,3}?today
recommend recommends recommended :: recommend(?:s|ed)? (?:a )?(?:switch|switching|moving|migrating|migration|move) (?:over )?to (?:the |its |a )?(?:successor |newer |maintained )?(?:[\w-]+ )?(?:: ?)?{x}
would :: ^it(?:'d| would) (?:be|have to be) (?:with |on )?{x}(?=\s*$| or| and| for)
default :: ^{x} (?:is|remains|should be) (?:now |still |currently |simply )?(?:the|my|our) default (?:choice|pick|option) for (?:new|most|any|every|greenfield)
new greenfield :: ^{x} for (?:new|greenfield|most new) (?:projects|apps|teams|work|code|services)(?=\s*$|[.!])
why :: (?:don't|do not|can't|cannot) (?:see|know|understand|think of a reason) why (?:you|anyone|one|someone) (?:wouldn't|would not) (?:be )?(?:using|use|pick|picking|choose|choosing|go with|going with) {x}
justify justifies justified :: justif(?:y|ies|ied) (?:choosing|picking|using|adopting|the switch to|switching to|moving to) {x}
use :: recommend(?:s|ed|ing)? the use of {x}
years decades decade :: (?:planning on|plan to|going to|will|i'll|we'll) (?:keep )?(?:using|use) {x} for (?:the next|another|many more) (?:[\w-]+ )?(?:years|decades|decade)
more :: you (?:don't|do not) need (?:anything )?more than {x}
any_day every_time hands_down all_day :: ^{x} over [\w.+-]+(?: [\w.+-]+)? (?:any day|every time|hands down|all day)
toolbox toolkit stack :: ^{x} (?:should be|belongs|deserves a (?:spot|place)) in (?:every|your|any) (?:toolbox|toolkit|stack|tool ?belt)
ditch drop dump leave :: ^(?:just |so )?(?:ditch|drop|dump|leave) [\w.+-]+(?: [\w.+-]+)? for {x}(?=\s*$|[.!]| and| already| today| now)
coming going :: (?:i|we) (?:keep|always end up) (?:coming|going) back to {x}
all-in all_in :: (?:i'm|we're|i am|we are|we went|we've gone|going) all[- ]in on {x}
"""

# Calls against a name or pronoun `{x}`: against the tool when it is named, none for a rival.
_AGAINST = r"""
mistake trap pit dead starter nonstarter no-go fit choice pick answer wrong :: ^(?:for [^,;]{1,60}? )?{x}(?: (?:for|in|on|as) [^,;]{1,60}?)? (?:is|'s|would be|remains) (?:just |simply |still |frankly |honestly )?(?:a (?:big |huge |costly |common |classic )?mistake|a trap|a money pit|a dead end|a non-?starter|a no-go|not (?:a |the )?(?:good |great |right )?(?:fit|choice|pick|answer)|the wrong (?:tool|choice|answer|default|pick|call|bet|fit|abstraction|shape|approach|model|trade))
answer pick choice recommendation vote winner verdict go-to bet :: (?:my|our|the) (?:honest |final |clear )?(?:answer|pick|choice|recommendation|vote|winner|verdict|go-to|bet)(?: (?!is\b)[\w'-]+){0,4} (?:is|remains|would be) not {x}
minus :: minus-one (?:on|to|for) {x}
ripped tore pulled threw :: (?:ripped|tore|pulled|threw) {x} out
uninstalled ditched dumped binned rid ripped tore :: ^(?:(?:i|we) (?:just |finally |already |eventually |quickly )?)?(?:uninstalled|ditched|dumped|binned|got rid of|ripped out|tore out) {x}
off away_from out_of :: (?:^|we're |we are |i'm |i am |we'll |we will |time to |plan to |plan the |planning to |planning the |going to |let's |we should |you should |we need to |need to |about to |started |starting |begun |begin )(?:\w+ )?(?:the |your |our )?(?:move|moving|migrate|migrating|migration|switch|switching|transition|transitioning|get|getting) (?:[\w'-]+ ){0,3}?(?:off|away from|out of) {x}
phase phasing :: (?:we're|we are|i'm|we'll|we will|time to|let's|we should|start|started|starting|begin|begun) (?:\w+ )?phas(?:e|ing) (?:out )?{x}(?= out\b|$| for| in| across| this| next| by)
vote propose proposing suggest suggesting recommend recommending say_we :: (?:^|i |we |i'd |i would )(?:vote|propose|proposing|suggest|suggesting|recommend|recommending|say|move) (?:that )?we (?:\w+ )?(?:drop|ditch|remove|retire|deprecate|sunset|replace|stop using|move off|migrate off|get rid of|phase out|kill|rip out|leave|cancel) {x}
trade choice pick bet call path move default option :: ^{x}(?: (?:for|in|on|as) [^,;]{1,60}?)? (?:is|'s|would be|remains|was) (?:just |simply |still |frankly |honestly |probably |clearly )?(?:the|a|an) (?:[\w-]+ )?(?:wrong|bad|poor|terrible|risky|losing|costly|worst) (?:trade|choice|pick|bet|call|path|move|default|option|trade-off|tradeoff)
leave :: \bleave (?:out )?{x}(?= out\b| off\b|$| entirely| altogether)
needed necessary required :: ^{x}(?: really| simply| just)? (?:isn't|is not|aren't|are not|is no longer|are no longer)(?: really| even)? (?:needed|necessary|required)
replaced dropped removed retired deprecated banished phased sunset swapped :: ^(?:the )?{x}(?: [\w-]+)? (?:should|must|needs to|ought to|has to) be (?:\w+ )?(?:replaced|dropped|removed|retired|deprecated|banished|phased out|sunset|swapped out)
dropping removing ditching retiring killing drop remove ditch retire kill :: (?:^|we're |we are |i'm |i am |we'll |we will |let's |going to |i'd |we'd |i would |we would )(?:drop|dropping|remove|removing|ditch|ditching|retire|retiring|kill|killing) {x}(?= from (?:ci\b|our |the (?:stack|build|pipeline|repo|monorepo|project|toolchain))| next| this (?:week|month|quarter|sprint|year)| for good| tomorrow| today|$)
liability sink footgun millstone albatross :: ^{x}(?: [\w-]+){0,3}? (?:is|'s|has become|has been|became|remains|is now|is just) (?:(?:a|an|pure|just|such a|a real|a huge|a big) )?(?:[\w-]+ )?(?:liability|time sink|footgun|millstone|albatross)
against :: (?:i'm|i am|we're|we are|i'd be|we'd be) (?:firmly |strongly |very much |definitely )?against (?:\w+ing )(?:in )?{x}
moved :: (?:i've|we've|i have|we have) (?:\w+ )?moved (?:[\w'-]+ ){1,3}?off {x}
sense :: (?:i (?:don't|do not) think |^){x} (?:(?:really |still |even )?makes? (?:any |much )?sense (?:anymore|any more)|(?:doesn't|does not|no longer) (?:really |even )?makes? (?:any |much )?sense(?: anymore| any more| now| today)?(?=\s*$|[.!]| for| in))
make :: (?:don't|do not|never) make {x} (?:the|your|our) (?:primary|default|main|only)
rid ditch drop dump leave delete quit :: (?:you|we|everyone|teams|people) (?:should|need to|must|ought to) (?:\w+ )?(?:get rid of|ditch|drop|dump|leave|delete|quit) (?:your |the )?{x}(?=[.,;:!]|$| and| for good| now| today| entirely| altogether| (?:because|since)\b)
discourage discourages discouraging :: discourag(?:e|es|ing) (?:(?:people|you|teams|anyone|everyone|developers|users|folks) from (?:using|adopting|picking) )?{x}(?: from being used)?
replaces removes drops :: (?:this|the) (?:pr|change|commit|patch|diff|pull request) (?:replaces|removes|drops) {x}
stick stay :: (?:stick|stay)(?:ing)? with (?:it|this|that|them|[\w.+-]+(?: [\w.+-]+)?) (?:over|instead of|rather than) {x}
most :: ^most (?:[\w-]+ )?(?:startups|teams|companies|people|projects|apps|developers|shops|users)(?: and (?:[\w-]+ )?\w+)? (?:do not|don't|will never|won't) (?:really |even |ever )?need {x}
move :: (?:^|time to |it's time to |you should |we should |let's |just |we're |i'm |i've |we've |i have |we have )(?:mov(?:e|ed|ing) on|mov(?:e|ed|ing) away) from {x}
run done never :: (?:^(?:just )?run (?:away )?from|(?:i'm|we're|i am|we are) (?:so |completely |totally )?done with|(?:never|not) (?:going|go) back to) {x}
ready abandonware belong production :: ^{x} (?:(?:is not|isn't|'s not|is still not|still isn't) (?:yet )?ready for (?:production|prime time|serious use|real work)|is (?:now |basically |effectively )?abandonware|(?:is not|isn't|'s not) (?:meant |built )?for (?:production|serious use|real work|anything serious)|(?:doesn't|does not) belong (?:in|on) (?:production|a new|any new))
avoided :: ^{x} (?:should|must|is best|are best|is better|are better) (?:be )?avoided
place :: ^{x} has no place in (?:a |any |our |your )?(?:new|modern|serious|production)
better :: (?:the )?better (?:choice|pick|option|bet) (?:over|than) {x}
"""


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


def _table(text: str, stance: Stance, about: bool, choice: bool) -> list[tuple[str, Idiom]]:
    """`keys :: pattern` lines: the pattern runs only on a text holding one of its keys."""
    found = []
    for line in text.strip().splitlines():
        keys, _, pattern = line.partition(" :: ")
        compiled = re.compile(rf"(?<![\w'+-]){pattern.replace('{x}', _X)}(?![\w'-])")
        idiom = Idiom(stance, compiled, about, choice)
        found += [(key.replace("_", " "), idiom) for key in keys.split()]
    return found


_ALL = [
    *_table(_SHIP, "ship", False, False),
    *_table(_SKIP, "skip", False, False),
    *_table(_CHOICE, "ship", True, True),
    *_table(_AGAINST, "skip", True, False),
]
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
    r"^(?P<name>[\w.+-]+(?: [\w.+-]+){0,2})\s*[;:,.-]*\s*(?:ring:\s*)?(?:moved (?:from \w+ )?to"
    r" |stays? (?:in |at |on )?|remains? (?:in |at |on )?|now )?(?P<ring>adopt|hold)\b(?! off| on)"
)
# "If you're in Europe, Hetzner Cloud.": a name alone after a fronted condition.
CONDITION_NAME = re.compile(
    r"^(?:if|for|when|unless) [^,;]{3,100}, (?:then |just |go with |use )?"
    r"(?P<name>(?P<rest>[\w.+-]+(?: [\w.+-]+){0,2}))[.!]*$"
)
CONDITION_OPENERS = ("if ", "for", "whe", "unl")
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
