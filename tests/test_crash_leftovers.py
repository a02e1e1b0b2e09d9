"""Issue 23, round 3: what a crash leaves, with real processes and real signals.

SIGTERM ends a run the way Ctrl-C does (cells saved, a line saying how to resume, exit 130,
a half-written folder removed). A writer killed outright (`kill -9`) leaves its staging folder
behind; the next run in the group removes it, since its writer is gone, and never removes the
staging folder of a writer that is still alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from panel.cli import main
from tests.conftest import EXAMPLES

CARDS = [str(EXAMPLES / "claw-code.toml"), str(EXAMPLES / "modal-gpu-inference.toml")]
RUN = ["run", *CARDS, "--personas", "builder,skeptic", "--out", "runs", "--cache-dir", "cache"]
# panel's CLI with every file of a run folder written slowly: time to signal it mid-write.
SLOW_WRITER = """
import sys, time
import panel.report.output as output
real = output._write_durably
def slow(path, text):
    real(path, text)
    time.sleep(60)
output._write_durably = slow
from panel.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    env.pop("PANEL_MODEL", None)
    return env


def _start(args: list[str], *, slow_writer: bool = False) -> subprocess.Popen[str]:
    code = ["-c", SLOW_WRITER] if slow_writer else ["-m", "panel"]
    return subprocess.Popen(
        [sys.executable, *code, *args],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(found: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not found():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the process never got there"
        time.sleep(0.05)


def _staging(group: Path) -> list[Path]:
    return sorted(group.glob(".*staging*"))


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:  # only the processes this test started, by their own handle
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_sigterm_mid_run_ends_it_as_ctrl_c_does(processes: list[subprocess.Popen[str]]) -> None:
    # about 4 s a cell (the offline model waits per streamed chunk): the signal lands mid-run
    process = _start([*RUN, "--offline-delay", "0.05", "--concurrency", "1", "--quiet"])
    processes.append(process)
    _wait_for(lambda: any(Path("cache").rglob("*.json")), process)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (process.returncode, err)  # was -15: killed outright
    assert "interrupted" in err and "resumes from there" in err, err
    assert "Traceback" not in err
    assert not Path("runs").exists() or not _staging(Path("runs"))
    assert main([*RUN, "--offline-delay", "0", "--quiet"]) == 0  # resumes


def test_sigterm_while_writing_removes_the_half_written_folder(
    processes: list[subprocess.Popen[str]],
) -> None:
    group = Path("runs")
    assert main([*RUN, "--offline-delay", "0", "--quiet"]) == 0
    latest = os.readlink(group / "latest")
    process = _start([*RUN, "--offline-delay", "0", "--quiet"], slow_writer=True)
    processes.append(process)
    _wait_for(lambda: bool(_staging(group)), process)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, (process.returncode, err)
    assert "Traceback" not in err
    assert _staging(group) == []  # was left for good
    assert os.readlink(group / "latest") == latest


def test_the_next_run_removes_what_a_killed_writer_left(
    processes: list[subprocess.Popen[str]],
) -> None:
    group = Path("runs")
    assert main([*RUN, "--offline-delay", "0", "--quiet"]) == 0
    process = _start([*RUN, "--offline-delay", "0", "--quiet"], slow_writer=True)
    processes.append(process)
    _wait_for(lambda: bool(_staging(group)), process)
    process.kill()  # kill -9: no handler runs, the staging folder stays
    process.communicate(timeout=60)
    left = _staging(group)
    assert left, "kill -9 should have left a staging folder"
    assert main([*RUN, "--offline-delay", "0", "--quiet"]) == 0
    assert _staging(group) == []  # the old code kept it for an hour, then for good
    runs = [p for p in group.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(runs) == 3  # two complete runs and `latest`; nothing else touched


def test_a_live_writers_staging_folder_is_never_removed(
    processes: list[subprocess.Popen[str]],
) -> None:
    group = Path("runs")
    assert main([*RUN, "--offline-delay", "0", "--quiet"]) == 0
    writer = _start([*RUN, "--offline-delay", "0", "--quiet"], slow_writer=True)
    processes.append(writer)
    _wait_for(lambda: bool(_staging(group)), writer)
    live = _staging(group)
    old = time.time() - 7200  # older than any age rule: only the writer's life counts
    os.utime(live[0], (old, old))
    assert main([*RUN, "--offline-delay", "0", "--quiet"]) == 0
    assert _staging(group) == live
    assert writer.poll() is None
    writer.send_signal(signal.SIGTERM)
    writer.communicate(timeout=60)
    assert _staging(group) == []


def test_only_leftovers_of_a_gone_writer_are_removed() -> None:
    from panel.report.run_folders import writer_tag

    group = Path("runs")
    assert main([*RUN, "--offline-delay", "0", "--quiet"]) == 0
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead, alive = writer_tag(int(gone.stdout)), writer_tag()  # a finished process; this one
    planted = {
        f".panel-probe-{dead}~x1": False,
        f".latest.{dead}~ab.tmp": False,
        f".2026-x-offline.staging-{dead}~zz": False,
        f".2026-y-offline.staging-{alive}~zz": True,  # a live writer: this test's process
        ".2026-z-offline.staging-oldstyle": True,  # no writer named, and not an hour old
        f".2026-w-offline.staging-otherhost~{os.getpid()}~1~zz": True,  # another machine's
    }
    for name in planted:
        (group / name).mkdir()
    assert main([*RUN, "--offline-delay", "0", "--quiet"]) == 0
    assert {name: (group / name).exists() for name in planted} == planted
