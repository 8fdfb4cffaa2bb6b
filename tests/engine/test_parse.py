"""Markdown to the canonical model: short answer, steps, scoped blocks, facts and links."""
from __future__ import annotations

import channels as channel_registry
from engine.diagnostics import Report
from engine.factbook import Fact, FactTable
from engine.facts import FactType, Locale, parse_value
from engine.model import (
    Code, CodeBlock, FactMention, Heading, Link, ListBlock, Paragraph, Scoped, Strong, Table, Text, inline_text,
    walk_inlines,
)
from engine.parse import parse_body, parse_override

CHANNELS = channel_registry.names()
FACTS = FactTable({
    "phone.main": Fact("phone.main", parse_value(FactType.PHONE, "(800) 555-0100"), "Customer service", 1),
    "fees.card": Fact("fees.card", parse_value(FactType.MONEY, "$2.50"), "Card fee", 2),
})


def parse(body: str) -> tuple[object, Report]:
    report = Report()
    return parse_body(body, "a.md", 6, FACTS, Locale(), CHANNELS, report), report


def test_short_answer_steps_and_detail() -> None:
    body, report = parse(
        "Call {{ phone.main }} to pay.\n\n1. Have your number.\n2. Press **2**.\n\n## More\n\nDetail here.\n")
    assert report.items == []
    assert body.short_answer is body.blocks[0]
    assert isinstance(body.steps, ListBlock) and body.steps.ordered and len(body.steps.items) == 2
    assert isinstance(body.blocks[2], Heading) and body.blocks[2].level == 2 and body.blocks[2].line == 11
    mention = body.short_answer.inlines[1]
    assert mention == FactMention(FACTS.facts["phone.main"].value, "{{ phone.main }}", "phone.main",
                                  "Customer service", "ref")
    assert isinstance(body.steps.items[1].blocks[0].inlines[1], Strong)


def test_the_first_ordered_list_is_the_steps_even_after_a_bullet_list() -> None:
    body, _ = parse("Short.\n\n- a bullet\n\n1. first step\n")
    assert body.steps is body.blocks[2]


def test_scoped_blocks_keep_their_kind_channels_and_nesting() -> None:
    body, report = parse("Short.\n\n::: internal\nCSR note.\n:::\n\n:::: except sms ivr\nWeb only.\n\n"
                         "::: only web\nNested.\n:::\n::::\n")
    assert report.items == []
    internal, outer = body.blocks[1], body.blocks[2]
    assert isinstance(internal, Scoped) and internal.kind == "internal" and internal.channels == frozenset()
    assert isinstance(outer, Scoped) and outer.kind == "except" and outer.channels == {"sms", "ivr"}
    inner = outer.blocks[1]
    assert isinstance(inner, Scoped) and inner.kind == "only" and inner.channels == {"web"}


def test_a_short_answer_inside_a_scoped_block_does_not_count() -> None:
    body, report = parse("::: internal\nA note first.\n:::\n\nThe real short answer.\n")
    assert report.items == []
    assert inline_text(body.short_answer.inlines) == "The real short answer."


def test_literal_facts_are_recognised_and_linked_to_the_shared_fact_they_equal() -> None:
    body, _ = parse("Pay $2.50 by calling 800.555.0100\nor (503) 555-0142, due March 5, 2026.\n")
    mentions = [n for n in walk_inlines(body.blocks) if isinstance(n, FactMention)]
    assert [(m.fact.canonical, m.key, m.origin) for m in mentions] == [
        ("USD 2.50", "fees.card", "literal"), ("+18005550100", "phone.main", "literal"),
        ("+15035550142", None, "literal"), ("2026-03-05", None, "literal")]


def test_code_is_not_searched_for_facts_or_references() -> None:
    body, report = parse("Type `{{ not.a.fact }}` or `$5`.\n\n```\n$9.99\n```\n")
    assert report.items == []
    assert [type(n) for n in body.short_answer.inlines] == [Text, Code, Text, Code, Text]
    assert isinstance(body.blocks[1], CodeBlock) and body.blocks[1].text == "$9.99"


def test_links_carry_the_fact_their_target_normalises_to() -> None:
    body, report = parse("See [the page](https://Riverton.gov/pay/), [mail](mailto:Help@Riverton.gov) "
                         "or [call](tel:+18005550100).\n")
    assert report.items == []
    links = [n for n in body.short_answer.inlines if isinstance(n, Link)]
    assert [(link.fact.type, link.fact.canonical) for link in links] == [
        (FactType.URL, "https://riverton.gov/pay"), (FactType.EMAIL, "help@riverton.gov"),
        (FactType.PHONE, "+18005550100")]


def test_tables_keep_header_rows_and_alignment() -> None:
    body, _ = parse("Fees below.\n\n| Fee | Amount |\n|:--|--:|\n| Card | {{ fees.card }} |\n")
    table = body.blocks[1]
    assert isinstance(table, Table) and table.align == ("left", "right")
    assert inline_text(table.header[0]) == "Fee"
    assert isinstance(table.rows[0][1][0], FactMention)


def test_unsafe_content_is_refused_with_its_position() -> None:
    _, report = parse("Short.\n\n[x](JavaScript:alert(1)) and [y](data:text/html,hi) and <img onerror=x>\n")
    located = [(d.code, d.line, d.col) for d in report.items]
    assert located == [("unsafe-link", 8, 5), ("unsafe-link", 8, 34), ("raw-html", 8, 57)]


def test_overrides_parse_as_inline_text_with_facts() -> None:
    report = Report()
    inlines = parse_override("Pay by phone: {{ phone.main }}.\nFee $2.50.", "a.md", 9, FACTS, Locale(), CHANNELS,
                             report)
    assert report.items == []
    assert [n.key for n in inlines if isinstance(n, FactMention)] == ["phone.main", "fees.card"]
    assert isinstance(Paragraph(inlines, 9).inlines[0], Text)


def test_look_alike_hosts_are_refused_and_http_addresses_warned_where_written() -> None:
    _, report = parse("Sign in at [the bank](https://p\u0430ypal.com/login) or at https://\u0430pple.com now.\n\n"
                      "See [old](http://riverton.gov/old) or http://riverton.gov/x.\n")
    assert [(d.severity.value, d.code, d.line, d.col) for d in report.items] == [
        ("error", "mixed-script-host", 6, 23), ("error", "mixed-script-host", 6, 55),
        ("warning", "insecure-link", 8, 11), ("warning", "insecure-link", 8, 39)]
    assert "U+0430 CYRILLIC SMALL LETTER A" in report.items[0].message


def test_emergency_short_codes_and_international_dialling_are_valid_tel_links() -> None:
    body, report = parse("In an emergency [call 911](tel:911); in a crisis [988](tel:988); for local help "
                         "[dial 211](tel:211), or from abroad [this](tel:+44%2020%207946%200958) or "
                         "[that](<tel:011 44 20 7946 0958>).\n")
    assert report.items == []
    links = [n for n in body.short_answer.inlines if isinstance(n, Link)]
    assert [link.fact.canonical for link in links] == ["911", "988", "211", "+442079460958", "+442079460958"]


def test_a_tel_link_that_dials_nothing_is_still_refused() -> None:
    _, report = parse("Short.\n\n[call](tel:12345)\n")
    assert [d.code for d in report.items] == ["invalid-link"]
