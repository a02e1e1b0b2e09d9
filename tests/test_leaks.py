"""Keys of every shape, planted, never reach a file, the terminal or a log.

Keys come from the environment (`sk-ant-...`, `sk-proj-...`, a gateway key with no prefix) and
from the base URL (user info, `?api_key=`). The fake server echoes every one of them back in
its error bodies, one of them across the 300-character cut. Every file under the run's folder
and cache, and everything printed, is then searched for each key and for any 10-character piece
of one.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx

from panel.cli import main
from panel.secrets import clip, redact
from panel.urls import public_url
from tests.conftest import EXAMPLES

PAIR = str(EXAMPLES / "claude-api-vs-modal.toml")
ANTHROPIC_KEY = "sk-ant-api03-PLANTEDant0123456789abcdefABCDEF"
OPENAI_KEY = "sk-proj-PLANTEDopenai0123456789abcdefABCDEF"
GATEWAY_KEY = "gwPLANTEDnoPrefix7Q2xZk9LmN4pR8vT"  # a gateway's key: no recognisable shape
URL_PASSWORD = "PLANTEDurlPassw0rd55aa"
URL_QUERY_KEY = "PLANTEDqueryKey31337zz"
BASE_URL = f"https://panel-user:{URL_PASSWORD}@gateway.example/v1?api_key={URL_QUERY_KEY}"
SECRETS = [ANTHROPIC_KEY, OPENAI_KEY, GATEWAY_KEY, URL_PASSWORD, URL_QUERY_KEY]


def _pieces(secret: str, size: int = 10) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def _echo_body() -> dict[str, object]:
    """An error that quotes everything the request carried, one key straddling character 300."""
    message = (
        "x" * 285
        + f"{GATEWAY_KEY} Bearer {OPENAI_KEY} x-api-key: {ANTHROPIC_KEY} "
        + f"url {BASE_URL} password={URL_PASSWORD} api_key={URL_QUERY_KEY} "
        + f"authorization: {GATEWAY_KEY}"
    )
    return {"type": "error", "error": {"type": "authentication_error", "message": message}}


@pytest.mark.parametrize(
    ("model", "key_variable"),
    [("openai:gpt-5-mini", "OPENAI_API_KEY"), ("anthropic:claude-sonnet-5-5", "ANTHROPIC_API_KEY")],
)
def test_planted_keys_reach_no_file_and_no_output(
    model: str,
    key_variable: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    httpx2_mock: respx.Router,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv(key_variable, GATEWAY_KEY)  # the key in use is the gateway's
    route = httpx2_mock.route(host="gateway.example").mock(
        return_value=httpx.Response(401, json=_echo_body())
    )
    code = main(
        [
            "run",
            PAIR,
            "--model",
            model,
            "--base-url",
            BASE_URL,
            "--personas",
            "builder,skeptic",
            "--quiet",
            "--out",
            str(tmp_path / "out"),
            "--cache-dir",
            str(tmp_path / "cache"),
        ]
    )
    printed = capsys.readouterr()
    assert route.called and code == 1
    written = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert any("[redacted]" in text for text in written)  # the errors were kept, redacted
    if model.startswith("openai"):  # the endpoint is named, without its credentials
        assert "at https://[redacted]@gateway.example/v1?api_key=[redacted]" in printed.err
    for text in [*written, printed.out, printed.err]:
        for secret in SECRETS:
            leaked = [piece for piece in _pieces(secret) if piece in text]
            assert not leaked, f"a piece of a planted key was found: {leaked[0]}"


def test_a_key_cut_by_truncation_is_still_redacted() -> None:
    text = "y" * 295 + OPENAI_KEY
    assert OPENAI_KEY[:5] in text[:300]  # cutting first would leave "sk-pr" plus a fragment
    clipped = clip(text, 300)
    assert not any(piece in clipped for piece in _pieces(OPENAI_KEY, 6))


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p4ssw0rd@h.example/v1", "https://[redacted]@h.example/v1"),
        ("https://TOKENONLY12345@h.example/v1", "https://[redacted]@h.example/v1"),
        (
            "http://h.example:8080/v1?api_key=abc&x=1",
            "http://h.example:8080/v1?api_key=[redacted]&x=1",
        ),
        (
            "http://h.example/v1?key=abc&token=def",
            "http://h.example/v1?key=[redacted]&token=[redacted]",
        ),
        ("http://h.example/v1?Access-Token=abc", "http://h.example/v1?Access-Token=[redacted]"),
        ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
        ("http://u:p@[::1", "http://[redacted]@[::1"),
    ],
)
def test_public_url_drops_credentials(url: str, shown: str) -> None:
    assert public_url(url) == shown


@pytest.mark.parametrize(
    "text",
    [
        "GET https://user:hunter2hunter2@gw.example/v1 failed",
        "GET https://gw.example/v1?api_key=abcdef0123 failed",
        "GET https://gw.example/v1?x=1&token=abcdef0123 failed",
    ],
)
def test_credentials_in_any_url_in_an_error_are_redacted(text: str) -> None:
    assert not any(secret in redact(text) for secret in ("hunter2hunter2", "abcdef0123"))
