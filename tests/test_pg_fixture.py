"""The throwaway PostgreSQL fixture cleans up after a test process killed outright."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from tests import pg

CHILD = """
import sys, time
from tests.pg import temporary_cluster
with temporary_cluster() as url:
    print(url, flush=True)
    time.sleep(600)
"""


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_server_whose_maker_was_killed_is_stopped_by_the_next_cluster() -> None:
    env = {key: value for key, value in os.environ.items() if key != pg.ENV_URL}
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True,
                             env=env, cwd=Path(__file__).parent.parent)  # fmt: skip
    assert child.stdout is not None
    port = urlsplit(child.stdout.readline().strip()).port
    assert port is not None and _answers(port)

    def made_by_child(roots: list[Path]) -> list[Path]:
        return [root for root in roots if root.name.split("-")[2] == str(child.pid)]

    assert made_by_child(pg.stop_orphans(pg.server_bin())) == []  # its maker runs: left alone
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert _answers(port)  # the killed process could not stop its server

    removed = made_by_child(pg.stop_orphans(pg.server_bin()))
    assert len(removed) == 1 and not removed[0].exists() and not _answers(port)
