"""`panel digest`: a static site of runs with an index, a weekly page and a valid Atom feed."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from panel.cli import main
from tests.conftest import EXAMPLES

A = "{http://www.w3.org/2005/Atom}"
PAIR = str(EXAMPLES / "claude-api-vs-modal.toml")
OTHER = str(EXAMPLES / "claw-code-vs-modal.toml")


def make_run(out: Path, inputs: str, *, days_ago: float = 0, hostile: bool = False) -> str:
    cache = str(out.parent / "cache")
    args = ["run", inputs, "--out", str(out), "--offline-delay", "0", "--cache-dir", cache]
    assert main(args) == 0
    record_path = next(out.rglob("record.json"))
    record = json.loads(record_path.read_text())
    created = datetime.now(UTC) - timedelta(days=days_ago)
    record["created_at"] = created.isoformat()
    if hostile:
        record["title"] = "Evil </title><script>alert(1)</script> \x1b[31m & co"
        record["tools"][0]["name"] = "<img src=x onerror=alert(1)>\x07"
    record_path.write_text(json.dumps(record))
    return str(record["run_id"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("runs") / "panel-out"
    old = make_run(root / "old", PAIR, days_ago=20)
    new = make_run(root / "new", OTHER, days_ago=1)
    hostile = make_run(root / "hostile", PAIR, days_ago=2, hostile=True)
    return root, [new, hostile, old]  # newest first


@pytest.fixture
def runs(built: tuple[Path, list[str]], tmp_path: Path) -> tuple[Path, list[str]]:
    """A copy of the module's runs, for this test to change."""
    root, run_ids = built
    shutil.copytree(root, tmp_path / "panel-out", symlinks=True)
    return tmp_path / "panel-out", run_ids


def test_digest_builds_index_weekly_page_and_run_pages(
    runs: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, (new, hostile, old) = runs
    site = tmp_path / "site"
    assert main(["digest", str(root), "--out", str(site)]) == 0
    index = (site / "index.html").read_text()
    positions = [index.index(f'href="runs/{run_id}.html"') for run_id in (new, hostile, old)]
    assert positions == sorted(positions)  # newest first, every run
    assert index.count("offline:offline") == 3 and "<td>" in index
    weekly = (site / "digest.html").read_text()
    assert f"runs/{new}.html" in weekly and f"runs/{hostile}.html" in weekly
    assert f"runs/{old}.html" not in weekly  # 20 days ago: outside the 7-day default
    for run_id in (new, hostile, old):
        assert "<!DOCTYPE html>" in (site / "runs" / f"{run_id}.html").read_text()
    assert main(["digest", str(root), "--out", str(site), "--since", "3w"]) == 0
    assert f"runs/{old}.html" in (site / "digest.html").read_text()


def test_untrusted_text_is_escaped_in_every_page(
    runs: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = runs
    site = tmp_path / "site"
    assert main(["digest", str(root), "--out", str(site)]) == 0
    for page in ("index.html", "digest.html"):
        text = (site / page).read_text()
        assert "<script>" not in text and "<img" not in text and "\x1b" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text or "&lt;script&gt;" in text
    feed = ET.parse(site / "feed.xml").getroot()  # control characters would make this fail
    titles = [e.findtext(f"{A}title") or "" for e in feed.iter(f"{A}entry")]
    assert any("<script>alert(1)</script>" in title for title in titles)  # as text, not markup


def test_feed_is_atom_with_stable_ids_and_updated_times(
    runs: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, (new, hostile, _old) = runs
    site = tmp_path / "site"
    args = ["digest", str(root), "--out", str(site), "--site-url", "https://news.example/panel/"]
    assert main(args) == 0
    first = (site / "feed.xml").read_bytes()
    feed = ET.fromstring(first)
    assert feed.tag == f"{A}feed"
    for required in ("id", "title", "updated"):
        assert (feed.findtext(f"{A}{required}") or "").strip()
    assert feed.findtext(f"{A}author/{A}name") == "panel"
    assert feed.find(f"{A}link[@rel='self']").get("href") == "https://news.example/panel/feed.xml"  # type: ignore[union-attr]
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 2  # one per comparison run in the period
    ids = [e.findtext(f"{A}id") or "" for e in entries]
    assert ids[0].startswith("tag:panel,") and ids[0].endswith(f":run/{new}")
    assert ids[1].endswith(f":run/{hostile}") and len(set(ids)) == 2
    for entry in entries:
        datetime.fromisoformat((entry.findtext(f"{A}updated") or "").replace("Z", "+00:00"))
        link = entry.find(f"{A}link[@rel='alternate']")
        assert link is not None and link.get("href", "").startswith(
            "https://news.example/panel/runs/"
        )
        assert entry.findtext(f"{A}summary")
    assert feed.findtext(f"{A}updated") == entries[0].findtext(f"{A}updated")
    assert main(args) == 0
    assert (site / "feed.xml").read_bytes() == first  # a rebuild changes nothing: stable ids


def test_a_latest_pointer_is_not_a_second_run(runs: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, run_ids = runs
    os.symlink("new", root / "latest")
    site = tmp_path / "site"
    assert main(["digest", str(root), "--out", str(site)]) == 0
    assert len(list((site / "runs").iterdir())) == len(run_ids)
    assert (site / "index.html").read_text().count('href="runs/') == len(run_ids)


def test_digest_never_replaces_a_folder_it_did_not_build(
    runs: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = runs
    site = tmp_path / "mine"
    site.mkdir()
    (site / "notes.txt").write_text("keep me")
    assert main(["digest", str(root), "--out", str(site)]) == 2
    assert "panel did not write" in capsys.readouterr().err
    assert [p.name for p in site.iterdir()] == ["notes.txt"]
    assert main(["digest", str(root), "--out", str(site / "notes.txt")]) == 2


@pytest.mark.parametrize("since", ["0d", "7", "seven days", "-1d"])
def test_a_bad_period_is_one_line(
    runs: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str], since: str
) -> None:
    root, _ = runs
    assert main(["digest", str(root), "--out", str(tmp_path / "s"), "--since", since]) == 2
    assert "--since" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
