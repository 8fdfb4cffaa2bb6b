"""The Adaptive Card reader: title, the words a card shows in order, buttons last, and every target."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.readers import Reading
from engine.readers.card import read
from tests.engine.readers.test_text import assert_reads_back, built_outputs, kinds, sample_outputs


def card(body: list[dict[str, object]], actions: list[dict[str, object]] | None = None,
         **extra: object) -> Reading:
    document = {"type": "AdaptiveCard", "version": "1.5", "body": body, "actions": actions or [], **extra}
    return read(json.dumps(document).encode("utf-8"))


def block(text: str, **extra: object) -> dict[str, object]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def test_the_first_heading_is_the_title_and_not_in_the_text() -> None:
    got = card([block("Intro"), block("How do I pay\\?", style="heading"), block("Call us."),
                block("More", style="heading")])
    assert got.title == "How do I pay?"
    assert got.text == "Intro\nCall us.\nMore"


def test_no_heading_no_title() -> None:
    assert card([block("Call us.")]).title == ""


def test_textblock_markdown_escapes_are_resolved() -> None:
    got = card([block("1\\. Call 800\\-555\\-0100 \\*now\\* \\[not a link\\] \\_x\\_ \\\\ \\&amp;")])
    assert got.text == "1. Call 800-555-0100 *now* [not a link] _x_ \\ &amp;"
    assert kinds(got) == [("phone", "+18005550100")]


def test_textblock_markup_shows_its_words_and_links_are_targets() -> None:
    got = card([block("**Fee** _is_ $2.50: [pay online](https://riverton.gov/pay) or "
                      "[call](tel:+18005550100)")])
    assert got.text == "Fee is $2.50: pay online or call"
    assert got.links == ("https://riverton.gov/pay", "tel:+18005550100")
    assert kinds(got) == [("money", "USD 2.50"), ("url", "https://riverton.gov/pay"), ("phone", "+18005550100")]


def test_a_fact_set_shows_title_and_value_lines() -> None:
    got = card([{"type": "FactSet", "facts": [
        {"title": "Payments line \\(day and night\\)", "value": "800-555-0142"},
        {"title": "Card fee", "value": "$2.50"},
    ]}])
    assert got.text == "Payments line (day and night): 800-555-0142\nCard fee: $2.50"
    assert kinds(got) == [("phone", "+18005550142"), ("money", "USD 2.50")]


def test_containers_and_columns_are_read_in_document_order() -> None:
    got = card([{"type": "Container", "items": [
        block("First"),
        {"type": "ColumnSet", "columns": [
            {"type": "Column", "items": [block("Left")]},
            {"type": "Column", "items": [{"type": "Image", "url": "https://x.gov/a.png", "altText": "Office map"}]},
        ]},
        {"type": "ImageSet", "images": [{"type": "Image", "url": "b.png", "altText": "Drop box"}]},
    ]}, block("Last")])
    assert got.text == "First\nLeft\nOffice map\nDrop box\nLast"
    assert got.links == ()  # an image's source is not a link


def test_hidden_elements_are_not_shown() -> None:
    got = card([block("Shown"), block("Call 800-555-0199", isVisible=False),
                {"type": "Container", "isVisible": False, "items": [block("[x](https://evil.example.com)")]}])
    assert got.text == "Shown"
    assert got.facts == () and got.links == ()


def test_actions_are_targets_and_their_titles_come_last() -> None:
    got = card([block("Call us.")], [
        {"type": "Action.OpenUrl", "title": "Call Payments line", "url": "tel:+18005550142"},
        {"type": "Action.OpenUrl", "title": "Email billing", "url": "mailto:billing@riverton.gov"},
        {"type": "Action.OpenUrl", "title": "Read the full answer", "url": "https://riverton.gov/help/billing/pay/"},
        {"type": "Action.Submit", "title": "Was this helpful?"},
    ])
    assert got.text == "Call us.\nCall Payments line\nEmail billing\nRead the full answer\nWas this helpful?"
    assert got.links == ("tel:+18005550142", "mailto:billing@riverton.gov", "https://riverton.gov/help/billing/pay/")
    assert kinds(got) == [("phone", "+18005550142"), ("email", "billing@riverton.gov"),
                          ("url", "https://riverton.gov/help/billing/pay")]


def test_a_show_card_follows_its_button_and_select_actions_are_targets() -> None:
    got = card([{"type": "Container", "items": [block("Tap me")],
                 "selectAction": {"type": "Action.OpenUrl", "url": "https://riverton.gov/outages"}}], [
        {"type": "Action.ShowCard", "title": "Office hours", "card": {
            "type": "AdaptiveCard", "body": [block("Monday to Friday, 8 am to 5 pm")],
            "actions": [{"type": "Action.OpenUrl", "title": "Map", "url": "https://riverton.gov/map"}]}},
    ])
    assert got.text == "Tap me\nOffice hours\nMonday to Friday, 8 am to 5 pm\nMap"
    assert got.links == ("https://riverton.gov/outages", "https://riverton.gov/map")


def test_speak_and_fallback_text_are_not_what_the_card_shows() -> None:
    got = card([block("Call us.")], speak="Call 800-555-0199", fallbackText="Fee $9.99")
    assert got.text == "Call us." and got.facts == ()


def test_rich_text_is_not_markdown() -> None:
    got = card([{"type": "RichTextBlock", "inlines": ["Fee \\*", {"type": "TextRun", "text": " $2.50"}]}])
    assert got.text == "Fee \\* $2.50"


@pytest.mark.parametrize("document", [b"[]", b'{"type": "Message"}', b'{"type": "AdaptiveCard", "body": '
                                      b'[{"type": "Carousel"}]}'])
def test_what_is_not_a_card_we_know_is_refused(document: bytes) -> None:
    with pytest.raises(ValueError):
        read(document)


def test_every_card_of_a_small_build_reads_back(tmp_path: Path) -> None:
    assert assert_reads_back(built_outputs(tmp_path / "dist", "mobile")) >= 5


def test_every_card_of_the_sample_reads_back_with_its_question_as_title() -> None:
    outputs = sample_outputs("mobile")
    assert len(outputs) > 40
    assert assert_reads_back(outputs) > 100
    for output in outputs:
        got = read(output.data)
        assert got.title == output.view.answer.question, output.path
        assert output.view.answer.question not in got.text
