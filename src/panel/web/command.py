"""`panel serve`: the argparse glue and the server's life (start, first line, clean stop).

The CLI registers the subcommand with `add_serve_command(commands)`; its handler is `serve`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from panel.errors import InputError
from panel.paths import path_argument

# Every command's parser imports this module: the server's own imports wait for `serve`.
if TYPE_CHECKING:
    import socket

    from rich.console import Console

DEFAULT_PORT = 8765
EXIT_INTERRUPTED = 130
TOKEN_ENV = "PANEL_TOKEN"


def add_serve_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve_parser = commands.add_parser(
        "serve", help="the editor's desk and the readers' vote in a browser"
    )
    serve_parser.add_argument(
        "runs_dir", nargs="?", type=path_argument, default=Path("panel-out"), metavar="RUNS_DIR",
        help="where the runs are (default panel-out)",
    )  # fmt: skip
    serve_parser.add_argument(
        "--host", type=_host, default="127.0.0.1", help="address (default 127.0.0.1)"
    )
    serve_parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="port (default 8765; 0 picks a free one)"
    )
    serve_parser.add_argument(
        "--db", metavar="URL", help="votes database: sqlite:///PATH or postgresql://... "
        "(default sqlite:///RUNS_DIR/.panel.db)",
    )  # fmt: skip
    serve_parser.add_argument(
        "--token", help=f"the editor token (default ${TOKEN_ENV}, else a new one, printed)"
    )
    serve_parser.add_argument(
        "--cards",
        type=path_argument,
        metavar="DIR",
        help="a folder of tool cards the new-panel form offers",
    )
    serve_parser.add_argument(
        "--allow-origin", action="append", default=[], metavar="ORIGIN",
        help="a site whose published pages (render --vote-server) may send votes; repeatable",
    )  # fmt: skip
    serve_parser.add_argument(
        "--max-cost", type=_dollars, metavar="DOLLARS",
        help="each run started in the desk stops at this many dollars (a model with no known "
        "price is then refused)",
    )  # fmt: skip
    serve_parser.add_argument("--offline-delay", type=float, default=0.02, help=argparse.SUPPRESS)
    serve_parser.set_defaults(handler=serve)


def _dollars(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < 1e6) or len(text) > 20:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a positive number of dollars")
    return value


def _host(text: str) -> str:
    """An address to listen on. An empty one (`--host "$HOST"`, the variable unset) would listen
    on every interface: that takes saying so (`--host 0.0.0.0`)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "empty; give an address (0.0.0.0 listens on every interface)"
        )
    return text


def _port(text: str) -> int:
    if not (len(text) < 12 and text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535)")
    return int(text)


def serve(args: argparse.Namespace, console: Console) -> int:
    """Serve until SIGINT or SIGTERM; the URL is the first line on standard output."""
    import asyncio  # the CLI's parser imports this module on every start: kept light

    from panel.web.security import new_token

    runs_dir: Path = args.runs_dir
    origins = tuple(_origin(origin) for origin in args.allow_origin)  # before any folder is made
    token = editor_token(args.token)
    generated = not token
    token = token or new_token()
    if runs_dir.exists() and not runs_dir.is_dir():
        raise InputError("not a folder", source=str(runs_dir))
    if args.cards is not None and not args.cards.is_dir():
        raise InputError("--cards: no such folder", source=str(args.cards))
    runs_dir.mkdir(parents=True, exist_ok=True)
    if args.cards is not None:  # new runs and rebuilt pages go into the runs folder
        from panel.report.run_folders import check_apart

        check_apart(runs_dir, [("--cards", args.cards)], source=str(runs_dir))
    listener = _listen(args.host, args.port)
    return asyncio.run(_serve(args, runs_dir, token, generated, origins, listener))


MIN_TOKEN = 16


def editor_token(flag: str | None) -> str:
    """The editor token given (--token, else $PANEL_TOKEN; empty: none, a new one is made). One
    a client cannot send in an `Authorization` header (a space, a character not ASCII, a control
    character) would lock every editor out, and a short one can be guessed over the network:
    each is one line naming where it came from, never showing it."""
    source = "--token" if flag else TOKEN_ENV
    token = flag if flag else os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        return ""
    if not (token.isascii() and token.isprintable()) or " " in token:
        raise InputError(f"{source}: the editor token is visible ASCII characters, no spaces")
    if len(token) < MIN_TOKEN:
        raise InputError(
            f"{source}: the editor token has {len(token)} characters; at least {MIN_TOKEN}, "
            "or none for a new one, printed"
        )
    return token


def _origin(text: str) -> str:
    from panel.report.render import vote_server_page

    return vote_server_page(text, "--allow-origin").server


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the first line is printed (so the URL works)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so, and without it a
    # kept-alive connection waits ~40 ms per response (Nagle against delayed ACKs).
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise InputError(f"--host/--port: cannot listen on {host}:{port} ({exc.strerror})") from exc
    listener.listen(128)
    listener.set_inheritable(True)
    return listener


async def _serve(
    args: argparse.Namespace,
    runs_dir: Path,
    token: str,
    generated: bool,
    origins: tuple[str, ...],
    listener: socket.socket,
) -> int:
    import ipaddress

    import uvicorn

    from panel.web.app import create_app
    from panel.web.desk import ServeSettings
    from panel.web.security import LOOPBACK_HOSTS
    from panel.web.votes_db import VoteStore, default_db_url

    votes = await VoteStore.open(args.db or default_db_url(runs_dir))
    host = listener.getsockname()[0]
    settings = ServeSettings(
        runs_dir=runs_dir, token=token, cards_dir=args.cards, allowed_origins=origins,
        offline_delay=max(0.0, args.offline_delay), max_cost=args.max_cost,
        hosts=LOOPBACK_HOSTS if ipaddress.ip_address(host).is_loopback else (),
    )  # fmt: skip

    async def opened() -> VoteStore:
        return votes

    app = create_app(settings, opened)
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"http://{shown}:{port}/", flush=True)
    if generated:
        print(f"token: {token}", flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = _server_class()(config)
    await server.serve(sockets=[listener])
    sys.stdout.flush()
    return EXIT_INTERRUPTED if signal.SIGINT in server.stopped_by else 0


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, stopped cleanly by SIGINT or SIGTERM (requests in flight finish,
        runs going on are cancelled, the vote store is closed) without raising the signal
        again afterwards, so the exit status is ours: 130 after SIGINT, 0 after SIGTERM."""

        stopped_by: list[int]

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            self.stopped_by = []
            handled = (signal.SIGINT, signal.SIGTERM)
            original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            self.stopped_by.append(sig)
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    return Server
