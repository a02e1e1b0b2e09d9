"""panel: draft review panels for software tools, written by LLM personas.

The package is layered, each layer importing only those below it (tests/test_layers.py):

- core modules here: `models` (every pydantic model), `errors`, `secrets`, `resources`, `files`
- `record`: reading records, aggregation
- `inputs`: cards, personas, prompts, schemas, validate
- `providers`: the provider protocol, one module per provider, retry, pricing
- `running`: orchestrator, runner, structured replies, partial parser, response cache
- `report`: pages, diffs, the run folder
- the CLI: `cli`, `commands`, `display`
"""

__version__ = "0.1.0"
