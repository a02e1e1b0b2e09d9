"""What users write: tool cards, personas, panel files, the config, an editor's override.

Inputs forbid unknown fields so a typo in a hand-written file is reported rather than silently
ignored, and coerce nothing ("yes" is not a boolean, "3" not a number).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from panel.models.base import (
    Input,
    KeyFreeLongText,
    KeyFreeText,
    LongText,
    PublicLink,
    ShortText,
    Slug,
    Verdict,
)

# ---------------------------------------------------------------- tool cards


class Pricing(Input):
    entry: ShortText = Field(description='The pricing entry shown on the page: "Free", "Paid", ...')
    details: LongText | None = None


class ToolCard(Input):
    id: Slug = Field(description="Short stable name; defaults to the file name.")
    name: ShortText
    category: ShortText
    tagline: ShortText
    description: LongText
    pricing: Pricing
    links: dict[Slug, PublicLink] = Field(default_factory=dict, max_length=20)
    facts: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=30
    )
    hands_on: LongText | None = Field(
        default=None,
        description="What an editor actually did with the tool; reviewers claim hands-on use "
        "only from these notes.",
    )
    competitors: list[ShortText] | None = Field(
        default=None,
        max_length=12,
        description="Rivals the card's authors name; reviewers weigh them and name their own.",
    )


# ------------------------------------------------------------------ personas


class Beat(Input):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    label: ShortText
    ask: LongText = Field(description="What the review must say about this beat.")


class RubricBand(Input):
    low: int = Field(ge=1, le=10)
    high: int = Field(ge=1, le=10)
    meaning: LongText


class Persona(Input):
    id: Slug
    name: ShortText
    lens: ShortText
    voice: LongText
    cues: list[ShortText] = Field(
        default_factory=list,
        max_length=8,
        description="How this reviewer sounds on the page: habits of phrasing, not topics.",
    )
    exemplar: LongText | None = Field(
        default=None,
        description="A short quote in this reviewer's voice about an invented tool: "
        "a model of tone, never of content.",
    )
    beats: list[Beat] = Field(min_length=2, max_length=8)
    ship_when: LongText
    skip_when: LongText
    rubric: list[RubricBand] = Field(min_length=1)
    default_panel: bool = False

    @field_validator("beats")
    @classmethod
    def _unique_beats(cls, beats: list[Beat]) -> list[Beat]:
        ids = [beat.id for beat in beats]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"beat id repeated: {', '.join(duplicated)}")
        return beats

    @field_validator("rubric")
    @classmethod
    def _rubric_covers_one_to_ten(cls, bands: list[RubricBand]) -> list[RubricBand]:
        covered: list[int] = []
        for band in sorted(bands, key=lambda b: b.low):
            if band.low > band.high:
                raise ValueError(f"band {band.low}-{band.high} runs backwards")
            covered.extend(range(band.low, band.high + 1))
        if sorted(covered) != list(range(1, 11)):
            raise ValueError("bands must cover every score from 1 to 10 exactly once")
        return bands


class PanelFile(Input):
    """A panel to run: which tool cards (one for a review, two or more for a comparison), and
    optionally which personas."""

    title: KeyFreeText | None = None
    tools: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=1, max_length=64
    )
    personas: list[Slug] | None = Field(default=None, min_length=1)


class PanelConfig(Input):
    """Defaults from `panel.toml` or `[tool.panel]` in pyproject.toml; a flag overrides each."""

    model: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    personas: list[Slug] | None = Field(default=None, min_length=1)
    personas_dir: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    cache_dir: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    concurrency: int | None = Field(default=None, ge=1, le=256)
    max_cost: float | None = Field(default=None, gt=0, allow_inf_nan=False)


class Override(Input):
    """An editor's correction of one cell (an `[[override]]` entry of a run's overrides.toml)."""

    tool: Slug
    persona: Slug
    verdict: Verdict | None = None
    score: int | None = Field(default=None, ge=1, le=10)
    quote: KeyFreeLongText | None = None
    editor: KeyFreeText
    reason: KeyFreeText

    @model_validator(mode="after")
    def _changes_something(self) -> Override:
        if self.verdict is None and self.score is None and self.quote is None:
            raise ValueError("an override sets at least one of quote, verdict or score")
        return self
