"""The README's editor's-desk curl examples run, as written, against a server offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT
from tests.serve_support import TOKEN, served

START, END = "<!-- serve flows: start -->", "<!-- serve flows: end -->"


def test_the_curl_examples_run_offline(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    script = re.findall(r"```sh\n(.*?)```", text[text.index(START) : text.index(END)], re.S)[0]
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    with served(tmp_path / "panel-out", cards_dir=tmp_path / "examples", offline_delay=0.0) as url:
        env = {**os.environ, "PANEL": url.rstrip("/"), "PANEL_TOKEN": TOKEN}
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout
    assert re.search(r'\s8 "event": "cell_finished"', out) and '1 "event": "run_finished"' in out
    assert '{"tool":"claw-code","ship":1,"skip":0}' in out
    assert '{"tool":"claw-code","ship":0,"skip":1}' in out  # replaced, not added
    assert "edited by Ana: the vendor confirmed the figure" in out
    assert '"persona":"skeptic","tool":"claw-code","version"' in out
    assert out.rstrip().endswith(
        '{"error":"this needs the editor token (Authorization: Bearer TOKEN)"}'
    )
