"""The consistency gate on real builds: a drifted override, a pasted internal note, and the sample KB."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from engine.ownership import mark
from engine.diagnostics import Report
from engine.publish import build

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = date(2026, 11, 23)


def copy_kb(tmp_path: Path) -> Path:
    kb = tmp_path / "knowledge"
    shutil.copytree(SMALL, kb)
    return kb


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def built(kb: Path, out: Path, monkeypatch) -> tuple[bool, list[str]]:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(kb.parent)
    report = Report()
    ok = build(Path(kb.name), out, report, as_of=AS_OF, jobs=1).published
    return ok, [d.text() for d in report.errors]


def test_the_fixture_and_the_sample_knowledge_base_pass_the_gate(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ok, errors = built(copy_kb(tmp_path), tmp_path / "dist", monkeypatch)
    assert ok and errors == []
    report = Report()
    assert build(ROOT / "knowledge", tmp_path / "sample", report, as_of=AS_OF, jobs=1).published, report.errors


def test_a_drifted_override_fails_the_build_naming_both_values(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kb = copy_kb(tmp_path)
    edit(kb / "_facts.yaml", "value: $2.50", "value: $3.00")
    edit(kb / "billing" / "pay-by-phone.md", "Card fee {{ fees.card }}.", "Card fee $2.50.")
    previous = tmp_path / "dist"
    previous.mkdir()
    mark(previous, "bundle")  # a bundle of an earlier build
    (previous / "keep.txt").write_text("last good build")
    ok, errors = built(kb, previous, monkeypatch)
    assert not ok
    assert "knowledge/billing/pay-by-phone.md:8:1: error: invented-fact: sms states $2.50, but the answer says " \
           "$3.00 (fees.card)" in errors
    assert (previous / "keep.txt").read_text() == "last good build"


def test_an_internal_note_pasted_into_an_override_is_a_leak(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kb = copy_kb(tmp_path)
    edit(kb / "billing" / "pay-by-phone.md", 'sms: "Pay any time at {{ phone.main }}. Card fee {{ fees.card }}."',
         'sms: "Pay any time at {{ phone.main }}. Card fee {{ fees.card }}. Check the payment log before the '
         'customer pays again."')
    ok, errors = built(kb, tmp_path / "dist", monkeypatch)
    assert not ok
    leaks = [e for e in errors if "internal-leak" in e]
    assert leaks and leaks[0].startswith("knowledge/billing/pay-by-phone.md:")
    assert "sms shows text from an internal note" in leaks[0]


def test_an_internal_answer_quoted_in_a_public_one_is_a_leak(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kb = copy_kb(tmp_path)
    edit(kb / "outages" / "report-outage.md", "Refunds for spoiled food take",
         "Waive one late fee per year when the customer has paid on time. Refunds for spoiled food take")
    ok, errors = built(kb, tmp_path / "dist", monkeypatch)
    assert not ok
    assert any("internal-leak" in e and "an internal answer (billing/waive-fee" in e for e in errors)


def test_a_missing_fact_names_the_fact_and_its_key(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kb = copy_kb(tmp_path)
    edit(kb / "billing" / "pay-by-phone.md", 'sms: "Pay any time at {{ phone.main }}. Card fee {{ fees.card }}."',
         'sms: "Pay any time by phone. Card fee {{ fees.card }}."')
    ok, errors = built(kb, tmp_path / "dist", monkeypatch)
    assert not ok
    assert any("missing-fact: sms does not state (800) 555-0100 (phone.main)" in e for e in errors), errors
