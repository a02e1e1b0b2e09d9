"""Hostile input, round 4b: what round 4 noticed and left, each class failing on the code before.

- an API key given as a run's title (`--title`, a panel file's `title`, the desk's new-run
  `title`, an editor's name or reason): written as-is into record.json and both pages;
- zero-width characters and direction marks (LRM, RLM, ALM) in a name printed on the terminal:
  two names that look alike differed (bidi overrides were already stripped);
- a newline (or ESC, a tab, a zero-width space) in a run folder's name: "wrote ..." and
  "latest: ..." split in two, the second part a line of its own;
- a negative token count or cost in a record's cell (or its grader's): read, summed into the
  totals and passed by `panel validate`;
- `--cache-dir /dev/null` (or a file): a warning for every cell; a folder failing mid-run
  still warned once a cell;
- `panel diff` of runs of different panels: compared the shared cells with no word of the
  tools and personas one run had and the other lacked;
- a votes file naming none of the run's tools (`--votes` on run, rerun and render): no effect,
  no word.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from panel.models import Usage
from tests.conftest import EXAMPLES
from tests.helpers import QUICK_RUN, fails_in_one_line, hostile_cards, latest_offline_run

CARDS = hostile_cards()


# ------------------------------------------------ 1. an API key given as free text

PLANTED = "sk-proj-PLANTEDsecret0123456789"
KEY_TITLES = [f"Review {PLANTED}", "sk-ant-api03-PLANTEDsecret0123456789", "A abcdEnvOnlySecret42"]


@pytest.mark.parametrize("title", KEY_TITLES)
def test_a_title_holding_an_api_key_is_refused_before_it_is_written(
    title: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--title "$OPENAI_API_KEY"` (a variable mixed up) wrote the key into record.json, panel.md
    and panel.html; the model's name was already refused (round 4)."""
    monkeypatch.setenv("OPENAI_API_KEY", "abcdEnvOnlySecret42")
    args = ["run", *CARDS, *QUICK_RUN, "--title", title, "--out", "o"]
    err = fails_in_one_line(capsys, args, "--title: holds an API key")
    assert "PLANTED" not in err and "EnvOnly" not in err
    assert not Path("o").exists()


@pytest.mark.parametrize("title", KEY_TITLES[:2])
def test_a_panel_file_title_holding_an_api_key_is_one_line_naming_it(
    title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tools = json.dumps([str(Path(card).resolve()) for card in CARDS])
    Path("p.toml").write_text(f"title = {json.dumps(title)}\ntools = {tools}\n")
    err = fails_in_one_line(
        capsys, ["run", "p.toml", *QUICK_RUN, "--out", "o"], "p.toml: title: holds an API"
    )
    assert "PLANTED" not in err and not Path("o").exists()


def test_a_plain_title_still_reaches_the_record(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", *CARDS, *QUICK_RUN, "--title", "Risk-assessment: sk-2 vs bearer", "--out", "o"]
    assert main([*args, "--quiet"]) == 0
    record = json.loads((Path("o") / "latest" / "record.json").read_text())
    assert record["title"] == "Risk-assessment: sk-2 vs bearer"


def test_the_desk_refuses_a_new_run_titled_with_a_key(tmp_path: Path) -> None:
    from tests.serve_support import EDITOR, desk_client

    body = {"cards": [Path(CARDS[0]).read_text()], "model": "offline", "title": PLANTED}
    runs = tmp_path / "runs"
    with desk_client(runs) as client:
        answer = client.post("/api/runs", json=body, headers=EDITOR)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error.startswith("title: holds an API key") and "PLANTED" not in error
    assert [p.name for p in runs.iterdir() if p.is_dir()] == []


@pytest.mark.parametrize("field", ["editor", "reason"])
def test_the_desk_refuses_an_edit_whose_note_holds_a_key(field: str, tmp_path: Path) -> None:
    """An editor's name and reason are printed on the run's pages beside the corrected cell."""
    from tests.serve_support import EDITOR, a_record, desk_client, write_runs

    runs = tmp_path / "runs"
    write_runs(runs, a_record(tmp_path / "unused"), 1)
    body = {"tool": "modal-gpu-inference", "persona": "skeptic", "verdict": "skip",
            "editor": "Ana", "reason": "the figure is wrong", field: f"see {PLANTED}"}  # fmt: skip
    with desk_client(runs) as client:
        answer = client.post("/api/runs/run00000/overrides", json=body, headers=EDITOR)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert f"{field}: holds an API key" in error and "PLANTED" not in error, error
    assert not list(runs.rglob("overrides.toml"))


# ------------------------------------------------ 2. characters a terminal shows as nothing

# Zero-width space, non-joiner, joiner, word joiner, BOM; LRM, RLM, ALM: each prints as nothing
# (or silently reorders a line), so two names that look alike on the screen are not.
UNSEEN = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u061c"]


def test_a_name_with_unseen_characters_prints_without_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Bidi overrides were stripped from the terminal; the zero-width characters and the
    direction marks reached it from a card's name and a run's title."""
    name = "Claw" + "".join(UNSEEN) + " Code"
    card = Path(CARDS[0]).read_text().replace('name = "Claw Code"', f"name = {json.dumps(name)}")
    Path("a.toml").write_text(card)
    title = "Weekly" + "".join(UNSEEN) + " review"
    capsys.readouterr()
    assert main(["run", "a.toml", CARDS[1], *QUICK_RUN, "--title", title, "--out", "o"]) == 0
    run = Path("o") / "latest"
    assert main(["diff", str(run), str(run)]) == 0
    assert main(["runs", "o", "--format", "json"]) == 0
    shown = capsys.readouterr()
    printed = shown.out + shown.err
    assert "Claw Code" in printed and "Weekly review" in printed, printed
    assert [repr(c) for c in UNSEEN if c in printed] == []
    assert json.loads((run / "record.json").read_text())["title"] == title  # the data keeps them


@pytest.mark.parametrize("char", UNSEEN)
def test_the_terminal_cleaning_drops_each_unseen_character(char: str) -> None:
    from panel.cli.terminal import clean, safe_json

    assert clean(f"a{char}b") == "ab"
    escaped = safe_json(json.dumps({"name": f"a{char}b"}, ensure_ascii=False))
    assert char not in escaped and json.loads(escaped) == {"name": f"a{char}b"}


# ------------------------------------------------ 3. a path on one line

ODD_FOLDERS = ["o\nx", "o\rx", "o\x1b[2Jx", "o\u200bx", "o'\tx"]


@pytest.mark.parametrize("folder", ODD_FOLDERS)
def test_a_run_folder_with_a_newline_is_shown_on_one_line(
    folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out $'o\\nx'` split "wrote ..." and "latest: ..." in two (the second part a line of
    its own, `x/2026-...`): a path is shown quoted, as the shell would take it back."""
    assert main(["run", *CARDS, *QUICK_RUN, "--out", folder, "--quiet"]) == 0
    run = Path(folder) / "latest"
    assert main(["render", str(run)]) == 0
    assert main(["digest", folder, "--out", folder + "site"]) == 0
    assert main(["runs", folder]) == 0
    assert main(["view", str(run)]) == 0
    printed = capsys.readouterr()
    lines = (printed.out + printed.err).splitlines()
    for line in lines:  # every line is whole: none starts with the folder's second half
        assert not line.startswith("x"), lines
    for wanted in ("wrote ", "latest: ", "(latest)"):
        shown = [line for line in lines if wanted in line]
        assert shown and all("$'" in line for line in shown), (wanted, lines)
    assert (Path(folder) / "latest" / "record.json").is_file()  # the files keep their names


C_LOCALE = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}  # no UTF-8 locale: the quoting needs none


def test_a_quoted_path_is_the_path_the_shell_reads_back() -> None:
    import subprocess

    from panel.cli.terminal import shown_path

    assert shown_path("plain/path") == "plain/path"
    assert shown_path("\ud800") == "$'\\ud800'"  # shown; no file name decodes to a lone \ud800
    for name in [*ODD_FOLDERS, "o\\\nx", "a\x85b\u202ec", "caf\udce9"]:
        shown = shown_path(name)
        assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
        echoed = subprocess.run(
            ["bash", "-c", f"printf %s {shown}"], capture_output=True, check=True, env=C_LOCALE
        ).stdout
        assert echoed == name.encode("utf-8", "surrogateescape"), (name, shown, echoed)


# ------------------------------------------------ 4. counts below zero in a record

NEGATIVE: dict[str, tuple[dict[str, Any], str]] = {
    "output-tokens": ({"usage": {"output_tokens": -500}}, "usage.output_tokens: is -500"),
    "input-tokens": ({"usage": {"input_tokens": -1}}, "usage.input_tokens: is -1"),
    "cache-reads": ({"usage": {"cache_read_tokens": -9}}, "usage.cache_read_tokens: is -9"),
    "cost": ({"cost": {"usd": -1.5, "usd_without_cache": 0.1}}, "cost.usd: is -1.5"),
    "cost-plain": ({"cost": {"usd": 0.0, "usd_without_cache": -2}}, "cost.usd_without_cache"),
    "grader": ({"grader": {"model": "g", "usage": {"output_tokens": -3}}},
               "grader.usage.output_tokens: is -3"),
    "grader-cost": ({"grader": {"model": "g", "cost": {"usd": -1, "usd_without_cache": 0}}},
                    "grader.cost.usd: is -1"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(NEGATIVE))
def test_a_negative_token_count_or_cost_in_a_record_is_one_line_naming_the_cell(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`usage.output_tokens: -500` was read, summed into the totals and passed `panel validate`:
    a record edited by hand could show a run costing less than it did."""
    change, wanted = NEGATIVE[name]
    run = latest_offline_run()
    data = json.loads((run / "record.json").read_text())
    cell = data["cells"][1]
    for field, values in change.items():
        cell[field] = {**(cell.get(field) or {}), **values}
    (run / "record.json").write_text(json.dumps(data))
    fails_in_one_line(capsys, ["render", str(run)], "record.json", f"cells.1.{wanted}")
    fails_in_one_line(capsys, ["diff", str(run), str(run)], f"cells.1.{wanted}")
    assert main(["validate", str(run)]) == 2
    assert f"cells.1.{wanted}" in capsys.readouterr().out


def test_zero_counts_and_costs_still_read(capsys: pytest.CaptureFixture[str]) -> None:
    run = latest_offline_run()
    data = json.loads((run / "record.json").read_text())
    data["cells"][0].update(usage={"output_tokens": 0}, cost={"usd": 0, "usd_without_cache": 0.0})
    (run / "record.json").write_text(json.dumps(data))
    assert main(["render", str(run)]) == 0


# ------------------------------------------------ 5. a cache that cannot be used


@pytest.mark.parametrize("cache", ["/dev/null", "notes.txt", "notes.txt/cache"])
def test_a_cache_dir_that_is_no_folder_is_one_line_before_the_run(
    cache: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--cache-dir /dev/null` printed a warning for every cell (eight for a small panel)."""
    Path("notes.txt").write_text("the editor's notes\n")
    args = ["run", *CARDS, *QUICK_RUN[:4], "--cache-dir", cache, "--out", "o"]
    fails_in_one_line(capsys, args, f"--cache-dir {cache}: not a folder")
    assert not Path("o").exists() and Path("notes.txt").read_text() == "the editor's notes\n"


def test_a_cache_folder_failing_mid_run_warns_once(capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that fails for every cell (here: its `cells` is a file) is still a warning, not
    an error: the run goes on, and one line says the cells cannot be saved."""
    Path("cache").mkdir()
    Path("cache/cells").write_text("in the way\n")
    args = ["run", *CARDS, "--offline-delay", "0", "--cache-dir", "cache", "--out", "o"]
    assert main([*args, "--quiet"]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "could not save" in line]
    assert len(warnings) == 1, err
    assert (Path("o") / "latest" / "record.json").is_file()


def test_a_good_cache_is_used_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    latest_offline_run()
    capsys.readouterr()
    assert main(["run", *CARDS, *QUICK_RUN, "--out", "runs", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "warning" not in err and "4 from the response cache" in err, err


# ------------------------------------------------ 6. a diff of two different panels

CLAUDE_API = str(EXAMPLES / "claude-api-streaming-caching.toml")


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_a_diff_of_two_panels_names_what_only_one_run_has(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two runs of different panels were compared on the cells they share with no word that
    the rest of either panel was left out."""
    a = latest_offline_run("a")
    args = ["--offline-delay", "0", "--cache-dir", "cache", "--quiet", "--out", "b"]
    assert main(["run", CARDS[0], CLAUDE_API, "--personas", "builder,futurist", *args]) == 0
    b = (Path("b") / "latest").resolve()
    capsys.readouterr()
    assert main(["diff", str(a), str(b), "--format", fmt]) == 0
    shown = capsys.readouterr()
    notes = [line for line in shown.err.splitlines() if "different panels" in line]
    assert len(notes) == 1, shown.err
    for part in ("tools only in A: modal-gpu-inference",
                 "tools only in B: claude-api-streaming-caching",
                 "personas only in A: skeptic", "personas only in B: futurist"):  # fmt: skip
        assert part in notes[0], notes[0]
    assert "different panels" not in shown.out  # the comparison itself is as it was
    if fmt == "json":
        assert json.loads(shown.out)["compared"] == 1  # builder × claw-code, the one shared cell
    assert main(["diff", str(a), str(a), str(b)]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "different panels" in line]
    assert len(notes) == 1 and "runs A and C" in notes[0], notes


def test_a_diff_of_the_same_panel_says_nothing_of_panels(
    capsys: pytest.CaptureFixture[str],
) -> None:
    a = latest_offline_run("a")
    capsys.readouterr()
    assert main(["diff", str(a), str(a)]) == 0
    assert "different panels" not in capsys.readouterr().err


# ------------------------------------------------ 7. a votes file for another run


def test_a_votes_file_naming_none_of_the_runs_tools_is_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A votes file for another run (or with every id mistyped) changed nothing, silently."""
    Path("votes.csv").write_text("tool,ship,skip\nclaw-cod,3,1\nother-tool,1,1\n")
    run = latest_offline_run()
    before = json.loads((run / "record.json").read_text())["community_votes"]
    capsys.readouterr()
    assert main(["render", str(run), "--votes", "votes.csv"]) == 0
    assert main(["run", *CARDS, *QUICK_RUN, "--votes", "votes.csv", "--out", "o", "--quiet"]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "votes.csv" in line]
    assert len(warnings) == 2, err
    for line in warnings:
        assert line.startswith("warning: votes.csv: names none of this run's tools"), line
        assert "claw-cod, other-tool" in line and "claw-code, modal-gpu-inference" in line
    assert json.loads((run / "record.json").read_text())["community_votes"] == before


def test_a_votes_file_serving_several_runs_says_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One file can serve a week of runs: rows for other tools are left out without a word."""
    Path("votes.csv").write_text("tool,ship,skip\nclaw-code,3,1\nother-tool,1,1\n")
    run = latest_offline_run()
    capsys.readouterr()
    assert main(["render", str(run), "--votes", "votes.csv"]) == 0
    assert "warning" not in capsys.readouterr().err
    votes = json.loads((run / "record.json").read_text())["community_votes"]
    assert votes["claw-code"]["ship"] == 3


# --- a server reporting a negative count: the run never writes what its reader refuses ---------


def test_negative_counts_a_server_reports_count_as_none() -> None:
    from panel.providers import claude_batch, openai_batch, openai_chat
    from panel.providers.claude import UsageTally

    tally = UsageTally()
    tally.add({"input_tokens": 12, "output_tokens": -500, "cache_read_input_tokens": -3})
    assert tally.usage() == Usage(input_tokens=12)
    steps = UsageTally()
    steps.add({"iterations": [{"input_tokens": 5, "output_tokens": -9}, {"output_tokens": 4}]})
    assert steps.usage() == Usage(input_tokens=5, output_tokens=4)
    chat = {
        "prompt_tokens": 20,
        "completion_tokens": -7,
        "prompt_tokens_details": {"cached_tokens": -5},
    }
    for read in (openai_chat._usage, openai_batch._usage):
        assert read(chat) == Usage(input_tokens=20)
    result = {
        "type": "succeeded",
        "message": {"content": [], "usage": {"input_tokens": -1, "output_tokens": 8}},
    }
    assert claude_batch._item("c", result).usage == Usage(output_tokens=8)
