"""Reading the call a quote makes: meaning, not the word."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from panel.running.stance import Stance, read
from panel.running.stance_clause import OPPOSITE
from panel.running.stance_grammar import VERB, verbs
from panel.running.stance_text import names_for, normalise
from tests import stance_corpus as corpus
from tests.quotes import (
    AGAINST_SHIP,
    AGAINST_SKIP,
    MIXED_UNDER_SHIP,
    NEUTRAL_OPENING,
    NO_CALL,
    OWN_QUOTES,
    reference_quotes,
)

REFERENCE = reference_quotes()


@pytest.mark.parametrize(("verdict", "quote"), OWN_QUOTES)
def test_our_reference_style_quotes_read_clean_under_their_verdict(
    verdict: str, quote: str
) -> None:
    reading = read(quote, verdict)  # type: ignore[arg-type]
    assert reading.contradiction is None and reading.mixed == []


@pytest.mark.skipif(not REFERENCE, reason="../shared/reference is not beside this checkout")
@pytest.mark.parametrize(("page", "verdict", "quote"), REFERENCE)
def test_the_reference_quotes_read_clean_under_their_verdict(
    page: str, verdict: str, quote: str
) -> None:
    reading = read(quote, verdict)  # type: ignore[arg-type]
    assert reading.contradiction is None and reading.mixed == []


def test_the_reference_pages_are_read_when_present() -> None:
    if REFERENCE:
        assert len(REFERENCE) == 16 and [v for _, v, _ in REFERENCE].count("skip") == 1


@pytest.mark.parametrize("sentence", AGAINST_SHIP)
def test_a_call_against_a_ship_is_caught(sentence: str) -> None:
    reading = read(NEUTRAL_OPENING + sentence, "ship")
    assert reading.contradiction is not None, [c.clause for c in reading.calls]
    assert reading.contradiction.stance == "skip"
    # ... and the same words under the verdict they argue for are fine
    assert read(NEUTRAL_OPENING + sentence, "skip").contradiction is None


@pytest.mark.parametrize("sentence", AGAINST_SKIP)
def test_a_call_against_a_skip_is_caught(sentence: str) -> None:
    reading = read(NEUTRAL_OPENING + sentence, "skip")
    assert reading.contradiction is not None, [c.clause for c in reading.calls]
    assert read(NEUTRAL_OPENING + sentence, "ship").contradiction is None


@pytest.mark.parametrize("sentence", NO_CALL)
@pytest.mark.parametrize("verdict", ["ship", "skip"])
def test_talking_about_shipping_is_not_a_call(sentence: str, verdict: str) -> None:
    reading = read(NEUTRAL_OPENING + sentence, verdict)  # type: ignore[arg-type]
    assert reading.calls == (), [c.clause for c in reading.calls]


@pytest.mark.parametrize("sentence", MIXED_UNDER_SHIP)
def test_a_call_for_part_of_the_audience_is_left_to_the_editor(sentence: str) -> None:
    reading = read(NEUTRAL_OPENING + sentence, "ship")
    assert reading.contradiction is None and reading.mixed


def test_a_call_for_another_day_is_no_call_today() -> None:
    for sentence in ("I'd ship it once SSO lands.", "Were the pricing sane, it'd be a ship."):
        assert read(NEUTRAL_OPENING + sentence, "skip").calls == ()


def test_a_clause_about_a_rival_makes_no_call_on_this_tool() -> None:
    text = NEUTRAL_OPENING + "Claude Code remains the safer ship. Modal is a ship."
    rivals = ("Claude Code", "Modal GPU Serverless Inference")
    assert read(text, "skip", name="Claw Code", rivals=rivals).calls == ()
    assert read(text, "skip", name="Claw Code").contradiction is not None


def test_the_tool_name_stands_where_it_does() -> None:
    assert read("Skip Tallyho.", "ship", name="Tallyho").contradiction is not None
    assert read("Skip Tallyho.", "ship").contradiction is None


def test_a_firm_call_for_the_verdict_outweighs_a_stray_one_against() -> None:
    text = "I'd ship it. A pass on the enterprise tier, though: skip it for now."
    reading = read(text, "ship")
    assert reading.contradiction is None and reading.mixed


# ------------------------------------------------------------- the classes

# Calls stated in words that a window of words missed (issue 24): each is caught under the
# opposite verdict and reads clean under its own.
WORDED_CALLS: list[tuple[Stance, str]] = [
    ("skip", "My advice: steer clear for now."),
    ("skip", "My recommendation is to wait a release."),
    ("skip", "You may want to hold off."),
    ("skip", "I wouldn't adopt it for a greenfield service."),
    ("ship", "If you're starting fresh, go with Tallyho."),
    ("skip", "If you're starting fresh, go with Spindle instead."),
    ("skip", "Avoid it."),
    ("skip", "I'd stay away from Tallyho until the API settles."),
    ("skip", "I regret choosing it."),
    ("skip", "Never again."),
    ("ship", "Worth learning, even if your day job is elsewhere."),
    ("ship", "You should seriously consider it."),
    ("ship", "I'd pick it again without thinking twice."),
    ("ship", "I'd choose Tallyho over Spindle."),
    ("ship", "Anyone running bursty jobs should add it to their stack."),
    ("skip", "No team with an SLA should touch it yet."),
    ("skip", "It is a skip until it shows it can scale."),
    ("ship", "Would I build the next one on Tallyho? Yes, without hesitation."),
    ("skip", "There's no reason to keep paying for it."),
    ("ship", "I can't recommend it enough."),
    ("skip", "Replace Tallyho with Spindle."),
    ("skip", "We moved off Tallyho last year, and I'd advise anyone to do the same."),
    ("ship", "I've moved every project to Tallyho and I'd encourage others to do the same."),
]


@pytest.mark.parametrize(("call", "sentence"), WORDED_CALLS)
def test_a_call_stated_in_words_is_read_in_any_person(call: Stance, sentence: str) -> None:
    text = NEUTRAL_OPENING + sentence
    against = read(text, OPPOSITE[call], name="Tallyho", rivals=("Spindle",)).contradiction
    assert against is not None and against.stance == call
    assert read(text, call, name="Tallyho", rivals=("Spindle",)).contradiction is None


# Set phrases, fragments and stories that make a call on their own (issue 24, round 2): the
# registers of user reviews, Reddit, GitHub threads, tech radars and Q&A answers.
SET_PHRASES: list[tuple[Stance, str]] = [
    ("ship", "Highly recommended."),
    ("ship", "Strong recommend."),
    ("ship", "10/10 would use again."),
    ("ship", "Worth every penny."),
    ("ship", "A no-brainer for side projects."),
    ("ship", "Must-have for any product team."),
    ("ship", "My go-to for architecture sketches."),
    ("ship", "Sold."),
    ("ship", "Five stars, would buy again."),
    ("ship", "Once you have it you can't go back."),
    ("ship", "The answer is Tallyho, full stop."),
    ("ship", "Firebase or Tallyho for a new app? Tallyho."),
    ("ship", "Would you recommend it? Yes, without reservation."),
    ("ship", "+1 to moving the suite to Tallyho."),
    ("ship", "Tallyho; moved from Trial to Adopt."),
    ("ship", "If cost is the main constraint, Tallyho."),
    ("ship", "Replaced Spindle with Tallyho and haven't thought about it since."),
    ("ship", "Go try it on your next project."),
    ("ship", "If you're juggling runtimes, this is the one."),
    ("skip", "Hard pass."),
    ("skip", "Not worth the hassle."),
    ("skip", "Save yourself the headache."),
    ("skip", "Give it a miss."),
    ("skip", "Moved to Spindle and never looked back."),
    ("skip", "I cancelled last week, and honestly I wouldn't go back."),
    ("skip", "Back to Spindle."),
    ("skip", "Our pick this week is not Tallyho."),
    ("skip", "I'm -1 on adopting Tallyho here."),
    ("skip", "Tallyho for a public marketing site is a mistake."),
    ("skip", "I can't see why you'd pick it over Spindle."),
    ("skip", "I don't think we should go with it."),
    ("skip", "I'd rather we not add Tallyho for twelve components."),
    ("skip", "Tallyho ; Hold for new pipelines."),
    ("skip", "We advise against putting anything new on it."),
    ("skip", "My honest advice is to start with Spindle instead."),
    ("skip", "2/10."),
    ("ship", "Can't say enough good things."),
    ("ship", "Mac devs, just switch already."),
    ("ship", "For async-first teams I'd put it ahead of Spindle without hesitating."),
    ("ship", "If you're starting an API, Tallyho deserves to be your first pick."),
    ("skip", "For a new service I'd leave it in the past."),
    ("skip", "We've moved to Spindle and I'd suggest others do too."),
    ("ship", "I'd tell anyone still using Spindle for this to make the jump."),
]


@pytest.mark.parametrize(("call", "sentence"), SET_PHRASES)
def test_a_set_phrase_makes_the_call_on_its_own(call: Stance, sentence: str) -> None:
    text = NEUTRAL_OPENING + sentence
    against = read(text, OPPOSITE[call], name="Tallyho", rivals=("Spindle", "Firebase"))
    assert against.contradiction is not None, [c.clause for c in against.calls]
    assert against.contradiction.stance == call
    assert read(text, call, name="Tallyho", rivals=("Spindle",)).contradiction is None


# Frames rather than phrases (issue 24, round 3): an evaluation of the choice, advice whose
# object is an action, a move with a direction, a vote on what we do, a judgement that implies
# the call, an answer that is a condition, a reported speaker's advice.
FRAMES: list[tuple[Stance, str]] = [
    ("ship", "For a new backend, Tallyho is still the dull, dependable choice."),
    ("ship", "This seems like the right path for us."),
    ("ship", "For bursty jobs it's the option I'd bet the team on."),
    ("ship", "We're moving the whole monorepo onto it next sprint."),
    ("ship", "I vote we standardise on Tallyho."),
    ("ship", "Recommend we buy seats for everyone."),
    ("ship", "You're better off going with Tallyho."),
    ("ship", "The speaker's advice to anyone starting out was simply to reach for Tallyho first."),
    ("ship", "Q: Tallyho or Spindle for a small team? A: Tallyho."),
    ("ship", "Can't think of a reason to start a new service with anything else."),
    ("ship", "Tallyho is the approach I'd push for."),
    ("ship", "We're rolling it out to every team next quarter."),
    ("ship", "Anyone doing ad hoc analysis on a laptop owes it an afternoon."),
    ("ship", "Best self-hosted app I run, no question."),
    ("ship", "For content sites, Tallyho is where he'd send anyone today."),
    ("ship", "I'd seriously look at it before writing another state machine by hand."),
    ("ship", "It's what I use on every new backend."),
    ("ship", "Our platform team has approved it as the standard going forward."),
    ("ship", "Get your team on it."),
    ("ship", "For indie hackers it's a fantastic option."),
    ("skip", "You're better off calling the queue API directly."),
    ("skip", "Proposing we drop Tallyho for the admin app."),
    ("skip", "Time to plan the migration off it."),
    ("skip", "We're phasing it out in favour of Spindle."),
    ("skip", "Honestly hard to justify for a small store."),
    ("skip", "I can't keep recommending a queue whose pricing keeps changing."),
    ("skip", "Tallyho is dead weight on our budget."),
    ("skip", "Tallyho has been a maintenance liability for us."),
    ("skip", "For a team of four, Tallyho is the wrong trade."),
    ("skip", "Would I recommend it to a startup? Only if a customer forces it on you."),
    ("skip", "For new services I'd leave Tallyho out entirely."),
    ("skip", "For small deployments it's not where I'd start anymore."),
    ("skip", "I'd steer people elsewhere."),
    ("skip", "I'd say we replace it."),
    ("skip", "Dropping it from CI next week."),
    ("skip", "For new projects there's no reason to choose it over Spindle anymore."),
    ("skip", "At these prices there's nothing left that makes it worth staying for."),
    ("skip", "Paying for the team plan no longer makes sense."),
    ("skip", "Tallyho for a five person team in 2026? nah."),
    ("skip", "I'd rather not add another Tallyho service to this repo."),
    ("skip", "I'd nudge new projects toward Spindle."),
    ("skip", "I'm against bringing Tallyho in."),
    ("skip", "For backups you might restore from, keep it off your shortlist."),
    ("skip", "Not the tool for a cross-platform team, sorry."),
    ("skip", "Against moving the internal apps to Tallyho."),
    ("skip", "I'm done defending it in vendor reviews."),
    ("skip", "Not renewing."),
    ("skip", "There's no longer a case for it that a free app doesn't make better."),
    ("skip", "If you're replacing your queue, it's not the one."),
    ("skip", "We've told the team to stop using it for anything internal."),
    ("skip", "I've moved students off it."),
    ("skip", "Sadly I've stopped pointing people there."),
    ("skip", "For preview environments Tallyho is the wrong shape."),
    ("ship", "For anyone wanting queues without fiddling, this is where to begin."),
    ("ship", "Renewing for everyone and expanding to the data team."),
    ("ship", "If you bounced off the config rabbit hole, this is your editor."),
    ("ship", "The speaker closed by telling everyone to put Tallyho in front of their jobs."),
]


@pytest.mark.parametrize(("call", "sentence"), FRAMES)
def test_a_frame_makes_the_call_whatever_its_words(call: Stance, sentence: str) -> None:
    text = NEUTRAL_OPENING + sentence
    against = read(text, OPPOSITE[call], name="Tallyho", rivals=("Spindle",))
    assert against.contradiction is not None, [c.clause for c in against.calls]
    assert against.contradiction.stance == call
    assert read(text, call, name="Tallyho", rivals=("Spindle",)).contradiction is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Eleventy or Spindle, take your pick.",  # a pick among others: none for the tool
        "A lighter, privacy-first tool is the better fit.",  # some other tool's fit
        "You're better off learning it properly before the migration.",  # advice on its use
        "Removing it from the PATH fixed the build.",  # a fix, no drop
        "If you want infrastructure in a real programming language, read on.",  # no choice
        "The move from Tallyho 2 to Tallyho 3 cost us four months.",  # a story of an upgrade
        "Spindle gives you types out of the box, go with that.",  # "that" is what was just named
    ],
)
def test_frames_that_look_like_calls_but_are_not(sentence: str) -> None:
    text = NEUTRAL_OPENING + sentence
    verdicts: tuple[Stance, ...] = ("ship", "skip")
    for verdict in verdicts:
        reading = read(text, verdict, name="Tallyho", rivals=("Spindle", "Eleventy"))
        assert reading.contradiction is None, [c.clause for c in reading.calls]


@pytest.mark.parametrize(
    "sentence",
    [
        "Some say avoid it; others swear by it.",  # what others say
        "Is it a no-brainer? Depends on your team.",  # a question, unanswered
        "Not a must-have, but nice to have.",  # a negated set phrase settles nothing
        "It was the go-to for static sites back in 2019.",  # a story
        "Spindle is a no-brainer for this.",  # praise for a rival, not a call on the tool
        'The landing page promises "you will never look back" and a must-have workflow.',
        "The free tier is a trap.",  # a part of the tool, not the tool
        "If you need SSO, look elsewhere.",  # a niche carved out: a hedge, not a firm skip
        "Uninstalled the old plugin first, then set it up.",  # an instruction
        "Spindle is fast and asks for nothing. Easy choice.",  # the choice is the rival's
        "It ships a compatibility layer for the plugins you still need.",  # a relative clause
        "If it should not render at all, use a template with x-if instead.",  # a way to use it
    ],
)
@pytest.mark.parametrize("verdict", ["ship", "skip"])
def test_a_set_phrase_that_is_not_the_writers_firm_call_is_no_reask(
    sentence: str, verdict: Stance
) -> None:
    reading = read(NEUTRAL_OPENING + sentence, verdict, name="Tallyho", rivals=("Spindle",))
    assert reading.contradiction is None, [c.clause for c in reading.calls]


def test_a_story_of_leaving_is_no_call_for_the_tool() -> None:
    text = NEUTRAL_OPENING + "We didn't stick with Tallyho for long."
    assert all(c.stance == "skip" for c in read(text, "ship", name="Tallyho").calls)
    assert read(text, "skip", name="Tallyho").contradiction is None


def test_a_call_stated_as_a_label_is_caught() -> None:
    text = NEUTRAL_OPENING + "My call: skip, despite the score."
    contradiction = read(text, "ship").contradiction
    assert contradiction is not None and contradiction.stance == "skip"


def test_a_call_for_a_situation_gives_way_to_one_for_everyone() -> None:
    text = "I'd start with Tallyho, and only look elsewhere if you hit its limits."
    assert read(text, "skip", name="Tallyho").contradiction is not None
    assert read(text, "ship", name="Tallyho").contradiction is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Add it to your PATH.",
        "I'll try it next month and report back.",
        "Use `--frozen` in CI.",
        "Skip to the benchmarks section.",
        "Some people say you should never use it; others tell you to adopt it yesterday.",
        "Stick with the free tier while you learn.",
    ],
)
def test_instructions_plans_and_what_others_say_are_no_call(sentence: str) -> None:
    assert read(NEUTRAL_OPENING + sentence, "ship", name="Tallyho").calls == ()


def test_names_are_matched_by_one_pattern_per_panel() -> None:
    assert names_for("Tallyho", ("Spindle",)) is names_for("Tallyho", ("Spindle",))
    assert names_for("Cloudflare R2", ()).at("r2 is cheap") == "tool"  # a vendor's product


# ---------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("half", corpus.HALVES)
def test_the_corpus_reads_within_the_targets(half: str) -> None:
    """No false re-ask; at least 80% of worded calls caught (more where a part's floor is set)."""
    score = corpus.score(corpus.load(half))
    assert score.false_reasks == []
    assert score.caught_worded >= corpus.FLOORS.get(half, 0.8) * score.worded, score.missed


@pytest.mark.parametrize("part", corpus.UNTUNED)
def test_an_untuned_part_is_read_without_false_reasks(part: str) -> None:
    """Prose the rules were never tuned to catch: they may miss calls, never re-ask wrongly."""
    score = corpus.score(corpus.load(part))
    assert score.false_reasks == []


def test_the_corpus_is_large_and_varied() -> None:
    passages = [p for half in corpus.HALVES for p in corpus.load(half)]
    calls = [p.call for p in passages]
    assert len(passages) >= 150 and min(calls.count(c) for c in ("ship", "skip", "none")) >= 30
    assert len({p.id for p in passages}) == len(passages)
    assert sum(p.worded for p in passages) >= 100


def test_verbs_are_found_where_the_full_pattern_finds_them() -> None:
    """The word-start shortcut in `stance_grammar.verbs` finds what the pattern alone finds."""
    texts = [normalise(p.text) for half in corpus.HALVES for p in corpus.load(half)]
    texts += [normalise(sentence) for _, sentence in WORDED_CALLS]
    for text in texts:
        assert [m.span() for m in verbs(text)] == [m.span() for m in VERB.finditer(text)], text


def test_the_calls_come_in_one_order_whatever_the_hash_seed() -> None:
    """The re-ask quotes the strongest call against the verdict, the first of equals: an order
    that moved with Python's string hashing changed the re-ask, and so its cache key, per run."""
    probe = (
        "print(read('Moving to Foo was the right call, a no-brainer, 10/10.', 'skip', name='Foo'))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", f"from panel.running.stance import read; {probe}"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1", "2", "4")
    }
    assert len(outputs) == 1, outputs
