"""The command line: the only place errors become a line of text and an exit code."""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from panel import __version__
from panel.cli.run import rerun_command, run_command
from panel.cli.run_options import add_run_options
from panel.cli.terminal import LazyConsole, clean, closed_pipe, shortened
from panel.errors import InputError, PanelError
from panel.paths import path_argument

# Start-up stays fast (`panel --help`, a run's first line): rich, the provider SDKs and the run
# machinery are imported inside the commands that use them (a test keeps it so).
if TYPE_CHECKING:
    from rich.console import Console

EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError(f"{message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    from panel.cli.batches import add_batches_command
    from panel.config import has_config, load_config, run_defaults

    parser = _Parser(prog="panel", description="Draft review panels for software tools.")
    parser.add_argument("--version", action="version", version=f"panel {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser(
        "run", help="run a panel on one tool card (a review) or several (a comparison)"
    )
    run.add_argument(
        "inputs",
        nargs="+",
        type=path_argument,
        help="one or more tool cards (.toml), or one panel file",
    )
    add_run_options(run)
    run.set_defaults(handler=run_command)

    rerun = commands.add_parser(
        "rerun", help="rerun a record's cards, personas and prompts with another model"
    )
    rerun.add_argument("record", type=path_argument)
    add_run_options(rerun, rerun=True)
    rerun.set_defaults(handler=rerun_command)

    for command in (run, rerun):
        command.set_defaults(config=None)  # read at run time when no file can hold one
    if has_config():  # reading a config needs pydantic: `panel --help` elsewhere stays quick
        config, source = load_config()
        for command in (run, rerun):
            command.set_defaults(**run_defaults(config), config=(config, source))

    from panel.cli.analysis import add_analyst_commands
    from panel.cli.commands import add_commands
    from panel.cli.editing import add_editor_commands
    from panel.cli.personas import add_persona_commands
    from panel.web.command import add_serve_command

    add_persona_commands(commands)
    add_commands(commands)
    add_editor_commands(commands)
    add_analyst_commands(commands)
    add_batches_command(commands)
    add_serve_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    previous = _terminate_as_interrupt()
    try:
        return _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if argv is None:  # the process ends here: what it holds is freed with it, not walked
            gc.freeze()  # by the collector first (a tenth of a short command's wall time)


def _terminate_as_interrupt() -> signal._HANDLER | None:
    """SIGTERM (a `kill`, a CI timeout, a container stop) ends panel the way Ctrl-C does: a
    run saves its cells and says how to resume, a half-written folder is removed. Returns the
    handler it replaced (None when signals cannot be handled here: not the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def as_interrupt(signum: int, frame: FrameType | None) -> None:
        on_interrupt = signal.getsignal(signal.SIGINT)  # asyncio's while a run is going
        if callable(on_interrupt):
            on_interrupt(signal.SIGINT, frame)
        else:
            raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, as_interrupt)


GC_YOUNG_OBJECTS = 50_000


def _main(argv: list[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
        args.argv = list(sys.argv[1:] if argv is None else argv)  # which flags were typed
        if argv is None and getattr(args, "bounded", False):
            # A command whose work is bounded (`set_defaults(bounded=True)`: one record's pages)
            # makes its objects and exits: the collector would only walk them, twice over.
            gc.disable()
        elif argv is None:
            # Reading an archive makes many small objects and few cycles: a young-generation
            # collection every 700 allocations took a fifth of `panel runs` over 2,000 runs.
            gc.set_threshold(GC_YOUNG_OBJECTS, *gc.get_threshold()[1:])
        code = _dispatch(args, _stderr())
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except PanelError as exc:
        _stderr().print(f"panel: error: {shortened(clean(exc, one_line=True))}", soft_wrap=True)
        return exc.exit_code
    except BrokenPipeError:
        return closed_pipe()
    except KeyboardInterrupt:
        _stderr().print("panel: interrupted", markup=False)
        return EXIT_INTERRUPTED


def _stderr() -> Console:
    """Where messages go: markup never read, escape sequences and control characters removed;
    rich loaded only once something needs more than a line."""
    return LazyConsole(stderr=True, highlight=False, soft_wrap=True)  # type: ignore[return-value]


def _dispatch(args: argparse.Namespace, console: Console) -> int:
    handler: Callable[[argparse.Namespace, Console], int] = args.handler
    return handler(args, console)


if __name__ == "__main__":
    sys.exit(main())
