"""What the user writes, read and checked: tool cards, personas, panel files, prompt templates,
the verdict schemas they imply, and `panel validate`.

May import: the core modules (`panel.models`, `errors`, `files`, `resources`, `secrets`) and
`panel.record`. Never `providers`, `running`, `report` or the CLI.
"""
