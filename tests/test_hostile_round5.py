"""Hostile input, round 5: classes each of which failed on the code before this round.

- a reader id (cookie or `x-panel-voter` header) holding a non-ASCII character: `panel serve`
  answered every read and vote of a run with a 500 (hmac refuses such text);
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import hostile_cards
from tests.serve_support import a_record, desk_client, write_runs

CARDS = hostile_cards()
PLANTED = "sk-proj-PLANTEDsecret0123456789"


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """A runs folder of one run, `run00000`, of the desk's two example cards."""
    folder = tmp_path / "runs"
    write_runs(folder, a_record(tmp_path / "unused"), 1)
    return folder


# ------------------------------------------------ 1. a reader id that is no ASCII


@pytest.mark.parametrize(
    "headers",
    [{"x-panel-voter": "a.\u00e9"}, {"cookie": "panel_voter=\u00e9.\u00e9\u00e9"}],
    ids=["header", "cookie"],
)
def test_a_reader_id_with_non_ascii_is_a_new_reader(runs: Path, headers: dict[str, str]) -> None:
    """Header values reach the app as Latin-1 text: a forged id is unknown, not a crash."""
    sent = {name.encode(): value.encode("latin-1") for name, value in headers.items()}
    with desk_client(runs) as client:
        counts = client.get("/api/runs/run00000/votes", headers=sent)
        vote = {"tool": "modal-gpu-inference", "vote": "ship"}
        cast = client.post("/api/runs/run00000/votes", json=vote, headers=sent)
    assert counts.status_code == 200 and "panel_voter=" in counts.headers["set-cookie"]
    assert cast.status_code == 200, cast.text
    assert cast.json() == {"tool": "modal-gpu-inference", "ship": 1, "skip": 0}
