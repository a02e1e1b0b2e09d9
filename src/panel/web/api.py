"""The JSON API: runs, a run's record, votes, overrides and new runs (README: the desk)."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from panel.errors import InputError
from panel.files import parse_json, validate_as
from panel.models import Override
from panel.record.overrides import edited_record
from panel.web.desk import MAX_BODY_BYTES, MAX_VOTE_BYTES, Desk
from panel.web.edits import read_overrides, remove_override, save_override
from panel.web.live import event_stream
from panel.web.new_run import card_files, spec_from_request
from panel.web.runs_index import RunEntry
from panel.web.security import VOTER_COOKIE, VOTER_HEADER, check_origin, require_editor

MAX_PAGE = 200
YEAR = 365 * 86400
VOTES = ("ship", "skip")


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def run_of(request: Request) -> RunEntry:
    desk, run_id = desk_of(request), request.path_params["run_id"]
    entry = desk.index.find(run_id)
    if entry is None:
        live = desk.live.runs.get(run_id)
        if live is not None and not live.done:
            raise HTTPException(409, f"run {run_id} is still going; follow its events")
        raise HTTPException(404, "no such run")
    return entry


async def json_body(request: Request, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > limit:
        raise HTTPException(413, f"request body over {limit:,} bytes")
    try:
        data = parse_json(raw.decode("utf-8"), "request body")
    except UnicodeDecodeError as exc:
        raise InputError("request body: not UTF-8") from exc
    if not isinstance(data, dict):
        raise InputError("request body: a JSON object")
    return data


def _editor(request: Request) -> Desk:
    desk = desk_of(request)
    check_origin(request)
    require_editor(request, desk.settings.token)
    return desk


def _if_match(request: Request) -> str | None:
    """The version an `If-Match` header names (an ETag is quoted)."""
    value = request.headers.get("if-match")
    return value.strip().strip('"') if value else None


def _bounded(request: Request, name: str, default: int, most: int) -> int:
    text = request.query_params.get(name, str(default))
    if not (len(text) < 12 and text.isascii() and text.isdigit()) or int(text) > most:
        raise InputError(f"{name}: a whole number from 0 to {most}")
    return int(text)


async def list_runs(request: Request) -> Response:
    desk = desk_of(request)
    limit = _bounded(request, "limit", 50, MAX_PAGE)
    offset = _bounded(request, "offset", 0, 10**9)
    page = (await to_thread.run_sync(desk.index.entries))[offset : offset + limit]
    summaries = await to_thread.run_sync(lambda: [desk.index.summary(entry) for entry in page])
    return JSONResponse([summary for summary in summaries if summary is not None])


async def get_run(request: Request) -> Response:
    entry, desk = run_of(request), desk_of(request)
    votes = await desk.community(entry.run_id)
    record = await to_thread.run_sync(edited_record, entry.folder, votes)
    return JSONResponse(record.model_dump(mode="json"))


async def get_votes(request: Request) -> Response:
    entry, desk = run_of(request), desk_of(request)
    return with_voter(request, JSONResponse({"tools": await _counts(desk, entry)}))


def voter_of(request: Request) -> str | None:
    """The reader's id: the cookie, or the header a page published on another site sends."""
    voters = desk_of(request).voters
    cookie = voters.check(request.cookies.get(VOTER_COOKIE))
    return cookie or voters.check(request.headers.get(VOTER_HEADER))


def with_voter(request: Request, response: Response) -> Response:
    """The response, with a reader id cookie if the reader has none yet: readers who read
    before voting each get their own rate limit (a vote without one shares its address's)."""
    desk = desk_of(request)
    if voter_of(request) is None:
        _give_voter(request, response, desk.voters.issue())
    return response


def _give_voter(request: Request, response: Response, issued: str) -> None:
    """The reader's id as a cookie (Secure when the desk is reached over HTTPS, a proxy's
    forwarded scheme included) and in a header for pages published on another site."""
    secure = request.url.scheme == "https"
    response.set_cookie(
        VOTER_COOKIE, issued, max_age=YEAR, httponly=True, samesite="lax", secure=secure
    )
    response.headers[VOTER_HEADER] = issued


async def _counts(desk: Desk, entry: RunEntry) -> dict[str, dict[str, int]]:
    # A record rewritten since it was last read is parsed again: off the event loop.
    summary = await to_thread.run_sync(desk.index.summary, entry) or {"tools": []}
    counts = await desk.votes.counts(entry.run_id)
    return {tool: counts.get(tool, {"ship": 0, "skip": 0}) for tool in summary["tools"]}


async def post_vote(request: Request) -> Response:
    entry, desk = run_of(request), desk_of(request)
    check_origin(request, desk.settings.allowed_origins)
    voter = voter_of(request)
    client = request.client.host if request.client else "unknown"
    wait = desk.limit.take(f"{client} {voter or ''}")
    if wait:
        raise HTTPException(
            429, f"too many votes; try again in {wait:.1f} s", {"retry-after": str(int(wait) + 1)}
        )
    body = await json_body(request, MAX_VOTE_BYTES)
    tool, vote = body.get("tool"), body.get("vote")
    summary = await to_thread.run_sync(desk.index.summary, entry)
    if vote not in VOTES or set(body) != {"tool", "vote"}:
        raise InputError('a vote is {"tool": TOOL_ID, "vote": "ship" or "skip"}')
    if summary is None or tool not in summary["tools"]:
        raise InputError(f"tool: {tool!r} is not in this run")
    issued = None
    if voter is None:
        issued = desk.voters.issue()
        voter = desk.voters.check(issued)
    counts = await desk.votes.cast(entry.run_id, str(tool), str(voter), vote)
    response = JSONResponse({"tool": tool, **counts})
    if issued:
        _give_voter(request, response, issued)
    return response


async def get_overrides(request: Request) -> Response:
    entry = run_of(request)
    current = await to_thread.run_sync(read_overrides, entry.folder)
    return JSONResponse({"version": current.version, "text": current.text})


async def post_override(request: Request) -> Response:
    desk = _editor(request)
    entry = run_of(request)
    body = await json_body(request)
    seen = body.pop("version", None) or _if_match(request)
    if seen is not None and not isinstance(seen, str):
        raise InputError("version: the text GET /api/runs/RUN_ID/overrides gave")
    override = validate_as(Override, body, "override")
    async with desk.lock(entry.folder):
        votes = await desk.community(entry.run_id)
        cell = await to_thread.run_sync(save_override, entry.folder, override, seen, votes)
    return JSONResponse(cell)


async def delete_override(request: Request) -> Response:
    desk = _editor(request)
    entry = run_of(request)
    tool, persona = request.query_params.get("tool"), request.query_params.get("persona")
    if not tool or not persona:
        raise InputError("name the cell: ?tool=TOOL_ID&persona=PERSONA_ID")
    seen = request.query_params.get("version") or _if_match(request)
    async with desk.lock(entry.folder):
        votes = await desk.community(entry.run_id)
        removed = await to_thread.run_sync(
            remove_override, entry.folder, persona, tool, seen, votes
        )
    if removed is None:
        raise HTTPException(404, f"{persona} × {tool} has no edit to undo")
    return JSONResponse(removed)


async def post_run(request: Request) -> Response:
    desk = _editor(request)
    body = await json_body(request)
    spec, choice = await to_thread.run_sync(spec_from_request, body, desk.settings.cards_dir)
    run_id = desk.live.start(spec, choice)  # on the loop: it starts the run's task
    return JSONResponse({"id": run_id}, status_code=202)


async def cancel_run(request: Request) -> Response:
    desk = _editor(request)
    if not desk.live.cancel(request.path_params["run_id"]):
        raise HTTPException(404, "no run going on with this id")
    return JSONResponse({"cancelled": request.path_params["run_id"]})


async def run_events(request: Request) -> Response:
    live = desk_of(request).live.runs.get(request.path_params["run_id"])
    if live is None:
        raise HTTPException(404, "no run started by this server has this id")
    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(event_stream(live), media_type="text/event-stream", headers=headers)


async def list_cards(request: Request) -> Response:
    desk = desk_of(request)
    return JSONResponse({"files": card_files(desk.settings.cards_dir)})
