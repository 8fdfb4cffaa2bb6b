"""Releases: ids in build order, `current` switched atomically, pruning that spares current and its rollback
target, rollback in time order, a plain and a release output folder never mixed, and failed writes or a failed
switch that leave the previous release current and untouched."""
from __future__ import annotations

import errno
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from engine.bundle import remove_stale
from engine.diagnostics import Report
from engine.inspect import read_manifest
from engine.publish import build
from engine.ownership import MARKER
from engine.releases import CURRENT, RELEASES, current, listing, new_id, previous, prune, rollback_target, switch

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = date(2026, 11, 23)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def release(out: Path, keep: int = 5) -> str:
    report = Report()
    result = build(SMALL, out, report, as_of=AS_OF, jobs=1, keep=keep)
    assert result.published and result.release, [d.text() for d in report.errors]
    return result.release


def fake_releases(out: Path, count: int) -> list[str]:
    """`count` empty release folders one second apart, the newest current (pruning and rollback need no content)."""
    ids = [f"20261123T1200{second:02d}Z-{'a' * 12}" for second in range(count)]
    for release_id in ids:
        (out / RELEASES / release_id).mkdir(parents=True)
    switch(out, ids[-1])
    return ids


def test_ids_sort_in_build_order_even_within_one_second(tmp_path: Path) -> None:
    moment = datetime(2026, 11, 23, 15, 36, 0, 900000, tzinfo=timezone.utc)
    first = new_id(tmp_path, "f" * 64, moment)
    assert first == "20261123T153600Z-ffffffffffff"
    (tmp_path / RELEASES / first).mkdir(parents=True)
    second = new_id(tmp_path, "0" * 64, moment)  # same second, smaller hash: still sorts after
    assert second == "20261123T153601Z-000000000000" and second > first
    (tmp_path / RELEASES / second).mkdir()
    assert new_id(tmp_path, "0" * 64, moment.replace(hour=9)) > second  # a clock that went back


def test_a_release_build_makes_a_whole_bundle_current_through_a_relative_link(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = release(out)
    assert os.readlink(out / CURRENT) == f"{RELEASES}/{first}"
    assert (out / CURRENT / "manifest.json").is_file()
    assert first.endswith(read_manifest(out).inputs[:12])
    second = release(out)
    assert second > first and current(out) == second and listing(out) == [first, second]
    assert tree(out / RELEASES / first) == tree(out / RELEASES / second)  # same input, byte-identical bundles
    assert sorted(p.name for p in out.iterdir()) == [MARKER, CURRENT, RELEASES]
    assert sorted(p.name for p in (out / RELEASES).iterdir()) == [first, second]


def test_builds_beyond_keep_are_pruned_oldest_first(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    made = [release(out, keep=2) for _ in range(4)]
    assert listing(out) == made[-2:] and current(out) == made[-1]


def test_pruning_never_removes_current_or_the_release_rollback_goes_to(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    ids = fake_releases(out, 6)
    switch(out, ids[1])  # rolled back far: ids[1] is current, ids[0] is where the next rollback goes
    assert prune(out, keep=2) == ids[2:4]
    assert listing(out) == [ids[0], ids[1], ids[4], ids[5]]
    # one pruned release is kept out of the list for the next build to recycle; the other is gone
    assert sorted(p.name for p in (out / RELEASES).iterdir() if p.name.startswith(".")) == [".next.spare"]


def test_rollback_goes_to_the_release_before_current_in_time_order(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    ids = fake_releases(out, 3)
    assert rollback_target(out, None) == ids[1]
    switch(out, ids[1])
    assert rollback_target(out, None) == ids[0]  # twice goes back two
    switch(out, ids[0])
    with pytest.raises(ValueError, match="no release before"):
        rollback_target(out, None)
    assert rollback_target(out, ids[2]) == ids[2]  # forward again, by name
    with pytest.raises(ValueError, match="no release 2099"):
        rollback_target(out, "2099")
    assert previous(out, ids[2]) == ids[1]


def test_a_plain_folder_and_a_release_folder_are_never_mixed(tmp_path: Path) -> None:
    plain, releases = tmp_path / "plain", tmp_path / "releases"
    assert build(SMALL, plain, Report(), as_of=AS_OF, jobs=1).published
    release(releases)
    for out, keep in ((plain, 5), (releases, None)):
        before = tree(out)
        report = Report()
        assert not build(SMALL, out, report, as_of=AS_OF, jobs=1, keep=keep).published
        assert [d.code for d in report.errors] == ["write-failed"]
        assert ("plain bundle" if keep else "holds releases") in report.errors[0].message
        assert tree(out) == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_a_failed_write_leaves_the_current_release_and_every_release_intact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    out = tmp_path / "dist"
    first = release(out)
    before = tree(out / RELEASES)

    def fail(fd: int, data: bytes) -> int:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "write", fail)
    report = Report()
    assert not build(SMALL, out, report, as_of=AS_OF, jobs=1, keep=5).published
    monkeypatch.undo()
    assert [d.code for d in report.errors] == ["write-failed"]
    assert os.strerror(code) in report.errors[0].message and "untouched" in report.errors[0].message
    assert current(out) == first and tree(out / RELEASES) == before
    assert sorted(p.name for p in (out / RELEASES).iterdir()) == [first]  # the staging folder is gone


def test_a_failed_switch_of_current_keeps_the_previous_release_current(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "dist"
    first = release(out)
    before = tree(out / RELEASES)

    def refuse(source: str, target: str | Path) -> None:
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "symlink", refuse)
    report = Report()
    assert not build(SMALL, out, report, as_of=AS_OF, jobs=1, keep=5).published
    monkeypatch.undo()
    assert [d.code for d in report.errors] == ["write-failed"]
    assert "cannot switch" in report.errors[0].message and "Permission denied" in report.errors[0].message
    assert current(out) == first and tree(out / RELEASES) == before
    assert sorted(p.name for p in out.iterdir()) == [MARKER, CURRENT, RELEASES]
    assert listing(out) == [first]  # the new release that never became current is removed


def test_only_leftovers_of_dead_processes_are_removed(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead = int(finished.stdout)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / f".dist.staging-{dead}").mkdir()
        (tmp_path / f".dist.staging-{dead}" / "half.html").write_text("half")
        (tmp_path / f".dist.staging-{sleeper.pid}").mkdir()
        (tmp_path / f".dist.old-{dead}").mkdir()
        (tmp_path / ".dist.staging-notapid").mkdir()
        assert remove_stale(tmp_path, (".dist.staging-", ".dist.old-")) == [f".dist.old-{dead}",
                                                                              f".dist.staging-{dead}"]
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".dist.staging-notapid",
                                                                      f".dist.staging-{sleeper.pid}"])
    finally:
        sleeper.kill()
        sleeper.wait()
