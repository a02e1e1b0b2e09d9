"""The panel's record (a comparison, or a review of one tool): the cells aggregated per tool,
totals, statistics, the estimate.

The aggregator and the renderers see only these final, validated objects.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from panel.models.base import SCHEMA_VERSION, Measured, ShortText, Slug, StoredUrl, Strict, Verdict
from panel.models.inputs import Persona, ToolCard
from panel.models.verdicts import CellResult, Usage

Day = date  # a field below is named `date`


def _in_utc(when: datetime) -> datetime:
    """A time with its zone, held in UTC: `9999-12-31T23:59-05:00` has no UTC time, so it is
    refused here rather than crashing the digest that converts it."""
    try:
        return when.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is out of range once converted to UTC") from exc


def _redacted(text: str) -> str:
    from panel.secrets import redact

    return redact(text)


def _not_ahead(when: datetime) -> datetime:
    """A run is dated when it starts: a record dated later than tomorrow was edited by hand (it
    would head every listing and every weekly digest for ever). A clock a little fast is fine."""
    if when > datetime.now(UTC) + timedelta(days=1):
        raise ValueError("is in the future; a run is dated when it starts")
    return when


UtcTime = Annotated[AwareDatetime, AfterValidator(_in_utc), AfterValidator(_not_ahead)]
MAX_VOTES = 10**9  # more readers than any site has: a bigger count is a typo or an attack


class CommunityVote(Strict):
    """Readers' votes on one tool, from a votes file (CSV or JSON)."""

    tool: Slug
    ship: Annotated[int, Field(strict=True, ge=0, le=MAX_VOTES)]
    skip: Annotated[int, Field(strict=True, ge=0, le=MAX_VOTES)]
    source: ShortText | None = None
    date: Day | None = None

    @property
    def ship_pct(self) -> float | None:
        total = self.ship + self.skip
        return round(100 * self.ship / total, 1) if total else None


# --------------------------------------------------------------- aggregation


class ToolSummary(Strict):
    """One tool's verdicts, counted over every reviewer on the panel (a missing verdict counts
    as no ship, and is named)."""

    tool: Slug
    reviewers: int = Field(description="Reviewers on the panel for this tool.")
    answered: int
    ships: int
    skips: int
    missing: list[Slug] = Field(default_factory=list, description="Reviewers with no verdict.")
    ship_pct: float | None = Field(description="ships / reviewers on the panel, in percent.")
    tally: str = Field(default="", description='The count as shown: "3/4 ship (1 missing)".')
    split: str
    mean_score: float | None
    score_spread: float | None
    dissenters: list[Slug]
    picks: int = Field(default=0, description="Reviewers who would pick this tool.")


class PersonaPreference(Strict):
    persona: Slug
    preferred: Slug | None
    margin: float | None
    note: str
    pick: Slug | None = Field(default=None, description="The tool this reviewer would pick.")
    pick_note: str = ""


class OverallCall(Strict):
    winner: Slug | None
    reason: str
    rule: str = Field(default="", description="How the call is made, as printed on the page.")


class ReviewCall(Strict):
    """A one-tool review's call: the verdict of a majority of the whole panel, if any."""

    tool: Slug
    verdict: Verdict | None = Field(
        description="ship or skip; none while a verdict is missing or when the panel splits."
    )
    headline: str = Field(description='The call as printed: "Ship: 3 of 4 reviewers".')
    reason: str
    rule: str = Field(default="", description="How the call is made, as printed on the page.")


class PanelCall:
    """The panel's call read from `overall` (a comparison) or `call` (a one-tool review): shared
    by the record's aggregates and the light summary `panel runs` reads."""

    if TYPE_CHECKING:
        overall: OverallCall | None
        call: ReviewCall | None

    @property
    def winner(self) -> str | None:
        """The comparison's winner; none in a one-tool review, which has no winner."""
        return self.overall.winner if self.overall else None

    @property
    def call_line(self) -> str:
        """The panel's call in one line: the overall call's reason, or the one tool's call."""
        if self.call is not None:
            return f"{self.call.headline} ({self.call.reason})"
        return self.overall.reason if self.overall else "no call"


class Aggregates(PanelCall, Strict):
    tools: list[ToolSummary]
    personas: list[PersonaPreference] = Field(
        description="Each reviewer's preference among the tools (none in a one-tool review)."
    )
    overall: OverallCall | None = Field(
        default=None, description="A comparison's overall call; none in a one-tool review."
    )
    call: ReviewCall | None = Field(
        default=None, description="A one-tool review's call on its tool; none in a comparison."
    )

    @model_validator(mode="after")
    def _one_kind_of_call(self) -> Aggregates:
        """A comparison has an overall call and a one-tool review its call, never both."""
        single = len(self.tools) == 1
        if single and self.overall is not None:
            raise ValueError("a one-tool review has no overall call (see `call`)")
        if not single and self.call is not None:
            raise ValueError("only a one-tool review has a `call`")
        if len(self.tools) > 1 and self.overall is None:
            raise ValueError("a comparison needs its overall call")
        return self


class Totals(Strict):
    usage: Usage
    cost_usd: float | None
    cost_without_cache_usd: float | None
    saved_usd: float | None
    cached_input_share: float | None
    spend_this_run_usd: float | None
    wall_seconds: Measured  # the only total not derived from the cells: checked as read
    cells: int
    cells_ok: int
    cells_from_cache: int
    grader_cost_usd: float | None = Field(
        default=None, description="What the model-graded checks cost, included in cost_usd."
    )


class ModelInfo(Strict):
    provider: str
    model: str
    label: Annotated[str, AfterValidator(_redacted)]  # may name a gateway URL
    is_language_model: bool
    batch: bool = Field(
        default=False, description="Cells went through the provider's batch API, at batch prices."
    )
    endpoint: StoredUrl | None = Field(
        default=None, description="The API base URL called, without credentials (none: offline)."
    )


class TemplateDigest(Strict):
    name: str
    sha256: str
    text: str


# ------------------------------------------------ how sure: statistics, cost estimate


class CellConsensus(Strict):
    """One persona x tool cell over its samples (and both tool orders with --balance-order)."""

    persona: Slug = Field(description="The reviewer.")
    tool: Slug = Field(description="The tool reviewed.")
    samples: int = Field(description="Results of this cell: samples x tool orders.")
    answered: int = Field(description="Of them, those with a verdict.")
    verdict: Verdict | None = Field(description="The majority verdict; none on a tie.")
    agreement: str = Field(description='Answers agreeing with the majority, e.g. "2/3".')
    mean_score: float | None = Field(description="Mean score of the answers.")
    score_spread: float | None = Field(description="Population standard deviation.")
    disagrees: bool = Field(description="The cell's samples do not all give the same verdict.")


class ToolStatistics(Strict):
    """A tool's figures with 95% intervals over reviewers (a reviewer's samples are not
    independent ratings: each reviewer counts once, as in the ship % of the aggregates)."""

    tool: Slug = Field(description="The tool.")
    ratings: int = Field(description="Answered verdicts: reviewers x samples.")
    ships: int = Field(description="Ratings that ship.")
    ship_pct: float | None = Field(
        description="Reviewers whose majority ships / the panel's reviewers, in percent (a "
        "missing or undecided verdict counts as not-ship); the aggregates' ship %."
    )
    ship_pct_low: float | None = Field(
        description="Wilson 95% interval of ship_pct over the reviewers, lower bound (percent)."
    )
    ship_pct_high: float | None = Field(
        description="Wilson 95% interval of ship_pct over the reviewers, upper bound (percent)."
    )
    reviewers: int | None = Field(
        default=None, description="The interval's denominator: the panel's reviewers."
    )
    reviewer_ships: int | None = Field(
        default=None, description="Reviewers whose majority ships (the interval's numerator)."
    )
    missing: int | None = Field(
        default=None, description="Reviewers with no verdict, counted as not-ship."
    )
    mean_score: float | None = Field(description="Mean score over the ratings.")
    mean_score_low: float | None = Field(
        description="Percentile bootstrap 95% interval over reviewers (their samples drawn "
        "together), lower."
    )
    mean_score_high: float | None = Field(description="The same interval, upper.")


class OrderFlip(Strict):
    """A cell whose majority verdict changes with the tools' order in the prompt."""

    persona: Slug = Field(description="The reviewer.")
    tool: Slug = Field(description="The tool reviewed.")
    listed: Verdict = Field(description="The majority verdict with the tools as listed.")
    reversed: Verdict = Field(description="The majority verdict with the tools reversed.")


class QuoteSimilarity(Strict):
    """Two personas' quotes on the same tool, and how alike they are."""

    tool: Slug = Field(description="The tool both quotes are about.")
    personas: list[Slug] = Field(min_length=2, max_length=2, description="The two reviewers.")
    similarity: float = Field(description="Token-set Jaccard of the quotes' content words, 0-1.")
    collapsed: bool = Field(description="At or above `collapse_threshold`: the voices merge.")


class PanelStatistics(Strict):
    """How sure the panel is (see panel.record.consensus and panel.record.stats)."""

    samples: int = Field(ge=1, description="Times each cell was asked (--samples).")
    balance_order: bool = Field(description="Each cell also asked with the tools reversed.")
    tool_order: list[Slug] = Field(description="The tools' order in the prompt's prefix.")
    cells: list[CellConsensus] = Field(description="Each cell over its samples.")
    tools: list[ToolStatistics] = Field(description="Each tool's figures with 95% intervals.")
    fleiss_kappa: float | None = Field(
        description="Agreement of the personas' majority verdicts across tools beyond chance."
    )
    fleiss_kappa_note: str = Field(description="Why the kappa is undefined, or what it left out.")
    fleiss_kappa_subjects: int = Field(description="Tools the kappa was computed over.")
    order_flips: list[OrderFlip] = Field(description="With --balance-order: verdicts that flip.")
    bootstrap_resamples: int = Field(description="Resamples behind each bootstrap interval.")
    bootstrap_seed: int = Field(description="Seed of the bootstrap, so the record reproduces.")
    collapse_threshold: float = Field(description="Quote similarity from which voices merge.")
    quote_similarity: list[QuoteSimilarity] = Field(
        description="Every pair of reviewers' quotes on the same tool (persona collapse)."
    )


class CostEstimate(Strict):
    """A panel's cost before any model call (panel run --dry-run; every paid run records it)."""

    cells: int = Field(description="Calls the panel needs: personas x tools x samples x orders.")
    calls: int = Field(description="Of them, calls to the model (the rest are in the cache).")
    from_response_cache: int = Field(description="Cells the response cache already holds.")
    input_tokens: int = Field(description="Input tokens of the calls, prefix included.")
    prefix_tokens: int = Field(description="Tokens of the shared prefix, per call.")
    expected_output_tokens: int = Field(description="Output tokens expected over every call.")
    max_output_tokens: int = Field(description="Output tokens if every call ran to max_tokens.")
    token_counting: str = Field(description="How input tokens were found: counted or approximated.")
    warm_up: bool = Field(description="Priced with one prefix write per prefix, then reads.")
    price_known: bool = Field(description="False: no known price, so the cost is unknown.")
    estimated_cost_usd: float | None = Field(description="Expected dollars; none without a price.")
    worst_case_cost_usd: float | None = Field(
        description="Every call writes its prefix to the cache and runs to max_tokens."
    )


class Record(Strict):
    schema_version: Literal[2] = SCHEMA_VERSION
    run_id: str
    # With its time zone: a naive time cannot be compared with panel's own (UTC) ones, so a
    # record planted without one is refused on load, by validate and every command alike.
    created_at: UtcTime
    title: str
    model: ModelInfo
    settings: dict[str, object] = Field(default_factory=dict)
    tools: list[ToolCard] = Field(
        min_length=1, description="The tools reviewed: one for a review, two or more compared."
    )
    personas: list[Persona] = Field(min_length=1)
    templates: list[TemplateDigest]
    cells: list[CellResult]
    aggregates: Aggregates
    totals: Totals
    community_votes: dict[Slug, CommunityVote | None] = Field(default_factory=dict)
    complete: bool
    statistics: PanelStatistics | None = Field(
        default=None, description="Samples, intervals, agreement, order and voice checks."
    )
    estimate: CostEstimate | None = Field(
        default=None, description="What the run was expected to cost before its first call."
    )
