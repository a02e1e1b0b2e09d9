"""`--batch` on run and rerun, and `panel batches`: large reruns through the batch APIs."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from panel.cli import values
from panel.cli.terminal import out, shown_path
from panel.errors import InputError
from panel.paths import path_argument
from panel.secrets import redact
from panel.urls import public_url

# The CLI's parser imports this module on every start: the commands import what they use.
if TYPE_CHECKING:
    from rich.console import Console

    from panel.providers.base import Provider
    from panel.providers.batch import BatchState
    from panel.providers.batch_ledger import BatchLedger
    from panel.providers.registry import ModelChoice

LEDGER = "batches"
MAX_POLL_SECONDS = 3600  # a batch ends within a day: a look an hour at least


def add_batch_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--batch",
        action="store_true",
        help="send every cell through the provider's batch API (half price; may take hours)",
    )
    command.add_argument(
        "--reask-live",
        action="store_true",
        help="with --batch: ask a reply that failed validation again at once, streaming, "
        "instead of in a follow-up batch",
    )
    command.add_argument(
        "--poll-every",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="with --batch: the longest wait between two looks at a batch (default 30)",
    )


def add_batches_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    batches = commands.add_parser("batches", help="list the batches panel submitted, or cancel one")
    batches.add_argument("action", nargs="?", choices=["list", "cancel"], default="list")
    batches.add_argument("batch_id", nargs="?", help="with cancel: the batch to cancel")
    batches.add_argument("--cache-dir", type=path_argument, default=Path("cache"))
    batches.add_argument(
        "--model", help="PROVIDER:MODEL whose API to ask (default: from the entry)"
    )
    batches.add_argument(
        "--base-url",
        type=values.base_url,
        help="API base URL (default: the one the batch went to)",
    )
    batches.set_defaults(handler=_batches)


def batch_cache_ttl(args: argparse.Namespace) -> Literal["5m", "1h"]:
    """A batch can outlast five minutes: the one-hour prompt cache unless the flag says so."""
    if args.cache_ttl in ("5m", "1h"):
        return cast(Literal["5m", "1h"], args.cache_ttl)
    return "1h" if getattr(args, "batch", False) else "5m"


def batching(
    provider: Provider, args: argparse.Namespace, console: Console, endpoint: str
) -> Provider:
    """The provider wrapped so its cells go out as batches, with progress on the console."""
    from panel.providers.batch import BatchingProvider
    from panel.providers.batch_ledger import BatchLedger
    from panel.providers.registry import batch_api_for

    if not 0 < args.poll_every <= MAX_POLL_SECONDS:  # its waits double up to it: inf is forever
        raise InputError(
            f"--poll-every: must be a positive number of seconds up to {MAX_POLL_SECONDS}, "
            f"not {args.poll_every}"
        )

    def progress(state: BatchState, elapsed: float) -> None:
        console.print(_progress_line(state, elapsed), markup=False)

    return BatchingProvider(
        provider,
        batch_api_for(provider),
        BatchLedger(args.cache_dir / LEDGER),
        poll_every=args.poll_every,
        on_progress=progress,
        on_note=lambda text: console.print(f"note: {text}", markup=False),
        live=provider if args.reask_live else None,
        endpoint=endpoint,
    )


def endpoint_of(choice: ModelChoice, base_url: str | None) -> str:
    """Where the batch goes, without credentials: it is written to the ledger."""
    variable = {"anthropic": "ANTHROPIC_BASE_URL", "openai": "OPENAI_BASE_URL"}.get(choice.provider)
    url = base_url or (os.environ.get(variable) if variable else None) or ""
    return public_url(url) if url else ""


def _progress_line(state: BatchState, elapsed: float) -> str:
    total = max(state.total, 1)
    filled = round(20 * state.done / total)
    bar = "#" * filled + "." * (20 - filled)
    line = (
        f"batch {state.batch_id} [{bar}] {state.done}/{state.total} done, {state.failed} failed, "
        f"{_duration(elapsed)} elapsed ({state.status})"
    )
    if 0 < state.done < state.total:
        line += f", expected finish in about {_duration(elapsed * (state.total / state.done - 1))}"
    return line


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{rest:02d}s"


def _batches(args: argparse.Namespace, console: Console) -> int:
    from panel.providers.batch_ledger import BatchLedger

    ledger = BatchLedger(args.cache_dir / LEDGER)
    if args.action == "cancel":
        return _cancel(args, ledger, console)
    entries = ledger.entries()
    for path in ledger.unreadable:
        console.print(
            f"warning: {shown_path(path)}: not a batch entry panel can read", markup=False
        )
    if not entries:
        out(f"no batches in {shown_path(ledger.folder)}/")
    for entry in entries:  # a ledger can be written by hand: every field is shown cleaned
        state = "collected" if entry.collected else "pending"
        where = f" at {public_url(entry.endpoint)}" if entry.endpoint else ""
        out(
            f"{entry.batch_id}  {entry.provider}:{entry.model}{where}  "
            f"{len(entry.requests)} requests  submitted {entry.submitted_at}  {state}",
            one_line=True,
        )
    return 0


def _cancel(args: argparse.Namespace, ledger: BatchLedger, console: Console) -> int:
    import asyncio

    from panel.providers.registry import batch_api_for, build_provider, choose_model
    from panel.urls import check_base_url

    if not args.batch_id:
        raise InputError("batches cancel: name the batch to cancel (see 'panel batches')")
    entry = ledger.find(args.batch_id)
    if entry is None and not args.model:
        raise InputError(
            f"batches cancel: {args.batch_id!r} is not in {ledger.folder}/ (give --model to "
            "cancel a batch panel did not submit from here)"
        )
    model = args.model if entry is None or args.model else f"{entry.provider}:{entry.model}"
    choice: ModelChoice = choose_model(model)
    base_url = args.base_url or (entry.endpoint if entry and entry.endpoint else None)
    if base_url is not None and not args.base_url:  # the ledger's, not a flag: named as such
        try:
            check_base_url(base_url, "endpoint")
        except InputError as exc:
            raise InputError(
                f"batches cancel: batch {args.batch_id!r} in {ledger.folder}/ has an "
                f"{exc.detail}; give --base-url"
            ) from exc
    provider = build_provider(choice, base_url=base_url)

    async def cancel() -> BatchState:
        try:
            return await batch_api_for(provider).cancel(args.batch_id)
        finally:
            await provider.aclose()

    state = asyncio.run(cancel())
    console.print(redact(f"batch {state.batch_id}: {state.status}"), markup=False)
    return 0
