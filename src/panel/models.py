"""Every piece of data panel reads or writes, as pydantic models.

Inputs (tool cards, personas, panels) forbid unknown fields so a typo in a
hand-written file is reported rather than silently ignored. The record and
its parts are what the aggregator and the renderers see: final, validated.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION: Literal[1] = 1

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Input(Strict):
    """Hand-written input: no coercion either ("yes" is not a boolean, "3" not a number)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, strict=True, defer_build=True
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
    links: dict[Slug, Annotated[str, Field(max_length=500)]] = Field(default_factory=dict)
    facts: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=30
    )
    hands_on: LongText | None = Field(
        default=None,
        description="What an editor actually did with the tool; reviewers claim hands-on use "
        "only from these notes.",
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
    """A comparison to run: which tool cards, and optionally which personas."""

    title: ShortText | None = None
    tools: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=2, max_length=64
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


# ------------------------------------------------------------------- verdicts

Verdict = Literal["ship", "skip"]
Confidence = Literal["low", "medium", "high"]

# The page fits a quote of about 250 to 1,200 characters (the reference pages run 276 to 1,133).
# The model is asked for that range; a reply is accepted within a tenth either side of it, so a
# near miss is not worth a re-ask.
QUOTE_TARGET_CHARS = (250, 1200)
QUOTE_ACCEPTED_CHARS = (225, 1320)


class Versus(Strict):
    """In a multi-tool panel: the tool this reviewer would pick for their own use, and why."""

    pick: str = Field(description="The id of the tool you would pick for your own use.")
    why: str = Field(min_length=3, max_length=200, description="One line: why that tool, for you.")

    @field_validator("why")
    @classmethod
    def _one_line(cls, why: str) -> str:
        return " ".join(why.split())


class VerdictBase(Strict):
    """The common verdict. Field order is the streaming order: the reasoning (beats,
    competitors, the pick) before the decision (verdict, score), then the quote.

    `beats` is replaced by each persona's own model; `versus` is required, and its pick
    limited to the panel's tools, in a panel of two or more tools (see `inputs.schema`).
    """

    beats: dict[str, str] = Field(description="One terse note per beat of your role.")
    competitors: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        max_length=8, description="The competitors you weigh, as short names."
    )
    versus: Versus | None = Field(
        default=None, description="The tool you would pick for your own use, and why."
    )
    verdict: Verdict = Field(description="ship or skip.")
    score: int = Field(ge=1, le=10, description="1 to 10, following your rubric.")
    confidence: Confidence = Field(description="How sure you are: low, medium or high.")
    headline: str = Field(
        min_length=3, max_length=120, description="One line, at most 120 characters."
    )
    quote: str = Field(
        description=(
            f"The review as printed, {QUOTE_TARGET_CHARS[0]} to {QUOTE_TARGET_CHARS[1]} "
            "characters, in your voice."
        )
    )

    @field_validator("quote")
    @classmethod
    def _quote_fits_the_page(cls, quote: str) -> str:
        quote = quote.strip()
        low, high = QUOTE_ACCEPTED_CHARS
        if not low <= len(quote) <= high:
            raise ValueError(
                f"quote has {len(quote)} characters; the page needs "
                f"{QUOTE_TARGET_CHARS[0]} to {QUOTE_TARGET_CHARS[1]}"
            )
        return quote


# ---------------------------------------------------------------- run results


class Usage(Strict):
    """Token counts as the provider reported them; input excludes cache reads and writes.

    `reported` is false when a server sent no usage at all (Ollama ignores `include_usage`):
    the counts are then unknown, not zero, and no cost is derived from them.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    reported: bool = Field(default=True, description="False when the server reported no usage.")

    @property
    def total_input_tokens(self) -> int:
        return self.input_tokens + self.cache_write_tokens + self.cache_read_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            reported=self.reported and other.reported,
        )


class Cost(Strict):
    """Dollars for a call, and what the same tokens would have cost with no prompt cache."""

    usd: float
    usd_without_cache: float

    @property
    def saved_usd(self) -> float:
        return self.usd_without_cache - self.usd


class Override(Input):
    """An editor's correction of one cell (an `[[override]]` entry of a run's overrides.toml)."""

    tool: Slug
    persona: Slug
    verdict: Verdict | None = None
    score: int | None = Field(default=None, ge=1, le=10)
    quote: LongText | None = None
    editor: ShortText
    reason: ShortText

    @model_validator(mode="after")
    def _changes_something(self) -> Override:
        if self.verdict is None and self.score is None and self.quote is None:
            raise ValueError("an override sets at least one of quote, verdict or score")
        return self


Day = date  # a field below is named `date`


class CommunityVote(Strict):
    """Readers' votes on one tool, from a votes file (CSV or JSON)."""

    tool: Slug
    ship: Annotated[int, Field(strict=True, ge=0)]
    skip: Annotated[int, Field(strict=True, ge=0)]
    source: ShortText | None = None
    date: Day | None = None

    @property
    def ship_pct(self) -> float | None:
        total = self.ship + self.skip
        return round(100 * self.ship / total, 1) if total else None


# refused: the model declined (billed, not re-asked); failed: no verdict for any other reason.
CellStatus = Literal["ok", "failed", "refused", "skipped"]
ToolOrder = Literal["listed", "reversed"]


class CellResult(Strict):
    persona: Slug
    tool: Slug
    status: CellStatus
    verdict: dict[str, object] | None = None
    error: str | None = None
    usage: Usage = Field(default_factory=Usage)
    cost: Cost | None = None
    from_cache: bool = Field(
        default=False, description="Answered by the response cache: no call, no spend this run."
    )
    attempts: int = 0
    seconds_to_verdict: float | None = None
    seconds_total: float | None = None
    flags: list[str] = Field(
        default_factory=list,
        description="What the editor should check before publishing (mixed signals, claims).",
    )
    batch: bool = Field(
        default=False, description="Asked through the provider's batch API, billed at batch prices."
    )
    sample: int = Field(
        default=0, ge=0, description="Which repeat of the cell this is (--samples), from 0."
    )
    order: ToolOrder = Field(
        default="listed",
        description="The tools' order in the prompt: \"listed\" is the order of the record's "
        '`tools`, "reversed" the opposite (--balance-order asks every cell in both).',
    )
    override: Override | None = Field(
        default=None, description="An editor's correction; `verdict` keeps the model's own."
    )

    def edited(self) -> CellResult:
        """This cell as published: the model's verdict with the editor's override laid over it."""
        if self.override is None or self.verdict is None:
            return self
        changes = self.override.model_dump(include={"verdict", "score", "quote"}, exclude_none=True)
        return self.model_copy(update={"verdict": {**self.verdict, **changes}})

    @model_validator(mode="after")
    def _ok_cells_carry_a_verdict(self) -> CellResult:
        """A cell marked ok has a verdict word and a score, whatever file it was read from."""
        if self.status == "ok":
            verdict = self.verdict or {}
            if verdict.get("verdict") not in ("ship", "skip"):
                raise ValueError("an ok cell needs verdict.verdict 'ship' or 'skip'")
            score = verdict.get("score")
            if type(score) is not int or not 1 <= score <= 10:
                raise ValueError(f"an ok cell needs verdict.score from 1 to 10, not {score!r}")
        return self

    @property
    def verdict_word(self) -> str | None:
        return str(self.verdict["verdict"]) if self.status == "ok" and self.verdict else None

    @property
    def score(self) -> int | None:
        return int(self.verdict["score"]) if self.status == "ok" and self.verdict else None  # type: ignore[call-overload]

    @property
    def versus(self) -> dict[str, str]:
        """The reviewer's pick among the panel's tools and why ({} when there is none)."""
        versus = self.verdict.get("versus") if self.status == "ok" and self.verdict else None
        if not isinstance(versus, dict) or not isinstance(versus.get("pick"), str):
            return {}
        return {"pick": str(versus["pick"]), "why": str(versus.get("why") or "")}


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


class Aggregates(Strict):
    tools: list[ToolSummary]
    personas: list[PersonaPreference]
    overall: OverallCall


class Totals(Strict):
    usage: Usage
    cost_usd: float | None
    cost_without_cache_usd: float | None
    saved_usd: float | None
    cached_input_share: float | None
    spend_this_run_usd: float | None
    wall_seconds: float
    cells: int
    cells_ok: int
    cells_from_cache: int


class ModelInfo(Strict):
    provider: str
    model: str
    label: str
    is_language_model: bool
    batch: bool = Field(
        default=False, description="Cells went through the provider's batch API, at batch prices."
    )
    endpoint: str | None = Field(
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
    """A tool's figures over every answered sample of every reviewer, with 95% intervals."""

    tool: Slug = Field(description="The tool.")
    ratings: int = Field(description="Answered verdicts behind the figures: reviewers x samples.")
    ships: int = Field(description="Ratings that ship.")
    ship_pct: float | None = Field(description="ships / ratings, in percent.")
    ship_pct_low: float | None = Field(description="Wilson 95% interval, lower bound (percent).")
    ship_pct_high: float | None = Field(description="Wilson 95% interval, upper bound (percent).")
    mean_score: float | None = Field(description="Mean score over the ratings.")
    mean_score_low: float | None = Field(description="Percentile bootstrap 95% interval, lower.")
    mean_score_high: float | None = Field(description="Percentile bootstrap 95% interval, upper.")


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
    schema_version: Literal[1] = SCHEMA_VERSION
    run_id: str
    created_at: datetime
    title: str
    model: ModelInfo
    settings: dict[str, object] = Field(default_factory=dict)
    tools: list[ToolCard] = Field(min_length=2)
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


class CachedCell(Strict):
    """A completed cell in the response cache: enough to rebuild its result with no call."""

    key: str
    provider: str
    model: str
    endpoint: str | None = None
    cell: str | None = Field(default=None, description="persona × tool, to name the entry.")
    persona: Persona | None = Field(
        default=None, description="The persona whose verdict schema the entry is checked against."
    )
    verdict: dict[str, object]
    usage: Usage
    attempts: int
    seconds_to_verdict: float | None
    seconds_total: float
    flags: list[str] = Field(default_factory=list)


class BatchEntry(Strict):
    """A batch panel submitted, as kept in `<cache>/batches/`: enough to collect it later."""

    batch_id: str
    provider: str
    model: str
    endpoint: str = Field(default="", description="API base URL without credentials; '' = default")
    submitted_at: str
    requests: dict[str, str] = Field(description="custom_id -> the cell it answers")
    collected: bool = False
    succeeded: list[str] = Field(
        default_factory=list, description="custom_ids whose results were read back successfully"
    )
