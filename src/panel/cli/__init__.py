"""The command line: parsing, one module per command family, the terminal, the pre-flight.

`main` (in `entry`, with the parser) is the entry point, `panel = "panel.cli:main"`: the only
place an error becomes a line of text and an exit code. `run` holds the run command's flow and
`run_options` its flags; `commands`, `personas`, `editing`, `analysis` and `batches` the other
commands; `display` and `events` what a run shows (live grid, plain lines, NDJSON); `preflight`
the estimate before a run; `values` and `terminal` every flag checked and every untrusted text
cleaned for the terminal.

May import: everything (core, `record`, `inputs`, `providers`, `running`, `report`, `web`).
"""

from __future__ import annotations

from panel.cli.entry import main

__all__ = ["main"]
