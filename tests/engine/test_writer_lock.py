"""One writer per output folder: racing builds and a rollback during a build run one after the other, each
publishing a bundle that matches its own manifest, the later-started one last."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.verify import verify
from engine.writer_lock import Busy, WriterLock, lock_path

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = "2026-11-23"
TRIALS = int(os.environ.get("RACE_TRIALS", "20"))


def start(kb: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--kb", str(kb), "--out", str(out),
                             "--as-of", AS_OF, "--jobs", "1", *extra],
                            cwd=out.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def holds_lock(out: Path, pid: int, timeout: float = 30.0) -> None:
    """Wait until process `pid` holds the writers' lock of `out` (it writes its pid once it has it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if lock_path(out).read_text().strip() == str(pid):
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise AssertionError(f"build {pid} never took the lock")


def inputs_of(out: Path) -> str:
    from engine.releases import bundle_folder

    return json.loads((bundle_folder(out) / "manifest.json").read_text())["inputs"]


@pytest.fixture
def two_kbs(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "kb-a", tmp_path / "kb-b"
    shutil.copytree(SMALL, first)
    shutil.copytree(SMALL, second)
    facts = second / "_facts.yaml"
    text = facts.read_text()
    assert "$2.50" in text
    facts.write_text(text.replace("$2.50", "$2.75"))
    return first, second


def test_racing_builds_publish_one_after_the_other_the_later_started_last(two_kbs: tuple[Path, Path],
                                                                          tmp_path: Path) -> None:
    first, second = two_kbs
    out = tmp_path / "dist"
    seen: dict[str, str] = {}
    for trial in range(TRIALS):
        early, late = (first, second) if trial % 2 == 0 else (second, first)
        a = start(early, out)
        holds_lock(out, a.pid)
        b = start(late, out)
        assert a.wait(120) == 0, a.communicate()[1]
        assert b.wait(120) == 0, b.communicate()[1]
        verdict = verify(out)
        assert verdict.ok, (trial, verdict.problems)
        seen.setdefault(str(late), inputs_of(out))
        assert inputs_of(out) == seen[str(late)], f"trial {trial}: the earlier build's inputs are published"
    assert len(set(seen.values())) == (2 if TRIALS > 1 else 1)


def test_a_second_writer_fails_at_once_with_no_wait(two_kbs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "dist"
    with WriterLock(out):
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--kb", str(two_kbs[0]), "--out",
                               str(out), "--as-of", AS_OF, "--no-wait"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"pid {os.getpid()} is writing" in done.stderr
    assert not out.exists()


def test_a_waiting_writer_says_whom_it_waits_for(two_kbs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "dist"
    with WriterLock(out):
        waiting = start(two_kbs[0], out)
        time.sleep(1.0)
        assert waiting.poll() is None  # still waiting
    assert waiting.wait(60) == 0
    assert f"waiting for pid {os.getpid()}" in waiting.communicate()[1]


def test_the_lock_refuses_a_second_holder_in_the_same_process(tmp_path: Path) -> None:
    with WriterLock(tmp_path / "dist"):
        with pytest.raises(Busy):
            with WriterLock(tmp_path / "dist", wait=False):
                pass
    with WriterLock(tmp_path / "dist", wait=False):  # released on exit
        pass


def test_a_rollback_during_a_release_build_waits_and_is_not_undone(two_kbs: tuple[Path, Path],
                                                                   tmp_path: Path) -> None:
    from engine.releases import current, listing, previous

    first, second = two_kbs
    out = tmp_path / "dist"
    for kb in (first, second):
        assert start(kb, out, "--release").wait(120) == 0
    for trial in range(4):
        build = start(first if trial % 2 else second, out, "--release")
        holds_lock(out, build.pid)
        rollback = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "rollback", "--out", str(out)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert build.wait(120) == 0, build.communicate()[1]
        assert rollback.wait(120) == 0, rollback.communicate()[1]
        newest = listing(out)[-1]
        assert current(out) == previous(out, newest), f"trial {trial}: the rollback was undone"
        assert verify(out).ok
