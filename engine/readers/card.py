"""Adaptive Card reader: the words a card shows, in document order, and the targets of its links and buttons.

TextBlock text and FactSet titles and values are Markdown (hosts render them), so they are read through the
chat Markdown reader: escapes resolved, a link shows its words and its target is a link. Elements with
`isVisible: false` are not shown until a button reveals them, so they are skipped. The card-level `speak`
(what a voice assistant says) and `fallbackText` (what a host that cannot show cards shows) are other
renderings of the same answer, not part of what the card shows: they are ignored. Button titles come after
the body, with the content of a `Action.ShowCard` card after its button.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.facts import Locale
from engine.readers import Reading
from engine.readers.markdown import plain
from engine.readers.text import reading

Node = dict[str, object]


@dataclass
class _Card:
    """What the card shows: its title, body lines and button lines, and every link or action target."""

    title: str | None = None
    lines: list[str] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def markdown(self, source: object) -> str:
        text, links = plain(_string(source))
        self.links.extend(links)
        return text

    def add(self, text: str) -> None:
        self.lines.extend(" ".join(line.split()) for line in text.split("\n") if line.strip())


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _nodes(value: object) -> list[Node]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text_block(node: Node, card: _Card) -> None:
    text = card.markdown(node.get("text"))
    if card.title is None and node.get("style") == "heading":
        card.title = " ".join(text.split())
    else:
        card.add(text)


def _rich_text(node: Node, card: _Card) -> None:
    runs = node.get("inlines")
    parts: list[str] = []
    for run in runs if isinstance(runs, list) else []:
        if isinstance(run, str):  # RichTextBlock text is never Markdown
            parts.append(run)
        elif isinstance(run, dict) and run.get("isVisible", True) is not False:
            parts.append(_string(run.get("text")))
            _select_action(run, card)
    card.add("".join(parts))


def _fact_set(node: Node, card: _Card) -> None:
    for fact in _nodes(node.get("facts")):
        title = " ".join(card.markdown(fact.get("title")).split())
        value = " ".join(card.markdown(fact.get("value")).split())
        card.add(f"{title}: {value}" if title else value)


def _children(key: str) -> Callable[[Node, _Card], None]:
    def walk(node: Node, card: _Card) -> None:
        for child in _nodes(node.get(key)):
            _element(child, card)
    return walk


def _image(node: Node, card: _Card) -> None:
    card.add(_string(node.get("altText")))


def _table(node: Node, card: _Card) -> None:
    for row in _nodes(node.get("rows")):
        cells: list[str] = []
        for cell in _nodes(row.get("cells")):
            inner = _Card(title="")  # a heading inside a cell is not the card's title
            _children("items")(cell, inner)
            card.links.extend(inner.links)
            cells.append(" ".join(" ".join(inner.lines).split()))
        card.add(" | ".join(cells))


def _input(node: Node, card: _Card) -> None:
    for key in ("label", "title", "placeholder"):
        card.add(_string(node.get(key)))
    for choice in _nodes(node.get("choices")):
        card.add(_string(choice.get("title")))


def _action_set(node: Node, card: _Card) -> None:
    _actions(node.get("actions"), card)


ELEMENTS: dict[str, Callable[[Node, _Card], None]] = {
    "TextBlock": _text_block,
    "RichTextBlock": _rich_text,
    "FactSet": _fact_set,
    "Container": _children("items"),
    "Column": _children("items"),
    "ColumnSet": _children("columns"),
    "ImageSet": _children("images"),
    "Image": _image,
    "Media": _image,
    "Table": _table,
    "ActionSet": _action_set,
}


def _element(node: Node, card: _Card) -> None:
    if node.get("isVisible", True) is False:
        return
    kind = _string(node.get("type"))
    handler = _input if kind.startswith("Input.") else ELEMENTS.get(kind)
    if handler is None:
        raise ValueError(f"card reader: unknown element type `{kind}`")
    handler(node, card)
    _select_action(node, card)


def _select_action(node: Node, card: _Card) -> None:
    action = node.get("selectAction")
    if isinstance(action, dict) and action.get("type") == "Action.OpenUrl":
        card.links.append(_string(action.get("url")))


def _actions(value: object, card: _Card) -> None:
    for action in _nodes(value):
        if action.get("isVisible", True) is False:
            continue
        card.buttons.append(_string(action.get("title")))
        if action.get("type") == "Action.OpenUrl":
            card.links.append(_string(action.get("url")))
        shown = action.get("card")
        if action.get("type") == "Action.ShowCard" and isinstance(shown, dict):
            inner = _Card(title="")
            _walk(shown, inner)
            card.buttons.extend(inner.lines + inner.buttons)
            card.links.extend(inner.links)


def _walk(root: Node, card: _Card) -> None:
    for node in _nodes(root.get("body")):
        _element(node, card)
    _select_action(root, card)
    _actions(root.get("actions"), card)


def read(data: bytes, locale: Locale = Locale()) -> Reading:
    root = json.loads(data)
    if not isinstance(root, dict) or root.get("type") != "AdaptiveCard":
        raise ValueError("card reader: the document is not an Adaptive Card (no top-level \"type\": \"AdaptiveCard\")")
    card = _Card()
    _walk(root, card)
    text = "\n".join(card.lines + [" ".join(line.split()) for line in card.buttons if line.strip()])
    return reading(card.title or "", text, tuple(card.links), locale)
