"""Content that would publish wrong with no error: the untouched `new` scaffold, a fact reference with a brace
missing, a staff-only fact in a public answer, a short answer that is only an image; and a duplicate question (a warning)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.diagnostics import Report
from engine.knowledge import load
from engine.scaffold import render
from tests.kb import AS_OF

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
HEAD = "---\nquestion: {q}\nowner: billing-team\nreviewed: 2026-10-01\n---\n"


def checked(tmp_path: Path, files: dict[str, str], facts_extra: str = "") -> Report:
    kb = tmp_path / "knowledge"
    shutil.copytree(SMALL, kb)
    if facts_extra:
        (kb / "_facts.yaml").write_text((kb / "_facts.yaml").read_text() + facts_extra)
    for name, text in files.items():
        (kb / name).parent.mkdir(parents=True, exist_ok=True)
        (kb / name).write_text(text)
    report = Report()
    load(kb, report, as_of=AS_OF)
    return report


def codes(report: Report) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.col) for d in report.errors]


def test_the_untouched_scaffold_is_an_error(tmp_path: Path) -> None:
    report = checked(tmp_path, {"billing/kiosk.md": render("billing/kiosk", AS_OF)})
    assert [code for code, _, _ in codes(report)] == ["unedited-scaffold"]


@pytest.mark.parametrize("written,col", [("{{ phone.main }", 6), ("{ phone.main }}", 6), ("{{ phone.main and more", 6)])
def test_a_fact_reference_missing_a_brace_is_an_error(tmp_path: Path, written: str, col: int) -> None:
    report = checked(tmp_path, {"billing/brace.md": HEAD.format(q="How do I call?") + f"Call {written} today.\n"})
    assert codes(report) == [("broken-fact-reference", 6, col)]


def test_whole_references_and_code_fences_are_fine(tmp_path: Path) -> None:
    body = "Call {{ phone.main }} today.\n\n```\n{{ not a fact\n```\n"
    assert codes(checked(tmp_path, {"billing/fine.md": HEAD.format(q="How do I call?") + body})) == []


STAFF = "staff:\n  escalation: {type: phone, value: (800) 555-0199, label: Escalation desk, audience: internal}\n"


def test_a_staff_only_fact_in_a_public_answer_is_an_error(tmp_path: Path) -> None:
    body = "Call {{ staff.escalation }} to escalate.\n"
    report = checked(tmp_path, {"billing/staff.md": HEAD.format(q="How do I escalate?") + body}, STAFF)
    assert codes(report) == [("internal-fact", 6, 9)]


def test_a_staff_only_fact_in_an_internal_note_or_answer_is_fine(tmp_path: Path) -> None:
    note = "Call us to escalate.\n\n::: internal\nStaff dial {{ staff.escalation }}.\n:::\n"
    internal = HEAD.format(q="How do staff escalate?").replace("---\nC", "---\nC") \
        .replace("reviewed: 2026-10-01\n", "reviewed: 2026-10-01\naudience: internal\n") + \
        "Dial {{ staff.escalation }}.\n"
    report = checked(tmp_path, {"billing/note.md": HEAD.format(q="How do I escalate?") + note,
                                "billing/staff-only.md": internal}, STAFF)
    assert codes(report) == []


def test_a_short_answer_that_is_only_an_image_is_an_error(tmp_path: Path) -> None:
    body = "![Pay at the kiosk](https://riverton.gov/kiosk.png)\n\nThe kiosk takes cards.\n"
    report = checked(tmp_path, {"billing/image.md": HEAD.format(q="Where is the kiosk?") + body})
    assert codes(report) == [("image-short-answer", 6, 1)]


def test_the_same_question_twice_is_a_warning_on_the_later_file(tmp_path: Path) -> None:
    report = checked(tmp_path, {"billing/a-copy.md": HEAD.format(q="Can I pay at a kiosk?") + "Yes, by card.\n",
                                "billing/z-copy.md": HEAD.format(q="can I  pay at a kiosk") + "Yes, by card.\n"})
    (error,) = [d for d in report.items if d.code == "duplicate-question"]  # a warning: --strict fails on it
    assert error.line == 2 and error.path.endswith("z-copy.md")
    assert "a-copy.md already answers" in error.message
