"""`run --json`: the run as NDJSON events on standard output, one object per line.

The events themselves (their order and fields) are built in `panel.running.run_events`, which
`panel serve` streams too; this module only prints them. Human-readable output stays on stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from panel.cli.terminal import safe_json
from panel.running.run_events import Event, RunEvents, run_started

__all__ = ["EventLines", "run_started"]


class EventLines(RunEvents):
    def __init__(self, started: dict[str, Any], stream: TextIO | None = None) -> None:
        super().__init__(started, self._print)
        self.stream = stream or sys.stdout

    def __enter__(self) -> EventLines:
        self.begin()
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def _print(self, event: Event) -> None:
        line = safe_json(json.dumps(event, ensure_ascii=False, default=str))
        self.stream.write(line + "\n")  # one write: a line another thread prints cannot split it
        self.stream.flush()
