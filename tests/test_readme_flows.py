"""The README's editor and analyst loops run, as written, offline: they stay true."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT

START, END = "<!-- offline flows: start -->", "<!-- offline flows: end -->"


def readme_flows() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(START) : text.index(END)]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, "the editor's and the analyst's flows"
    return "\n".join(blocks)


def test_the_readme_flows_run_offline(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.pop("PANEL_MODEL", None)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    script = readme_flows()
    assert "panel render" in script and "panel digest" in script and "--fail-on-flip" in script
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

    group = tmp_path / "panel-out" / "pair"
    runs = sorted(p for p in group.iterdir() if p.is_dir() and not p.is_symlink())
    assert len(runs) == 3  # the editor's run and the analyst's two reruns
    first = next(p for p in runs if p.name.endswith("-offline"))
    assert "edited by Ana: the vendor confirmed" in (first / "panel.html").read_text()
    assert "41 ship / 9 skip (82%)" in (first / "panel.html").read_text()
    feed = ET.parse(tmp_path / "site" / "feed.xml").getroot()
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 1  # before the reruns
    assert "| persona | tool | A | B | C |" not in result.stdout  # the 3-run diff is a table
    assert "A vs C" in result.stdout and "# Panel diff" in result.stdout
