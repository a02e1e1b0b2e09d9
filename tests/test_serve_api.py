"""`panel serve`'s JSON API in process: every route of the contract, the editor's token,
cross-site refusals, the CSP header, body limits, ids that cannot reach outside the runs
folder, two editors on one run, undo, and one-line errors (never a traceback)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from httpx2 import Response
from starlette.testclient import TestClient

from panel.models import Record
from panel.record.overrides import OVERRIDES
from panel.record.store import load_record
from tests import pg
from tests.serve_support import EDITOR, TOKEN, a_record, desk_client, write_runs

TOOL, OTHER, PERSONA = "claude-api-streaming-caching", "modal-gpu-inference", "skeptic"


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Record:
    return a_record(tmp_path_factory.mktemp("record"))


@pytest.fixture
def runs(tmp_path: Path, record: Record) -> Path:
    write_runs(tmp_path / "runs", record, 3)
    return tmp_path / "runs"


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest, runs: Path) -> Iterator[TestClient]:
    """The same vote and edit tests on both databases (PostgreSQL: a real server, tests/pg.py)."""
    url = None
    if request.param == "postgresql":
        url = pg.fresh_schema_url(request.getfixturevalue("postgres_url"))
    with desk_client(runs, url, vote_burst=1000) as client:
        yield client


def folder_of(runs: Path, run_id: str) -> Path:
    return next(
        path.parent for path in runs.rglob("record.json") if run_id in path.read_text()[:200]
    )


def test_the_index_is_newest_first_and_paginated(client: TestClient) -> None:
    runs = client.get("/api/runs").json()
    assert [run["id"] for run in runs] == ["run00002", "run00001", "run00000"]
    first = runs[0]
    assert first["tools"] == [TOOL, OTHER] and first["model"] == "offline:offline"
    assert set(first["ship_pct"]) == {TOOL, OTHER} and first["edited"] is False
    assert [r["id"] for r in client.get("/api/runs?limit=1&offset=1").json()] == ["run00001"]
    bad = client.get("/api/runs?limit=-1")
    assert bad.status_code == 400 and bad.json() == {"error": "limit: a whole number from 0 to 200"}


def test_a_new_run_folder_joins_the_index(client: TestClient, runs: Path, record: Record) -> None:
    assert len(client.get("/api/runs").json()) == 3
    write_runs(runs, record, 1, group="h", prefix="new")
    assert len(client.get("/api/runs").json()) == 4


def test_a_run_is_its_record_with_votes_applied(client: TestClient) -> None:
    client.post("/api/runs/run00001/votes", json={"tool": TOOL, "vote": "ship"})
    record = client.get("/api/runs/run00001").json()
    assert record["run_id"] == "run00001"
    assert record["community_votes"][TOOL]["ship"] == 1
    assert record["community_votes"][OTHER] is None


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/nope",
        "/api/runs/..%2F..%2Fetc",
        "/api/runs/%2e%2e",
        "/runs/..%2Fg/",
        "/api/runs/run00001%00/votes",
        "/runs/" + "a" * 300 + "/",
    ],
)
def test_unknown_and_hostile_ids_are_404(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.json() == {"error": "no such run"} or "Not Found" in answer.text


def test_a_run_linked_from_outside_the_runs_folder_is_not_served(
    tmp_path: Path, record: Record
) -> None:
    outside = tmp_path / "outside"
    write_runs(outside, record.model_copy(update={"run_id": "secret"}), 1)
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "linked").symlink_to(outside / "g", target_is_directory=True)
    with desk_client(runs) as client:
        assert client.get("/api/runs").json() == []
        assert client.get("/api/runs/run00000").status_code == 404


def test_a_desk_reached_over_https_gives_a_secure_cookie(client: TestClient) -> None:
    url = "https://127.0.0.1:8765/api/runs/run00002/votes"
    answer = client.post(url, json={"tool": TOOL, "vote": "ship"})
    assert answer.status_code == 200 and "Secure" in answer.headers["set-cookie"]
    client.cookies.clear()
    read = client.get("https://127.0.0.1:8765/api/runs/run00002/votes")
    assert "Secure" in read.headers["set-cookie"]


def test_a_vote_is_counted_once_per_reader_and_replaced(client: TestClient) -> None:
    first = client.post("/api/runs/run00002/votes", json={"tool": TOOL, "vote": "ship"})
    assert first.json() == {"tool": TOOL, "ship": 1, "skip": 0}
    cookie = first.headers["set-cookie"]
    assert "panel_voter=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1: a Secure cookie would be dropped
    again = client.post("/api/runs/run00002/votes", json={"tool": TOOL, "vote": "skip"})
    assert again.json() == {"tool": TOOL, "ship": 0, "skip": 1}
    client.cookies.clear()  # another reader
    client.post("/api/runs/run00002/votes", json={"tool": TOOL, "vote": "skip"})
    counts = client.get("/api/runs/run00002/votes").json()
    assert counts == {"tools": {TOOL: {"ship": 0, "skip": 2}, OTHER: {"ship": 0, "skip": 0}}}


def test_a_forged_voter_cookie_is_a_new_reader(client: TestClient) -> None:
    client.cookies.set("panel_voter", "someone.0000")
    answer = client.post("/api/runs/run00002/votes", json={"tool": TOOL, "vote": "ship"})
    assert answer.status_code == 200 and "panel_voter=" in answer.headers["set-cookie"]


@pytest.mark.parametrize(
    "body",
    [{"tool": "nope", "vote": "ship"}, {"tool": TOOL, "vote": "maybe"}, {"tool": TOOL}, [1]],
)
def test_a_bad_vote_is_one_line_400(client: TestClient, body: object) -> None:
    answer = client.post("/api/runs/run00002/votes", json=body)
    assert answer.status_code == 400 and list(answer.json()) == ["error"]
    assert client.get("/api/runs/run00002/votes").json()["tools"][TOOL] == {"ship": 0, "skip": 0}


def test_votes_are_rate_limited_per_client(runs: Path) -> None:
    vote = {"tool": TOOL, "vote": "ship"}
    with desk_client(runs, vote_burst=3, vote_rate=0.001) as client:
        # The first vote has no cookie (the address's bucket); the reader's own bucket follows.
        codes = [client.post("/api/runs/run00002/votes", json=vote).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        refused = client.post("/api/runs/run00002/votes", json=vote)
        assert (
            refused.json()["error"].startswith("too many votes") and refused.headers["retry-after"]
        )
    with desk_client(runs, vote_burst=3, vote_rate=0.001) as client:
        codes = []
        for _ in range(5):  # dropping the cookie each time does not buy new votes
            client.cookies.clear()
            codes.append(client.post("/api/runs/run00002/votes", json=vote).status_code)
        assert codes == [200, 200, 200, 429, 429]


def edit(client: TestClient, run_id: str = "run00002", **fields: object) -> Response:
    body = {"tool": TOOL, "persona": PERSONA, "verdict": "skip", "score": 3,
            "editor": "Ana", "reason": "the card's figure is wrong", **fields}  # fmt: skip
    return client.post(f"/api/runs/{run_id}/overrides", json=body, headers=EDITOR)


def test_an_edit_needs_the_token(client: TestClient, runs: Path) -> None:
    body = {"tool": TOOL, "persona": PERSONA, "verdict": "skip", "editor": "A", "reason": "r"}
    none = client.post("/api/runs/run00002/overrides", json=body)
    wrong = client.post(
        "/api/runs/run00002/overrides", json=body, headers={"authorization": "Bearer nope"}
    )
    assert (none.status_code, wrong.status_code) == (401, 403)
    assert not (folder_of(runs, "run00002") / OVERRIDES).exists()
    for path in ("/api/runs", "/api/runs/run00002/cancel"):
        assert client.post(path, json={}).status_code == 401
    assert client.delete("/api/runs/run00002/overrides?tool=a&persona=b").status_code == 401


def test_a_cross_site_write_is_refused_even_with_the_token(client: TestClient) -> None:
    headers = {**EDITOR, "origin": "https://evil.example"}
    body = {"tool": TOOL, "persona": PERSONA, "verdict": "skip", "editor": "A", "reason": "r"}
    answer = client.post("/api/runs/run00002/overrides", json=body, headers=headers)
    assert answer.status_code == 403 and "cross-site" in answer.json()["error"]
    vote = client.post(
        "/api/runs/run00002/votes", json={"tool": TOOL, "vote": "ship"}, headers=headers
    )
    assert vote.status_code == 403
    same = client.post(
        "/api/runs/run00002/overrides", json=body,
        headers={**EDITOR, "origin": "http://127.0.0.1:8765"},
    )  # fmt: skip
    assert same.status_code == 200


def test_an_edit_goes_to_overrides_toml_and_the_pages(client: TestClient, runs: Path) -> None:
    folder = folder_of(runs, "run00002")
    (folder / OVERRIDES).write_text("# Ana's notes on this run\n", encoding="utf-8")
    answer = edit(client)
    assert answer.status_code == 200
    cell = answer.json()
    assert cell["override"]["editor"] == "Ana" and cell["override"]["verdict"] == "skip"
    written = load_record(folder / "record.json")
    model_cell = next(c for c in written.cells if (c.persona, c.tool) == (PERSONA, TOOL))
    assert model_cell.verdict == cell["verdict"]  # the model's text kept beside the edit
    assert model_cell.override is not None and model_cell.edited().verdict_word == "skip"
    text = (folder / OVERRIDES).read_text()
    assert text.startswith("# Ana's notes on this run\n[[override]]")
    assert "edited by Ana" in (folder / "panel.html").read_text()
    assert "edited by Ana" in client.get("/runs/run00002/").text
    assert client.get("/api/runs").json()[0]["edited"] is True


def test_a_bad_edit_is_one_line_and_writes_nothing(client: TestClient, runs: Path) -> None:
    for fields, expected in (
        ({"score": 11}, "override: score: Input should be less than or equal to 10"),
        ({"persona": "nobody"}, "persona: 'nobody' is not on this panel"),
        ({"reason": ""}, "override: reason"),
    ):
        answer = edit(client, **fields)
        assert answer.status_code == 400, fields
        assert expected in answer.json()["error"] and "\n" not in answer.json()["error"]
    assert not (folder_of(runs, "run00002") / OVERRIDES).exists()


def test_two_editors_never_lose_an_edit(client: TestClient, runs: Path) -> None:
    version = client.get("/api/runs/run00002/overrides").json()["version"]
    first = edit(client, version=version, editor="Ana")
    assert first.status_code == 200
    second = edit(client, version=version, editor="Ben", persona="builder")
    assert second.status_code == 409 and "another editor saved" in second.json()["error"]
    blind = edit(client, editor="Ben")  # no version, over Ana's cell
    assert blind.status_code == 409 and "already edited" in blind.json()["error"]
    fresh = client.get("/api/runs/run00002/overrides").json()["version"]
    assert edit(client, version=fresh, editor="Ben", persona="builder").status_code == 200
    text = (folder_of(runs, "run00002") / OVERRIDES).read_text()
    assert 'editor = "Ana"' in text and 'editor = "Ben"' in text


def test_an_edit_is_undone(client: TestClient, runs: Path) -> None:
    folder = folder_of(runs, "run00002")
    before = (folder / "panel.html").read_text()
    version = edit(client).json()["version"]
    undo = client.delete(
        "/api/runs/run00002/overrides",
        params={"tool": TOOL, "persona": PERSONA, "version": version},
        headers=EDITOR,
    )
    assert undo.status_code == 200
    assert not (folder / OVERRIDES).exists()
    assert "edited by" not in (folder / "panel.html").read_text()
    assert (folder / "panel.html").read_text() == before
    again = client.delete(
        "/api/runs/run00002/overrides", params={"tool": TOOL, "persona": PERSONA}, headers=EDITOR
    )
    assert again.status_code == 404 and "no edit to undo" in again.json()["error"]


def test_every_response_carries_the_policy(client: TestClient) -> None:
    for path in ("/", "/new", "/runs/run00002/", "/api/runs", "/api/runs/nope", "/static/desk.js"):
        answer = client.get(path)
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy, path
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script_and_never_the_token(client: TestClient) -> None:
    for path in ("/", "/new", "/runs/run00002/"):
        page = client.get(path).text
        assert TOKEN not in page
        scripts = page.split("<script")[1:]
        assert scripts and all(' src="' in script.split(">")[0] for script in scripts), path
        assert all(script.split(">", 1)[1].startswith("</script>") for script in scripts)


def test_a_body_over_the_limit_is_413(client: TestClient) -> None:
    big = json.dumps({"cards": ["x" * (300 * 1024)]})
    answer = client.post(
        "/api/runs", content=big, headers={**EDITOR, "content-type": "application/json"}
    )
    assert answer.status_code == 413 and answer.json() == {"error": "request body over 256 KiB"}


def test_a_crash_is_one_json_line_without_a_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import panel.web.api as api

    def broken(*args: object) -> None:
        raise RuntimeError("secret detail in /srv/panel/runs")

    monkeypatch.setattr(api, "edited_record", broken)
    answer = client.get("/api/runs/run00001")
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal error; the server's log has the details"}


def test_a_token_from_the_settings_is_required_verbatim(runs: Path) -> None:
    with desk_client(runs) as client:
        near = {"authorization": f"Bearer {TOKEN[:-1]}"}
        assert client.post("/api/runs", json={}, headers=near).status_code == 403
        assert (
            client.post("/api/runs", json={}, headers={"authorization": TOKEN}).status_code == 401
        )


def test_a_body_without_a_length_is_bounded_too(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(300):
            yield b"x" * 1024

    answer = client.post(
        "/api/runs", content=chunks(), headers={**EDITOR, "content-type": "application/json"}
    )
    assert answer.status_code == 413 and answer.json() == {"error": "request body over 256 KiB"}


def test_a_published_page_on_an_allowed_site_may_vote_and_nothing_else(runs: Path) -> None:
    site = "https://reviews.example"
    with desk_client(runs, allowed_origins=(site,)) as client:
        preflight = client.options(
            "/api/runs/run00002/votes",
            headers={"origin": site, "access-control-request-method": "POST"},
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == site
        assert "x-panel-voter" in preflight.headers["access-control-allow-headers"]
        vote = {"tool": TOOL, "vote": "ship"}
        first = client.post("/api/runs/run00002/votes", json=vote, headers={"origin": site})
        assert first.status_code == 200 and first.headers["access-control-allow-origin"] == site
        voter = first.headers["x-panel-voter"]  # kept by the page: no cookie crosses sites
        client.cookies.clear()
        again = client.post(
            "/api/runs/run00002/votes",
            json={"tool": TOOL, "vote": "skip"},
            headers={"origin": site, "x-panel-voter": voter},
        )
        assert again.json() == {"tool": TOOL, "ship": 0, "skip": 1}  # the same reader
        script = client.get("/static/desk.js", headers={"origin": site})
        assert script.headers["access-control-allow-origin"] == site
        edit = client.post(
            "/api/runs/run00002/overrides",
            json={
                "tool": TOOL,
                "persona": PERSONA,
                "verdict": "skip",
                "editor": "A",
                "reason": "r",
            },
            headers={**EDITOR, "origin": site},
        )
        assert edit.status_code == 403 and "access-control-allow-origin" not in edit.headers
        other = client.post(
            "/api/runs/run00002/votes", json=vote, headers={"origin": "https://elsewhere.example"}
        )
        assert other.status_code == 403 and "access-control-allow-origin" not in other.headers


def test_a_vote_body_is_small(client: TestClient) -> None:
    vote = json.dumps({"tool": TOOL, "vote": "ship", "pad": "x" * 2000})
    answer = client.post(
        "/api/runs/run00002/votes", content=vote, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413 and answer.json() == {"error": "request body over 1,024 bytes"}


def test_a_loopback_server_answers_only_loopback_names(runs: Path) -> None:
    with desk_client(runs, hosts=("127.0.0.1", "localhost", "::1")) as client:
        assert client.get("/api/runs").status_code == 200
        assert client.get("/api/runs", headers={"host": "localhost:8765"}).status_code == 200
        assert client.get("/api/runs", headers={"host": "[::1]:8765"}).status_code == 200
        rebound = client.get("/api/runs", headers={"host": "attacker.example:8765"})
        assert rebound.status_code == 421
        assert rebound.json() == {"error": "unknown Host for this server"}


def test_two_servers_on_one_runs_folder_never_lose_an_edit(runs: Path) -> None:
    """Two server processes' worth of editors saving against the same version at once: one
    save wins, the other is refused, every time."""
    with desk_client(runs) as ana_desk, desk_client(runs) as ben_desk:
        for round_number in range(4):
            version = ana_desk.get("/api/runs/run00002/overrides").json()["version"]
            barrier = threading.Barrier(2)

            def save(client: TestClient, persona: str, version: str, barrier: threading.Barrier,
                     score: int) -> int:  # fmt: skip
                barrier.wait()
                return edit(client, version=version, persona=persona, score=score).status_code

            with ThreadPoolExecutor(2) as pool:
                saves = [
                    pool.submit(save, desk, persona, version, barrier, round_number + 1)
                    for desk, persona in ((ana_desk, "skeptic"), (ben_desk, "builder"))
                ]
                codes = sorted(future.result() for future in saves)
            assert codes == [200, 409], round_number


@pytest.mark.parametrize("query", ["limit=²", "limit=" + "9" * 5000, "offset=-1", "limit=1.5"])
def test_a_strange_number_is_one_line_400(client: TestClient, query: str) -> None:
    answer = client.get(f"/api/runs?{query}")
    assert answer.status_code == 400 and list(answer.json()) == ["error"]
    assert client.get(f"/?page={query.split('=')[1]}").status_code == 400


def test_if_match_names_the_version_too(client: TestClient) -> None:
    version = client.get("/api/runs/run00002/overrides").json()["version"]
    stale = {**EDITOR, "if-match": '"0000000000000000"'}
    body = {"tool": TOOL, "persona": PERSONA, "verdict": "skip", "editor": "A", "reason": "r"}
    assert client.post("/api/runs/run00002/overrides", json=body, headers=stale).status_code == 409
    fresh = {**EDITOR, "if-match": f'"{version}"'}
    assert client.post("/api/runs/run00002/overrides", json=body, headers=fresh).status_code == 200


def test_hostile_card_text_is_inert_in_the_index_and_the_run_page(
    tmp_path: Path, record: Record
) -> None:
    script = "<script>alert(1)</script>"
    tool = record.tools[0].model_copy(update={"name": f"{script}<img src=x onerror=alert(1)>"})
    hostile = record.model_copy(update={"title": script, "tools": [tool, *record.tools[1:]]})
    write_runs(tmp_path / "runs", hostile, 1)
    with desk_client(tmp_path / "runs") as client:
        index = client.get("/").text
        assert script not in index and "<img" not in index
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
        page = client.get("/runs/run00000/").text
        assert script not in page and "<img" not in page
        assert page.count("<script") == 1  # the desk's own, from /static/


def test_the_index_never_shows_a_figure_its_cells_do_not_give(runs: Path) -> None:
    tampered = folder_of(runs, "run00001") / "record.json"
    data = json.loads(tampered.read_text())
    data["aggregates"]["tools"][0]["ship_pct"] = 100.0 - data["aggregates"]["tools"][0]["ship_pct"]
    tampered.write_text(json.dumps(data, indent=2))
    with desk_client(runs, None) as client:
        assert [run["id"] for run in client.get("/api/runs").json()] == ["run00002", "run00000"]
        page = client.get("/").text
        assert "run00001" not in page and "1 run is not shown on this page" in page
