"""Feedback import: every row stored or reported with its line, none lost, joined on the right version."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import build as cli
from engine.diagnostics import Report
from engine.feedback import STORE, headline, import_file, load_store, parse, summarise, worst_pairs
from engine.knowledge import load
from engine.publish import build
from tests.kb import AS_OF, SAMPLE
from tests.standards.test_notices import _kb

H1, H2 = "a" * 64, "b" * 64

CSV = f"""\
time,channel,answer,hash,outcome,comment
2026-11-01T09:00:00Z,ivr,billing/wait,{H1[:16]},transferred,wanted a person
2026-11-01T09:05:00Z,ivr,billing/wait,{H1[:16]},helpful,
2026-11-02T10:00:00,sms,billing/wait,{H2},stop,
2026-11-02 10:00,fax,billing/wait,{H1},helpful,
2026-11-03T10:00:00Z,web,billing/wait,{H1},meh,
yesterday,web,billing/wait,{H1},helpful,
2026-11-03T11:00:00Z,web,Billing/Wait,{H1},helpful,
2026-11-03T12:00:00Z,web,billing/wait,xyz,helpful,
2026-11-03T13:00:00Z,web,billing/wait,{H1},helpful,"too, many",fields
"""


def test_bad_rows_are_reported_with_their_line_and_none_is_lost(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text(CSV)
    report = Report()
    result = import_file(tmp_path, source, "export.csv", report)
    bad = sorted((d.line, d.col) for d in report.errors)
    assert bad == [(5, 18), (6, 104), (7, 1), (8, 26), (9, 39), (10, 1)], [d.text() for d in report.errors]
    assert all(d.code == "invalid-feedback" for d in report.errors)
    assert result.added == 3 and result.rows_bad == 6
    data_rows = len(CSV.strip().split("\n")) - 1
    assert result.added + result.already + result.rows_bad == data_rows  # every row accounted for
    again = import_file(tmp_path, source, "export.csv", Report())
    assert again.added == 0 and again.already == 3
    assert len((tmp_path / STORE).read_text().splitlines()) == 3


def test_json_lines_are_read_and_their_errors_located(tmp_path: Path) -> None:
    lines = [json.dumps({"time": "2026-11-01T09:00:00Z", "channel": "chat", "answer_id": "billing/wait",
                         "content_hash": H1, "outcome": "repeated"}), "{not json", "[1]",
             json.dumps({"time": "2026-11-01T09:00:00Z", "channel": "chat", "answer": "billing/wait",
                         "hash": H1, "outcome": "helpful", "extra": 1})]
    report = Report()
    events = parse("\n".join(lines) + "\n", "f.jsonl", report)
    assert [e.outcome for e in events] == ["repeated"]
    assert sorted(d.line for d in report.errors) == [2, 3, 4]


def test_feedback_is_joined_on_the_current_version(tmp_path: Path) -> None:
    kb = _kb(tmp_path / "kb")
    current = next(a.hash for a in load(kb, Report(), as_of=AS_OF).answers if a.id == "billing/wait")
    export = tmp_path / "x.csv"
    export.write_text("time,channel,answer,hash,outcome\n"
                      f"2026-11-01T09:00:00Z,ivr,billing/wait,{current[:12]},transferred\n"
                      f"2026-11-02T09:00:00Z,ivr,billing/wait,{current},helpful\n"
                      f"2026-10-01T09:00:00Z,ivr,billing/wait,{H2},transferred\n"
                      f"2026-12-01T09:00:00Z,ivr,billing/wait,{current},transferred\n")  # after the build day
    import_file(kb, export, "x.csv", Report())
    summary = summarise(load_store(kb, "store", Report()), {"billing/wait": current}, AS_OF)["billing/wait"]
    (ivr,) = summary.channels
    assert (ivr.volume, ivr.current, ivr.older, ivr.helpful) == (3, 2, 1, 1)
    assert headline(ivr) == "IVR callers transfer to an agent 67% of the time after this answer."


def test_worst_pairs_come_first() -> None:
    events = parse("time,channel,answer,hash,outcome\n" + "".join(
        f"2026-11-0{i % 9 + 1}T09:00:00Z,{ch},{a},{H1},{'helpful' if i % k else 'transferred'}\n"
        for a, ch, k in (("a/x", "ivr", 2), ("a/x", "web", 5), ("b/y", "chat", 3)) for i in range(10)), "f", Report())
    pairs = worst_pairs(summarise(events, {}, AS_OF))
    assert [(a, c.channel) for a, c in pairs] == [("a/x", "ivr"), ("b/y", "chat"), ("a/x", "web")]


def test_the_cli_imports_and_exits_1_on_bad_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = _kb(tmp_path / "kb")
    export = tmp_path / "export.csv"
    export.write_text(CSV)
    assert cli.main(["feedback", "import", str(export), "--kb", str(kb)]) == 1
    captured = capsys.readouterr()
    assert "export.csv:5:18: error: invalid-feedback" in captured.out
    assert "imported 3 events" in captured.err and "6 bad rows" in captured.err
    assert cli.main(["feedback", "import", str(tmp_path / "missing.csv"), "--kb", str(kb)]) == 2


def test_the_reference_page_and_report_show_the_feedback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = _kb(tmp_path / "kb")
    current = next(a.hash for a in load(kb, Report(), as_of=AS_OF).answers if a.id == "billing/wait")
    export = tmp_path / "x.csv"
    export.write_text("time,channel,answer,hash,outcome,comment\n" + "".join(
        f"2026-11-0{i + 1}T09:00:00Z,ivr,billing/wait,{current},{'transferred' if i < 2 else 'helpful'},"
        f"{'<script>alert(1)</script>' if i == 0 else ''}\n" for i in range(5)))
    import_file(kb, export, "x.csv", Report())
    out = tmp_path / "out"
    assert build(kb, out, Report(), as_of=AS_OF, jobs=1).published
    page = (out / "reference/billing/wait/index.html").read_text()
    assert "IVR callers transfer to an agent 40% of the time after this answer." in page
    assert "<td>5</td><td>60%</td>" in page and "all for this version" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Customer feedback" not in (out / "web/billing/wait/index.html").read_text()
    assert cli.main(["report", "--out", str(out), "--kb", str(kb)]) == 0
    text = capsys.readouterr().out
    assert "Feedback (worst answer x channel first):" in text and "billing/wait" in text.split("Feedback")[1]


def test_the_sample_has_feedback_stored_from_its_export() -> None:
    report = Report()
    events = load_store(SAMPLE, "store", report)
    assert not report.items and len(events) >= 50
    assert {e.channel for e in events} >= {"ivr", "web", "sms", "chat", "mobile"}
    assert (SAMPLE / "_feedback" / "sample-export.csv").exists()


def test_a_damaged_store_line_is_reported_at_its_line(tmp_path: Path) -> None:
    good = json.dumps({"answer": "billing/wait", "channel": "ivr", "hash": H1, "outcome": "helpful",
                       "time": "2026-11-01T09:00:00Z"}, sort_keys=True)
    hand = json.dumps({"answer": "billing/wait", "channel": "web", "hash": H1, "outcome": "stop",
                       "time": "2026-11-01T10:00:00+01:00"})  # valid, but not as import writes it
    (tmp_path / STORE).parent.mkdir()
    (tmp_path / STORE).write_text("\n".join([good, "{broken", good, hand, '{"channel": "fax"}', good]) + "\n")
    report = Report()
    events = load_store(tmp_path, "store", report)
    assert len(events) == 4 and sorted(d.line for d in report.errors) == [2, 5, 5, 5, 5, 5]


def test_report_grades_the_organisation_against_its_standards(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    kb = _kb(tmp_path / "kb")
    out = tmp_path / "out"
    assert build(kb, out, Report(), as_of=AS_OF, jobs=1).published
    import os
    os.environ["SOURCE_DATE_EPOCH"] = "1795435200"  # 2026-11-23, inside the `storm` notice
    try:
        assert cli.main(["report", "--out", str(out), "--kb", str(kb)]) == 0
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    text = capsys.readouterr().out
    assert "Self-assessment as of 2026-11-23:" in text
    assert "public answers on every customer channel: 4 of 4 (100%)" in text
    assert ("standard call_wait (answering calls: 2 minutes, phone): NOT MET (notice storm); stated in 2 answers, "
            "2 showing a notice") in text
