"""Throwing old trees away: the old bundle or a pruned release is renamed to a trash name at once, removed inline
when small and by a detached process when large; a later build removes what a killed build or remover left,
never fighting a remover that still runs; verify, releases, rollback and serve never see trash."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from engine import bundle
from engine.bundle import Manifest, Staging, inputs_hash, remove, remove_stale
from engine.diagnostics import Report
from engine.publish import build
from engine.releases import CURRENT, RELEASES, bundle_folder, current, listing, prune, rollback_target, switch
from engine.serve import make_server
from engine.verify import verify

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = date(2026, 11, 23)


def publish(out: Path, files: dict[str, bytes]) -> None:
    staging = Staging(out)
    for path, data in files.items():
        staging.write(path, data)
    staging.publish(Manifest(inputs=inputs_hash(files), answers={}))


def bundle_files(tag: str, count: int) -> dict[str, bytes]:
    return {f"web/t{i % 3}/a{i}.html": tag.encode() for i in range(count)}


def fill(folder: Path, count: int) -> Path:
    for i in range(count):
        (folder / f"d{i % 4}").mkdir(parents=True, exist_ok=True)
        (folder / f"d{i % 4}" / f"f{i}").write_bytes(b"x")
    return folder


def trash_beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.old-"))


def wait_gone(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while path.exists():
        assert time.monotonic() < deadline, f"{path} still there after {seconds} s"
        time.sleep(0.02)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The detached remover waits until this file exists: its work can be watched before and after."""
    go = tmp_path / "go"
    monkeypatch.setattr(bundle, "_REMOVER", "import os, shutil, sys, time\n"
                        f"while not os.path.exists({str(go)!r}): time.sleep(0.01)\n"
                        "shutil.rmtree(sys.argv[1], ignore_errors=True)")
    return go


def started(before: list[subprocess.Popen[bytes]]) -> list[subprocess.Popen[bytes]]:
    """The removers started since `before` was taken (a copy of bundle._removers)."""
    return [process for process in bundle._removers if not any(process is old for old in before)]


def test_a_small_old_bundle_is_removed_inline(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    publish(out, bundle_files("old", 10))
    count = list(bundle._removers)
    publish(out, bundle_files("new", 10))
    assert trash_beside(out) == [] and started(count) == []
    assert (out / "web/t0/a0.html").read_bytes() == b"new"


def test_a_large_old_bundle_is_removed_by_a_detached_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            gate: Path) -> None:
    monkeypatch.setattr(bundle, "DETACH_ABOVE", 20)
    out = tmp_path / "dist"
    publish(out, bundle_files("old", 30))
    count = list(bundle._removers)
    publish(out, bundle_files("new", 30))
    [remover] = started(count)
    assert os.getsid(remover.pid) == remover.pid  # its own session: a kill of the build's group spares it
    [name] = trash_beside(out)  # publish returned while the old tree waits for its remover
    assert (tmp_path / name / "web/t0/a0.html").read_bytes() == b"old"
    assert {p.read_bytes() for p in out.rglob("*.html")} == {b"new"}
    gate.touch()
    wait_gone(tmp_path / name)
    assert remover.wait(timeout=30) == 0


def test_the_real_remover_removes_a_large_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "DETACH_ABOVE", 20)
    doomed = fill(tmp_path / ".dist.old-1-1", 50)
    count = list(bundle._removers)
    remove(doomed)
    assert len(started(count)) == 1
    wait_gone(doomed)


def test_a_remover_that_cannot_start_leaves_the_work_inline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "DETACH_ABOVE", 20)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    doomed = fill(tmp_path / ".dist.old-1-1", 50)
    remove(doomed)
    assert not doomed.exists()


def test_an_old_bundle_that_cannot_be_renamed_is_removed_where_it_is(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(folder: Path, name: str) -> Path:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(bundle, "trash", refuse)
    out = tmp_path / "dist"
    publish(out, bundle_files("old", 10))
    publish(out, bundle_files("new", 10))  # the swap is done: publishing must not be reported as failed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
    assert {p.read_bytes() for p in out.rglob("*.html")} == {b"new"}


def test_a_later_build_leaves_a_running_remover_alone_and_takes_over_from_a_killed_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: Path) -> None:
    monkeypatch.setattr(bundle, "DETACH_ABOVE", 20)
    name = f".dist.old-1-{dead_pid()}"  # the build that started the remover is gone
    doomed = fill(tmp_path / name, 50)
    count = list(bundle._removers)
    remove(doomed)
    [remover] = started(count)
    assert remove_stale(tmp_path, (".dist.old-",)) == [] and doomed.exists()  # its lock is held
    remover.send_signal(signal.SIGKILL)
    remover.wait(timeout=30)
    monkeypatch.setattr(bundle, "DETACH_ABOVE", 1000)  # the rest is taken over inline
    assert remove_stale(tmp_path, (".dist.old-",)) == [name]
    assert not doomed.exists()


def test_the_next_plain_build_removes_a_dead_builds_trash(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    leftover = fill(tmp_path / f".dist.old-3-{dead_pid()}", 5)
    assert build(SMALL, out, Report(), as_of=AS_OF, jobs=1).published
    assert not leftover.exists() and trash_beside(out) == []


def test_pruned_releases_go_to_trash_then_a_detached_remover(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              gate: Path) -> None:
    monkeypatch.setattr(bundle, "DETACH_ABOVE", 20)
    out = tmp_path / "dist"
    ids = [f"20261123T1200{second:02d}Z-{'a' * 12}" for second in range(4)]
    for release_id in ids:
        fill(out / RELEASES / release_id, 30)
    switch(out, ids[-1])
    count = list(bundle._removers)
    assert prune(out, keep=2) == ids[:2]
    assert len(started(count)) == 1  # the first pruned release is kept as the spare the next build recycles
    assert (out / RELEASES / ".next.spare" / "d0" / "f0").is_file()
    assert listing(out) == ids[2:]  # gone from the list at once, while their removers wait
    trash = sorted(p for p in (out / RELEASES).iterdir() if p.name.startswith(".pruning-"))
    assert [p.name.split("-")[1] for p in trash] == [ids[1].split("-")[0]]
    gate.touch()
    for folder in trash:
        wait_gone(folder)


def trash_in_a_release_layout(out: Path) -> Path:
    """A release output folder whose releases/ also holds a complete-looking release being removed."""
    assert build(SMALL, out, Report(), as_of=AS_OF, jobs=1, keep=5).published
    now = current(out)
    assert now is not None
    doomed = out / RELEASES / f".pruning-20261123T110000Z-{'b' * 12}-{os.getpid()}"
    subprocess.run(["cp", "-a", str(out / RELEASES / now), str(doomed)], check=True)
    return doomed


def test_verify_releases_and_rollback_ignore_trash(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    trash_in_a_release_layout(out)
    assert verify(out).ok
    assert len(listing(out)) == 1
    with pytest.raises(ValueError, match="no release before"):
        rollback_target(out, None)
    shown = subprocess.run([sys.executable, str(ROOT / "build.py"), "releases", "--out", str(out), "--format", "json"],
                           capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert shown.returncode == 0 and "pruning" not in shown.stdout and "bbbbbbbbbbbb" not in shown.stdout


def test_verify_ignores_the_old_bundle_beside_a_plain_one(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build(SMALL, out, Report(), as_of=AS_OF, jobs=1).published
    old = tmp_path / f".dist.old-1-{os.getpid()}"
    subprocess.run(["cp", "-a", str(out), str(old)], check=True)
    (old / "stray.html").write_text("being removed")
    assert verify(out).ok and verify(tmp_path / "dist").files > 0


def test_serve_never_reaches_trash(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    doomed = trash_in_a_release_layout(out)
    (doomed / "only-in-trash.txt").write_text("gone")
    server = make_server(bundle_folder(out), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for path in ("/only-in-trash.txt", f"/../{RELEASES}/{doomed.name}/only-in-trash.txt"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + path, timeout=10)
            assert refused.value.code == 404
        with urllib.request.urlopen(base + "/manifest.json", timeout=10) as answer:
            assert answer.status == 200
    finally:
        server.shutdown()
        server.server_close()
    assert (out / CURRENT).resolve() != doomed.resolve()
