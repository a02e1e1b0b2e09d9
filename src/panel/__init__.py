"""panel: draft review panels for software tools, written by LLM personas.

The package is layered, each layer importing only those below it (tests/test_layers.py):

- core: `models` (every pydantic model), `errors`, `secrets`, `resources`, `files`, `urls`,
  `config`, `compiled`
- `record`: reading records, aggregation
- `inputs`: cards, personas, prompts, schemas, validate
- `providers`: the provider protocol, one module per provider, retry, pricing
- `running`: orchestrator, runner, structured replies, partial parser, response cache
- `report`: pages, diffs, the run folder
- `web`: `panel serve`, the editor's desk and the readers' vote
- `cli`: the command line, the only place errors become output
"""

__version__ = "0.1.0"
