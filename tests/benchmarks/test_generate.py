"""The benchmark generator makes a valid, deterministic knowledge base."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from benchmarks.generate import generate
from engine.diagnostics import Report
from engine.knowledge import load


def test_a_generated_knowledge_base_checks_clean_and_is_deterministic(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 120)
    second = generate(tmp_path / "b", 120)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    report = Report()
    kb = load(tmp_path / "a", report, as_of=date(2026, 11, 23))
    assert report.errors == []
    assert len(kb.answers) == 120
    assert any(a.audience == "internal" for a in kb.answers)
    assert any(a.overrides for a in kb.answers)
