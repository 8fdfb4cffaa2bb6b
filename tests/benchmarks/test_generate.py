"""The benchmark generator makes a valid, deterministic knowledge base that builds clean on every channel."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import channels as channel_registry
from benchmarks.generate import STAFF_WORDS, VERBS, WORDS, generate
from engine.compile import load_channels, plan, render_answer
from engine.diagnostics import Report
from engine.knowledge import load

AS_OF = date(2026, 11, 23)


def test_a_generated_knowledge_base_checks_clean_and_is_deterministic(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 120)
    second = generate(tmp_path / "b", 120)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    report = Report()
    kb = load(tmp_path / "a", report, as_of=AS_OF)
    assert report.errors == []
    assert len(kb.answers) == 120
    assert any(a.audience == "internal" for a in kb.answers)
    assert any(a.overrides for a in kb.answers)


def test_every_generated_answer_renders_on_every_channel_and_passes_the_gate(tmp_path: Path) -> None:
    """A benchmark whose answers the build refuses measures nothing: at 100,000 answers IVR budget overruns and
    chance leaks of internal wording once made the cold build publish nothing."""
    report = Report()
    kb = load(generate(tmp_path / "kb", 120)[0].parents[1], report, as_of=AS_OF, channels=channel_registry.names())
    work = plan(kb, load_channels(channel_registry.names(), report), AS_OF)
    for answer in kb.answers:
        made = render_answer(answer, work)
        assert made.problems == (), (answer.id, made.problems)
        errors = [note for _, rendered in made.outputs for note in rendered.notes if note.severity == "error"]
        assert errors == [], (answer.id, errors)


def test_internal_wording_shares_no_word_with_public_wording() -> None:
    assert set(STAFF_WORDS).isdisjoint(WORDS) and set(STAFF_WORDS).isdisjoint(VERBS)
