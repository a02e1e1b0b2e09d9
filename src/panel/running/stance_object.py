"""What a call verb is about: the tool, a rival, something else, or nothing named.

Split from `stance_clause` (the clause's calls), which asks it for each verb's object.
"""

from __future__ import annotations

from panel.running import stance_grammar as g
from panel.running import stance_guards as gd
from panel.running import stance_words as w
from panel.running.stance_grammar import Stance
from panel.running.stance_text import Names, Target


def object_of(rest: str, names: Names, before: str) -> Target:
    """What the verb is about: the tool, a rival, something else, or nothing named."""
    if not rest:
        return _topic(before, names)
    kind = names.at(rest) or names.at(w.ANOTHER_ONE.sub("", rest, count=1))  # "another X service"
    if kind and names.pattern and " " in rest:
        named = names.pattern.search(rest)  # "adopt the Jenkins retirement plan": against it
        tail = rest[named.end() :].lstrip() if named else ""
        if kind == "tool" and gd.ITS_END.match(tail):
            return "rival"
        member = named is not None and gd.MEMBER.match(rest, named.end())  # "express.json()"
        if member or gd.FEATURE_OF.match(tail):
            return "unknown"  # "never use git push --force", "stop using Slack DMs": a feature
        if not names.at(rest) and tail[:1].isalpha() and not gd.NAME_ENDS.match(tail):
            return "unknown"  # "the Kotlin coroutines debugger": the name modifies a noun
    if kind:
        return kind
    pronoun = g.PRONOUN.match(rest)
    if pronoun:
        after = rest[pronoun.end() :].strip()
        determiner = pronoun["bare"] and after and not g.ADVERBIAL.match(after)
        if pronoun.group() == "that" and not after:
            return "unknown"  # "dagster gives you types, go with that": what was just named
        if pronoun.group().startswith("the ") and after and not g.ADVERBIAL.match(after):
            return "unknown"  # "pick the one your people will maintain": whichever that is
        return "unknown" if determiner else "tool"
    if g.ALTERNATIVE.match(rest):
        return "alt"
    if g.VERB.match(rest):
        return "verb"
    if g.ADVERBIAL.match(rest):
        if gd.SPAN_OF.match(rest):
            return "unknown"  # "I'd need a month of numbers": a thing, not a wait
        thing = gd.PREPOSITION_THING.match(rest)  # "stay away from the nightly kernels"
        if thing and not g.PRONOUN.match(rest[thing.end() :]) and not names.mentions(rest):
            return "unknown"
        return _topic(before, names)
    if " by " in rest and gd.BY_DOING.search(rest):
        return "unknown"  # "avoid long class strings in Tailwind by extracting components"
    kind = names.after_preposition(rest)
    if kind and names.pattern:  # "index as a key in React lists": the lists, not React
        hits = [m for m in names.pattern.finditer(rest) if names.kinds[m.group()] == kind]
        tail = rest[hits[0].end() :].lstrip() if hits else ""
        if tail[:1].isalpha() and not gd.NAME_ENDS.match(tail):
            return "unknown"
    if kind:
        return kind
    if g.INSTEAD.search(rest) and not g.FEATURE.match(rest):
        # "start with a small admin template instead" is another tool; "use SCAN with a cursor
        # instead" (after "don't use KEYS") another way of using this one: the editor decides.
        other = gd.SOME_OTHER.match(rest) and gd.TOOL_THING.search(rest)
        return "alt" if other else "unknown"  # "use a stable id instead": not another tool
    return "unknown" if g.DETERMINER.match(rest) else "name"  # "stick with Celery"


def replaced(rest: str, names: Names) -> Target:
    """ "replace asdf with mise": for mise, against asdf."""
    if rest.startswith("with "):  # "Moment is deprecated. Replace with date-fns.": the topic
        return "rival" if object_of(rest[5:], names, "") in ("rival", "alt") else "unknown"
    joint = " with " if " with " in rest else " for "  # "swap Prisma for Drizzle"
    if joint == " with " and 0 <= rest.find(" for ") < rest.find(" with "):
        joint = " for "  # "switch this out for date-fns, which works with ...": the first
    old, _, new = rest.partition(joint)
    replacement = object_of(new, names, "")
    if replacement == "tool":
        return "tool"
    if object_of(old, names, "") != "tool":
        return "unknown"
    named = names.pattern.search(old) if names.pattern else None
    part = named is not None and gd.ITS_PART.match(old[named.end() :].lstrip())
    if part and replacement not in ("rival", "alt"):
        return "unknown"  # "replace Jenkins credentials with repository secrets": a part of it
    return "rival"


def _topic(before: str, names: Names) -> Target:
    """A verb with no object is about the clause's topic: "Drizzle is the one I'd recommend".

    A name the reader is on is where they start, not the topic: "I'd tell anyone still using
    jQuery to make the jump" makes the jump to the tool."""
    mentioned = [
        names.kinds[m.group()]
        for m in (names.pattern.finditer(before) if names.pattern else ())
        if not g.ON_NOW.search(before[: m.start()])
    ]
    return "rival" if mentioned and "tool" not in mentioned else "none"


def stance_for(verb: g.Verb, target: Target, implicit: bool) -> Stance | None:
    if target == "tool" or (target == "none" and (verb.bare or implicit)):
        return verb.stance
    if verb.stance == "ship" and (target in ("rival", "alt") or target == "name" and verb.keeps):
        return "skip"  # "go with Supabase instead", "stick with Celery"
    return None
