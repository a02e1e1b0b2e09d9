"""Hostile input, one class at a time: each case is one line on stderr, a non-zero exit, no
traceback, and nothing written (no output folder, no cache, no stray file).

The classes: nesting and size, records of the wrong shape, command-line values, base URLs,
templates that loop, include themselves or reach outside their folder, personas that do, and
terminal text (markup, escapes) in whatever reaches the error line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from tests.conftest import EXAMPLES, ROOT

CARD = (EXAMPLES / "modal-gpu-inference.toml").read_text()
OTHER = (EXAMPLES / "claw-code.toml").read_text()
PERSONA = (ROOT / "personas" / "builder.toml").read_text()
PROMPTS = {f"prompts/{p.name}": p.read_text() for p in (ROOT / "prompts").glob("*.j2")}
RUN = ["run", "a.toml", "b.toml"]
CARDS: dict[str, str | bytes] = {"a.toml": CARD, "b.toml": OTHER}
Edit = Callable[[dict[str, Any]], object]


@pytest.fixture(scope="module")
def record_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A genuine record from an offline run, the base every record case edits."""
    from panel.inputs.loading import choose_personas, load_personas, load_tool_card
    from panel.providers.offline import OfflineProvider
    from panel.running.orchestrator import RunOptions
    from panel.running.response_cache import ResponseStore
    from panel.running.runner import run_panel
    from tests.helpers import run, spec_for

    cards = [
        load_tool_card(EXAMPLES / "claw-code.toml"),
        load_tool_card(EXAMPLES / "modal-gpu-inference.toml"),
    ]
    spec = spec_for(choose_personas(load_personas(), ["builder", "skeptic"]), cards)
    store = ResponseStore(tmp_path_factory.mktemp("cache"))
    return run(run_panel(spec, OfflineProvider(), store, RunOptions())).model_dump_json()


def _nest(depth: int) -> str:
    return "[" * depth + "]" * depth


def _set(path: str, value: object) -> Edit:
    """An edit putting `value` at a dotted path (list indexes as numbers)."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return edit


def _drop(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        del target[last]

    return edit


def _duplicate_tool(data: dict[str, Any]) -> None:
    data["tools"][1] = dict(data["tools"][0])


def _duplicate_cell(data: dict[str, Any]) -> None:
    data["cells"].append(dict(data["cells"][0]))


# Records given to diff, validate and rerun: (edit, expected text in the one line).
RECORDS: list[tuple[str, Edit, str]] = [
    ("version-true", _set("schema_version", True), "record is version True"),
    ("version-text", _set("schema_version", "1"), "record is version '1'"),
    ("version-float", _set("schema_version", 1.0), "record is version 1.0"),
    ("no-cells", _drop("cells"), "cells: Field required"),
    ("no-tools", _drop("tools"), "tools: Field required"),
    ("no-totals", _drop("totals"), "totals: Field required"),
    ("cells-object", _set("cells", {"a": 1}), "cells: Input should be a valid array"),
    (
        "cells-ok-text",
        _set("totals.cells_ok", "3"),
        "totals.cells_ok: Input should be a valid integer",
    ),
    ("title-number", _set("title", 7), "title: Input should be a valid string"),
    ("complete-text", _set("complete", "yes"), "complete: Input should be a valid boolean"),
    (
        "created-garbage",
        _set("created_at", "yesterday"),
        "created_at: Input should be a valid datetime",
    ),
    ("score-text", _set("cells.0.verdict.score", "7"), "verdict.score from 1 to 10"),
    ("score-99", _set("cells.0.verdict.score", 99), "verdict.score from 1 to 10"),
    ("score-true", _set("cells.0.verdict.score", True), "verdict.score from 1 to 10"),
    ("score-missing", _drop("cells.0.verdict.score"), "verdict.score from 1 to 10"),
    ("verdict-maybe", _set("cells.0.verdict.verdict", "maybe"), "verdict.verdict 'ship' or 'skip'"),
    ("verdict-null", _set("cells.0.verdict", None), "verdict.verdict 'ship' or 'skip'"),
    ("status-maybe", _set("cells.0.status", "maybe"), "cells.0.status"),
    (
        "cell-unknown-tool",
        _set("cells.0.tool", "nowhere"),
        "'nowhere' is not in the record's tools",
    ),
    ("cell-twice", _duplicate_cell, "a second cell for"),
    ("tool-twice", _duplicate_tool, "appears twice"),
    (
        "max-tokens-negative",
        _set("settings.max_tokens", -5),
        "settings.max_tokens: must be a whole",
    ),
    (
        "max-tokens-text",
        _set("settings.max_tokens", "2000"),
        "settings.max_tokens: must be a whole",
    ),
    ("max-tokens-bool", _set("settings.max_tokens", True), "settings.max_tokens: must be a whole"),
    ("temperature-hot", _set("settings.temperature", 99), "settings.temperature: must be a number"),
    ("templates-text", _set("templates", "prefix"), "templates: Input should be a valid array"),
    (
        "template-text-number",
        _set("templates.0.text", 5),
        "templates.0.text: Input should be a valid",
    ),
    ("deep-settings", _set("settings.x", json.loads(_nest(200))), "nested more than 32 levels"),
    ("deep-verdict", _set("cells.0.verdict.beats", json.loads(_nest(40))), "nested more than 32"),
]


def _record_files(edit: Edit, record_text: str) -> dict[str, str | bytes]:
    data = json.loads(record_text)
    edit(data)
    return {"r.json": json.dumps(data)}


# Files written before the command, the command, the expected text (cases without a record).
Case = tuple[dict[str, str | bytes], list[str], str]
CASES: dict[str, Case] = {
    # ---- nesting and size
    "toml-deep-arrays": (
        {"a.toml": f"x = {_nest(5000)}\n", "b.toml": OTHER},
        RUN,
        "nested more than 32",
    ),
    "toml-deep-moderate": (
        {"a.toml": f"x = {_nest(60)}\n", "b.toml": OTHER},
        RUN,
        "nested more than 32",
    ),
    "toml-deep-tables": (
        {"a.toml": "x = " + "{a = " * 3000 + "1" + "}" * 3000, "b.toml": OTHER},
        RUN,
        "nested",
    ),
    "json-deep": (
        {"r.json": '{"schema_version": 1, "x": ' + _nest(100_000) + "}"},
        ["diff", "r.json", "r.json"],
        "nested more than 32",
    ),
    "json-deep-validate": ({"r.json": _nest(100_000)}, ["rerun", "r.json"], "nested more than 32"),
    "json-not-object": (
        {"r.json": "[1, 2]"},
        ["diff", "r.json", "r.json"],
        "a record is a JSON object",
    ),
    "json-nan": (
        {"r.json": '{"schema_version": NaN}'},
        ["diff", "r.json", "r.json"],
        "NaN is not a number panel accepts",
    ),
    "persona-deep": (
        {**CARDS, "p/builder.toml": f"x = {_nest(3000)}\n"},
        [*RUN, "--personas-dir", "p"],
        "nested",
    ),
    "card-huge": ({"a.toml": "x = '" + "y" * 300_000 + "'", "b.toml": OTHER}, RUN, "the limit is"),
    # ---- command-line values
    "max-tokens-negative": (
        CARDS,
        [*RUN, "--max-tokens", "-5"],
        "--max-tokens: must be a positive number",
    ),
    "max-tokens-zero": (
        CARDS,
        [*RUN, "--max-tokens", "0"],
        "--max-tokens: must be a positive number",
    ),
    "max-tokens-float": (
        CARDS,
        [*RUN, "--max-tokens", "1e3"],
        "--max-tokens: must be a whole number",
    ),
    "max-tokens-huge": (
        CARDS,
        [*RUN, "--max-tokens", "99999999999999999999"],
        "--max-tokens: must be at most",
    ),
    "concurrency-zero": (
        CARDS,
        [*RUN, "--concurrency", "0"],
        "--concurrency: must be a positive number",
    ),
    "concurrency-negative": (
        CARDS,
        [*RUN, "--concurrency", "-1"],
        "--concurrency: must be a positive number",
    ),
    "concurrency-word": (
        CARDS,
        [*RUN, "--concurrency", "all"],
        "--concurrency: must be a whole number",
    ),
    "max-cost-negative": (
        CARDS,
        [*RUN, "--max-cost", "-1"],
        "--max-cost: must be a positive number of dollars",
    ),
    "max-cost-zero": (
        CARDS,
        [*RUN, "--max-cost", "0"],
        "--max-cost: must be a positive number of dollars",
    ),
    "max-cost-nan": (
        CARDS,
        [*RUN, "--max-cost", "nan"],
        "--max-cost: must be a positive number of dollars",
    ),
    "max-cost-inf": (
        CARDS,
        [*RUN, "--max-cost", "inf"],
        "--max-cost: must be a positive number of dollars",
    ),
    "max-cost-word": (CARDS, [*RUN, "--max-cost", "lots"], "--max-cost: must be a number"),
    "offline-delay-inf": (
        CARDS,
        [*RUN, "--offline-delay", "inf"],
        "--offline-delay: must be a number of seconds",
    ),
    "offline-delay-negative": (
        CARDS,
        [*RUN, "--offline-delay", "-1"],
        "--offline-delay: must be a number of seconds",
    ),
    "same-card-twice": ({"a.toml": CARD}, ["run", "a.toml", "a.toml"], "appears twice"),
    "same-id-twice": (
        {"a.toml": CARD, "c.toml": 'id = "a"\n' + OTHER},
        ["run", "a.toml", "c.toml"],
        "appears twice",
    ),
    "panel-card-twice": (
        {"p.toml": 'tools = ["a.toml", "a.toml"]', "a.toml": CARD},
        ["run", "p.toml"],
        "appears twice",
    ),
    # ---- base URLs: refused at once, never retried
    "url-file": (
        CARDS,
        [*RUN, "--base-url", "file:///etc/passwd"],
        "only http:// and https:// URLs",
    ),
    "url-ftp": (
        CARDS,
        [*RUN, "--base-url", "ftp://example.com/"],
        "only http:// and https:// URLs",
    ),
    "url-javascript": (
        CARDS,
        [*RUN, "--base-url", "javascript:alert(1)"],
        "only http:// and https://",
    ),
    "url-no-scheme": (CARDS, [*RUN, "--base-url", "localhost:8000"], "only http:// and https://"),
    "url-ipv6-open": (CARDS, [*RUN, "--base-url", "http://[::1"], "not a valid URL"),
    "url-ipv6-bad": (CARDS, [*RUN, "--base-url", "http://[zz::1]/v1"], "not a valid"),
    "url-port-huge": (CARDS, [*RUN, "--base-url", "http://127.0.0.1:99999/v1"], "not a valid URL"),
    "url-port-word": (CARDS, [*RUN, "--base-url", "http://127.0.0.1:http/v1"], "not a valid URL"),
    "url-port-zero": (CARDS, [*RUN, "--base-url", "http://127.0.0.1:0/v1"], "port 0"),
    "url-no-host": (CARDS, [*RUN, "--base-url", "http:///v1"], "has no host"),
    "url-empty": (CARDS, [*RUN, "--base-url", ""], "only http:// and https://"),
    "url-space": (
        CARDS,
        [*RUN, "--base-url", "http://exa mple.com"],
        "spaces or control characters",
    ),
    "url-newline": (CARDS, [*RUN, "--base-url", "http://a.com/\r\nX-Evil: 1"], "spaces or control"),
    "url-huge": (CARDS, [*RUN, "--base-url", "http://a.com/" + "x" * 5000], "too long"),
    "url-rerun": ({}, ["rerun", "r.json", "--base-url", "file:///x"], "only http:// and https://"),
    "url-env-file": (
        CARDS,
        [*RUN, "--model", "openai:gpt-5-mini", "--env", "OPENAI_BASE_URL=file:///x"],
        "OPENAI_BASE_URL: only http",
    ),
    "url-env-ipv6": (
        CARDS,
        [*RUN, "--model", "anthropic:claude-sonnet-5-5", "--env", "ANTHROPIC_BASE_URL=http://[::1"],
        "ANTHROPIC_BASE_URL: not a valid URL",
    ),
    # ---- templates: loops, self-inclusion, size, reaching outside the folder
    "template-self-include": (
        {**CARDS, **PROMPTS, "prompts/prefix.j2": "{% include 'prefix.j2' %}"},
        [*RUN, "--prompts-dir", "prompts"],
        "includes itself",
    ),
    "template-mutual-include": (
        {
            **CARDS,
            **PROMPTS,
            "prompts/prefix.j2": "{% include 'x.j2' %}",
            "prompts/x.j2": "{% include 'prefix.j2' %}",
        },
        [*RUN, "--prompts-dir", "prompts"],
        "includes itself",
    ),
    "template-huge-multiply": (
        {**CARDS, **PROMPTS, "prompts/prefix.j2": "{{ 'x' * 1000000000 }}"},
        [*RUN, "--prompts-dir", "prompts"],
        "too large",
    ),
    "template-huge-power": (
        {**CARDS, **PROMPTS, "prompts/prefix.j2": "{{ 2 ** 99999999 }}"},
        [*RUN, "--prompts-dir", "prompts"],
        "too large",
    ),
    "template-huge-loop": (
        {
            **CARDS,
            **PROMPTS,
            "prompts/prefix.j2": (
                "{% for i in range(99999) %}{% for j in range(99999) %}"
                "xxxxxxxxxx{% endfor %}{% endfor %}"
            ),
        },
        [*RUN, "--prompts-dir", "prompts"],
        "prompts/prefix.j2: ",
    ),
    "template-silent-loop": (
        {
            **CARDS,
            **PROMPTS,
            "prompts/prefix.j2": (
                "{% set r = range(99999) %}{% for i in r %}{% for j in r %}{% for k in r %}"
                "{% endfor %}{% endfor %}{% endfor %}"
            ),
        },
        [*RUN, "--prompts-dir", "prompts"],
        "took longer than",
    ),
    "template-center": (
        {**CARDS, **PROMPTS, "prompts/prefix.j2": "{{ 'x' | center(2000000000) }}"},
        [*RUN, "--prompts-dir", "prompts"],
        "too large",
    ),
    "template-format-width": (
        {**CARDS, **PROMPTS, "prompts/prefix.j2": "{{ '%2000000000d' % 1 }}"},
        [*RUN, "--prompts-dir", "prompts"],
        "too large",
    ),
    "template-text-doubling": (
        {
            **CARDS,
            **PROMPTS,
            "prompts/prefix.j2": (
                "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
                "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}"
            ),
        },
        [*RUN, "--prompts-dir", "prompts"],
        "too large",
    ),
    "template-list-doubling": (
        {
            **CARDS,
            **PROMPTS,
            "prompts/prefix.j2": (
                "{% set l = [1] %}{% for i in range(60) %}{{ l.extend(l) }}{% endfor %}"
            ),
        },
        [*RUN, "--prompts-dir", "prompts"],
        "too large",
    ),
    "template-syntax": (
        {**CARDS, **PROMPTS, "prompts/cell.j2": "{% for %}"},
        [*RUN, "--prompts-dir", "prompts"],
        "template syntax error",
    ),
    "template-private-attribute": (
        {**CARDS, **PROMPTS, "prompts/prefix.j2": "{{ title.__class__.__mro__ }}"},
        [*RUN, "--prompts-dir", "prompts"],
        "prefix.j2: ",
    ),
    "template-missing": (
        {**CARDS, "prompts/prefix.j2": "x"},
        [*RUN, "--prompts-dir", "prompts"],
        "template cell.j2 is missing",
    ),
    "template-fifo": (
        {**CARDS, **PROMPTS},
        [*RUN, "--prompts-dir", "prompts", "--fifo", "prompts/x.j2"],
        "not a regular file",
    ),
    "persona-fifo": (
        {**CARDS, "p/builder.toml": PERSONA},
        [*RUN, "--personas-dir", "p", "--fifo", "p/evil.toml"],
        "not a regular file",
    ),
    "card-fifo": ({"b.toml": OTHER}, [*RUN, "--fifo", "a.toml"], "not a regular file"),
    "card-device": ({"b.toml": OTHER}, ["run", "/dev/zero", "b.toml"], "not a regular file"),
    "card-proc": (
        {"b.toml": OTHER},
        ["run", "/proc/self/environ", "b.toml"],
        "/proc/self/environ: ",
    ),
    # ---- links out of the templates' and personas' folders
    "template-link-environ": (
        {**CARDS, **PROMPTS},
        [*RUN, "--prompts-dir", "prompts", "--link", "prompts/x.j2=/proc/self/environ"],
        "links outside",
    ),
    "template-link-outside": (
        {**CARDS, **PROMPTS, "secret.txt": "KEY"},
        [*RUN, "--prompts-dir", "prompts", "--link", "prompts/notes.j2=../secret.txt"],
        "links outside",
    ),
    "template-link-loop": (
        {**CARDS, **PROMPTS},
        [*RUN, "--prompts-dir", "prompts", "--link", "prompts/x.j2=x.j2"],
        "prompts/x.j2: ",
    ),
    "persona-link-outside": (
        {
            **CARDS,
            "p/builder.toml": PERSONA,
            "other/skeptic.toml": PERSONA.replace('id = "builder"', 'id = "skeptic"'),
        },
        [*RUN, "--personas-dir", "p", "--link", "p/skeptic.toml=../other/skeptic.toml"],
        "links outside",
    ),
    "persona-link-device": (
        {**CARDS, "p/builder.toml": PERSONA},
        [*RUN, "--personas-dir", "p", "--link", "p/zero.toml=/dev/zero"],
        "links outside",
    ),
    # ---- terminal text in the error line: markup is shown, escapes are not sent
    "markup-in-path": (
        {"b.toml": OTHER},
        ["run", "[/]a[bold].toml", "b.toml"],
        "[/]a[bold].toml: no such file",
    ),
    "escape-in-path": (
        {"b.toml": OTHER},
        ["run", "\x1b]0;owned\x07\x1b[2Ja.toml", "b.toml"],
        "a.toml: no such file",
    ),
    "escape-in-persona-name": (CARDS, [*RUN, "--personas", "\x1b[31mbuilder"], "unknown persona"),
}


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _write(work: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())


def _check_one_line(
    work: Path,
    args: list[str],
    expected: str,
    capsys: pytest.CaptureFixture[str],
    code_wanted: int = 2,
) -> None:
    before = _tree(work)
    extra = ["--out", "out", "--cache-dir", "cache"] if args[0] in ("run", "rerun") else []
    code = main([*args, *extra])
    captured = capsys.readouterr()
    err = captured.err
    assert code == code_wanted, err
    assert expected in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "\x1b" not in err
    assert _tree(work) == before  # nothing written: no output folder, no cache, no stray files


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_is_one_line(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files, args, expected = CASES[name]
    monkeypatch.setattr("panel.inputs.bounded.MAX_RENDER_SECONDS", 1.0)
    monkeypatch.setattr("panel.inputs.bounded.MAX_RENDER_MEMORY_KB", 64 * 1024)
    _write(tmp_path, files)
    for marker in ("--env", "--link", "--fifo"):  # set-up steps of the case, not flags
        while marker in args:
            at = args.index(marker)
            name, _, value = args[at + 1].partition("=")
            args = args[:at] + args[at + 2 :]
            if marker == "--env":
                monkeypatch.setenv(name, value)
            elif marker == "--link":
                (tmp_path / name).symlink_to(value)
            else:
                os.mkfifo(tmp_path / name)
    args = [arg.replace("\\x1b", "\x1b").replace("\\x07", "\x07") for arg in args]
    _check_one_line(tmp_path, args, expected, capsys)


@pytest.mark.parametrize("command", ["diff", "validate", "rerun"])
@pytest.mark.parametrize(("name", "edit", "expected"), RECORDS, ids=[r[0] for r in RECORDS])
def test_malformed_records_are_one_line(
    command: str,
    name: str,
    edit: Edit,
    expected: str,
    record_text: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write(tmp_path, _record_files(edit, record_text))
    args = {
        "diff": ["diff", "r.json", "r.json"],
        "validate": ["validate", "r.json"],
        "rerun": ["rerun", "r.json"],
    }
    if command == "validate":  # validate lists every problem, then a count: two lines, exit 2
        code = main(args[command])
        out, err = capsys.readouterr()
        assert code == 2 and expected in out and "Traceback" not in out + err, out + err
        assert out.strip().splitlines()[-1] == "1 files checked, 1 problem"
        return
    _check_one_line(tmp_path, args[command], expected, capsys)


def test_the_genuine_record_passes_every_command(
    record_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The corpus's base record is sound: each case fails for its own edit, not for the base."""
    _write(tmp_path, {"r.json": record_text})
    assert main(["validate", "r.json"]) == 0
    assert main(["diff", "r.json", "r.json"]) == 0
    assert main(["rerun", "r.json", "--out", "o", "--cache-dir", "c", "--offline-delay", "0"]) == 0


def test_the_corpus_covers_every_class() -> None:
    assert len(CASES) + len(RECORDS) * 3 >= 100
    assert not any(name.endswith("_API_KEY") for name in os.environ)


HOSTILE_NAME = "[/] [bold red]Evil\x1b]0;owned\x07 \x1b[2J\x9b31m\u202eeerf\x08 tool"


def test_markup_and_escapes_in_a_card_are_printed_as_plain_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A card name with rich markup and terminal escapes: the run completes, the name is shown
    as written, and no escape sequence reaches the terminal (it used to crash after writing)."""
    hostile = CARD.replace(
        'name = "Modal GPU Serverless Inference"', f"name = {json.dumps(HOSTILE_NAME)}"
    )
    assert HOSTILE_NAME in __import__("tomllib").loads(hostile)["name"]
    _write(tmp_path, {"a.toml": hostile, "b.toml": OTHER})
    code = main([*RUN, "--quiet", "--out", "o", "--cache-dir", "c", "--offline-delay", "0"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "[/] [bold red]Evil" in printed.err and "eerf tool" in printed.err
    for control in ("\x1b", "\x07", "\x9b", "\u202e", "\x08"):
        assert control not in printed.err + printed.out


def test_model_text_in_the_live_grid_and_plain_lines_is_cleaned() -> None:
    import io

    from rich.console import Console

    from panel.cli.display import LiveGrid, PlainLines
    from panel.models import CellResult
    from panel.running.orchestrator import CellUpdate

    screen = io.StringIO()
    grid = LiveGrid(["builder"], ["alpha"], Console(file=screen, force_terminal=True, width=100))
    fields = {"verdict": "\x1b]0;owned\x07ship[/]", "score": "\x1b[2J9"}
    with grid:
        grid.update(CellUpdate("builder", "alpha", "streaming", fields))
    drawn = screen.getvalue()
    assert "ship[/]" in drawn and "owned" not in drawn and "\x1b[2J" not in drawn
    lines = io.StringIO()
    failed = CellResult(persona="builder", tool="alpha", status="failed", error=HOSTILE_NAME)
    PlainLines(lines).update(CellUpdate("builder", "alpha", "failed", result=failed))
    assert "\x1b" not in lines.getvalue() and "[/] [bold red]Evil" in lines.getvalue()


@pytest.mark.parametrize("command", [["personas"], ["validate", "personas"], ["schema"]])
def test_a_closed_pipe_ends_quietly(command: list[str]) -> None:
    """`panel personas | head`: the reader is gone before panel writes; no traceback."""
    import subprocess
    import sys

    reader, writer = os.pipe()
    os.close(reader)  # the reader has already left
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "panel", *command],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        os.close(writer)
    assert done.stderr == "" and done.returncode == 141
