"""The analyst's habits: models by bare name, config defaults, `panel models`, N-way diff, gates."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from panel.cli import main
from panel.errors import InputError
from panel.providers.registry import choose_model
from tests.conftest import EXAMPLES

PAIR = str(EXAMPLES / "claude-api-vs-modal.toml")
COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;)")


def run_model(tmp_path: Path, *flags: str, name: str = "out") -> dict[str, object]:
    out = tmp_path / name
    assert main(["run", PAIR, "--out", str(out), "--offline-delay", "0", *flags]) == 0
    data: dict[str, object] = json.loads(next(out.rglob("record.json")).read_text())
    return data


def model_of(record: dict[str, object]) -> str:
    model = record["model"]
    assert isinstance(model, dict)
    return f"{model['provider']}:{model['model']}"


@pytest.mark.parametrize(
    ("spec", "provider", "model"),
    [
        ("gpt-5-mini", "openai", "gpt-5-mini"),
        ("claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"),
        ("o3-mini", "openai", "o3-mini"),
        ("anthropic:claude-haiku-4-5", "anthropic", "claude-haiku-4-5"),
        ("openai", "openai", "gpt-5-mini"),
        ("offline", "offline", "offline"),
        ("offline:second-opinion", "offline", "second-opinion"),
    ],
)
def test_a_bare_model_name_infers_its_provider(spec: str, provider: str, model: str) -> None:
    choice = choose_model(spec, {})
    assert (choice.provider, choice.model) == (provider, model)


def test_an_unknown_bare_name_says_how_to_name_the_provider() -> None:
    with pytest.raises(InputError, match="write anthropic:llama3 or openai:llama3"):
        choose_model("llama3", {})


def test_offline_variants_are_distinct_reviewers(tmp_path: Path) -> None:
    a = run_model(tmp_path, "-m", "offline", name="a")
    b = run_model(tmp_path, "-m", "offline:b", name="b")
    assert model_of(a) == "offline:offline" and model_of(b) == "offline:b"
    cells_a, cells_b = a["cells"], b["cells"]
    assert isinstance(cells_a, list) and isinstance(cells_b, list)
    assert [c["verdict"] for c in cells_a] != [c["verdict"] for c in cells_b]


def test_model_precedence_flag_env_config_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.panel]\nmodel = "offline:from-config"\nconcurrency = 3\n'
    )
    record = run_model(tmp_path, name="config")
    assert model_of(record) == "offline:from-config"
    assert record["settings"]["concurrency"] == 3  # type: ignore[index]
    assert "pyproject.toml [tool.panel])" in capsys.readouterr().err.splitlines()[0]
    monkeypatch.setenv("PANEL_MODEL", "offline:from-env")
    assert model_of(run_model(tmp_path, name="env")) == "offline:from-env"
    assert "(from PANEL_MODEL)" in capsys.readouterr().err
    assert model_of(run_model(tmp_path, "-m", "offline:flag", name="flag")) == "offline:flag"
    record = run_model(tmp_path, "--concurrency", "5", name="flag2")
    assert record["settings"]["concurrency"] == 5  # type: ignore[index]
    (tmp_path / "panel.toml").write_text('model = "offline:own-file"\n')
    monkeypatch.delenv("PANEL_MODEL")
    assert model_of(run_model(tmp_path, name="own")) == "offline:own-file"  # panel.toml first


def test_a_bad_config_is_one_line_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "panel.toml").write_text("concurency = 3\n")
    assert main(["run", PAIR, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert "panel.toml: concurency: unknown field" in err and len(err.splitlines()) == 1


def test_models_lists_prices_cache_minimums_and_capabilities(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["models", "--format", "json"]) == 0
    rows = {row["model"]: row for row in json.loads(capsys.readouterr().out)}
    mini = rows["openai:gpt-5-mini"]
    assert mini["price_per_million"]["input"] == 0.25 and mini["cache_minimum_tokens"] == 1024
    assert rows["anthropic:claude-haiku-4-5"]["cache_minimum_tokens"] == 4096
    assert "prompt cache" in rows["anthropic:claude-sonnet-4-5"]["capabilities"]
    assert rows["offline:offline"]["price_per_million"] is None
    assert main(["models"]) == 0
    assert re.search(r"openai:gpt-5-mini\s+│ \$0\.25\s+│ \$2 ", capsys.readouterr().out)


# ------------------------------------------------------------------ diff


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("runs")
    folders = []
    for model in ("offline", "offline:b", "offline:c"):
        out = root / model.replace(":", "-")
        args = ["run", PAIR, "--out", str(out), "--offline-delay", "0", "-m", model]
        assert main([*args, "--cache-dir", str(root / "cache")]) == 0
        folders.append(next(out.rglob("record.json")))
    return folders


def verdicts(path: Path) -> dict[tuple[str, str], str]:
    record = json.loads(path.read_text())
    return {(c["persona"], c["tool"]): c["verdict"]["verdict"] for c in record["cells"]}


def test_diff_of_several_runs_is_a_model_by_cell_matrix(
    three_runs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", *map(str, three_runs), "--format", "json"]) == 0
    matrix = json.loads(capsys.readouterr().out)
    base = verdicts(three_runs[0])
    expected = [sum(v != base[k] for k, v in verdicts(p).items()) for p in three_runs]
    assert matrix["flips_per_run"] == expected and expected[1] > 0
    assert [r["model"] for r in matrix["runs"]] == ["offline:offline", "offline:b", "offline:c"]
    assert [(p["a"], p["b"]) for p in matrix["pairs"]] == [(0, 1), (0, 2), (1, 2)]
    first_pair = matrix["pairs"][0]
    same = sum(base[k] == v for k, v in verdicts(three_runs[1]).items()) / len(base)
    assert first_pair["same_verdict_share"] == round(same, 4)
    for row in matrix["rows"]:
        for index, cell in enumerate(row["verdicts"]):
            key = (row["persona"], row["tool"])
            assert cell["verdict"] == verdicts(three_runs[index])[key]
            assert cell["flipped"] == (cell["verdict"] != base[key])
    assert main(["diff", *map(str, three_runs), "--format", "md"]) == 0
    markdown = capsys.readouterr().out
    assert "| persona | tool | A | B | C |" in markdown and "⇄**" in markdown


def test_gates_exit_non_zero_on_a_flip_or_a_new_winner(
    three_runs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, c = map(str, three_runs)
    assert main(["diff", a, a, "--fail-on-flip", "--fail-on-winner-change"]) == 0
    assert main(["diff", a, b, "--fail-on-flip"]) == 3
    assert "flipped" in capsys.readouterr().err
    winners = [
        json.loads(Path(p).read_text())["aggregates"]["overall"]["winner"] for p in (a, b, c)
    ]
    changed = any(w != winners[0] for w in winners[1:])
    assert main(["diff", a, b, c, "--fail-on-winner-change"]) == (4 if changed else 0)
    assert changed  # the offline variants disagree on the winner: the gate is exercised
    assert main(["diff", a]) == 2


def colour_run(args: list[str], **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(env, COLUMNS="200")
    result = subprocess.run([sys.executable, "-m", "panel", *args], capture_output=True,
                            text=True, env=environment, timeout=60)  # fmt: skip
    return result.stdout


def test_flips_are_marked_by_a_symbol_and_no_color_is_respected(three_runs: list[Path]) -> None:
    a, b = map(str, three_runs[:2])
    coloured = colour_run(["diff", a, b], FORCE_COLOR="1")
    assert COLOUR.search(coloured) and "⇄ flipped" in coloured
    plain = colour_run(["diff", a, b], FORCE_COLOR="1", NO_COLOR="1")
    assert not COLOUR.search(plain) and "⇄ flipped" in plain
    assert plain.count("⇄ flipped") == coloured.count("⇄ flipped") > 0


def test_runs_as_json_lists_every_run_oldest_first(
    three_runs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = three_runs[0].parent
    while not all(root in path.parents for path in three_runs):
        root = root.parent
    assert main(["runs", str(root), "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    ids = {json.loads(path.read_text())["run_id"] for path in three_runs}
    assert {run["run_id"] for run in runs} == ids and len(runs) == 3
    assert [run["created_at"] for run in runs] == sorted(run["created_at"] for run in runs)
    first = next(run for run in runs if run["model"] == "offline:offline")
    record = json.loads(three_runs[0].read_text())
    assert first["winner"] == record["aggregates"]["overall"]["winner"]
    assert [t["ship_pct"] for t in first["tools"]] == [
        t["ship_pct"] for t in record["aggregates"]["tools"]
    ]
