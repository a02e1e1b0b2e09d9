"""The flags of `panel run` and `panel rerun`."""

from __future__ import annotations

import argparse
from pathlib import Path

from panel.cli import values
from panel.paths import path_argument


def add_run_options(command: argparse.ArgumentParser, *, rerun: bool = False) -> None:
    from panel.cli.batches import add_batch_options

    if rerun:
        command.add_argument(
            "-m", "--model", action="append", metavar="MODEL",
            help="rerun with this model (repeat for several: each its own run, one cache)",
        )  # fmt: skip
    else:
        command.add_argument(
            "-m", "--model", metavar="MODEL",
            help="PROVIDER:MODEL, a bare model name (gpt-5-mini, claude-sonnet-4-5) or offline",
        )  # fmt: skip
    command.add_argument(
        "--base-url",
        type=values.base_url,
        help="API base URL (a gateway, an emulator, a compatible server)",
    )
    if not rerun:
        command.add_argument(
            "--personas", help="comma-separated persona ids (default: the default panel)"
        )
        command.add_argument(
            "--panel", type=path_argument, help="a panel file whose personas to use"
        )
        command.add_argument("--personas-dir", type=path_argument, help="where persona files live")
        command.add_argument(
            "--prompts-dir", type=path_argument, help="where prompt templates live"
        )
        command.add_argument(
            "--title", type=values.title, help="the comparison's title (at most 200 characters)"
        )
        command.add_argument(
            "--max-tokens",
            type=values.positive_int,
            help="output token limit per call (default: sized from the output schema)",
        )
    command.add_argument(
        "--out", type=path_argument, help="output folder (default: panel-out/<tools>)"
    )
    command.add_argument(
        "--quiet", action="store_true", help="plain lines instead of the live grid"
    )
    command.add_argument(
        "--concurrency",
        type=values.positive_int,
        default=8,
        help="cells in flight at once (default 8)",
    )
    command.add_argument(
        "--no-warm-up", action="store_true", help="fire every cell at once into a cold cache"
    )
    command.add_argument("--refresh", action="store_true", help="ignore the response cache")
    command.add_argument(
        "--cache-dir",
        type=path_argument,
        default=Path("cache"),
        help="response cache (default cache/)",
    )
    command.add_argument(
        "--cache-ttl",
        choices=["5m", "1h"],
        help="prompt-cache lifetime (Claude; default 5m, 1h with --batch)",
    )
    command.add_argument(
        "--cache-retention",
        choices=["30m"],
        help="prompt_cache_options.ttl (OpenAI, gpt-5.6 and later)",
    )
    command.add_argument(
        "--compat",
        action="store_true",
        help="send an OpenAI-compatible server only the common subset of chat completions",
    )
    command.add_argument(
        "--max-cost",
        type=values.positive_dollars,
        help="a bound on dollars spent: a call starts when what it likely costs fits, and a "
        "stream is stopped (and its cost counted) before it passes the limit",
    )
    command.add_argument(
        "--votes",
        type=path_argument,
        metavar="FILE",
        help="community votes: CSV or JSON of tool,ship,skip",
    )
    add_batch_options(command)
    command.add_argument(
        "--samples",
        type=values.positive_int,
        help="ask each cell K times; its verdict is the majority (default 1"
        + (", or the record's)" if rerun else ")"),
    )
    command.add_argument(
        "--grader",
        metavar="MODEL",
        help="a small model of the run's provider that reads each quote's call after the rules; "
        "`none` turns it off (default: claude-haiku-4-5 or gpt-5-nano with a key, none offline)",
    )
    command.add_argument(
        "--balance-order",
        action="store_true",
        help="ask each cell with the tools in both orders and report verdicts that flip",
    )
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="render every prompt, count tokens and print the expected and worst-case cost; "
        "no model call",
    )
    command.add_argument(
        "--json",
        action="store_true",
        help="NDJSON events on standard output, one per line (with --dry-run: one JSON object)",
    )
    command.add_argument(
        "--yes", action="store_true", help="run even when --max-cost is below the worst case"
    )
    command.add_argument(
        "--offline-delay", type=values.seconds, default=0.02, help=argparse.SUPPRESS
    )
