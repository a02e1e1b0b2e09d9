"""Model providers: one module per provider, each the only importer of its SDK.

`base` holds the small async protocol every provider implements; `retry` wraps a provider in the
retry policy; `pricing` holds prices and cache minimums; `registry` picks a provider for a model.

May import: core, `record`, `inputs`. Never `running`, `report` or the CLI.
"""
