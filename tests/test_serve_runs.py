"""A new panel from the desk: started with the token, streamed as the `run --json` events
(replayed from the start for a late subscriber), cancelled, and written into the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import EXAMPLES
from tests.serve_support import EDITOR, desk_client
from tests.support.emulator import Emulator

CARDS = [(EXAMPLES / name).read_text() for name in ("claw-code.toml", "modal-gpu-inference.toml")]


def events(client: TestClient, run_id: str) -> list[dict[str, object]]:
    with client.stream("GET", f"/api/runs/{run_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in stream.iter_lines() if line.startswith("data: ")]
    return [json.loads(line.removeprefix("data: ")) for line in lines]


def start(client: TestClient, **body: object) -> str:
    answer = client.post(
        "/api/runs", json={"cards": CARDS, "model": "offline", **body}, headers=EDITOR
    )
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["id"]
    assert isinstance(run_id, str)
    return run_id


def test_an_offline_run_streams_its_events_and_joins_the_index(tmp_path: Path) -> None:
    with desk_client(tmp_path / "runs", offline_delay=0.0) as client:
        run_id = start(client, personas=["builder", "skeptic"])
        seen = events(client, run_id)
        kinds = [event["event"] for event in seen]
        assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
        assert kinds.count("cell_started") == 4 and kinds.count("cell_finished") == 4
        started, finished = seen[0], seen[-1]
        assert started["personas"] == ["builder", "skeptic"]
        assert started["tools"] == ["claw-code", "modal-gpu-serverless-inference"]  # from names
        assert finished["run_id"] == run_id and finished["complete"] is True
        assert [run["id"] for run in client.get("/api/runs").json()] == [run_id]
        record = client.get(f"/api/runs/{run_id}").json()
        assert record["run_id"] == run_id and len(record["cells"]) == 4
        assert events(client, run_id) == seen  # a late subscriber gets it all, from the start
        folder = tmp_path / "runs" / str(finished["folder"])
        assert (folder / "panel.html").is_file() and (folder.parent / "latest").is_symlink()


def test_a_cancelled_run_says_so_and_writes_nothing(tmp_path: Path) -> None:
    with desk_client(tmp_path / "runs", offline_delay=30.0) as client:
        run_id = start(client)
        going = client.get(f"/api/runs/{run_id}")
        assert going.status_code == 409 and "still going" in going.json()["error"]
        assert client.post(f"/api/runs/{run_id}/cancel", headers=EDITOR).status_code == 200
        seen = events(client, run_id)
        assert seen[0]["event"] == "run_started" and seen[-1] == {
            "event": "run_cancelled",
            "run_id": run_id,
        }
        assert client.get("/api/runs").json() == []
        again = client.post(f"/api/runs/{run_id}/cancel", headers=EDITOR)
        assert again.status_code == 404


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"cards": [CARDS[0], "name = 'x'\n[bad"]}, "pasted card card-2.toml: not valid TOML"),
        ({"cards": [CARDS[0], 'name = "Odd"\nsurprise = 1']}, "pasted card odd.toml: "),
        ({"cards": []}, "cards: one tool card (a review) or more (a comparison)"),
        ({"cards": ['tools = ["a.toml", "b.toml"]']}, "cards: pasted card 1 is a panel file"),
        ({"cards": CARDS, "personas": ["nobody"]}, "personas: unknown persona 'nobody'"),
        ({"cards": CARDS, "model": "nonsense:x"}, "model: unknown provider 'nonsense'"),
        ({"cards": CARDS, "card_files": ["x.toml"]}, "card_files: this server has no cards"),
        ({"cards": CARDS, "extra": 1}, "extra: unknown field"),
    ],
)
def test_a_bad_new_panel_is_one_line(
    tmp_path: Path, body: dict[str, object], expected: str
) -> None:
    with desk_client(tmp_path / "runs") as client:
        answer = client.post("/api/runs", json=body, headers=EDITOR)
        assert answer.status_code == 400
        error = answer.json()["error"]
        assert error.startswith(expected) and "\n" not in error and "/tmp" not in error


def test_cards_come_from_the_servers_folder_and_nowhere_else(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    for name in ("claw-code.toml", "modal-gpu-inference.toml"):
        (cards / name).write_text((EXAMPLES / name).read_text())
    (tmp_path / "secret.toml").write_text('name = "secret"')
    (cards / "linked.toml").symlink_to(tmp_path / "secret.toml")
    with desk_client(tmp_path / "runs", cards_dir=cards, offline_delay=0.0) as client:
        assert client.get("/api/cards").json()["files"] == [
            "claw-code.toml", "linked.toml", "modal-gpu-inference.toml",
        ]  # fmt: skip
        for name in ("../secret.toml", "linked.toml"):
            answer = client.post(
                "/api/runs", json={"card_files": ["claw-code.toml", name]}, headers=EDITOR
            )
            assert answer.status_code == 400, name
        files = {"card_files": ["claw-code.toml", "modal-gpu-inference.toml"], "model": "offline"}
        run_id = client.post("/api/runs", json=files, headers=EDITOR).json()["id"]
        assert events(client, run_id)[-1]["event"] == "run_finished"


def test_events_of_an_unknown_run_are_404(tmp_path: Path) -> None:
    with desk_client(tmp_path / "runs") as client:
        answer = client.get("/api/runs/nope/events")
        assert answer.status_code == 404 and "no run started" in answer.json()["error"]


def test_one_card_is_a_review_served_like_any_run(tmp_path: Path) -> None:
    with desk_client(tmp_path / "runs", offline_delay=0.0) as client:
        answer = client.post(
            "/api/runs", json={"cards": CARDS[:1], "model": "offline"}, headers=EDITOR
        )
        run_id = answer.json()["id"]
        assert events(client, run_id)[-1]["event"] == "run_finished"
        line = client.get("/api/runs").json()[0]
        assert line["id"] == run_id and line["tools"] == ["claw-code"] and line["winner"] is None
        page = client.get(f"/runs/{run_id}/").text
        assert 'data-community="claw-code"' in page and "/static/desk.js" in page
        vote = client.post(f"/api/runs/{run_id}/votes", json={"tool": "claw-code", "vote": "ship"})
        assert vote.json() == {"tool": "claw-code", "ship": 1, "skip": 0}
        card = 'data-persona="skeptic" data-tool="claw-code"'
        assert card in page  # edit controls attach here


def test_a_desk_run_stops_at_the_servers_spending_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator() as emulator:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "emulated-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", emulator.url)
        with desk_client(tmp_path / "runs", max_cost=0.03) as client:
            run_id = start(client, model="anthropic:claude-sonnet-5-5")
            finished = events(client, run_id)[-1]
            assert finished["event"] == "run_finished" and finished["complete"] is False
            record = client.get(f"/api/runs/{run_id}").json()
    skipped = [cell for cell in record["cells"] if cell["status"] == "skipped"]
    assert skipped and len(emulator.served) < len(record["cells"])
    assert record["totals"]["spend_this_run_usd"] <= 0.03


def test_a_spending_limit_refuses_a_model_with_no_known_price(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "a-key")
    with desk_client(tmp_path / "runs", max_cost=1.0) as client:
        answer = client.post(
            "/api/runs", json={"cards": CARDS, "model": "openai:house-model"}, headers=EDITOR
        )
        assert answer.status_code == 400
        assert "no known price for openai:house-model" in answer.json()["error"]
        assert start(client)  # the offline model costs nothing: no price needed


def test_a_bad_default_model_is_named_where_it_was_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANEL_MODEL", "nosuchprovider:x")
    with desk_client(tmp_path / "runs") as client:
        answer = client.post("/api/runs", json={"cards": CARDS}, headers=EDITOR)
    assert answer.status_code == 400 and answer.json()["error"].startswith("PANEL_MODEL")
