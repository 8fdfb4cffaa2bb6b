"""The cache store: what was saved reads back; anything damaged, truncated or from another version reads as
absent, never as data."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from engine import cache
from engine.cache import Sealed, Store, digest


def test_a_saved_record_reads_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "c")
    store.save("r", {"a": (1, b"x")})
    assert store.load("r") == {"a": (1, b"x")}
    assert store.load("absent") is None


@pytest.mark.parametrize("damage", ["flip a payload byte", "flip a checksum byte", "truncate", "empty", "not ours"])
def test_a_damaged_record_reads_as_absent(tmp_path: Path, damage: str) -> None:
    store = Store(tmp_path)
    store.save("r", list(range(1000)))
    path = tmp_path / "r.pickle"
    data = bytearray(path.read_bytes())
    if damage == "flip a payload byte":
        data[-10] ^= 0x01
    elif damage == "flip a checksum byte":
        data[len(b"one-answer-cache\n") + 3] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(pickle.dumps(list(range(1000))))
    path.write_bytes(bytes(data))
    assert store.load("r") is None


def test_a_record_from_other_code_reads_as_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path)
    store.save("r", "value")
    monkeypatch.setattr(cache, "code_version", lambda: "another version")
    assert store.load("r") is None


def test_a_sealed_value_opens_only_while_it_matches_its_checksum() -> None:
    sealed = Sealed.of({"k": 1})
    assert sealed.open() == {"k": 1}
    assert Sealed(sealed.check, sealed.blob[:-1] + bytes([sealed.blob[-1] ^ 1])).open() is None
    assert Sealed("0" * 64, sealed.blob).open() is None
    garbage = b"\x80\x05garbage"
    assert Sealed(__import__("hashlib").sha256(garbage).hexdigest(), garbage).open() is None


def test_digest_parts_are_delimited() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("a") == digest(b"a")


def test_an_unwritable_cache_only_skips_saving(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = Store(blocker / "cache")
    store.save("r", 1)  # no exception: the next build is just slower
    assert store.load("r") is None


class _Canary:
    """Unpickling this runs code: it creates the file it names."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (Path(self.path),))


def _forged(name: str, payload: bytes, key: bytes) -> bytes:
    import hmac

    mac = hmac.new(key, name.encode("utf-8") + b"\0" + payload, "sha256").hexdigest()
    return cache._MAGIC + mac.encode("ascii") + b"\n" + payload


@pytest.mark.parametrize("forger", ["plain sha256 (the old format)", "a MAC under another key", "no MAC"])
def test_a_crafted_cache_record_runs_no_code(tmp_path: Path, forger: str) -> None:
    import hashlib

    canary = tmp_path / "ran"
    payload = pickle.dumps((cache.CACHE_VERSION, cache.code_version(), _Canary(str(canary))))
    if forger.startswith("plain"):
        data = b"one-answer-cache\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    elif forger.startswith("a MAC"):
        data = _forged("renders", payload, b"a key the attacker made up, long enough to pass")
    else:
        data = cache._MAGIC + b"0" * 64 + b"\n" + payload
    (tmp_path / "renders.pickle").write_bytes(data)
    assert Store(tmp_path).load("renders") is None
    assert not canary.exists()


def test_a_crafted_cache_file_runs_no_code_in_a_real_build(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    kb = tmp_path / "knowledge"
    shutil.copytree(root / "tests" / "fixtures" / "small_kb", kb)
    canary = tmp_path / "ran"
    payload = pickle.dumps((cache.CACHE_VERSION, "any", _Canary(str(canary))))
    folder = tmp_path / ".dist.cache"
    folder.mkdir()
    for name in ("parses", "renders", "last"):
        (folder / f"{name}.pickle").write_bytes(_forged(name, payload, b"x" * 64))
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, str(root / "build.py"), "build", "--kb", str(kb), "--out",
                           str(tmp_path / "dist"), "--as-of", "2026-11-23", "--jobs", "1"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert not canary.exists()
    key = tmp_path / "config" / "one-answer" / "cache-key"
    assert key.stat().st_mode & 0o777 == 0o600 and not key.is_relative_to(folder)


def test_the_key_comes_from_the_environment_when_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    cache.secret.cache_clear()
    try:
        monkeypatch.setenv(cache.KEY_VARIABLE, "ci secret one")
        store = Store(tmp_path / "c")
        store.save("r", 7)
        cache.secret.cache_clear()
        monkeypatch.setenv(cache.KEY_VARIABLE, "ci secret two")
        assert store.load("r") is None  # written under another key
        cache.secret.cache_clear()
        monkeypatch.setenv(cache.KEY_VARIABLE, "ci secret one")
        assert store.load("r") == 7
    finally:
        cache.secret.cache_clear()


def test_a_changed_library_version_makes_every_record_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.code_version.cache_clear()  # as installed now, not when another test first asked
    store = Store(tmp_path)
    store.save("r", "value")
    real = cache.libraries()
    assert "markdown-it-py" in real and real["markdown-it-py"] != "absent"
    monkeypatch.setattr(cache, "libraries", lambda: {**real, "markdown-it-py": "99.0 at elsewhere"})
    cache.code_version.cache_clear()
    try:
        assert store.load("r") is None
    finally:
        monkeypatch.undo()
        cache.code_version.cache_clear()
    assert store.load("r") == "value"


def test_the_import_path_is_part_of_the_code_version(monkeypatch: pytest.MonkeyPatch) -> None:
    cache.code_version.cache_clear()
    try:
        before = cache.code_version()
        monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
        cache.code_version.cache_clear()
        assert cache.code_version() != before
    finally:
        monkeypatch.undo()
        cache.code_version.cache_clear()
