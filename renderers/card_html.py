"""Adaptive Card JSON as HTML: the reference site's picture of the card the mobile app shows.

A pure function of the card. It knows the elements the mobile renderer writes (Container, TextBlock, FactSet,
Image, Action.OpenUrl); anything else shows as a labelled placeholder, never silently dropped. TextBlock and
FactSet text is the card's Markdown, rendered inline with raw HTML off, so every character an editor wrote is
escaped. Images are shown as their alt text and address, never fetched: the reference site requests nothing
from another host. Style values become CSS classes only when they are ones Adaptive Cards defines.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

from renderers.web import clean

_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_MARKDOWN_SYNTAX = frozenset("\\*_[]`<&!\r\n")  # text without these renders as itself (escaped)
_SAFE_SCHEMES = ("https:", "http:", "tel:", "mailto:")
_CLASSES = {
    "style": {"heading": "ac-heading", "emphasis": "ac-emphasis"},
    "size": {"small": "ac-small", "medium": "ac-medium", "large": "ac-large", "extraLarge": "ac-large"},
    "weight": {"bolder": "ac-bolder", "lighter": "ac-lighter"},
    "fontType": {"monospace": "ac-monospace"},
    "spacing": {"small": "ac-space-small", "medium": "ac-space-medium", "large": "ac-space-large",
                "extraLarge": "ac-space-large", "none": "ac-space-none"},
}
_FLAGS = {"isSubtle": "ac-subtle", "separator": "ac-separator"}

Node = Mapping[str, Any]


def markdown_html(text: object) -> Markup:
    """A TextBlock's Markdown as inline HTML (emphasis, links, escapes; raw HTML shown as text)."""
    source = clean(text) if isinstance(text, str) else ""
    if _MARKDOWN_SYNTAX.isdisjoint(source):
        return Markup(escapeHtml(source))  # the common case, without a Markdown parse
    return Markup(_MARKDOWN.renderInline(source))


def _classes(node: Node, base: str) -> Markup:
    names = [base]
    for key, known in _CLASSES.items():
        value = node.get(key)
        if isinstance(value, str) and value in known:
            names.append(known[value])
    names.extend(name for key, name in _FLAGS.items() if node.get(key) is True)
    return Markup(' class="{}"').format(" ".join(names))


def _string(value: object) -> str:
    """A card string with the code points HTML forbids made visible; "" for anything else."""
    return clean(value) if isinstance(value, str) else ""


def _nodes(value: object) -> list[Node]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text_block(node: Node) -> Markup:
    return Markup("<p{}>{}</p>").format(_classes(node, "ac-text"), markdown_html(node.get("text")))


def _fact_set(node: Node) -> Markup:
    rows = Markup("").join(
        Markup("<div><dt>{}</dt> <dd>{}</dd></div>").format(markdown_html(f.get("title")), markdown_html(f.get("value")))
        for f in _nodes(node.get("facts")))
    return Markup("<dl{}>{}</dl>").format(_classes(node, "ac-factset"), rows)


def _image(node: Node) -> Markup:
    alt, url = _string(node.get("altText")), _string(node.get("url"))
    return Markup('<p{}><span class="ac-image-label">Image:</span> {} <code>{}</code></p>').format(
        _classes(node, "ac-image"), alt or "(no description)", url)


def _container(node: Node) -> Markup:
    return Markup("<div{}>{}</div>").format(_classes(node, "ac-container"), elements_html(node.get("items")))


def _unknown(node: Node) -> Markup:
    kind = _string(node.get("type")) or "untyped"
    return Markup('<p class="ac-unknown">This preview cannot show a <code>{}</code> element.</p>').format(kind)


_ELEMENTS: dict[str, Callable[[Node], Markup]] = {
    "TextBlock": _text_block,
    "FactSet": _fact_set,
    "Image": _image,
    "Container": _container,
}


def elements_html(items: object) -> Markup:
    """Card body elements in order; hidden ones (`isVisible: false`) are left out, as the app shows them."""
    return Markup("\n").join(_ELEMENTS.get(str(node.get("type")), _unknown)(node)
                             for node in _nodes(items) if node.get("isVisible", True) is not False)


def _action(node: Node) -> Markup:
    title, url = _string(node.get("title")), _string(node.get("url"))
    if node.get("type") != "Action.OpenUrl":
        return Markup('<span class="ac-action ac-unknown">{} <code>{}</code></span>').format(
            title, _string(node.get("type")))
    if not url.lower().startswith(_SAFE_SCHEMES):
        return Markup('<span class="ac-action">{} <code>{}</code></span>').format(title, url)
    return Markup('<a class="ac-action" href="{}">{}</a>').format(url, title or url)


def card_html(card: object) -> Markup:
    """The whole card: its body, then its buttons."""
    if not isinstance(card, Mapping) or card.get("type") != "AdaptiveCard":
        return Markup('<p class="ac-unknown">This is not an Adaptive Card.</p>')
    lang = _string(card.get("lang"))
    actions = _nodes(card.get("actions"))
    buttons = (Markup('\n<div class="ac-actions">{}</div>').format(Markup("\n").join(map(_action, actions)))
               if actions else Markup(""))
    lang_attr = Markup(' lang="{}"').format(lang) if lang else Markup("")
    return Markup('<div class="ac-card"{}>\n{}{}\n</div>').format(lang_attr, elements_html(card.get("body")), buttons)
