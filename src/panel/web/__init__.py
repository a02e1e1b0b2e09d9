"""The web desk: `panel serve`, the editor's desk in a browser and the readers' vote.

The CLI's sibling, one floor below it: it drives runs, renders pages and reads records through
the same functions the CLI calls, and keeps readers' votes in a database (SQLite or PostgreSQL).

May import: core, `record`, `inputs`, `providers`, `running`, `report`. Never the CLI.
"""
