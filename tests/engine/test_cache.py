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
