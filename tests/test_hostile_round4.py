"""Hostile input, round 4: classes each of which failed on the code before this round.

- a record whose ok cell's verdict lacks, or mistypes, a field the pages read (confidence,
  headline, quote, beats, competitors): render and digest crashed with a template traceback;
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from tests.conftest import EXAMPLES
from tests.helpers import tree

CARDS = [str(EXAMPLES / "claw-code.toml"), str(EXAMPLES / "modal-gpu-inference.toml")]
QUICK = ["--offline-delay", "0", "--personas", "builder,skeptic", "--cache-dir", "cache"]


def _run(out: str = "runs") -> Path:
    """A run folder from one offline run."""
    assert main(["run", *CARDS, *QUICK, "--out", out, "--quiet"]) == 0
    return (Path(out) / "latest").resolve()


def _one_line(capsys: pytest.CaptureFixture[str], args: list[str], *wanted: str) -> str:
    capsys.readouterr()
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for part in wanted:
        assert part in err, err
    return err


# ------------------------------------------------ 1. the verdict fields the pages read

VerdictEdit = Callable[[dict[str, Any]], object]


def _without(field: str) -> VerdictEdit:
    return lambda verdict: verdict.pop(field)


def _with(field: str, value: object) -> VerdictEdit:
    return lambda verdict: verdict.update({field: value})


VERDICTS: dict[str, tuple[VerdictEdit, str]] = {
    "no-confidence": (_without("confidence"), "verdict.confidence"),
    "no-headline": (_without("headline"), "verdict.headline"),
    "no-quote": (_without("quote"), "verdict.quote"),
    "no-beats": (_without("beats"), "verdict.beats"),
    "no-competitors": (_without("competitors"), "verdict.competitors"),
    "beats-list": (_with("beats", ["a"]), "verdict.beats"),
    "beats-number": (_with("beats", 5), "verdict.beats"),
    "beats-null": (_with("beats", None), "verdict.beats"),
    "beat-note-number": (_with("beats", {"primitive": 5}), "verdict.beats.primitive"),
    "competitors-number": (_with("competitors", 5), "verdict.competitors"),
    "competitors-object": (_with("competitors", {"a": 1}), "verdict.competitors"),
    "confidence-odd": (_with("confidence", "\x1b[31mhigh"), "verdict.confidence"),
    "headline-null": (_with("headline", None), "verdict.headline"),
    "headline-list": (_with("headline", ["a"]), "verdict.headline"),
    "quote-null": (_with("quote", None), "verdict.quote"),
    "quote-object": (_with("quote", {"a": 1}), "verdict.quote"),
}


@pytest.mark.parametrize("name", list(VERDICTS))
def test_a_verdict_the_pages_cannot_read_is_one_line_naming_it(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, wanted = VERDICTS[name]
    run = _run()
    data = json.loads((run / "record.json").read_text())
    edit(data["cells"][0]["verdict"])
    (run / "record.json").write_text(json.dumps(data))
    before = tree(Path("runs"))
    _one_line(capsys, ["render", str(run)], "record.json", "cells.0", wanted)
    _one_line(capsys, ["diff", str(run), str(run)], "record.json", wanted)
    capsys.readouterr()
    assert main(["digest", "runs", "--out", "site"]) == 0  # the run is skipped, and named
    assert wanted in capsys.readouterr().err
    assert main(["validate", str(run)]) == 2
    assert wanted in capsys.readouterr().out
    assert tree(Path("runs")) == before  # no page was rewritten from it


def test_a_failed_cell_keeps_whatever_verdict_it_has(capsys: pytest.CaptureFixture[str]) -> None:
    """Only an ok cell's verdict is shown: a failed cell with a partial verdict still reads."""
    run = _run()
    data = json.loads((run / "record.json").read_text())
    data["cells"][0].update(status="failed", verdict={"beats": 5}, error="timed out")
    (run / "record.json").write_text(json.dumps(data))
    assert main(["render", str(run)]) == 0
