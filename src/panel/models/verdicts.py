"""What a model call returns: the verdict, its usage and cost, the cell, and where a finished
cell is kept (the response cache, the batch ledger)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from panel.models.base import Confidence, Count, Measured, Slug, StoredUrl, Strict, Verdict
from panel.models.inputs import Override, Persona

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

    # (Not in the docstring, which is sent as the wire schema's description: in a review of one
    # tool `versus` is absent from the wire schema and refused by the verdict model.)

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


GraderCall = Literal["ship", "skip", "none"]


# The grader quotes the words making the call (a few, for the re-ask and the editor): a longer
# answer is cut to this rather than lost, and the grader's max_tokens is sized from it.
GRADER_WORDS_CHARS = 100


class GraderReply(Strict):
    """What the grader answers: the call the quote makes to a reader, and the words making it.

    The wire schema carries no descriptions (`running.grader.grader_schema`): the grader's
    template says what each field holds, and the APIs bill a schema's prose on every call.
    """

    call: GraderCall
    words: str

    @field_validator("words", mode="before")
    @classmethod
    def _a_few_words(cls, words: object) -> object:
        return " ".join(words.split())[:GRADER_WORDS_CHARS] if isinstance(words, str) else words


class Grading(Strict):
    """The model-graded check of a cell's accepted quote (`--grader`), for the record and page.

    `call` is the grader's reading of the quote finally kept; `usage` and `cost` sum every grader
    call the cell made (a re-ask is graded again). `reasked` says the grader's reading caused the
    cell's one re-ask. `error` is set (and `call` empty) when the grader could not answer: the
    cell's verdict is kept all the same.
    """

    model: str
    call: GraderCall | None = None
    words: str = ""
    usage: Usage = Field(default_factory=Usage)
    cost: Cost | None = None
    calls: int = 0
    from_cache: int = Field(default=0, description="Grader answers served by the response cache.")
    reasked: bool = False
    error: str | None = None
    graded_now: bool = Field(
        default=False,
        description="A cell from the response cache graded during this run: its grader cost is "
        "part of this run's spend.",
    )


class GraderEntry(Strict):
    """One grader answer in the response cache, under a key of grader model, prompt and schema."""

    key: str
    model: str
    call: GraderCall
    words: str
    usage: Usage


class ShownVerdict(BaseModel):
    """What the pages read of an ok cell's verdict, checked by type only: the lengths and the
    beats are the persona's verdict model's to judge (`panel validate`), so a record an older
    release wrote still reads, while one edited into another shape is refused, not rendered."""

    model_config = ConfigDict(extra="allow", strict=True)

    beats: dict[str, str]
    competitors: list[str]
    confidence: Confidence
    headline: str
    quote: str


def shown_verdict_problem(verdict: dict[str, object]) -> str | None:
    """The first field of an ok cell's `verdict` the pages cannot read, as `verdict.FIELD: why`
    (records read from disk are checked with it; cells made in a run passed the persona's
    model)."""
    try:
        ShownVerdict.model_validate(verdict)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"verdict.{where}: {error['msg']}"
    return None


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
    attempts: Count = 0
    seconds_to_verdict: Measured | None = None
    seconds_total: Measured | None = None
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
    grader: Grading | None = Field(
        default=None, description="The model-graded check of the quote (--grader), if it ran."
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


class CachedCell(Strict):
    """A completed cell in the response cache: enough to rebuild its result with no call."""

    key: str
    provider: str
    model: str
    endpoint: StoredUrl | None = None
    cell: str | None = Field(default=None, description="persona × tool, to name the entry.")
    persona: Persona | None = Field(
        default=None, description="The persona whose verdict schema the entry is checked against."
    )
    verdict: dict[str, object]
    usage: Usage
    attempts: Count
    seconds_to_verdict: Measured | None
    seconds_total: Measured
    flags: list[str] = Field(default_factory=list)
    grader: Grading | None = None


class BatchEntry(Strict):
    """A batch panel submitted, as kept in `<cache>/batches/`: enough to collect it later."""

    batch_id: str
    provider: str
    model: str
    endpoint: StoredUrl = Field(
        default="", description="API base URL without credentials; '' = default"
    )
    submitted_at: str
    requests: dict[str, str] = Field(description="custom_id -> the cell it answers")
    collected: bool = False
    succeeded: list[str] = Field(
        default_factory=list, description="custom_ids whose results were read back successfully"
    )
