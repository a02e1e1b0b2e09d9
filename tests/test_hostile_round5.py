"""Hostile input, round 5 (part 1 of 3; records in test_hostile_round5_records.py, models and
batch APIs in test_hostile_round5_streams.py): classes each of which failed on the code before
this round.

- a reader id (cookie or `x-panel-voter` header) holding a non-ASCII character: `panel serve`
  answered every read and vote of a run with a 500 (hmac refuses such text);
- a vote database row whose time no panel writes (the year 3,170,843, the largest integer, a word
  in SQLite), edited by hand or by another tool: every read of the run's votes was a 500 on the
  desk, and `panel render --db` a traceback;
- an API key in an editor's quote (the desk's edit, a hand-written overrides.toml): written into
  overrides.toml, record.json and both pages (the editor's name and reason were refused);
- an editor token the desk cannot use (`--token x`, `PANEL_TOKEN=short`, one with a space or a
  character no header carries): a token guessed in a few tries over the network, or every
  editor locked out with no word why;
- `--title` of any length (a panel file's title and the desk's stop at 200 characters): a
  megabyte of title went into every prompt, the record and the pages;
- `panel runs /` (or a home folder, or `panel digest ~`): walked every folder of the file
  system for records; now records are looked for at most 4 folders down, and a place with more
  than 20,000 folders on the way is refused in one line;
- a run's overrides.toml that is no UTF-8 (a Latin-1 editor): `panel serve` answered the
  editor's read and save with a 500, and read a file of any size whole (render refuses both);
- TOML nested 50,000 deep pasted into the desk as a card, or in an entry of overrides.toml the
  desk edits: a RecursionError and a 500 (every file panel reads was already bounded);
- a file someone added to a digest's site folder (a CNAME for GitHub Pages, a robots.txt, an
  assets folder): deleted by the next `panel digest`, which replaced the whole folder;
- a corrupt response-cache entry: warned of twice, once by the cost estimate looking and again
  by the run reading it;
- `panel render` racing an editor's save on the desk: render read the record and overrides.toml
  unlocked, so it could write the pages (and record.json) from what the save had just replaced;
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from panel.web.votes_db import default_db_url
from tests.helpers import (
    QUICK_RUN,
    fails_in_one_line,
    hostile_cards,
    latest_offline_run,
)
from tests.serve_support import EDITOR, a_record, desk_client, write_runs

CARDS = hostile_cards()
PLANTED = "sk-proj-PLANTEDsecret0123456789"


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """A runs folder of one run, `run00000`, of the desk's two example cards."""
    folder = tmp_path / "runs"
    write_runs(folder, a_record(tmp_path / "unused"), 1)
    return folder


# ------------------------------------------------ 1. a reader id that is no ASCII


@pytest.mark.parametrize(
    "headers",
    [{"x-panel-voter": "a.\u00e9"}, {"cookie": "panel_voter=\u00e9.\u00e9\u00e9"}],
    ids=["header", "cookie"],
)
def test_a_reader_id_with_non_ascii_is_a_new_reader(runs: Path, headers: dict[str, str]) -> None:
    """Header values reach the app as Latin-1 text: a forged id is unknown, not a crash."""
    sent = {name.encode(): value.encode("latin-1") for name, value in headers.items()}
    with desk_client(runs) as client:
        counts = client.get("/api/runs/run00000/votes", headers=sent)
        vote = {"tool": "modal-gpu-inference", "vote": "ship"}
        cast = client.post("/api/runs/run00000/votes", json=vote, headers=sent)
    assert counts.status_code == 200 and "panel_voter=" in counts.headers["set-cookie"]
    assert cast.status_code == 200, cast.text
    assert cast.json() == {"tool": "modal-gpu-inference", "ship": 1, "skip": 0}


@pytest.mark.parametrize(
    ("database", "stamp"),
    [("sqlite", "100000000000000"), ("sqlite", "'a word'"), ("sqlite", str(2**63 - 1)),
     ("postgresql", "100000000000000"), ("postgresql", str(2**63 - 1))],
)  # fmt: skip
def test_a_vote_time_no_panel_writes_is_no_day_not_a_crash(
    runs: Path, database: str, stamp: str, request: pytest.FixtureRequest
) -> None:
    from tests import pg

    url = None
    if database == "postgresql":
        url = pg.fresh_schema_url(request.getfixturevalue("postgres_url"))
    vote = {"tool": "modal-gpu-inference", "vote": "ship"}
    with desk_client(runs, url) as client:
        assert client.post("/api/runs/run00000/votes", json=vote).status_code == 200
    _execute(url or default_db_url(runs), f"UPDATE panel_votes SET cast_at = {stamp}")
    with desk_client(runs, url) as client:
        counts = client.get("/api/runs/run00000/votes")
        record = client.get("/api/runs/run00000")
    assert counts.status_code == 200, counts.text
    assert counts.json()["tools"]["modal-gpu-inference"] == {"ship": 1, "skip": 0}
    assert record.status_code == 200, record.text
    assert record.json()["community_votes"]["modal-gpu-inference"]["date"] is None
    folder = next(runs.glob("g/*/record.json")).parent
    assert main(["render", str(folder), "--db", url or default_db_url(runs)]) == 0


def _execute(url: str, statement: str) -> None:
    """One statement on the desk's database, as another tool would run it."""
    if url.startswith("sqlite:"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(url.split("///", 1)[1])) as conn:
            conn.execute(statement)
            conn.commit()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement.encode())


# ------------------------------------------------ 2. an API key in an editor's quote


def test_the_desk_refuses_an_edited_quote_holding_a_key(runs: Path) -> None:
    body = {"tool": "modal-gpu-inference", "persona": "skeptic", "quote": f"Use {PLANTED} here.",
            "editor": "Ana", "reason": "the model misquoted the card"}  # fmt: skip
    with desk_client(runs) as client:
        answer = client.post("/api/runs/run00000/overrides", json=body, headers=EDITOR)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert "quote: holds an API key" in error and "PLANTED" not in error, error
    assert not list(runs.rglob("overrides.toml"))
    assert not [p for p in runs.rglob("*") if p.is_file() and PLANTED.encode() in p.read_bytes()]


def test_render_refuses_an_overrides_quote_holding_a_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = latest_offline_run()
    (folder / "overrides.toml").write_text(
        '[[override]]\ntool = "claw-code"\npersona = "builder"\n'
        f'quote = "Set OPENAI_API_KEY={PLANTED} first."\neditor = "Ana"\nreason = "typo"\n'
    )
    before = (folder / "panel.html").read_text()
    err = fails_in_one_line(capsys, ["render", str(folder)], "override 1", "quote: holds an API")
    assert "PLANTED" not in err and (folder / "panel.html").read_text() == before


def test_an_edited_quote_without_a_key_is_still_published(
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = latest_offline_run()
    quote = "Keys look like sk-... and go in the environment, never in a card."
    (folder / "overrides.toml").write_text(
        '[[override]]\ntool = "claw-code"\npersona = "builder"\n'
        f'quote = "{quote}"\neditor = "Ana"\nreason = "clearer"\n'
    )
    assert main(["render", str(folder)]) == 0
    assert quote in (folder / "panel.md").read_text()


@pytest.mark.parametrize(
    ("token", "wanted"),
    [("x", "has 1 characters; at least 16"), ("editor token 0123456", "visible ASCII"),
     ("caf\u00e9-0123456789abcdef", "visible ASCII"), ("tab\there-0123456789", "visible ASCII")],
)  # fmt: skip
def test_an_editor_token_the_desk_cannot_use_is_one_line(
    token: str, wanted: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve = ["serve", "served", "--cards", "none"]  # were the token taken, no server starts
    err = fails_in_one_line(capsys, [*serve, "--token", token], "--token: ", wanted)
    assert token not in err and not Path("served").exists()
    monkeypatch.setenv("PANEL_TOKEN", token)
    fails_in_one_line(capsys, serve, "PANEL_TOKEN: ", wanted)


def test_a_usable_token_or_none_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    from panel.web.command import editor_token

    monkeypatch.setenv("PANEL_TOKEN", "  from-the-environment  ")
    assert editor_token(None) == "from-the-environment"
    assert editor_token("Xy_9-" * 4) == "Xy_9-" * 4
    monkeypatch.setenv("PANEL_TOKEN", "")
    assert editor_token(None) == ""  # a new one is made, and printed


# ------------------------------------------------ 3. a title of any length


@pytest.mark.parametrize("length", [201, 100_000])
def test_a_title_over_200_characters_is_one_line(
    length: int, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", *CARDS, *QUICK_RUN, "--title", "T" * length, "--out", "o"]
    err = fails_in_one_line(capsys, args, "--title: at most 200 characters", f"{length:,}")
    assert "TTTTTTTTTT" not in err and not Path("o").exists()


def test_a_title_of_200_characters_still_reaches_the_record() -> None:
    args = ["run", *CARDS, *QUICK_RUN, "--title", f" {'T' * 200}\n", "--out", "o", "--quiet"]
    assert main(args) == 0
    record = json.loads((Path("o") / "latest" / "record.json").read_text())
    assert record["title"] == "T" * 200


# ------------------------------------------------ 4. a runs folder that is the whole disk


def test_runs_and_digest_refuse_a_folder_far_too_big_to_hold_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bound is 20,000 folders; a tree of 60 stands for `/` with the bound at 50."""
    monkeypatch.setattr("panel.report.run_folders.MAX_FOLDERS", 50)
    for number in range(60):
        (Path("disk") / f"d{number // 10}" / f"e{number}").mkdir(parents=True)
    for args in (["runs", "disk"], ["digest", "disk", "--out", "site"]):
        fails_in_one_line(capsys, args, "disk: more than 50 folders within 4 levels")
    assert not Path("site").exists()


def test_runs_are_found_where_panel_writes_them_and_no_deeper(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`panel runs .` finds panel-out/<tools>/<run>/; a record buried deeper is no run of the
    folder's, and a walk that far down (node_modules, a home folder) is what made `/` slow."""
    latest_offline_run("panel-out/claw-vs-modal")
    deep = Path("a/b/c/d/e")
    deep.mkdir(parents=True)
    (deep / "record.json").write_text("{}")
    capsys.readouterr()
    assert main(["runs", ".", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert [run["folder"] for run in json.loads(captured.out)] == [
        str(Path("panel-out/claw-vs-modal/latest").resolve().relative_to(Path.cwd()))
    ]
    assert "a/b/c" not in captured.err


# ------------------------------------------------ 5. overrides.toml as the desk reads it

EDIT = {"tool": "modal-gpu-inference", "persona": "skeptic", "verdict": "ship",
        "editor": "Ana", "reason": "the card says otherwise"}  # fmt: skip


def _overrides(runs: Path) -> Path:
    return next(runs.glob("g/*/record.json")).parent / "overrides.toml"


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"# caf\xe9\n", "not valid UTF-8 (byte 5)"), (b"#" * 300_000, "the limit is 262,144")],
    ids=["latin-1", "huge"],
)
def test_the_desk_reads_an_overrides_file_as_render_does(
    runs: Path, content: bytes, problem: str
) -> None:
    path = _overrides(runs)
    path.write_bytes(content)
    with desk_client(runs) as client:
        shown = client.get("/api/runs/run00000/overrides")
        saved = client.post("/api/runs/run00000/overrides", json=EDIT, headers=EDITOR)
    for answer in (shown, saved):
        assert answer.status_code == 400, answer.text
        assert "overrides.toml: " in answer.json()["error"] and problem in answer.json()["error"]
    assert path.read_bytes() == content


def test_the_desk_still_edits_a_file_with_windows_line_ends(runs: Path) -> None:
    path = _overrides(runs)
    lines = ["# by hand", "[[override]]", 'tool = "modal-gpu-inference"', 'persona = "skeptic"',
             "score = 2", 'editor = "Bo"', 'reason = "x"']  # fmt: skip
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode())
    with desk_client(runs) as client:
        seen = client.get("/api/runs/run00000/overrides").json()["version"]
        saved = client.post(
            "/api/runs/run00000/overrides", json={**EDIT, "version": seen}, headers=EDITOR
        )
    assert saved.status_code == 200, saved.text
    text = path.read_text()
    assert text.startswith("# by hand\n") and text.count("[[override]]") == 1
    assert 'verdict = "ship"' in text and "score = 2" not in text


@pytest.mark.parametrize("nested", ["[" * 50_000 + "]" * 50_000, "{b = " * 5000 + "1" + "}" * 5000])
def test_deep_toml_pasted_into_the_desk_is_a_400(runs: Path, nested: str) -> None:
    with desk_client(runs) as client:
        answer = client.post(
            "/api/runs", json={"cards": [f"a = {nested}"], "model": "offline"}, headers=EDITOR
        )
        _overrides(runs).write_text(f"[[override]]\na = {nested}\n")
        saved = client.post("/api/runs/run00000/overrides", json=EDIT, headers=EDITOR)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == (
        "pasted card card-1.toml: nested more than 32 levels deep; that is not panel data"
    )
    assert saved.status_code == 400, saved.text
    assert "overrides.toml: an entry the desk cannot read apart" in saved.json()["error"]


# ------------------------------------------------ 6. render racing an editor's save


def test_render_waits_for_an_editors_save_and_publishes_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The desk saves under the run folder's lock (`folder_lock`); render now reads under it
    too. Held here, render must not read until the save (an override written) is done."""
    import threading

    from panel.files import folder_lock
    from panel.record.store import load_record as real_load

    folder = latest_offline_run()
    reading = threading.Event()

    def watched_load(*args: Any, **kwargs: Any) -> Any:
        reading.set()
        return real_load(*args, **kwargs)

    monkeypatch.setattr("panel.record.overrides.load_record", watched_load)
    codes: list[int] = []
    render = threading.Thread(target=lambda: codes.append(main(["render", str(folder)])))
    with folder_lock(folder):  # the desk, saving
        render.start()
        assert not reading.wait(1.0), "render read the run while an editor was saving it"
        (folder / "overrides.toml").write_text(
            '[[override]]\ntool = "claw-code"\npersona = "builder"\nquote = "Edited on the desk."'
            '\neditor = "Ana"\nreason = "clearer"\n'
        )
    render.join(60)
    assert codes == [0] and "Edited on the desk." in (folder / "panel.md").read_text()


# ------------------------------------------------ 8. a corrupt cache entry, warned of once


def test_a_corrupt_cache_entry_is_warned_of_once(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", CARDS[0], *QUICK_RUN, "--personas", "builder", "--quiet"]
    assert main([*args, "--out", "first"]) == 0
    (entry,) = Path("cache/cells").rglob("*.json")
    entry.write_text('{"bad": ')
    capsys.readouterr()
    assert main([*args, "--out", "second"]) == 0
    assert capsys.readouterr().err.count("corrupt cache entry") == 1


# ------------------------------------------------ 9. what someone added to a digest's site


def test_a_digest_keeps_what_someone_added_to_its_site(capsys: pytest.CaptureFixture[str]) -> None:
    latest_offline_run()
    assert main(["digest", "runs", "--out", "site"]) == 0
    site = Path("site")
    (site / "CNAME").write_text("panel.example.org\n")
    (site / "assets").mkdir()
    (site / "assets" / "extra.css").write_text("body { color: teal; }\n")
    (site / "robots").symlink_to("CNAME")
    stale = site / "runs" / "gone.html"  # a page of a run no longer there: panel's, dropped
    stale.write_text("old")
    assert main(["digest", "runs", "--out", "site"]) == 0
    assert (site / "CNAME").read_text() == "panel.example.org\n"
    assert (site / "assets" / "extra.css").read_text() == "body { color: teal; }\n"
    assert os.readlink(site / "robots") == "CNAME"
    assert not stale.exists() and (site / "index.html").is_file()
