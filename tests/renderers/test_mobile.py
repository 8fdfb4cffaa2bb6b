"""The mobile renderer: Adaptive Cards 1.5 that validate, escape content, keep facts, and an index for the app."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator
from xml.sax.saxutils import unescape

import pytest
from jsonschema import Draft6Validator
from markdown_it import MarkdownIt

import channels
from engine.facts import FactType, FactValue, Locale, find_facts, parse_value
from engine.model import FactMention, Paragraph, Scoped, Text, walk_inlines
from engine.select import View
from renderers import AnswerRef, IndexEntry, Rendered, Site, mobile
from tests.kb import one_view, sample, site_of, views_of

SSML_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "ssml11" / "synthesis.xsd"
SSML_NS = "http://www.w3.org/2001/10/synthesis"
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "adaptivecards" / "adaptive-card-1.5.0.json"
CONFIG = mobile.Config.model_validate(channels.raw("mobile"))
INDEX_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "title", "topic", "card", "hash", "webUrl"],
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$"},
            "title": {"type": "string", "minLength": 1},
            "topic": {"type": "string", "minLength": 1},
            "card": {"type": "string", "pattern": "^[a-z0-9/_-]+\\.json$"},
            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "webUrl": {"type": "string", "pattern": "^https://[^ ]+/$"},
        },
    },
}
MARKDOWN = MarkdownIt("commonmark")


# ------------------------------------------------------------------------------------------------ helpers


@lru_cache(maxsize=1)
def card_validator() -> Draft6Validator:
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"the official Adaptive Cards 1.5 schema is not at {SCHEMA_PATH} (the `shared` folder beside "
                    "the repository); card validation cannot run")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema, format_checker=Draft6Validator.FORMAT_CHECKER)


def schema_errors(card: object) -> list[str]:
    return [error.message[:300] for error in card_validator().iter_errors(card)]


def site_for(view: View) -> Site:
    answer = view.answer
    return Site("Riverton Public Utilities", "en-US", "https://riverton.gov/help",
                {answer.id: AnswerRef(answer.id, answer.question, answer.topic, answer.hash)})


def render(view: View, config: mobile.Config = CONFIG, site: Site | None = None) -> tuple[Rendered, dict[str, Any]]:
    rendered = mobile.render(view, config, site or site_for(view))
    return rendered, json.loads(rendered.files[rendered.primary])


def elements(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every body element in document order, containers before their items."""
    for item in items:
        yield item
        yield from elements(item.get("items", []))


def text_blocks(card: dict[str, Any]) -> list[str]:
    return [e["text"] for e in elements(card["body"]) if e["type"] == "TextBlock"]


def visible(text: str) -> str:
    """What a Markdown host shows for a TextBlock: it must stay one plain paragraph (no list, heading, code)."""
    tokens = MARKDOWN.parse(text)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], text
    shown: list[str] = []
    for child in tokens[1].children or []:
        if child.type in ("text", "text_special", "code_inline"):
            shown.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            shown.append(" ")
    return "".join(shown)


def live_markup(text: str) -> set[str]:
    """The Markdown constructs a host would act on in a TextBlock's text."""
    tokens = MARKDOWN.parse(text)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
    return kinds - {"paragraph_open", "inline", "paragraph_close", "text", "text_special"}


def visible_fields(card: dict[str, Any]) -> list[str]:
    out = [visible(text) for text in text_blocks(card)]
    for element in elements(card["body"]):
        if element["type"] == "FactSet":
            out.extend(visible(part) for fact in element["facts"] for part in (fact["title"], fact["value"]))
    return out


def fact_sets(card: dict[str, Any]) -> list[list[dict[str, str]]]:
    return [e["facts"] for e in elements(card["body"]) if e["type"] == "FactSet"]


def key_mentions(view: View) -> list[FactMention]:
    blocks = (view.short_answer,) + ((view.steps,) if view.steps else ())
    return [node for node in walk_inlines(blocks) if isinstance(node, FactMention)]


@lru_cache(maxsize=1)
def sample_cards() -> tuple[tuple[View, Rendered], ...]:
    kb = sample()
    site = site_of(kb)
    return tuple((view, mobile.render(view, CONFIG, site)) for view in views_of(kb, "mobile"))


# ------------------------------------------------------------------------------------------ the schema


def test_the_schema_check_can_fail() -> None:
    good = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hi", "wrap": True}]}
    assert schema_errors(good) == []
    broken = [
        {**good, "body": [{"type": "TextBlock", "wrap": True}]},  # no text
        {**good, "body": [{"type": "Bogus", "text": "Hi"}]},
        {**good, "body": [{"type": "Container", "items": [{"type": "TextBlock", "text": "Hi", "wrap": "yes"}]}]},
        {**good, "actions": [{"type": "Action.OpenUrl", "title": "Call"}]},  # no url
        {**good, "body": [{"type": "FactSet", "facts": [{"title": "Fee"}]}]},  # a fact without a value
        {**good, "metadata": {"webUrl": "https://riverton.gov/help/"}},  # 1.6 only
    ]
    for card in broken:
        assert schema_errors(card), card


def test_every_sample_card_validates_within_budget_and_without_errors() -> None:
    cards = sample_cards()
    assert len(cards) > 40
    for view, rendered in cards:
        assert rendered.primary == f"{view.id}.json" and list(rendered.files) == [rendered.primary]
        data = rendered.files[rendered.primary]
        card = json.loads(data)
        assert schema_errors(card) == [], view.id
        assert card["version"] == "1.5" and card["$schema"] == mobile.CARD_SCHEMA
        assert [n for n in rendered.notes if n.severity == "error"] == [], view.id
        assert rendered.metrics["bytes"] == len(data) <= CONFIG.max_bytes
        assert rendered.metrics["actions"] == len(card["actions"]) <= CONFIG.max_actions
        assert rendered.metrics["elements"] == sum(1 for _ in elements(card["body"]))
        title = "Leer la respuesta completa" if view.answer.language.startswith("es") else "Read the full answer"
        assert card["actions"][-1] == {"type": "Action.OpenUrl", "title": title,
                                       "url": f"https://riverton.gov/help/{view.id}/"}
        assert card["body"][0]["id"] == view.id
        assert data.endswith(b"}\n") and data.decode("utf-8") == json.dumps(card, ensure_ascii=False, indent=2) + "\n"
        for text in text_blocks(card):
            assert live_markup(text) <= {"em_open", "em_close", "strong_open", "strong_close", "link_open",
                                         "link_close"}, (view.id, text)


def test_every_sample_card_leads_with_the_title_then_the_short_answer() -> None:
    for view, rendered in sample_cards():
        card = json.loads(rendered.files[rendered.primary])
        title, short, *_ = [e for e in elements(card["body"]) if e["type"] == "TextBlock"]
        assert (title["style"], title["size"], title["weight"], title["wrap"]) == ("heading", "large", "bolder", True)
        assert visible(title["text"]) == view.answer.question
        assert visible(short["text"]) == mobile.plain(view.short_answer.inlines)
        assert card["speak"] == mobile.plain(view.short_answer.inlines)
        assert card["fallbackText"].startswith(card["speak"])


def test_the_index_validates_and_lists_every_card_by_id() -> None:
    kb = sample()
    site = site_of(kb)
    cards = sample_cards()
    entries = [IndexEntry(site.answers[view.id], rendered.primary, None) for view, rendered in reversed(cards)]
    files = mobile.render_index(entries, CONFIG, site)
    assert list(files) == ["index.json"]
    index = json.loads(files["index.json"])
    Draft6Validator(INDEX_SCHEMA).validate(index)
    assert [item["id"] for item in index] == sorted(view.id for view, _ in cards)
    first = next(item for item in index if item["id"] == "billing/pay-by-phone")
    answer = next(view.answer for view, _ in cards if view.id == "billing/pay-by-phone")
    assert first == {"id": "billing/pay-by-phone", "title": answer.question, "topic": "billing",
                     "card": "billing/pay-by-phone.json", "hash": answer.hash,
                     "webUrl": "https://riverton.gov/help/billing/pay-by-phone/"}
    assert mobile.render_index(list(reversed(entries)), CONFIG, site) == files


# ------------------------------------------------------------------------------------------ the card


def test_a_small_answer_gives_exactly_this_card(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Call {{ phone.main }} or pay online at {{ urls.pay }}. A card payment costs "
                              "{{ fees.card }}.\n\n1. Have your bill ready.\n2. Call {{ phone.main }} and press **2**."
                              "\n\nWe are open {{ hours.office }}.\n", "mobile")
    rendered, card = render(view)
    short = "Call 800-555-0100 or pay online at riverton.gov/pay. A card payment costs $2.50."
    expected = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "lang": "en",
        "body": [{"type": "Container", "items": [
            {"type": "TextBlock", "text": "How do I pay my bill?", "wrap": True, "style": "heading", "size": "large",
             "weight": "bolder"},
            {"type": "TextBlock", "text": short, "wrap": True},
            {"type": "Container", "items": [
                {"type": "TextBlock", "text": "1\\. Have your bill ready.", "wrap": True, "spacing": "small"},
                {"type": "TextBlock", "text": "2\\. Call 800-555-0100 and press **2**.", "wrap": True,
                 "spacing": "small"},
            ], "spacing": "medium"},
            {"type": "TextBlock", "text": "We are open Monday to Friday, 8 am to 5 pm.", "wrap": True,
             "spacing": "medium", "separator": True},
            {"type": "FactSet", "facts": [
                {"title": "Customer service", "value": "800-555-0100"},
                {"title": "Pay online", "value": "riverton.gov/pay"},
                {"title": "Card fee", "value": "$2.50"},
            ], "spacing": "medium", "separator": True},
        ], "id": "billing/pay"}],
        "actions": [
            {"type": "Action.OpenUrl", "title": "Call Customer service", "url": "tel:+18005550100"},
            {"type": "Action.OpenUrl", "title": "Pay online", "url": "https://riverton.gov/pay"},
            {"type": "Action.OpenUrl", "title": "Read the full answer", "url": "https://riverton.gov/help/billing/pay/"},
        ],
        "fallbackText": f"{short}\n1. Have your bill ready.\n2. Call 800-555-0100 and press 2.",
        "speak": short,
    }
    assert rendered.files["billing/pay.json"] == (json.dumps(expected, ensure_ascii=False, indent=2) + "\n").encode()
    assert rendered.metrics == {"bytes": len(rendered.files["billing/pay.json"]), "elements": 8, "actions": 3}
    assert rendered.notes == ()
    assert schema_errors(card) == []


def test_phone_facts_become_call_actions_deduplicated_and_capped(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Call {{ phone.main }} or {{ phone.outage }}, write to {{ emails.billing }}, or visit "
                              "{{ urls.pay }}.\n\n1. Call {{ phone.main }} again.\n2. See [the board](https://riverton.gov/board).\n",
                    "mobile")
    wide = CONFIG.model_copy(update={"max_actions": 6})
    _, card = render(view, wide)
    assert [(a["title"], a["url"]) for a in card["actions"]] == [
        ("Call Customer service", "tel:+18005550100"),
        ("Call Outage line", "tel:+18005550199"),
        ("Email billing@riverton.gov", "mailto:billing@riverton.gov"),
        ("Pay online", "https://riverton.gov/pay"),
        ("the board", "https://riverton.gov/board"),
        ("Read the full answer", "https://riverton.gov/help/billing/pay/"),
    ]
    _, capped = render(view)
    assert [a["title"] for a in capped["actions"]] == ["Call Customer service", "Call Outage line",
                                                       "Email billing@riverton.gov", "Read the full answer"]
    _, one = render(view, CONFIG.model_copy(update={"max_actions": 1}))
    assert [a["title"] for a in one["actions"]] == ["Read the full answer"]
    assert schema_errors(card) == [] and schema_errors(capped) == []


def test_a_link_to_the_answer_page_itself_is_not_a_second_button(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Read [this page](https://riverton.gov/help/billing/pay) online.\n", "mobile")
    _, card = render(view)
    assert [a["title"] for a in card["actions"]] == ["Read the full answer"]


def test_key_facts_carry_labels_or_type_names(tmp_path: Path) -> None:
    view = one_view(tmp_path, "It costs {{ fees.card }} plus $3.00, by {{ dates.change }}, at {{ places.office }}."
                              "\n\n1. Wait {{ durations.refund }}.\n", "mobile")
    _, card = render(view)
    assert fact_sets(card) == [[
        {"title": "Card fee", "value": "$2.50"},
        {"title": "Amount", "value": "$3"},
        {"title": "Rate change", "value": "January 1, 2027"},
        {"title": "Main office", "value": "100 Main Street, Riverton"},
        {"title": "Refund time", "value": "10 business days"},
    ]]


def test_hostile_text_shows_literally_and_the_json_stays_valid(tmp_path: Path) -> None:
    body = ('1\\. Not a list: \\*not bold\\* \\_not italic\\_ \\[not a link\\]\\(page\\) \\# \\> \\~ back\\\\slash '
            '\\`tick\\` \\<script\\>alert("x")\\</script\\> \\&amp; {braces} \'single\' "double" 😀 \\| pipe\n\n'
            '\\- not a bullet, \\+ not one either\n')
    question = "'<b>Fees</b> & *stars* _under_ [x](y) # ~ \\ {{ not a fact }} \"quoted\" 😀?'"
    view = one_view(tmp_path, body, "mobile", question=question)
    rendered, card = render(view)
    shown = '1. Not a list: *not bold* _not italic_ [not a link](page) # > ~ back\\slash `tick` ' \
            '<script>alert("x")</script> &amp; {braces} \'single\' "double" 😀 | pipe'
    title, short, detail = text_blocks(card)
    assert short == ('1\\. Not a list: \\*not bold\\* \\_not italic\\_ \\[not a link\\]\\(page\\) \\# \\> \\~ '
                     'back\\\\slash \\`tick\\` \\<script\\>alert\\("x"\\)\\</script\\> \\&amp; \\{braces\\} \'single\' '
                     '"double" 😀 \\| pipe')
    assert visible(short) == shown and live_markup(short) == set()
    assert visible(title) == '<b>Fees</b> & *stars* _under_ [x](y) # ~ \\ {{ not a fact }} "quoted" 😀?'
    assert live_markup(title) == set() and "{{" not in title
    assert detail == "\\- not a bullet, + not one either" and visible(detail) == "- not a bullet, + not one either"
    assert unescape(card["speak"]) == shown  # plain words: no Markdown escapes, SSML-escaped
    assert "<" not in card["speak"] and "&amp;amp;" in card["speak"]
    assert schema_errors(card) == []
    assert "😀".encode() in rendered.files[rendered.primary]  # kept as UTF-8, not \\u escapes
    for text in text_blocks(card):
        assert not re.search(r"(?<!\\)[<*_\[\]{}`]", text), text


def test_speak_is_ssml_text_that_says_ampersands_and_escaped_tags(tmp_path: Path) -> None:
    view = one_view(tmp_path, 'AT&T pays \\<break time="9s"/\\> and \\</speak> now.\n', "mobile")
    _, card = render(view)
    ssml = f'<speak version="1.1" xmlns="{SSML_NS}" xml:lang="en-US">{card["speak"]}</speak>'
    root = ET.fromstring(ssml)
    assert "".join(root.itertext()) == 'AT&T pays <break time="9s"/> and </speak> now.'
    assert [element.tag for element in root.iter()] == [f"{{{SSML_NS}}}speak"]
    if not SSML_SCHEMA.exists():
        pytest.skip(f"the W3C SSML 1.1 schema is not at {SSML_SCHEMA} (the `shared` folder beside the repository)")
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is needed to validate SSML")
    xmlschema.XMLSchema(str(SSML_SCHEMA)).validate(ssml)


def test_escape_and_line_start_by_hand() -> None:
    assert mobile.escape("a*b_c [d](e) #f >g ~h \\i `j` <k> {l} |m &amp; & n\nnext") == \
        "a\\*b\\_c \\[d\\]\\(e\\) \\#f \\>g \\~h \\\\i \\`j\\` \\<k\\> \\{l\\} \\|m \\&amp; & n next"
    assert mobile.line_safe("12. done") == "12\\. done"
    assert mobile.line_safe("3) done") == "3\\) done"
    assert mobile.line_safe("2.50 dollars") == "2.50 dollars"
    assert mobile.line_safe("-5 degrees") == "\\-5 degrees"
    assert mobile.line_safe("  + plus") == "\\+ plus"


def test_emphasis_links_and_line_breaks(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Pay *now* or **today**, see [the rates (2026)](https://riverton.gov/rates).  \n"
                              "Second line.\n", "mobile")
    _, card = render(view)
    first, second = text_blocks(card)[1:3]
    assert first == "Pay _now_ or **today**, see [the rates \\(2026\\)](https://riverton.gov/rates)."
    assert live_markup(first) == {"em_open", "em_close", "strong_open", "strong_close", "link_open", "link_close"}
    assert second == "Second line."
    assert next(e for e in elements(card["body"]) if e.get("text") == second)["spacing"] == "none"


def test_blocks_a_card_can_and_cannot_carry(tmp_path: Path) -> None:
    body = ("Short answer.\n\n1. First step.\n2. Second step:\n   - sub one\n   - sub two\n\n## More\n\n"
            "Old fee ~~$4.00~~ and a map ![outage map](https://riverton.gov/map.png) here.\n\n---\n\n> A quote.\n\n"
            "```\nfirst\n  indented\n```\n\n| Fee | Amount |\n| --- | --- |\n| Card | {{ fees.card }} |\n\n"
            "| Way | Cost | When |\n| --- | --- | --- |\n| Phone | Free | Today |\n")
    view = one_view(tmp_path, body, "mobile")
    rendered, card = render(view)
    assert schema_errors(card) == []
    items = card["body"][0]["items"]
    steps = items[2]["items"]
    assert [e.get("text") for e in steps] == ["1\\. First step.", "2\\. Second step:", None]
    assert [e["text"] for e in steps[2]["items"]] == ["• sub one", "• sub two"]
    heading = next(e for e in items if e.get("text") == "More")
    assert (heading["style"], heading["weight"]) == ("heading", "bolder")
    image = next(e for e in items if e["type"] == "Image")
    assert image == {"type": "Image", "url": "https://riverton.gov/map.png", "altText": "outage map"}
    quote = next(e for e in items if e["type"] == "Container" and e.get("style") == "emphasis"
                 and e["items"][0]["text"] == "A quote.")
    assert quote["separator"] is True  # the rule above it
    code = next(e for e in items if e["type"] == "Container" and e["items"][0].get("fontType") == "monospace")
    assert [e["text"] for e in code["items"]] == ["first", "\u00a0\u00a0indented"]
    assert fact_sets(card)[0] == [{"title": "Card", "value": "$2.50"}]
    rows = [e for e in items if e["type"] == "Container" and e.get("separator") and e["items"][0].get("weight")]
    assert [[t["text"] for t in row["items"]] for row in rows] == [["Phone", "Cost: Free", "When: Today"]]
    lines = {type(b).__name__: b.line for b in view.detail}
    tables = [b.line for b in view.detail if type(b).__name__ == "Table"]
    assert {(n.code, n.line, n.severity) for n in rendered.notes} == {
        ("strike-not-shown", lines["Paragraph"], "warning"), ("image-moved", lines["Paragraph"], "warning"),
        ("table-as-text", tables[1], "warning")}
    assert all(n.message.startswith("mobile: ") for n in rendered.notes)


def test_a_scoped_block_or_an_unknown_node_is_a_bug(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short.\n", "mobile")
    scoped = Scoped("internal", frozenset(), (Paragraph((Text("secret"),), 9),), 9)
    with pytest.raises(TypeError, match="internal"):
        render(replace(view, blocks=(view.short_answer, scoped)))

    @dataclass(frozen=True)
    class Alien:
        line: int = 1

    with pytest.raises(TypeError, match="Alien"):
        render(replace(view, blocks=(view.short_answer, Alien())))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Alien"):
        render(replace(view, short_answer=Paragraph((Alien(),), 6)))  # type: ignore[arg-type]


def test_over_budget_is_an_error_naming_the_overrun(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short answer.\n\n" + "A long paragraph of detail that goes on. " * 80 + "\n", "mobile")
    small = CONFIG.model_copy(update={"max_bytes": 2000})
    rendered, _ = render(view, small)
    size = rendered.metrics["bytes"]
    assert isinstance(size, int) and size > 2000
    (note,) = rendered.notes
    assert (note.code, note.severity) == ("over-budget", "error")
    assert "mobile" in note.message and "billing/pay" in note.message and "2,000" in note.message
    assert f"{size:,} bytes" in note.message and f"by {size - 2000:,}" in note.message
    assert "::: except mobile" in note.message and "`mobile:` override" in note.message
    assert render(view)[0].notes == ()


def test_an_override_replaces_the_derived_card_text(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Long answer about {{ phone.main }}.\n\n1. A step.\n\nDetail.\n", "mobile",
                    mobile="'Call {{ phone.outage }} now.'")
    rendered, card = render(view)
    assert rendered.metrics["override"] is True
    assert text_blocks(card) == ["How do I pay my bill?", "Call 800-555-0199 now."]
    assert fact_sets(card) == [[{"title": "Outage line", "value": "800-555-0199"}]]
    assert [a["url"] for a in card["actions"]] == ["tel:+18005550199", "https://riverton.gov/help/billing/pay/"]
    assert card["speak"] == card["fallbackText"] == "Call 800-555-0199 now."
    rendered, _ = render(view, CONFIG.model_copy(update={"max_bytes": 2000}))
    assert rendered.notes == ()
    long = one_view(tmp_path / "long", "Short.\n", "mobile", mobile="'" + "Words " * 400 + "'")
    (note,) = render(long, CONFIG.model_copy(update={"max_bytes": 2000}))[0].notes
    assert note.code == "over-budget" and "shorten the `mobile:` override" in note.message


def test_rendering_is_deterministic() -> None:
    kb = sample()
    site = site_of(kb)
    for view, rendered in sample_cards():
        again = mobile.render(view, CONFIG, site)
        assert again.files == rendered.files and again.metrics == rendered.metrics


# ------------------------------------------------------------------------------------------------- facts


def test_every_key_fact_reads_back_from_the_card_text() -> None:
    checked = 0
    for view, rendered in sample_cards():
        card = json.loads(rendered.files[rendered.primary])
        texts = [visible(text) for text in text_blocks(card)]
        found = {(f.type, f.value.canonical) for text in texts for f in find_facts(text) if f.value}
        for mention in key_mentions(view):
            checked += 1
            if mention.fact.type is FactType.TEXT:
                assert any(mention.fact.canonical in text for text in texts), (view.id, mention.raw)
            else:
                assert (mention.fact.type, mention.fact.canonical) in found, (view.id, mention.raw)
        unique: dict[tuple[FactType, str], FactMention] = {}
        for mention in key_mentions(view):
            unique.setdefault((mention.fact.type, mention.fact.canonical), mention)
        last = card["body"][0]["items"][-1]
        assert (last["type"] == "FactSet") == bool(unique), view.id
        for fact, mention in zip(last["facts"] if unique else [], unique.values(), strict=True):
            value = visible(fact["value"])
            if mention.fact.type is FactType.TEXT:
                assert value == mention.fact.canonical
            else:
                (read,) = find_facts(value)
                assert (read.raw, read.value) == (value, mention.fact), (view.id, value)
    assert checked > 100


KINDS_AND_VALUES = [
    (FactType.PHONE, "(800) 555-0100"), (FactType.PHONE, "+1 800 555 0100 ext. 12"),
    (FactType.PHONE, "+44 20 7946 0958"), (FactType.MONEY, "$2.50"), (FactType.MONEY, "$1,200"),
    (FactType.MONEY, "EUR 3"), (FactType.DATE, "2027-01-01"), (FactType.TIME, "5 pm"), (FactType.TIME, "7:30 am"),
    (FactType.TIME, "noon"), (FactType.TIME, "midnight"), (FactType.HOURS, "Monday to Friday, 8 am to 5 pm"),
    (FactType.HOURS, "24/7"), (FactType.HOURS, "Saturday, 9 am to noon"), (FactType.HOURS, "daily 8 am to 10 pm"),
    (FactType.HOURS, "8 am to midnight"), (FactType.HOURS, "7 am to 7 pm"), (FactType.DURATION, "10 business days"),
    (FactType.DURATION, "1 day"), (FactType.DURATION, "3-5 business days"), (FactType.DURATION, "48 hours"),
    (FactType.DURATION, "two weeks"), (FactType.URL, "https://riverton.gov/pay"),
    (FactType.URL, "http://riverton.gov/old"), (FactType.URL, "https://example.de/page?a=1"),
    (FactType.EMAIL, "Billing@Riverton.gov"), (FactType.PERCENT, "1.5%"), (FactType.PERCENT, "20 percent"),
]


@pytest.mark.parametrize(("kind", "raw"), KINDS_AND_VALUES)
def test_each_fact_type_is_presented_in_a_form_that_reads_back(kind: FactType, raw: str) -> None:
    fact = parse_value(kind, raw)
    shown = mobile.present(fact)
    (found,) = find_facts(f"Note: {shown}.")
    assert (found.type, found.value) == (kind, fact), shown
    assert mobile.escape(shown) == shown or kind in (FactType.URL, FactType.EMAIL), shown  # no escapes needed


@pytest.mark.parametrize(("kind", "raw", "shown"), [
    (FactType.PHONE, "+1 800 555 0100", "+1 800-555-0100"), (FactType.PHONE, "+44 20 7946 0958", "020 7946 0958"),
    (FactType.MONEY, "USD 2.50", "USD 2.50"), (FactType.MONEY, "GBP 2.50", "£2.50"), (FactType.MONEY, "EUR 3", "€3"),
])
def test_facts_are_written_for_the_knowledge_base_locale(kind: FactType, raw: str, shown: str) -> None:
    british = Locale(region="GB", currency="GBP", language="en-GB")
    fact = parse_value(kind, raw, british)
    assert mobile.present(fact, british) == shown
    (found,) = find_facts(f"Note: {shown}.", british)
    assert found.value == fact


def test_presented_forms_by_hand() -> None:
    def shown(kind: FactType, raw: str) -> str:
        return mobile.present(parse_value(kind, raw))

    assert shown(FactType.PHONE, "(800) 555-0100") == "800-555-0100"
    assert shown(FactType.PHONE, "800.555.0100 ext. 12") == "800-555-0100 ext. 12"
    assert shown(FactType.MONEY, "$1200") == "$1,200"
    assert shown(FactType.DATE, "03/05/2026") == "March 5, 2026"
    assert shown(FactType.TIME, "19:30") == "7:30 pm"
    assert shown(FactType.HOURS, "Mon-Fri 07:00-19:00") == "Monday to Friday, 7 am to 7 pm"
    assert shown(FactType.HOURS, "24/7") == "24 hours a day, 7 days a week"
    assert shown(FactType.DURATION, "3 to 5 working days") == "3 to 5 business days"
    assert shown(FactType.URL, "https://riverton.gov/pay/") == "riverton.gov/pay"
    assert shown(FactType.URL, "https://example.test/x") == "https://example.test/x"
    assert shown(FactType.PERCENT, "1.50%") == "1.5%"
    assert mobile.present(FactValue(FactType.TEXT, "PO Box 4500", "PO Box 4500")) == "PO Box 4500"
    assert set(mobile.PRESENT) == set(FactType)


# ------------------------------------------------------------------------------------------------ config


def test_the_channel_config_validates() -> None:
    raw = channels.raw("mobile")
    config = mobile.Config.model_validate(raw)
    assert (config.description, config.internal) == (raw["description"], False)
    assert config.max_actions == raw["max_actions"] and config.max_bytes == raw["max_bytes"]
    with pytest.raises(ValueError, match="max_action"):
        mobile.Config.model_validate({**raw, "max_action": 3})
    with pytest.raises(ValueError):
        mobile.Config.model_validate({**raw, "max_actions": 0})
