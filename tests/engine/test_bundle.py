"""The bundle: staged writes, one write per path, the atomic swap, and failures that leave dist/ alone."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.bundle import BundleError, Manifest, Staging, inputs_hash, swap_into_place


def publish(out: Path, files: dict[str, bytes]) -> None:
    staging = Staging(out)
    for path, data in files.items():
        staging.write(path, data)
    staging.publish(Manifest(inputs=inputs_hash(files), answers={}))


def test_a_new_bundle_replaces_the_old_one_whole(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    publish(out, {"web/a.html": b"old", "sms/a.txt": b"old"})
    publish(out, {"web/b.html": b"new"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".one-answer", "manifest.json", "web/b.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]  # no staging or old folder left behind


def test_the_manifest_uses_the_contract_field_names(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    publish(out, {"web/a.html": b"x"})
    data = json.loads((out / "manifest.json").read_text())
    assert data["schema"] == 1 and len(data["inputs"]) == 64 and data["answers"] == {}


@pytest.mark.parametrize("bad", ["../escape.txt", "/etc/passwd", "web/../../x", "web//a", ""])
def test_paths_outside_the_bundle_are_refused(tmp_path: Path, bad: str) -> None:
    staging = Staging(tmp_path / "dist")
    with pytest.raises(ValueError):
        staging.write(bad, b"x")
    staging.discard()


def test_a_path_written_twice_is_a_bug(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "dist")
    staging.write("web/a.html", b"1")
    with pytest.raises(ValueError, match="twice"):
        staging.write("web/a.html", b"2")
    staging.discard()


@pytest.mark.parametrize("errno", [28, 13])  # ENOSPC (disk full), EACCES (permission denied)
def test_a_failed_write_raises_and_leaves_the_published_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               errno: int) -> None:
    out = tmp_path / "dist"
    publish(out, {"web/a.html": b"old"})
    staging = Staging(out)

    def fail(fd: int, data: bytes) -> int:
        raise OSError(errno, os.strerror(errno))

    monkeypatch.setattr(os, "write", fail)
    with pytest.raises(BundleError, match=os.strerror(errno)):
        staging.write("web/a.html", b"new")
    monkeypatch.undo()
    staging.discard()
    assert (out / "web/a.html").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_swap_exchanges_folders_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "v").write_text("2")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "v").write_text("1")
    swap_into_place(tmp_path / "new", tmp_path / "dist")
    assert (tmp_path / "dist" / "v").read_text() == "2"
    assert not (tmp_path / "new").exists()
