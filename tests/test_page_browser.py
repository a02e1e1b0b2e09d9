"""The HTML page in headless Chromium: no horizontal scroll on a phone (390 px) or a laptop
(1280 px), nothing active in hostile text, dark mode, and a screenshot at each width; for a
comparison and for a review of one tool.

These tests need Chromium (`apt-get install -y chromium`; CI installs it) and fail without it.
Set PANEL_SHOTS=<folder> to keep the screenshots.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest

from panel.inputs.loading import load_personas, load_tool_card
from panel.models import Record
from panel.report.render import render_html
from tests.conftest import EXAMPLES
from tests.records import hostile_record, hostile_review, offline_record
from tests.support.browser import measure, screenshot

WIDTHS = [390, 1280]
KINDS = ["offline", "hostile", "review", "hostile-review"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    personas = load_personas()
    cards = [
        load_tool_card(EXAMPLES / "claude-api-streaming-caching.toml"),
        load_tool_card(EXAMPLES / "modal-gpu-inference.toml"),
    ]
    folder = tmp_path_factory.mktemp("records")
    records: dict[str, Record] = {
        "offline": offline_record(personas, cards, folder),
        "hostile": hostile_record(personas, cards, folder),
        "review": offline_record(personas, [load_tool_card(EXAMPLES / "claw-code.toml")], folder),
        "hostile-review": hostile_review(personas, cards[0], folder),
    }
    return {name: render_html(record) for name, record in records.items()}


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def measured(
    pages: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, int], dict[str, Any]]:
    return measure(pages, WIDTHS, tmp_path_factory.mktemp("measure"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_scroll_at_390_and_1280(
    measured: dict[tuple[str, int], dict[str, Any]], kind: str, width: int
) -> None:
    page = measured[(kind, width)]
    assert page["innerWidth"] == width
    assert page["scrollWidth"] <= page["innerWidth"], f"{kind} at {width}px: {page['wide']}"
    assert page["wide"] == []
    assert page["scrollHeight"] > 1000  # the page rendered, with its content


def test_hostile_text_is_inert_and_markdown_is_rendered(
    measured: dict[tuple[str, int], dict[str, Any]],
) -> None:
    page = measured[("hostile", 390)]
    assert page["scripts"] == 0 and page["images"] == 0
    assert page["links"] and all(link.startswith(("https://", "http://")) for link in page["links"])
    assert page["code"] > 20 and page["strong"] > 20  # `code` and **bold** rendered, not literal
    assert page["details"] == 14  # beats and competitors under each of the 14 answered quotes
    review = measured[("hostile-review", 390)]
    assert review["scripts"] == 0 and review["images"] == 0
    assert review["details"] == 4  # five reviewers, one verdict missing


def test_dark_mode_follows_the_system(
    pages: dict[str, str], measured: dict[tuple[str, int], dict[str, Any]], tmp_path: Path
) -> None:
    light = measured[("offline", 390)]["background"]
    dark = measure({"offline": pages["offline"]}, [390], tmp_path, dark=True)
    background = dark[("offline", 390)]["background"]
    channels = [int(c) for c in background.removeprefix("rgb(").removesuffix(")").split(",")]
    assert background != light and sum(channels) < 150


@pytest.mark.parametrize("kind", KINDS)
def test_screenshots_at_both_widths(pages: dict[str, str], kind: str, tmp_path: Path) -> None:
    keep = os.environ.get("PANEL_SHOTS")
    for width, height in ((390, 1800), (1280, 1100)):
        shot = screenshot(pages[kind], width, height, tmp_path / f"{kind}-{width}.png")
        assert _png_size(shot) == (width, height)
        assert shot.stat().st_size > 20_000  # a blank page compresses to a few kB
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(keep) / shot.name)
