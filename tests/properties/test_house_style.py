"""One house style across channels: whatever form an editor writes a fact in, the web page, the card, the chat
snippet and the IVR transcript all show it in exactly the house form for the knowledge base's locale, and the
text message in the compact form; no channel shows the fact in any other form."""
from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

from hypothesis import given, settings, strategies as st

import channels as channel_registry
from engine.compile import Channel, load_channels, plan, render_answer
from engine.diagnostics import Report
from engine.facts import FactError, FactType, FactValue, Locale, find_facts, parse_value
from engine.consistency import COMPACT
from engine.contract import read_output
from renderers import Rendered, plain_facts
from tests.kb import AS_OF, answer_file, load_kb, write_kb
from tests.properties.strategies import BY_TYPE

LOCALES = {
    "US": Locale(), "CA": Locale("CA", "CAD", "en-CA"), "GB": Locale("GB", "GBP", "en-GB"),
}
SETTINGS = "name: Riverton\nregion: {region}\ncurrency: {currency}\nlanguage: {language}\n"


@lru_cache(maxsize=1)
def customer_channels() -> tuple[Channel, ...]:
    report = Report()
    loaded = load_channels(channel_registry.customer_channels(), report)
    assert not report.has_errors()
    return tuple(loaded)


def shown_text(channel: str, rendered: Rendered, locale: Locale) -> str:
    """What the customer reads: the plain-text snippet for chat, the transcript for the IVR."""
    if channel == "chat":
        return rendered.files[rendered.primary.removesuffix(".md") + ".txt"].decode()
    if channel == "ivr":
        return rendered.files[rendered.primary.removesuffix(".ssml") + ".txt"].decode()
    return read_output(channel, rendered.primary, rendered.files[rendered.primary], locale).text


def means(kind: str, written: str, locale: Locale) -> FactValue | None:
    try:
        return parse_value(FactType(kind), written, locale)
    except FactError:
        return None


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(sorted(BY_TYPE)), data=st.data(), region=st.sampled_from(sorted(LOCALES)))
def test_every_channel_writes_a_fact_in_the_one_house_form(kind: str, data: st.DataObject, region: str) -> None:
    locale = LOCALES[region]
    value = data.draw(BY_TYPE[kind], label="value")
    fact = next(meant for form in value.forms if (meant := means(kind, form, locale)) is not None)
    forms = [form for form in value.forms if means(kind, form, locale) == fact]  # "01/02/2000" is 1 February in GB
    written = data.draw(st.sampled_from(forms), label="as written")
    facts = f"shared:\n  fact: {{type: {kind}, value: {written!r}, label: The fact}}\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = write_kb(Path(tmp) / "kb", {"billing/pay": answer_file("Note: {{ shared.fact }} here.\n")}, facts)
        (root / "_settings.yaml").write_text(SETTINGS.format(region=locale.region, currency=locale.currency,
                                                             language=locale.language), encoding="utf-8")
        kb = load_kb(root)
    work = plan(kb, list(customer_channels()), AS_OF)
    outputs = dict(render_answer(kb.answers[0], work).outputs)
    house = plain_facts.written(fact, plain_facts.Style(locale))
    compact = plain_facts.written(fact, plain_facts.Style(locale, compact=True, url=plain_facts.short_url))
    expected = {channel: compact if channel == COMPACT else house for channel in outputs}
    for channel, form in expected.items():
        text = shown_text(channel, outputs[channel], locale)
        forms = {found.raw for found in find_facts(text, locale)
                 if found.value is not None and (found.type, found.value.canonical) == (fact.type, fact.canonical)}
        assert forms == {form}, (channel, text)
