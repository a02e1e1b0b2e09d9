"""`panel personas` and `panel schema`: the personas found, their beats and their schemas."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from panel.cli.terminal import out, safe_json, shown_path
from panel.errors import InputError
from panel.paths import path_argument

if TYPE_CHECKING:
    from rich.console import Console

    from panel.models import Persona

EXIT_OK = 0


def add_persona_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    personas = commands.add_parser("personas", help="list the personas found and their beats")
    personas.add_argument("--personas-dir", type=path_argument)
    personas.set_defaults(handler=_personas)

    schema = commands.add_parser("schema", help="print a JSON Schema")
    schema.add_argument("--persona", help="a persona's verdict schema (default: the record schema)")
    schema.add_argument("--personas-dir", type=path_argument)
    schema.add_argument(
        "--write", type=path_argument, metavar="DIR", help="write every default schema into DIR"
    )
    schema.add_argument(
        "--record",
        action="store_true",
        help="the record's schema, every field described (the default)",
    )
    schema.add_argument(
        "--wire",
        action="store_true",
        help="the strict schema sent to the providers for these personas (all, or --persona)",
    )
    schema.set_defaults(handler=_schema)


def _personas(args: argparse.Namespace, console: Console) -> int:
    from panel.inputs.loading import load_personas

    for persona in load_personas(args.personas_dir).values():
        marker = "default" if persona.default_panel else "optional"
        out(f"{persona.id} — {persona.name} ({persona.lens}; {marker})")
        for beat in persona.beats:
            out(f"    {beat.id}: {beat.label}")
    return EXIT_OK


def _schema(args: argparse.Namespace, console: Console) -> int:
    from panel.inputs.loading import load_personas
    from panel.inputs.schema import default_schemas, persona_schema, record_schema, schema_text

    if args.write is not None:
        from panel.files import write_atomically
        from panel.report.run_folders import check_apart
        from panel.resources import data_dir

        sources = [("panel's personas", data_dir("personas"))]
        if args.personas_dir is not None:
            sources.append(("--personas-dir", args.personas_dir))
        check_apart(args.write, sources, source=f"--write {args.write}")
        schemas = default_schemas(load_personas(args.personas_dir))
        try:  # a file, a device or a path through one is no folder to write into
            args.write.mkdir(parents=True, exist_ok=True)
            for name, schema in schemas.items():
                written = write_atomically(args.write / name, schema_text(schema), mode=0o644)
                out(shown_path(written))
        except OSError as exc:
            raise InputError(
                f"cannot write there ({exc.strerror or exc})", source=f"--write {args.write}"
            ) from exc
        return EXIT_OK
    if args.record or (args.persona is None and not args.wire):
        if args.persona is not None or args.wire:
            raise InputError("--record: give it alone, not with --persona or --wire")
        schema = record_schema()
    else:
        personas = load_personas(args.personas_dir)
        if args.persona is not None and args.persona not in personas:
            raise InputError(
                f"--persona: unknown persona {args.persona!r} (known: "
                f"{', '.join(sorted(personas))})"
            )
        chosen = [personas[args.persona]] if args.persona else list(personas.values())
        wire = _checked_wire_schema(chosen)
        if args.wire:  # in the order sent: strict modes read the keys in order
            print(safe_json(json.dumps(wire, indent=2, ensure_ascii=False)))
            return EXIT_OK
        schema = persona_schema(chosen[0])
    print(safe_json(schema_text(schema)), end="")
    return EXIT_OK


def _checked_wire_schema(personas: list[Persona]) -> dict[str, Any]:
    """The schema these personas send, refused with its first problem's JSON path if either
    provider's strict mode would reject it."""
    from panel.inputs.schema import strict_problems, wire_schema

    schema = wire_schema(personas, ["tool-a", "tool-b"])
    problems = strict_problems(schema)
    if problems:
        more = f" (and {len(problems) - 1} more; see panel validate)" if len(problems) > 1 else ""
        raise InputError(f"wire schema: {problems[0]}{more}")
    return schema
