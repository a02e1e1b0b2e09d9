"""The model-graded check (`--grader`): a small model says what call a cell's quote makes.

The rules (`panel.running.checks`) stay the first filter and the offline path:
a quote whose own call the rules find, firmly and with nothing against it,
needs no grader. Any other accepted verdict gets one small structured call
(the quote fenced as untrusted data and a short instruction from
`prompts/grader.j2`, never the panel's long shared prefix) through the same
provider stack as the cells, so the response cache, `--max-cost` and
`--batch` count it like any other request. When the grader reads the
opposite of the verdict, the cell gets its one re-ask, quoting the grader's
words. A grader that cannot answer never costs the cell its verdict: the
reason is kept in the record instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import ValidationError

from panel.errors import CellFailure, ProviderError
from panel.inputs.prompts import PromptSet
from panel.inputs.schema import strictify
from panel.models import (
    QUOTE_ACCEPTED_CHARS,
    Cost,
    GraderEntry,
    GraderReply,
    Grading,
    ModelInfo,
    Usage,
    VerdictBase,
)
from panel.providers.base import Finished, Provider, Restarted, StructuredRequest, TextDelta
from panel.providers.pricing import CHARS_PER_TOKEN, cost_of
from panel.running.checks import Checked
from panel.running.response_cache import ResponseStore, grader_key

# The longest answer, {"call": "none", "words": "<GRADER_WORDS_CHARS>"}, is about 45 tokens (JSON
# runs about 3 characters a token); the rest is room for the little reasoning a minimal effort
# may still do (gpt-5-nano). Only a reservation: a call is billed what it writes.
GRADER_MAX_TOKENS = 96
EXPECTED_OUTPUT_TOKENS = 15  # {"call": "none", "words": ""} is 8; a call and its words, 15 to 25
# The longest text a grader reads: the longest headline and quote a verdict may have, generously.
LONGEST_GRADED_CHARS = 120 + QUOTE_ACCEPTED_CHARS[1]
OPPOSITE = {"ship": "skip", "skip": "ship"}


Costs = tuple[float | None, float | None]  # expected, worst case; None: no known price


@cache
def grader_schema() -> dict[str, Any]:
    """The grader's output schema, strict for both providers (`strict_problems` finds none), and
    bare: no titles or descriptions, which both APIs bill as input on every grader call while
    `prompts/grader.j2` already says what the fields hold."""
    bare: dict[str, Any] = _without_prose(strictify(GraderReply.model_json_schema()))
    return bare


def _without_prose(node: Any) -> Any:
    if isinstance(node, list):
        return [_without_prose(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: (
            {name: _without_prose(sub) for name, sub in value.items()}
            if key == "properties"
            else _without_prose(value)
        )
        for key, value in node.items()
        if key not in ("title", "description")
    }


@dataclass(frozen=True)
class Grader:
    """Which model grades, and the prompt set holding its template."""

    model: str
    prompts: PromptSet

    def request(self, cell: StructuredRequest, verdict: VerdictBase) -> StructuredRequest:
        text = f"{verdict.headline}\n\n{verdict.quote}"
        return StructuredRequest(
            cell=f"{cell.cell} (grader)",
            system=self.prompts.grader("system", cell.tool, text),
            prompt=self.prompts.grader("prompt", cell.tool, text),
            schema=grader_schema(),
            persona=cell.persona,
            tool=cell.tool,
            panel_key=cell.panel_key,
            max_tokens=GRADER_MAX_TOKENS,
            model=self.model,
            graded=text,
        )

    def estimate(self, info: ModelInfo, cell: StructuredRequest, quote_tokens: int) -> Costs:
        """What grading this cell costs: expected (a quote of `quote_tokens`) and at worst (the
        longest quote, all of `GRADER_MAX_TOKENS`); None where the grader's price is unknown."""
        frame = self.prompts.grader("system", cell.tool, "") + self.prompts.grader(
            "prompt", cell.tool, ""
        )
        frame_tokens = (len(frame) + len(json.dumps(grader_schema()))) // CHARS_PER_TOKEN
        expected = Usage(
            input_tokens=frame_tokens + quote_tokens, output_tokens=EXPECTED_OUTPUT_TOKENS
        )
        worst = Usage(
            input_tokens=frame_tokens + LONGEST_GRADED_CHARS // 3, output_tokens=GRADER_MAX_TOKENS
        )
        low, high = (
            cost_of(info.provider, self.model, u, batch=info.batch) for u in (expected, worst)
        )
        return (low.usd if low else None, high.usd if high else None)


@dataclass
class CellGrader:
    """The grader calls of one cell, through that cell's provider (budgeted, maybe batched)."""

    grader: Grader
    provider: Provider
    cell: StructuredRequest
    store: ResponseStore | None = None
    refresh: bool = False
    grading: Grading | None = field(default=None, init=False)

    async def __call__(self, verdict: VerdictBase) -> Grading:
        """Grade `verdict`'s words; the running totals of this cell's grader calls."""
        request = self.grader.request(self.cell, verdict)
        key = grader_key(self.provider.info, request)
        stored = None if self.refresh or self.store is None else self.store.get_grading(key)
        grading = self.grading or Grading(model=self.grader.model)
        if stored is not None:
            grading = grading.model_copy(
                update={"call": stored.call, "words": stored.words, "error": None}
            )
            self.grading = grading.model_copy(update={"from_cache": grading.from_cache + 1})
            return self.grading
        reply, usage, error = await self._ask(request)
        total = grading.usage + usage
        self.grading = grading.model_copy(
            update={
                "call": reply.call if reply else None,
                "words": reply.words if reply else "",
                "usage": total,
                "cost": self._cost(total, request),
                "calls": grading.calls + 1,
                "error": error,
            }
        )
        if reply is not None and self.store is not None:
            entry = GraderEntry(
                key=key, model=self.grader.model, call=reply.call, words=reply.words, usage=usage
            )
            self.store.put_grading(entry)
        return self.grading

    async def _ask(
        self, request: StructuredRequest
    ) -> tuple[GraderReply | None, Usage, str | None]:
        chunks: list[str] = []
        finished: Finished | None = None
        try:
            async for event in self.provider.stream(request):
                if isinstance(event, Restarted):
                    chunks = []
                elif isinstance(event, TextDelta):
                    chunks.append(event.text)
                elif isinstance(event, Finished):
                    finished = event
        except (ProviderError, CellFailure) as exc:  # the cell keeps its verdict all the same
            return None, exc.usage or Usage(), f"not graded: {exc}"
        if finished is None or finished.stop_reason != "end":
            reason = finished.stop_reason if finished else "no final event"
            return None, finished.usage if finished else Usage(), f"not graded: {reason}"
        try:
            return GraderReply.model_validate_json("".join(chunks)), finished.usage, None
        except ValidationError:
            return None, finished.usage, "not graded: the grader's reply did not validate"

    def _cost(self, usage: Usage, request: StructuredRequest) -> Cost | None:
        info = self.provider.info
        return cost_of(
            info.provider, request.model or info.model, usage, cache_ttl="5m", batch=info.batch
        )


def reads_opposite(grading: Grading, verdict: VerdictBase) -> bool:
    return grading.call == OPPOSITE[verdict.verdict]


def grader_problem(grading: Grading, verdict: VerdictBase) -> str:
    """The re-ask's reason, quoting the words the grader read as the opposite call."""
    return (
        f'a reader takes the quote as a {grading.call} ("{grading.words}") but the verdict is '
        f"{verdict.verdict}: make the words and the verdict agree (naming the call is optional)"
    )


def settle(checked: Checked, grading: Grading, verdict: VerdictBase) -> bool:
    """The grader's reading decides the cell's re-ask; True when the re-ask is the grader's. The
    rules' contradictions are real prose's commonest misreadings (a call for a situation,
    someone else's advice, a rival's praise): one the grader does not read is not worth a re-ask,
    which could talk the reviewer out of a verdict; the editor sees it as a flag. A grader that
    could not answer leaves the rules'."""
    if reads_opposite(grading, verdict):
        checked.problem = grader_problem(grading, verdict)
        return True
    if checked.problem is not None and grading.call is not None and checked.against:
        stance, clause = checked.against
        reading = "no call" if grading.call == "none" else f'a {grading.call} ("{grading.words}")'
        checked.flags.append(
            f'the rules read "{clause}" as a {stance} under a {verdict.verdict} verdict; the '
            f"grader ({grading.model}) reads {reading}: not re-asked"
        )
        checked.problem = None
    return False


def needs_grading(grader: Grader, grading: Grading | None) -> bool:
    """A cached cell this grader has not read yet (none read it, or another model did)."""
    return grading is None or grading.model != grader.model or grading.call is None


# How the flags of `cached_cell_flags` begin: a cell graded again drops the earlier grader's.
CACHED_CELL_FLAG_STARTS = ("grader (", "the grader (")


def cached_cell_flags(grading: Grading, verdict: VerdictBase) -> list[str]:
    """A cell served from the response cache is graded but never re-asked: a reading against its
    verdict is left to the editor."""
    if grading.error:
        return [f"grader ({grading.model}) {grading.error}"]
    if not reads_opposite(grading, verdict):
        return []
    return [
        f'the grader ({grading.model}) reads a {grading.call} ("{grading.words}") under a '
        f"{verdict.verdict} verdict; not re-asked: the verdict came from the response cache "
        "(--refresh asks again)"
    ]


def grader_flags(grading: Grading | None, verdict: VerdictBase | None) -> list[str]:
    """What the editor sees of the grader: a re-ask it caused, or why it could not answer."""
    if grading is None:
        return []
    if grading.error:
        return [f"grader ({grading.model}) {grading.error}"]
    if grading.reasked and verdict is not None and not reads_opposite(grading, verdict):
        return [f"re-asked once: the grader ({grading.model}) read the first reply the other way"]
    return []
