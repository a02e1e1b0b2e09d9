"""`panel serve` as a process: the URL first on standard output (flushed at once), a generated
token on the next line, and a clean stop on SIGINT (130) or SIGTERM (0)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

PANEL = [sys.executable, "-m", "panel"]  # the real command line, as a user runs it


def start(tmp_path: Path, *flags: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*PANEL, "serve", str(tmp_path / "runs"), "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - a loopback URL
        return json.loads(answer.read())


@pytest.mark.parametrize(("stop", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_the_url_comes_first_and_a_signal_stops_it_cleanly(
    tmp_path: Path, stop: signal.Signals, status: int
) -> None:
    server = start(tmp_path)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()  # readable before the process ends: flushed
        token = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        assert token.startswith("token: ") and len(token) > 30
        assert get(url + "api/runs") == []
        server.send_signal(stop)
        out, err = server.communicate(timeout=20)
    finally:
        server.kill()
    assert server.returncode == status, err
    assert "Traceback" not in err and out == ""
    assert (tmp_path / "runs" / ".panel.db").is_file()


def test_a_given_token_is_not_printed(tmp_path: Path) -> None:
    server = start(tmp_path, env={"PANEL_TOKEN": "from-the-environment"})
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        assert get(url + "api/runs") == []
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=20)
    finally:
        server.kill()
    assert out == "" and "from-the-environment" not in err


def test_a_runs_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("not a folder")
    done = subprocess.run(
        [*PANEL, "serve", str(tmp_path / "runs"), "--port", "0"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"panel: error: {tmp_path / 'runs'}: not a folder\n"


@pytest.mark.parametrize("layout", ["cards inside runs", "runs inside cards", "the same"])
def test_a_runs_folder_apart_from_its_cards_or_one_line(tmp_path: Path, layout: str) -> None:
    runs, cards = {
        "cards inside runs": (tmp_path / "runs", tmp_path / "runs" / "cards"),
        "runs inside cards": (tmp_path / "cards" / "runs", tmp_path / "cards"),
        "the same": (tmp_path / "cards", tmp_path / "cards"),
    }[layout]
    cards.mkdir(parents=True)
    (cards / "tool.toml").write_text("# an editor's card\n")
    done = subprocess.run(
        [*PANEL, "serve", str(runs), "--port", "0", "--cards", str(cards)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert "refusing an output folder" in done.stderr and len(done.stderr.splitlines()) == 1
    assert (cards / "tool.toml").read_text() == "# an editor's card\n"
