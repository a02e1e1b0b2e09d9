"""The HTML pages: the runs index, a run's page (the page `panel render` writes, with the
desk's script), and the form for a new panel. Every value is escaped by the templates."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from anyio import to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from panel.inputs.loading import load_personas
from panel.record.overrides import edited_record
from panel.report.render import LivePage, render_html, template_environment, without_controls
from panel.web.api import desk_of, run_of, with_voter
from panel.web.new_run import card_files

PAGE_SIZE = 50


@cache
def _environment() -> jinja2.Environment:
    """The desk's template environment (the one the run pages and the digest use), made at the
    first page, not at import (where the compiled templates are kept is read then)."""
    return template_environment(html=True)


def _page(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(without_controls(_environment().get_template(name).render(**context)))


async def index_page(request: Request) -> Response:
    desk = desk_of(request)
    text = request.query_params.get("page", "1")
    if not (len(text) < 12 and text.isascii() and text.isdigit()) or not 1 <= int(text) <= 10**6:
        raise HTTPException(400, "page: a whole number from 1")
    number = int(text)
    entries = await to_thread.run_sync(desk.index.entries)
    page = entries[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    runs = await to_thread.run_sync(lambda: [desk.index.summary(entry) for entry in page])
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    going = [
        {"id": run_id, "title": live.events[0].get("title", run_id) if live.events else run_id}
        for run_id, live in desk.live.runs.items()
        if not live.done
    ]
    return _page(
        "serve_index.html.j2",
        going=going,
        runs=[run for run in runs if run is not None],
        unreadable=sum(1 for run in runs if run is None),
        total=len(entries),
        page=number,
        pages=pages,
    )


async def run_page(request: Request) -> Response:
    entry, desk = run_of(request), desk_of(request)
    votes = await desk.community(entry.run_id)
    record = await to_thread.run_sync(edited_record, entry.folder, votes)
    page = HTMLResponse(await to_thread.run_sync(render_html, record, LivePage()))
    return with_voter(request, page)


async def new_page(request: Request) -> Response:
    desk = desk_of(request)
    personas = await to_thread.run_sync(load_personas)
    return _page(
        "serve_new.html.j2",
        card_files=card_files(desk.settings.cards_dir),
        personas=sorted(personas.values(), key=lambda p: (not p.default_panel, p.id)),
    )
