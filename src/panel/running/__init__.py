"""Running a panel: planning cells, the warm-up gate and concurrency, structured replies streamed
and validated, the incremental JSON parser, and the response cache.

May import: core, `record`, `inputs`, `providers`. Never `report` or the CLI.
"""
