"""Edge cases the channel properties found in the gate, the readers and the renderers, kept as examples.

Each case is the smallest knowledge base hypothesis reduced a failure to; every channel it names must build
and pass the gate. The last cases show the fixes did not blind the gate."""
from __future__ import annotations

from pathlib import Path

import pytest

import channels
from engine.compile import gate, load_channels
from engine.diagnostics import Report
from engine.knowledge import load
from tests.kb import AS_OF, answer_file, write_kb

NO_FACTS = "x:\n  y: {type: text, value: a}\n"

PASSING = {
    "a link with no words shows its target": (NO_FACTS, "Yes Call [](mailto:0@0.gov).\n", "[chat]"),
    "a label that reads as a time is the fact's own": (
        "durations:\n  main0: {type: duration, value: 1 minute, label: NOON}\n",
        "No Call {{ durations.main0 }}.\n", "[mobile]"),
    "a text fact with a typographic quote, sent as a plain one": (
        'places:\n  main0: {type: text, value: "\u2018"}\n', "Yes.\n\n3. Then {{ places.main0 }}.\n", "[sms]"),
    "a text fact that reads as a time": (
        "places:\n  main0: {type: text, value: NOON}\n", "Yes Call {{ places.main0 }}.\n", "[chat, web]"),
    "an address whose part is a mark's name": (
        "emails:\n  main0: {type: email, value: 0@colon.gov}\n", "Sometimes Call {{ emails.main0 }}.\n", "[ivr]"),
    "a superscript digit is no number": (NO_FACTS, "Sometimes.\n\n3. Then A A0\u00b2.\n", "[chat, ivr]"),
    "a link whose words do not say its target leads": (
        NO_FACTS, "No Call [A](mailto:0@0.gov) today.\n", "[ivr, sms, chat, web, mobile]"),
    "a letter after an amount is no thousand": (
        "fees:\n  main1: {type: money, value: $0.01}\n", "Yes.\n\n3. Then {{ fees.main1 }} K.\n", "[chat, sms]"),
    "a compatibility ideograph the text message composes (NFC)": (
        NO_FACTS, "Sometimes.\n", '[sms]\nsms: "Sometimes \U0002f800."'),
    "decomposed accents the text message composes (NFC)": (NO_FACTS, "Cafe\u0301 open today.\n", "[sms, chat]"),
    "an international host, however it is written, is one address on every channel": (
        "urls:\n  shop: {type: url, value: \"https://bücher.example/\"}\n",
        "Visit {{ urls.shop }}, [the shop](https://BÜCHER.example/books) or https://xn--bcher-kva.example/faq.\n",
        "[ivr, sms, chat, web, mobile, reference]"),
    "a text fact among the first words": (
        "places:\n  main0: {type: text, value: A}\n", "Yes Call {{ places.main0 }}.\n", "[chat, sms]"),
}


def gate_errors(tmp_path: Path, facts: str, body: str, on: str) -> list[str]:
    root = write_kb(tmp_path / "kb", {"billing/a": answer_file(body, channels=on)}, facts)
    report = Report()
    kb = load(root, report, as_of=AS_OF)
    loaded = load_channels(channels.names(), report)
    assert not report.has_errors(), [d.text() for d in report.errors]
    assert gate(kb, loaded, AS_OF, report) > 0
    return [f"{d.code}: {d.message}" for d in report.errors]


@pytest.mark.parametrize("case", sorted(PASSING))
def test_found_by_the_properties_and_now_passes(tmp_path: Path, case: str) -> None:
    assert gate_errors(tmp_path, *PASSING[case]) == []


def test_a_label_does_not_excuse_a_different_value(tmp_path: Path) -> None:
    facts = "durations:\n  main0: {type: duration, value: 1 minute, label: NOON}\n"
    body = "No Call {{ durations.main0 }}.\n\nOpen until 1 pm.\n"
    assert gate_errors(tmp_path, facts, body, "[mobile]") == []  # a time the body says is allowed
    errors = gate_errors(tmp_path / "2", facts, "No Call {{ durations.main0 }}.\n",
                         '[sms]\nsms: "No Call {{ durations.main0 }} at 1 pm."')
    assert any(e.startswith("invented-fact: sms states 1") for e in errors), errors


def test_a_text_fact_left_out_is_still_missing(tmp_path: Path) -> None:
    facts = 'places:\n  main0: {type: text, value: "Main \u2018Office\u2019"}\n'
    errors = gate_errors(tmp_path, facts, "Visit {{ places.main0 }}.\n",
                         '[sms]\nsms: "Visit us."')
    assert any(e.startswith("missing-fact") and "places.main0" in e for e in errors), errors


def test_internal_words_are_found_whether_composed_or_not(tmp_path: Path) -> None:
    body = ("Cafe\u0301 hours vary.\n\n::: internal\nStaff know the cafe\u0301 closes early on every second rainy "
            "Tuesday of the month.\n:::\n")
    override = '[sms]\nsms: "Cafe\u0301 hours vary. The caf\u00e9 closes early on every second rainy Tuesday."'
    errors = gate_errors(tmp_path, NO_FACTS, body, override)
    assert any(e.startswith("internal-leak") for e in errors), errors
