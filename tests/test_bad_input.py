"""A corpus of hostile or broken inputs through the command line.

Each gives one line, a non-zero exit, no traceback, and writes nothing at
all (the run never reaches its output folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from panel.cli import main
from tests.conftest import EXAMPLES, ROOT

CARD = (EXAMPLES / "modal-gpu-inference.toml").read_text()
OTHER = (EXAMPLES / "claw-code.toml").read_text()
PERSONA = (ROOT / "personas" / "builder.toml").read_text()


def _card(text: str | bytes) -> dict[str, str | bytes]:
    return {"a.toml": text, "b.toml": OTHER}


RUN = ["run", "a.toml", "b.toml"]

# (files to write, arguments, expected text in the one line)
CORPUS: list[tuple[dict[str, str | bytes], list[str], str]] = [
    (_card(""), RUN, "a.toml: file is empty"),
    (_card("   \n\t\n"), RUN, "file is empty"),
    (_card(b'name = "\xff\xfe"'), RUN, "not valid UTF-8"),
    (_card("name = [unclosed"), RUN, "not valid TOML"),
    (_card("x = '" + "y" * 400_000 + "'"), RUN, "the limit is 262,144"),
    (
        _card(CARD.replace('name = "Modal GPU Serverless Inference"', "name = 12")),
        RUN,
        "name: Input should be a valid string",
    ),
    (
        _card(CARD.replace('name = "Modal GPU Serverless Inference"', 'name = ""')),
        RUN,
        "name: String should have at least 1",
    ),
    (_card('id = "../../etc/x"\n' + CARD), RUN, "id: String should match pattern"),
    (_card('id = "/etc/passwd"\n' + CARD), RUN, "id: String should match pattern"),
    (_card('id = "CON"\n' + CARD), RUN, "id: String should match pattern"),
    (
        _card(CARD.replace("[pricing]", "[pricing]\ncurrency = 'USD'")),
        RUN,
        "pricing.currency: unknown field",
    ),
    (
        _card(CARD.replace('entry = "Paid"', "entry = true")),
        RUN,
        "pricing.entry: Input should be a valid string",
    ),
    (_card(CARD.replace("facts = [", "facts = 7 #[")), RUN, "not valid TOML"),
    (
        _card(CARD.replace('description = """', 'description = """' + "x" * 5000)),
        RUN,
        "description: String should have at most 4000",
    ),
    (
        {"a.toml": CARD, "dup.toml": 'id = "a"\n' + CARD},
        ["run", "a.toml", "dup.toml"],
        "tool 'a' appears twice",
    ),
    ({"a.toml": 'competitors = "Modal"\n' + CARD}, ["run", "a.toml"], "competitors: Input should"),
    ({"a.toml": "competitors = [7]\n" + CARD}, ["run", "a.toml"], "competitors.0: Input should"),
    ({}, ["run", "nope.toml", "b.toml"], "nope.toml: no such file"),
    ({"dir.toml/x": "x"}, ["run", "dir.toml", "b.toml"], "dir.toml: no such file"),
    (
        {"p.toml": "tools = []\npersonas = []", "a.toml": CARD},
        ["run", "p.toml"],
        "tools: List should have at least 1 item",
    ),
    (
        {"p.toml": 'tools = ["a.toml", "b.toml"]\npersonas = []', **_card(CARD)},
        ["run", "p.toml"],
        "personas: List should have at least 1",
    ),
    (
        {
            "p.toml": 'tools = ["a.toml", "b.toml"]\npersonas = ["builder", "builder"]',
            **_card(CARD),
        },
        ["run", "p.toml"],
        "persona named twice: builder",
    ),
    (
        {"p.toml": 'tools = ["../../../etc/passwd", "b.toml"]', **_card(CARD)},
        ["run", "p.toml"],
        "etc/passwd: ",
    ),
    (_card(CARD), [*RUN, "--personas", ""], "a panel needs at least one persona"),
    (_card(CARD), [*RUN, "--personas", ",,,"], "a panel needs at least one persona"),
    (_card(CARD), [*RUN, "--personas", "builder,skeptic,builder"], "persona named twice"),
    (_card(CARD), [*RUN, "--personas", "../builder"], "unknown persona '../builder'"),
    (_card(CARD), [*RUN, "--model", "mystery:model"], "unknown provider 'mystery'"),
    (_card(CARD), [*RUN, "--model", "anthropic:claude; rm -rf /"], "is not a model name"),
    (_card(CARD), [*RUN, "--model", "anthropic:claude-sonnet-5-5"], "ANTHROPIC_API_KEY is not set"),
    (_card(CARD), [*RUN, "--concurrency", "-3"], "--concurrency: must be a positive number"),
    (_card(CARD), [*RUN, "--max-tokens", "0"], "--max-tokens: must be a positive number"),
    (_card(CARD), [*RUN, "--max-cost", "-1"], "--max-cost: must be a positive number of dollars"),
    (_card(CARD), [*RUN, "--max-cost", "nan"], "--max-cost: must be a positive number of dollars"),
    (_card(CARD), [*RUN, "--cache-ttl", "2h"], "invalid choice: '2h'"),
    (
        {**_card(CARD), "personas/builder.toml": PERSONA.replace("[[rubric]]", "[[rubrik]]", 1)},
        [*RUN, "--personas-dir", "personas"],
        "builder.toml: rubrik: unknown field",
    ),
    (
        {**_card(CARD), "personas/readme.txt": "no personas here"},
        [*RUN, "--personas-dir", "personas"],
        "no persona files",
    ),
    (
        {
            **_card(CARD),
            "prompts/prefix.j2": "{{ undefined_thing }}",
            "prompts/cell.j2": "x",
            "prompts/reask.j2": "x",
        },
        [*RUN, "--prompts-dir", "prompts"],
        "prefix.j2: undefined variable: 'undefined_thing' is undefined",
    ),
    ({}, ["diff", "a.json", "b.json"], "a.json: no such file"),
    ({"r.json": "{}"}, ["diff", "r.json", "r.json"], "schema_version: record is version None"),
    ({"r.json": b"\xff\x00garbage"}, ["rerun", "r.json"], "not valid UTF-8"),
    ({}, ["runs", "missing-folder"], "missing-folder: no such folder"),
    ({}, ["schema", "--persona", "nobody"], "unknown persona 'nobody'"),
]


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize(
    ("files", "args", "expected"), CORPUS, ids=[str(i) for i in range(len(CORPUS))]
)
def test_bad_input(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    args: list[str],
    expected: str,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for name, content in files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    monkeypatch.chdir(work)
    before = _tree(work)
    extra = ["--out", "out"] if args[0] == "run" else []
    code = main([*args, *extra])
    err = capsys.readouterr().err
    assert code != 0
    assert expected in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert _tree(work) == before  # nothing written: no output folder, no cache, no stray files


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 30


def test_no_keys_in_the_environment_during_the_corpus() -> None:
    assert not any(name.endswith("_API_KEY") for name in os.environ)
