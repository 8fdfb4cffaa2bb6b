"""Laws of the per-locale fact forms (renderers/fact_forms.py): an amount, a time of day, opening hours or a
percentage written in a locale's CLDR form ("2,50 US$", "9:00 a.m.", "de lunes a viernes, de 9:00 a 17:00",
"3,5 %") is read back as the same fact, by the recogniser and by every channel's real reader.

The fast laws go through the house style (`plain_facts.written`, full and compact) and `find_facts`; the
end-to-end law writes the values into a real `_facts.yaml`, renders an English answer and its translation in the
drawn locale on every channel through the real renderers, reads each output (every part of it: both bodies of an
email) back with that channel's reader under the translation's locale, and asks the gate too: no missing fact, no
fact parity problem."""
from __future__ import annotations

import tempfile
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from hypothesis import given, settings, strategies as st

import channels as channel_registry
from engine import contract
from engine.compile import Channel, load_channels, plan, render_answer
from engine.diagnostics import Report
from engine.facts import FactType, FactValue, Hours, Locale, Money, find_facts, hours_canonical, parse_value
from engine.knowledge import load
from engine.readers import read_parts
from renderers import plain_facts

LOCALES = ("en-US", "es", "es-US", "es-MX", "es-419")
AS_OF = date(2026, 11, 23)


def locale_of(tag: str) -> Locale:
    return Locale("US", "USD", tag)


@st.composite
def amounts(draw: st.DrawFn) -> FactValue:
    cents = draw(st.one_of(st.integers(1, 99_999), st.integers(1, 99_999_999_999)))
    whole = draw(st.booleans())
    amount = Decimal(cents if whole else cents) if whole else Decimal(cents) / 100
    currency = draw(st.sampled_from(("USD", "EUR")))
    amount = amount.quantize(Decimal("0.01"))
    return FactValue(FactType.MONEY, f"{currency} {amount}", Money(amount, currency))


@st.composite
def times(draw: st.DrawFn) -> FactValue:
    value = time(draw(st.integers(0, 23)), draw(st.sampled_from((0, 5, 15, 30, 45, 59))))
    return FactValue(FactType.TIME, value.strftime("%H:%M"), value)


@st.composite
def opening_hours(draw: st.DrawFn) -> FactValue:
    if draw(st.integers(0, 9)) == 0:
        value = Hours(0, 6, time(0, 0), time(0, 0), True)
    else:
        days = draw(st.one_of(st.just((None, None)),
                              st.tuples(st.integers(0, 6), st.integers(0, 6)).map(lambda d: tuple(sorted(d)))))
        opens = draw(st.integers(0, 22 * 4)) * 15
        until_midnight = draw(st.integers(0, 5)) == 0
        closes = 0 if until_midnight else draw(st.integers(opens // 15 + 1, 23 * 4 + 3)) * 15
        value = Hours(days[0], days[1], time(opens // 60, opens % 60), time(closes // 60, closes % 60), until_midnight)
    return FactValue(FactType.HOURS, hours_canonical(value), value)


@st.composite
def percents(draw: st.DrawFn) -> FactValue:
    value = (Decimal(draw(st.integers(1, 250_000))) / 100).normalize()
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value
    return FactValue(FactType.PERCENT, f"{format(value, 'f')}%", value)


FACTS = st.one_of(amounts(), times(), opening_hours(), percents())


@settings(max_examples=300, deadline=None)
@given(FACTS, st.sampled_from(LOCALES), st.booleans())
def test_every_locale_form_reads_back_as_the_same_fact(fact: FactValue, tag: str, compact: bool) -> None:
    locale = locale_of(tag)
    written = plain_facts.written(fact, plain_facts.Style(locale, compact=compact))
    for sentence in (written, f"Dato: {written}.", f"El cargo es de {written}, hoy"):
        found = [f for f in find_facts(sentence, locale) if f.value is not None]
        assert [f.value.canonical for f in found] == [fact.canonical], (tag, written, found)


def test_the_cldr_forms_of_the_documented_examples() -> None:
    fee = parse_value(FactType.MONEY, "$2.50")
    nine = parse_value(FactType.TIME, "9 am")
    rate = parse_value(FactType.PERCENT, "3.5%")
    office = parse_value(FactType.HOURS, "Monday to Friday, 9 am to 5 pm")
    shown = {tag: [plain_facts.written(f, plain_facts.Style(locale_of(tag))) for f in (fee, nine, rate, office)]
             for tag in LOCALES}
    assert shown["en-US"] == ["$2.50", "9 am", "3.5%", "Monday to Friday, 9 am to 5 pm"]
    assert shown["es"] == ["2,50 US$", "9:00", "3,5 %", "de lunes a viernes, de 9:00 a 17:00"]
    assert shown["es-US"] == ["$2.50", "9:00 a.m.", "3.5%", "de lunes a viernes, de 9:00 a.m. a 5:00 p.m."]
    assert shown["es-MX"] == ["USD2.50", "9:00 a.m.", "3.5%", "de lunes a viernes, de 9:00 a.m. a 5:00 p.m."]


# ------------------------------------------------------------------------------------------ end to end


@lru_cache(maxsize=1)
def configs() -> tuple[Channel, ...]:
    report = Report()
    loaded = load_channels(channel_registry.names(), report)
    assert not report.has_errors()
    return tuple(loaded)


def _yaml_value(fact: FactValue) -> str:
    """The fact as an editor writes it in `_facts.yaml` (the English house style, which parses back)."""
    if isinstance(fact.value, Money):
        return f'{{type: money, value: "{fact.value.amount}", currency: {fact.value.currency}}}'
    return f'{{type: {fact.type.value}, value: "{plain_facts.written(fact)}"}}'


SENTENCES = {  # (English, Spanish): one fact per answer, so no budget ever cuts it
    "fee": ("The fee is {{ x.fee }}.", "El cargo es de {{ x.fee }}."),
    "time": ("We call back at {{ x.time }}.", "Le llamamos a las {{ x.time }}."),
    "hours": ("The office is open {{ x.hours }}.", "La oficina abre {{ x.hours }}."),
    "rate": ("The rate is {{ x.rate }}.", "La tasa es del {{ x.rate }}."),
}


def _answer(question: str, sentence: str, **front: str) -> str:
    lines = "".join(f"{key}: {value}\n" for key, value in {"question": question, "owner": "ops",
                                                            "reviewed": "2026-10-01", **front}.items())
    return f"---\n{lines}---\n{sentence}\n\n1. Have your account number ready.\n2. Keep the receipt.\n"


@settings(max_examples=10, deadline=None)
@given(amounts(), times(), opening_hours(), percents(), st.sampled_from(LOCALES))
def test_every_channel_reads_a_translations_locale_forms_back_as_the_sources_facts(
        fee: FactValue, clock: FactValue, hours: FactValue, rate: FactValue, tag: str) -> None:
    facts = {"fee": fee, "time": clock, "hours": hours, "rate": rate}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        (root / "t").mkdir(parents=True)
        (root / "_facts.yaml").write_text("x:\n" + "".join(f"  {k}: {_yaml_value(v)}\n" for k, v in facts.items()),
                                          encoding="utf-8")
        for name, (english, spanish) in SENTENCES.items():
            (root / "t" / f"{name}.md").write_text(_answer(f"What is the {name}?", english), encoding="utf-8")
            if tag != "en-US":
                (root / "t" / f"{name}-es.md").write_text(
                    _answer(f"¿Cuál es el dato {name}?", spanish, translation_of=f"t/{name}", language=tag),
                    encoding="utf-8")
        report = Report()
        kb = load(root, report, as_of=AS_OF)
    assert not report.has_errors(), [d.text() for d in report.errors]
    work = plan(kb, list(configs()), AS_OF)
    suffix = "" if tag == "en-US" else "-es"
    for name, fact in facts.items():
        answer = next(a for a in kb.answers if a.id == f"t/{name}{suffix}")
        item = render_answer(answer, work)
        errors = [f"{p.code}: {p.message}" for p in item.problems if p.severity == "error"]
        assert errors == [], (tag, name, errors)
        for channel, rendered in item.outputs:
            if channel == "reference":
                continue
            reader = contract.load(channel).reader_for(rendered.primary)
            for part, reading in read_parts(rendered.primary, rendered.files[rendered.primary], locale_of(tag),
                                            reader):
                canonical = {f.canonical for f in reading.facts if f.type is fact.type}
                assert fact.canonical in canonical, (tag, channel, part, fact.canonical, reading.text)
