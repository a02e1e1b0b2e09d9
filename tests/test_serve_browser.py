"""The desk in headless Chromium driven by Playwright, at 390 and 1280 px: vote and see the
count move, edit a cell and see "edited by", undo it, start an offline run and watch the grid
fill in. Fails (never skips) without Chromium or Playwright; PANEL_SHOTS=<folder> keeps the
screenshots."""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    expect,
    sync_playwright,
)

from panel.models import Record
from panel.report.render import render_html, vote_server_page
from tests.conftest import EXAMPLES
from tests.serve_support import TOKEN, a_record, served, write_runs
from tests.support.browser import chromium

WIDTHS = [390, 1280]
TOOL, PERSONA = "claude-api-streaming-caching", "skeptic"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser(record: Record) -> Iterator[Browser]:
    # The record is made first: Playwright's sync API keeps an event loop running meanwhile.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Record:
    return a_record(tmp_path_factory.mktemp("record"))


@pytest.fixture
def server(tmp_path: Path, record: Record) -> Iterator[str]:
    write_runs(tmp_path / "runs", record, 2)
    with served(tmp_path / "runs", offline_delay=0.1) as url:  # a run lasts a few seconds
        yield url


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    width = request.node.callspec.params["width"]
    context = browser.new_context(viewport={"width": width, "height": 900})
    opened = context.new_page()
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    opened.on("console", note)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    context.close()
    assert problems == [], problems  # no script error, no CSP violation


def shot(page: Page, name: str, tmp_path: Path, part: Locator | None = None) -> None:
    """A screenshot of the viewport, or of one part of the page."""
    folder = Path(os.environ.get("PANEL_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = str(folder / f"serve-{name}-{width}.png")
    (part or page).screenshot(path=path)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), "the page scrolls sideways"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reader_votes_and_sees_the_count_move(
    server: str, page: Page, width: int, tmp_path: Path
) -> None:
    page.goto(f"{server}runs/run00001/")
    stat = page.locator(f'[data-community="{TOOL}"]')
    expect(stat.locator("b")).to_have_text("—")
    stat.locator("button.vote-ship").click()
    expect(stat.locator("b")).to_have_text("1 ship / 0 skip (100%)")
    stat.locator("button.vote-skip").click()  # the same reader: replaced, not added
    expect(stat.locator("b")).to_have_text("0 ship / 1 skip (0%)")
    shot(page, "vote", tmp_path, page.locator("article.tool").first)
    page.reload()
    expect(page.locator(f'[data-community="{TOOL}"] b')).to_have_text("0 ship / 1 skip (0%)")
    no_sideways_scroll(page)
    assert page.locator("#desk-token").count() == 1  # a reader sees no edit controls
    assert page.locator("button.edit-open").count() == 0
    page.click("a.desk-home")
    expect(page.locator("li.run")).to_have_count(2)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_edits_a_cell_and_undoes_it(
    server: str, page: Page, width: int, tmp_path: Path
) -> None:
    page.goto(f"{server}runs/run00001/#token={TOKEN}")
    expect(page.locator("#desk-bar")).to_contain_text("Editor mode")
    shot(page, "run-top", tmp_path)
    assert TOKEN not in page.url  # taken from the address into this tab's storage
    card = page.locator(f'article[data-persona="{PERSONA}"][data-tool="{TOOL}"]')
    card.locator("button.edit-open").click()
    card.locator("button.edit-cancel").click()  # closed without a save
    expect(card.locator("form.edit-form")).to_have_count(0)
    card.locator("button.edit-open").click()
    form = card.locator("form.edit-form")
    written = form.locator('textarea[name="quote"]').input_value()
    cells = page.request.get(f"{server}api/runs/run00001").json()["cells"]
    model_quote = next(c for c in cells if (c["persona"], c["tool"]) == (PERSONA, TOOL))
    assert written == model_quote["verdict"]["quote"]  # the Markdown as written, to edit
    form.locator('select[name="verdict"]').select_option("skip")
    form.locator('input[name="score"]').fill("2")
    form.locator('input[name="editor"]').fill("Ana")
    form.locator('input[name="reason"]').fill("the vendor's figure is out of date")
    shot(page, "edit-form", tmp_path, card)
    form.locator('button[type="submit"]').click()
    edited = page.locator(f'article[data-persona="{PERSONA}"][data-tool="{TOOL}"]')
    expect(edited.locator(".edited")).to_have_text(
        "edited by Ana: the vendor's figure is out of date"
    )
    expect(edited.locator(".score")).to_have_text("2/10")
    shot(page, "edited", tmp_path, edited)
    no_sideways_scroll(page)
    edited.locator("button.edit-undo").click()
    restored = page.locator(f'article[data-persona="{PERSONA}"][data-tool="{TOOL}"]')
    expect(restored.locator("button.edit-open")).to_be_visible()
    expect(restored.locator(".edited")).to_have_count(0)
    assert restored.locator("button.edit-undo").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_starts_an_offline_run_and_watches_the_grid_fill(
    server: str, page: Page, width: int, tmp_path: Path
) -> None:
    cards = [
        (EXAMPLES / name).read_text() for name in ("claw-code.toml", "modal-gpu-inference.toml")
    ]
    page.goto(f"{server}new#token={TOKEN}")
    page.fill("#cards-text", "\n+++\n".join(cards))
    for persona in page.locator('input[name="persona"]').all():
        persona.set_checked(persona.get_attribute("value") in ("builder", "skeptic", "futurist"))
    page.fill("#model", "offline")
    shot(page, "new", tmp_path, page.locator("#new-run"))
    page.click('#new-run button[type="submit"]')
    expect(page.locator("#live-grid td[data-cell]")).to_have_count(6)
    expect(page.locator("#cancel-run")).to_be_visible()
    watcher = page.context.new_page()  # another tab joins from the index, mid-run
    watcher.goto(server)
    watcher.locator("section.going a").click()
    expect(watcher.locator("#live-grid td[data-cell]")).to_have_count(6)
    shot(page, "run-live", tmp_path, page.locator("#live"))
    filled = page.locator('#live-grid td[data-state="ship"], #live-grid td[data-state="skip"]')
    expect(filled).to_have_count(6, timeout=30_000)
    expect(page.locator("#live-link")).to_be_visible()
    expect(page.locator("#cancel-run")).to_be_hidden()
    expect(watcher.locator("#live-link")).to_be_visible()  # the late tab saw it all, replayed
    watched = watcher.locator('#live-grid td[data-state="ship"], #live-grid td[data-state="skip"]')
    expect(watched).to_have_count(6)
    watcher.close()
    shot(page, "run-done", tmp_path, page.locator("#live"))
    no_sideways_scroll(page)
    page.click("#live-link")
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f]{12}/$"))
    page.goto(server)
    expect(page.locator("li.run")).to_have_count(3)
    expect(page.locator("li.run").first).to_contain_text("Claw Code")
    shot(page, "index", tmp_path)
    no_sideways_scroll(page)


@contextmanager
def static_site(folder: Path) -> Iterator[str]:
    """A plain static file server on another port: another site, as a published page is."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))

    class Quiet(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            return None

    site = Quiet(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}"
    finally:
        site.shutdown()
        site.server_close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_published_page_takes_votes_on_the_server(
    tmp_path: Path, record: Record, browser: Browser, width: int
) -> None:
    write_runs(tmp_path / "runs", record, 1)
    published = tmp_path / "site"
    published.mkdir()
    with static_site(published) as site, served(tmp_path / "runs", allowed_origins=(site,)) as url:
        origin = url.rstrip("/")
        run = record.model_copy(update={"run_id": "run00000"})
        page_html = render_html(run, vote_server_page(origin))
        (published / "index.html").write_text(page_html, encoding="utf-8")
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{site}/index.html")
        stat = page.locator(f'[data-community="{TOOL}"]')
        stat.locator("button.vote-ship").click()
        expect(stat.locator("b")).to_have_text("1 ship / 0 skip (100%)")
        page.reload()  # the reader's id is kept by the page (no cookie crosses sites)
        stat = page.locator(f'[data-community="{TOOL}"]')
        expect(stat.locator("b")).to_have_text("1 ship / 0 skip (100%)")
        stat.locator("button.vote-skip").click()
        expect(stat.locator("b")).to_have_text("0 ship / 1 skip (0%)")
        assert page.locator("#desk-bar").count() == 0  # no editing from a published page
        shot(page, "published", tmp_path, page.locator("article.tool").first)
        context.close()
        assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_second_editor_with_a_stale_page_is_told_and_loses_nothing(
    server: str, page: Page, width: int, tmp_path: Path
) -> None:
    other = page.context.browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[union-attr]
    ben = other.new_page()
    for editor in (page, ben):
        editor.goto(f"{server}runs/run00001/#token={TOKEN}")
        expect(editor.locator("button.edit-open").first).to_be_visible()

    def save(editor: Page, persona: str, name: str) -> Locator:
        card = editor.locator(f'article[data-persona="{persona}"][data-tool="{TOOL}"]')
        card.locator("button.edit-open").click()
        form = card.locator("form.edit-form")
        form.locator('input[name="score"]').fill("5")
        form.locator('input[name="editor"]').fill(name)
        form.locator('input[name="reason"]').fill(f"{name}'s reading")
        form.locator('button[type="submit"]').click()
        return card

    save(page, PERSONA, "Ana")
    expect(page.locator(".edited")).to_have_text("edited by Ana: Ana's reading")
    refused = save(ben, "builder", "Ben")  # Ben's page predates Ana's save
    expect(refused.locator(".edit-form .error")).to_contain_text("another editor saved this run")
    shot(ben, "conflict", tmp_path, refused)
    ben.reload()
    expect(ben.locator(".edited")).to_have_text("edited by Ana: Ana's reading")  # Ana's kept
    save(ben, "builder", "Ben")
    expect(ben.locator(".edited")).to_have_count(2)
    other.close()
