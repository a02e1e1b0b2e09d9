"""Issue 23, round 3 (part 2 of 2): what files hold. Numbers (vote counts, scores, record
numbers) are sane whole numbers or one line naming file, row and column; every error a
template can raise is one line naming it; numbers derived from cells are recomputed, never
trusted from disk; `panel validate` reads a run folder as `render` does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from panel.cli import main
from panel.record.store import load_record
from tests.conftest import ROOT
from tests.helpers import QUICK_RUN, fails_in_one_line, hostile_cards, latest_offline_run

CARDS = hostile_cards()
LONG = "9" * 5000


# ------------------------------------------------ 4. numbers from files


@pytest.mark.parametrize(
    "count", ["²", "٣", "١٢", LONG, "1.5", "-1", "1e3", "+4", "0x10", "1_000", "99999999999"]
)
def test_a_csv_vote_count_is_a_plain_sane_number_or_one_line(
    count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = latest_offline_run()
    Path("votes.csv").write_text(f"tool,ship,skip\nclaw-code,1,{count}\n")
    err = fails_in_one_line(
        capsys, ["render", str(run), "--votes", "votes.csv"], "votes.csv: line 2: skip:"
    )
    assert len(err) < 400


@pytest.mark.parametrize(
    ("value", "wanted"),
    [
        (LONG, "entry 1: ship:"),
        ("-" + LONG, "entry 1: ship:"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("1e999", "out of range"),
        ("1.0", "entry 1: ship:"),
        ("-3", "entry 1: ship:"),
        ("10000000000", "entry 1: ship:"),
    ],
)
def test_a_json_vote_count_is_a_plain_sane_number_or_one_line(
    value: str, wanted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = latest_offline_run()
    Path("votes.json").write_text(f'[{{"tool": "claw-code", "ship": {value}, "skip": 1}}]')
    fails_in_one_line(capsys, ["render", str(run), "--votes", "votes.json"], "votes.json", wanted)


@pytest.mark.parametrize(
    "text",
    [
        'tool,ship,skip,source\nclaw-code,1,2,"' + "x" * 200_000 + '"\n',  # over csv's limit
        'tool,ship,skip\n"claw-code,1,2\n',  # an open quote to the end
    ],
)
def test_csv_the_csv_module_refuses_is_one_line(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = latest_offline_run()
    Path("votes.csv").write_text(text)
    fails_in_one_line(capsys, ["render", str(run), "--votes", "votes.csv"], "votes.csv")


def test_a_spreadsheets_byte_order_mark_is_not_a_column(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = latest_offline_run()
    Path("votes.csv").write_text("\ufefftool,ship,skip\nclaw-code,3,1\n")
    assert main(["render", str(run), "--votes", "votes.csv"]) == 0


def test_sane_counts_are_still_read(capsys: pytest.CaptureFixture[str]) -> None:
    run = latest_offline_run()
    Path("votes.csv").write_text("tool,ship,skip\nclaw-code,1000000000,0\n")
    assert main(["render", str(run), "--votes", "votes.csv"]) == 0
    assert load_record(run).community_votes["claw-code"].ship == 10**9  # type: ignore[union-attr]


@pytest.mark.parametrize("score", [LONG, "1.5", "-2", "inf", "nan", "11"])
def test_an_override_score_is_a_sane_number_or_one_line(
    score: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = latest_offline_run()
    (run / "overrides.toml").write_text(
        f'[[override]]\ntool = "claw-code"\npersona = "builder"\nscore = {score}\n'
        'editor = "ed"\nreason = "checked"\n'
    )
    fails_in_one_line(capsys, ["render", str(run)], "overrides.toml")
    assert main(["validate", str(run)]) == 2


@pytest.mark.parametrize(("path", "value"), [("totals.wall_seconds", LONG), ("run_id", "NaN")])
def test_a_record_number_of_5000_digits_or_nan_is_one_line(
    path: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = latest_offline_run()
    text = (run / "record.json").read_text()
    key = path.split(".")[-1]
    data = json.loads(text)
    target = data["totals"] if "." in path else data
    target[key] = 0
    planted = json.dumps(data).replace(f'"{key}": 0', f'"{key}": {value}', 1)
    (run / "record.json").write_text(planted)
    fails_in_one_line(capsys, ["diff", str(run), str(run)], "record.json")
    fails_in_one_line(capsys, ["render", str(run)], "record.json")


# ------------------------------------------------ 5. every template error is one line


BOMBS = {
    "overflow": "{{ range(1000000) | list }}",
    "zero-division": "{{ 1 / 0 }}",
    "type": "{{ 'a' + 1 }}",
    "format": "{{ '%d' % 'x' }}",
    "value": "{{ '{:d}'.format('x') }}",
    "char": "{{ '%c' % 99999999 }}",
    "unsafe": "{{ ''.__class__.__mro__ }}",
    "syntax": "{% for %}",
    "undefined": "{{ nothing.here }}",
    "recursion": "{% include 'cell.j2' %}",
}


def _prompts_with(cell: str) -> Path:
    folder = Path("prompts")
    folder.mkdir(exist_ok=True)
    for template in (ROOT / "prompts").glob("*.j2"):
        (folder / template.name).write_text(template.read_text())
    (folder / "cell.j2").write_text(cell + "\n")
    return folder


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_template_error_from_prompts_dir_is_one_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _prompts_with(BOMBS[name])
    for extra in (["--dry-run"], []):
        args = ["run", *CARDS, *QUICK_RUN, "--prompts-dir", str(folder), "--out", "o", *extra]
        fails_in_one_line(capsys, args, "cell.j2")
    assert not Path("o").exists()


@pytest.mark.parametrize("name", ["overflow", "zero-division", "type", "value"])
def test_a_template_error_from_a_records_templates_is_one_line_on_rerun(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = latest_offline_run()
    data = json.loads((run / "record.json").read_text())
    for template in data["templates"]:
        if template["name"] == "cell.j2":
            template["text"] = BOMBS[name]
    (run / "record.json").write_text(json.dumps(data))
    before = sorted(os.listdir("runs"))
    fails_in_one_line(capsys, ["rerun", str(run), *QUICK_RUN[:2], "--cache-dir", "c2"], "cell.j2")
    assert sorted(os.listdir("runs")) == before


# ------------------------------------------------ 6. derived numbers are recomputed


def _edit(run: Path, change: dict[str, object]) -> Path:
    copy = Path("edited")
    copy.mkdir()
    data = json.loads((run / "record.json").read_text())
    for tool in data["aggregates"]["tools"]:
        tool.update(change)
    data["totals"]["cells_ok"] = 99
    data["totals"]["cost_usd"] = 1234.5
    data["statistics"]["tools"][0]["ship_pct"] = 0.0
    (copy / "record.json").write_text(json.dumps(data))
    return copy / "record.json"


def test_diff_recomputes_ship_pct_instead_of_trusting_the_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = latest_offline_run()
    edited = _edit(run, {"ship_pct": 0.0, "ships": 0})
    capsys.readouterr()
    assert main(["diff", str(run / "record.json"), str(edited), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["ship_pct_change"].values()) <= {0, None}, result["ship_pct_change"]
    assert result["b"]["cells_ok"] == result["a"]["cells_ok"]
    assert result["b"]["cost_usd"] == result["a"]["cost_usd"]


def test_every_reader_sees_numbers_from_the_cells(capsys: pytest.CaptureFixture[str]) -> None:
    run = latest_offline_run()
    genuine = load_record(run)
    edited = load_record(_edit(run, {"ship_pct": 0.0, "ships": 0, "mean_score": 1.0}))
    assert edited.aggregates == genuine.aggregates
    assert edited.statistics == genuine.statistics
    assert edited.totals == genuine.totals
    stored = load_record(Path("edited/record.json"), as_stored=True)
    assert stored.aggregates != genuine.aggregates  # validate still sees, and names, the edit
    capsys.readouterr()
    assert main(["validate", "edited/record.json"]) == 2
    assert "ship_pct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("aggregates.tools.0.ship_pct", 0.0),
        ("aggregates.tools.1.mean_score", 1.0),
        ("aggregates.overall.winner", "claw-code"),
        ("totals.cells_ok", 99),
        ("complete", False),
    ],
)
def test_a_listing_never_shows_a_figure_the_cells_do_not_give(
    path: str, value: object, capsys: pytest.CaptureFixture[str]
) -> None:
    run = latest_offline_run()
    data = json.loads((run / "record.json").read_text())
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if target[last] == value:  # the winner: name the other tool
        value = next(tool["id"] for tool in data["tools"] if tool["id"] != value)
    target[last] = value
    (run / "record.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["runs", "runs", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and path.split(".")[-1] in captured.err
    assert main(["digest", "runs", "--out", "site"]) == 0
    assert "skipped" in capsys.readouterr().err


def test_a_tampered_bootstrap_interval_is_computed_again() -> None:
    run = latest_offline_run()
    genuine = load_record(run).statistics
    data = json.loads((run / "record.json").read_text())
    data["statistics"]["tools"][0]["mean_score_low"] = -50.0  # no score is below 1
    (run / "record.json").write_text(json.dumps(data))
    assert load_record(run).statistics == genuine


# ------------------------------------------------ 10. validate reads a run folder as render does


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link_out(path: Path) -> None:
    outside = Path("outside.toml")  # a good file: only where it lives is wrong
    outside.write_text(
        '[[override]]\ntool = "claw-code"\npersona = "builder"\nverdict = "skip"\n'
        'editor = "ed"\nreason = "checked"\n'
    )
    path.symlink_to(outside.resolve())


def _folder(path: Path) -> None:
    path.mkdir()


def _huge(path: Path) -> None:
    path.write_text("# " + "x" * (300 * 1024) + "\n")


def _loop(path: Path) -> None:
    path.symlink_to(path.name)


@pytest.mark.parametrize("plant", [_fifo, _link_out, _folder, _huge, _loop])
def test_validate_reports_the_overrides_render_refuses(
    plant: object, capsys: pytest.CaptureFixture[str]
) -> None:
    run = latest_offline_run()
    plant(run / "overrides.toml")  # type: ignore[operator]
    capsys.readouterr()
    assert main(["validate", str(run)]) == 2
    report = capsys.readouterr().out
    assert "overrides.toml" in report and "0 problems" not in report, report
    fails_in_one_line(capsys, ["render", str(run)], "overrides.toml")


def test_validate_reports_a_planted_record_link_and_bad_votes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = latest_offline_run()
    (run / "votes.csv").write_text("tool,ship,skip\nclaw-code,²,1\n")
    os.rename(run / "record.json", "elsewhere.json")
    (run / "record.json").symlink_to(Path("elsewhere.json").resolve())
    capsys.readouterr()
    assert main(["validate", str(run)]) == 2
    report = capsys.readouterr().out
    assert "record.json: links outside" in report and "votes.csv: line 2: ship" in report
    fails_in_one_line(capsys, ["render", str(run)], "record.json")
