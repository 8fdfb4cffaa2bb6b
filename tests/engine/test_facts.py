"""Fixture cases for the fact normalisers and the prose recogniser (the properties live in tests/properties)."""
from __future__ import annotations

import pytest

from engine.facts import FactError, FactType, Locale, LookAlikeHost, dialled, find_facts, normalize_url, parse_value


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


def _urls(text: str) -> list[str]:
    return [f.raw for f in find_facts(text) if f.type is FactType.URL]


@pytest.mark.parametrize(("text", "url"), [
    ("Pay at https://riverton.gov/pay.", "https://riverton.gov/pay"),
    ("Pay at https://riverton.gov/pay?!", "https://riverton.gov/pay"),
    ("Pay online (https://riverton.gov/pay) today.", "https://riverton.gov/pay"),
    ("Read https://en.wikipedia.org/wiki/Tax_(finance).", "https://en.wikipedia.org/wiki/Tax_(finance)"),
    ("Go to \u201chttps://riverton.gov/pay\u201d now.", "https://riverton.gov/pay"),
    ("Go to \u2018https://riverton.gov/pay\u2019 now.", "https://riverton.gov/pay"),
    ("Go to \u00abhttps://riverton.gov/pay\u00bb now.", "https://riverton.gov/pay"),
    ('Go to "https://riverton.gov/pay" now.', "https://riverton.gov/pay"),
    ("Pay at riverton.gov/pay\u2014or call us.", "riverton.gov/pay"),
    ("Pay at https://riverton.gov/pay\u2013or call us.", "https://riverton.gov/pay"),
    ("Use an example.gov-certified provider.", "example.gov"),
    ("Use an https://example.gov-certified provider.", "https://example.gov"),
    ("Example.gov\u2019s team can help.", "Example.gov"),
    ("Example.gov's team can help.", "Example.gov"),
    ("https://example.gov\u2019s team can help.", "https://example.gov"),
    ("\u8bf7\u8bbf\u95ee https://riverton.gov/pay\u4e86\u89e3\u66f4\u591a\u3002", "https://riverton.gov/pay"),
    ("\u8bf7\u8bbf\u95eeriverton.gov\u4e86\u89e3\u66f4\u591a", "riverton.gov"),
    ("\u8a73\u3057\u304f\u306f https://riverton.gov/help\u3092\u3054\u89a7\u304f\u3060\u3055\u3044",
     "https://riverton.gov/help"),
    ("See https://\u6771\u4eac\u30bf\u30ef\u30fc.jp today.", "https://\u6771\u4eac\u30bf\u30ef\u30fc.jp"),
    ("See https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/\u043e\u043f\u043b\u0430\u0442\u0430 today.",
     "https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/\u043e\u043f\u043b\u0430\u0442\u0430"),
    ("Done at riverton.gov.Then call.", "riverton.gov"),
])
def test_a_url_ends_where_a_reader_ends_it(text: str, url: str) -> None:
    assert _urls(text) == [url]


@pytest.mark.parametrize(("text", "canonical"), [
    ("Visit army.mil for benefits.", "https://army.mil"),
    ("Read nato.int first.", "https://nato.int"),
    ("Ask bund.de, service-public.fr or my.gov.au.", "https://bund.de"),
    ("Start at www.gov.uk/browse.", "https://www.gov.uk/browse"),
    ("Apply at canada.ca today.", "https://canada.ca"),
    ("See https://example.md/notes today.", "https://example.md/notes"),
    ("See www.example.md today.", "https://www.example.md"),
])
def test_every_real_domain_ending_is_read(text: str, canonical: str) -> None:
    found = [f for f in find_facts(text) if f.type is FactType.URL]
    assert found and found[0].value is not None and found[0].value.canonical == canonical


@pytest.mark.parametrize("text", [
    "Fill in form.pdf and send it.", "Read the notes, e.g. the first page.", "Update to v1.2 or 10.4.3 first.",
    "Open readme.md or setup.py, then photos.zip.", "It was done.It is closed.", "Fees rise.In May they fall.",
    "Our gov.uk partner can help.", "Use node.js and U.S. forms, i.e. the new ones.",
    "Use shared facts like group.name from the facts file.", "Set user.id and fees.new in the form.",
])
def test_file_names_abbreviations_and_versions_are_no_urls(text: str) -> None:
    assert _urls(text) == []


@pytest.mark.parametrize(("text", "raw", "canonical"), [
    ("Call 800\u00a0555\u00a00100 today.", "800\u00a0555\u00a00100", "+18005550100"),
    ("Call +44\u202f20\u202f7946\u202f0958 from abroad.", "+44\u202f20\u202f7946\u202f0958", "+442079460958"),
    ("It costs \u20ac\u00a045 a year.", "\u20ac\u00a045", "EUR 45.00"),
    ("Rates rise 5\u202f% in May.", "5\u202f%", "5%"),
])
def test_no_break_spaces_inside_numbers_read_as_spaces(text: str, raw: str, canonical: str) -> None:
    (found,) = find_facts(text)
    assert (found.raw, found.value.canonical) == (raw, canonical)
    assert text[found.start:found.end] == raw


@pytest.mark.parametrize(("target", "region", "canonical"), [
    ("911", "US", "911"), ("988", "US", "988"), ("211", "US", "211"), ("999", "GB", "999"), ("112", "DE", "112"),
    ("+44 20 7946 0958", "US", "+442079460958"), ("011 44 20 7946 0958", "US", "+442079460958"),
    ("00 44 20 7946 0958", "US", "+442079460958"), ("+1-800-555-0100", "US", "+18005550100"),
])
def test_a_tel_target_dials_short_codes_and_international_forms(target: str, region: str, canonical: str) -> None:
    assert dialled(target, Locale(region=region)).canonical == canonical


@pytest.mark.parametrize("target", ["999", "12345", "0911", "call us"])
def test_a_tel_target_that_dials_nothing_in_the_region_is_refused(target: str) -> None:
    with pytest.raises(FactError):
        dialled(target)
    with pytest.raises(FactError):  # a shared phone fact is a full number: a short code is no fact to state
        parse_value(FactType.PHONE, "911")
