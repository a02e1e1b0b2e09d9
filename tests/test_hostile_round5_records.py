"""Hostile input, round 5 (part 2 of 3): what records hold. Each class failed on the code before
this round.

- a figure panel measured, edited by hand in a record: a total cost of NaN or 1e999 made
  `panel runs --format json` print `NaN` (no JSON parser reads it), a negative total cost was
  listed, and a negative wall time, time to verdict or attempt count was published;
- the lines a listing reads from a record's summary (a tool's split and tally, a review's call,
  a comparison's reason), edited by hand: the digest's weekly page and feed published them,
  "Ship: 2 of 2 reviewers" over cells that split (only the counts were checked); now they are
  worded from the cells, as the run's own pages are;
- a record missing the cell of a reviewer × tool (cells deleted by hand): read, listed and
  rendered as `complete` (every cell it still has is ok), a verdict silently gone;
- an API key as a path segment of a URL (a gateway that takes it so: `--base-url
  https://gw.example.com/sk-proj-.../v1`; a `--site-url` or a card link the same): the
  endpoint kept in the record, the cache and the pages carried the key (only user:password@
  and query keys were taken out);
- a record dated in the future (`9999-12-31T23:59:59Z`): it headed every listing and every
  weekly digest and feed for ever, and `panel validate` passed it;
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from tests.helpers import (
    QUICK_RUN,
    fails_in_one_line,
    hostile_cards,
    latest_offline_run,
)

CARDS = hostile_cards()


# ------------------------------------------------ 1. measured figures edited by hand


def _edit_record(folder: Path, edit: Any) -> None:
    path = folder / "record.json"
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data, allow_nan=True))


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("cost", ["NaN", "Infinity", "-5.0", "1e999"])
def test_a_listing_never_shows_a_total_cost_that_is_no_amount(
    cost: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`panel runs` reads a record's summary (not the whole record): its cost was taken as
    stored, sign and all; each reader of a whole record already refused NaN."""
    folder = latest_offline_run()
    path = folder / "record.json"
    path.write_text(path.read_text().replace('"cost_usd": null', f'"cost_usd": {cost}', 1))
    capsys.readouterr()
    assert main(["runs", "runs", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert _strict_json(captured.out) == []
    assert "totals.cost_usd" in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("field", "edit"),
    [
        ("totals.wall_seconds", lambda d: d["totals"].update(wall_seconds=-99999.5)),
        ("cells.0.seconds_total", lambda d: d["cells"][0].update(seconds_total=-3.0)),
        ("cells.0.seconds_to_verdict", lambda d: d["cells"][0].update(seconds_to_verdict=-4)),
        ("cells.0.attempts", lambda d: d["cells"][0].update(attempts=-2)),
    ],
)
def test_a_measured_figure_below_zero_is_one_line_naming_it(
    field: str, edit: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The wall time is the one total not derived from the cells: it was published as stored
    ("Wall time: -99999.50 s"), and so were a cell's times and attempts."""
    folder = latest_offline_run()
    _edit_record(folder, edit)
    before = (folder / "panel.md").read_text()
    fails_in_one_line(capsys, ["render", str(folder)], field, "greater than or equal to 0")
    assert (folder / "panel.md").read_text() == before
    assert main(["validate", str(folder)]) == 2
    assert field in capsys.readouterr().out


def test_a_listing_skips_a_negative_wall_time(capsys: pytest.CaptureFixture[str]) -> None:
    _edit_record(latest_offline_run(), lambda d: d["totals"].update(wall_seconds=-1.0))
    capsys.readouterr()
    assert main(["runs", "runs", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert _strict_json(captured.out) == [] and "totals.wall_seconds" in captured.err


def test_measured_figures_of_zero_still_read(capsys: pytest.CaptureFixture[str]) -> None:
    folder = latest_offline_run()

    def zero(data: dict[str, Any]) -> None:
        data["totals"]["wall_seconds"] = 0
        data["cells"][0].update(seconds_total=0.0, seconds_to_verdict=0.0, attempts=0)

    _edit_record(folder, zero)
    assert main(["render", str(folder)]) == 0
    assert main(["runs", "runs", "--format", "json"]) == 0
    assert _strict_json(capsys.readouterr().out)[0]["wall_seconds"] == 0


# ------------------------------------------------ 2. the lines a listing shows, edited by hand

FORGED = "FORGED by hand"


def _plant(data: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[last] = FORGED


@pytest.mark.parametrize(
    ("cards", "path"),
    [
        (1, "aggregates.call.headline"),
        (1, "aggregates.call.reason"),
        (1, "aggregates.tools.0.split"),
        (2, "aggregates.tools.1.tally"),
        (2, "aggregates.overall.reason"),
    ],
)
def test_the_digest_publishes_the_lines_the_cells_give_not_the_files(
    cards: int, path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lines are worded from the cells, as the pages word them: a record whose tools were renamed
    (or that an older panel worded otherwise) is still listed; its figures are checked."""
    args = ["run", *CARDS[:cards], *QUICK_RUN, "--out", "runs", "--quiet"]
    assert main(args) == 0
    folder = Path("runs/latest").resolve()
    genuine = json.loads((folder / "record.json").read_text())["aggregates"]
    _edit_record(folder, lambda data: _plant(data, path))
    capsys.readouterr()
    assert main(["runs", "runs", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert main(["digest", "runs", "--out", "site"]) == 0
    assert "skipped" not in capsys.readouterr().err
    assert not [page for page in Path("site").rglob("*.*") if FORGED in page.read_text()]
    weekly = Path("site/digest.html").read_text()
    line = genuine["call"]["headline"] if cards == 1 else genuine["overall"]["reason"]
    assert html.escape(line, quote=False) in weekly
    assert html.escape(genuine["tools"][0]["split"], quote=False) in weekly


def test_genuine_records_are_listed_with_edits_and_samples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every line recomputed the way the record was written: an edited cell, samples, a review."""
    folder = latest_offline_run()
    (folder / "overrides.toml").write_text(
        '[[override]]\ntool = "claw-code"\npersona = "skeptic"\nverdict = "skip"\n'
        'score = 2\neditor = "Ana"\nreason = "the card oversells it"\n'
    )
    assert main(["render", str(folder)]) == 0
    assert main(["run", *CARDS, *QUICK_RUN, "--samples", "3", "--out", "runs", "--quiet"]) == 0
    assert main(["run", CARDS[0], *QUICK_RUN, "--out", "review", "--quiet"]) == 0
    capsys.readouterr()
    for root, count in (("runs", 2), ("review", 1)):
        assert main(["runs", root, "--format", "json"]) == 0
        captured = capsys.readouterr()
        assert len(json.loads(captured.out)) == count and "skipped" not in captured.err


# ------------------------------------------------ 3. a record from the future


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59Z", "2999-01-01T00:00:00+14:00"])
def test_a_record_dated_in_the_future_is_one_line_naming_created_at(
    when: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = latest_offline_run()
    _edit_record(folder, lambda data: data.update(created_at=when))
    fails_in_one_line(capsys, ["render", str(folder)], "created_at: is in the future")
    assert main(["validate", str(folder)]) == 2
    assert "created_at: is in the future" in capsys.readouterr().out
    assert main(["runs", "runs", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and "created_at: is in the future" in captured.err
    assert main(["digest", "runs", "--out", "site"]) == 0
    assert "9999" not in Path("site/digest.html").read_text()


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "{today}T23:59:59-11:00"])
def test_a_record_dated_in_the_past_or_a_little_ahead_still_reads(
    when: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clock a few hours fast (or a zone far west) is no record edited by hand."""
    from datetime import UTC, datetime

    folder = latest_offline_run()
    today = datetime.now(UTC).date().isoformat()
    _edit_record(folder, lambda data: data.update(created_at=when.format(today=today)))
    assert main(["render", str(folder)]) == 0
    assert main(["runs", "runs", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


# ------------------------------------------------ 4. a record missing a cell


@pytest.mark.parametrize("kept", [0, 1, 3])
def test_a_record_missing_a_reviewers_cell_is_one_line_naming_it(
    kept: int, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = latest_offline_run()
    _edit_record(folder, lambda data: data.update(cells=data["cells"][:kept]))
    fails_in_one_line(capsys, ["render", str(folder)], "cells: none for ", " × ")
    assert main(["runs", "runs", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and "cells: none for " in captured.err
    assert main(["validate", str(folder)]) == 2


def test_a_failed_or_skipped_cell_still_counts_as_recorded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = latest_offline_run()

    def fail_one(data: dict[str, Any]) -> None:
        data["cells"][0].update(status="skipped", verdict=None, error="budget reached")

    _edit_record(folder, fail_one)
    assert main(["render", str(folder)]) == 0
    assert main(["runs", "runs", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["complete"] is False


# ------------------------------------------------ 5. a key in a URL's path

KEY_PATH = "https://gw.example.com/sk-proj-PLANTEDsecret0123456789/v1"


def test_a_key_in_a_urls_path_is_never_kept_or_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from panel.models import ModelInfo
    from panel.providers.claude import ClaudeProvider
    from panel.providers.openai_chat import OpenAIProvider

    latest_offline_run()  # before any key is set: the offline model
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-test-key-000000")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-000000")
    for provider in (OpenAIProvider("gpt-5-mini", base_url=KEY_PATH),
                     ClaudeProvider("claude-sonnet-5-5", base_url=KEY_PATH)):  # fmt: skip
        assert provider.info.endpoint == "https://gw.example.com/[redacted]/v1"
        assert "PLANTED" not in provider.info.model_dump_json()
    planted = ModelInfo(provider="openai", model="m", label="m", is_language_model=True,
                        endpoint=KEY_PATH)  # fmt: skip
    assert planted.endpoint == "https://gw.example.com/[redacted]/v1"  # a record edited by hand
    err = fails_in_one_line(
        capsys, ["digest", "runs", "--out", "site", "--site-url", KEY_PATH], "carries credentials"
    )
    assert "PLANTED" not in err


def test_a_path_that_merely_looks_keyish_is_kept() -> None:
    from panel.urls import has_credentials, public_url

    for url in ("https://github.com/org/sk-learn/tree/main", "https://example.com/v1"):
        assert not has_credentials(url) and public_url(url) == url
