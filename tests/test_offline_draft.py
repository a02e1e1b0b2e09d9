"""The offline model's drafts: from the card, in the persona's beat order, labelled drafts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from panel.inputs.loading import load_personas, load_tool_card
from panel.models import QUOTE_ACCEPTED_CHARS, Persona, Pricing, ToolCard
from panel.providers.offline import OfflineProvider
from panel.running.checks import ReviewCheck
from panel.running.runner import plan_cells
from tests.helpers import spec_for

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CARDS = ("claw-code", "modal-gpu-inference", "claude-api-streaming-caching")


def _drafts(
    personas: list[Persona], card: ToolCard, samples: int = 4
) -> list[tuple[Persona, dict[str, Any]]]:
    provider = OfflineProvider()
    plans = plan_cells(spec_for(personas, [card], samples=samples), provider)
    return [(plan.persona, provider.reply(plan.request)) for plan in plans]


def test_every_draft_reads_the_card_not_the_instructions() -> None:
    personas = list(load_personas().values())
    for name in CARDS:
        card = load_tool_card(EXAMPLES / f"{name}.toml")
        for persona, reply in _drafts(personas, card):
            quote = reply["quote"]
            low, high = QUOTE_ACCEPTED_CHARS
            assert low <= len(quote) <= high, (persona.id, len(quote))
            assert not any(beat.ask in quote for beat in persona.beats)  # no instruction repeated
            assert "For a real reviewer" not in quote
            assert card.pricing.entry in quote  # the pricing, somewhere
            assert any(fact in quote for fact in card.facts)  # the card's own facts
            # the beats that have something to say, in the persona's order
            places = [quote.find(f"{beat.label}:") for beat in persona.beats]
            found = [place for place in places if place >= 0]
            assert len(found) >= 2 and found == sorted(found)
            bar = persona.ship_when if reply["verdict"] == "ship" else persona.skip_when
            assert bar[1:].rstrip(".") in quote  # the persona's own bar for its call
            assert reply["headline"].startswith("[offline draft]")
            assert all("offline draft" in note for note in reply["beats"].values())


def test_every_draft_passes_the_checks_with_its_own_verdict() -> None:
    personas = list(load_personas().values())
    verdicts = set()
    for name in CARDS:
        card = load_tool_card(EXAMPLES / f"{name}.toml")
        for persona, reply in _drafts(personas, card):
            plans = plan_cells(spec_for([persona], [card]), OfflineProvider())
            verdict = plans[0].model.model_validate(reply)
            checked = ReviewCheck(card)(verdict)
            assert checked.problem is None and checked.flags == [], (persona.id, checked)
            assert checked.agrees  # its own call, firmly made: no grader needed
            verdicts.add(verdict.verdict)
    assert verdicts == {"ship", "skip"}


def test_a_bare_card_still_gives_a_draft_the_page_can_hold() -> None:
    bare = ToolCard(
        id="bare",
        name="Bare",
        category="Dev",
        tagline="A tool",
        description="It does one thing.",
        pricing=Pricing(entry="Free"),
    )
    for _persona, reply in _drafts(list(load_personas().values()), bare, samples=2):
        assert QUOTE_ACCEPTED_CHARS[0] <= len(reply["quote"]) <= QUOTE_ACCEPTED_CHARS[1]
        assert "It does one thing." in reply["quote"] or "Free" in reply["quote"]


def test_drafts_are_deterministic() -> None:
    card = load_tool_card(EXAMPLES / "claw-code.toml")
    personas = list(load_personas().values())
    assert _drafts(personas, card) == _drafts(personas, card)


def test_a_beat_gets_the_card_point_that_speaks_to_it() -> None:
    """The date goes to a beat about timing, a rival named to one about competitors, a price to
    one about price; the rest in turn."""
    card = ToolCard(
        id="quill",
        name="Quill",
        category="Dev",
        tagline="A notes app for teams",
        description="Quill keeps a team's notes in one searchable place. "
        "It syncs over the network in under a second.",
        facts=[
            "Launched in March 2026.",
            "Imports pages from Notion and Confluence.",
            "Seats cost half the usual price.",
        ],
        competitors=["Notion", "Confluence"],
        pricing=Pricing(entry="Paid"),
    )
    personas = load_personas()
    beats: dict[str, str] = {}
    for persona_id in ("futurist", "skeptic", "business-analyst"):
        for _persona, reply in _drafts([personas[persona_id]], card, samples=1):
            beats.update(reply["beats"])
    assert beats["timing"].startswith("Launched in March 2026")
    assert beats["competitors"].startswith("Imports pages from Notion and Confluence")
    assert beats["price_drop"].startswith("Seats cost half the usual price")
