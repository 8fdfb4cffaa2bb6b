"""The consistency gate on real builds: a drifted override, a pasted internal note, and the sample KB."""
from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import channels as channel_registry
from engine.compile import load_channels, plan, render_answer
from engine.consistency import InternalIndex, Problem, check_output, check_together
from engine.contract import read_output
from engine.diagnostics import Report
from engine.facts import Locale
from engine.knowledge import load
from engine.ownership import mark
from engine.publish import build
from engine.readers import Reading, read
from engine.select import View, view

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


# ------------------------------------------------------------------------- steps keep their meaning

STEPS_KB = ROOT / "tests" / "fixtures" / "realistic_steps_kb"
CUSTOMER = channel_registry.customer_channels()


def outputs_of(answer_id: str) -> dict[str, tuple[View, Reading, list[Problem]]]:
    """One fixture answer on every customer channel: its view, what a reader recovers, what the gate says."""
    report = Report()
    kb = load(STEPS_KB, report, as_of=AS_OF)
    loaded = load_channels(CUSTOMER, report)
    assert not report.has_errors(), [d.text() for d in report.errors]
    work = plan(kb, loaded, AS_OF)
    answer = next(a for a in kb.answers if a.id == answer_id)
    item = render_answer(answer, work)
    out = {}
    for name, rendered in item.outputs:
        channel_view = view(answer, name, False, work.published[name])
        reading = read_output(name, rendered.primary, rendered.files[rendered.primary], work.site.locale)
        out[name] = (channel_view, reading, [p for p in item.problems if p.channel == name])
    return out


def gate(channel_view: View, reading: Reading) -> list[str]:
    return [p.code for p in check_output(channel_view, reading, "https://riverton.gov/help", InternalIndex(), Locale())]


def test_conditional_steps_pass_the_gate_on_every_channel_as_rendered() -> None:
    for name, (_, reading, problems) in outputs_of("accounts/reset-password").items():
        assert problems == [], name
        if name != "sms":
            assert reading.text.lower().index("if you can still sign in") < reading.text.lower().index("sign in at")


def test_steps_given_out_of_order_are_caught() -> None:
    for name, (channel_view, reading, _) in outputs_of("accounts/reset-password").items():
        if name == "sms":
            continue  # the message carries one step: there is no order to break
        lines = reading.text.split("\n")
        first = next(i for i, line in enumerate(lines) if "sign in at" in line.lower())
        last = next(i for i, line in enumerate(lines) if "new password and select" in line.lower())
        lines[first], lines[last] = lines[last], lines[first]
        assert "step-order" in gate(channel_view, replace(reading, text="\n".join(lines))), name


def test_steps_given_without_their_condition_are_caught() -> None:
    for name, (channel_view, reading, _) in outputs_of("accounts/reset-password").items():
        dropped = re.sub(r"If you can still sign in[.:]?\s?", "", reading.text)
        assert dropped != reading.text
        assert gate(channel_view, replace(reading, text=dropped)) == ["step-condition"], name


def test_a_lead_in_sentence_is_a_condition_too() -> None:
    outputs = outputs_of("taxes/payment-plan")
    for name in ("web", "mobile", "ivr", "chat"):
        channel_view, reading, problems = outputs[name]
        assert problems == [] and channel_view.condition and "must first" in reading.text
        dropped = reading.text.replace("To ask for a plan, you must first", "")
        assert gate(channel_view, replace(reading, text=dropped)) == ["step-condition"], name


def test_a_numbered_list_nobody_introduces_is_not_lifted_into_chat() -> None:
    channel_view, reading, problems = outputs_of("benefits/apply-for-help")["chat"]
    assert problems == [] and "disagree" not in reading.text and "review form" not in reading.text
    assert reading.text.index("proof of income") < reading.text.index("How to apply online")


# ------------------------------------------------------------------------- core facts stay together


def together(kb_root: Path, answer_id: str) -> list[Problem]:
    report = Report()
    kb = load(kb_root, report, as_of=AS_OF)
    work = plan(kb, load_channels(CUSTOMER, report), AS_OF)
    assert not report.has_errors(), [d.text() for d in report.errors]
    answer = next(a for a in kb.answers if a.id == answer_id)
    pairs = [(view(answer, name, False, work.published[name]), read_output(name, r.primary, r.files[r.primary], work.site.locale))
             for name, r in render_answer(answer, work).outputs]
    return check_together(pairs, work.site.base_url, work.site.locale)


def test_a_fact_the_sms_states_that_a_shorter_derived_text_leaves_out_is_a_warning_naming_it() -> None:
    found = together(STEPS_KB, "passports/renew-by-mail")
    assert [(p.code, p.channel, p.severity) for p in found] == [("core-fact-left-out", "chat", "warning")] * 2
    assert "$130 (fees.renewal)" in found[0].message and "877-555-0123 (phone.passport_line)" in found[1].message
    assert {p.line for p in found} == {15}  # the paragraph that states them


def test_a_fact_a_channel_block_or_a_hand_written_text_drops_is_an_error(tmp_path: Path) -> None:
    kb = copy_kb(tmp_path)
    answer = kb / "billing" / "emergency.md"
    answer.write_text(
        "---\nquestion: What do I do in a gas emergency?\nowner: safety\nreviewed: 2026-10-01\n"
        "sms: \"Leave the building now, then call {{ phone.outage }}.\"\n"
        "chat: \"Leave the building now.\"\n---\n"
        "Leave the building now and do not use light switches.\n\n::: except ivr\nThen call {{ phone.outage }}.\n:::\n",
        encoding="utf-8")
    found = {(p.channel, p.code, p.severity) for p in together(kb, "billing/emergency")}
    assert found == {("chat", "core-fact-missing", "error"), ("ivr", "core-fact-missing", "error")}


def test_facts_every_channel_states_raise_nothing() -> None:
    for answer_id in ("accounts/reset-password", "taxes/payment-plan", "benefits/apply-for-help"):
        assert together(STEPS_KB, answer_id) == []
