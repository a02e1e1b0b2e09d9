"""A run's first call (issue 25): token counting goes beside the run, never before the warm-up;
the first line is plain text, with rich loaded only when something needs it."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from panel.cli.terminal import LazyConsole
from panel.record.store import load_record
from panel.running import estimate
from tests.support.emulator import Emulator
from tests.test_estimate import SONNET, _args, _claude_at


def test_token_counting_does_not_hold_back_the_warm_up_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Counting waits here until a reply has been asked for: were the run to wait for the count,
    the count would time out and the estimate say so."""
    real = estimate.count_input
    with Emulator() as emulator:

        async def after_the_warm_up(*args: Any) -> Any:
            for _ in range(1000):
                if emulator.served:
                    return await real(*args)
                await asyncio.sleep(0.01)
            raise TimeoutError("no call for a reply was made while tokens were being counted")

        monkeypatch.setattr(estimate, "count_input", after_the_warm_up)
        _claude_at(emulator, monkeypatch)
        assert main(_args(tmp_path, "--model", SONNET)) == 0
        assert emulator.counted == ["anthropic"] * 4
    err = capsys.readouterr().err
    assert "estimate: 8 cells, 8 model calls" in err and "estimated cost: $" in err
    record = load_record(tmp_path / "out")
    assert record.estimate is not None
    assert record.estimate.token_counting == "counted by Anthropic's messages.count_tokens"


def test_a_lazy_console_writes_lines_cleaned_and_loads_rich_only_when_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    console = LazyConsole(stderr=True, highlight=False, soft_wrap=True)
    console.print("model: \x1b]0;pwned\x07x [bold]y[/] \x1b[31mred", markup=False)
    assert console._console is None  # a line of text needs no rich
    assert stream.getvalue() == "model: x [bold]y[/] red\n"
    assert console.is_terminal is False  # anything more makes the console, and keeps it
    assert console._console is not None
    console.print("after \x07it", markup=False)
    assert stream.getvalue().endswith("after it\n")


FIRST_LINE_PROBE = """
import os, sys
class Probe:
    def __init__(self, stream): self.stream = stream
    def write(self, text):
        if text.startswith("model:"):
            heavy = {"rich", "anthropic", "markdown_it", "panel.running.orchestrator",
                     "panel.report.render", "panel.running.stance"}
            print(sorted(heavy & set(sys.modules)), file=sys.__stdout__, flush=True)
            os._exit(0)
        return self.stream.write(text)
    def flush(self): self.stream.flush()
sys.stderr = Probe(sys.stderr)
from panel.cli.entry import main
main(sys.argv[1:])
print("no first line", file=sys.__stdout__)
"""


def test_a_runs_first_line_comes_before_rich_the_sdk_and_the_run_machinery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inputs are read and checked first (bad input stays a one-line error); what the run
    itself needs loads after its first line."""
    import subprocess

    from tests.conftest import EXAMPLES

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-000000")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # never reached
    cards = [str(EXAMPLES / "claude-api-streaming-caching.toml"), str(EXAMPLES / "claw-code.toml")]
    command = [sys.executable, "-c", FIRST_LINE_PROBE, "run", *cards, "--quiet"]
    command += ["--model", "anthropic:claude-sonnet-5-5", "--out", str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


FIRST_CALL_PROBE = """
import os, sys
from panel.providers.offline import OfflineProvider
def first_call(self, request):
    heavy = {"markdown_it", "panel.report.render", "panel.report.output",
             "panel.running.stance"}
    print(sorted(heavy & set(sys.modules)), file=sys.__stdout__, flush=True)
    os._exit(0)
OfflineProvider.stream = first_call
from panel.cli.entry import main
main(sys.argv[1:])
print("no call", file=sys.__stdout__)
"""


def test_a_runs_first_call_comes_before_the_pages_and_the_stance_grammar(tmp_path: Path) -> None:
    """What a run needs only once replies are in (the stance grammar, the page templates and
    Markdown) loads after its first request has been made."""
    import subprocess

    from tests.conftest import EXAMPLES

    cards = [str(EXAMPLES / "claude-api-streaming-caching.toml"), str(EXAMPLES / "claw-code.toml")]
    command = [sys.executable, "-c", FIRST_CALL_PROBE, "run", *cards, "--quiet", "-m", "offline"]
    command += ["--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_run_machinery_loads_without_compiling_the_stance_grammar() -> None:
    """The grammar (about a hundred patterns) compiles at the first reply it reads, not before
    a run's first request; the checks then read as before."""
    import subprocess

    probe = (
        "import sys; import panel.running.runner, panel.running.orchestrator; "
        "print('panel.running.stance' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.stdout.strip() == "False", done.stderr
