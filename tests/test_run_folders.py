"""Run folders: nothing overwritten, nothing deleted, a reader only ever sees complete runs."""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections import namedtuple
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from tests.conftest import EXAMPLES
from tests.helpers import tree

PAIR = str(EXAMPLES / "claude-api-vs-modal.toml")
QUICK = ["--offline-delay", "0", "--personas", "builder"]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["run", PAIR, *QUICK, *args])
    return code, capsys.readouterr().err


def _one_line_refusal(code: int, err: str) -> None:
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "refusing" in err or "cannot write" in err


@pytest.mark.parametrize(
    ("out", "extra"),
    [
        (".", []),  # the working folder: the old swap moved it away and exited 0
        ("cache", []),  # the response cache itself
        ("cache/cells", []),  # inside the cache
        ("work", ["--cache-dir", "work/cache"]),  # a folder holding the cache
        ("notes.txt", []),  # a file
        ("foreign", []),  # a non-empty folder panel did not write
        ("home", []),  # the home folder
        ("/", []),  # the filesystem root
    ],
)
def test_out_refuses_places_it_could_harm_before_any_call(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    out: str,
    extra: list[str],
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".bashrc").write_text("mine")
    (tmp_path / "notes.txt").write_text("my notes")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "thesis.tex").write_text("years of work")
    (tmp_path / "cache" / "cells").mkdir(parents=True)
    (tmp_path / "work" / "cache").mkdir(parents=True)
    before = tree(tmp_path)
    code, err = _run(capsys, "--out", out, *extra)
    _one_line_refusal(code, err)
    assert err.startswith(f"panel: error: --out {out}: refusing")
    assert tree(tmp_path) == before  # nothing written, moved or removed; no cell was called
    assert not list(tmp_path.rglob("*.json"))


def test_out_refuses_a_latest_that_is_not_panels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group = tmp_path / "out"
    assert _run(capsys, "--out", str(group))[0] == 0
    latest = group / "latest"
    latest.unlink()
    latest.write_text("someone's file named latest")
    code, err = _run(capsys, "--out", str(group))
    assert code == 2 and "latest there is not panel's pointer" in err
    assert latest.read_text() == "someone's file named latest"


def test_an_unwritable_out_is_found_before_any_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("my notes")
    code, err = _run(capsys, "--out", "notes.txt/out")
    _one_line_refusal(code, err)
    assert "cannot write there" in err
    assert not (tmp_path / "cache").exists()  # no cell was run


def test_too_little_free_disk_stops_the_run_before_any_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 10**6, 10**6))
    code, err = _run(capsys, "--out", "out")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "MB free on its disk" in err and "nothing was called" in err
    assert not (tmp_path / "cache").exists() and not list(tmp_path.rglob("record.json"))


def test_out_accepts_a_new_folder_an_empty_one_and_one_holding_an_old_panel_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert _run(capsys, "--out", "new")[0] == 0
    assert _run(capsys, "--out", "empty")[0] == 0
    old = tmp_path / "old"  # the layout of earlier panel versions: the files at the top
    shutil.copytree((tmp_path / "new" / "latest").resolve(), old)
    before = tree(old)
    assert _run(capsys, "--out", "old")[0] == 0
    after = tree(old)
    assert {name: after[name] for name in before} == before  # the old run is untouched
    assert (old / "latest" / "record.json").is_file()


def test_two_runs_of_the_same_tools_make_two_folders_and_move_latest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys)[0] == 0  # the default place: panel-out/<tools>/
    group = tmp_path / "panel-out" / "claude-api-streaming-caching-vs-modal-gpu-inference"
    first = (group / "latest").resolve()
    kept = tree(first)
    code, err = _run(capsys, "--personas", "builder,skeptic")
    assert code == 0
    second = (group / "latest").resolve()
    assert second != first and second.parent == first.parent == group
    assert tree(first) == kept  # the first run is still there, byte for byte
    assert os.readlink(group / "latest") == second.name  # relative: the group can be moved
    runs = sorted(p.name for p in group.iterdir() if not p.name.startswith("."))
    assert runs == sorted([first.name, second.name, "latest"])
    assert f"wrote panel-out/{group.name}/{second.name}/record.json" in err


class Reader:
    """What someone opening the group sees, checked at every step of a run's writing."""

    def __init__(self, group: Path) -> None:
        self.group = group
        self.checks = 0
        self.seen: set[str] = set()

    def look(self) -> None:
        folder = self.group / "latest" if (self.group / "latest").exists() else self.group
        names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
        assert {"record.json", "panel.md", "panel.html"} <= names, f"a reader saw {names}"
        assert json.loads((folder / "record.json").read_text())["complete"] is True
        visible = {p.name for p in self.group.iterdir() if not p.name.startswith(".")}
        assert self.seen <= visible, f"{self.seen - visible} vanished"  # nothing ever goes away
        for name in visible:
            if (self.group / name).is_dir():
                assert (self.group / name / "panel.html").is_file(), f"{name} is half-written"
        self.seen = visible
        self.checks += 1


def test_a_reader_never_sees_a_missing_or_half_written_run_while_a_new_one_lands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order of the output swap: every file-system step of a run is watched by a reader."""
    group = tmp_path / "out"
    assert _run(capsys, "--out", str(group))[0] == 0
    reader = Reader(group)
    for module, name in [
        (os, "replace"),
        (os, "rename"),
        (os, "symlink"),
        (os, "fsync"),
        (os, "unlink"),
        (os, "rmdir"),
        (shutil, "rmtree"),
    ]:
        real = getattr(module, name)

        def watched(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            reader.look()
            result = _real(*args, **kwargs)
            reader.look()
            return result

        monkeypatch.setattr(module, name, watched)
    assert _run(capsys, "--out", str(group), "--personas", "builder,skeptic")[0] == 0
    assert reader.checks >= 10
    assert json.loads((group / "latest" / "record.json").read_text())["totals"]["cells"] == 4


def test_a_disk_full_while_writing_keeps_the_previous_run_and_the_paid_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from panel.report import output

    group = tmp_path / "out"
    assert _run(capsys, "--out", str(group))[0] == 0
    before = tree(group)
    real = output._write_durably

    def full_disk(path: Path, text: str) -> None:
        if path.name == "panel.html":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, text)

    monkeypatch.setattr(output, "_write_durably", full_disk)
    code, err = _run(capsys, "--out", str(group), "--personas", "builder,skeptic")
    assert code == 1 and "Traceback" not in err
    error = [line for line in err.splitlines() if line.startswith("panel: error:")]
    assert len(error) == 1 and "No space left on device" in error[0]
    assert tree(group) == before  # the previous run and `latest` as they were, no staging left
    monkeypatch.setattr(output, "_write_durably", real)  # room again
    code, err = _run(capsys, "--out", str(group), "--personas", "builder,skeptic")
    assert code == 0 and "4/4 with a verdict, 4 from the response cache" in err  # nothing re-paid


def test_a_real_write_failure_in_a_child_process_is_one_line_and_loses_nothing(
    tmp_path: Path,
) -> None:
    """The disk refuses the big output files for real (RLIMIT_FSIZE) while cache entries fit."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    base = [sys.executable, "-m", "panel", "run", PAIR, "--out", "out", "--offline-delay", "0"]

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    first = subprocess.run(
        [*base, "--personas", "builder"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    before = tree(tmp_path / "out")
    full = subprocess.run(
        base, env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path, preexec_fn=limited
    )
    assert full.returncode == 1 and "Traceback" not in full.stderr
    assert full.stderr.splitlines()[-1].startswith("panel: error: could not write the run")
    assert tree(tmp_path / "out") == before
    again = subprocess.run(base, env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert again.returncode == 0 and "8/8 with a verdict, 8 from the response cache" in again.stderr


def test_runs_lists_new_and_old_layouts_once_each_and_marks_latest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "--out", "panel-out/x")[0] == 0
    assert _run(capsys, "--out", "panel-out/x", "--personas", "builder,skeptic")[0] == 0
    shutil.copytree(
        (tmp_path / "panel-out" / "x" / "latest").resolve(), tmp_path / "panel-out" / "old"
    )
    assert main(["runs", "panel-out"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "offline:offline" in line]
    assert len(rows) == 3
    assert sum("(latest)" in row for row in rows) == 1 and "panel-out/old" in "".join(rows)


def _record_args(group: Path) -> list[str]:
    return [str(group / "latest" / "record.json")]


def test_rerun_without_model_keeps_the_records_model_and_endpoint_and_writes_beside_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    httpx2_mock: Any,
    personas: Any,
    cards: Any,
) -> None:
    from panel.providers.claude import ClaudeProvider
    from panel.running.runner import plan_cells
    from tests.helpers import event_stream, spec_for
    from tests.test_claude import SECRET, reply_events

    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    plans = {
        p.request.prompt: p
        for p in plan_cells(
            spec_for([personas["builder"]], cards), ClaudeProvider("claude-haiku-4-5")
        )
    }
    gateway = httpx2_mock.post("https://gateway.example.test/v1/messages").mock(
        side_effect=lambda request: event_stream(
            reply_events(plans[json.loads(request.content)["messages"][0]["content"]].request)
        )
    )
    group = tmp_path / "out"
    first = ["--model", "anthropic:claude-haiku-4-5", "--base-url", "https://gateway.example.test"]
    assert _run(capsys, *first, "--out", str(group))[0] == 0
    old = (group / "latest").resolve()
    kept = tree(old)
    assert gateway.call_count == 2

    code = main(["rerun", *_record_args(group), "--refresh"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert err.startswith("model: anthropic:claude-haiku-4-5") and "the record's model" in err
    assert gateway.call_count == 4  # the record's gateway again, not the default API
    new = (group / "latest").resolve()
    assert new != old and new.parent == group and tree(old) == kept
    record = json.loads((new / "record.json").read_text())
    assert record["model"]["model"] == "claude-haiku-4-5"
    assert record["model"]["endpoint"] == "https://gateway.example.test"


def test_rerun_of_an_offline_record_stays_offline_even_with_a_key_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    group = tmp_path / "out"
    assert _run(capsys, "--out", str(group))[0] == 0
    old = (group / "latest").resolve()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-to-be-used-0000")
    code = main(["rerun", *_record_args(group), "--offline-delay", "0"])
    err = capsys.readouterr().err
    assert code == 0 and err.startswith("model: offline:offline"), err
    assert (group / "latest").resolve() != old and old.is_dir()


def test_cache_stats_verify_and_clear_touch_only_panels_own_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "--out", "out")[0] == 0
    entries = sorted((tmp_path / "cache" / "cells").rglob("*.json"))
    assert len(entries) == 2
    mine = tmp_path / "cache" / "README.txt"
    mine.write_text("my notes about this cache")
    stray = entries[0].parent / "notes.json"
    stray.write_text("{}")
    bad = json.loads(entries[1].read_text())
    bad["verdict"]["verdict"] = "maybe"
    entries[1].write_text(json.dumps(bad))

    assert main(["cache", "stats"]) == 0
    out = capsys.readouterr().out
    assert "cache: 2 entries" in out and "offline:offline" in out and "1 other files" in out

    assert main(["cache", "verify"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{Path('cache') / entries[1].relative_to(tmp_path / 'cache')}: ")
    assert "verdict fails the persona's schema (verdict: Input should be" in lines[0]
    assert lines[-1] == "2 entries checked, 1 bad (--remove removes them)"
    assert main(["cache", "verify", "--remove"]) == 0
    capsys.readouterr()
    assert not entries[1].exists() and entries[0].exists()

    assert main(["cache", "clear"]) == 0
    assert "removed 1 entries" in capsys.readouterr().out
    assert not entries[0].exists()
    assert mine.read_text() == "my notes about this cache" and stray.read_text() == "{}"
    code, err = _run(capsys, "--out", "out")  # a cleared cache is simply empty: the run calls again
    assert code == 0 and "0 from the response cache" in err


def test_the_estimate_counts_a_cached_verdict_the_schema_refuses_as_a_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run asks such an entry again (and pays for it), so the estimate does too."""
    assert _run(capsys, "--out", "out")[0] == 0
    entries = sorted((tmp_path / "cache" / "cells").rglob("*.json"))
    bad = json.loads(entries[0].read_text())
    bad["verdict"]["verdict"] = "maybe"
    entries[0].write_text(json.dumps(bad))
    assert main(["run", PAIR, *QUICK, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "2 cells, 1 from the response cache, 1 model call" in out, out


def test_cache_clear_never_follows_a_link_in_place_of_a_shard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A shard (or the cells folder) that is a link leads to files panel did not make, however
    they are named: clear, stats and verify leave them alone."""
    assert _run(capsys, "--out", "out")[0] == 0
    cells = tmp_path / "cache" / "cells"
    shard = sorted(p for p in cells.iterdir() if p.is_dir())[0]
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(shard), elsewhere)
    shard.symlink_to(elsewhere, target_is_directory=True)
    theirs = sorted(elsewhere.iterdir())
    assert theirs and main(["cache", "clear"]) == 0
    capsys.readouterr()
    assert sorted(elsewhere.iterdir()) == theirs and shard.is_symlink()
    outside = tmp_path / "outside"
    shutil.copytree(elsewhere, outside / shard.name)  # shaped as panel's cells folder
    (tmp_path / "cache2").mkdir()
    (tmp_path / "cache2" / "cells").symlink_to(outside, target_is_directory=True)
    assert main(["cache", "clear", "--cache-dir", str(tmp_path / "cache2")]) == 0
    assert sorted(p.name for p in (outside / shard.name).iterdir()) == [p.name for p in theirs]
    assert sorted(elsewhere.iterdir()) == theirs


def test_cache_stats_and_verify_count_the_graders_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from panel.models import GraderEntry, Usage
    from panel.running.response_cache import ResponseStore

    store = ResponseStore(tmp_path / "cache")
    for key in ("a" * 64, "b" * 64):
        answer = GraderEntry(key=key, model="claude-haiku-4-5", call="skip", words="skip it",
                             usage=Usage(input_tokens=300, output_tokens=12))  # fmt: skip
        store.put_grading(answer)
    broken = tmp_path / "cache" / "graders" / "bb" / f"{'b' * 64}.json"
    broken.write_text(broken.read_text().replace('"skip it"', "7"))

    assert main(["cache", "stats"]) == 0
    out = capsys.readouterr().out
    assert "cache: 0 entries" in out and "2 grader answers" in out
    assert "1 claude-haiku-4-5" in out and "1 (unreadable)" in out

    assert main(["cache", "verify"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{Path('cache') / 'graders' / 'bb' / broken.name}: not a grader")
    assert lines[-1] == "2 entries checked, 1 bad (--remove removes them)"
    assert main(["cache", "verify", "--remove"]) == 0
    assert not broken.exists() and (broken.parent.parent / "aa" / f"{'a' * 64}.json").exists()
