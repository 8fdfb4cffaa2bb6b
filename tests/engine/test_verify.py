"""`verify`: a bundle checked against its manifest finds every missing, changed or stray file, symlinks, and a
broken manifest; a clean build verifies clean, plain or as a release."""
from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from engine.diagnostics import Report
from engine.publish import build
from engine.releases import current
from engine.ownership import MARKER
from engine.verify import verdict_text, verify

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = date(2026, 11, 23)
PAGE = "web/billing/pay-by-phone/index.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("verify") / "dist"
    report = Report()
    assert build(SMALL, out, report, as_of=AS_OF, jobs=1).published, [d.text() for d in report.errors]
    return out


@pytest.fixture()
def dist(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "dist"
    shutil.copytree(built, copy)
    return copy


def problems(dist: Path) -> list[tuple[str, str]]:
    return [(p.path.removeprefix(f"{dist}/"), p.problem.split(":")[0].split(" (")[0]) for p in verify(dist).problems]


def test_a_fresh_build_verifies_and_every_written_file_is_counted(dist: Path) -> None:
    verdict = verify(dist)
    assert verdict.ok, verdict.problems
    written = [p for p in dist.rglob("*") if p.is_file() and p.name not in ("manifest.json", MARKER)]
    assert verdict.files == len(written) > 30
    assert verdict_text(verdict).endswith(f"{dist}: {len(written)} files checked, ok\n")


def test_a_missing_file_a_changed_file_and_a_stray_file_are_each_named(dist: Path) -> None:
    (dist / "sms/billing/pay-by-phone.txt").unlink()
    (dist / PAGE).write_bytes((dist / PAGE).read_bytes().replace(b"2.50", b"9.50"))
    (dist / "web/assets/site.css").write_bytes(b"body{}")
    (dist / "web/extra.html").write_text("<p>not built</p>")
    (dist / "new-folder").mkdir()
    (dist / "new-folder/.hidden").write_text("x")
    assert sorted(problems(dist)) == [
        ("new-folder/.hidden", "stray file"),
        ("sms/billing/pay-by-phone.txt", "missing"),
        ("web/assets/site.css", "sha256 mismatch"),
        (PAGE, "sha256 mismatch"),
        ("web/extra.html", "stray file"),
    ]


def test_symlinks_are_reported_and_never_followed(dist: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    (dist / "sms/billing/pay-by-phone.txt").unlink()
    os.symlink(secret, dist / "sms/billing/pay-by-phone.txt")
    os.symlink("../web", dist / "web/loop")
    found = {p.path.removeprefix(f"{dist}/"): p.problem for p in verify(dist).problems}
    assert "outside the bundle" in found["sms/billing/pay-by-phone.txt"]
    assert "a bundle holds only files" in found["web/loop"]
    assert len(found) == 2


def test_a_missing_or_broken_manifest_is_a_problem_not_a_crash(dist: Path) -> None:
    manifest = dist / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text("{not json")
    assert problems(dist) == [("manifest.json", "invalid")]
    data["indexes"]["../../etc/passwd"] = "0" * 64
    manifest.write_text(json.dumps(data))
    assert problems(dist) == [("manifest.json", "unsafe path '../../etc/passwd'")]
    data["indexes"].pop("../../etc/passwd")
    data["answers"]["billing/pay-by-phone"]["channels"]["web"]["path"] = "web/elsewhere.html"
    manifest.write_text(json.dumps(data))
    assert problems(dist) == [("manifest.json", "billing/pay-by-phone web")]
    manifest.unlink()
    assert problems(dist) == [("manifest.json", "missing")]


def test_an_output_folder_with_releases_is_verified_through_current(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build(SMALL, out, Report(), as_of=AS_OF, jobs=1, keep=5).published
    verdict = verify(out)
    assert verdict.ok and verdict.bundle == str(out / "current") and verdict.files > 30
    os.chmod(out / "current" / "web" / "index.html", 0o644)  # published files are read-only
    (out / "current" / "web" / "index.html").write_text("defaced")
    assert [p.path for p in verify(out).problems] == [f"{out}/current/web/index.html"]
    assert verify(out / "releases" / str(current(out))).problems  # the release folder itself, checked directly
    os.remove(out / "current")
    os.symlink(tmp_path, out / "current")
    assert any("not to a release" in p.problem for p in verify(out).problems)


def test_releases_without_a_current_pointer_are_one_problem_not_a_pile_of_stray_files(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build(SMALL, out, Report(), as_of=AS_OF, jobs=1, keep=5).published
    (out / "current").unlink()  # as a first release build killed before its switch leaves it
    assert [(p.path, p.problem) for p in verify(out).problems] == [(f"{out}/current", "missing: no release is current")]


def test_verify_names_every_release_a_file_changed_in_place_damaged(tmp_path: Path) -> None:
    import shutil

    import build as cli

    kb = tmp_path / "kb"
    shutil.copytree(SMALL, kb)
    out = tmp_path / "dist"
    args = ["build", "--kb", str(kb), "--out", str(out), "--as-of", str(AS_OF), "--jobs", "1", "--release"]
    assert cli.main(args) == 0
    first = current(out)
    facts = kb / "_facts.yaml"
    facts.write_text(facts.read_text() + "\n# a comment: a new release, its unchanged files linked from the first\n")
    assert cli.main(args) == 0
    second = current(out)
    assert second != first and verify(out).ok
    shared = out / "current" / "sms" / "billing" / "pay-by-phone.txt"
    assert os.stat(shared).st_nlink >= 2 and not os.stat(shared).st_mode & 0o222  # shared, and read-only
    os.chmod(shared, 0o644)
    shared.write_text("Pay by phone: call someone else.")
    problems = [p.problem for p in verify(out).problems]
    assert len(problems) == 2 and "sha256 mismatch" in problems[0] and f"(release {first})" in problems[1]
