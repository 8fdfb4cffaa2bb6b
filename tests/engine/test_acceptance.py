"""Reasoned waivers: `accept:` turns one reviewed finding of one answer into an accepted warning (with its
reason, in the output and the manifest); an acceptance that no longer matches anything is itself a warning."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import build as cli
from engine.acceptance import Finding, sort_findings
from engine.model import Acceptance

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = "2026-11-23"
WAIVER = """accept:
  - code: invented-fact
    about: "$9.99"
    reason: The text message quotes the promotional fee on purpose until the promotion ends.
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(SMALL, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main([*args, "--as-of", AS_OF])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_accepted_finding_builds_and_is_reported_with_its_reason(kb: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    page = kb / "billing" / "pay-by-phone.md"
    edit(page, 'Card fee {{ fees.card }}."', 'Card fee $9.99."')
    assert run(capsys, "check", "--kb", str(kb))[0] == 1  # without the waiver: an error
    edit(page, "related:", WAIVER + "related:")
    code, out, _ = run(capsys, "build", "--kb", str(kb), "--out", str(tmp_path / "dist"), "--jobs", "1")
    assert code == 0
    assert "warning: accepted: invented-fact: sms states $9.99" in out and "on purpose" in out
    entry = json.loads((tmp_path / "dist" / "manifest.json").read_text())["answers"]["billing/pay-by-phone"]
    assert entry["accepted"] and "promotional fee" in entry["accepted"][0]
    assert "$9.99" in (tmp_path / "dist" / "sms" / "billing" / "pay-by-phone.txt").read_text()
    page = (tmp_path / "dist" / "reference" / "billing" / "pay-by-phone" / "index.html").read_text()
    assert "Accepted findings" in page and "promotional fee on purpose" in page
    capsys.readouterr()
    assert cli.main(["report", "--out", str(tmp_path / "dist")]) == 0
    out = capsys.readouterr().out
    assert "accepted findings (1):" in out and "billing/pay-by-phone: invented-fact" in out


def test_a_waiver_covers_only_what_it_names(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = kb / "billing" / "pay-by-phone.md"
    edit(page, 'Card fee {{ fees.card }}."', 'Card fee $7.77."')  # another value than the waiver's
    edit(page, "related:", WAIVER + "related:")
    code, out, _ = run(capsys, "check", "--kb", str(kb))
    assert code == 1 and "error: invented-fact: sms states $7.77" in out
    assert "unused-accept" in out  # and the waiver matching nothing says so


def test_a_stale_waiver_is_a_warning_at_its_line(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = kb / "billing" / "pay-by-phone.md"
    edit(page, "related:", WAIVER + "related:")
    code, out, _ = run(capsys, "check", "--kb", str(kb))
    line = page.read_text().split("\n").index("  - code: invented-fact") + 1
    assert code == 0 and f"pay-by-phone.md:{line}:1: warning: unused-accept:" in out


def test_a_waiver_without_a_reason_is_refused(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = kb / "billing" / "pay-by-phone.md"
    edit(page, "related:", "accept:\n  - {code: invented-fact, about: $9.99}\nrelated:")
    code, out, _ = run(capsys, "check", "--kb", str(kb), "--no-render")
    assert code == 1 and "accept.0.reason" in out


def test_matching_is_by_code_and_the_text_the_finding_names() -> None:
    waiver = Acceptance("invented-fact", "$2.50", "an old fee quoted on purpose", 3)
    findings = [Finding("invented-fact", "sms states $2.50, but the answer says $3.00", 9, True),
                Finding("missing-fact", "sms does not state $2.50", 9, True),
                Finding("invented-fact", "web states $4.00", 9, True)]
    result = sort_findings((waiver,), findings)
    assert [f.code for f, _ in result.accepted] == ["invented-fact"]
    assert [f.message for f in result.kept] == ["sms does not state $2.50", "web states $4.00"]
    assert not result.unused
    assert sort_findings((waiver,), findings[1:]).unused == (waiver,)
