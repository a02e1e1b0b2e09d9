from __future__ import annotations

from pathlib import Path

import pytest

from panel.errors import InputError
from panel.inputs.loading import (
    choose_personas,
    load_comparison,
    load_persona,
    load_personas,
    load_tool_card,
)
from tests.conftest import EXAMPLES, ROOT


def test_every_example_card_and_persona_loads() -> None:
    cards = [load_tool_card(p) for p in EXAMPLES.glob("*.toml") if "-vs-" not in p.name]
    assert {c.id for c in cards} == {
        "claude-api-streaming-caching",
        "modal-gpu-inference",
        "claw-code",
    }
    personas = load_personas()
    assert set(personas) == {"builder", "skeptic", "futurist", "business-analyst", "indie-creator"}


def test_default_panel_is_the_four_reviewers_in_seating_order() -> None:
    chosen = choose_personas(load_personas(), None)
    assert [p.id for p in chosen] == ["builder", "skeptic", "futurist", "business-analyst"]


def test_panel_file_resolves_cards_relative_to_itself() -> None:
    panel, cards = load_comparison([EXAMPLES / "claw-code-vs-modal.toml"])
    assert [c.id for c in cards] == ["claw-code", "modal-gpu-inference"]
    assert panel.personas == ["builder", "skeptic", "futurist", "indie-creator"]


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


CARD = (EXAMPLES / "modal-gpu-inference.toml").read_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "file is empty"),
        (b"\xff\xfe name", "not valid UTF-8"),
        ("name = ", "not valid TOML"),
        (CARD.replace('name = "Modal GPU Serverless Inference"\n', ""), "name: Field required"),
        (
            CARD.replace('category = "Developer Tools"', "category = 7"),
            "category: Input should be a valid string",
        ),
        ("mood = 'happy'\n" + CARD, "mood: unknown field"),
        (CARD.replace('entry = "Paid"', 'entry = ""'), "pricing.entry"),
        ('id = "../../etc/x"\n' + CARD, "id: String should match pattern"),
        (
            CARD.replace(
                "[links]\n",
                "[links]\n" + "".join(f'l{i} = "https://e.test/{i}"\n' for i in range(20)),
            ),
            "links: Dictionary should have at most 20 items",
        ),
    ],
)
def test_broken_cards_name_file_and_field(tmp_path: Path, text: str | bytes, expected: str) -> None:
    path = _write(tmp_path, "card.toml", text)
    with pytest.raises(InputError) as caught:
        load_tool_card(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.toml", "x = '" + "a" * 300_000 + "'\n")
    with pytest.raises(InputError, match="limit"):
        load_tool_card(path)


PERSONA = (ROOT / "personas" / "builder.toml").read_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            PERSONA.replace('id = "deciding_factor"', 'id = "primitive"'),
            "beat id repeated: primitive",
        ),
        (PERSONA.replace("low = 10\nhigh = 10", "low = 9\nhigh = 10"), "every score from 1 to 10"),
        (PERSONA.replace('lens = "developer experience"\n', ""), "lens: Field required"),
        (PERSONA.replace("default_panel = true", 'default_panel = "yes"'), "default_panel"),
    ],
)
def test_broken_personas_name_the_field(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, "builder.toml", text)
    with pytest.raises(InputError, match=expected):
        load_persona(path)


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ([], "at least one"),
        (["builder", "builder"], "named twice"),
        (["nobody"], "unknown persona 'nobody'"),
    ],
)
def test_bad_persona_choices(wanted: list[str], expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        choose_personas(load_personas(), wanted)


def test_one_card_is_a_review_and_a_comparison_needs_distinct_tools(tmp_path: Path) -> None:
    panel, cards = load_comparison([EXAMPLES / "claw-code.toml"])
    assert [card.id for card in cards] == ["claw-code"] and panel.tools == [
        str(EXAMPLES / "claw-code.toml")
    ]
    assert cards[0].competitors == ["Claude Code", "Aider", "OpenHands"]  # the card's rivals
    (tmp_path / "one.toml").write_text(f'title = "One"\ntools = ["{EXAMPLES}/claw-code.toml"]\n')
    panel, cards = load_comparison([tmp_path / "one.toml"])  # a panel file naming one card
    assert (panel.title, [card.id for card in cards]) == ("One", ["claw-code"])
    with pytest.raises(InputError, match="appears twice"):
        load_comparison([EXAMPLES / "claw-code.toml", EXAMPLES / "claw-code.toml"])


def test_personas_dir_adds_to_the_built_in_personas_and_replaces_by_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from panel.cli import main
    from panel.inputs.loading import load_personas

    folder = tmp_path / "mine"
    folder.mkdir()
    builder = (ROOT / "personas" / "builder.toml").read_text()
    (folder / "my-reviewer.toml").write_text(builder.replace("default_panel = true", ""))
    (folder / "skeptic.toml").write_text(
        (ROOT / "personas" / "skeptic.toml").read_text().replace('name = "', 'name = "Local ', 1)
    )
    (folder / "futurist.toml").write_text((ROOT / "personas" / "futurist.toml").read_text())
    personas = load_personas(folder)
    assert {"builder", "skeptic", "my-reviewer", "business-analyst"} <= set(personas)
    assert personas["skeptic"].name.startswith("Local ")
    args = ["run", str(ROOT / "examples" / "claude-api-vs-modal.toml"), "--offline-delay", "0"]
    args += ["--personas-dir", str(folder), "--personas", "builder,my-reviewer,skeptic"]
    assert main([*args, "--out", str(tmp_path / "o")]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "replaces" in line]
    assert notes == [f"note: {folder}/skeptic.toml replaces the built-in persona 'skeptic'"]
