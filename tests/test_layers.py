"""The package's layering: a module imports only from its own layer or the layers below it.

core (models, errors, files, ...) < record < inputs < providers < running < report < web < cli.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "panel"
LAYERS = ["core", "record", "inputs", "providers", "running", "report", "web", "cli"]
CORE = {"models", "errors", "secrets", "resources", "files", "config", "urls", "compiled", "paths",
        "__version__"}  # fmt: skip
MOST_TOP_LEVEL_MODULES = 12  # beyond that, the top floor needs a package of its own
MOST_LINES = 400  # a module past this is holding two ideas


def layer_of(module: str) -> str:
    """The layer of a dotted module name inside panel (`panel.running.runner` -> running)."""
    parts = module.split(".")
    if parts[0] != "panel" or len(parts) == 1:
        return "core"
    if parts[1] in LAYERS:
        return parts[1]
    if parts[1] in CORE:
        return "core"
    if parts[1] == "__main__":
        return "cli"
    raise AssertionError(f"{module}: a new top-level module; add it to CORE or a package")


def module_name(path: Path) -> str:
    relative = path.relative_to(SRC.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """Every panel module `path` imports, as (line, name); `package` resolves relative ones."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "panel"]


def violations(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        own = layer_of(module_name(path))
        package = module_name(path).rsplit(".", 1)[0]
        for line, target in imported_modules(path, package):
            if LAYERS.index(layer_of(target)) > LAYERS.index(own):
                problems.append(f"{module_name(path)}:{line} ({own}) imports {target}")
    return problems


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert violations(sorted(SRC.rglob("*.py"))) == []


def test_every_top_level_module_has_a_layer() -> None:
    for path in SRC.glob("*.py"):
        layer_of(module_name(path))  # raises for a module no layer claims


def test_the_top_floor_stays_small_and_no_module_holds_two_ideas() -> None:
    top_level = sorted(path.name for path in SRC.glob("*.py"))
    assert len(top_level) <= MOST_TOP_LEVEL_MODULES, top_level
    long = {
        module_name(path): lines
        for path in SRC.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert long == {}


def test_every_subpackage_says_what_it_may_import() -> None:
    for layer in [*LAYERS[1:], "models"]:
        doc = ast.get_docstring(ast.parse((SRC / layer / "__init__.py").read_text()))
        assert doc and "May import" in doc, layer


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("from panel.report.render import money\n", True),
        ("def f():\n    from panel.cli import main\n", True),
        ("from panel.models import Record\n", False),
        ("import panel.running.runner\n", True),
    ],
)
def test_the_check_catches_an_upward_import(tmp_path: Path, source: str, bad: bool) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source)
    # Checked as if it lived in panel/record/, the lowest layer above core.
    imports = imported_modules(probe, "panel.record")
    problems = [
        name for _, name in imports if LAYERS.index(layer_of(name)) > LAYERS.index("record")
    ]
    assert bool(problems) is bad


def test_the_installed_package_holds_no_test_server() -> None:
    """The emulator is test tooling: `pip install panel` must not ship a fake API server."""
    servers = [
        module_name(path)
        for path in SRC.rglob("*.py")
        if "start_server" in path.read_text(encoding="utf-8") or "emulator" in path.stem
    ]
    assert servers == []
    pyproject = (SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'packages = ["src/panel"]' in pyproject
