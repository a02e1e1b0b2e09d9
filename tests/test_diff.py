"""Diff arithmetic on hand-made records."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from panel.models import CellResult, Persona, Record, ToolCard
from panel.report.diff import cohen_kappa, diff_records, to_markdown
from panel.running.runner import build_record
from tests.helpers import ScriptedProvider, spec_for
from tests.test_aggregate import failed, ok


def _record(
    personas: dict[str, Persona],
    cards: list[ToolCard],
    cells: list[CellResult],
    model: str = "m",
) -> Record:
    spec = spec_for([personas[p] for p in ("builder", "skeptic")], cards)
    provider = ScriptedProvider(lambda r, n: [])
    provider.info = provider.info.model_copy(update={"model": model})
    return build_record(spec, provider, cells, wall_seconds=1.5, settings={})


T1, T2 = "claude-api-streaming-caching", "modal-gpu-inference"


def test_kappa_hand_worked() -> None:
    # 4 pairs: agree on 3. p_o = .75; A ships 3/4, B ships 2/4; p_e = .75*.5 + .25*.5 = .5; kappa
    # = .25/.5 = .5
    pairs = [("ship", "ship"), ("ship", "ship"), ("ship", "skip"), ("skip", "skip")]
    assert cohen_kappa(pairs) == (0.5, "")


def test_kappa_total_agreement_and_all_same() -> None:
    assert cohen_kappa([("ship", "ship"), ("skip", "skip")]) == (1.0, "")
    kappa, note = cohen_kappa([("ship", "ship"), ("ship", "ship")])
    assert (kappa, note) == (None, "undefined: both gave the same verdict to every cell")
    assert cohen_kappa([]) == (None, "no cells to compare")
    # Total disagreement with balanced verdicts: p_o = 0, p_e = .5 -> kappa = -1
    assert cohen_kappa([("ship", "skip"), ("skip", "ship")]) == (-1.0, "")


def test_diff_of_two_records(personas: dict[str, Persona], cards: list[ToolCard]) -> None:
    a = _record(
        personas,
        cards,
        [
            ok("builder", T1, "ship", 8),
            ok("builder", T2, "ship", 7),
            ok("skeptic", T1, "ship", 6),
            ok("skeptic", T2, "skip", 4),
        ],
    )
    b = _record(
        personas,
        cards,
        [
            ok("builder", T1, "ship", 9),
            ok("builder", T2, "skip", 5),
            ok("skeptic", T1, "ship", 6),
            failed("skeptic", T2),
        ],
        model="other",
    )
    result = diff_records(a, b)
    assert result.compared == 3
    assert [(c.persona, c.tool) for c in result.changes if c.flipped] == [("builder", T2)]
    assert result.same_verdict_share == round(2 / 3, 4)
    assert result.mean_abs_score_diff == round((1 + 2 + 0) / 3, 3)
    # T1: 2/2 ship in both -> 0; T2: A 1/2 = 50%, B 0/1 = 0% -> -50
    assert result.ship_pct_change == {T1: 0.0, T2: -50.0}
    assert result.unmatched == [f"skeptic × {T2}"]
    # pairs: (ship,ship),(ship,skip),(ship,ship): A ships everywhere, so no kappa, and it says why
    assert result.kappa is None
    assert result.kappa_note == "undefined: record A gave the same verdict to every cell"
    assert "**flipped**" in to_markdown(result)
    assert result.a.model == "scripted:m" and result.b.model == "scripted:other"


def test_cli_rerun_with_another_model_then_diff(tmp_path: Path) -> None:
    from tests.test_cli import PAIR, panel

    first = panel(
        "run",
        PAIR,
        "--out",
        str(tmp_path / "a"),
        "--offline-delay",
        "0",
        "--personas",
        "builder,skeptic",
    )
    assert first.returncode == 0, first.stderr
    # The rerun uses the cards, personas and templates stored in the record, not the files.
    rerun = panel(
        "rerun",
        str(tmp_path / "a" / "latest" / "record.json"),
        "--model",
        "offline",
        "--out",
        str(tmp_path / "b"),
        "--refresh",
        "--offline-delay",
        "0",
    )
    assert rerun.returncode == 0, rerun.stderr
    a = json.loads((tmp_path / "a" / "latest" / "record.json").read_text())
    b = json.loads((tmp_path / "b" / "latest" / "record.json").read_text())
    assert (
        a["tools"] == b["tools"]
        and a["personas"] == b["personas"]
        and a["templates"] == b["templates"]
    )
    for fmt in ("table", "markdown", "json"):
        shown = panel(
            "diff",
            str(tmp_path / "a" / "latest" / "record.json"),
            str(tmp_path / "b"),
            "--format",
            fmt,
        )
        assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert (
        report["compared"] == 4 and report["same_verdict_share"] == 1.0
    )  # offline is deterministic
    listing = panel("runs", str(tmp_path))
    assert (
        listing.returncode == 0 and a["run_id"] in listing.stdout and b["run_id"] in listing.stdout
    )


def test_interrupt_saves_completed_cells_and_the_same_command_resumes(tmp_path: Path) -> None:
    import os
    import signal
    import time

    from tests.helpers import panel_process

    options = ["--offline-delay", "0.02", "--concurrency", "1"]
    args = panel_process(tmp_path / "o", tmp_path / "c", *options)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    # A test run started in the background (`pytest &`) inherits SIGINT ignored, and so would
    # the child: it gets Python's default handler back, as a run from a terminal has.
    child = subprocess.Popen(
        args,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert child.stderr is not None
    seen = 0
    while seen < 2:
        line = child.stderr.readline()
        assert line, "the run ended before it could be interrupted"
        seen += " × " in line
    child.send_signal(signal.SIGINT)
    rest = child.stderr.read()
    assert child.wait(timeout=30) == 130
    assert "interrupted;" in rest and "cells are saved" in rest and "Traceback" not in rest
    assert [p.name for p in (tmp_path / "o").iterdir()] == [".panel-runs"]  # no run written
    saved = int(rest.split("interrupted; ")[1].split(" of ")[0])
    assert 2 <= saved < 8
    time.sleep(0.05)
    resumed = subprocess.run(
        args[:-4] + ["--offline-delay", "0"], capture_output=True, text=True, env=env, timeout=60
    )
    assert resumed.returncode == 0
    assert f"8/8 with a verdict, {saved} from the response cache" in resumed.stderr


@pytest.mark.parametrize("version", [0, 3, None])
def test_records_of_another_schema_version_are_named(
    tmp_path: Path, personas: dict[str, Persona], cards: list[ToolCard], version: int | None
) -> None:
    from panel.errors import InputError
    from panel.record.store import load_record

    record = _record(personas, cards, [ok("builder", T1, "ship", 8)]).model_dump(mode="json")
    record["schema_version"] = version
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    with pytest.raises(
        InputError,
        match=f"schema_version: record is version {version!r}; this panel reads version 2 "
        "and migrates version 1",
    ):
        load_record(path)
