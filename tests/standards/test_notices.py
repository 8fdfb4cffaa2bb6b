"""Notices: in every targeted output within their window and in no other, counted against budgets, proven by the
gate (a renderer that drops one fails the build), listed by `notices`, written and withdrawn by `status`."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import build as cli
import renderers
from engine.consistency import tokens
from engine.diagnostics import Report
from engine.knowledge import load
from engine.publish import build
from engine import contract
from engine.contract import read_output
import channels as channel_registry
from tests.kb import answer_file, write_kb
from tests.standards.test_standards import STANDARDS

NOTICES = """\
notices:
  - id: storm
    message: "Storm restoration: call waits are longer than our {{ standards.call_wait }} standard until Friday."
    effective_from: 2026-11-20
    effective_until: 2026-11-25
    from_time: "18:00"
    target: {standard: call_wait}
  - id: water-works
    message: "Water main works on Elm Street are slowing every repair visit this week."
    effective_from: 2026-12-01
    effective_until: 2026-12-02
    target: {topic: outages}
"""
STORM = ["storm", "restoration", "call", "waits", "are", "longer", "than", "our", "<duration:2 minute>", "standard",
         "until", "friday"]
IN_WINDOW, DAY_AFTER = date(2026, 11, 23), date(2026, 11, 26)
TARGETED = ("billing/wait", "standards/service-standards")


# Every channel an answer is published on without asking; the opt-in ones (social) only when it asks.
EVERY_CHANNEL = {name for name in channel_registry.names() if not channel_registry.spec(name).opt_in}
OPT_IN = set(channel_registry.names()) - EVERY_CHANNEL


def _kb(root: Path, notices: str = NOTICES, other_body: str = "Pay by card at any time.\n") -> Path:
    write_kb(root, {
        "billing/wait": answer_file("We answer every call within {{ standards.call_wait }}.\n"),
        "billing/other": answer_file(other_body, question="How do I pay?"),
        "outages/pipes": answer_file("Report a burst pipe at {{ phone.outage }} any time.\n",
                                     question="How do I report a burst pipe?"),
    })
    (root / "_standards.yaml").write_text(STANDARDS, encoding="utf-8")
    (root / "_notices.yaml").write_text(notices, encoding="utf-8")
    return root


def _build(kb: Path, out: Path, day: date) -> tuple[dict[str, dict[str, list[str]]], Report, dict]:
    report = Report()
    result = build(kb, out, report, as_of=day, jobs=1)
    if not result.published:
        return {}, report, {}
    manifest = json.loads((out / "manifest.json").read_text())
    words: dict[str, dict[str, list[str]]] = {}
    for answer_id, entry in manifest["answers"].items():
        for channel, output in entry["channels"].items():
            reading = read_output(channel, output["path"], (out / output["path"]).read_bytes())
            words.setdefault(answer_id, {})[channel] = tokens(reading.text, report_locale())
    return words, report, manifest


def report_locale():  # the fixture's locale is the default one
    from engine.facts import Locale
    return Locale()


def _holds(words: list[str], run: list[str]) -> bool:
    return any(words[i:i + len(run)] == run for i in range(len(words) - len(run) + 1))


def test_a_notice_leads_every_targeted_output_in_its_window_and_no_other(tmp_path: Path) -> None:
    words, report, manifest = _build(_kb(tmp_path / "kb"), tmp_path / "out", IN_WINDOW)
    assert words, [d.text() for d in report.errors]
    for answer_id in TARGETED:
        assert set(words[answer_id]) - OPT_IN == EVERY_CHANNEL
        for channel, said in words[answer_id].items():
            leads = contract.load(channel).carries_notices  # a social post, made once, carries none
            assert (said[:len(STORM)] == STORM) is leads, (answer_id, channel, said[:20])
    for answer_id in ("billing/other", "outages/pipes"):
        for channel, said in words[answer_id].items():
            assert not _holds(said, STORM[:6]), (answer_id, channel)
            assert "water" not in said, (answer_id, channel)  # the other notice is not active yet


def test_the_day_after_the_notice_is_gone_and_the_sms_is_shorter(tmp_path: Path) -> None:
    kb = _kb(tmp_path / "kb")
    _, _, during = _build(kb, tmp_path / "during", IN_WINDOW)
    words, report, after = _build(kb, tmp_path / "after", DAY_AFTER)
    assert words, [d.text() for d in report.errors]
    for answer_id in TARGETED:
        for channel, said in words[answer_id].items():
            assert not _holds(said, STORM[:6]), (answer_id, channel)
    sms = lambda m: m["answers"]["billing/wait"]["channels"]["sms"]["metrics"]["characters"]  # noqa: E731
    ivr = lambda m: m["answers"]["billing/wait"]["channels"]["ivr"]["metrics"]["seconds"]  # noqa: E731
    assert sms(during) > sms(after) + 60 and ivr(during) > ivr(after) + 3


def test_a_topic_notice_reaches_the_topic_only(tmp_path: Path) -> None:
    words, report, _ = _build(_kb(tmp_path / "kb"), tmp_path / "out", date(2026, 12, 1))
    assert words, [d.text() for d in report.errors]
    assert all(said[:3] == ["water", "main", "works"] for said in words["outages/pipes"].values())
    assert not any("water" in said for a in ("billing/wait", "billing/other") for said in words[a].values())


@pytest.mark.parametrize("channel", [name for name in channel_registry.names() if contract.load(name).carries_notices])
def test_the_gate_fails_a_renderer_that_drops_the_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         channel: str) -> None:
    module = renderers.get(channel)
    original = module.render

    def dropping(view, *args, **kwargs):  # type: ignore[no-untyped-def]
        from dataclasses import replace
        return original(replace(view, notice=None), *args, **kwargs)

    monkeypatch.setattr(module, "render", dropping)
    contract.load.cache_clear()  # the checked contract holds the render function it found: check it again
    report = Report()
    result = build(_kb(tmp_path / "kb"), tmp_path / "out", report, as_of=IN_WINDOW, jobs=1, incremental=None)
    assert not result.published
    missing = [d for d in report.errors if d.code == "notice-missing"]
    assert {d.path.rsplit("/", 2)[-2:][0] for d in missing} >= {"billing"}
    assert all(channel in d.message for d in missing) and len({d.path for d in missing}) == len(TARGETED)
    monkeypatch.undo()
    contract.load.cache_clear()


def test_notice_text_in_an_output_it_does_not_target_fails(tmp_path: Path) -> None:
    copied = "Water main works on Elm Street are slowing every repair visit this week. Pay by card.\n"
    report = Report()
    result = build(_kb(tmp_path / "kb", other_body=copied), tmp_path / "out", report, as_of=IN_WINDOW, jobs=1)
    assert not result.published
    assert any(d.code == "notice-misplaced" and "water-works" in d.message for d in report.errors)


def test_a_notice_over_the_sms_budget_is_an_error_naming_the_answers(tmp_path: Path) -> None:
    long = ("Storm restoration is under way across the whole county and every crew we have is out; call waits are "
            "far longer than usual, and we will answer as soon as we can. Please use the website to report "
            "outages, check restoration times and pay your bill while the storm lasts. Thank you for your patience.")
    notices = NOTICES.replace('"Storm restoration: call waits are longer than our {{ standards.call_wait }} '
                              'standard until Friday."', f'"{long}"').replace("{standard: call_wait}", "{everything: true}")
    report = Report()
    result = build(_kb(tmp_path / "kb", notices), tmp_path / "out", report, as_of=IN_WINDOW, jobs=1)
    assert not result.published
    over = [d for d in report.errors if d.code == "notice-over-budget"]
    assert {d.message.split(": ")[1] for d in over} >= {"billing/wait", "billing/other", "outages/pipes"}
    assert all(d.message.startswith("sms: ") for d in over)


@pytest.mark.parametrize("change, where, code", [
    (("{standard: call_wait}", "{standard: call_wiat}"), ":7:24:", "unknown-notice-target"),
    (("{topic: outages}", "{topic: outages, everything: true}"), ":12:13:", "invalid-notices"),
    (("effective_until: 2026-11-25", "effective_until: 2026-11-01"), ":2:5:", "invalid-notices"),
    (('"18:00"', '"25:00"'), ":6:16:", "invalid-notices"),
    (("  - id: water-works", "  - id: storm"), ":8:9:", "invalid-notices"),
])
def test_bad_notices_are_reported_at_their_place(tmp_path: Path, change: tuple[str, str], where: str,
                                                 code: str) -> None:
    report = Report()
    load(_kb(tmp_path, NOTICES.replace(*change)), report, as_of=IN_WINDOW)
    found = [d.text() for d in report.errors]
    assert any(where in line and code in line and "_notices.yaml" in line for line in found), found


def test_notices_lists_active_and_upcoming(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = _kb(tmp_path / "kb")
    assert cli.main(["notices", "--kb", str(kb), "--as-of", "2026-11-23"]) == 0
    text = capsys.readouterr().out
    assert "active   storm: 2026-11-20 18:00 to 2026-11-25; standard call_wait (2 answers)" in text
    assert "upcoming water-works: 2026-12-01 to 2026-12-02; topic outages (1 answer)" in text
    assert cli.main(["notices", "--kb", str(kb), "--as-of", "2026-12-03", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["notices"] == []


def test_status_set_publishes_the_template_and_clear_withdraws_it(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    kb = _kb(tmp_path / "kb", "notices: []\n")
    before = (kb / "_notices.yaml").read_text()
    assert cli.main(["status", "set", "call_wait", "missed", "--until", "2026-11-30", "--from", "2026-11-22",
                     "--kb", str(kb)]) == 0
    written = (kb / "_notices.yaml").read_text()
    assert "id: status-call-wait" in written and "standard_status: missed" in written
    assert "We are missing our answering calls standard ({{ standards.call_wait }}) until November 30, 2026." in written
    words, report, _ = _build(kb, tmp_path / "out", IN_WINDOW)
    assert words, [d.text() for d in report.errors]
    wanted = [*"we are missing our answering calls standard".split(), "<duration:2 minute>", "until", "<date:2026-11-30>"]
    assert all(said[:len(wanted)] == wanted for a in TARGETED for channel, said in words[a].items()
               if contract.load(channel).carries_notices)
    assert cli.main(["status", "set", "call_waits", "missed", "--until", "2026-11-30", "--kb", str(kb)]) == 2
    assert cli.main(["status", "clear", "call_wait", "--kb", str(kb)]) == 0
    assert "removed status-call-wait" in capsys.readouterr().out
    assert load(kb, Report(), as_of=IN_WINDOW).notices.items == ()
    assert (kb / "_notices.yaml").read_text().strip() in (before.strip(), "notices: []")


def test_incremental_builds_follow_the_notice_day_by_day(tmp_path: Path) -> None:
    """A cached build across the notice's first and last day equals a cold build, and re-renders only the
    answers whose notice began or ended."""
    from engine.incremental import Incremental
    from tests.engine.test_incremental import tree

    kb = _kb(tmp_path / "kb")
    explained: list[str] = []
    for day in (date(2026, 11, 19), IN_WINDOW, DAY_AFTER):
        explained.clear()
        result = build(kb, tmp_path / "dist", Report(), as_of=day, jobs=1,
                       incremental=Incremental(tmp_path / "cache", explained.append))
        assert result.published
        cold = tmp_path / f"cold-{day}"
        assert build(kb, cold, Report(), as_of=day, jobs=1).published
        assert tree(tmp_path / "dist") == tree(cold)
        if day != date(2026, 11, 19):
            assert sorted(line.split(":")[0] for line in explained) == sorted(TARGETED), explained
            assert all("notice" in line for line in explained)


def test_a_staff_only_fact_in_a_notice_is_refused(tmp_path: Path) -> None:
    kb = _kb(tmp_path / "kb", NOTICES.replace("{{ standards.call_wait }}", "{{ phone.staff }}"))
    facts = (kb / "_facts.yaml").read_text().replace(
        "phone:\n", "phone:\n  staff: {type: phone, value: (800) 555-0111, label: Staff line, audience: internal}\n", 1)
    (kb / "_facts.yaml").write_text(facts)
    report = Report()
    load(kb, report, as_of=IN_WINDOW)
    assert [(d.code, d.line) for d in report.errors] == [("internal-fact", 3)]


def test_an_sms_that_must_cut_its_answer_keeps_the_notice_first(tmp_path: Path) -> None:
    """A long short answer is cut to fit the SMS budget (`short-answer-cut`): the cut takes answer sentences,
    never the notice, which still opens the message (regression: the cut forms were built without it)."""
    long = " ".join(f"Sentence {n} says how card payments work on our website and at the office counter." for n in
                    range(1, 7)) + "\n"
    notices = NOTICES.replace("{standard: call_wait}", "{everything: true}")
    words, report, manifest = _build(_kb(tmp_path / "kb", notices, other_body=long), tmp_path / "out", IN_WINDOW)
    assert manifest, [d.text() for d in report.errors]
    sms = (tmp_path / "out" / "sms" / "billing" / "other.txt").read_text()
    assert sms.startswith("Storm restoration: call waits are longer than our")
    assert "short-answer-cut" in manifest["answers"]["billing/other"]["channels"]["sms"]["metrics"]["fallbacks"]
