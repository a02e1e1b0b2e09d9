"""panel: draft review panels for software tools, written by LLM personas."""

__version__ = "0.1.0"
