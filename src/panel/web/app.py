"""The ASGI app: routes, error handling (one JSON line, never a traceback) and start-up."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from panel.errors import InputError, PanelError
from panel.web import api, pages
from panel.web.desk import MAX_BODY_BYTES, Desk, ServeSettings, VoteStore
from panel.web.edits import Conflict
from panel.web.security import SecurityHeaders

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("panel.serve")


def create_app(
    settings: ServeSettings, open_votes: Callable[[], Awaitable[VoteStore]]
) -> Starlette:
    """The app; the vote store is opened on start-up, in the loop that serves (a database
    connection belongs to one loop), and closed on shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        desk = Desk(settings, await open_votes())
        app.state.desk = desk
        try:
            yield
        finally:  # runs going on are cancelled; what they finished is in the response cache
            await desk.live.close()
            await desk.votes.close()

    routes = [
        Route("/", pages.index_page),
        Route("/favicon.ico", _no_icon),
        Route("/new", pages.new_page),
        Route("/runs/{run_id}/", pages.run_page),
        Route("/api/runs", api.list_runs, methods=["GET"]),
        Route("/api/runs", api.post_run, methods=["POST"]),
        Route("/api/cards", api.list_cards),
        Route("/api/runs/{run_id}", api.get_run),
        Route("/api/runs/{run_id}/votes", api.get_votes, methods=["GET"]),
        Route("/api/runs/{run_id}/votes", api.post_vote, methods=["POST"]),
        Route("/api/runs/{run_id}/overrides", api.get_overrides, methods=["GET"]),
        Route("/api/runs/{run_id}/overrides", api.post_override, methods=["POST"]),
        Route("/api/runs/{run_id}/overrides", api.delete_override, methods=["DELETE"]),
        Route("/api/runs/{run_id}/events", api.run_events),
        Route("/api/runs/{run_id}/cancel", api.cancel_run, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                SecurityHeaders,
                max_body=MAX_BODY_BYTES,
                allowed_origins=settings.allowed_origins,
                hosts=settings.hosts,
            )
        ],
        exception_handlers={
            HTTPException: _http_error,
            PanelError: _panel_error,
            Conflict: _conflict,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    return app


async def _no_icon(request: Request) -> Response:
    return Response(status_code=204)  # browsers ask for one; a 404 would be noise in their logs


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    line = " ".join(message.split())[:500] or "error"
    return JSONResponse({"error": line}, status_code=status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error(exc.status_code, exc.detail, dict(exc.headers or {}))


async def _panel_error(request: Request, exc: Exception) -> Response:
    """A bad input is the client's (400); a run that cannot start is a conflict (409).
    Server paths are shown relative to the runs folder."""
    root = str(request.app.state.desk.index.root) + "/"
    message = str(exc).replace(root, "")
    return error(400 if isinstance(exc, InputError) else 409, message)


async def _conflict(request: Request, exc: Exception) -> Response:
    return error(409, str(exc))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error(500, "internal error; the server's log has the details")
