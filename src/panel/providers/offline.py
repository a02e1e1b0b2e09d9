"""The offline model: no network, no key, deterministic, and not a language model.

It exists so that a fresh machine can run a whole panel, and so that tests
exercise the same streaming path as a real model. Its verdicts are a hash of
the request, its prose is a template filled from the persona and the tool
card, and every output labels it as offline.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator
from itertools import zip_longest
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from panel.inputs.prompts import oneline
from panel.models import QUOTE_TARGET_CHARS, Beat, ModelInfo, Persona, ToolCard, Usage
from panel.providers.base import Event, Finished, Started, StructuredRequest, TextDelta
from panel.providers.traits import OFFLINE_LABEL
from panel.resources import template_dir

MAX_QUOTE_CHARS = QUOTE_TARGET_CHARS[1]
CHUNK_CHARS = 24
GRADER_WORDS = 300
POINT_WORDS = 30  # the longest card sentence the draft quotes (whole sentences only)
MAX_BAR_CHARS = 240  # the persona's ship_when or skip_when, quoted when it is this short
PRICING = "\0pricing"  # the pricing point when no beat is about money: after the beats
_CALL_WORD = re.compile(r"\b(ship|skip)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z]{4,}")
_DATE = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d|\d\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.I,
)


class OfflineProvider:
    info = ModelInfo(
        provider="offline",
        model="offline",
        label=OFFLINE_LABEL,
        is_language_model=False,
    )

    def __init__(self, *, delay: float = 0.0, variant: str = "offline") -> None:
        self.delay = delay
        if variant != "offline":  # `offline:NAME`: another deterministic reviewer, for diff demos
            self.info = self.info.model_copy(update={"model": variant})
        self._salt = "" if variant == "offline" else f"{variant}\0"
        env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(template_dir()), undefined=jinja2.StrictUndefined
        )
        env.filters["oneline"] = oneline
        env.filters["lower_first"] = _lower_first
        env.filters["trim_stop"] = _trim_stop
        self._template = env.get_template("offline_review.j2")
        # The template's cue words (which beat is about money, rivals, timing), read once.
        self._cues = {
            name: self._block(name, {}).split()
            for name in ("pricing_words", "rival_words", "time_words")
        }

    def notes(self, shared_prefix: str) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None

    async def stream(self, request: StructuredRequest) -> AsyncIterator[Event]:
        answer = grade(request.graded) if request.graded is not None else self.reply(request)
        reply = json.dumps(answer, ensure_ascii=False)
        yield Started()
        for start in range(0, len(reply), CHUNK_CHARS):
            await asyncio.sleep(self.delay)
            yield TextDelta(reply[start : start + CHUNK_CHARS])
        prompt_chars = (
            len(request.system)
            + len(request.prompt)
            + sum(len(t.assistant) + len(t.user) for t in request.history)
        )
        # Rough token estimates (4 characters a token): no provider reported them.
        usage = Usage(input_tokens=prompt_chars // 4, output_tokens=len(reply) // 4)
        yield Finished(usage=usage, stop_reason="end")

    def reply(self, request: StructuredRequest) -> dict[str, Any]:
        """A verdict in the schema's order: the reasoning, then the call, then the quote."""
        seed = f"{self._salt}{request.system}\0{request.prompt}" + (
            f"\0{request.sample}" if request.sample else ""
        )
        digest = hashlib.sha256(seed.encode()).digest()
        score = 3 + digest[0] % 7
        verdict = "ship" if score >= 6 else "skip"
        context = {
            "persona": request.persona,
            "tool": request.tool,
            "verdict": verdict,
            "score": score,
        }
        points = self._points(request.persona, request.tool)
        beats = {
            beat.id: self._beat_line(context, beat, points.get(beat.id))
            for beat in request.persona.beats
        }
        # No judgement of its own: the rivals the card names, as a placeholder.
        rivals = [name[:80] for name in (request.tool.competitors or [])[:8]]
        reply: dict[str, Any] = {"beats": beats, "competitors": rivals}
        options = _pick_options(request.schema)
        if options:
            others = [tool for tool in options if tool != request.tool.id]
            pick = request.tool.id if verdict == "ship" or not others else others[0]
            reply["versus"] = {"pick": pick, "why": self._block("why", context, pick=pick)[:200]}
        return {
            **reply,
            "verdict": verdict,
            "score": score,
            "confidence": ("low", "medium", "high")[min(2, abs(score * 2 - 11) // 3)],
            "headline": self._block("headline", context)[:120],
            "quote": self._quote(context, points),
        }

    def _points(self, persona: Persona, tool: ToolCard) -> dict[str, str | None]:
        """What the card offers each beat, in the persona's order: the pricing to a beat about
        money; to each other beat the card's fact or sentence nearest to what the beat asks (its
        words, a rival named for a beat about competitors, a date for one about timing), else
        the next in turn, none repeated, from a place in the card that depends on the persona."""
        money = self._cues["pricing_words"]
        sentences = _SENTENCE_END.split(" ".join(tool.description.split()))
        claims = [s for s in sentences if 0 < len(s.split()) <= POINT_WORDS]  # whole ones only
        facts = [f for f in tool.facts if len(f.split()) <= POINT_WORDS]
        pool = [s for pair in zip_longest(facts, claims) for s in pair if s]
        # Each persona starts at its own place in the card, so reviewers do not all quote alike.
        start = hashlib.sha256(persona.id.encode()).digest()[0] % len(pool) if pool else 0
        pool = pool[start:] + pool[:start]
        priced = next(
            (b.id for b in persona.beats if any(w in f"{b.id} {b.label}".lower() for w in money)),
            None,  # the first beat about money gets the pricing block, rendered in the quote
        )
        others = [beat for beat in persona.beats if beat.id != priced]
        matched = self._matched(others, tool, pool)
        points: dict[str, str | None] = {}
        for beat in persona.beats:  # what no point speaks to takes the next in turn
            if beat.id == priced:
                points[beat.id] = None
            else:
                points[beat.id] = matched.get(beat.id) or (pool.pop(0) if pool else "")
        if priced is None:
            points[PRICING] = None
        return points

    def _matched(self, beats: list[Beat], tool: ToolCard, pool: list[str]) -> dict[str, str]:
        """Each beat the card point that speaks to it most (taken out of `pool`), the strongest
        pairs first: its words, a rival named for a beat about competitors, a date for one about
        timing. A beat no point speaks to is left out."""
        rivals = [r.lower() for r in tool.competitors or [] if r.strip()]
        points = [  # what each point offers, worked out once: its stems, a rival, a date
            (_stems(point), any(r in point.lower() for r in rivals), bool(_DATE.search(point)))
            for point in pool
        ]
        pairs = []
        for place, beat in enumerate(beats):
            asks = f"{beat.label} {beat.ask}".lower()
            wants = _stems(asks)
            about_rivals = any(word in asks for word in self._cues["rival_words"])
            about_time = any(word in asks for word in self._cues["time_words"])
            for index, (stems, names_rival, dated) in enumerate(points):
                score = len(wants & stems)
                score += 2 * (about_rivals and names_rival) + 2 * (about_time and dated)
                if score:
                    pairs.append((-score, place, index))
        matched: dict[str, str] = {}
        taken: set[int] = set()
        for _score, place, index in sorted(pairs):
            if beats[place].id not in matched and index not in taken:
                matched[beats[place].id] = pool[index]
                taken.add(index)
        pool[:] = [point for index, point in enumerate(pool) if index not in taken]
        return matched

    def _beat_line(self, context: dict[str, Any], beat: Beat, point: str | None) -> str:
        if point is None:
            point = self._block("pricing", context, label=beat.label)
        if not point:
            return self._block("beat_empty", context, beat=beat)[:300]
        return self._block("beat_line", context, point=point)[:300]

    def _quote(self, context: dict[str, Any], points: dict[str, str | None]) -> str:
        persona = context["persona"]
        labels = {beat.id: beat.label for beat in persona.beats}
        parts = [self._block("opening", context)]
        for beat_id, point in points.items():
            if point is None:
                label = labels.get(beat_id, "Pricing")
                parts.append(self._block("pricing", context, label=label))
            elif point:
                beat = next(b for b in persona.beats if b.id == beat_id)
                parts.append(self._block("beat", context, beat=beat, point=_stopped(point)))
        tail = [self._block("untested", context), self._block("closing", context)]
        criterion = persona.ship_when if context["verdict"] == "ship" else persona.skip_when
        if len(criterion) <= MAX_BAR_CHARS:  # the persona's own bar, in its words
            parts.append(self._block("bar", context, criterion=criterion))
        kept: list[str] = []
        for part in parts:  # whole sentences only, within the page's length
            if len(" ".join([*kept, part, *tail])) > MAX_QUOTE_CHARS:
                continue
            kept.append(part)
        return " ".join([*kept, *tail])

    def _block(self, name: str, context: dict[str, Any], **extra: Any) -> str:
        block = self._template.blocks[name]
        rendered = "".join(block(self._template.new_context({**context, **extra})))
        return " ".join(rendered.split())


def grade(text: str) -> dict[str, str]:
    """The offline grader (`--grader offline`), a deterministic stand-in, not a reader: the last
    sentence naming a ship or a skip makes the call, negations unread."""
    for sentence in reversed(_SENTENCE_END.split(text.strip())):
        found = _CALL_WORD.findall(sentence)
        if found:
            return {"call": found[-1].lower(), "words": sentence.strip()[:GRADER_WORDS]}
    return {"call": "none", "words": ""}


def _lower_first(text: str) -> str:
    """A card's sentence set inside ours: its first letter lowered unless it starts a name."""
    text = str(text)
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _trim_stop(text: str) -> str:
    return str(text).rstrip(" .;:,")


def _stopped(text: str) -> str:
    return _trim_stop(text) + "."


def _pick_options(schema: dict[str, Any]) -> list[str]:
    """The tool ids a `versus` pick may name, read from the wire schema (none: no comparison)."""
    versus = schema.get("properties", {}).get("versus", {})
    pick = versus.get("properties", {}).get("pick", {})
    return [str(option) for option in pick.get("enum", [])]


def _stems(text: str) -> set[str]:
    """The first five letters of each word of four letters or more, stop words aside: enough for
    "competitors" to meet "competition" and "pricing" to meet "price"."""
    from panel.record.stats import STOPWORDS

    return {word[:5] for word in _WORD.findall(text.lower()) if word not in STOPWORDS}
