"""A run as events: the shapes `run --json` prints and `panel serve` streams, built once.

Events, in order: `run_started`; per cell `cell_started`, `partial_verdict` (each
time the streamed verdict or score changes), then `cell_finished` or
`cell_failed`; finally `run_finished`. Each event is a dict with an `event` key,
handed to `emit`; where it goes (a line on stdout, a server-sent event) is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from panel.models import Record
from panel.providers.registry import ModelChoice
from panel.running.orchestrator import CellUpdate
from panel.running.runner import PanelSpec

PARTIAL_FIELDS = ("verdict", "score")
Event = dict[str, Any]


def run_started(spec: PanelSpec, choice: ModelChoice) -> dict[str, Any]:
    return {
        "title": spec.title,
        "model": f"{choice.provider}:{choice.model}",
        "tools": [tool.id for tool in spec.tools],
        "personas": [persona.id for persona in spec.personas],
        "cells": len(spec.tools) * len(spec.personas),
    }


class RunEvents:
    """Cell updates into events; a partial verdict only when its verdict or score changed."""

    def __init__(self, started: dict[str, Any], emit: Callable[[Event], None]) -> None:
        self.started = started
        self._emit = emit
        self._partial: dict[tuple[str, str], tuple[object, ...]] = {}

    def emit(self, event: str, **fields: Any) -> None:
        self._emit({"event": event, **fields})

    def begin(self) -> None:
        self.emit("run_started", **self.started)

    def update(self, update: CellUpdate) -> None:
        cell = {"persona": update.persona, "tool": update.tool}
        if update.state == "running":
            self.emit("cell_started", **cell)
        elif update.state == "streaming":
            seen = tuple(update.fields.get(name) for name in PARTIAL_FIELDS)
            key = (update.persona, update.tool)
            if any(value is not None for value in seen) and self._partial.get(key) != seen:
                self._partial[key] = seen
                self.emit("partial_verdict", **cell, **dict(zip(PARTIAL_FIELDS, seen, strict=True)))
        elif update.result is not None:
            result = update.result
            if result.status == "ok" and result.verdict:
                self.emit(
                    "cell_finished", **cell, verdict=result.verdict.get("verdict"),
                    score=result.verdict.get("score"), from_cache=result.from_cache,
                    seconds=result.seconds_total,
                )  # fmt: skip
            else:
                self.emit("cell_failed", **cell, status=result.status, error=result.error)

    def finished(self, record: Record, folder: str) -> None:
        totals = record.totals
        self.emit(
            "run_finished", run_id=record.run_id, complete=record.complete,
            cells=totals.cells, cells_ok=totals.cells_ok, cost_usd=totals.cost_usd,
            wall_seconds=totals.wall_seconds, folder=folder,
            winner=record.aggregates.winner,
        )  # fmt: skip
