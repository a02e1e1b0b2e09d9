"""Every piece of data panel reads or writes, as pydantic models, in one import surface.

- `base`: strictness, the schema version, the small annotated types;
- `inputs`: what users write (tool cards, personas, panel files, the config, overrides);
- `verdicts`: what a call returns (verdict, usage, cost, the cell, cache and batch entries);
- `record`: the comparison record (aggregates, totals, statistics, the estimate);
- `summary`: what listings and the digest read of a record, and the digest's manifest.

`from panel.models import X` reaches every one of them.

May import: pydantic and the standard library; no other part of panel.
"""

from __future__ import annotations

from panel.models.base import (
    SCHEMA_VERSION,
    Confidence,
    Input,
    LongText,
    ShortText,
    Slug,
    Strict,
    Verdict,
)
from panel.models.inputs import (
    Beat,
    Override,
    PanelConfig,
    PanelFile,
    Persona,
    Pricing,
    RubricBand,
    ToolCard,
)
from panel.models.record import (
    MAX_VOTES,
    Aggregates,
    CellConsensus,
    CommunityVote,
    CostEstimate,
    Day,
    ModelInfo,
    OrderFlip,
    OverallCall,
    PanelStatistics,
    PersonaPreference,
    QuoteSimilarity,
    Record,
    ReviewCall,
    TemplateDigest,
    ToolStatistics,
    ToolSummary,
    Totals,
)
from panel.models.summary import (
    RunAggregates,
    RunModel,
    RunSummary,
    RunTool,
    RunTotals,
    SiteManifest,
    SitePage,
)
from panel.models.verdicts import (
    GRADER_WORDS_CHARS,
    QUOTE_ACCEPTED_CHARS,
    QUOTE_TARGET_CHARS,
    BatchEntry,
    CachedCell,
    CellResult,
    CellStatus,
    Cost,
    GraderCall,
    GraderEntry,
    GraderReply,
    Grading,
    ToolOrder,
    Usage,
    VerdictBase,
    Versus,
    shown_verdict_problem,
)

__all__ = [
    "RunAggregates",
    "RunModel",
    "RunSummary",
    "RunTool",
    "RunTotals",
    "SiteManifest",
    "SitePage",
    "Aggregates",
    "BatchEntry",
    "Beat",
    "CachedCell",
    "CellConsensus",
    "CellResult",
    "CellStatus",
    "CommunityVote",
    "MAX_VOTES",
    "Confidence",
    "Cost",
    "GRADER_WORDS_CHARS",
    "GraderCall",
    "GraderEntry",
    "GraderReply",
    "Grading",
    "CostEstimate",
    "Day",
    "Input",
    "LongText",
    "ModelInfo",
    "OrderFlip",
    "OverallCall",
    "Override",
    "PanelConfig",
    "PanelFile",
    "PanelStatistics",
    "Persona",
    "PersonaPreference",
    "Pricing",
    "QUOTE_ACCEPTED_CHARS",
    "QUOTE_TARGET_CHARS",
    "QuoteSimilarity",
    "Record",
    "ReviewCall",
    "RubricBand",
    "SCHEMA_VERSION",
    "ShortText",
    "Slug",
    "Strict",
    "TemplateDigest",
    "ToolCard",
    "ToolOrder",
    "ToolStatistics",
    "ToolSummary",
    "Totals",
    "Usage",
    "Verdict",
    "VerdictBase",
    "shown_verdict_problem",
    "Versus",
]
