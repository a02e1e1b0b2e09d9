"""The comparison record: reading it back from disk and the numbers derived from its cells.

Placed below `inputs` and `report` so that `panel validate` (checking records) and the report
(rendering them) share one reader and one aggregation. May import only the core modules.
"""
