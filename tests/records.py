"""Records for the page tests: a real offline run, and a long, hostile, incomplete one (of
two or more tools, or of one: a review).

The hostile record starts from an offline run and has its verdicts rewritten (as a model or
a careless card could write them); its aggregates are then recomputed, so its numbers are
what its cells add up to.
"""

from __future__ import annotations

from pathlib import Path

from panel.inputs.loading import choose_personas
from panel.models import CellResult, Persona, Record, ToolCard
from panel.providers.offline import OfflineProvider
from panel.record.aggregate import aggregate_record
from panel.running.orchestrator import RunOptions
from panel.running.response_cache import ResponseStore
from panel.running.runner import run_panel
from tests.helpers import run, spec_for

SCRIPT = "<script>alert(1)</script>"
LONG_WORD = "supercalifragilistic-" * 9 + "end"  # 192 characters, no break opportunity
LONG_URL = "https://example.com/" + "a" * 150 + "?q=" + "b" * 40

HOSTILE_DESCRIPTION = f"""A **bold** claim with `inline code`, a [safe link](https://example.com/docs)
and a [bad link](javascript:alert(1)). {SCRIPT} <img src=x onerror=alert(1)>

- a list item with `modal deploy --env production --name {LONG_WORD}`
- {LONG_URL}

```
a code block with a very long line: {"x" * 300}
```

# not a heading on the page
"""

HOSTILE_QUOTE = (
    "The primitive is a `cache_control` marker on a prompt block: **one flag**, and the "
    "second call reads the prefix at a tenth of the price. "
    f"{SCRIPT} and [click me](javascript:alert(document.cookie)) stay text. "
    f"The first-ten-minutes test: `pip install anthropic && python -c 'import anthropic'` "
    f"works, then `{LONG_WORD}` meets a wall of docs at {LONG_URL} with *one* worked example. "
    "Against Modal, Replicate and Baseten this is a different layer of the stack: nobody "
    "self-hosts a frontier model to save on cache reads. What breaks it is a prompt that "
    "changes in its first thousand tokens, where every call pays the write premium and "
    "nothing is ever read back; an agent loop that reorders its tools per turn hits exactly "
    "that. The decision that earns the call: usage figures report cache reads and writes "
    "per response, so the saving is measured, not promised. Backticks ` left open, and "
    "** unclosed stars, must not swallow the rest of the quote."
)


def offline_record(personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path) -> Record:
    spec = spec_for(choose_personas(personas, None), cards)
    return run(run_panel(spec, OfflineProvider(), ResponseStore(tmp_path / "c"), RunOptions()))


def rebuilt(record: Record, cells: list[CellResult]) -> Record:
    """The record with these cells, its aggregates and completeness recomputed from them."""
    aggregates = aggregate_record(record, cells)
    ok = sum(1 for c in cells if c.status == "ok")
    totals = record.totals.model_copy(update={"cells": len(cells), "cells_ok": ok})
    complete = ok == len(cells)
    return record.model_copy(
        update={"cells": cells, "aggregates": aggregates, "totals": totals, "complete": complete}
    )


def hostile_cards(cards: list[ToolCard]) -> list[ToolCard]:
    first = cards[0].model_copy(
        update={
            "name": f"Evil {SCRIPT} " + "Very Long Tool Name " * 6,
            "tagline": '"><img src=x onerror=alert(1)> ' + LONG_WORD,
            "description": HOSTILE_DESCRIPTION,
            "links": {"homepage": "javascript:alert(1)", "docs": LONG_URL},
        }
    )
    third = cards[1].model_copy(update={"id": "third-tool", "name": "A Third Tool With **Stars**"})
    return [first, cards[1], third]


def _hostile_verdict(cell: CellResult, tools: list[str], pick: str) -> dict[str, object]:
    verdict = dict(cell.verdict or {})
    notes = verdict.get("beats")
    keys = list(notes) if isinstance(notes, dict) else []
    beats = {key: f"`{key}` note with **bold** and {SCRIPT} {LONG_WORD}" for key in keys}
    verdict.update(
        headline=f"**{SCRIPT}** headline in `code` " + LONG_WORD[:60],
        quote=HOSTILE_QUOTE,
        beats=beats,
        competitors=["Modal", "Replicate", LONG_WORD[:80], SCRIPT],
        versus={"pick": pick, "why": f"`{SCRIPT}` **because** {LONG_WORD}"},
    )
    return verdict


def hostile_record(personas: dict[str, Persona], cards: list[ToolCard], tmp_path: Path) -> Record:
    """Three tools, five reviewers, long Markdown text with HTML and bad links, one failed cell
    with a long error, and a flagged cell."""
    spec = spec_for(list(personas.values()), hostile_cards(cards))
    base = run(run_panel(spec, OfflineProvider(), ResponseStore(tmp_path / "h"), RunOptions()))
    tools = [t.id for t in base.tools]
    order = [p.id for p in base.personas]
    cells = []
    for index, cell in enumerate(base.cells):
        if index == 3:
            cells.append(_failed(cell))
            continue
        # each reviewer sticks to one pick, except the last, whose picks differ by review
        seat = order.index(cell.persona)
        pick = tools[(index if seat == len(order) - 1 else seat) % len(tools)]
        update: dict[str, object] = {"verdict": _hostile_verdict(cell, tools, pick)}
        if index == 0:
            update["flags"] = [f"the quote reads as a skip under a ship verdict: {SCRIPT}"]
        cells.append(cell.model_copy(update=update))
    return rebuilt(base, cells)


def _failed(cell: CellResult) -> CellResult:
    """The cell as failed, with a long error holding markup."""
    error = f"cell {cell.persona} × {cell.tool}: {SCRIPT} " + LONG_WORD * 3
    return cell.model_copy(update={"status": "failed", "verdict": None, "error": error})


def hostile_review(personas: dict[str, Persona], card: ToolCard, tmp_path: Path) -> Record:
    """A review of one hostile tool (its rivals hostile too) by five reviewers, with long
    Markdown text, HTML and bad links, one failed cell with a long error, and a flagged cell."""
    tool = hostile_cards([card, card])[0].model_copy(
        update={"competitors": ["Modal", f"{SCRIPT} **Rival**", LONG_WORD[:150]]}
    )
    spec = spec_for(list(personas.values()), [tool])
    base = run(run_panel(spec, OfflineProvider(), ResponseStore(tmp_path / "r"), RunOptions()))
    cells = []
    for index, cell in enumerate(base.cells):
        if index == 3:
            cells.append(_failed(cell))
            continue
        verdict = _hostile_verdict(cell, [tool.id], tool.id)
        del verdict["versus"]  # a review of one tool picks no tool
        update: dict[str, object] = {"verdict": verdict}
        if index == 0:
            update["flags"] = [f"the quote reads as a skip under a ship verdict: {SCRIPT}"]
        cells.append(cell.model_copy(update=update))
    return rebuilt(base, cells)
