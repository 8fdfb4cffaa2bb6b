"""The house style: one written form per fact type and locale (and the compact forms text messages use), each
reading back as the same fact."""
from __future__ import annotations

import pytest

from engine.facts import FactType, FactValue, Locale, dialled, find_facts, parse_value
from renderers import plain_facts
from renderers.plain_facts import Style

US = Locale()
CANADA = Locale(region="CA", currency="CAD", language="en-CA")
BRITAIN = Locale(region="GB", currency="GBP", language="en-GB")
IRELAND = Locale(region="IE", currency="EUR", language="en-IE")


def reads_back(shown: str, fact: FactValue, locale: Locale) -> None:
    found = find_facts(f"Note {shown} here.", locale)
    assert [(f.type, f.value.canonical if f.value else None, f.raw) for f in found] == [
        (fact.type, fact.canonical, shown)], shown


@pytest.mark.parametrize(("kind", "value", "roomy", "compact"), [
    ("phone", "(800) 555-0100", "800-555-0100", "800-555-0100"),
    ("phone", "800.555.0100 ext. 12", "800-555-0100 ext. 12", "800-555-0100 ext. 12"),
    ("phone", "+44 20 7946 0958", "+44 20 7946 0958", "+44 20 7946 0958"),
    ("money", "$2.50", "$2.50", "$2.50"),
    ("money", "$1,200.00", "$1,200", "$1,200"),
    ("money", "1200 dollars", "$1,200", "$1,200"),
    ("money", "EUR 3", "€3", "€3"),
    ("money", "GBP 3.5", "£3.50", "£3.50"),
    ("money", "CAD 12.5", "CAD 12.50", "CAD 12.50"),
    ("date", "2026-03-05", "March 5, 2026", "Mar 5, 2026"),
    ("time", "19:30", "7:30 pm", "7:30pm"),
    ("time", "12 pm", "noon", "12pm"),
    ("time", "00:00", "midnight", "12am"),
    ("hours", "Mon-Fri 07:00-19:00", "Monday to Friday, 7 am to 7 pm", "Mon-Fri 7am-7pm"),
    ("hours", "Saturday, 8 am to noon", "Saturday, 8 am to noon", "Sat 8am-12pm"),
    ("hours", "every day, 8 am to 8 pm", "every day, 8 am to 8 pm", "daily 8am-8pm"),
    ("hours", "weekends, 9 am to 1 pm", "weekends, 9 am to 1 pm", "Sat-Sun 9am-1pm"),
    ("hours", "24/7", "24 hours a day, 7 days a week", "24/7"),
    ("hours", "8 am to midnight", "8 am to midnight", "8am-midnight"),
    ("duration", "ten working days", "10 business days", "10 business days"),
    ("duration", "3 to 5 days", "3 to 5 days", "3-5 days"),
    ("duration", "1 hour", "1 hour", "1 hour"),
    ("url", "riverton.gov/pay", "riverton.gov/pay", "riverton.gov/pay"),
    ("url", "https://example.test/pay", "https://example.test/pay", "https://example.test/pay"),
    ("email", "Billing@Riverton.gov", "billing@riverton.gov", "billing@riverton.gov"),
    ("percent", "1.50 percent", "1.5%", "1.5%"),
])
def test_each_type_has_one_form_and_a_compact_one_that_read_back(kind: str, value: str, roomy: str,
                                                                 compact: str) -> None:
    fact = parse_value(FactType(kind), value)
    assert plain_facts.written(fact) == roomy
    assert plain_facts.written(fact, Style(compact=True)) == compact
    reads_back(roomy, fact, US)
    reads_back(compact, fact, US)


@pytest.mark.parametrize(("locale", "kind", "value", "shown"), [
    (CANADA, "money", "CAD 45", "$45"),  # "$" is the locale's own dollar...
    (CANADA, "money", "USD 45", "USD 45"),  # ...so another dollar is named by its code
    (US, "money", "CAD 45", "CAD 45"),
    (IRELAND, "money", "EUR 3", "€3"),
    (BRITAIN, "phone", "+44 20 7946 0958", "020 7946 0958"),  # at home, the national form
    (BRITAIN, "phone", "+1 800 555 0100", "+1 800-555-0100"),  # abroad, the international one
    (CANADA, "phone", "+1 416 555 0100", "416-555-0100"),  # one calling code: dialled the same way
])
def test_forms_follow_the_knowledge_base_locale(locale: Locale, kind: str, value: str, shown: str) -> None:
    fact = parse_value(FactType(kind), value, locale)
    assert plain_facts.written(fact, Style(locale)) == shown
    reads_back(shown, fact, locale)


def test_a_short_code_is_written_as_dialled() -> None:
    emergency = dialled("911")
    assert plain_facts.written(emergency) == plain_facts.written(emergency, Style(compact=True)) == "911"


def test_every_fact_type_has_a_form() -> None:
    assert set(plain_facts.presenters(Style())) == set(FactType)
    text = FactValue(FactType.TEXT, "PO Box 4500", "PO Box 4500")
    assert plain_facts.written(text) == plain_facts.written(text, Style(compact=True)) == "PO Box 4500"
