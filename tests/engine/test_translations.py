"""Translations read under their own language's rules: CLDR forms of money, times, hours and percentages on every
channel, text facts with per-language `forms:`, and the gate naming the fact and the channel (social included)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.diagnostics import Report
from engine.facts import Locale, find_facts
from engine.knowledge import load
from engine.schema import facts_schema
from tests.engine.test_locales import SOURCE, SPANISH, gated, kb_with
from tests.kb import AS_OF, FACTS, answer_file, write_kb


def test_a_translation_in_a_decimal_comma_language_is_read_under_its_own_rules(tmp_path: Path) -> None:
    """The known bug: the gate read a translation's outputs with the site's English rules, so "2,50 US$" (es)
    was no fee at all and the gate failed a faithful translation."""
    assert not [f for f in find_facts("El cargo es de 2,50 US$.", Locale()) if f.value and f.value.canonical ==
                "USD 2.50"]  # English rules cannot read the Spanish form...
    [fee] = find_facts("El cargo es de 2,50 US$.", Locale(language="es"))  # ...Spanish ones can
    assert fee.value is not None and fee.value.canonical == "USD 2.50"
    kb, report = kb_with(tmp_path, language="es")
    assert kb is not None and not report.has_errors(), [d.text() for d in report.errors]
    result = gated(kb)
    assert result["problems"] == []
    web = result["outputs"]["web"].files["billing/pay-es/index.html"].decode()
    assert "2,50 US$" in web and "$2.50" not in web


@pytest.mark.parametrize(("tag", "fee", "cutoff", "office", "rate"), [
    ("es", "2,50 US$", "17:00", "de lunes a viernes, de 8:00 a 17:00", "1,5 %"),
    ("es-US", "$2.50", "5:00 p.m.", "de lunes a viernes, de 8:00 a.m. a 5:00 p.m.", "1.5%"),
    ("es-MX", "USD2.50", "5:00 p.m.", "de lunes a viernes, de 8:00 a.m. a 5:00 p.m.", "1.5%"),
])
def test_every_channel_writes_the_locales_forms_and_the_gate_passes(tmp_path: Path, tag: str, fee: str, cutoff: str,
                                                                    office: str, rate: str) -> None:
    english = SOURCE.replace("Keep the receipt.", "Pay by {{ times.cutoff }}; we are open {{ hours.office }}; "
                                                  "late fees are {{ rates.late }}.")
    spanish = SPANISH.replace("Guarde el recibo.", "Pague antes de las {{ times.cutoff }}; abrimos "
                                                   "{{ hours.office }}; el recargo es del {{ rates.late }}.")
    sms = {"billing/pay": '"Call {{ phone.main }} by {{ times.cutoff }}. Fee {{ fees.card }}; late {{ rates.late }}."',
           "billing/pay-es": '"Llame al {{ phone.main }} antes de las {{ times.cutoff }}. Cargo {{ fees.card }}; '
                             'recargo {{ rates.late }}."'}
    answers = {"billing/pay": english.replace("reviewed: 2026-10-01\n", f"reviewed: 2026-10-01\nsms: {sms['billing/pay']}\n"),
               "billing/pay-es": answer_file(spanish, question="¿Cómo pago mi factura?", translation_of="billing/pay",
                                             language=tag, sms=sms["billing/pay-es"])}
    report = Report()
    kb = load(write_kb(tmp_path / "kb", answers), report, as_of=AS_OF)
    assert not report.has_errors(), [d.text() for d in report.errors]
    result = gated(kb)
    assert result["problems"] == [], result["problems"]
    web = result["outputs"]["web"].files["billing/pay-es/index.html"].decode()
    for form in (fee, cutoff, office, rate):
        assert form in web, (tag, form)
    ssml = result["outputs"]["ivr"].files["billing/pay-es.ssml"].decode()
    assert office in ssml and "2 dólares con 50 centavos" in ssml
    assert f'alias="{rate.rstrip(" %").rstrip("%")} por ciento"' in ssml


FORMS_FACTS = FACTS.replace('places:\n  office: {type: text, value: "100 Main Street, Riverton", label: Main office}',
                            'places:\n  office: {type: text, value: "100 Main Street, Riverton", label: Main office,\n'
                            '           forms: {es: "Oficina principal, 100 Main Street, Riverton"}}\n'
                            '  desk: {type: text, value: "Front desk", label: Desk}')


def _with_places(tmp_path: Path, sentence: str, facts: str = FORMS_FACTS) -> tuple[object, Report]:
    answers = {"billing/pay": SOURCE.replace("Keep the receipt.", "Visit {{ places.office }} or {{ places.desk }}."),
               "billing/pay-es": answer_file(SPANISH.replace("Guarde el recibo.", sentence),
                                             question="¿Cómo pago mi factura?", translation_of="billing/pay",
                                             language="es-US")}
    report = Report()
    return load(write_kb(tmp_path / "kb", answers, facts), report, as_of=AS_OF), report


def test_a_text_fact_states_its_form_in_the_translations_language(tmp_path: Path) -> None:
    kb, report = _with_places(tmp_path, "Visítenos en {{ places.office }}.")
    assert not report.has_errors(), [d.text() for d in report.errors]
    result = gated(kb)
    for channel in ("web", "chat", "email"):
        out = result["outputs"][channel]
        assert "Oficina principal, 100 Main Street, Riverton" in out.files[out.primary].decode(errors="replace") or \
            channel == "email", channel
    transcript = result["outputs"]["ivr"].files["billing/pay-es.txt"].decode()
    assert "Oficina principal" in transcript
    assert not [p for p in result["problems"] if "places.office" in p]


def test_a_text_fact_with_no_form_in_the_translations_language_names_the_fact_and_channels(tmp_path: Path) -> None:
    _, report = _with_places(tmp_path, "Visítenos en {{ places.desk }}.")
    [error] = [d for d in report.errors if d.code == "translation-fact-missing"]
    text = error.text()
    assert "pay-es.md:" in text and "`places.desk`" in text and "no `es` form" in text
    for channel in ("web", "mobile", "ivr", "chat", "sms", "email"):
        assert channel in text.split("translation-fact-missing: ")[1].split(":")[0], (channel, text)
    line = int(text.split("pay-es.md:")[1].split(":")[0])
    written = (tmp_path / "kb" / "billing" / "pay-es.md").read_text(encoding="utf-8").split("\n")[line - 1]
    assert "places.desk" in written


def test_forms_on_a_fact_that_is_not_text_is_an_invalid_fact_at_its_line(tmp_path: Path) -> None:
    facts = FACTS.replace("  card: {type: money, value: $2.50, label: Card fee}",
                          "  card:\n    type: money\n    value: $2.50\n    forms: {es: '2,50 dólares'}")
    _, report = _with_places(tmp_path, "Visítenos.", facts)
    [error] = [d for d in report.errors if d.code == "invalid-fact"]
    assert "_facts.yaml:8:5: error: invalid-fact:" in error.text()  # the `forms` key of `fees.card`
    assert "`fees.card` forms: only a text fact has per-language forms" in error.text()


def test_the_facts_schema_knows_forms() -> None:
    entry = json.loads(json.dumps(facts_schema()))["$defs"]["FactEntry"]
    assert "forms" in entry["properties"] and "text fact" in entry["properties"]["forms"]["description"]


def test_a_translation_that_drops_a_fact_from_its_social_post_fails_naming_the_fact_and_social(tmp_path: Path) -> None:
    source = SOURCE.replace("reviewed: 2026-10-01\n", "reviewed: 2026-10-01\nsocial: true\n")
    dropped = SPANISH.replace(" El cargo es de {{ fees.card }}.", "")
    answers = {"billing/pay": source,
               "billing/pay-es": answer_file(dropped, question="¿Cómo pago mi factura?", translation_of="billing/pay",
                                             language="es-US", social="true",
                                             sms='"Pague al {{ phone.main }} o en {{ urls.pay }}."')}
    report = Report()
    kb = load(write_kb(tmp_path / "kb", answers), report, as_of=AS_OF)
    problems = [p for p in gated(kb)["problems"] if p.startswith("translation-fact-missing: social:")]
    assert problems and "$2.50 (fees.card)" in problems[0], gated(kb)["problems"]
