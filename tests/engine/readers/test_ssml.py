"""The SSML reader: what a caller hears, aliases written back, say-as dates, lines, and refused DTDs."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.facts import Locale
from engine.readers import Reading
from engine.readers.ssml import read, written_alias, written_date, written_time
from tests.engine.readers.test_text import assert_reads_back, built_outputs, kinds, sample_outputs

NS = 'xmlns="http://www.w3.org/2001/10/synthesis"'


def speak(inner: str, declaration: bool = True) -> Reading:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else ""
    return read(f'{head}<speak version="1.1" {NS} xml:lang="en-US">{inner}</speak>'.encode("utf-8"))


@pytest.mark.parametrize(("alias", "written"), [
    ("2 dollars and 50 cents", "$2.50"),
    ("45 dollars", "$45"),
    ("1 dollar", "$1"),
    ("1,250 dollars", "$1,250"),
    ("50 cents", "$0.50"),
    ("12 euros and 5 cents", "€12.05"),
    ("3 pounds", "£3"),
    ("2 Canadian dollars", "CAD 2.00"),
    ("1.5 percent", "1.5%"),
    ("20 per cent", "20%"),
    ("riverton dot gov slash pay", "riverton.gov/pay"),
    ("riverton dot gov", "riverton.gov"),
    ("late dash fees", "late-fees"),
    ("billing at riverton dot gov", "billing@riverton.gov"),
    ("first underscore last at riverton dot gov", "first_last@riverton.gov"),
    ("underscore", "_"),
    ("riverton dot gov slash help slash at dash home", "riverton.gov/help/at-home"),
    ("http colon slash slash riverton dot gov slash a question mark b equals 1 and c equals 2",
     "http://riverton.gov/a?b=1&c=2"),
    ("8 0 0, 5 5 5, 0 1 0 0", "800 555 0100"),
    ("extension 1 2", "ext. 12"),
    ("Riverton Public Utilities", "Riverton Public Utilities"),
    ("call at 5 pm", "call at 5 pm"),
    ("5 min", "5 min"),
])
def test_an_alias_is_written_back_as_heard(alias: str, written: str) -> None:
    assert written_alias(alias) == written


@pytest.mark.parametrize(("content", "format_", "written"), [
    ("2027-01-01", "ymd", "2027-01-01"),
    ("1/5/2027", "mdy", "2027-01-05"),
    ("1/5/2027", "dmy", "2027-05-01"),
    ("5.1.2027", "dmy", "2027-01-05"),
    ("20270105", "yyyymmdd", "2027-01-05"),
    ("2027-01-05", "yyyymmdd", "2027-01-05"),
    ("05/01/2027", "dd/mm/yyyy", "2027-01-05"),
    ("2027-1-5", None, "2027-1-5"),
    ("5/1", "md", "5/1"),
    ("March 5, 2027", "mdy", "March 5, 2027"),
])
def test_a_say_as_date_is_read_in_its_format(content: str, format_: str | None, written: str) -> None:
    assert written_date(content, format_) == written


def test_say_as_dates_become_facts_in_every_format() -> None:
    got = speak('<p>Rates change on <say-as interpret-as="date" format="mdy">1/5/2027</say-as>, '
                '<say-as interpret-as="date" format="dmy">1/5/2027</say-as> and '
                '<say-as interpret-as="date" format="yyyymmdd">20270301</say-as>.</p>')
    assert kinds(got) == [("date", "2027-01-05"), ("date", "2027-05-01"), ("date", "2027-03-01")]


def test_a_date_not_on_the_calendar_is_not_a_fact() -> None:
    assert speak('<say-as interpret-as="date" format="ymd">2027-02-30</say-as>').facts == ()


def test_times_and_phones_keep_their_content() -> None:
    assert written_time("17:00:00") == "17:00"
    got = speak('<p>Call <say-as interpret-as="telephone">(800) 555-0100</say-as> before '
                '<say-as interpret-as="time" format="hms12">5:30pm</say-as> or '
                '<say-as interpret-as="time" format="hms24">17:45:00</say-as>.</p>')
    assert kinds(got) == [("phone", "+18005550100"), ("time", "17:30"), ("time", "17:45")]


def test_the_alias_is_heard_not_the_written_content() -> None:
    got = speak('<p>A card payment costs <sub alias="3 dollars">$2.50</sub>. '
                'Pay at <sub alias="riverton dot gov slash pay">riverton.gov/billing</sub>.</p>')
    assert got.text == "A card payment costs $3. Pay at riverton.gov/pay."
    assert kinds(got) == [("money", "USD 3.00"), ("url", "https://riverton.gov/pay")]


def test_every_written_back_alias_is_a_fact() -> None:
    got = speak('<p><sub alias="2 dollars and 50 cents">$2.50</sub> <sub alias="1.5 percent">1.5%</sub> '
                '<sub alias="billing at riverton dot gov">billing@riverton.gov</sub> '
                '<sub alias="50 cents">$0.50</sub></p>')
    assert kinds(got) == [("money", "USD 2.50"), ("percent", "1.5%"), ("email", "billing@riverton.gov"),
                          ("money", "USD 0.50")]


def test_paragraphs_and_sentences_end_lines_and_breaks_add_nothing() -> None:
    got = speak('\n<p>Call us.</p>\n<p>\n<s>First, have your bill.</s>\n<s>Finally, press<break time="300ms"/> 2.'
                '</s>\n</p>\n<break time="500ms"/>\n<p>Bye.</p>\n')
    assert got.text == "Call us.\nFirst, have your bill.\nFinally, press 2.\nBye."


def test_other_elements_are_heard_as_their_content() -> None:
    got = speak('<p><emphasis>Never</emphasis> <prosody rate="slow">pay in cash</prosody>, '
                '<voice name="x"><lang xml:lang="es-US">gracias</lang></voice><mark name="m"/> '
                '<audio src="chime.wav">chime<desc>a bell</desc></audio></p><!-- 800-555-0199 -->')
    assert got.text == "Never pay in cash, gracias chime"
    assert got.facts == ()


def test_a_sub_without_alias_is_heard_as_written() -> None:
    assert speak("<p><sub>$5</sub></p>").text == "$5"


def test_ssml_has_no_title_and_no_links() -> None:
    got = speak('<p>Visit <sub alias="riverton dot gov">riverton.gov</sub>.</p>')
    assert (got.title, got.links) == ("", ())


def test_ssml_without_namespace_or_declaration_reads_the_same() -> None:
    assert read(b"<speak><p>Call <say-as interpret-as='telephone'>800-555-0100</say-as></p></speak>").text == \
        speak("<p>Call <say-as interpret-as='telephone'>800-555-0100</say-as></p>", declaration=False).text


@pytest.mark.parametrize("document", [
    b'<?xml version="1.0"?><!DOCTYPE speak><speak/>',
    b'<?xml version="1.0"?><!doctype speak [<!ENTITY fee "$9">]><speak>&fee;</speak>',
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE speak [<!ENTITY a "b">]><speak>&a;</speak>'.encode("utf-16"),
])
def test_a_document_type_declaration_is_refused(document: bytes) -> None:
    with pytest.raises(ValueError):
        read(document)


@pytest.mark.parametrize("document", [b"<speak><p>unclosed</speak>", b"", b"<speak>&nbsp;</speak>"])
def test_what_is_not_well_formed_is_refused(document: bytes) -> None:
    with pytest.raises(ValueError, match="not well-formed"):
        read(document)


def test_a_locale_names_its_own_currency() -> None:
    assert written_alias("3 dollars", Locale(currency="CAD")) == "$3"
    assert written_alias("3 dollars", Locale(region="GB", currency="GBP")) == "USD 3.00"


def test_every_script_of_a_small_build_reads_back(tmp_path: Path) -> None:
    assert assert_reads_back(built_outputs(tmp_path / "dist", "ivr")) >= 3


def test_every_script_of_the_sample_reads_back() -> None:
    outputs = sample_outputs("ivr")
    assert len(outputs) > 40 and any(o.override for o in outputs)
    assert assert_reads_back(outputs) > 100
