"""Fixture cases for the fact normalisers and the prose recogniser (the properties live in tests/properties)."""
from __future__ import annotations

import pytest

from engine.facts import FactError, FactType, Locale, LookAlikeHost, find_facts, normalize_url, parse_value


@pytest.mark.parametrize(("kind", "forms", "canonical"), [
    ("phone", ["(800) 555-0100", "800.555.0100", "+1 800 555 0100", "1-800-555-0100"], "+18005550100"),
    ("money", ["$1,200", "$1200.00", "USD 1,200.00", "1200 dollars"], "USD 1200.00"),
    ("money", ["$0.50", "50 cents"], "USD 0.50"),
    ("date", ["March 5, 2026", "2026-03-05", "5 March 2026", "Mar. 5, 2026", "03/05/2026"], "2026-03-05"),
    ("time", ["7 pm", "7:00 p.m.", "19:00", "7PM"], "19:00"),
    ("time", ["noon", "12 pm"], "12:00"),
    ("hours", ["Monday to Friday, 7 am to 7 pm", "Mon-Fri 07:00-19:00", "weekdays 7 am - 7 pm"],
     "Mon-Fri 07:00-19:00"),
    ("hours", ["24/7", "24 hours a day, 7 days a week"], "Mon-Sun 00:00-24:00"),
    ("duration", ["3 business days", "three working days"], "3 business-day"),
    ("duration", ["3 to 5 days", "3-5 days"], "3-5 day"),
    ("url", ["https://riverton.gov/pay", "riverton.gov/pay", "HTTPS://Riverton.GOV/pay/"], "https://riverton.gov/pay"),
    ("url", ["https://bücher.example/", "https://BÜCHER.example", "https://xn--bcher-kva.example/"],
     "https://xn--bcher-kva.example"),
    ("url", ["https://пример.рф/оплата"], "https://xn--e1afmkfd.xn--p1ai/оплата"),
    ("email", ["Billing@Riverton.gov", "billing@riverton.gov"], "billing@riverton.gov"),
    ("percent", ["5%", "5 percent", "5.00 %"], "5%"),
    ("text", ["  123  Main   St "], "123 Main St"),
])
def test_forms_editors_write_normalise_to_one_value(kind: str, forms: list[str], canonical: str) -> None:
    assert {parse_value(FactType(kind), form).canonical for form in forms} == {canonical}


@pytest.mark.parametrize(("kind", "raw"), [
    ("phone", "555-0100"), ("phone", "call us"), ("date", "2026-02-30"), ("date", "someday"),
    ("money", "two fifty"), ("money", "$9,999,999,999,999"), ("url", "javascript:alert(1)"), ("email", "nobody"),
    ("time", "25:00"), ("duration", "soon"), ("text", "   "),
])
def test_values_that_are_not_facts_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(FactError):
        parse_value(FactType(kind), raw)


def test_money_with_an_explicit_currency_and_a_region_for_phones() -> None:
    assert parse_value(FactType.MONEY, "12.5", currency="EUR").canonical == "EUR 12.50"
    assert parse_value(FactType.MONEY, 3, currency="GBP").canonical == "GBP 3.00"
    with pytest.raises(FactError):
        parse_value(FactType.MONEY, "$3", currency="EUR")
    assert parse_value(FactType.PHONE, "020 7946 0018", Locale(region="GB")).canonical == "+442079460018"


def test_dates_follow_the_region_order_for_slashes() -> None:
    assert find_facts("due 03/05/2026", Locale(region="GB"))[0].value.canonical == "2026-05-03"


def test_the_recogniser_prefers_the_longest_reading() -> None:
    found = find_facts("Open Monday to Friday, 7 am to 7 pm. Call 1-800-555-0100 or visit riverton.gov; "
                       "email help@riverton.gov. Refunds take 10 business days; fees rise 2.5% on 2027-01-01.")
    assert [(f.type.value, f.value.canonical) for f in found] == [
        ("hours", "Mon-Fri 07:00-19:00"), ("phone", "+18005550100"), ("url", "https://riverton.gov"),
        ("email", "help@riverton.gov"), ("duration", "10 business-day"), ("percent", "2.5%"), ("date", "2027-01-01")]


def test_impossible_dates_in_prose_are_found_with_an_error() -> None:
    (found,) = find_facts("The office reopens on 2026-02-30.")
    assert found.value is None and "not a date on the calendar" in (found.error or "")


def test_ordinary_numbers_are_not_facts() -> None:
    assert find_facts("Press 2, then 1. Your 10-digit account number is on page 3 of 4.") == []


@pytest.mark.parametrize("url", ["https://p\u0430ypal.com", "https://xn--pypal-4ve.com/login", "https://g\u03bfogle.com"])
def test_a_host_mixing_look_alike_scripts_is_refused_however_it_is_written(url: str) -> None:
    with pytest.raises(LookAlikeHost, match="mixes Latin and (Cyrillic|Greek) letters") as refused:
        normalize_url(url)
    assert refused.value.code == "mixed-script-host"
    (found,) = find_facts(f"Sign in at {url} today.")
    assert found.value is None and found.code == "mixed-script-host"


def test_scripts_written_together_and_hosts_idna_refuses() -> None:
    assert normalize_url("https://東京タワー.jp") == "https://xn--5ck2eqb538s34z.jp"
    assert normalize_url("https://пример.com") == "https://xn--e1afmkfd.com"  # one script per label
    with pytest.raises(FactError, match="not a valid international host name"):
        normalize_url("https://xn--zz.example")
