"""`panel validate`: check personas, cards, panel files, templates and records the way CI needs.

Every problem becomes one `Problem(file, field, reason)`; nothing stops at
the first one, so a CI log lists everything to fix in one pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from panel.errors import InputError
from panel.files import describe_validation_error, every_problem, read_toml
from panel.inputs.loading import (
    is_panel_data,
    load_panel_file,
    load_persona,
    load_personas,
    load_tool_card,
)
from panel.inputs.prompts import PromptSet
from panel.inputs.schema import (
    persona_schema,
    strict_problems,
    strictify,
    verdict_model,
    wire_schema,
)
from panel.models import PanelFile, Persona, Pricing, Record, ToolCard
from panel.record.aggregate import (
    CALL_FIELDS,
    OVERALL_FIELDS,
    TOOL_FIGURES,
    aggregate_record,
)
from panel.record.overrides import OVERRIDES, apply_overrides, load_overrides
from panel.record.store import RECORD, load_record, run_file
from panel.record.votes import load_votes


def _sample_card(letter: str, tagline: str, description: str, entry: str, **more: Any) -> ToolCard:
    return ToolCard(
        id=f"sample-{letter}",
        name=f"Sample tool {letter.upper()}",
        category="Developer Tools",
        tagline=tagline,
        description=description,
        pricing=Pricing(entry=entry),
        **more,
    )


SAMPLE_CARDS = [
    _sample_card("a", "A sample tagline", "A sample description used to render templates.", "Free",
                 competitors=["Sample rival"]),
    _sample_card("b", "Another tagline", "A second sample description.", "Paid"),
]  # fmt: skip


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    reason: str

    def line(self) -> str:
        return (
            f"{self.file}: {self.field}: {self.reason}"
            if self.field
            else f"{self.file}: {self.reason}"
        )

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def _from_error(error: InputError, fallback: str) -> Problem:
    field, _, reason = error.detail.partition(": ")
    if not reason or " " in field:
        field, reason = "", error.detail
    return Problem(error.source or fallback, field, reason)


CHECKED = (".toml", ".j2", ".json", ".csv")
RUN_FILES = (RECORD, OVERRIDES)


def _files(paths: list[Path]) -> Iterator[Path]:
    """Every file to check; in a folder, anything named like one that is not a plain folder
    (a pipe, a device, a link) is checked too, and a run folder's own files whatever they are:
    what `render` would refuse, validate reports."""
    for path in paths:
        if path.is_dir() and path.name not in RUN_FILES:  # `RUN/overrides.toml/` is a problem
            yield from sorted(p for p in path.rglob("*") if _to_check(p))
        else:
            yield path


def _to_check(path: Path) -> bool:
    if path.name in RUN_FILES:
        return True
    return path.suffix in CHECKED and (path.is_symlink() or not path.is_dir())


def _run_file_problems(file: Path) -> list[Problem]:
    """A run folder's record or overrides read as `render` reads them (`run_file`)."""
    try:
        run_file(file.parent, file.name)
    except InputError as error:
        return [_from_error(error, str(file))]
    return []


def validate_paths(
    paths: list[Path], personas_dir: Path | None = None
) -> tuple[list[Problem], int]:
    """All problems found under `paths`, and how many files were checked."""
    problems: list[Problem] = []
    files = list(_files(paths))
    template_dirs = sorted({f.parent for f in files if f.suffix == ".j2"})
    for file in files:
        unreadable = _run_file_problems(file) if file.name in RUN_FILES else []
        if unreadable:
            problems += unreadable
        elif not file.exists():
            problems.append(Problem(str(file), "", "no such file or folder"))
        elif file.suffix not in CHECKED:  # named on the command line: never counted as passed
            problems.append(
                Problem(str(file), "", f"not a file panel checks ({', '.join(CHECKED)})")
            )
        elif file.suffix == ".csv" or file.name.startswith("votes") and file.suffix == ".json":
            problems += check_votes(file)
        elif file.suffix == ".toml":
            problems += _check_toml(file, personas_dir)
        elif file.suffix == ".json":
            problems += check_record(file)
    for folder in template_dirs:
        problems += check_templates(folder, personas_dir)
    return problems, len(files)


def _check_toml(file: Path, personas_dir: Path | None) -> list[Problem]:
    try:
        data = read_toml(file)
        if file.name == OVERRIDES:
            return check_overrides(file)
        if is_panel_data(data):
            return check_panel_file(file, personas_dir)
        if "beats" in data or file.parent.name == "personas":
            listed = _every_problem(Persona, {"id": file.stem, **data}, file)
            return listed or check_persona(load_persona(file))
        return check_card(file, data)
    except InputError as error:
        return [_from_error(error, str(file))]


def check_card(file: Path, data: dict[str, object]) -> list[Problem]:
    """Every problem of a tool card at once, and links that are not plain http(s)."""
    listed = _every_problem(ToolCard, {"id": file.stem, **data}, file)
    if listed:
        return listed
    card = ToolCard.model_validate({"id": file.stem, **data})
    return [
        Problem(str(file), f"links.{name}", f"{url!r} is not an http(s) link (http:// or https://)")
        for name, url in card.links.items()
        if not _is_web_link(url)
    ]


def _is_web_link(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a bracketed host that is no IP address: no link a page can hold
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_persona(persona: Persona, source: str | None = None) -> list[Problem]:
    """A persona's verdict schema must be one both strict structured-output modes accept."""
    where = source or f"persona {persona.id}"
    strict = strictify(persona_schema(persona))
    problems = [Problem(where, "output schema", problem) for problem in strict_problems(strict)]
    wire = wire_schema([persona], [card.id for card in SAMPLE_CARDS])  # what is sent for it
    return problems + [Problem(where, "wire schema", problem) for problem in strict_problems(wire)]


def _every_problem(model: type[BaseModel], data: dict[str, object], file: Path) -> list[Problem]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [Problem(str(file), field, reason) for field, reason in every_problem(exc)]
    return []


def check_panel_file(file: Path, personas_dir: Path | None) -> list[Problem]:
    listed = _every_problem(PanelFile, read_toml(file), file)
    if listed:
        return listed
    panel = load_panel_file(file)
    problems = []
    for name in panel.tools:
        try:
            load_tool_card(file.parent / name)
        except InputError as error:
            problems.append(Problem(str(file), "tools", f"{name}: {error.detail}"))
    if panel.personas:
        known = load_personas(personas_dir)
        problems += [
            Problem(str(file), "personas", f"unknown persona {name!r}")
            for name in panel.personas
            if name not in known
        ]
    return problems


def check_templates(folder: Path, personas_dir: Path | None) -> list[Problem]:
    """Render every entry template with sample cards under StrictUndefined, for a comparison
    and for a review of one tool; both panels' wire schemas must pass the strict rules."""
    try:
        prompts = PromptSet.from_dir(folder)
        personas = list(load_personas(personas_dir).values())
        problems = []
        for cards in (SAMPLE_CARDS, SAMPLE_CARDS[:1]):
            prompts.prefix("Sample panel", personas, cards)
            problems += strict_problems(wire_schema(personas, [card.id for card in cards]))
        for persona in personas:
            prompts.cell(persona, SAMPLE_CARDS[0])
        prompts.reask("score: Input should be less than or equal to 10")
        for part in ("system", "prompt"):
            prompts.grader(part, SAMPLE_CARDS[0], "A sample quote: I would ship it.")
    except InputError as error:
        return [_from_error(error, str(folder))]
    return [Problem(str(folder), "wire schema", problem) for problem in problems]


def check_overrides(file: Path) -> list[Problem]:
    """An editor's overrides: well formed, and naming cells of the run beside them (if any)."""
    try:
        overrides = load_overrides(file)
        if (file.parent / RECORD).is_file():
            apply_overrides(load_record(file.parent / RECORD), overrides, str(file))
    except InputError as error:
        return [_from_error(error, str(file))]
    return []


def check_votes(file: Path) -> list[Problem]:
    """A votes file read as `render --votes` and `run --votes` read it."""
    try:
        load_votes(file)
    except InputError as error:
        return [_from_error(error, str(file))]
    return []


def check_record(file: Path) -> list[Problem]:
    try:
        record = load_record(file, as_stored=True)  # every other command recomputes them
    except InputError as error:
        return [_from_error(error, str(file))]
    return record_consistency(record, str(file))


def _differences(
    where: str, path: str, have: BaseModel, want: BaseModel, names: tuple[str, ...]
) -> list[Problem]:
    return [
        Problem(
            where,
            f"{path}.{name}",
            f"is {getattr(have, name)!r} but the verdicts give {getattr(want, name)!r}",
        )
        for name in names
        if getattr(have, name) != getattr(want, name)
    ]


def record_consistency(record: Record, where: str) -> list[Problem]:
    """Aggregates and totals must be what the record's own cells add up to."""
    problems = []
    expected = aggregate_record(record)  # an editor's overrides count, as on the page
    stored = {s.tool: s for s in record.aggregates.tools}
    for summary in expected.tools:
        have = stored.get(summary.tool)
        if have is None:
            problems.append(Problem(where, f"aggregates.tools.{summary.tool}", "missing"))
            continue
        problems += _differences(
            where, f"aggregates.tools.{summary.tool}", have, summary, TOOL_FIGURES
        )
    for name, fields in (("overall", OVERALL_FIELDS), ("call", CALL_FIELDS)):
        have, want = getattr(record.aggregates, name), getattr(expected, name)
        if have is not None and want is not None:  # which one a record has follows its tools
            problems += _differences(where, f"aggregates.{name}", have, want, fields)
    personas = {p.id: p for p in record.personas}
    for index, cell in enumerate(record.cells):
        if cell.status != "ok":
            continue
        if cell.persona not in personas:
            problems.append(
                Problem(where, f"cells.{index}.persona", f"{cell.persona!r} is not on the panel")
            )
            continue
        try:
            tools = [tool.id for tool in record.tools]
            verdict_model(personas[cell.persona], tools).model_validate(cell.verdict)
        except ValidationError as error:
            problems.append(
                Problem(where, f"cells.{index}.verdict", describe_validation_error(error))
            )
    if record.totals.cells != len(record.cells):
        problems.append(
            Problem(
                where, "totals.cells", f"is {record.totals.cells} but there are {len(record.cells)}"
            )
        )
    if record.complete != all(c.status == "ok" for c in record.cells):
        problems.append(Problem(where, "complete", "disagrees with the cells' statuses"))
    return problems


def report_json(problems: list[Problem], checked: int) -> str:
    return json.dumps({"checked": checked, "problems": [p.to_json() for p in problems]}, indent=2)
