"""`build` end to end on a small fixture knowledge base: the manifest contract, golden outputs per channel,
byte-identical rebuilds, and failed builds that publish nothing."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import channels as channel_registry

from engine.bundle import Manifest
from engine.diagnostics import Report
from engine.ownership import MARKER
from engine.publish import build
from tests.snapshots import assert_snapshot

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
GOLDEN = ROOT / "tests" / "golden" / "small_kb"
AS_OF = date(2026, 11, 23)
CUSTOMER_CHANNELS = channel_registry.customer_channels()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "dist"
    report = Report()
    result = build(SMALL, out, report, as_of=AS_OF, jobs=1)
    assert result.published, [d.text() for d in report.errors]
    return out


def test_the_manifest_follows_the_contract(published: Path) -> None:
    data = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    Manifest.model_validate(data)
    assert data["schema"] == 1 and len(data["inputs"]) == 64
    entry = data["answers"]["billing/pay-by-phone"]
    assert entry["source"] == "small_kb/billing/pay-by-phone.md" and entry["audience"] == "public"
    paths = {channel: item["path"] for channel, item in entry["channels"].items()}
    assert paths == {
        "web": "web/billing/pay-by-phone/index.html", "mobile": "mobile/billing/pay-by-phone.json",
        "ivr": "ivr/billing/pay-by-phone.ssml", "chat": "chat/billing/pay-by-phone.md",
        "sms": "sms/billing/pay-by-phone.txt", "reference": "reference/billing/pay-by-phone/index.html",
        "email": "email/billing/pay-by-phone.eml", "print": "print/billing/pay-by-phone.html"}
    metrics = {channel: item["metrics"] for channel, item in entry["channels"].items()}
    assert metrics["ivr"]["seconds"] > 0 and metrics["chat"]["characters"] > 0
    assert metrics["sms"]["encoding"] == "GSM-7" and metrics["sms"]["segments"] >= 1


def test_internal_and_future_answers_are_published_only_where_they_may_be(published: Path) -> None:
    answers = json.loads((published / "manifest.json").read_text(encoding="utf-8"))["answers"]
    assert set(answers["billing/waive-fee"]["channels"]) == {"reference"}
    assert "outages/new-rates" not in answers
    for channel in CUSTOMER_CHANNELS:
        text = b"".join(tree(published / channel).values())
        assert b"payment log" not in text and b"LF1" not in text, channel


def test_every_file_is_in_the_manifest_with_its_hash(published: Path) -> None:
    manifest = Manifest.model_validate_json((published / "manifest.json").read_bytes())
    listed = dict(manifest.indexes)
    for entry in manifest.answers.values():
        for channel in entry.channels.values():
            assert channel.path in channel.files
            listed.update(channel.files)
    files = tree(published)
    files.pop("manifest.json")
    assert files.pop(MARKER) == b'{"one-answer": "bundle"}\n'  # the engine's own folder (engine/ownership.py)
    assert set(files) == set(listed)
    assert all(hashlib.sha256(files[path]).hexdigest() == digest for path, digest in listed.items())


def test_outputs_match_the_golden_files(published: Path) -> None:
    files = tree(published)
    files.pop("manifest.json")
    assert files.pop(MARKER) == b'{"one-answer": "bundle"}\n'  # the engine's own folder (engine/ownership.py)
    assert_snapshot("".join(f"{path}\n" for path in files), GOLDEN.parent / "small_kb.files.txt")
    for path, data in files.items():
        assert_snapshot(data, GOLDEN / path)


def test_builds_are_byte_identical_across_jobs_and_hash_seeds(published: Path, tmp_path: Path) -> None:
    report = Report()
    assert build(SMALL, tmp_path / "jobs2", report, as_of=AS_OF, jobs=2).published
    assert tree(tmp_path / "jobs2") == tree(published)
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--kb", str(SMALL), "--out",
                    str(tmp_path / "seeded"), "--as-of", "2026-11-23", "--jobs", "1"], check=True, env=env,
                   capture_output=True)
    assert tree(tmp_path / "seeded") == tree(published)


def test_a_failed_build_publishes_nothing_and_keeps_the_previous_bundle(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    shutil.copytree(published, out)
    before = tree(out)
    kb = tmp_path / "kb"
    shutil.copytree(SMALL, kb)
    (kb / "billing" / "broken.md").write_text("---\nquestion: Broken?\n---\nNo owner.\n", encoding="utf-8")
    report = Report()
    assert not build(kb, out, report, as_of=AS_OF, jobs=1).published
    assert [d.code for d in report.errors] == ["missing-field", "missing-field"]
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "kb"]


def test_an_answer_over_a_budget_fails_the_build_naming_channel_and_overrun(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(SMALL, kb)
    long = " ".join(["Please read every word of this long sentence about paying your bill."] * 12)
    (kb / "billing" / "long.md").write_text(
        f"---\nquestion: Long?\nowner: t\nreviewed: 2026-10-01\n---\n{long}\n", encoding="utf-8")
    report = Report()
    assert not build(kb, tmp_path / "dist", report, as_of=AS_OF, jobs=1).published
    over = [d for d in report.errors if d.code == "over-budget"]
    assert {d.message.split(":")[0] for d in over} >= {"chat", "ivr"}
    assert all(d.path.endswith("billing/long.md") for d in over)
    # the SMS carries the short answer's first sentences and the link instead (issue 13): a warning
    assert any(d.code == "short-answer-cut" and d.path.endswith("billing/long.md") for d in report.warnings)
    assert not (tmp_path / "dist").exists()
