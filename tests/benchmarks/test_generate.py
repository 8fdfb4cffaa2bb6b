"""The benchmark generator makes a deterministic knowledge base that `check` passes, render and gate included."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import channels as channel_registry
from benchmarks.generate import STAFF_WORDS, VERBS, WORDS, generate
from engine.compile import gate, load_channels
from engine.diagnostics import Report
from engine.knowledge import load

AS_OF = date(2026, 11, 23)


def test_a_generated_knowledge_base_is_deterministic_and_checks_clean_on_every_channel(tmp_path: Path) -> None:
    """A benchmark whose answers the build refuses measures nothing: at 100,000 answers IVR budget overruns and
    chance leaks of internal wording once made the cold build publish nothing."""
    first = generate(tmp_path / "a", 120)
    second = generate(tmp_path / "b", 120)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    report = Report()
    names = channel_registry.names()
    kb = load(tmp_path / "a", report, as_of=AS_OF, channels=names)
    assert len(kb.answers) == 120
    assert any(a.audience == "internal" for a in kb.answers)
    assert any(a.overrides for a in kb.answers)
    assert gate(kb, load_channels(names, report), AS_OF, report) > 120
    assert report.errors == []


def test_internal_wording_shares_no_word_with_public_wording() -> None:
    assert set(STAFF_WORDS).isdisjoint(WORDS) and set(STAFF_WORDS).isdisjoint(VERBS)
