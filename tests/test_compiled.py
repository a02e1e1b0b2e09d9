"""Compiled templates kept between processes: reused, recompiled when anything shaping the code
changes, and read only from a folder and files that nobody but the user could have written."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import jinja2
import pytest

from panel.compiled import FOLDER, TemplateCache, template_cache
from panel.inputs.prompts import PromptSet
from panel.models import Persona, ToolCard
from panel.report.render import _environment, render_html, render_markdown
from tests.records import offline_record


@pytest.fixture
def cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The name of every template jinja2 compiles from source, in order."""
    names: list[str | None] = []
    real = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: Any, name: str | None = None, *a: Any) -> Any:
        names.append(name)
        return real(self, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def _cached(templates: Path, **options: Any) -> jinja2.Environment:
    cache = template_cache()
    assert cache is not None
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates), bytecode_cache=cache, **options
    )


def _entries(cache_home: Path) -> list[Path]:
    return sorted(cache_home.joinpath(*FOLDER).glob("*.cache"))


def test_the_pages_are_compiled_once_per_user_not_once_per_process(
    cache_home: Path,
    compiles: list[str | None],
    personas: dict[str, Persona],
    cards: list[ToolCard],
    tmp_path: Path,
) -> None:
    record = offline_record(personas, cards, tmp_path)
    compiles.clear()  # the run's prompt templates
    prompts = _entries(cache_home)
    pages = []
    for _process in range(2):
        _environment.cache_clear()  # what a new process starts with
        pages.append((render_markdown(record), render_html(record)))
    assert compiles == ["page.md.j2", "page.html.j2"]
    assert pages[0] == pages[1]
    folder = cache_home.joinpath(*FOLDER)
    assert folder.stat().st_mode & 0o777 == 0o700
    added = [entry for entry in _entries(cache_home) if entry not in prompts]
    assert [entry.stat().st_mode & 0o777 for entry in added] == [0o600, 0o600]


def test_an_edited_template_is_compiled_again(
    cache_home: Path, compiles: list[str | None], tmp_path: Path
) -> None:
    (tmp_path / "page.j2").write_text("old {{ value }}", encoding="utf-8")
    assert _cached(tmp_path).get_template("page.j2").render(value=1) == "old 1"
    (tmp_path / "page.j2").write_text("new {{ value }}", encoding="utf-8")
    assert _cached(tmp_path).get_template("page.j2").render(value=1) == "new 1"
    assert _cached(tmp_path).get_template("page.j2").render(value=2) == "new 2"
    assert compiles == ["page.j2", "page.j2"]


def test_options_that_shape_the_code_have_entries_of_their_own(
    cache_home: Path, compiles: list[str | None], tmp_path: Path
) -> None:
    (tmp_path / "page.j2").write_text("{{ value }}", encoding="utf-8")
    markup = "<b>"
    assert _cached(tmp_path, autoescape=True).get_template("page.j2").render(value=markup) == (
        "&lt;b&gt;"
    )
    assert _cached(tmp_path).get_template("page.j2").render(value=markup) == "<b>"
    (tmp_path / "filtered.j2").write_text("{{ value | shout }}", encoding="utf-8")
    loud = _cached(tmp_path)
    loud.filters["shout"] = lambda text: f"{text}!"
    assert loud.get_template("filtered.j2").render(value="hi") == "hi!"
    quiet = _cached(tmp_path)  # compiled with the filter, the code would run without it
    with pytest.raises(jinja2.TemplateAssertionError, match="shout"):
        quiet.get_template("filtered.j2")
    assert compiles == ["page.j2", "page.j2", "filtered.j2", "filtered.j2"]


def _planted(cache_home: Path, tmp_path: Path) -> Path:
    """A template cached once, its entry handed back to be tampered with."""
    (tmp_path / "page.j2").write_text("{{ value }}", encoding="utf-8")
    _cached(tmp_path).get_template("page.j2")
    [entry] = _entries(cache_home)
    return entry


def test_an_entry_others_could_have_written_is_never_loaded(
    cache_home: Path, compiles: list[str | None], tmp_path: Path
) -> None:
    entry = _planted(cache_home, tmp_path)
    entry.chmod(0o666)
    _cached(tmp_path).get_template("page.j2")
    assert compiles == ["page.j2", "page.j2"]
    assert entry.stat().st_mode & 0o777 == 0o600  # replaced by this user's own


def test_a_linked_or_broken_entry_is_compiled_again(
    cache_home: Path, compiles: list[str | None], tmp_path: Path
) -> None:
    entry = _planted(cache_home, tmp_path)
    elsewhere = tmp_path / "elsewhere.cache"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    _cached(tmp_path).get_template("page.j2")
    assert not entry.is_symlink()  # the link is replaced, never followed
    entry.write_bytes(entry.read_bytes()[:-20])  # truncated
    assert _cached(tmp_path).get_template("page.j2").render(value=3) == "3"
    assert compiles == ["page.j2", "page.j2", "page.j2"]


def test_a_pipe_in_place_of_an_entry_is_not_waited_on(
    cache_home: Path, compiles: list[str | None], tmp_path: Path
) -> None:
    entry = _planted(cache_home, tmp_path)
    entry.unlink()
    os.mkfifo(entry)
    loading = threading.Thread(target=_cached(tmp_path).get_template, args=("page.j2",))
    loading.daemon = True  # a reader blocked on the pipe must not keep the tests from ending
    loading.start()
    loading.join(timeout=10)
    assert not loading.is_alive() and compiles == ["page.j2", "page.j2"]


def test_a_folder_others_can_enter_is_not_used(cache_home: Path) -> None:
    folder = cache_home.joinpath(*FOLDER)
    folder.mkdir(parents=True, mode=0o700)
    assert isinstance(template_cache(), TemplateCache)
    folder.chmod(0o777)
    assert template_cache() is None
    folder.chmod(0o750)
    assert template_cache() is None
    folder.rmdir()
    folder.symlink_to(cache_home, target_is_directory=True)  # a link is not the folder
    assert template_cache() is None


def test_no_cache_folder_to_be_had_means_compiling_as_before(
    cache_home: Path,
    compiles: list[str | None],
    personas: dict[str, Persona],
    cards: list[ToolCard],
    tmp_path: Path,
) -> None:
    cache_home.write_text("a file where the cache folder would go: even root cannot make it")
    record = offline_record(personas, cards, tmp_path)
    assert template_cache() is None
    compiles.clear()  # the run's prompt templates
    pages = []
    for _process in range(2):
        _environment.cache_clear()
        pages.append(render_markdown(record))
    assert compiles == ["page.md.j2", "page.md.j2"] and pages[0] == pages[1]
    assert "## " in pages[0] and cache_home.is_file()


def test_the_prompt_templates_are_compiled_once_per_user_too(
    cache_home: Path, compiles: list[str | None], cards: list[ToolCard]
) -> None:
    """A run's prompts compile from source in the first process only; an edited one again."""
    rendered = []
    for _process in range(2):
        prompts = PromptSet.from_dir()  # what a new process starts with
        rendered.append(prompts.render("grader.j2", part="prompt", tool=cards[0], text="quote"))
    assert compiles == ["grader.j2"]
    assert rendered[0] == rendered[1]
    edited = PromptSet(sources={"grader.j2": "edited {{ text }}"}, origin="edited")
    assert edited.render("grader.j2", text="quote") == "edited quote"
    assert compiles == ["grader.j2", "grader.j2"]
