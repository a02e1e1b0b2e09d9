"""The editor's commands: rebuild a run's pages with overrides and votes, publish a digest."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from panel.cli.terminal import shown_path
from panel.errors import InputError
from panel.paths import path_argument

# The CLI's parser imports this module on every start: the commands import what they use.
if TYPE_CHECKING:
    from rich.console import Console

    from panel.models import CommunityVote
    from panel.report.digest import Run
    from panel.report.render import LivePage


def add_editor_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    render = commands.add_parser(
        "render", help="rebuild a run's pages from its record, with overrides and votes"
    )
    render.add_argument("run", type=path_argument, help="a run folder, or its record.json")
    render.add_argument(
        "--votes", type=path_argument, metavar="FILE", help="community votes (CSV or JSON)"
    )
    _add_server_options(render)
    render.set_defaults(handler=_render, bounded=True)  # one record, two pages

    view = commands.add_parser("view", help="open a run's page in a browser, or print its path")
    view.add_argument("run", type=path_argument, help="a run folder, or its record.json")
    view.set_defaults(handler=_view)

    digest = commands.add_parser(
        "digest", help="build a static site of runs: index, weekly digest, Atom feed"
    )
    digest.add_argument(
        "runs_dir", type=path_argument, metavar="RUNS_DIR", help="where the runs are"
    )
    digest.add_argument(
        "--out", type=path_argument, required=True, metavar="SITE", help="site folder"
    )
    digest.add_argument(
        "--since", default="7d", help="the digest's period: 36h, 7d, 2w (default 7d)"
    )
    digest.add_argument("--site-url", help="where the site is published (absolute feed links)")
    _add_server_options(digest)
    digest.set_defaults(handler=_digest)


def _add_server_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--db", metavar="URL", help="readers' votes from a panel serve database too "
        "(sqlite:///PATH or postgresql://...), counted with --votes",
    )  # fmt: skip
    command.add_argument(
        "--vote-server", metavar="URL",
        help="a panel serve URL the published pages send readers' votes to",
    )  # fmt: skip


def _live_page(args: argparse.Namespace) -> LivePage | None:
    from panel.report.render import vote_server_page

    return vote_server_page(args.vote_server) if args.vote_server else None


def _vote_files(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The files render and digest read votes from: --votes, and a SQLite --db."""
    found = [("--votes", Path(args.votes))] if getattr(args, "votes", None) else []
    if getattr(args, "db", None):
        from panel.web.db_url import parse_db_url

        database = parse_db_url(args.db).sqlite_path
        found += [("--db", database)] if database is not None else []
    return found


def run_folder(path: Path) -> Path:
    """The folder of a run named by its folder (or a pointer to it) or by its record file."""
    from panel.record.store import LATEST, RECORD, latest_target

    folder = path.parent if path.name == RECORD and not path.is_dir() else path
    if folder.name == LATEST and folder.is_symlink():  # only a pointer to a run beside it
        folder = latest_target(folder.parent)
    if not (folder / RECORD).is_file():
        raise InputError(f"not a run folder (no {RECORD})", source=str(path))
    return folder.resolve()


def _render(args: argparse.Namespace, console: Console) -> int:
    from panel.files import folder_lock
    from panel.record.store import RECORD
    from panel.record.votes import load_votes
    from panel.report.output import HTML, MARKDOWN
    from panel.report.run_folders import check_apart

    folder = run_folder(args.run)
    live = _live_page(args)  # every flag checked before anything is read or written
    for name in (RECORD, MARKDOWN, HTML):  # render replaces these: none may be what it reads
        check_apart(folder / name, _vote_files(args), source=f"{args.run}: {name}")
    votes = load_votes(args.votes) if args.votes else None
    with folder_lock(folder):  # an editor saving on the desk waits, and is never undone
        written, edited = _republish_with(folder, args, votes, live, console)
    console.print(
        f"{edited} edited cell{'s' if edited != 1 else ''}; no model was called", markup=False
    )
    console.print(f"wrote {', '.join(shown_path(path) for path in written)}", markup=False)
    return 0


def _republish_with(
    folder: Path,
    args: argparse.Namespace,
    votes: dict[str, CommunityVote] | None,
    live: LivePage | None,
    console: Console,
) -> tuple[list[Path], int]:
    """The run's pages rebuilt from its record, overrides and votes: the files and edited cells."""
    from panel.record.overrides import edited_record
    from panel.record.votes import apply_votes, combined, votes_for_none
    from panel.report.republish import republish

    record = edited_record(folder)
    tools = [tool.id for tool in record.tools]
    unused = votes_for_none(shown_path(args.votes), votes, tools) if votes else None
    if unused:
        console.print(f"warning: {unused}", markup=False)
    if args.db:
        from panel.web.votes_db import read_votes

        votes = combined(votes, read_votes(args.db, record.run_id))
    if votes:
        record = apply_votes(record, votes)
    edited = sum(cell.override is not None for cell in record.cells)
    return republish(folder, record, live), edited


def _digest(args: argparse.Namespace, console: Console) -> int:
    from panel.report.digest import (
        FEED,
        INDEX,
        WEEKLY,
        build_site,
        built_pages,
        find_runs,
        parse_since,
    )
    from panel.report.render import safe_url
    from panel.report.run_folders import check_apart
    from panel.urls import public_url, refuse_credentials

    since = parse_since(args.since)
    # The site folder is replaced whole: it must not be, hold or sit inside what it reads.
    inputs = [("the runs folder", args.runs_dir), *_vote_files(args)]
    check_apart(args.out, inputs, source=f"--out {args.out}")
    site_url = args.site_url
    if site_url is not None and safe_url(site_url) is None:
        raise InputError(f"--site-url: {public_url(site_url)!r} is not an http(s) URL")
    if site_url is not None:  # it is written into feed.xml for every reader to see
        refuse_credentials(site_url, "--site-url")
    live = _live_page(args)

    def warn(line: str) -> None:
        console.print(line, markup=False)

    known = built_pages(args.out, live)  # what the site was built from: only changes are rebuilt
    runs = find_runs(args.runs_dir, warn, known)
    if args.db:
        runs = _with_database_votes(runs, args.db)
    now = datetime.now(UTC)
    site = build_site(
        runs, args.out, since=since, now=now, site_url=site_url, live=live, known=known, warn=warn
    )
    recent = sum(run.record.created_at >= now - since for run in site.runs)
    console.print(
        f"{len(site.runs)} run(s), {recent} in the digest, {site.rendered} page(s) rendered; "
        f"wrote {shown_path(site.path / INDEX)}, {WEEKLY}, {FEED}",
        markup=False,
    )
    return 0


def _with_database_votes(runs: list[Run], url: str) -> list[Run]:
    """Each run with its readers' votes from the database counted beside the record's own."""
    from dataclasses import replace

    from panel.record.votes import apply_votes, combined
    from panel.web.votes_db import read_many_votes

    by_run = read_many_votes(url, [run.record.run_id for run in runs])
    updated = []
    for run in runs:
        votes = combined(
            {tool: v for tool, v in run.record.community_votes.items() if v is not None},
            by_run.get(run.record.run_id),
        )
        record = apply_votes(run.record, votes) if votes else run.record
        updated.append(replace(run, record=record))
    return updated


def _view(args: argparse.Namespace, console: Console) -> int:
    """The page's path on standard output; on a terminal with a browser, the page opened too."""
    import sys
    import webbrowser

    from panel.cli.terminal import out
    from panel.report.output import HTML

    page = run_folder(args.run) / HTML
    if not page.is_file():
        raise InputError(f"no {HTML} in this run folder", source=str(args.run))
    out(shown_path(page))
    if sys.stdout.isatty():
        try:
            opened = webbrowser.get().open(page.as_uri())
        except webbrowser.Error:
            opened = False
        if not opened:
            console.print("no browser found: open the path above", markup=False)
    return 0
