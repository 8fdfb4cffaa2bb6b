"""Laws of fact parity over generated knowledge bases: a translation that states its source's facts passes on the
channels that carry a whole answer, and one that loses a fact there is reported, naming the fact and the channel."""
from __future__ import annotations

import re
import tempfile
from datetime import date
from functools import lru_cache
from pathlib import Path

from hypothesis import event, given, settings, strategies as st

import channels as channel_registry
from engine import contract
from engine.compile import Channel, load_channels, plan, render_answer
from engine.consistency import _own_link
from engine.diagnostics import Report
from engine.knowledge import load
from tests.properties.answers import GeneratedKB, knowledge_bases

AS_OF_TEXT = "2026-11-23"
WHOLE = ("web", "email")  # channels that carry the whole public answer, never degrading to a budget
_REFERENCE = re.compile(r"\{\{\s*([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)\s*\}\}")


@lru_cache(maxsize=1)
def configs() -> tuple[Channel, ...]:
    report = Report()
    loaded = load_channels(channel_registry.names(), report)
    assert not report.has_errors()
    return tuple(loaded)


def translated(text: str, source_id: str) -> str:
    """The answer file as its translation: the same text, saying what it translates and in which language."""
    assert text.startswith("---\n")
    return f"---\ntranslation_of: {source_id}\nlanguage: es-US\n" + text[len("---\n"):]


def outputs(generated: GeneratedKB, change: tuple[str, str] | None) -> tuple[dict[str, set], list[str]] | None:
    """The source's and the translation's facts per whole channel, and the gate's parity problems."""
    source = generated.answers[0]
    text = translated(source.text, source.id)
    if change is not None:
        body_at = text.index("\n---\n", 4) + 5
        text = text[:body_at] + text[body_at:].replace(change[0], change[1])
    with tempfile.TemporaryDirectory() as tmp:
        root = generated.write(Path(tmp) / "kb")
        (root / f"{source.id}-es.md").write_text(text, encoding="utf-8")
        report = Report()
        kb = load(root, report, as_of=date.fromisoformat(AS_OF_TEXT))
    translation = next((a for a in kb.answers if a.id == f"{source.id}-es"), None)
    original = next((a for a in kb.answers if a.id == source.id), None)
    if translation is None or original is None:
        event("the translation did not load")
        return None
    work = plan(kb, list(configs()), date.fromisoformat(AS_OF_TEXT))
    mine = dict(render_answer(translation, work).outputs)
    theirs = dict(render_answer(original, work).outputs)
    facts: dict[str, set] = {}
    for name in WHOLE:
        if name in mine and name in theirs:
            for who, out in (("source", theirs[name]), ("translation", mine[name])):
                reading = contract.read_output(name, out.primary, out.files[out.primary], work.site.locale)
                facts[f"{who} {name}"] = {(f.type, f.canonical) for f in reading.facts  # the site's own links aside
                                          if not _own_link((f.type, f.canonical), work.site.base_url)}
    problems = [f"{p.code}: {p.message}" for p in render_answer(translation, work).problems
                if p.code.startswith("translation-")]
    return facts, problems


@settings(max_examples=30, deadline=None)
@given(knowledge_bases(max_answers=2))
def test_a_translation_stating_the_same_facts_has_no_parity_problem_on_whole_channels(generated: GeneratedKB) -> None:
    found = outputs(generated, None)
    if found is None:
        return
    _, problems = found
    whole = [p for p in problems if p.split(": ")[1] in WHOLE]
    assert whole == [], whole


@settings(max_examples=30, deadline=None)
@given(knowledge_bases(max_answers=2), st.data())
def test_a_fact_a_translation_loses_on_a_whole_channel_is_reported_there(generated: GeneratedKB,
                                                                          data: st.DataObject) -> None:
    body = generated.answers[0].text.split("\n---\n", 1)[1]
    keys = sorted(set(_REFERENCE.findall(body)))
    if not keys:
        return
    key = data.draw(st.sampled_from(keys), label="fact reference dropped")
    found = outputs(generated, (f"{{{{ {key} }}}}", "ese dato"))
    if found is None:
        return
    facts, problems = found
    for name in WHOLE:
        lost = facts.get(f"source {name}", set()) - facts.get(f"translation {name}", set())
        if lost:
            event(f"{name}: a fact lost")
            assert any(p.startswith(f"translation-fact-missing: {name}:") or
                       p.startswith(f"translation-fact-changed: {name}:") for p in problems), (name, lost, problems)
