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


EVERY_CHANNEL = "[ivr, sms, chat, web, mobile, reference]"
# False positives a real help center met, each the smallest answer that showed it (issue 13, item 4).
REAL_CONTENT = {
    "a dash right after a link": (NO_FACTS, "Pay online at https://riverton.gov/pay\u2014or call us.\n"),
    "an en dash right after a bare address": (NO_FACTS, "Pay online at riverton.gov/pay\u2013or call us.\n"),
    "a word hyphenated to a domain": (NO_FACTS, "Use an example.gov-certified provider to file.\n"),
    "closing curly quotes after a link": (NO_FACTS, "Go to \u201chttps://riverton.gov/pay\u201d to pay.\n"),
    "a possessive after a domain, curly": (NO_FACTS, "Example.gov\u2019s team can help you file.\n"),
    "a possessive after a domain, straight": (NO_FACTS, "Example.gov's team can help you file.\n"),
    "a .mil and a .int address": (NO_FACTS, "Veterans can start at va.mil or army.mil; partners at nato.int.\n"),
    "country domains": (NO_FACTS, "Forms are on www.gov.uk/forms, bund.de and https://service-public.fr/aide.\n"),
    "emergency and crisis short codes": (
        NO_FACTS, "In an emergency [call 911](tel:911). In a crisis [call or text 988](tel:988).\n\n"
                  "1. For local services [dial 211](tel:211).\n"),
    "international dialling forms": (
        NO_FACTS, "From abroad [call our London desk](tel:+44%2020%207946%200958) or "
                  "[dial it from the US](tel:011%2044%2020%207946%200958).\n"),
    "a no-break space inside a phone number": (NO_FACTS, "Call 800\u00a0555\u00a00100 to pay.\n"),
    "a narrow no-break space inside a phone number": (NO_FACTS, "Call +44\u202f20\u202f7946\u202f0958 from abroad.\n"),
    "Chinese text right after a URL": (
        NO_FACTS, "\u8bf7\u8bbf\u95ee https://riverton.gov/pay\u4e86\u89e3\u66f4\u591a\u3002\n"),
}


@pytest.mark.parametrize("case", sorted(REAL_CONTENT))
def test_real_help_center_content_passes_the_gate(tmp_path: Path, case: str) -> None:
    facts, body = REAL_CONTENT[case]
    assert gate_errors(tmp_path, facts, body, EVERY_CHANNEL) == []


def test_a_short_code_the_output_drops_is_still_missing(tmp_path: Path) -> None:
    errors = gate_errors(tmp_path, NO_FACTS, "In an emergency [call 911](tel:911).\n",
                         '[sms]\nsms: "In an emergency call us."')
    assert any(e.startswith("missing-fact: sms does not state tel:911") for e in errors), errors


def test_a_help_center_with_real_world_links_checks_without_errors() -> None:
    """tests/fixtures/realistic_links_kb: .mil, .int and country domains, curly quotes and dashes after links,
    possessives after domains, emergency short codes, international dialling and no-break spaces in numbers."""
    root = Path(__file__).resolve().parents[1] / "fixtures" / "realistic_links_kb"
    report = Report()
    kb = load(root, report, as_of=AS_OF)
    loaded = load_channels(channels.names(), report)
    assert len(kb.answers) == 4 and gate(kb, loaded, AS_OF, report) > 0
    assert [d.text() for d in report.errors] == []
