"""What every model shares: strictness, the schema version, the small annotated types."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# 2: a record may review one tool (`tools` from one; the aggregates' `call` in place of the
# `overall` winner) and a tool card may name its `competitors`. Records of version 1 are read
# as version 2 (panel.record.store migrates them: every version-1 record is a valid version 2).
SCHEMA_VERSION: Literal[2] = 2

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]


def _stored_url(url: str) -> str:
    """A URL as panel keeps it: credentials replaced, however the file holding it was made."""
    from panel.urls import has_credentials, public_url

    return public_url(url) if has_credentials(url) else url


def _public_link(url: str) -> str:
    from panel.urls import has_credentials

    if has_credentials(url):
        raise ValueError(
            "carries credentials (user:password@ or a key in the query); links are public"
        )
    return url


def _no_secret(text: str) -> str:
    from panel.secrets import holds_secret

    if holds_secret(text):  # the message names the field, never the text
        raise ValueError("holds an API key (or a key's shape); panel writes it into the pages")
    return text


# A figure panel measured (seconds, dollars, attempts): never below zero, never NaN or infinite.
# A record or cache entry edited by hand is refused with one line naming the field.
Measured = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]

# Free text panel writes into a record and its pages (a panel file's title, an editor's note).
KeyFreeText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_secret)]
# An editor's quote, printed on the pages in place of the model's.
KeyFreeLongText = Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(_no_secret)]
# An endpoint in a record, a cache entry or a batch ledger: stored and shown without credentials.
StoredUrl = Annotated[str, AfterValidator(_stored_url)]
# A link a card publishes: one with credentials is refused, never shown on a page.
PublicLink = Annotated[str, Field(max_length=500), AfterValidator(_public_link)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Input(Strict):
    """Hand-written input: no coercion either ("yes" is not a boolean, "3" not a number)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, strict=True, defer_build=True
    )


Verdict = Literal["ship", "skip"]
Confidence = Literal["low", "medium", "high"]
