"""`run --json`: the run as NDJSON events on standard output, one object per line.

Events, in order: `run_started`; per cell `cell_started`, `partial_verdict` (each
time the streamed verdict or score changes), then `cell_finished` or
`cell_failed`; finally `run_finished`. Human-readable output stays on stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from panel.models import Record
from panel.providers.registry import ModelChoice
from panel.running.orchestrator import CellUpdate
from panel.running.runner import PanelSpec

PARTIAL_FIELDS = ("verdict", "score")


def run_started(spec: PanelSpec, choice: ModelChoice) -> dict[str, Any]:
    return {
        "title": spec.title,
        "model": f"{choice.provider}:{choice.model}",
        "tools": [tool.id for tool in spec.tools],
        "personas": [persona.id for persona in spec.personas],
        "cells": len(spec.tools) * len(spec.personas),
    }


class EventLines:
    def __init__(self, started: dict[str, Any], stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.started = started
        self._partial: dict[tuple[str, str], tuple[object, ...]] = {}

    def __enter__(self) -> EventLines:
        self.emit("run_started", **self.started)
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def emit(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, ensure_ascii=False, default=str)
        print(line, file=self.stream, flush=True)

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
