"""Answers in more than one language: a translation states its source's facts on every channel (the gate proves
it, naming the fact and the channel), a stale one is flagged, and Spanish reads, sounds and counts as Spanish."""
from __future__ import annotations

import shutil
import subprocess
import wave
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import channels
from engine.audio import Speaker, ssml_voice, voice_for
from engine.compile import load_channels, plan, render_answer
from engine.diagnostics import Report
from engine.facts import FactType, Locale, find_facts, parse_value
from engine.knowledge import KnowledgeBase, load
from renderers import gsm, plain_facts
from tests.kb import AS_OF, answer_file, sample, write_kb

SSML_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "ssml11" / "synthesis.xsd"
SOURCE = answer_file("Call {{ phone.main }} to pay by card. The fee is {{ fees.card }}.\n\n"
                     "1. Have your account number ready.\n2. Pay online at {{ urls.pay }}.\n3. Keep the receipt.\n",
                     reviewed="2026-10-01")
SPANISH = ("Llame al {{ phone.main }} para pagar con tarjeta. El cargo es de {{ fees.card }}.\n\n"
           "1. Tenga a mano su número de cuenta.\n2. Pague en línea en {{ urls.pay }}.\n3. Guarde el recibo.\n")
SPANISH_FRONT = {"question": "¿Cómo pago mi factura?", "translation_of": "billing/pay", "language": "es-US",
                 "sms": '"Pague al {{ phone.main }}. Cargo por tarjeta: {{ fees.card }}. O en {{ urls.pay }}."'}


def kb_with(tmp_path: Path, spanish: str = SPANISH, **front: str) -> tuple[KnowledgeBase | None, Report]:
    answers = {"billing/pay": SOURCE, "billing/pay-es": answer_file(spanish, **{**SPANISH_FRONT, **front})}
    report = Report()
    kb = load(write_kb(tmp_path / "kb", answers), report, as_of=AS_OF)
    return kb, report


def gated(kb: KnowledgeBase) -> dict[str, Any]:
    report = Report()
    work = plan(kb, load_channels(channels.names(), report), AS_OF)
    item = render_answer(next(a for a in kb.answers if a.id == "billing/pay-es"), work)
    return {"outputs": dict(item.outputs), "problems": [f"{p.code}: {p.message}" for p in item.problems]}


def test_a_faithful_translation_passes_the_gate_on_every_channel(tmp_path: Path) -> None:
    kb, report = kb_with(tmp_path)
    assert kb is not None and not report.has_errors(), [d.text() for d in report.errors]
    result = gated(kb)
    assert result["problems"] == []
    # every channel but the opt-in ones (the social post), from the registry: a new channel is covered unlisted
    assert set(result["outputs"]) == {name for name in channels.names() if not channels.opt_in(name)}


def test_a_translation_that_drops_a_fact_fails_naming_the_fact_and_each_channel(tmp_path: Path) -> None:
    dropped = SPANISH.replace(" El cargo es de {{ fees.card }}.", "")
    kb, _ = kb_with(tmp_path, dropped, sms='"Pague al {{ phone.main }} o en {{ urls.pay }}."')
    assert kb is not None
    problems = [p for p in gated(kb)["problems"] if p.startswith("translation-fact-missing")]
    channels_named = {p.split(": ")[1] for p in problems}
    assert {"web", "mobile", "ivr", "chat", "sms", "email"} <= channels_named, problems
    assert all("does not state $2.50 (fees.card), which `billing/pay` states there" in p for p in problems)


def test_a_translation_that_changes_a_fee_fails_naming_both_values(tmp_path: Path) -> None:
    changed = SPANISH.replace("{{ fees.card }}", "$3.50")
    kb, _ = kb_with(tmp_path, changed, sms='"Pague al {{ phone.main }}. Cargo por tarjeta: $3.50. O en {{ urls.pay }}."')
    assert kb is not None
    problems = [p for p in gated(kb)["problems"] if p.startswith("translation-fact-changed")]
    assert any(p.startswith("translation-fact-changed: web: the es-US translation states $3.50 where `billing/pay` "
                            "states $2.50 (fees.card)") for p in problems), problems
    assert {p.split(": ")[1] for p in problems} >= {"web", "sms", "email", "chat", "mobile", "ivr"}


def test_a_translation_older_than_its_sources_last_change_is_stale(tmp_path: Path) -> None:
    _, report = kb_with(tmp_path, reviewed="2026-09-01")
    [stale] = [d for d in report.items if d.code == "stale-translation"]
    assert "billing/pay-es.md:" in stale.text() and "before `billing/pay` last changed (reviewed 2026-10-01)" in stale.text()
    _, fresh = kb_with(tmp_path / "again", reviewed="2026-10-01")
    assert not [d for d in fresh.items if d.code == "stale-translation"]


@pytest.mark.parametrize(("front", "code", "says"), [
    ({"translation_of": "billing/payy"}, "unknown-translation-source", "did you mean `billing/pay`"),
    ({"language": "en-GB"}, "invalid-translation", "another one"),
])
def test_a_wrong_translation_of_is_an_error_at_its_line(tmp_path: Path, front: dict[str, str], code: str,
                                                        says: str) -> None:
    _, report = kb_with(tmp_path, **front)
    [error] = [d for d in report.errors if d.code == code]
    assert error.text().startswith(str(Path("kb") / "billing" / "pay-es.md")) or "pay-es.md:" in error.text()
    assert says in error.text()


def test_a_changed_source_changes_its_translations_hash(tmp_path: Path) -> None:
    kb, _ = kb_with(tmp_path)
    assert kb is not None
    before = next(a.hash for a in kb.answers if a.id == "billing/pay-es")
    (tmp_path / "kb" / "billing" / "pay.md").write_text(SOURCE.replace("Keep the receipt", "Keep the slip"),
                                                         encoding="utf-8")
    after = next(a.hash for a in load(tmp_path / "kb", Report(), as_of=AS_OF).answers if a.id == "billing/pay-es")
    assert before != after


# ------------------------------------------------------------------------------------------- Spanish forms


def test_the_ivr_speaks_spanish_connectives_in_a_spanish_document(tmp_path: Path) -> None:
    kb, _ = kb_with(tmp_path)
    assert kb is not None
    rendered = gated(kb)["outputs"]["ivr"]
    root = ET.fromstring(rendered.files[rendered.primary])
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "es-US"
    transcript = rendered.files["billing/pay-es.txt"].decode()
    assert "Primero, tenga a mano" in transcript and "Después, pague" in transcript and "Por último, guarde" in transcript
    assert "First" not in transcript and "Finally" not in transcript


def test_spanish_ssml_validates_and_espeak_ng_speaks_it_with_the_spanish_voice(tmp_path: Path) -> None:
    kb, _ = kb_with(tmp_path)
    assert kb is not None
    ssml = gated(kb)["outputs"]["ivr"].files["billing/pay-es.ssml"]
    xmlschema = pytest.importorskip("xmlschema")
    if not SSML_SCHEMA.exists():
        pytest.skip("the W3C SSML 1.1 schema is not beside the repository")
    xmlschema.XMLSchema(str(SSML_SCHEMA)).validate(ssml.decode())
    assert voice_for("es-US") == "es-419" and ssml_voice(ssml, "en-us") == "es-419"
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    voices = subprocess.run(["espeak-ng", "--voices=es"], capture_output=True, text=True, check=True).stdout
    assert " es-419 " in voices  # the voice the translation is heard in exists
    data = Speaker().wav(ssml, "en-us")
    path = tmp_path / "es.wav"
    path.write_bytes(data)
    with wave.open(str(path)) as heard:
        assert heard.getnframes() / heard.getframerate() > 2  # seconds of speech


def test_durations_are_written_in_spanish_through_babel_and_read_back_as_the_same_fact() -> None:
    spanish = plain_facts.Style(Locale(language="es-US"))
    for written, shown in [("15 minutes", "15 minutos"), ("1 day", "1 día"), ("10 business days", "10 días hábiles"),
                           ("3 to 5 days", "3-5 días"), ("2 months", "2 meses"), ("1 year", "1 año")]:
        fact = parse_value(FactType.DURATION, written, Locale())
        assert plain_facts.written(fact, spanish) == shown
        [found] = find_facts(f"El plazo es de {shown}.")
        assert found.value is not None and found.value.canonical == fact.canonical, shown
    assert plain_facts.written(parse_value(FactType.DURATION, "15 minutes", Locale()), plain_facts.Style()) == "15 minutes"


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("Llame al 800-555-0100.", "GSM-7", 22, 1),  # no accent: GSM-7
    ("Cafe con ñ y ü, é", "GSM-7", 17, 1),  # ñ, ü and é are in the GSM-7 alphabet
    ("Sí", "UCS-2", 2, 1),  # í is not: one accent makes the whole message UCS-2
    ("á" * 70, "UCS-2", 70, 1),  # a single UCS-2 segment holds 70
    ("á" * 71, "UCS-2", 71, 2),  # past 70, segments of 67 (6 octets of each go to the header)
    ("á" * 134, "UCS-2", 134, 2),  # two segments: 2 x 67 = 134, the SMS budget of 2 in UCS-2
    ("á" * 135, "UCS-2", 135, 3),
    ("a" * 160, "GSM-7", 160, 1),  # the same length in GSM-7 is one segment of 160
    ("a" * 159 + "ó", "UCS-2", 160, 3),  # ... and one ó makes it three
])
def test_ucs2_segments_match_hand_worked_cases(text: str, encoding: str, units: int, segments: int) -> None:
    assert gsm.encode_info(gsm.normalise(text))[:3] == (encoding, units, segments)


def test_a_spanish_sms_reports_ucs2_and_keeps_its_segment_budget(tmp_path: Path) -> None:
    kb, _ = kb_with(tmp_path)
    assert kb is not None
    sms = gated(kb)["outputs"]["sms"]
    assert sms.metrics["encoding"] == "UCS-2" and sms.metrics["segments"] <= 2
    assert sms.metrics["ucs2_because"].startswith("í") or "U+00" in str(sms.metrics["ucs2_because"])
    assert not [n for n in sms.notes if n.code == "ucs2"]  # the translation's accents are its language, not a fault
    assert "Más: riverton.gov/help/billing/pay-es" in sms.files[sms.primary].decode()


def test_the_sample_has_at_least_fifteen_spanish_answers_and_each_passes_the_gate() -> None:
    kb = sample()
    spanish = [a for a in kb.answers if a.translation_of and a.language.startswith("es")]
    assert len(spanish) >= 15
    report = Report()
    work = plan(kb, load_channels(channels.names(), report), AS_OF)
    for answer in spanish:
        item = render_answer(answer, work)
        errors = [p for p in item.problems if p.severity == "error"]
        assert errors == [], (answer.id, errors)
        notes = [n for _, r in item.outputs for n in r.notes if n.severity == "error"]
        assert notes == [], (answer.id, notes)


def test_the_reference_page_shows_the_language_versions_together(tmp_path: Path) -> None:
    kb, _ = kb_with(tmp_path)
    assert kb is not None
    page = gated(kb)["outputs"]["reference"].files["billing/pay-es/index.html"].decode()
    assert '<a href="../../billing/pay/" hreflang="en-US">English</a>' in page and "This version: español" in page
    assert '<div class="answer" id="answer" lang="es-US">' in page  # the CSR's page is English, the answer Spanish
    report = Report()
    work = plan(kb, load_channels(channels.names(), report), AS_OF)
    source = render_answer(next(a for a in kb.answers if a.id == "billing/pay"), work)
    page = dict(source.outputs)["reference"].files["billing/pay/index.html"].decode()
    assert '<a href="../../billing/pay-es/" hreflang="es-US">español</a>' in page and "¿Cómo pago mi factura?" in page


def test_a_translation_shows_facts_with_their_labels_in_its_language() -> None:
    kb = sample()
    report = Report()
    work = plan(kb, load_channels(channels.names(), report), AS_OF)
    spanish = dict(render_answer(next(a for a in kb.answers if a.id == "accessibility/language-help-es"), work).outputs)
    english = dict(render_answer(next(a for a in kb.answers if a.id == "accessibility/language-help"), work).outputs)
    assert "• Línea de idiomas (intérpretes gratuitos): 888-555-0166" in spanish["email"].files[
        "accessibility/language-help-es.txt"].decode()
    assert "Language line (free interpreters)" in english["email"].files["accessibility/language-help.txt"].decode()
    card = spanish["mobile"].files["accessibility/language-help-es.json"].decode()
    assert '"lang": "es"' in card and "Llamar a Línea de idiomas" in card and "Leer la respuesta completa" in card


def test_dates_are_written_in_spanish_through_babel_and_read_back_as_the_same_fact() -> None:
    fact = parse_value(FactType.DATE, "2027-01-01", Locale())
    assert plain_facts.written(fact, plain_facts.Style(Locale(language="es-US"))) == "1 de enero de 2027"
    assert plain_facts.written(fact, plain_facts.Style(Locale(language="es-US"), compact=True)) == "1 ene 2027"
    for shown in ("1 de enero de 2027", "1 ene 2027", "1 de enero del 2027"):
        [found] = find_facts(f"Empiezan el {shown}.")
        assert found.value is not None and found.value.canonical == "2027-01-01", shown
    assert plain_facts.written(fact, plain_facts.Style()) == "January 1, 2027"


@pytest.mark.parametrize(("alias", "written"), [
    ("50 dólares", "$50"), ("2 dólares con 50 centavos", "$2.50"), ("3.5 por ciento", "3.5%"),
    ("riverton punto gov barra myaccount", "riverton.gov/myaccount"),
    ("access arroba riverton punto gov", "access@riverton.gov"),
    ("2 dollars and 50 cents", "$2.50"), ("riverton dot gov slash pay", "riverton.gov/pay"),  # English still
])
def test_the_ssml_reader_hears_spanish_amounts_and_addresses(alias: str, written: str) -> None:
    from engine.readers.ssml import written_alias
    assert written_alias(alias) == written


def test_a_spanish_phone_line_says_amounts_percentages_and_addresses_in_spanish() -> None:
    kb = sample()
    report = Report()
    work = plan(kb, load_channels(channels.names(), report), AS_OF)
    heard = {}
    for answer_id in ("appointments/missed-appointment-es", "billing/rate-change-2027-es", "accounts/autopay-es"):
        item = render_answer(next(a for a in kb.answers if a.id == answer_id), work)
        assert not [p for p in item.problems if p.severity == "error"], answer_id
        heard[answer_id] = dict(item.outputs)["ivr"].files[f"{answer_id}.ssml"].decode()
    assert 'alias="50 dólares"' in heard["appointments/missed-appointment-es"]
    assert 'alias="3.5 por ciento"' in heard["billing/rate-change-2027-es"]
    assert 'alias="riverton punto gov barra myaccount"' in heard["accounts/autopay-es"]
    assert "dollars" not in "".join(heard.values()) and " dot " not in "".join(heard.values())
