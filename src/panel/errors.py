"""The two error roots: input the user must fix, and a run that failed.

Both carry a message meant to be printed as one line; only the CLI turns
them into output and an exit code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from panel.secrets import holds_secret, redact

if TYPE_CHECKING:  # the CLI imports this module before it needs pydantic
    from panel.models import Usage


class PanelError(Exception):
    """Base of every error panel reports to a user; its message never carries a key."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class InputError(PanelError):
    """Bad input: a card, persona, panel file, template, record or flag.

    The message names the file and the field (or line) and says what to fix.
    """

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        self.detail = redact(message)
        super().__init__(f"{source}: {message}" if source else message)


def refuse_secret(text: str, source: str) -> str:
    """`text`, free text panel writes into a record and its pages (a title), refused in one
    line naming `source` when it holds an API key: the line never shows the text."""
    if holds_secret(text):
        raise InputError(
            f"{source}: holds an API key (or a key's shape); panel writes it into "
            "the record and its pages"
        )
    return text


class RunError(PanelError):
    """A run that failed: a provider, a model, a cell."""

    exit_code = 1


class ProviderError(RunError):
    """One call to a model failed.

    `retryable` says whether the retry policy may try again; `retry_after`
    carries the server's advice in seconds when it gave one; `usage` is what
    the failed call was billed, as far as the stream had told before it broke;
    `every_call` says that no other call of the run can fare better (the key,
    the account or the model is refused), so the run sends no more.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        usage: Usage | None = None,
        every_call: bool = False,
    ) -> None:
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.usage = usage
        self.every_call = every_call
        super().__init__(message)


class CellFailure(RunError):
    """A cell that cannot produce a verdict (truncated, refused, invalid after re-ask).

    `usage` carries the tokens its calls consumed: a failed cell is still paid for.
    """

    cell_status: Literal["failed", "refused"] = "failed"

    def __init__(self, message: str, *, usage: Usage | None = None) -> None:
        self.usage = usage
        super().__init__(message)


class CellRefused(CellFailure):
    """The model declined to answer: billed, recorded as refused, never re-asked."""

    cell_status = "refused"
