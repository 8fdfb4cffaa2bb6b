"""`build --keep-going`: every answer that passes is published, each failing one is held back (keeping its
last published version, or staying out), listed in the output and the manifest, and the exit code is 1."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import build as cli
from engine.verify import verify

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = "2026-11-23"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(SMALL, folder)
    return folder


def run(kb: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["build", "--kb", str(kb), "--out", str(out), "--as-of", AS_OF, "--jobs", "1", *extra])
    return code, capsys.readouterr().err


def outputs(out: Path, answer_id: str) -> dict[str, bytes]:
    entry = json.loads((out / "manifest.json").read_text())["answers"][answer_id]
    return {path: (out / path).read_bytes() for channel in entry["channels"].values() for path in channel["files"]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_failing_answers_keep_their_last_version_and_the_rest_publishes(kb: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dist"
    assert run(kb, out, capsys)[0] == 0
    before = {answer_id: outputs(out, answer_id) for answer_id in ("billing/pay-by-phone", "billing/late-fees")}
    edit(kb / "billing" / "pay-by-phone.md", 'Card fee {{ fees.card }}."', 'Card fee $9.99."')  # a gate error
    edit(kb / "billing" / "late-fees.md", "owner:", "ownr:")  # a load error
    edit(kb / "billing" / "waive-fee.md", "?", "? (updated)")  # a good edit, which must publish

    code, err = run(kb, out, capsys)
    assert code == 1 and "dist is unchanged" in err  # all or nothing without the flag

    code, err = run(kb, out, capsys, "--keep-going")
    assert code == 1
    assert "held back 2 answers" in err and "billing/pay-by-phone (previous version kept): invented-fact" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["held_back"]) == {"billing/pay-by-phone", "billing/late-fees"}
    assert "missing-field" in manifest["held_back"]["billing/late-fees"]
    for answer_id, files in before.items():
        assert outputs(out, answer_id) == files  # byte for byte the last published version
    assert "(updated)" in (out / "reference" / "billing" / "waive-fee" / "index.html").read_text()
    assert "$9.99" not in (out / "sms" / "billing" / "pay-by-phone.txt").read_text()
    assert verify(out).ok


def test_a_failing_answer_on_a_first_build_stays_out(kb: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    edit(kb / "billing" / "pay-by-phone.md", 'Card fee {{ fees.card }}."', 'Card fee $9.99."')
    out = tmp_path / "dist"
    code, err = run(kb, out, capsys, "--keep-going")
    assert code == 1 and "billing/pay-by-phone (not published)" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert "billing/pay-by-phone" not in manifest["answers"] and "billing/late-fees" in manifest["answers"]
    assert not (out / "sms" / "billing" / "pay-by-phone.txt").exists()
    assert verify(out).ok


def test_an_error_outside_any_answer_still_publishes_nothing(kb: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dist"
    assert run(kb, out, capsys)[0] == 0
    published = (out / "manifest.json").read_bytes()
    edit(kb / "_facts.yaml", "type: money", "type: monie")
    code, err = run(kb, out, capsys, "--keep-going")
    assert code == 1 and "unchanged" in err
    assert (out / "manifest.json").read_bytes() == published


def test_a_clean_build_has_no_held_back_list(kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dist"
    assert run(kb, out, capsys, "--keep-going")[0] == 0
    assert "held_back" not in json.loads((out / "manifest.json").read_text())
