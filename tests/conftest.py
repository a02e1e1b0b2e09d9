"""Tests never touch the network, and never see the developer's keys."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from panel.inputs.loading import choose_personas, load_personas, load_tool_card
from panel.models import Persona, ToolCard
from panel.providers.base import Provider
from panel.running.orchestrator import CellPlan
from panel.running.runner import PanelSpec
from tests.pg import PostgresMissing, fresh_schema_url, temporary_cluster

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str):
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise OSError(f"tests may not reach the network ({host})")
    _real_connect(self, address)  # type: ignore[arg-type]  # as the caller passed it


@pytest.fixture(autouse=True)
def _isolated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    # Compiled templates (panel.compiled) go to a cache of the test's own, not the user's.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
    for name in (
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "ANTHROPIC_BASE_URL",
        "OPENAI_BASE_URL",
        "PANEL_MODEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def personas() -> dict[str, Persona]:
    return load_personas()


@pytest.fixture
def cards() -> list[ToolCard]:
    return [
        load_tool_card(EXAMPLES / "claude-api-streaming-caching.toml"),
        load_tool_card(EXAMPLES / "modal-gpu-inference.toml"),
    ]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database on a real PostgreSQL server for the whole session (see tests/pg.py)."""
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(temporary_cluster())
        except PostgresMissing as exc:
            missing = str(exc)  # failed below, outside this handler: one message, no chained trace
        else:
            yield url
            return
    pytest.fail(missing, pytrace=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty vote database: a SQLite file, or a fresh schema on the session's PostgreSQL.

    A test asking for it runs twice, once on each database.
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'votes.db'}"
    return fresh_schema_url(request.getfixturevalue("postgres_url"))


CLAUDE_KEY = "sk-ant-test-0123456789-secret"
OPENAI_KEY = "sk-proj-test-secret-0123456789"


@pytest.fixture
def claude(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Claude Sonnet 5.5 with a test key, its retries waiting on a fake clock (`.sleeps`)."""
    from panel.providers.claude import ClaudeProvider
    from tests.helpers import instant_retries

    monkeypatch.setenv("ANTHROPIC_API_KEY", CLAUDE_KEY)
    return instant_retries(ClaudeProvider("claude-sonnet-5-5"))


@pytest.fixture
def gpt(monkeypatch: pytest.MonkeyPatch) -> Any:
    """gpt-5-mini with a test key, its retries waiting on a fake clock (`.sleeps`)."""
    from panel.providers.openai_chat import OpenAIProvider
    from tests.helpers import instant_retries

    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    return instant_retries(OpenAIProvider("gpt-5-mini"))


@pytest.fixture
def builder_plan(
    personas: dict[str, Persona], cards: list[ToolCard]
) -> Callable[[Provider], CellPlan]:
    """The builder's first cell, planned for a provider."""
    from tests.helpers import plan_for

    return lambda provider: plan_for(personas, cards, provider)


@pytest.fixture
def panel_spec(personas: dict[str, Persona], cards: list[ToolCard]) -> PanelSpec:
    """Every shipped persona on the two cards: eight cells."""
    from tests.helpers import spec_for

    return spec_for(choose_personas(personas, None), cards)
