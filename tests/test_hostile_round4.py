"""Hostile input, round 4: classes each of which failed on the code before this round.

- a record whose ok cell's verdict lacks, or mistypes, a field the pages read (confidence,
  headline, quote, beats, competitors): render and digest crashed with a template traceback;
- a path argument the file system cannot hold (a name over 255 bytes): every command that
  looked at it crashed with `OSError: File name too long`;
- `panel validate` given a file it has no check for (a device, a text file): it was counted as
  checked, with no problem;
- a URL Python's urlsplit refuses (a bracketed host that is no IP address, `http://[zz::1]/`) in
  a card's links, a model's Markdown, `--site-url` or a browser's Origin: a traceback (a run
  crashed writing its pages), or a 500 from `panel serve`;
- `panel schema --write` into a file or a device: a FileExistsError traceback;
- `panel serve --allow-origin` with a bad origin: the line named `--vote-server`;
- `panel serve --host ""` (a variable unset): the desk listened on every interface;
- control characters (ESC sequences, NUL, backspace, C1, bidi overrides) in a card or a reply
  were written raw into panel.md and panel.html (`cat panel.md` obeyed them), and a run's title
  carried them into the desk's index, the weekly digest and the feed;
- a votes CSV whose header names a column twice: the last one's count silently won;
- a JSON object naming a key twice (a votes file, a record, a request body to `panel serve`):
  the last one silently won;
- `run --batch --poll-every inf` (or 1e12): accepted, and the waits between looks at a batch
  doubled without bound;
- a lone UTF-16 surrogate escape (`\\ud800`) in a JSON body: the desk started a run titled with
  it, which could write nothing, and its event stream failed with a 500;
- an API key given as the model's name (`-m openai:sk-proj-...`): printed on the model line,
  made the run folder's name, written into record.json and both pages;
- `batches cancel` of a ledger entry whose endpoint panel cannot call: the line blamed
  `--base-url`, a flag never given;
- a new run asked of the desk with a bad model or personas: the answer named `--model` and
  `--personas`, flags of a CLI the browser's user never typed;
- a TOML file saved with a UTF-8 byte-order mark (card, persona, panel.toml): refused as
  "Invalid statement (at line 1, column 1)";
- an error echoing a huge value (`--personas`, `-m`, `--since`, `batches cancel` given 100,000
  characters): one "line" of 100 to 300 KB that buried the terminal;
- `--concurrency 1_0`, `+3` or Arabic-Indic digits read as numbers by int() (round 3 refused
  them in vote counts).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from tests.helpers import QUICK_RUN, fails_in_one_line, hostile_cards, latest_offline_run, tree

CARDS = hostile_cards()


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
    run = latest_offline_run()
    data = json.loads((run / "record.json").read_text())
    edit(data["cells"][0]["verdict"])
    (run / "record.json").write_text(json.dumps(data))
    before = tree(Path("runs"))
    fails_in_one_line(capsys, ["render", str(run)], "record.json", "cells.0", wanted)
    fails_in_one_line(capsys, ["diff", str(run), str(run)], "record.json", wanted)
    capsys.readouterr()
    assert main(["digest", "runs", "--out", "site"]) == 0  # the run is skipped, and named
    assert wanted in capsys.readouterr().err
    assert main(["validate", str(run)]) == 2
    assert wanted in capsys.readouterr().out
    assert tree(Path("runs")) == before  # no page was rewritten from it


def test_a_failed_cell_keeps_whatever_verdict_it_has(capsys: pytest.CaptureFixture[str]) -> None:
    """Only an ok cell's verdict is shown: a failed cell with a partial verdict still reads."""
    run = latest_offline_run()
    data = json.loads((run / "record.json").read_text())
    data["cells"][0].update(status="failed", verdict={"beats": 5}, error="timed out")
    (run / "record.json").write_text(json.dumps(data))
    assert main(["render", str(run)]) == 0


# ------------------------------------------------ 2. paths no file system can hold

LONG_NAME = "n" * 300  # ext4, APFS and friends stop at 255 bytes a name
NAME_TOO_LONG = "a name in it is 300 bytes"
PATH_COMMANDS: dict[str, list[str]] = {
    "run-card": ["run", LONG_NAME, CARDS[1]],
    "run-out": ["run", *CARDS, "--out", f"o/{LONG_NAME}"],
    "run-cache": ["run", *CARDS, "--cache-dir", LONG_NAME],
    "run-personas-dir": ["run", *CARDS, "--personas-dir", LONG_NAME],
    "run-prompts-dir": ["run", *CARDS, "--prompts-dir", LONG_NAME],
    "run-votes": ["run", *CARDS, "--votes", LONG_NAME],
    "rerun": ["rerun", LONG_NAME],
    "validate": ["validate", LONG_NAME],
    "diff": ["diff", LONG_NAME, LONG_NAME],
    "render": ["render", LONG_NAME],
    "view": ["view", LONG_NAME],
    "runs": ["runs", LONG_NAME],
    "digest-runs": ["digest", LONG_NAME, "--out", "site"],
    "digest-out": ["digest", "runs", "--out", LONG_NAME],
    "personas": ["personas", "--personas-dir", LONG_NAME],
    "schema-write": ["schema", "--write", LONG_NAME],
    "cache": ["cache", "stats", "--cache-dir", LONG_NAME],
    "batches": ["batches", "--cache-dir", LONG_NAME],
    "models-prefix": ["models", "--prefix", LONG_NAME],
    "serve-runs": ["serve", LONG_NAME, "--port", "0"],
    "serve-cards": ["serve", "--cards", LONG_NAME, "--port", "0"],
}


@pytest.mark.parametrize("name", list(PATH_COMMANDS))
def test_a_path_too_long_for_a_file_system_is_one_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("runs").mkdir()
    err = fails_in_one_line(capsys, PATH_COMMANDS[name], NAME_TOO_LONG)
    assert LONG_NAME not in err  # the line names the argument, not 300 letters
    assert sorted(p.name for p in Path.cwd().iterdir()) == ["runs"]


@pytest.mark.parametrize(
    ("setting", "wanted"),
    [
        (f'cache_dir = "{LONG_NAME}"', f"panel.toml: cache_dir: {NAME_TOO_LONG}"),
        (f'personas_dir = "x/{LONG_NAME}"', f"panel.toml: personas_dir: {NAME_TOO_LONG}"),
        ('cache_dir = "a\\u0000b"', "panel.toml: cache_dir: holds a NUL character"),
        ('personas_dir = "\\u0000"', "panel.toml: personas_dir: holds a NUL character"),
    ],
)
def test_a_config_folder_no_file_system_can_hold_is_named_as_its_key(
    setting: str, wanted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("panel.toml").write_text(setting + "\n")
    fails_in_one_line(capsys, ["run", *CARDS, "--offline-delay", "0", "--out", "o"], wanted)
    assert not Path("o").exists()


def test_long_names_within_the_limit_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    near = "n" * 255
    assert main(["run", *CARDS, *QUICK_RUN, "--out", near, "--quiet"]) == 0
    assert (Path(near) / "latest" / "record.json").is_file()


# ------------------------------------------------ 3. validate never passes what it did not check


@pytest.mark.parametrize("named", ["/dev/zero", "/dev/null", "notes.txt", "README"])
def test_validate_reports_a_file_it_has_no_check_for(
    named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("notes.txt").write_text("tool = 'x'\n")
    Path("README").write_text("hello\n")
    assert main(["validate", named]) == 2  # was: "1 files checked, 0 problems", exit 0
    report = capsys.readouterr().out
    assert f"{named}: not a file panel checks" in report, report
    assert report.strip().splitlines()[-1] == "1 files checked, 1 problem"


def test_validate_still_skips_other_files_in_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path("cards")
    folder.mkdir()
    (folder / "notes.txt").write_text("not a card\n")
    (folder / "a.toml").write_text(Path(CARDS[0]).read_text())
    assert main(["validate", "cards"]) == 0
    assert capsys.readouterr().out.strip() == "1 files checked, 0 problems"


# ------------------------------------------------ 4. URLs urllib refuses to split

# Python's urlsplit raises ValueError for a bracketed host that is not an IP address.
BAD_HOSTS = ["http://[zz::1]/x", "http://[::1/x", "https://x]/", "http://[1.2.3.4]/"]


@pytest.mark.parametrize("url", BAD_HOSTS)
def test_a_card_link_urllib_cannot_split_is_reported_and_never_crashes_a_run(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("a.toml").write_text(Path(CARDS[0]).read_text() + f'\n[links]\nodd = "{url}"\n')
    assert main(["validate", "a.toml"]) == 2  # was: a traceback
    assert "a.toml: links.odd: " in capsys.readouterr().out
    assert main(["run", "a.toml", CARDS[1], *QUICK_RUN, "--out", "o", "--quiet"]) == 0  # was: crash
    page = (Path("o") / "latest" / "panel.html").read_text()
    assert f'href="{url}"' not in page


@pytest.mark.parametrize("url", BAD_HOSTS)
def test_a_model_link_urllib_cannot_split_is_text_on_the_page(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = latest_offline_run()
    data = json.loads((run / "record.json").read_text())
    verdict = data["cells"][0]["verdict"]
    verdict["quote"] = verdict["quote"][:600] + f" See [the docs]({url}) and <{url}>."
    (run / "record.json").write_text(json.dumps(data))
    assert main(["render", str(run)]) == 0  # was: a traceback from the page's Markdown
    assert "the docs" in (run / "panel.html").read_text()


@pytest.mark.parametrize("url", BAD_HOSTS)
def test_a_site_url_urllib_cannot_split_is_one_line(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    latest_offline_run()
    fails_in_one_line(capsys, ["digest", "runs", "--out", "site", "--site-url", url], "--site-url")
    assert not Path("site").exists()


@pytest.mark.parametrize("origin", BAD_HOSTS)
def test_an_origin_urllib_cannot_split_is_refused_not_a_server_error(
    origin: str, tmp_path: Path
) -> None:
    from tests.serve_support import EDITOR, desk_client

    with desk_client(tmp_path / "runs") as client:
        answer = client.post("/api/runs", json={}, headers={**EDITOR, "origin": origin})
        assert answer.status_code == 403, answer.text  # was: 500, a traceback in the log
        assert "cross-site" in answer.json()["error"]


# ------------------------------------------------ 5. schema --write into what is not a folder


@pytest.mark.parametrize("write", ["/dev/null", "notes.txt", "notes.txt/schemas"])
def test_schema_write_into_a_file_is_one_line_and_leaves_it(
    write: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("notes.txt").write_text("the editor's notes\n")
    fails_in_one_line(capsys, ["schema", "--write", write], "--write", "cannot write there")
    assert Path("notes.txt").read_text() == "the editor's notes\n"
    assert sorted(p.name for p in Path.cwd().iterdir()) == ["notes.txt"]


def test_schema_write_still_writes_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--write", "schemas"]) == 0
    written = sorted(p.name for p in Path("schemas").iterdir())
    assert "record.schema.json" in written and "verdict-builder.schema.json" in written
    for name in written:  # whole JSON, readable by all as before (written atomically now)
        assert json.loads((Path("schemas") / name).read_text())
        assert (Path("schemas") / name).stat().st_mode & 0o777 == 0o644


# ------------------------------------------------ 6. serve's flags named as typed


@pytest.mark.parametrize("origin", ["*", "", "javascript:alert(1)", "https://site.example/page"])
def test_a_bad_allow_origin_is_named_as_allow_origin(
    origin: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = fails_in_one_line(capsys, ["serve", "runs", "--port", "0", "--allow-origin", origin])
    assert err.startswith("panel: error: --allow-origin: "), err  # was: --vote-server
    assert "--vote-server" not in err and not Path("runs").exists()


@pytest.mark.parametrize("host", ["", "  "])
def test_an_empty_host_is_refused_not_every_interface(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--host "$HOST"` with the variable unset: the desk would listen on every interface."""
    fails_in_one_line(capsys, ["serve", "runs", "--port", "0", "--host", host], "--host: ")


# ------------------------------------------------ 7. control characters on the pages

CONTROLS = ["\x1b", "\x07", "\x08", "\x00", "\x9b", "\u202e", "\x7f"]
NAME = "Claw\x1b]0;owned\x07\x1b[2J Code\x08\x00\x9b31m\u202eX\x7f"


def _controls_in(folder: Path) -> list[str]:
    pages = [(folder / name).read_text() for name in ("panel.md", "panel.html")]
    return [repr(c) for c in CONTROLS if any(c in page for page in pages)]


def test_a_card_name_with_control_characters_reaches_no_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`cat panel.md` in a terminal obeyed a card's escape sequences (and a page carried NULs
    and bidi overrides): the pages keep the text, never the control characters."""
    card = Path(CARDS[0]).read_text().replace('name = "Claw Code"', f"name = {json.dumps(NAME)}")
    assert NAME in __import__("tomllib").loads(card)["name"]
    Path("a.toml").write_text(card)
    assert main(["run", "a.toml", CARDS[1], *QUICK_RUN, "--out", "o", "--quiet"]) == 0
    run = Path("o") / "latest"
    assert _controls_in(run) == []
    assert "Code" in (run / "panel.md").read_text() and "Claw" in (run / "panel.html").read_text()


def test_a_quote_with_control_characters_reaches_no_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = latest_offline_run()
    data = json.loads((run / "record.json").read_text())
    verdict = data["cells"][0]["verdict"]
    verdict["quote"] = verdict["quote"][:600] + " " + NAME
    verdict["headline"] = "Ships\x1b[2J fast \u202e"
    (run / "record.json").write_text(json.dumps(data))
    assert main(["render", str(run)]) == 0
    assert _controls_in(run) == []
    assert "Ships" in (run / "panel.md").read_text()


# ------------------------------------------------ 8. a CSV header naming a column twice


@pytest.mark.parametrize(
    ("header", "row"),
    [("tool,ship,skip,ship", "claw-code,1,2,9"), ("tool,tool,ship,skip", "claw-code,x,1,2"),
     ("tool,ship,skip, skip", "claw-code,1,2,3")],
)  # fmt: skip
def test_a_votes_header_naming_a_column_twice_is_one_line(
    header: str, row: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """csv.DictReader keeps the last of two same-named columns: a count was silently replaced."""
    run = latest_offline_run()
    Path("votes.csv").write_text(f"{header}\n{row}\n")
    before = (run / "record.json").read_text()
    fails_in_one_line(
        capsys, ["render", str(run), "--votes", "votes.csv"], "votes.csv: line 1: ", "twice"
    )
    assert (run / "record.json").read_text() == before


# ------------------------------------------------ 9. a JSON object naming a key twice


def test_a_votes_entry_naming_a_key_twice_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    run = latest_offline_run()
    Path("votes.json").write_text('[{"tool": "claw-code", "ship": 1, "skip": 2, "ship": 900}]')
    fails_in_one_line(
        capsys, ["render", str(run), "--votes", "votes.json"], "votes.json", "'ship' twice"
    )


def test_a_record_naming_a_key_twice_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    run = latest_offline_run()
    text = (run / "record.json").read_text()
    (run / "record.json").write_text(text.replace('"complete":', '"title": "planted", "complete":'))
    fails_in_one_line(capsys, ["diff", str(run), str(run)], "record.json", "'title' twice")
    fails_in_one_line(capsys, ["render", str(run)], "record.json", "'title' twice")


def test_a_request_body_naming_a_key_twice_is_refused(tmp_path: Path) -> None:
    """Two parsers reading `{"vote": "ship", "vote": "skip"}` may disagree on which counts."""
    from tests.serve_support import a_record, desk_client, write_runs

    runs = tmp_path / "runs"
    write_runs(runs, a_record(tmp_path / "unused"), 1)
    with desk_client(runs) as client:
        body = '{"tool": "modal-gpu-inference", "vote": "ship", "vote": "skip"}'
        answer = client.post(
            "/api/runs/run00000/votes", content=body, headers={"content-type": "application/json"}
        )
        assert answer.status_code == 400 and "'vote' twice" in answer.json()["error"], answer.text
        counts = client.get("/api/runs/run00000/votes").json()["tools"]
        assert counts["modal-gpu-inference"] == {"ship": 0, "skip": 0}


# ------------------------------------------------ 10. a wait with no end


@pytest.mark.parametrize("every", ["inf", "1e309", "1e12", "86401"])
def test_a_poll_interval_with_no_end_is_one_line(
    every: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--poll-every inf` doubled its wait between looks at a batch without bound: a run on a
    real batch API would sleep for ever after a few looks."""
    args = ["run", *CARDS, *QUICK_RUN, "--batch", "--poll-every", every, "--out", "o"]
    fails_in_one_line(capsys, args, "--poll-every: ")
    assert not Path("o").exists()


def test_a_poll_interval_of_an_hour_still_runs(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", *CARDS, *QUICK_RUN, "--batch", "--poll-every", "3600", "--out", "o", "--quiet"]
    assert main(args) == 0


# ------------------------------------------------ 11. a lone surrogate in JSON text


def test_a_new_run_titled_with_a_lone_surrogate_is_refused(tmp_path: Path) -> None:
    """JSON's `\\ud800` decodes to a character no UTF-8 file or response can hold: the desk
    started the run, which left a half-made folder, and its event stream failed with a 500."""
    from tests.serve_support import EDITOR, desk_client

    card = Path(CARDS[0]).read_text()
    body = json.dumps({"cards": [card], "model": "offline", "title": "A \ud800 title"})
    assert "\\ud800" in body
    runs = tmp_path / "runs"
    with desk_client(runs) as client:
        answer = client.post(
            "/api/runs", content=body, headers={**EDITOR, "content-type": "application/json"}
        )
        assert answer.status_code == 400, answer.text
        assert "surrogate" in answer.json()["error"]
    assert [p.name for p in runs.iterdir() if p.is_dir()] == []


def test_a_surrogate_pair_is_still_a_character(tmp_path: Path) -> None:
    from panel.files import parse_json

    assert parse_json('{"title": "\\ud83d\\ude80 launch"}', "x") == {"title": "\U0001f680 launch"}


# ------------------------------------------------ 12. an API key given as a model name

PLANTED = "sk-proj-PLANTEDsecret0123456789"


@pytest.mark.parametrize(
    "args",
    [
        ["-m", f"openai:{PLANTED}"],
        ["-m", "anthropic:sk-ant-api03-PLANTEDsecret0123456789"],
        ["-m", "openai:gpt-5-mini", "--grader", f"openai:{PLANTED}"],
        ["-m", "openai:abcdEnvOnlySecret42"],  # no key shape: known as OPENAI_API_KEY's value
    ],
)
def test_a_model_name_holding_an_api_key_is_refused_before_it_is_shown(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key pasted as the model (`-m openai:sk-proj-...`) was printed on the model line, made
    the run folder's name and was written into record.json and both pages."""
    monkeypatch.setenv("OPENAI_API_KEY", "abcdEnvOnlySecret42")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "abcdEnvOnlySecret43")
    run = ["run", *CARDS, *QUICK_RUN[:2], "--base-url", "http://127.0.0.1:9/v1", "--out", "o"]
    err = fails_in_one_line(capsys, [*run, *args], "holds an API key")
    assert "PLANTED" not in err and "EnvOnly" not in err
    assert not Path("o").exists()


# ------------------------------------------------ 13. a ledger's endpoint named as the ledger's


@pytest.mark.parametrize("endpoint", ["http://[zz::1]/v1", "http://[redacted]@x", "ftp://x/"])
def test_a_ledger_endpoint_panel_cannot_call_is_named_as_the_ledgers(
    endpoint: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`batches cancel` blamed --base-url, a flag never given, for a ledger entry's endpoint."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-abcdefgh12345678")
    Path("cache/batches").mkdir(parents=True)
    entry = {"batch_id": "batch_1", "provider": "openai", "model": "gpt-5-mini",
             "endpoint": endpoint, "submitted_at": "2026-12-01T10:00:00+00:00",
             "requests": {"c1": "builder × claw-code"}}  # fmt: skip
    Path("cache/batches/entry.json").write_text(json.dumps(entry))
    err = fails_in_one_line(capsys, ["batches", "cancel", "batch_1"], "cache/batches", "endpoint")
    assert "--base-url:" not in err and "give --base-url" in err


# ------------------------------------------------ 14. the desk names its body's fields


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"model": "nosuch:model"}, "model: "),
        ({"model": "openai:sk-proj-PLANTEDsecret0123456789"}, "model: "),
        ({"personas": ["nobody"]}, "personas: "),
        ({"personas": []}, "personas: "),
        ({"personas": ["builder", "builder"]}, "personas: "),
    ],
)
def test_a_new_run_names_the_body_field_not_a_flag(
    extra: dict[str, object], field: str, tmp_path: Path
) -> None:
    """The desk answered `--model: ...` and `--personas: ...`: flags of a CLI the browser's
    user never typed."""
    from tests.serve_support import EDITOR, desk_client

    body = {"cards": [Path(CARDS[0]).read_text()], **extra}
    with desk_client(tmp_path / "runs") as client:
        answer = client.post("/api/runs", json=body, headers=EDITOR)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error.startswith(field) and "--" not in error.split(":")[0], error
    assert "PLANTED" not in error


# ------------------------------------------------ 15. a byte-order mark before TOML

BOM = "\ufeff"


def test_a_card_saved_with_a_byte_order_mark_reads(capsys: pytest.CaptureFixture[str]) -> None:
    """Windows editors save UTF-8 with a BOM: tomllib refused it as 'Invalid statement (at line
    1, column 1)', naming nothing the user could see (votes CSVs already accepted one)."""
    Path("a.toml").write_text(BOM + Path(CARDS[0]).read_text())
    Path("panel.toml").write_text(BOM + "concurrency = 2\n")
    assert main(["run", "a.toml", CARDS[1], *QUICK_RUN, "--out", "o", "--quiet"]) == 0
    assert main(["validate", "a.toml"]) == 0


def test_a_byte_order_mark_inside_toml_is_still_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("a.toml").write_text(Path(CARDS[0]).read_text() + f"\n{BOM}x = 1\n")
    fails_in_one_line(
        capsys, ["run", "a.toml", CARDS[1], *QUICK_RUN, "--out", "o"], "a.toml: not valid TOML"
    )


# ------------------------------------------------ 16. an error line of bounded length

HUGE = "x" * 100_000


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["run", *CARDS, "--personas", HUGE], "--personas: unknown persona"),
        (["run", *CARDS, "-m", HUGE], "--model: "),
        (["run", *CARDS, "-m", f"offline:{HUGE}"], "--model: "),
        (["run", *CARDS, "--grader", HUGE], "--grader: "),
        (["run", *CARDS, "--concurrency", HUGE], "--concurrency: "),
        (["schema", "--persona", HUGE], "--persona: unknown persona"),
        (["digest", "runs", "--out", "site", "--since", HUGE], "--since: "),
        (["batches", "cancel", HUGE], "batches cancel: "),
        (["runs", "runs", "--format", HUGE], "--format: invalid choice"),
        (["serve", "--port", HUGE], "--port: "),
    ],
)
def test_an_error_echoing_a_huge_value_stays_a_readable_line(
    args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 100,000-character value was echoed whole (three times for -m): one 'line' of 300 KB
    that buried the terminal. The line keeps what it names and says how long the value was."""
    Path("runs").mkdir()
    err = fails_in_one_line(capsys, args, named)
    assert len(err) < 2_000, len(err)
    assert "100,000 characters" in err or "100,00" in err, err


# ------------------------------------------------ 17. whole numbers written in plain digits


@pytest.mark.parametrize("flag", ["--concurrency", "--samples", "--max-tokens"])
@pytest.mark.parametrize("value", ["١٢", "1_0", "+3", "٣", " 7 x"])
def test_a_count_flag_takes_plain_digits_only(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """int() read Arabic-Indic digits, underscores and a plus sign (`--concurrency 1_0` was 10),
    which round 3 already refused in vote counts."""
    fails_in_one_line(capsys, ["run", *CARDS, *QUICK_RUN, flag, value, "--out", "o"], f"{flag}: ")
    assert not Path("o").exists()


def test_a_count_flag_still_takes_digits_and_spaces(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", *CARDS, *QUICK_RUN, "--concurrency", " 4 ", "--out", "o", "--quiet"]) == 0


@pytest.mark.parametrize("value", ["9" * 5000, "-" + "9" * 5000])
def test_a_count_of_5000_digits_is_one_line(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = fails_in_one_line(
        capsys, ["run", *CARDS, *QUICK_RUN, "--concurrency", value, "--out", "o"]
    )
    assert "--concurrency: must be" in err and len(err) < 400


def test_a_title_with_control_characters_reaches_no_digest_or_desk_page(tmp_path: Path) -> None:
    """The run page was cleaned; the desk's index, the weekly digest and the feed still carried
    a title's ESC, BEL, NUL and bidi override (one reorders the listing it sits in)."""
    from tests.serve_support import a_record, desk_client, write_runs

    record = a_record(tmp_path / "unused").model_copy(update={"title": f"Evil {NAME} title"})
    write_runs(Path("runs"), record, 1)
    assert main(["digest", "runs", "--out", "site"]) == 0
    pages = {name: (Path("site") / name).read_text() for name in ("index.html", "digest.html")}
    pages["feed.xml"] = (Path("site") / "feed.xml").read_text()
    with desk_client(Path("runs")) as client:
        pages["desk /"] = client.get("/").text
        pages["desk run"] = client.get("/runs/run00000/").text
    for name, page in pages.items():
        assert [repr(c) for c in CONTROLS if c in page] == [], name
    assert all("Evil" in pages[name] for name in ("digest.html", "feed.xml", "desk /"))
