"""One clause's calls: a verb and who makes it, its object, a label, a noun, a judgement.

See `panel.running.stance` for the reading as a whole and `stance_grammar` for the words.
"""

from __future__ import annotations

import re

from panel.running import stance_grammar as g
from panel.running import stance_guards as gd
from panel.running import stance_idioms as idioms
from panel.running import stance_nouns as nouns
from panel.running import stance_object as o
from panel.running import stance_words as w
from panel.running.stance_grammar import Stance
from panel.running.stance_text import ALL, Clause, Hints, Names

OPPOSITE: dict[Stance, Stance] = {"ship": "skip", "skip": "ship"}


Found = tuple[Stance, bool, bool]  # the call, firm, narrowed to some uses ("for X workloads")


def clause_calls(clause: Clause, names: Names, hints: Hints = ALL) -> list[Found]:
    text = whole = clause.text
    label = g.LABEL.match(text)
    labelled = bool(label and label.end() > 0) or clause.labelled
    if label and label.end() > 0:
        text = text[label.end() :]
        clause = Clause(text, True, clause.carried, True)
    if labelled:
        word = g.LABEL_WORD.match(text)
        if word:
            return [("ship" if word["ship"] else "skip", True, False)]
        named = names.pattern.match(text) if names.pattern else None
        if named and w.LABEL_NAME_END.match(text, named.end()):  # "Winner: Proxmox for X"
            return [("ship" if names.kinds[named.group()] == "tool" else "skip", True, False)]
    found = [
        call for m in g.verbs(text) if (call := _verb_call(text, m, clause, labelled, names, hints))
    ]
    judged = nouns.judged(text, names) if _any_in(text, hints.judged) else []
    if hints.nouns or "worth" in text:  # (most clauses have no noun key: no call to make)
        judged = [*judged, *nouns.noun_calls(text, names, hints)]
    found += [(stance, firm, False) for stance, firm in judged]
    return found + _idiom_calls(whole, names, hints) if hints.idioms else found


def _any_in(text: str, keys: frozenset[str]) -> bool:
    return bool(keys) and any(key in text for key in keys)


def _idiom_calls(text: str, names: Names, hints: Hints) -> list[Found]:
    """Set phrases that make a call on their own: "highly recommended", "hard pass", "10/10"."""
    found: list[Found] = []
    tried: set[int] = set()
    for key in hints.idioms:
        if key not in text:
            continue
        for idiom in idioms.BY_KEY[key]:
            if id(idiom) in tried:
                continue
            tried.add(id(idiom))
            for match in idiom.finditer(text):
                call = _idiom_call(idiom, match, text, names)
                if call:
                    found.append(call)
    return found


def _idiom_call(idiom: idioms.Idiom, match: re.Match[str], text: str, names: Names) -> Found | None:
    before = text[: match.start()]
    if w.NOUN_NEGATOR.search(before) or w.NEGATIVE_COPULA.search(before):
        return None  # "not a must-have", "none of them is a no-brainer": no call either way
    if g.NEGATIVE_SUBJECT.search(before):
        return None  # "nobody wants to leave it": a phrase under a negative subject, none
    gerund = match.group().endswith("ing", 0, match.group().find(" "))
    if not before and gerund and w.PREDICATE.match(text, match.end()):
        return None  # "switching to tokio isn't a rational decision": a subject, judged
    stance = idiom.stance
    if idiom.about:
        kind = _named(match["x"], names)
        if kind == "rival" and idiom.choice:
            stance = "skip"  # "my pick is Render", reviewing Heroku
        elif kind != "tool":
            return None
    elif nouns.about_rival(before, names):
        return None  # "Render is a no-brainer": about Render
    elif gd.PREPOSITION_THING.match(text, match.end() + 1) and not names.mentions(
        text[match.end() :]
    ):
        return None  # "stay away from the nightly kernels": something else
    # "it was a no-brainer at the time", "made it the obvious choice": a story
    firm = not (w.PAST_CHOICE.search(before) or w.THEN.search(before))
    return stance, firm, bool(g.SCOPE.search(text[match.end() :]))


def _named(what: str, names: Names) -> str | None:
    """What `{x}` names; its first word alone when the second is not part of a name ("it next")."""
    kind = names.at(what) or ("tool" if what in idioms.PRONOUNS else None)
    if kind is None and " " in what:  # or its last ("environments tallyho", after a fronted "for")
        first, last = what.split(" ", 1)
        kind = names.at(first) or ("tool" if first in idioms.PRONOUNS else None)
        kind = kind or (names.at(last) if first not in ("not", "no", "never", "that") else None)
    return kind


def _verb_call(
    text: str,
    match: re.Match[str],
    clause: Clause,
    labelled: bool,
    names: Names,
    hints: Hints,
) -> Found | None:
    verb = g.VERBS[int(next(k for k, v in match.groupdict().items() if v)[1:])]
    before, rest = text[: match.start()], text[match.end() :].strip()
    if g.READER_CONDITION.search(before) or w.WHERE_MINE.search(before):
        return None  # "go with it unless you need Sphinx": the condition's verb is no call
    if match.group().startswith(("pick", "choos", "go")) and gd.ANY_ONE.match(rest):
        return None  # "pick either", "pick one and stop reading comparisons": no pick
    if "whether" in before and gd.WHETHER.search(before):
        return None  # "I asked whether I should switch to Rust": a question, asked
    if (" than " in before or " why " in before or " how " in before) and gd.SUBORDINATE.search(
        before
    ):
        return None  # "more overhead than I'd prefer", "doesn't explain why you'd use it"
    waits_on = rest.startswith(("on ", "for ")) and not g.WAIT_FOR.match(rest)
    if match.group().startswith("wait") and (rest.startswith(("to ", "and ")) or waits_on):
        return None  # "can't wait to see v2"; "wait on the network request": no call
    if match.group() == "using" and w.NOW_USING.search(before):
        return None  # "we are using go-redis, which is BSD": what is in use, not advice
    if verb.lemma == "own" and not rest:
        return None  # "the plugins you still need": a relative clause, no call
    if verb.lemma == "replace":
        target = o.replaced(rest, names)
    elif verb.lemma == "it":  # "let it near", "sit it out": the object is in the phrase
        target = "tool"
    elif verb.lemma == "put":  # "put it in production"; "put anything new on it"
        via = g.VIA.search(rest)
        target = o.object_of(rest, names, before)
        if target not in ("tool", "rival") and via:
            target = o.object_of(via["object"], names, before)
    elif verb.lemma == "switch" and " to " in f" {rest}" and not rest.startswith("to "):
        target = o.object_of(f" {rest}".split(" to ", 1)[1], names, before)  # "from Jest to Vitest"
    elif verb.lemma == "via":  # "write it in Typst", "build the next one on Tauri"
        via = g.VIA.search(rest) if not g.HERE.match(rest) else None
        target = (
            "tool"
            if g.HERE.match(rest)
            else o.object_of(via["object"] if via else rest, names, before)
        )
    else:
        target = o.object_of(rest, names, before)
    if (
        target == "tool"
        and verb.stance == "ship"
        and verb.lemma != "jump"
        and g.CATEGORY.match(rest)
    ):
        target = "unknown"  # "use the database for message delivery" (reviewing Kafka)
    skill = match.group().startswith("learn")  # "learn Markdown first": a skill, not a rival
    if (
        target == "name"
        and rest.split()[0] in hints.proper
        and verb.stance == "ship"
        and not verb.keeps
    ):
        target = "name" if skill else "alt"  # "go with ECS on Fargate": neither tool nor rival
    if verb.lemma == "alternative" and target not in ("rival", "alt"):
        return None  # "run it with --debug" is no call; "run GlitchTip instead" is one
    rejected = g.REJECTED.search(rest)
    if rejected and target != "tool" and o.object_of(rejected["name"], names, "") == "tool":
        target = "alt"  # "build it on something you can take with you rather than Bubble"
    named = target in ("tool", "rival") or labelled  # "... and use Tailscale": still a call
    flips, firm = _speaker(before, match.group(), clause, clause.opens or named, verb)
    if flips < 0 and target == "tool" and g.REJECTED.search(rest) and w.MINE_NOW.search(before):
        flips, firm = len(g.NEGATOR.findall(before)), True  # "we choose pnpm over npm"
    if flips < 0:
        return None
    elided = g.CHAIN.fullmatch(before) is not None  # "Don't buy.", "Would buy again."
    if verb.lemma == "recommend" and g.ENOUGH.match(rest):
        flips += 1  # "I can't recommend it enough"
    advised = not rest and g.LEAD.search(before) is not None  # "the one app I'd tell you to get"
    elided = elided and clause.opens and bool(g.ELIDED_REST.match(rest))
    implicit = labelled or _relative(before) or elided or advised
    stance = o.stance_for(verb, target, implicit)
    if stance is None:
        return None
    towards = rest.startswith(("to ", "over to ")) and o.object_of(
        rest.split("to ", 1)[1], names, ""
    ) in ("tool", "rival", "alt")
    if verb.lemma == "jump" and target in ("none", "tool") and not towards:
        if target == "tool" and match.group().startswith("switch"):
            stance = "skip"  # "I would not switch the library": switching it is replacing it
        elif target == "none" and hints.current:  # "we are using jest ... make the switch"
            stance = "skip" if hints.current == "tool" else "ship"  # away from what is in use
    if flips % 2:
        if target in ("rival", "alt") and verb.stance == "ship" and not verb.keeps:
            return None  # "no reason to use React": no call on this tool
        stance = OPPOSITE[stance]
    # "use Y for the forms" narrows; "swap X for Y" names the replacement, no use
    use = target in ("rival", "alt") and verb.lemma != "replace" and bool(g.USE_FOR.search(rest))
    if verb.lemma == "consider" and w.MINE_TO_CONSIDER.search(before):
        firm = False  # "I'd consider it", "worth considering": a thought, not advice
    if match.group() == "use" and gd.PURPOSE.match(rest) and not g.SUBJECT_WORD.search(before):
        firm = False  # "use it to draft, then check every reference": how to use it, no call
    if "need" in before or "have to" in before:
        firm = firm and not gd.NO_NEED.search(before)  # "you don't have to use it": a permission
    return stance, firm and verb.firm, bool(g.SCOPE.search(rest)) or use


def _speaker(
    before: str, verb_text: str, clause: Clause, opens: bool, verb: g.Verb
) -> tuple[int, bool]:
    """(negations, firm) when the reviewer makes this call; (-1, _) when nobody does."""
    first = verb_text.split()[0]
    gerund = first.endswith("ing") and first != "bring"
    lead = g.LEAD.search(before) or g.GERUND_LEAD.search(before) or g.WHY_LEAD.search(before)
    lead = lead or g.THAT_LEAD.search(before)
    flips = 0
    if lead is not None:
        if (
            lead.groupdict().get("negated")
            or lead.groupdict().get("against")
            or lead.groupdict().get("caution")
        ):
            flips += 1  # "no reason to", "I can't see a reason to": one negation
            flips += 1 if lead.group().rstrip().endswith("not to") else 0
        else:
            flips += len(g.NEGATOR.findall(lead.group()))
        flips += 1 if lead.group().startswith("regret") else 0
        before, gerund = before[: lead.start()], False
        flips += 1 if w.NOTHING.search(before) else 0  # "nothing left that makes it worth ..."
        if g.OPENERS.match(before) or g.IMPERSONAL_LEAD.search(before) or w.I_TELL.match(before):
            return flips, True
    chain = g.CHAIN.search(before)
    words = chain["chain"] if chain else ""
    head = before[: chain.start()].rstrip() if chain else before.rstrip()
    if not head.strip() or g.OPENERS.match(head):
        if clause.carried and not lead:
            return _speaker(
                clause.carried + " " + before, verb_text, _no_carry(clause), opens, verb
            )
        spoken = opens or lead is not None or bool(head.strip() or words.strip())
        imperative = not gerund and spoken  # "so, just wait"; "Ship." opening a sentence
        if lead is None and first.endswith("ed") and not words.strip():
            return -1, False  # "Changelog: switched the monorepo to pnpm": a report, no command
        if not verb.commands and lead is None and not g.INTENT_MODAL.search(words):
            return -1, False  # "add it to your PATH": an instruction
        return (len(g.NEGATOR.findall(words)) + flips, True) if imperative else (-1, False)
    if g.EXPECTATION.search(words):
        return -1, False  # "you shouldn't need to touch the lock file": what to expect
    subject_match = g.SUBJECT_BEFORE.search(head)
    subject, contraction = _split(subject_match["subject"] if subject_match else "")
    words = f"{contraction} {words}"
    flips += len(g.NEGATOR.findall(words)) + len(g.NEGATOR.findall(contraction))
    ahead = head[: len(head) - len(subject + contraction)]
    flips += 1 if g.RELATIVE_NEGATION.search(ahead) or g.NEG_RAISING.search(ahead) else 0
    if g.RATHER.search(ahead) and subject in ("we", "you", "they", "teams", "people"):
        words = f"would {words}"  # "I'd rather we not add it": a call, in the subjunctive
    if gerund and not (g.PROGRESSIVE.search(words) or lead is not None):
        return -1, False
    # "we may want to move to pytest", "we need to drop it": a proposal ("if we want to": none)
    proposes = subject == "we" and g.WE_PROPOSE.search(words) and not g.OPEN_IF.search(ahead)
    if not (_makes_call(subject, words, verb, lead) or proposes) and not g.RATHER.search(ahead):
        return -1, False
    flips += 1 if g.NEGATIVE_SUBJECT.search(head) else 0  # "no team should touch it"
    return flips, _firm_for(subject, words)


def _no_carry(clause: Clause) -> Clause:
    return Clause(clause.text, clause.opens, "", clause.labelled)


def _split(token: str) -> tuple[str, str]:
    for ending in ("'d", "'ll", "'m", "'re", "'ve", "n't"):
        if token.endswith(ending) and len(token) > len(ending):
            return token[: -len(ending)], ending
    return token, ""


def _makes_call(subject: str, words: str, verb: g.Verb, lead: re.Match[str] | None) -> bool:
    if lead is not None and (subject in g.FIRST_PERSON or subject == "you"):
        return True  # "I'd tell anyone to", "I'd recommend staying"
    if subject in ("i", "we") and "hereby" in words:
        return True  # "we hereby replace it with Zustand": a decision in the act of making it
    if subject in ("i", "we"):
        advice = verb.mine or "'d" in words or "would" in words  # "I'll try it": a plan
        modal = g.INTENT_MODAL.search(words) and advice  # "I'd try it": advice
        return bool(modal or verb.lemma in g.PRESENT_CALL)
    if subject == "you":
        return bool(g.ADVICE_MODAL.search(words) or verb.lemma in ("own", "regret"))
    if subject in g.IMPERSONAL or not subject:
        return False
    if verb.lemma == "own" and g.NEGATOR.search(words):
        return True  # "your startup doesn't need it", "most teams don't need it"
    return bool(g.THIRD_PERSON_ADVICE.search(words))  # "anyone starting fresh should use it"


def _firm_for(subject: str, words: str) -> bool:
    past = g.PAST.search(words) and not g.INTENT_MODAL.search(words)
    return not past  # "we didn't stick with it": a story, not a call


def _relative(before: str) -> bool:
    """ "the one I'd recommend", "not something I'd buy again": the object came first."""
    return bool(g.RELATIVE.search(before))
