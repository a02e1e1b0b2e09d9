"""What listing runs and the digest's index, weekly page and feed read of a record, and the
digest's manifest of what each of its pages was built from.

A `RunSummary` is read straight from a record file, ignoring the rest of it (the cards, the
personas, every cell): listing 2,000 runs must not validate 2,000 whole records. What it does
read is checked as strictly as in the record; a record whose summary is wrong is skipped with a
line, as before.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from panel.models.base import Measured, Slug, Strict
from panel.models.record import (
    CommunityVote,
    OverallCall,
    PanelCall,
    ReviewCall,
    ToolSummary,
    UtcTime,
)


class _Part(BaseModel):
    """A part of a record read on its own: the fields it names, the rest ignored."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


class RunTool(_Part):
    id: Slug
    name: str


class RunModel(_Part):
    provider: str
    model: str
    is_language_model: bool


class RunAggregates(PanelCall, _Part):
    tools: list[ToolSummary]
    overall: OverallCall | None = None  # a comparison's
    call: ReviewCall | None = None  # a one-tool review's


class RunVerdict(_Part):
    verdict: str | None = None
    score: int | None = None
    versus: dict[str, object] | None = None  # the reviewer's pick, in a comparison


class RunCell(_Part):
    """What a cell adds to the figures a listing shows: who, which tool, its verdict and score
    (the editor's override laid over them), so those figures are checked, never trusted."""

    persona: str
    tool: str
    status: str
    verdict: RunVerdict | None = None
    override: RunVerdict | None = None

    # As the page shows the cell (`record.aggregate.Counted`): the editor's override laid over
    # the model's verdict word and score; the pick is the model's.
    @property
    def verdict_word(self) -> str | None:
        if self.status != "ok" or self.verdict is None:
            return None
        return (self.override and self.override.verdict) or self.verdict.verdict

    @property
    def score(self) -> int | None:
        if self.status != "ok" or self.verdict is None:
            return None
        return (self.override and self.override.score) or self.verdict.score

    @property
    def versus(self) -> dict[str, str]:
        versus = self.verdict.versus if self.status == "ok" and self.verdict else None
        if not isinstance(versus, dict) or not isinstance(versus.get("pick"), str):
            return {}
        return {"pick": str(versus["pick"]), "why": str(versus.get("why") or "")}


class RunPersona(_Part):
    id: Slug
    name: str


class RunTotals(_Part):
    """The totals a listing shows: the counts are checked against the cells; the dollars and
    seconds are at least never below zero, NaN or infinite (`panel runs --format json` printed
    NaN, which is no JSON)."""

    cells: int
    cells_ok: int
    cost_usd: Measured | None
    wall_seconds: Measured


class RunSummary(_Part):
    schema_version: int  # the current one, or one `record.store` migrates
    run_id: str
    created_at: UtcTime
    title: str
    model: RunModel
    tools: list[RunTool] = Field(min_length=1)
    personas: list[RunPersona] = Field(min_length=1)
    cells: list[RunCell]
    aggregates: RunAggregates
    totals: RunTotals
    community_votes: dict[Slug, CommunityVote | None] = Field(default_factory=dict)
    complete: bool


class SitePage(Strict):
    """One run's page in a digest site, and the record file it was built from."""

    source: str = Field(description="sha256 of the record's path: no local path in the site.")
    mtime_ns: int
    size: int
    inode: int
    page: str
    summary: RunSummary  # as read from the record
    votes: dict[Slug, CommunityVote | None] = Field(
        default_factory=dict, description="The readers' votes the page shows (a database's too)."
    )


class SiteManifest(Strict):
    """What a digest site was built from; the next build renders only what changed."""

    version: Literal[1] = 1
    built_by: str = Field(description="panel's version and its page templates' digest.")
    pages: list[SitePage]
