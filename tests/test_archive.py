"""A publication's archive (issue 25): the digest rebuilds only what changed and swaps the site
in whole; `panel runs` reads what it lists, not whole records; plain text skips Markdown."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from panel.cli import main
from panel.record import store
from panel.report import digest, markup, render, site_swap
from tests.test_digest import OTHER, PAIR, make_run


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("archive") / "panel-out"
    make_run(root / "a", PAIR, days_ago=20)
    make_run(root / "b", OTHER, days_ago=1)
    return root


@pytest.fixture
def runs(archive: Path, tmp_path: Path) -> Path:
    shutil.copytree(archive, tmp_path / "panel-out", symlinks=True)
    return tmp_path / "panel-out"


def _count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    real = render.render_html

    def counting(record: Any, live: Any = None) -> str:
        rendered.append(record.run_id)
        return str(real(record, live))

    monkeypatch.setattr(digest, "render_html", counting)
    return rendered


def _whole_site(site: Path) -> set[str]:
    """The runs a reader finds linked from the index, each page there in full; fails otherwise."""
    assert (site / digest.MARKER).is_file() and (site / digest.MANIFEST).is_file()
    index = (site / "index.html").read_text()
    pages = set(re.findall(r'href="(runs/[^"]+\.html)"', index))
    for page in pages:
        assert (site / page).read_text().rstrip().endswith("</html>"), page
    assert (site / "feed.xml").read_text().startswith("<?xml")
    return pages


def test_a_second_digest_renders_only_the_new_run(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    rendered = _count_renders(monkeypatch)
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    assert len(rendered) == 2
    first = {p.name: p.stat().st_ino for p in (site / "runs").iterdir()}
    new = make_run(runs / "c", PAIR, days_ago=0)
    rendered.clear()
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    assert rendered == [new]
    after = {p.name: p.stat().st_ino for p in (site / "runs").iterdir()}
    assert {name: after[name] for name in first} == first  # the same files, carried over
    assert len(_whole_site(site)) == 3
    assert new in (site / "index.html").read_text() and new in (site / "feed.xml").read_text()


def test_a_changed_record_is_rendered_again_and_a_removed_one_leaves(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    changed = next((runs / "a").rglob("record.json"))
    record = json.loads(changed.read_text())
    record["tools"][0]["name"] = "Renamed by the editor"
    changed.write_text(json.dumps(record))
    shutil.rmtree(runs / "b")
    rendered = _count_renders(monkeypatch)
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    assert rendered == [record["run_id"]]
    assert _whole_site(site) == {f"runs/{record['run_id']}.html"}
    assert "Renamed by the editor" in (site / "runs" / f"{record['run_id']}.html").read_text()
    assert "Renamed by the editor" in (site / "index.html").read_text()
    assert len(list((site / "runs").iterdir())) == 1


def test_a_new_release_or_a_damaged_manifest_rebuilds_every_page(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    rendered = _count_renders(monkeypatch)
    monkeypatch.setattr(digest, "built_by", lambda live=None: "panel 99; templates other")
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    assert len(rendered) == 2
    rendered.clear()
    (site / digest.MANIFEST).write_text('{"version": 1, "built_by": 3}')
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    assert len(rendered) == 2 and len(_whole_site(site)) == 2


def test_staging_folders_are_never_runs(runs: Path, tmp_path: Path) -> None:
    """A run being written (output.py's hidden staging) or a digest's own staging folder."""
    real = next((runs / "a").rglob("record.json"))
    for hidden in (runs / "a" / ".2026-x.staging-abc", runs / ".site.new-xyz" / "runs"):
        hidden.mkdir(parents=True)
        record = json.loads(real.read_text())
        record["run_id"] = "staged"
        (hidden / "record.json").write_text(json.dumps(record))
    site = tmp_path / "site"
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    assert "staged" not in (site / "index.html").read_text()
    assert len(_whole_site(site)) == 2


class Reader:
    """Someone opening the site at every step of a build: always the old site or the new one."""

    def __init__(self, site: Path, before: set[str], after: set[str]) -> None:
        self.site, self.allowed, self.checks = site, (before, after), 0

    def look(self) -> None:
        assert _whole_site(self.site) in self.allowed
        self.checks += 1


STEPS = [(os, "rename"), (os, "replace"), (os, "link"), (shutil, "rmtree"), (os, "mkdir")]


def _watch(monkeypatch: pytest.MonkeyPatch, before_each: Any) -> None:
    for module, name in STEPS:
        real = getattr(module, name)

        def watched(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            before_each()
            result = _real(*args, **kwargs)
            before_each()
            return result

        monkeypatch.setattr(module, name, watched)
    real_exchange = site_swap._renameat2

    def exchange(*args: Any) -> bool:
        before_each()
        done = real_exchange(*args)
        before_each()
        return bool(done)

    monkeypatch.setattr(site_swap, "_renameat2", exchange)


@pytest.mark.parametrize("exchange", ["renameat2", "fallback"])
def test_a_reader_sees_the_old_site_or_the_new_one_at_every_step(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: str
) -> None:
    if exchange == "fallback":  # a system without RENAME_EXCHANGE
        monkeypatch.setattr(site_swap, "_renameat2", lambda first, second: False)
    site = tmp_path / "site"
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    before = _whole_site(site)
    new = make_run(runs / "c", PAIR, days_ago=0)
    reader = Reader(site, before, {*before, f"runs/{new}.html"})
    if exchange == "renameat2":
        _watch(monkeypatch, reader.look)
        assert main(["digest", str(runs), "--out", str(site)]) == 0
        assert reader.checks >= 8
    else:  # renames are not atomic together: a reader may find the site briefly aside
        assert main(["digest", str(runs), "--out", str(site)]) == 0
    assert _whole_site(site) == reader.allowed[1]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]  # nothing left


class Killed(BaseException):
    """The process dies here: nothing after this step runs (no clean-up either)."""


KILL_POINTS = [
    (os, "rename"),
    (os, "link"),
    (shutil, "rmtree"),
    (site_swap, "_renameat2"),
    (site_swap, "write_file"),
    (digest, "write_file"),
]


@pytest.mark.parametrize("exchange", ["renameat2", "fallback"])
def test_a_build_killed_at_any_step_leaves_a_whole_site(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: str
) -> None:
    if exchange == "fallback":
        monkeypatch.setattr(site_swap, "_renameat2", lambda first, second: False)
    site = tmp_path / "site"
    assert main(["digest", str(runs), "--out", str(site)]) == 0
    before = _whole_site(site)
    new = make_run(runs / "c", PAIR, days_ago=0)
    after = {*before, f"runs/{new}.html"}
    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: None)  # a killed build cleans nothing
    reals = {(module, name): getattr(module, name) for module, name in KILL_POINTS}
    calls, kill_at, seen = [0], [0], set()

    for (module, name), real in reals.items():

        def step(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            calls[0] += 1
            if calls[0] == kill_at[0]:
                raise Killed
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, step)
    while True:
        kill_at[0] += 1
        calls[0] = 0
        try:
            main(["digest", str(runs), "--out", str(site)])
        except Killed:
            with monkeypatch.context() as real_os:
                real_os.setattr(os, "rename", reals[(os, "rename")])
                site_swap.restore_retired(site, digest.MARKER)  # what the next build does first
            found = _whole_site(site)
            assert found in (before, after), f"killed at step {kill_at[0]}"
            seen.add(frozenset(found))
            continue
        break
    assert _whole_site(site) == after
    assert kill_at[0] > 8 and frozenset(before) in seen  # killed before and after the swap


def test_panel_runs_reads_summaries_not_whole_records(
    runs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(path: Path) -> None:
        raise AssertionError("a whole record was validated to list it")

    monkeypatch.setattr(store, "load_record", refuse)
    naive = next((runs / "b").rglob("record.json"))
    record = json.loads(naive.read_text())
    record["created_at"] = "2026-11-01T10:00:00"  # no time zone: cannot be ordered with others
    naive.write_text(json.dumps(record))
    assert main(["runs", str(runs), "--format", "json"]) == 0
    captured = capsys.readouterr()
    listed = json.loads(captured.out)
    assert [run["run_id"] for run in listed] != [] and len(listed) == 1
    assert listed[0]["tools"][0]["ship_pct"] is not None and listed[0]["cells"] == 8
    assert "skipped" in captured.err and "created_at" in captured.err
    assert main(["runs", str(runs)]) == 0


def test_panel_runs_json_is_one_line_for_a_program_and_indented_at_a_terminal(
    runs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", str(runs), "--format", "json"]) == 0
    piped = capsys.readouterr().out
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["runs", str(runs), "--format", "json"]) == 0
    shown = capsys.readouterr().out
    assert len(piped.splitlines()) == 1 and len(shown.splitlines()) > 10
    assert json.loads(piped) == json.loads(shown) and len(json.loads(piped)) == 2


def test_a_record_linked_from_another_run_folder_is_listed_once(
    runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs found by their real place: a link to a record another folder holds is that run."""
    record = next((runs / "a").rglob("record.json"))
    copy = runs / "linked" / "2026-11-02T100000Z-offline"
    copy.mkdir(parents=True)
    (copy / "record.json").symlink_to(record)
    assert main(["runs", str(runs), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 2


def test_plain_text_skips_the_markdown_parser_and_reads_the_same() -> None:
    alphabet = [*"ab XY 09.,;:'\"()[]!&#-+=/?é東\t\n*_`<>\\~|{}", "&amp;", "](", "[x](http://a.b)"]
    rng = random.Random(25)
    plain = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        line = " ".join(text.split())
        plain += markup._INLINE_SYNTAX.search(line) is None
        assert str(markup.html_inline(text)) == markup.parser().renderInline(line), text
    assert plain > 2_000  # the fast path was taken, and agreed


def test_page_templates_are_compiled_once_for_many_pages(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: str | None = None, *a: Any) -> Any:
        compiled.append(str(name))
        return real(self, source, name, *a)

    for letter in "cde":
        make_run(runs / letter, PAIR, days_ago=0)
    render._environment.cache_clear()
    digest._environment.cache_clear()
    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    assert main(["digest", str(runs), "--out", str(tmp_path / "site")]) == 0
    assert compiled.count("page.html.j2") == 1 and len(compiled) == len(set(compiled))


def test_a_page_is_rendered_again_when_its_database_votes_or_the_vote_server_change(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_votes_cli import _cast, _run_id

    out = tmp_path / "runs" / "pair"
    assert main(["run", PAIR, "--out", str(out), "--offline-delay", "0", "--quiet"]) == 0
    run_id = _run_id((out / "latest").resolve())
    site, runs = tmp_path / "site", str(tmp_path / "runs")
    digest_command = ["digest", runs, "--out", str(site), "--db", db_url]
    _cast(db_url, run_id, [("a", "ship")])
    assert main(digest_command) == 0
    rendered = _count_renders(monkeypatch)
    assert main(digest_command) == 0
    assert rendered == []  # nothing moved: nothing rendered
    _cast(db_url, run_id, [("b", "ship")])
    assert main(digest_command) == 0
    assert rendered == [run_id]
    assert "2 ship / 0 skip (100%)" in (site / "runs" / f"{run_id}.html").read_text()
    assert main(digest_command) == 0
    assert rendered == [run_id]  # the votes counted once, not added again to the stored ones
    assert main([*digest_command, "--vote-server", "http://127.0.0.1:8765"]) == 0
    assert rendered == [run_id, run_id]
    assert "http://127.0.0.1:8765" in (site / "runs" / f"{run_id}.html").read_text()
