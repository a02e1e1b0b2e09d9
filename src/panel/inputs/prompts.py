"""Rendering the prompt templates in `prompts/`.

The templates are the only place prompt prose lives. They run in jinja2's
sandbox with StrictUndefined: a template is data a team may edit, and a
misspelt variable must fail loudly, naming the template and the line.

Untrusted text (tool cards) goes through the `fence` filter, which wraps a
card as JSON between markers derived from the card's own content: JSON
escaping keeps the text on one logical line per field, and a marker that
depends on the content cannot be guessed by that content to close the fence
early.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import jinja2

from panel.compiled import template_cache
from panel.errors import InputError
from panel.files import inside, read_text
from panel.inputs.bounded import (
    BoundedEnvironment,
    RenderLimit,
    render_bounded_all,
    render_sized_all,
)
from panel.models import Persona, TemplateDigest, ToolCard
from panel.resources import data_dir

PREFIX = "prefix.j2"
CELL = "cell.j2"
REASK = "reask.j2"
REQUIRED_TEMPLATES = (PREFIX, CELL, REASK)
# The grader's prompt (`--grader`): optional in a set (a record older than it uses the shipped one)
# and outside the cells' digest, so adding or editing it never changes a cell's cache key.
GRADER = "grader.j2"


def fence_marker(text: str, attempt: int = 0) -> str:
    salted = text if attempt == 0 else f"{attempt}\n{text}"
    return "UNTRUSTED-" + hashlib.sha256(salted.encode()).hexdigest()[:16]


def fence(card: ToolCard) -> str:
    """A tool card as JSON between content-derived markers, to be read as data only.

    The marker is stable for a card (so the prompt prefix, and the providers' caches, are too)
    and never one the card's own text contains: however it was derived, a card holding it
    cannot close its fence early.
    """
    body = json.dumps(card.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False)
    return fence_text(body)


def fence_text(text: str) -> str:
    """Untrusted free text (a model's quote) between content-derived markers, read as data."""
    body = str(text)
    attempt, code = 0, fence_marker(body)
    while code in body:
        attempt += 1
        code = fence_marker(body, attempt)
    return f"<<<UNTRUSTED {code}\n{body}\nUNTRUSTED {code}>>>"


def oneline(text: str) -> str:
    """Untrusted text quoted inside a sentence: one line, no fence-like markers."""
    return " ".join(str(text).split()).replace("<<<", "‹‹‹").replace(">>>", "›››")


def _sources(folder: Path) -> dict[str, str]:
    return {f.name: read_text(inside(f, folder)) for f in sorted(folder.glob("*.j2"))}


@cache
def _shipped_sources() -> dict[str, str]:
    """The templates panel ships, read once a process (a default run's set is these)."""
    return _sources(data_dir("prompts"))


@dataclass(frozen=True)
class PromptSet:
    """A set of prompt templates, from the `prompts/` folder or from a stored record."""

    sources: dict[str, str]
    origin: str
    # Compiled once per template and set: a panel renders the cell template once per cell, and
    # compiling it is most of the work. Filled on first use; not part of what a set is.
    _compiled: dict[str, jinja2.Template] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_dir(cls, folder: Path | None = None) -> PromptSet:
        shipped = data_dir("prompts")
        folder = folder or shipped
        sources = dict(_shipped_sources()) if folder == shipped else _sources(folder)
        prompts = cls(sources=sources, origin=str(folder))
        prompts.check_complete()
        return prompts

    @classmethod
    def from_digests(cls, digests: list[TemplateDigest], origin: str) -> PromptSet:
        prompts = cls(sources={d.name: d.text for d in digests}, origin=origin)
        prompts.check_complete()
        return prompts

    def check_complete(self) -> None:
        missing = [name for name in REQUIRED_TEMPLATES if name not in self.sources]
        if missing:
            raise InputError(f"template {missing[0]} is missing", source=self.origin)

    def digests(self) -> list[TemplateDigest]:
        return [
            TemplateDigest(name=name, sha256=hashlib.sha256(text.encode()).hexdigest(), text=text)
            for name, text in sorted(self.sources.items())
        ]

    def combined_digest(self) -> str:
        """The cells' templates as one hash (a grader answer is keyed by its rendered prompt)."""
        cells = [d.sha256 for d in self.digests() if d.name != GRADER]
        return hashlib.sha256("".join(cells).encode()).hexdigest()

    @cached_property
    def _grader_set(self) -> PromptSet:
        """This set, or the shipped grader template (a record's or a folder's templates may
        predate it), read and compiled once."""
        if GRADER in self.sources:
            return self
        shipped = data_dir("prompts") / GRADER
        return PromptSet(sources={GRADER: read_text(shipped)}, origin=str(shipped.parent))

    @cached_property
    def _environment(self) -> BoundedEnvironment:
        """One environment per set: it also keeps the included templates compiled."""
        env = BoundedEnvironment(
            loader=jinja2.DictLoader(self.sources),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            # Compiled once per user, not once per process: 15 ms of every run's start.
            bytecode_cache=template_cache(),
        )
        env.filters["fence"] = fence
        env.filters["fence_text"] = fence_text
        env.filters["oneline"] = oneline
        env.bound_filters()
        return env

    def template(self, name: str) -> jinja2.Template:
        """The named template compiled (once: later calls reuse it); errors propagate."""
        if name not in self._compiled:
            self._compiled[name] = self._environment.get_template(name)
        return self._compiled[name]

    def render(self, name: str, **context: object) -> str:
        return self.render_all(name, [context])[0]

    @cached_property
    def _ours(self) -> bool:
        """Every template of the set is one panel ships, unchanged (a record's or a folder's
        copy included): rendered without the deadline and memory watch a user's templates get."""
        shipped = _shipped_sources()
        return all(shipped.get(name) == text for name, text in self.sources.items())

    def render_all(self, name: str, contexts: list[dict[str, object]]) -> list[str]:
        """`name` rendered once for each context, in one bounded hand-off; errors named."""
        where = f"{self.origin}/{name}"
        render = render_sized_all if self._ours else render_bounded_all
        try:
            return render(self.template(name), contexts)
        except RenderLimit as exc:
            raise InputError(f"{exc}", source=where) from exc
        except RecursionError as exc:
            raise InputError(
                "includes itself (directly or through another template) or nests too deeply",
                source=where,
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            place = f"{self.origin}/{exc.name or name}:{exc.lineno}"
            raise InputError(f"template syntax error: {exc.message}", source=place) from exc
        except jinja2.UndefinedError as exc:
            raise InputError(f"undefined variable: {exc.message}", source=where) from exc
        except jinja2.TemplateNotFound as exc:
            raise InputError(
                f"includes a template that does not exist: {exc.name}", source=where
            ) from exc
        except jinja2.TemplateError as exc:
            raise InputError(f"template error: {exc}", source=where) from exc
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - a template is data: whatever it raises
            # (OverflowError from the sandbox's range, TypeError, ValueError, MemoryError,
            # ZeroDivisionError, ...) is the template's fault, named as such in one line.
            detail = " ".join(str(exc).split())[:200] or "no detail"
            raise InputError(
                f"template error: {type(exc).__name__}: {detail}", source=where
            ) from exc

    def prefix(self, title: str, personas: list[Persona], tools: list[ToolCard]) -> str:
        return self.render(PREFIX, title=title, personas=personas, tools=tools).strip() + "\n"

    def cell(self, persona: Persona, tool: ToolCard) -> str:
        return self.cells([(persona, tool)])[0]

    def cells(self, pairs: list[tuple[Persona, ToolCard]]) -> list[str]:
        """Each (persona, card) cell's assignment, rendered together."""
        texts = self.render_all(CELL, [{"persona": p, "tool": t} for p, t in pairs])
        return [text.strip() + "\n" for text in texts]

    def reask(self, error: str) -> str:
        return self.render(REASK, error=error).strip() + "\n"

    def grader(self, part: str, tool: ToolCard, text: str) -> str:
        """The grader's instruction (`part` "system") or its prompt ("prompt": the fenced quote)."""
        grader = self._grader_set
        return grader.render(GRADER, part=part, tool=tool, text=text).strip() + "\n"
