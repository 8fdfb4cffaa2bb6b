"""The card preview: an Adaptive Card drawn as HTML shows what the card shows, escapes everything, fetches nothing."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import html5lib
import pytest

import channels
from engine.readers import card as card_reader
from engine.readers import html as html_reader
from renderers import mobile
from renderers.card_html import card_html, markdown_html
from tests.kb import sample, site_of, views_of

MOBILE = mobile.Config.model_validate(channels.raw("mobile"))


def tree(html: str) -> ET.Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), strict=True, namespaceHTMLElements=False)
    return parser.parseFragment(html)


def card(*body: dict, actions: tuple[dict, ...] = ()) -> dict:
    return {"type": "AdaptiveCard", "version": "1.5", "lang": "en", "body": list(body), "actions": list(actions)}


def test_textblock_markdown_becomes_inline_html() -> None:
    assert markdown_html("**Pay** _now_ at [the site](https://riverton.gov/pay) 1\\. \\*") == (
        '<strong>Pay</strong> <em>now</em> at <a href="https://riverton.gov/pay">the site</a> 1. *')


@pytest.mark.parametrize("text", [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "[click](javascript:window.__pwned=1)",
    "</p></div><style>body{display:none}</style>",
])
def test_hostile_card_text_stays_text(text: str) -> None:
    html = card_html(card({"type": "TextBlock", "text": text, "wrap": True},
                          {"type": "FactSet", "facts": [{"title": text, "value": text}]},
                          actions=({"type": "Action.OpenUrl", "title": text, "url": "javascript:window.__pwned=1"},)))
    root = tree(str(html))
    tags = {element.tag for element in root.iter() if isinstance(element.tag, str)}
    assert tags <= {"div", "p", "dl", "dt", "dd", "span", "code", "a", "DOCUMENT_FRAGMENT"}, tags
    assert all(not name.startswith("on") for element in root.iter() for name in element.attrib)
    assert all(not (a.get("href") or "").startswith("javascript") for a in root.iter("a"))
    visible = "".join(root.itertext())
    assert text.replace("\\", "") in visible or "window.__pwned=1" in visible


def test_images_are_described_never_fetched() -> None:
    html = str(card_html(card({"type": "Image", "url": "https://elsewhere.example/x.png", "altText": "A meter"})))
    assert "<img" not in html and "A meter" in html and "https://elsewhere.example/x.png" in html


def test_unknown_elements_and_hidden_ones() -> None:
    html = str(card_html(card({"type": "Input.Text", "id": "x"}, {"type": "TextBlock", "text": "secret", "isVisible": False},
                              {"type": "Container", "style": "emphasis", "spacing": "bogus\" onclick=\"x",
                               "items": [{"type": "TextBlock", "text": "Inside", "weight": "bolder"}]})))
    assert "cannot show a <code>Input.Text</code> element" in html
    assert "secret" not in html
    assert '<div class="ac-container ac-emphasis"><p class="ac-text ac-bolder">Inside</p></div>' in html
    assert "onclick" not in html


def test_not_a_card() -> None:
    assert "not an Adaptive Card" in card_html(None) and "not an Adaptive Card" in card_html({"type": "Other"})


def test_every_sample_card_preview_shows_the_cards_facts_and_links() -> None:
    """The preview is faithful: read back as a page, it holds the facts and targets the card reader finds."""
    kb = sample()
    site = site_of(kb)
    for view in views_of(kb, "mobile"):
        data = mobile.render(view, MOBILE, site).files[f"{view.id}.json"]
        from_card = card_reader.read(data)
        preview = card_html(json.loads(data))
        from_html = html_reader.read(f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{preview}</body></html>".encode())
        assert {(f.type, f.canonical) for f in from_html.facts} == {(f.type, f.canonical) for f in from_card.facts}, view.id
        assert set(from_html.links) == set(from_card.links), view.id
        shown = " ".join(from_html.text.split())
        assert " ".join(from_card.title.split()) in shown, view.id
        for line in from_card.text.split("\n"):
            if ":" not in line:  # fact rows read "title: value" on the card, title and value apart here
                assert " ".join(line.split()) in shown, (view.id, line)


# ------------------------------------------------------------------------------------------------ properties

from hypothesis import given, strategies as st  # noqa: E402

_HOSTILE = st.sampled_from(["<script>", "</p>", '"', "'", "<img src=x onerror=y>", "[a](javascript:x)", "&lt;",
                            "&#60;", "**", "_", "\\", "`", "](", "<!--", "]]>", "\n", "javascript:", "on"])
_TEXT = st.lists(st.one_of(_HOSTILE, st.text(max_size=8)), max_size=12).map("".join)


@given(text=_TEXT, title=_TEXT, url=_TEXT, kind=st.sampled_from(["TextBlock", "FactSet", "Image", "Container", "X"]))
def test_no_card_text_ever_becomes_markup(text: str, title: str, url: str, kind: str) -> None:
    element = {"type": kind, "text": text, "facts": [{"title": title, "value": text}], "url": url, "altText": text,
               "items": [{"type": "TextBlock", "text": title}]}
    html = str(card_html(card(element, actions=({"type": "Action.OpenUrl", "title": title, "url": url},))))
    root = tree(html)
    allowed = {"div", "p", "dl", "dt", "dd", "span", "code", "a", "em", "strong", "br", "DOCUMENT_FRAGMENT"}
    assert {e.tag for e in root.iter() if isinstance(e.tag, str)} <= allowed, html
    for element_node in root.iter():
        assert not [name for name in element_node.attrib if name.startswith("on")], html
        href = (element_node.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), html


@given(st.text())
def test_the_plain_text_shortcut_renders_as_markdown_does(text: str) -> None:
    from renderers.card_html import _MARKDOWN, _MARKDOWN_SYNTAX
    from renderers.web import clean

    if _MARKDOWN_SYNTAX.isdisjoint(clean(text)):
        assert markdown_html(text) == _MARKDOWN.renderInline(clean(text))
