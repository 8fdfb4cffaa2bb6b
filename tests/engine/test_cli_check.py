"""`check FILE…` (what a pre-commit hook runs): the knowledge base above the files is loaded whole; the named
answers and the answers relating to them are rendered and reported, with errors in files every answer depends
on; a named non-answer file reports everything; a file in no knowledge base is skipped. And progress on a
terminal while a large base is checked."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

import channels

from engine import cli, progress
from engine.check import run
from tests.kb import AS_OF, answer_file, write_kb

STALE = {"reviewed": "2024-01-01", "review_every": "30"}
OVER = ('"' + "Call {{ phone.main }} now. " * 30 + '"')  # a hand-written SMS far over its budget: an error when rendered


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "knowledge", {
        "billing/broken": answer_file("Call {{ phone.mian }} to pay.\n", question="How do I pay by phone?"),
        "billing/fine": answer_file("Call {{ phone.main }} to pay.\n", question="How do I pay my bill?"),
        "billing/points-to-fine": answer_file("Pay by card for {{ fees.card }}.\n", question="Is there a fee?",
                                              related="[billing/fine]", **STALE),
        "outages/unrelated-stale": answer_file("Call {{ phone.outage }}.\n", question="Power is out?", **STALE),
        "outages/over-budget": answer_file("Call {{ phone.outage }}.\n", question="Is there an outage?", sms=OVER),
    })


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["check", "--as-of", AS_OF.isoformat(), "--jobs", "1", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_whole_base_has_every_problem(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--kb", str(kb))
    assert code == 1
    for name in ("broken.md", "points-to-fine.md", "unrelated-stale.md", "over-budget.md"):
        assert name in out


def test_a_good_file_reports_itself_and_the_answers_relating_to_it(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(capsys, str(kb / "billing" / "fine.md"))
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines and all("billing/points-to-fine.md" in line and "stale-review" in line for line in lines)
    assert "1 file checked with 1 answer relating to them (4 answers loaded): 0 errors, 1 warning" in err
    assert "not shown" in err


def test_a_bad_file_fails_with_its_own_diagnostic_only(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, str(kb / "billing" / "broken.md"))
    assert code == 1
    assert "broken.md:6:6: error: unknown-fact" in out
    assert "unrelated-stale" not in out and "over-budget" not in out


def test_only_the_named_answers_are_rendered(kb: Path) -> None:
    checked = run(kb, AS_OF, files=[kb / "outages" / "unrelated-stale.md"], jobs=1, progress=False)
    assert checked.answers == 1 and 0 < checked.rendered <= len(channels.names())  # one output a channel
    assert not any("over-budget" in d.path for d in checked.report.items)  # never rendered: its error unseen
    whole = run(kb, AS_OF, jobs=1, progress=False)
    assert any("over-budget" in d.path and d.severity.value == "error" for d in whole.report.items)


def test_a_named_facts_file_reports_everything(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, str(kb / "_facts.yaml"))
    whole = check(capsys, "--kb", str(kb))
    assert code == 1 and out == whole[1]


def test_an_error_every_answer_depends_on_is_shown_with_any_file(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (kb / "_facts.yaml").open("a") as facts:
        facts.write("broken: {type: money, value: twelve}\n")
    code, out, _ = check(capsys, str(kb / "billing" / "fine.md"))
    assert code == 1 and "_facts.yaml:" in out and ": error: " in out


def test_the_knowledge_base_is_found_above_the_file(kb: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(kb.parent)
    code, out, _ = check(capsys, "knowledge/billing/broken.md")
    assert code == 1 and out.startswith("knowledge/billing/broken.md:6:6: error: unknown-fact")


def test_a_file_in_no_knowledge_base_is_skipped(kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "README.md"
    notes.write_text("{{ not.a.fact }}\n")
    code, out, err = check(capsys, str(notes))
    assert (code, out) == (0, "") and "not checked: it is in no knowledge base" in err
    code, out, err = check(capsys, "--kb", str(kb), str(notes), str(kb / "billing" / "fine.md"))
    assert code == 0 and "not under --kb" in err and "points-to-fine" in out


def test_a_missing_file_is_a_usage_error(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = check(capsys, str(kb / "billing" / "gone.md"))
    assert code == 2 and "is not a file" in err and "Traceback" not in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_check_shows_progress_on_a_terminal(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress, "MIN_TOTAL", 1)
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    cli.main(["check", "--kb", str(kb), "--as-of", AS_OF.isoformat(), "--jobs", "1"])
    shown = screen.getvalue()
    assert "\rloading 5/5\n" in shown and "\rchecking 4/4\n" in shown  # the broken answer did not load
    assert shown.index("loading 5/5") < shown.index("checking 4/4") < shown.index("answers checked")


def test_no_progress_when_piped_or_under_ci(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "MIN_TOTAL", 1)
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    cli.main(["check", "--kb", str(kb), "--as-of", AS_OF.isoformat(), "--jobs", "1"])
    assert "\r" not in piped.getvalue()
    monkeypatch.setenv("CI", "true")
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    cli.main(["check", "--kb", str(kb), "--as-of", AS_OF.isoformat(), "--jobs", "1"])
    assert "\r" not in screen.getvalue()


def test_progress_ends_a_line_left_open() -> None:
    screen = Terminal()
    shown = progress.Progress(400, "checking", stream=screen)
    shown.enabled = True
    shown.step(1)
    shown.close()
    assert screen.getvalue() == "\rchecking 1/400\n"
