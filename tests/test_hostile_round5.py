"""Hostile input, round 5: classes each of which failed on the code before this round.

- a reader id (cookie or `x-panel-voter` header) holding a non-ASCII character: `panel serve`
  answered every read and vote of a run with a 500 (hmac refuses such text);
- an API key in an editor's quote (the desk's edit, a hand-written overrides.toml): written into
  overrides.toml, record.json and both pages (the editor's name and reason were refused);
- `--title` of any length (a panel file's title and the desk's stop at 200 characters): a
  megabyte of title went into every prompt, the record and the pages;
- a figure panel measured, edited by hand in a record: a total cost of NaN or 1e999 made
  `panel runs --format json` print `NaN` (no JSON parser reads it), a negative total cost was
  listed, and a negative wall time, time to verdict or attempt count was published;
- `panel runs /` (or a home folder, or `panel digest ~`): walked every folder of the file
  system for records; now records are looked for at most 4 folders down, and a place with more
  than 20,000 folders on the way is refused in one line;
- a run's overrides.toml that is no UTF-8 (a Latin-1 editor): `panel serve` answered the
  editor's read and save with a 500, and read a file of any size whole (render refuses both);
- the lines a listing reads from a record's summary (a tool's split and tally, a review's call,
  a comparison's reason), edited by hand: the digest's weekly page and feed published them,
  "Ship: 2 of 2 reviewers" over cells that split (only the counts were checked); now they are
  worded from the cells, as the run's own pages are;
- `panel render` racing an editor's save on the desk: render read the record and overrides.toml
  unlocked, so it could write the pages (and record.json) from what the save had just replaced;
- a model's stream that is not what the API sends (bytes that are no UTF-8, data that is no
  JSON or nests 100,000 deep, an event that is a list or null, a word or NaN for a token count,
  an object for a stop reason): an AttributeError, TypeError or JSONDecodeError failed the cell
  as an "internal error", never retried, the attempt's usage lost; a count of 1e30 tokens was
  written into a record no reader can read back;
- a record dated in the future (`9999-12-31T23:59:59Z`): it headed every listing and every
  weekly digest and feed for ever, and `panel validate` passed it;
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from panel.cli import main
from panel.errors import PanelError, ProviderError
from panel.providers.base import token_count
from tests.helpers import (
    QUICK_RUN,
    PlanFor,
    chunks,
    event_stream,
    fails_in_one_line,
    hostile_cards,
    instant_retries,
    latest_offline_run,
    reply_text,
    verdict_of,
)
from tests.serve_support import EDITOR, a_record, desk_client, write_runs
from tests.sse import claude_events, openai_chunks, sse

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


# ------------------------------------------------ 4. measured figures edited by hand


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


# ------------------------------------------------ 5. a runs folder that is the whole disk


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


# ------------------------------------------------ 6. overrides.toml as the desk reads it

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


# ------------------------------------------------ 7. the lines a listing shows, edited by hand

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


# ------------------------------------------------ 7b. render racing an editor's save


def test_render_waits_for_an_editors_save_and_publishes_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The desk saves under the run folder's lock (`folder_lock`); render now reads under it
    too. Held here, render must not read until the save (an override written) is done."""
    import threading

    import panel.record.overrides as overrides_module
    from panel.files import folder_lock

    folder = latest_offline_run()
    reading = threading.Event()
    real_load = overrides_module.load_record

    def watched_load(*args: Any, **kwargs: Any) -> Any:
        reading.set()
        return real_load(*args, **kwargs)

    monkeypatch.setattr(overrides_module, "load_record", watched_load)
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


# ------------------------------------------------ 8. a record from the future


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


# ------------------------------------------------ 9. a stream that is not what the API sends

CLAUDE_URL = "https://api.anthropic.com/v1/messages"
OPENAI_URL = "https://api.openai.com/v1/chat/completions"
START = claude_events([])[0][1]


def _raw(body: bytes) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)


MALFORMED_CLAUDE = {
    "no UTF-8": (b"event: message_start\ndata: \xff\xfe\n\n", "UnicodeDecodeError"),
    "no JSON": (b"event: message_start\ndata: {not json\n\n", "JSONDecodeError"),
    "a list": (b"event: message_start\ndata: [1, 2]\n\n", "AttributeError"),
    "null": (b"event: message_start\ndata: null\n\n", "AttributeError"),
    "deep": (b"event: message_start\ndata: " + b"[" * 100_000 + b"]" * 100_000 + b"\n\n",
             "RecursionError"),
    "no message": (b'event: message_start\ndata: {"type": "message_start"}\n\n', "AttributeError"),
}  # fmt: skip


@pytest.mark.parametrize("name", MALFORMED_CLAUDE)
def test_a_malformed_claude_stream_is_a_failed_attempt_retried(
    name: str, claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    body, kind = MALFORMED_CLAUDE[name]
    good = event_stream(claude_events(chunks(reply_text(plan.request), 40)))
    route = httpx2_mock.post(CLAUDE_URL).mock(side_effect=[_raw(body), good])
    assert verdict_of(claude, plan).verdict is not None and route.call_count == 2
    route.mock(side_effect=None, return_value=_raw(body))
    with pytest.raises(ProviderError) as failure:
        verdict_of(claude, plan)
    message = str(failure.value)
    assert f"the server's reply is malformed ({kind})" in message and "\n" not in message


def test_a_malformed_event_after_the_start_keeps_the_attempts_usage(
    claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    """The attempt was billed for its input: the cell's usage says so."""
    plan = builder_plan(claude)
    body = sse([("message_start", START)]) + b"event: content_block_delta\ndata: [3]\n\n"
    httpx2_mock.post(CLAUDE_URL).mock(return_value=_raw(body))
    with pytest.raises(ProviderError, match="malformed") as failure:
        verdict_of(claude, plan)
    assert failure.value.usage is not None and failure.value.usage.input_tokens > 0


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'data: {"id": "x", "choices": 5}\n\n', "TypeError"),
        (b'data: {"id": "x", "choices": [{"index": 0, "delta": {"content": 5}}]}\n\n',
         "TypeError"),
        (b"data: [1]\n\n", "AttributeError"),
        (b"data: {\n\n", "JSONDecodeError"),
    ],
)  # fmt: skip
def test_a_malformed_openai_stream_is_a_failed_attempt_retried(
    body: bytes,
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
    builder_plan: PlanFor,
    httpx2_mock: respx.Router,
) -> None:
    from panel.providers.openai_chat import OpenAIProvider

    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-test-key-000000")
    provider = instant_retries(OpenAIProvider("gpt-5-mini"))
    plan = builder_plan(provider)
    good = event_stream(openai_chunks(chunks(reply_text(plan.request), 40)))
    route = httpx2_mock.post(OPENAI_URL).mock(side_effect=[_raw(body), good])
    assert verdict_of(provider, plan).verdict is not None and route.call_count == 2
    route.mock(side_effect=None, return_value=_raw(body))
    with pytest.raises(ProviderError, match=rf"the server's reply is malformed \({kind}\)"):
        verdict_of(provider, plan)


@pytest.mark.parametrize("stop", [{"a": 1}, ["end_turn"]])
def test_a_stop_reason_that_is_no_word_is_an_unexpected_stop(
    stop: object, claude: Any, builder_plan: PlanFor, httpx2_mock: respx.Router
) -> None:
    plan = builder_plan(claude)
    events = claude_events(chunks(reply_text(plan.request), 40))
    for name, data in events:
        if name == "message_delta":
            data["delta"]["stop_reason"] = stop
    httpx2_mock.post(CLAUDE_URL).mock(return_value=event_stream(events))
    with pytest.raises(PanelError, match="stopped unexpectedly") as failure:
        verdict_of(claude, plan)
    assert "TypeError" not in str(failure.value)


@pytest.mark.parametrize(
    ("value", "counted"),
    [(120, 120), ("120", 120), (10**30, 0), (float("nan"), 0), ("many", 0), (True, 0),
     (-5, 0), (1.5, 0), ([3], 0), ("9" * 5000, 0), (2.0, 2), (None, 0)],
)  # fmt: skip
def test_a_token_count_a_server_reports_is_a_sane_whole_number_or_none(
    value: object, counted: int
) -> None:
    """1e30 tokens was written into the record (which no reader takes: 31 digits); a word or
    NaN raised ValueError in the middle of a stream."""
    assert token_count(value) == counted
