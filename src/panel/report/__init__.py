"""Turning records into what people read: Markdown and HTML pages, diffs between runs, and the
run folder written atomically.

May import: core, `record`, `inputs`, `providers` (prices), `running`. Never the CLI.
"""
