"""A new panel from the desk's form: cards (pasted TOML or files from the server's cards
folder), personas and a model, checked with the CLI's own loaders and one-line errors."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from panel.config import default_model, load_config, model_origin
from panel.errors import InputError, refuse_secret
from panel.files import inside, parse_toml
from panel.inputs.loading import choose_personas, is_panel_data, load_comparison, load_personas
from panel.inputs.prompts import PromptSet
from panel.models import ToolCard
from panel.providers.registry import ModelChoice, choose_model
from panel.running.runner import PanelSpec

MAX_CARDS = 8
CARD_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.toml$")


def spec_from_request(
    body: dict[str, Any], cards_dir: Path | None
) -> tuple[PanelSpec, ModelChoice]:
    """The panel and the model a `POST /api/runs` body asks for; an InputError names the card
    and field at fault."""
    unknown = sorted(set(body) - {"cards", "card_files", "personas", "model", "title"})
    if unknown:
        raise InputError(f"{unknown[0]}: unknown field (cards, card_files, personas, model, title)")
    cards = _cards(_strings(body, "cards"), _strings(body, "card_files"), cards_dir)
    wanted = body.get("personas")
    wanted = None if wanted is None else _strings(body, "personas")
    personas = choose_personas(load_personas(), wanted, source="personas")
    title = body.get("title")
    if title is not None and (not isinstance(title, str) or len(title) > 200):
        raise InputError("title: a line of text, at most 200 characters")
    if title:
        refuse_secret(title, "title")
    spec = PanelSpec(
        title=title or " vs ".join(card.name for card in cards),
        tools=cards,
        personas=personas,
        prompts=PromptSet.from_dir(None),
    )
    spec.check()
    return spec, _model(body.get("model"))


def card_files(cards_dir: Path | None) -> list[str]:
    """The card files the server offers, by name."""
    if cards_dir is None or not cards_dir.is_dir():
        return []
    return sorted(path.name for path in cards_dir.glob("*.toml") if CARD_FILE.match(path.name))


def _strings(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(f"{name}: a list of strings")
    return value


def _cards(texts: list[str], files: list[str], cards_dir: Path | None) -> list[ToolCard]:
    if len(texts) + len(files) > MAX_CARDS:
        raise InputError(f"cards: at most {MAX_CARDS} cards in one panel")
    paths = [_card_file(name, cards_dir) for name in files]
    with tempfile.TemporaryDirectory(prefix="panel-cards-") as scratch:
        for number, text in enumerate(texts, start=1):
            path = Path(scratch) / f"{_stem(text, number)}.toml"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        if not paths:
            raise InputError("cards: one tool card (a review) or more (a comparison)")
        try:
            return load_comparison(paths)[1]
        except InputError as exc:  # name a pasted card by its place, not the scratch folder
            raise InputError(str(exc).replace(f"{scratch}/", "pasted card ")) from exc


def _stem(text: str, number: int) -> str:
    """A pasted card's file name, which gives its id when it sets none: from its name."""
    try:
        data = parse_toml(text, f"pasted card {number}")
    except InputError:  # named by load_comparison, which reads it again
        data = {}
    if is_panel_data(data):
        raise InputError(f"cards: pasted card {number} is a panel file; paste its cards instead")
    name = data.get("name")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] if isinstance(name, str) else ""
    return slug or f"card-{number}"


def _card_file(name: str, cards_dir: Path | None) -> Path:
    if cards_dir is None:
        raise InputError("card_files: this server has no cards folder (start it with --cards DIR)")
    if not CARD_FILE.match(name):
        raise InputError(f"card_files: {name!r} is not a card file name")
    return inside(cards_dir / name, cards_dir)


def _model(asked: object) -> ModelChoice:
    if asked is not None and not isinstance(asked, str):
        raise InputError("model: a model name, or offline")
    if asked:
        return choose_model(asked, reason="chosen in the desk", source="model")
    config, where = load_config()
    model, reason = default_model(config, where)
    # A bad default is named where it was set (PANEL_MODEL, panel.toml), as the CLI names it.
    source = model_origin(config, where)
    return choose_model(model, reason=reason or "the server's default", source=source)
