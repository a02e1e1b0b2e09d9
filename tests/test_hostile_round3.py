"""Issue 23, round 3: the editor's loop under hostile input (part 1 of 2, see
test_hostile_round3_files.py). Each class below failed on the code before this round:

- an output folder that is, holds or is inside its inputs (digest, render, run, rerun);
- credentials in URLs (--site-url, a ledger's endpoint, a record's endpoint, a card's links);
- records and ledgers planted by hand (a naive created_at, a `latest` that loops or leads out,
  escape sequences in a ledger);
- redaction inside words; errors naming the wrong source; a second -m checked too late.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from panel.cli import main
from panel.errors import InputError
from panel.record.store import load_record
from panel.secrets import redact
from tests.conftest import EXAMPLES
from tests.helpers import QUICK_RUN, hostile_cards, tree

CARDS = hostile_cards()
SECRET = "hunter2PLANTEDsecret99"


def _group(name: str = "runs") -> Path:
    """A run group with one offline run in it."""
    assert main(["run", *CARDS, *QUICK_RUN, "--out", name, "--quiet"]) == 0
    return Path(name)


def _one_line(code: int, err: str, wanted: str = "", exit_code: int = 2) -> None:
    assert code == exit_code, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "\x1b" not in err, err
    assert wanted in err, err


def _fails(capsys: pytest.CaptureFixture[str], args: list[str], wanted: str = "") -> str:
    capsys.readouterr()  # what came before
    code = main(args)
    err = capsys.readouterr().err
    _one_line(code, err, wanted)
    return err


def _run_folders(group: Path) -> list[str]:
    return sorted(p.name for p in group.iterdir() if p.is_dir() and not p.is_symlink())


# ------------------------------------------------ 1. an output apart from its inputs


def test_digest_refuses_a_site_holding_the_runs_it_reads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runs = _group("pub/panel-out")
    assert main(["digest", "pub", "--out", "site"]) == 0  # pub itself becomes a site ...
    os.rename("site/.panel-site", "pub/.panel-site")  # ... one panel built, runs inside it
    before = tree(Path("pub"))
    err = _fails(capsys, ["digest", str(runs), "--out", "pub"], "holds the runs folder")
    assert "--out pub" in err
    assert tree(Path("pub")) == before  # the old code replaced pub and deleted the runs


@pytest.mark.parametrize(("out", "relation"), [("runs", "is"), ("runs/site", "is inside")])
def test_digest_refuses_a_site_that_is_or_is_inside_its_runs(
    out: str, relation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = _group()
    before = tree(runs)
    _fails(capsys, ["digest", "runs", "--out", out], f"that {relation} the runs folder")
    assert tree(runs) == before


def test_digest_refuses_a_site_holding_its_vote_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _group()
    assert main(["digest", "runs", "--out", "site"]) == 0
    Path("site/votes.db").write_bytes(b"readers' votes")  # replacing the site would delete it
    args = ["digest", "runs", "--out", "site", "--db", "sqlite:///site/votes.db"]
    _fails(capsys, args, "holds --db")
    assert Path("site/votes.db").read_bytes() == b"readers' votes"


def test_render_refuses_votes_it_would_overwrite(capsys: pytest.CaptureFixture[str]) -> None:
    run = _group() / "latest"
    votes = "tool,ship,skip\nclaw-code,3,1\n"
    (run / "panel.md").write_text(votes)  # the editor's votes, kept where render writes
    _fails(capsys, ["render", str(run), "--votes", str(run / "panel.md")], "--votes")
    assert (run / "panel.md").read_text() == votes


def test_run_refuses_a_group_holding_its_own_cards(capsys: pytest.CaptureFixture[str]) -> None:
    group = _group()
    for card in CARDS:
        (group / Path(card).name).write_text(Path(card).read_text())
    before = _run_folders(group)
    cards = [str(group / Path(card).name) for card in CARDS]
    _fails(capsys, ["run", *cards, *QUICK_RUN, "--out", "runs"], "holds the input")
    assert _run_folders(group) == before


def test_run_refuses_a_group_inside_its_prompts(capsys: pytest.CaptureFixture[str]) -> None:
    prompts = Path("prompts")
    prompts.mkdir()
    for template in (EXAMPLES.parent / "prompts").glob("*.j2"):
        (prompts / template.name).write_text(template.read_text())
    _fails(capsys, ["run", *CARDS, *QUICK_RUN, "--prompts-dir", "prompts", "--out", "prompts/out"])
    assert not Path("prompts/out").exists()


def test_rerun_refuses_writing_into_the_run_it_reruns(capsys: pytest.CaptureFixture[str]) -> None:
    group = _group()
    run = (group / "latest").resolve()
    before = tree(run)
    _fails(capsys, ["rerun", "runs/latest", *QUICK_RUN[:2], "--out", str(run)], "the record's run")
    assert tree(run) == before
    assert main(["rerun", "runs/latest", *QUICK_RUN[:2], "--cache-dir", "cache", "--quiet"]) == 0
    assert len(_run_folders(group)) == 2  # beside it, as ever


def test_check_apart_resolves_links_and_refuses_a_loop(tmp_path: Path) -> None:
    from panel.report.run_folders import check_apart

    (tmp_path / "runs").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "runs")
    with pytest.raises(InputError, match="that is the runs"):
        check_apart(tmp_path / "alias", [("the runs folder", tmp_path / "runs")], source="--out")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(InputError, match="looping"):
        check_apart(tmp_path / "loop", [("x", tmp_path / "runs")], source="--out")
    assert check_apart(tmp_path / "site", [("x", tmp_path / "runs")], source="--out")


@pytest.mark.parametrize("write", ["mine", "mine/schemas"])
def test_schema_write_refuses_the_personas_it_reads(
    write: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("mine").mkdir()
    _fails(capsys, ["schema", "--write", write, "--personas-dir", "mine"], "--personas-dir")
    assert os.listdir("mine") == []


# ------------------------------------------------ 2. credentials in URLs


@pytest.mark.parametrize(
    "url",
    [
        f"https://editor:{SECRET}@news.example/panel/",
        f"https://news.example/panel/?api_key={SECRET}",
        f"https://news.example/panel/?sig={SECRET}&x=1",
        f"https://news.example/panel/#access_token={SECRET}",
    ],
)
def test_site_url_with_credentials_is_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _group()
    err = _fails(capsys, ["digest", "runs", "--out", "site", "--site-url", url], "credentials")
    assert SECRET not in err
    assert not Path("site").exists()


def _ledger_entry(endpoint: str, batch_id: str = "msgbatch_1") -> None:
    folder = Path("cache/batches")
    folder.mkdir(parents=True, exist_ok=True)
    entry = {
        "batch_id": batch_id,
        "provider": "anthropic",
        "model": "claude-sonnet-5-5\x1b]0;pwned\x07",
        "endpoint": endpoint,
        "submitted_at": "2026-12-01T10:00:00+00:00\x1b[2J",
        "requests": {"c1": "builder × claw-code"},
    }
    (folder / "entry.json").write_text(json.dumps(entry))


def test_batches_shows_a_planted_endpoint_without_credentials_or_escapes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _ledger_entry(f"https://user:{SECRET}@gw.example/v1?api_key={SECRET}", "b\x1b[31m\x9b1m\nx")
    assert main(["batches"]) == 0
    shown = capsys.readouterr().out
    assert "gw.example/v1" in shown
    assert SECRET not in shown
    assert not any(c in shown for c in "\x1b\x07\x9b"), repr(shown)
    assert len(shown.strip().splitlines()) == 1  # a newline in a field cannot forge a line


def test_a_planted_record_endpoint_is_never_shown_or_written_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = (_group() / "latest").resolve()
    data = json.loads((run / "record.json").read_text())
    data["model"]["endpoint"] = f"https://u:{SECRET}@gw.example/v1?token={SECRET}"
    data["model"]["label"] = f"OpenAI-compatible (m at https://u:{SECRET}@gw.example/v1)"
    (run / "record.json").write_text(json.dumps(data))
    assert load_record(run).model.endpoint == "https://[redacted]@gw.example/v1?token=[redacted]"
    assert main(["render", str(run)]) == 0
    assert main(["diff", str(run), str(run), "--format", "json"]) == 0
    assert SECRET not in capsys.readouterr().out
    assert not [name for name, text in tree(run).items() if SECRET in text]


def test_a_card_link_with_credentials_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    card = Path(CARDS[0]).read_text() + f'\n[links]\nadmin = "https://me:{SECRET}@x.example/"\n'
    Path("a.toml").write_text(card)
    err = _fails(capsys, ["run", "a.toml", CARDS[1], *QUICK_RUN, "--out", "o"], "links.admin")
    assert SECRET not in err and not Path("o").exists()


# ------------------------------------------------ 3. records and ledgers planted by hand


@pytest.mark.parametrize(
    "created_at",
    [
        "2026-11-30T10:15:00",  # naive: once crashed digest and runs
        "9999-12-31T23:59:59-05:00",  # no UTC time: once crashed the digest's feed
        "0001-01-01T00:00:00+05:00",
    ],
)
def test_a_created_at_validate_refuses_is_refused_by_every_command(
    created_at: str, capsys: pytest.CaptureFixture[str]
) -> None:
    group = _group()
    assert main(["run", *CARDS, *QUICK_RUN, "--out", "runs", "--quiet"]) == 0
    record = group / _run_folders(group)[0] / "record.json"
    data = json.loads(record.read_text())
    data["created_at"] = created_at
    record.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["validate", str(record)]) == 2
    assert "created_at" in capsys.readouterr().out
    for args in (["runs", "runs"], ["digest", "runs", "--out", "site"]):
        assert main(args) == 0  # the good run is listed, the planted one skipped, named
        assert "created_at" in capsys.readouterr().err
    _fails(capsys, ["diff", str(record), "runs/latest"], "created_at")


@pytest.mark.parametrize("target", ["latest", "../elsewhere", "missing"])
def test_a_planted_latest_crashes_nothing(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    group = _group()
    real = next(p for p in group.iterdir() if p.is_dir() and not p.is_symlink())
    Path("elsewhere").mkdir()
    for name in ("record.json", "panel.md"):
        (Path("elsewhere") / name).write_text((real / name).read_text())
    (group / "latest").unlink()
    (group / "latest").symlink_to(target)
    before = tree(Path("elsewhere"))
    assert main(["runs", "runs"]) == 0
    assert main(["digest", "runs", "--out", "site"]) == 0
    capsys.readouterr()
    _fails(capsys, ["render", "runs/latest"])
    _fails(capsys, ["rerun", "runs", *QUICK_RUN])
    assert tree(Path("elsewhere")) == before  # render once rewrote a foreign folder's pages
    assert _run_folders(group) == [real.name]


def _panel(*args: str) -> subprocess.CompletedProcess[str]:
    """panel in its own process, killed after 60 s: a read that blocks fails, never hangs."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "panel", *args],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip


def test_a_pipe_in_the_ledger_or_the_cache_is_unreadable_not_a_hang() -> None:
    Path("cache/batches").mkdir(parents=True)
    os.mkfifo("cache/batches/planted.json")  # reading it would wait for a writer for ever
    listed = _panel("batches")
    assert listed.returncode == 0 and "planted.json: not a batch entry" in listed.stderr
    _group()
    entry = next(Path("cache/cells").rglob("*.json"))
    entry.unlink()
    os.mkfifo(entry)
    again = _panel("run", *CARDS, *QUICK_RUN, "--out", "runs", "--quiet")
    assert again.returncode == 0 and "not a regular file" in again.stderr, again.stderr
    assert entry.is_file()  # the answer is cached again in its place


# ------------------------------------------------ 8. redaction matches whole tokens


@pytest.mark.parametrize(
    "text",
    [
        "/tmp/risk-assessment-2026/cards/a.toml",
        "/mnt/disk-full-volume-01/panel-out",
        "the task-scheduler-service reads preauthorization: pending-review-7",
        "see https://example.com/desk-booking-system-2026?monkey=bananas123",
        "the bearer receives notifications; authorization failed-permanently",
        "an api-key rotation-schedule is documented",
    ],
)
def test_redaction_leaves_words_that_merely_contain_a_key_shape(text: str) -> None:
    assert redact(text) == text


def test_an_error_naming_such_a_path_shows_it_whole(capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path("risk-assessment-2026")
    folder.mkdir()
    (folder / "card.toml").write_text("name = \n")
    err = _fails(capsys, ["run", str(folder / "card.toml"), CARDS[1], *QUICK_RUN])
    assert "risk-assessment-2026/card.toml" in err and "[redacted]" not in err


@pytest.mark.parametrize(
    "text",
    [
        "key sk-ant-api03-abcdefgh12345678 here",
        "(sk-proj-abcdefgh12345678)",
        "Authorization: Bearer abcdefgh12345678",
        "x-api-key: abcdefgh12345678",
        "/keys/sk-abcdefgh12345678.txt",
        "Authorization: Bearer abcdefgh12345678",
        '{"authorization": "Bearer abcdefgh12345678"}',
        "token_type=bearer abcdefgh12345678",
        "api-key=abcdefgh12345678",
    ],
)
def test_key_shapes_as_tokens_are_still_redacted(text: str) -> None:
    assert "abcdefgh12345678" not in redact(text)


# ------------------------------------------------ 9. the right source, checked first


def test_a_bad_model_in_panel_toml_is_named_as_panel_toml(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("panel.toml").write_text('model = "../../x"\n')
    err = _fails(capsys, ["run", *CARDS, *QUICK_RUN, "--out", "o"], "panel.toml: model:")
    assert "--model" not in err.split("write")[0] and not Path("o").exists()


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ('personas = ["nobody"]', "panel.toml: personas:"),
        ("max_cost = 0.0001", "panel.toml: max_cost:"),  # no price for the offline model
    ],
)
def test_a_bad_default_from_panel_toml_is_named_as_its_key(
    setting: str, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("panel.toml").write_text(setting + "\n")
    args = ["run", *CARDS, "--offline-delay", "0", "--out", "o"]
    err = _fails(capsys, args, named)
    assert "--" not in err.split(named)[0] and not Path("o").exists()


def test_a_flag_given_is_named_as_the_flag_even_with_a_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("panel.toml").write_text("max_cost = 5.0\n")
    _fails(capsys, ["run", *CARDS, "--offline-delay", "0", "--max-c=0.001"], "--max-cost:")


def test_a_bad_panel_model_is_named_as_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PANEL_MODEL", "nosuchprovider:x y")
    err = _fails(capsys, ["run", *CARDS, *QUICK_RUN, "--out", "o"], "PANEL_MODEL:")
    assert "--model" not in err and not Path("o").exists()


@pytest.mark.parametrize("bad", ["../../x", "nosuch:model", "llama3"])
def test_rerun_checks_every_model_before_writing_any_run(
    bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    group = _group()
    before = _run_folders(group)
    _fails(
        capsys, ["rerun", "runs", "-m", "offline", "-m", bad, *QUICK_RUN[:2], "--cache-dir", "c"]
    )
    assert _run_folders(group) == before  # the old code wrote the offline run first
