"""What a panel is (cards, personas, templates, settings) and what every cell of it shares: the
prefix rendered once, each cell's prompt rendered once, its plans once per model.

Apart from `runner` so that reading and checking the inputs (before a run's first line) does not
load the run machinery.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from panel.inputs.prompts import PromptSet
from panel.inputs.schema import output_budget
from panel.models import Persona, ToolCard, ToolOrder

if TYPE_CHECKING:
    from panel.running.orchestrator import CellPlan


@dataclass(frozen=True)
class PanelSpec:
    title: str
    tools: list[ToolCard]
    personas: list[Persona]
    prompts: PromptSet
    max_tokens: int | None = None  # None: sized from the panel's output schema
    temperature: float | None = None
    cache_ttl: Literal["5m", "1h"] = "5m"
    samples: int = 1
    balance_order: bool = False
    grader: str | None = None  # the model of the model-graded check (--grader); None: rules only

    @cached_property
    def output_limit(self) -> int:
        """max_tokens per call: as asked, else enough for the longest verdict the schema allows."""
        return self.max_tokens or output_budget(self.personas, [tool.id for tool in self.tools])

    @cached_property
    def shared_prefix(self) -> str:
        """The cacheable part every cell shares, rendered once."""
        return self.prompts.prefix(self.title, self.personas, self.tools)

    @cached_property
    def reversed_prefix(self) -> str:
        """The same prefix with the tools in the opposite order (--balance-order)."""
        return self.prompts.prefix(self.title, self.personas, self.tools[::-1])

    def orders(self) -> list[ToolOrder]:
        return ["listed", "reversed"] if self.balance_order else ["listed"]

    def prefix(self, order: ToolOrder) -> str:
        return self.reversed_prefix if order == "reversed" else self.shared_prefix

    def check(self) -> None:
        """Render every prompt of the panel once, so a template error stops the run before it
        starts."""
        _ = self.shared_prefix  # rendered (and kept) here, so its errors surface first
        self.render_cell_prompts()
        self.prompts.reask("score: Input should be less than or equal to 10")
        self.check_grader()

    def with_grader(self, grader: str | None) -> PanelSpec:
        """This panel with `grader`; what it has rendered is kept (a grader changes none of it)."""
        if grader == self.grader:
            return self
        other = replace(self, grader=grader)
        for name in ("shared_prefix", "reversed_prefix", "_cell_prompts", "_panel_keys"):
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        return other

    def check_grader(self) -> None:
        """Render the grader's prompt once (with a grader on), so its errors stop the run first."""
        if self.grader:
            for part in ("system", "prompt"):
                self.prompts.grader(part, self.tools[0], "")

    def cell_prompt(self, persona: Persona, tool: ToolCard) -> str:
        """A cell's assignment, rendered once (the check, the estimate and the run share it)."""
        key = (persona.id, tool.id)  # unique in a panel: the loaders refuse repeats
        if key not in self._cell_prompts:
            self._cell_prompts[key] = self.prompts.cell(persona, tool)
        return self._cell_prompts[key]

    def render_cell_prompts(self) -> None:
        """Every cell's assignment not yet rendered, rendered together (one hand-off to the
        bounded renderer for the panel, not one a cell)."""
        pairs = [
            (persona, tool)
            for persona in self.personas
            for tool in self.tools
            if (persona.id, tool.id) not in self._cell_prompts
        ]
        if not pairs:
            return
        for (persona, tool), text in zip(pairs, self.prompts.cells(pairs), strict=True):
            self._cell_prompts[(persona.id, tool.id)] = text

    @cached_property
    def _cell_prompts(self) -> dict[tuple[str, str], str]:
        return {}

    def panel_key(self, order: ToolOrder = "listed") -> str:
        """Groups the cells of one panel onto the same provider cache (OpenAI's
        prompt_cache_key); the prefix is hashed once per order, not once per cell."""
        if order not in self._panel_keys:
            digest = hashlib.sha256(self.prefix(order).encode()).hexdigest()[:24]
            self._panel_keys[order] = "panel-" + digest
        return self._panel_keys[order]

    @cached_property
    def _panel_keys(self) -> dict[ToolOrder, str]:
        return {}

    @cached_property
    def _plans(self) -> dict[str, list[CellPlan]]:  # filled by `runner.plan_cells`
        return {}  # by the model's identity


@dataclass
class RunOptions:
    """How a panel runs (the flags checked before a run's first line, so kept out of the run
    machinery)."""

    concurrency: int = 8
    warm_up: bool = True
    refresh: bool = False
    max_cost: float | None = None
