"""The editor's loop: overrides.toml and community votes, applied by `panel render`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from tests.conftest import EXAMPLES

PAIR = str(EXAMPLES / "claude-api-vs-modal.toml")
MODAL = "modal-gpu-inference"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    out = tmp_path / "run"
    assert main(["run", PAIR, "--out", str(out), "--offline-delay", "0", "--quiet"]) == 0
    return (out / "latest").resolve()  # the run's own folder


def record_of(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "record.json").read_text())
    return data


def cell(record: dict[str, object], persona: str, tool: str) -> dict[str, object]:
    cells: list[dict[str, object]] = record["cells"]  # type: ignore[assignment]
    return next(c for c in cells if c["persona"] == persona and c["tool"] == tool)


def summary(record: dict[str, object], tool: str) -> dict[str, object]:
    tools: list[dict[str, object]] = record["aggregates"]["tools"]  # type: ignore[index]
    return next(s for s in tools if s["tool"] == tool)


def flip_of(verdict: object) -> str:
    return "skip" if verdict == "ship" else "ship"


def write_override(folder: Path, body: str) -> None:
    (folder / "overrides.toml").write_text(body, encoding="utf-8")


def test_render_applies_an_override_and_keeps_the_models_original(
    run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import panel.providers.registry as registry

    monkeypatch.setattr(registry, "build_provider", lambda *a, **k: pytest.fail("model called"))
    before = record_of(run_dir)
    original = cell(before, "skeptic", MODAL)["verdict"]
    assert isinstance(original, dict)
    new_verdict = flip_of(original["verdict"])
    write_override(
        run_dir,
        f'[[override]]\ntool = "{MODAL}"\npersona = "skeptic"\nverdict = "{new_verdict}"\n'
        'score = 9\nquote = "An edited quote <b>kept as text</b>."\n'
        'editor = "Ana <i>"\nreason = "confirmed with the vendor"\n',
    )
    assert main(["render", str(run_dir)]) == 0

    after = record_of(run_dir)
    edited = cell(after, "skeptic", MODAL)
    assert edited["verdict"] == original  # the model's own output, untouched
    assert edited["override"] == {
        "tool": MODAL, "persona": "skeptic", "verdict": new_verdict, "score": 9,
        "quote": "An edited quote <b>kept as text</b>.", "editor": "Ana <i>",
        "reason": "confirmed with the vendor",
    }  # fmt: skip
    ships_before = summary(before, MODAL)["ships"]
    assert isinstance(ships_before, int)
    assert summary(after, MODAL)["ships"] == ships_before + (1 if new_verdict == "ship" else -1)
    assert after["run_id"] == before["run_id"] and after["created_at"] == before["created_at"]

    html = (run_dir / "panel.html").read_text()
    assert "edited by Ana &lt;i&gt;: confirmed with the vendor" in html
    assert "An edited quote &lt;b&gt;kept as text&lt;/b&gt;." in html and "<i>" not in html
    assert html.count('class="edited"') == 1
    markdown = (run_dir / "panel.md").read_text()
    assert "*edited by Ana \\<i\\>: confirmed with the vendor*" in markdown
    assert f"{new_verdict.upper()} 9/10" in markdown


def test_removing_the_override_restores_the_models_cell(run_dir: Path) -> None:
    before = record_of(run_dir)
    original = cell(before, "builder", MODAL)["verdict"]
    assert isinstance(original, dict)
    write_override(
        run_dir,
        f'[[override]]\ntool = "{MODAL}"\npersona = "builder"\n'
        f'verdict = "{flip_of(original["verdict"])}"\neditor = "Ana"\nreason = "typo"\n',
    )
    assert main(["render", str(run_dir / "record.json")]) == 0
    assert summary(record_of(run_dir), MODAL) != summary(before, MODAL)
    (run_dir / "overrides.toml").unlink()
    assert main(["render", str(run_dir)]) == 0
    restored = record_of(run_dir)
    assert summary(restored, MODAL) == summary(before, MODAL)
    assert cell(restored, "builder", MODAL)["override"] is None
    assert "edited by" not in (run_dir / "panel.html").read_text()


def test_render_derives_the_numbers_from_the_edited_cells_once(
    run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import panel.record.consensus as consensus

    lent: list[object] = []  # each computation's stored statistics (None: all computed afresh)
    real = consensus.panel_statistics

    def counted(*args: Any, **options: Any) -> Any:
        lent.append(options.get("stored"))
        return real(*args, **options)

    monkeypatch.setattr(consensus, "panel_statistics", counted)
    write_override(
        run_dir,
        f'[[override]]\ntool = "{MODAL}"\npersona = "builder"\nscore = 2\n'
        'editor = "ed"\nreason = "checked"\n',
    )
    assert main(["render", str(run_dir)]) == 0
    assert lent == [None]


RENDER_PROBE = """
import sys
from panel.cli.entry import main
code = main(sys.argv[1:])
unused = {"rich", "anthropic", "openai", "httpx", "uvicorn", "starlette", "sqlalchemy", "tomllib",
          "panel.inputs", "panel.running", "panel.providers.registry", "panel.web.app"}
print(code, sorted(unused & set(sys.modules)), file=sys.__stdout__)
"""


def test_render_loads_only_what_rebuilding_pages_needs(run_dir: Path) -> None:
    """No model, server, rich console or TOML parser (no overrides.toml here): a process that
    rebuilds two pages starts nothing else."""
    command = [sys.executable, "-c", RENDER_PROBE, "render", str(run_dir)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.strip() == "0 []", done.stdout + done.stderr


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('score = 11\neditor = "A"\nreason = "r"', "override 1: score: Input should be less than"),
        ('score = "7"\neditor = "A"\nreason = "r"', "override 1: score: Input should be a valid"),
        ('verdict = "maybe"\neditor = "A"\nreason = "r"', "override 1: verdict: Input should be"),
        ('editor = "A"\nreason = "r"', "sets at least one of quote, verdict or score"),
        ('score = 5\nreason = "r"', "override 1: editor: Field required"),
        ('score = 5\neditor = "A"\nreason = "r"\nscroe = 4', "override 1: scroe: unknown field"),
    ],
)
def test_a_bad_override_is_one_line_naming_file_entry_and_field(
    run_dir: Path, capsys: pytest.CaptureFixture[str], entry: str, message: str
) -> None:
    write_override(run_dir, f'[[override]]\ntool = "{MODAL}"\npersona = "skeptic"\n{entry}\n')
    before = (run_dir / "panel.html").read_text()
    assert main(["render", str(run_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and "overrides.toml" in err
    assert (run_dir / "panel.html").read_text() == before  # nothing written


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('tool = "nope"\npersona = "skeptic"', "override 1: tool: 'nope' is not in this run"),
        (f'tool = "{MODAL}"\npersona = "nobody"', "override 1: persona: 'nobody' is not on"),
        (
            f'tool = "{MODAL}"\npersona = "skeptic"\nscore = 4\neditor = "B"\nreason = "r"\n'
            f'[[override]]\ntool = "{MODAL}"\npersona = "skeptic"',
            "override 2: skeptic × modal-gpu-inference is already edited",
        ),
    ],
)
def test_an_override_must_name_a_cell_of_the_run(
    run_dir: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    write_override(run_dir, f'[[override]]\n{body}\nscore = 5\neditor = "A"\nreason = "r"\n')
    assert main(["render", str(run_dir)]) == 2
    assert message in capsys.readouterr().err


def test_validate_checks_an_overrides_file_against_its_run(run_dir: Path) -> None:
    from panel.inputs.validate import validate_paths

    write_override(run_dir, '[[override]]\ntool = "x"\npersona = "skeptic"\nscore = 3\n'
                   'editor = "A"\nreason = "r"\n')  # fmt: skip
    problems, _ = validate_paths([run_dir])
    assert [(Path(p.file).name, p.field) for p in problems] == [
        ("overrides.toml: override 1", "tool")
    ]
    write_override(run_dir, f'[[override]]\ntool = "{MODAL}"\npersona = "skeptic"\nscore = 3\n'
                   'editor = "A"\nreason = "r"\n')  # fmt: skip
    assert main(["render", str(run_dir)]) == 0
    assert validate_paths([run_dir])[0] == []  # the edited aggregates agree with the edited cells


def test_render_refuses_a_folder_without_a_record(tmp_path: Path) -> None:
    assert main(["render", str(tmp_path)]) == 2


# ------------------------------------------------------------------ votes


def test_votes_from_csv_fill_the_community_column(run_dir: Path, tmp_path: Path) -> None:
    votes = tmp_path / "votes.csv"
    votes.write_text(f"tool,ship,skip,source,date\n{MODAL},12,3,reader poll,2026-11-30\n"
                     "some-other-tool,1,1,,\n")  # fmt: skip
    assert main(["render", str(run_dir), "--votes", str(votes)]) == 0
    html = (run_dir / "panel.html").read_text()
    assert "<b>12 ship / 3 skip (80%)</b><span>Community</span>" in html
    assert "<b>—</b><span>Community</span>" in html  # the other tool has no votes
    assert "| Community | — | 12 ship / 3 skip (80%) |" in (run_dir / "panel.md").read_text()
    stored = record_of(run_dir)["community_votes"]
    assert stored == {
        "claude-api-streaming-caching": None,
        MODAL: {
            "tool": MODAL,
            "ship": 12,
            "skip": 3,
            "source": "reader poll",
            "date": "2026-11-30",
        },
    }
    assert main(["render", str(run_dir)]) == 0  # a later render keeps the votes
    assert "12 ship / 3 skip (80%)" in (run_dir / "panel.html").read_text()


def test_votes_from_json_on_run(tmp_path: Path) -> None:
    votes = tmp_path / "votes.json"
    votes.write_text(json.dumps({"votes": [{"tool": MODAL, "ship": 1, "skip": 3}]}))
    out = tmp_path / "out"
    assert (
        main(["run", PAIR, "--out", str(out), "--offline-delay", "0", "--votes", str(votes)]) == 0
    )
    assert "1 ship / 3 skip (25%)" in (out / "latest" / "panel.html").read_text()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("v.csv", f"tool,ship,skip\n{MODAL},-1,3\n", "line 2: ship: '-1' is not a count"),
        ("v.csv", f"tool,ship,skip,note\n{MODAL},1,3,x\n", "line 1: unknown column 'note'"),
        ("v.csv", f"tool,ship\n{MODAL},1\n", "the header must name tool, ship and skip"),
        ("v.csv", f"tool,ship,skip\n{MODAL},1,3\n{MODAL},2,2\n", "line 3: tool:"),
        ("v.csv", f"tool,ship,skip\n{MODAL},1,3,9\n", "line 2: more fields than the header"),
        ("v.json", "[{", "not valid JSON"),
        ("v.json", '[{"tool": "a", "ship": true, "skip": 1}]', "entry 1: ship:"),
        ("v.json", '{"tool": "a"}', "expected a list"),
    ],
)
def test_bad_votes_are_one_line_and_stop_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    votes = tmp_path / name
    votes.write_text(text)
    out = tmp_path / "out"
    assert (
        main(["run", PAIR, "--out", str(out), "--offline-delay", "0", "--votes", str(votes)]) == 2
    )
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and name in err
    assert not out.exists()


def test_view_prints_the_page_path_when_there_is_no_browser(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["view", str(run_dir)]) == 0  # stdout is captured: not a terminal, no browser
    printed = Path(capsys.readouterr().out.strip())
    assert printed.name == "panel.html" and printed.is_file()
    assert printed.resolve() == next(run_dir.rglob("panel.html")).resolve()
    assert main(["view", str(run_dir.parent)]) == 2
