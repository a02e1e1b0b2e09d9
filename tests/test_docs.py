"""The contributor map stays true: every module in the package is on it, and nothing else is."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "panel"


def test_contributing_names_every_module_of_the_package() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    modules = {
        path.name
        for path in PACKAGE.rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    }
    missing = sorted(
        name for name in modules if f"`{name}`" not in text and f"/{name}`" not in text
    )
    assert missing == [], f"add a line for each to CONTRIBUTING.md: {missing}"


def test_contributing_names_no_module_that_is_gone() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(?:[\w/]+/)?(\w+\.py)`", text))
    existing = {path.name for path in ROOT.rglob("*.py") if ".venv" not in path.parts}
    assert sorted(named - existing) == []
