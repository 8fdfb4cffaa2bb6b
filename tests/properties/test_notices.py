"""Laws of notices: whatever a (well-formed) notice says, with whatever facts, every channel of a targeted answer
opens with it and passes the gate; no channel of another answer shows it; and an output that loses the notice,
or gains another answer's, fails the gate."""
from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from hypothesis import given, strategies as st

from engine.compile import Channel, load_channels, plan, render_answer
from engine.consistency import inline_tokens, tokens
from engine.diagnostics import Report
from engine.knowledge import KnowledgeBase, load
from engine.notices import BUDGETED, load_notices, separate
from engine.readers import read
from engine.select import view
from tests.kb import FACTS, answer_file, write_kb

AS_OF = date(2026, 11, 23)
WORDS = st.sampled_from("storm crews are out waits longer than usual sorry please use the website today we "
                        "will call back when lines reopen".split())
FACT_REFS = st.sampled_from(["{{ phone.outage }}", "{{ urls.pay }}", "{{ hours.office }}", "{{ durations.refund }}",
                             "{{ dates.change }}", "{{ fees.card }}"])
MESSAGES = st.lists(st.one_of(WORDS, WORDS, WORDS, FACT_REFS), min_size=3, max_size=14).map(
    lambda parts: (" ".join(parts)).capitalize() + ".")


@lru_cache(maxsize=1)
def _base() -> tuple[KnowledgeBase, tuple[Channel, ...]]:
    root = Path(tempfile.mkdtemp(prefix="notice-law-")) / "kb"
    write_kb(root, {"billing/pay": answer_file("Pay by card for a fee of {{ fees.card }}.\n\n1. Call "
                                               "{{ phone.main }}.\n2. Say your account number.\n"),
                    "billing/other": answer_file("We send refunds within {{ durations.refund }}.\n",
                                                 question="When is my refund sent?")}, FACTS)
    report = Report()
    kb = load(root, report, as_of=AS_OF)
    channels = tuple(load_channels(tuple(sorted({"web", "mobile", "ivr", "chat", "sms", "reference"})), report))
    assert not report.has_errors(), [d.text() for d in report.errors]
    return kb, channels


def _with_notice(message: str) -> KnowledgeBase:
    kb, _ = _base()
    (kb.root / "_notices.yaml").write_text(
        "notices:\n  - id: law\n    message: " + repr(message).replace("'", '"') + "\n    effective_from: 2026-11-01\n"
        "    effective_until: 2026-11-30\n    target: {answers: [billing/pay]}\n", encoding="utf-8")
    report = Report()
    notices = load_notices(kb.root, "_notices.yaml", kb.answers, kb.standards, kb.facts, kb.settings.locale,
                           ("web", "mobile", "ivr", "chat", "sms", "reference"), report)
    assert not report.has_errors(), [d.text() for d in report.errors]
    return replace(kb, notices=notices)


def _wanted(kb: KnowledgeBase) -> list[str]:
    return inline_tokens(kb.notices.items[0].message.inlines, kb.settings.locale)


@given(MESSAGES)
def test_a_notice_leads_every_targeted_output_and_passes_the_gate(message: str) -> None:
    kb = _with_notice(message)
    _, channels = _base()
    work = plan(kb, list(channels), AS_OF)
    wanted = _wanted(kb)
    for answer in kb.answers:
        done = render_answer(answer, work)
        errors = [p for p in done.problems if p.severity == "error" and p.code != "over-budget"]
        # A notice too long for a budgeted channel is a reported error on the targeted answer, never elsewhere.
        too_long = [p for p in errors if p.code == "notice-over-budget"]
        assert all(p.channel in BUDGETED and answer.id == "billing/pay" for p in too_long), too_long
        assert not [p for p in errors if p not in too_long], errors
        for channel, rendered in done.outputs:
            said = tokens(read(rendered.primary, rendered.files[rendered.primary]).text, kb.settings.locale)
            if answer.id == "billing/pay":
                assert said[:len(wanted)] == wanted, channel
            else:
                assert not any(said[i:i + len(wanted)] == wanted for i in range(len(said))), channel


@given(MESSAGES)
def test_an_output_that_loses_or_gains_the_notice_fails_the_gate(message: str) -> None:
    kb = _with_notice(message)
    _, channels = _base()
    work = plan(kb, list(channels), AS_OF)
    answer = next(a for a in kb.answers if a.id == "billing/pay")
    with_notice = dict(render_answer(answer, work).outputs)
    without = dict(render_answer(answer, replace(work, notices={})).outputs)
    locale = kb.settings.locale
    for channel in with_notice:
        expects = view(answer, channel, channel == "reference", work.published[channel], work.notices[answer.id])
        expects_none = replace(expects, notice=None)
        lost = read(without[channel].primary, without[channel].files[without[channel].primary], locale)
        gained = read(with_notice[channel].primary, with_notice[channel].files[with_notice[channel].primary], locale)
        assert [p.code for p in separate(expects, lost, work.every_notice, locale)[1]] == ["notice-missing"], channel
        misplaced = [p.code for p in separate(expects_none, gained, work.every_notice, locale)[1]]
        assert misplaced == (["notice-misplaced"] if len(_wanted(kb)) >= 4 else []), channel
        assert separate(expects, gained, work.every_notice, locale)[1] == [], channel
