"""`panel validate` on good inputs, on a corpus of broken ones, and the committed schemas."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from panel.inputs.loading import load_personas
from panel.inputs.schema import default_schemas, schema_text
from panel.models import Persona
from tests.conftest import EXAMPLES, ROOT

BUILDER = (ROOT / "personas" / "builder.toml").read_text()
CARD = (EXAMPLES / "modal-gpu-inference.toml").read_text()
CELL = (ROOT / "prompts" / "cell.j2").read_text()


def test_the_shipped_inputs_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(ROOT / "personas"), str(EXAMPLES), str(ROOT / "prompts")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.strip().endswith("0 problems")


def test_committed_schemas_match_the_code() -> None:
    committed = ROOT / "schemas"
    expected = default_schemas(load_personas())
    assert sorted(p.name for p in committed.glob("*.json")) == sorted(expected)
    for name, schema in expected.items():
        assert (committed / name).read_text() == schema_text(schema), (
            "regenerate with: panel schema --write schemas"
        )


def _record_text(tmp_path: Path) -> str:
    from panel.inputs.loading import choose_personas, load_tool_card
    from panel.providers.offline import OfflineProvider
    from panel.running.orchestrator import RunOptions
    from panel.running.response_cache import ResponseStore
    from panel.running.runner import run_panel
    from tests.helpers import run, spec_for

    cards = [
        load_tool_card(EXAMPLES / "claw-code.toml"),
        load_tool_card(EXAMPLES / "modal-gpu-inference.toml"),
    ]
    spec = spec_for(choose_personas(load_personas(), None), cards)
    record = run(run_panel(spec, OfflineProvider(), ResponseStore(tmp_path / "c"), RunOptions()))
    return record.model_dump_json()


def _record_edit(edit: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    def apply(text: str) -> str:
        data = json.loads(text)
        edit(data)
        return json.dumps(data)

    return apply


def _drop_beat(data: dict[str, Any]) -> None:
    data["personas"][0]["beats"] = data["personas"][0]["beats"][:1]


def _verdict_without_beat(data: dict[str, Any]) -> None:
    beats = data["cells"][0]["verdict"]["beats"]
    beats.pop(next(iter(beats)))


def _wrong_ship(data: dict[str, Any]) -> None:
    data["aggregates"]["tools"][0]["ship_pct"] = 12.5


def _hidden_gap(data: dict[str, Any]) -> None:
    """A failed cell left out of the counts: the old arithmetic's 3 of 3 instead of 3 of 4."""
    data["cells"][0].update(status="failed", verdict=None, error="boom")
    data["complete"] = False


def _call_on_a_gap(data: dict[str, Any]) -> None:
    _hidden_gap(data)
    data["aggregates"]["overall"] = {"winner": data["tools"][0]["id"], "reason": "made up"}


def _wrong_total(data: dict[str, Any]) -> None:
    data["totals"]["cells"] = 99


def _lying_complete(data: dict[str, Any]) -> None:
    data["cells"][0]["status"] = "failed"
    data["cells"][0]["verdict"] = None


# (file name, content or transform of a template, expected reason in the one line)
CORPUS = [
    ("personas/builder.toml", "", "file is empty"),
    ("personas/builder.toml", b"\xc3\x28 = 1", "not valid UTF-8"),
    (
        "personas/builder.toml",
        BUILDER.replace('lens = "developer experience"\n', ""),
        "lens: Field required",
    ),
    (
        "personas/builder.toml",
        BUILDER.replace("low = 1\n", 'low = "1"\n', 1),
        "rubric.0.low: Input should be a valid integer",
    ),
    (
        "personas/builder.toml",
        BUILDER.replace('id = "weekend_test"', 'id = "Weekend Test"'),
        "beats.3.id: String should match pattern",
    ),
    (
        "personas/builder.toml",
        BUILDER.replace('id = "deciding_factor"', 'id = "dx_bet"'),
        "beat id repeated: dx_bet",
    ),
    (
        "personas/builder.toml",
        BUILDER.replace("high = 5", "high = 6"),
        "every score from 1 to 10 exactly once",
    ),
    (
        "personas/builder.toml",
        BUILDER.replace("low = 10\nhigh = 10", "low = 10\nhigh = 11"),
        "rubric.4.high",
    ),
    ("personas/builder.toml", "tone = 'grumpy'\n" + BUILDER, "tone: unknown field"),
    ("personas/builder.toml", 'id = "skeptic"\n' + BUILDER, "does not match the file name"),
    ("personas/builder.toml", BUILDER.replace("[[beats]]", "[[beat]]", 1), "beat: unknown field"),
    (
        "card.toml",
        CARD.replace('tagline = "', "tagline = 42 #"),
        "tagline: Input should be a valid string",
    ),
    (
        "card.toml",
        CARD.replace('[pricing]\nentry = "Paid"', '[pricing]\nprice = "Paid"'),
        "pricing.price: unknown field",
    ),
    ("card.toml", "name = \n", "not valid TOML"),
    ("card.toml", 'id = "../../etc/x"\n' + CARD, "id: String should match pattern"),
    (
        "card.toml",
        CARD.replace('name = "', 'name = "' + "N" * 300, 1),
        "name: String should have at most 200 characters",
    ),
    ("card.toml", "x = '" + "y" * 300_000 + "'\n", "the limit is"),
    ("panel.toml", "tools = []\n", "tools: List should have at least 1 item"),
    ("panel.toml", 'tools = ["nowhere.toml", "modal.toml"]\n', "tools: nowhere.toml: no such file"),
    (
        "panel.toml",
        'tools = ["a.toml", "b.toml"]\npersonas = ["builder", "ghost"]\n',
        "unknown persona 'ghost'",
    ),
    ("prompts/cell.j2", CELL.replace("persona.name", "persona.nickname"), "undefined variable"),
    ("prompts/cell.j2", CELL + "{% if %}", "template syntax error"),
    ("prompts/reask.j2", None, "template reask.j2 is missing"),
    ("record.json", "{not json", "not valid JSON"),
    (
        "record.json",
        _record_edit(lambda d: d.update(schema_version=7)),
        "schema_version: record is version 7",
    ),
    ("record.json", _record_edit(_wrong_ship), "ship_pct: is 12.5 but the verdicts give"),
    ("record.json", _record_edit(_wrong_total), "totals.cells: is 99 but there are 8"),
    (
        "record.json",
        _record_edit(_hidden_gap),
        "ship (1 missing)'",
    ),
    ("record.json", _record_edit(_call_on_a_gap), "aggregates.overall.winner: is"),
    ("record.json", _record_edit(_lying_complete), "complete: disagrees"),
    ("record.json", _record_edit(lambda d: d["cells"][0].update(status="maybe")), "cells.0.status"),
    ("record.json", _record_edit(_drop_beat), "personas.0.beats"),
    ("record.json", "[]", "a record is a JSON object"),
    ("record.json", _record_edit(_verdict_without_beat), "cells.0.verdict: beats."),
]


@pytest.mark.parametrize(
    ("name", "content", "reason"), CORPUS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CORPUS)]
)
def test_each_broken_input_gets_its_own_clear_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes | Callable[[str], str],
    reason: str,
) -> None:
    work = tmp_path / "work"
    shutil.copytree(ROOT / "prompts", work / "prompts")
    (work / "personas").mkdir()
    (work / "a.toml").write_text(CARD)
    (work / "b.toml").write_text((EXAMPLES / "claw-code.toml").read_text())
    (work / "modal.toml").write_text(CARD)
    target = work / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        target.unlink()
    elif callable(content):
        target.write_text(content(_record_text(tmp_path)))
    else:
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    checked = target if content is not None else target.parent
    code = main(["validate", str(checked)])
    out = capsys.readouterr().out
    problem_lines = out.strip().splitlines()[:-1]
    assert code == 2
    assert any(
        reason in line and (name.split("/")[-1] in line or "prompts" in line)
        for line in problem_lines
    ), out
    assert "Traceback" not in out


def test_breaking_any_shipped_persona_fails_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for source in sorted((ROOT / "personas").glob("*.toml")):
        copy = tmp_path / source.stem / "personas"
        shutil.copytree(ROOT / "personas", copy)
        text = source.read_text().replace("ship_when", "shipwhen", 1)
        (copy / source.name).write_text(text)
        assert main(["validate", str(copy)]) == 2
        out = capsys.readouterr().out
        assert f"{source.name}: shipwhen: unknown field" in out


def test_json_format_for_machines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "card.toml").write_text("name = 3\n")
    assert main(["validate", "--format", "json", str(tmp_path / "card.toml")]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["checked"] == 1
    assert report["problems"][0]["file"].endswith("card.toml")
    assert report["problems"][0]["field"] == "name"


def test_a_persona_whose_schema_strict_mode_rejects_is_caught(
    monkeypatch: pytest.MonkeyPatch, personas: dict[str, Persona]
) -> None:
    from panel.inputs import validate

    def loose(persona: Persona) -> dict[str, Any]:
        return {"type": "object", "properties": {"x": {"type": "string", "format": "email"}}}

    monkeypatch.setattr(validate, "persona_schema", loose)
    problems = validate.check_persona(personas["builder"])
    assert any("keyword 'format' is not accepted" in p.reason for p in problems)


def test_a_card_gets_every_problem_in_plain_words_and_web_links_only(tmp_path: Path) -> None:
    from panel.inputs.validate import validate_paths

    card = tmp_path / "odd.toml"
    card.write_text(
        'name = "Odd"\ncategory = "Dev"\ntagline = "t"\nscroe = 3\n[pricing]\nentry = 3\n'
        '[links]\nhomepage = "javascript:alert(1)"\ndocs = "https://example.com/docs"\n'
    )
    problems, checked = validate_paths([card])
    assert checked == 1
    assert sorted((p.field, p.reason) for p in problems) == [
        ("description", "Field required (this file must set it)"),
        ("pricing.entry", "Input should be a valid string, not 3"),
        ("scroe", "unknown field (check its spelling)"),
    ]
    card.write_text(card.read_text().replace("scroe = 3\n", 'description = "d"\n').replace(
        "entry = 3", 'entry = "Free"'))  # fmt: skip
    problems, _ = validate_paths([card])
    assert [(p.field, p.reason) for p in problems] == [
        ("links.homepage", "'javascript:alert(1)' is not an http(s) link (http:// or https://)")
    ]


def test_a_persona_gets_every_problem_listed(tmp_path: Path) -> None:
    from panel.inputs.validate import validate_paths

    folder = tmp_path / "personas"
    folder.mkdir()
    text = (ROOT / "personas" / "skeptic.toml").read_text()
    text = text.replace('ship_when = "', 'ship_wen = "', 1).replace('name = "', 'nmae = "', 1)
    (folder / "skeptic.toml").write_text(text)
    problems, _ = validate_paths([folder])
    fields = {p.field for p in problems}
    assert {"ship_wen", "nmae", "ship_when", "name"} <= fields
