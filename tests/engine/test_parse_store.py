"""The parse store (engine/parse_store.py) opens nothing it cannot authenticate: a forged or altered blob, a
moved stat signature or a row written under another key reads as absent, and no pickle in it is ever run."""
from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path

import pytest

from engine import cache
from engine.parse_store import FILE, ParseStore, Row, seal


class _Canary:
    """Unpickling this runs code: it creates the file it names."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (Path(self.path),))


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ParseStore:
    monkeypatch.setenv(cache.KEY_VARIABLE, "a secret for this test")
    cache.secret.cache_clear()
    written = ParseStore(tmp_path / "cache")
    written.write([Row("kb/a.md", 42, "text", "key", seal({"light": 1}), seal({"full": 1}))], [],
                  shared=[("facts", "fkey", seal({"facts": 1}))])
    yield ParseStore(tmp_path / "cache")
    cache.secret.cache_clear()


def test_an_authentic_row_reads_back(store: ParseStore) -> None:
    assert store.unchanged("kb/a.md", 42) == "text"
    assert store.light("kb/a.md", "key") == {"light": 1}
    assert store.full("kb/a.md", "key") == {"full": 1}
    assert store.shared("facts", "fkey") == {"facts": 1}
    assert store.unchanged("kb/a.md", 43) is None and store.light("kb/a.md", "other") is None


def _alter(store: ParseStore, statement: str, values: tuple[object, ...]) -> None:
    """Change the file as an attacker with write access to the cache folder would (closed: checkpointed)."""
    db = sqlite3.connect(store.path)
    with db:
        db.execute(statement, values)
    db.close()


@pytest.mark.parametrize("column", ["light", "full", "value"])
def test_a_forged_blob_is_never_unpickled(store: ParseStore, tmp_path: Path, column: str) -> None:
    canary = tmp_path / "ran"
    forged = pickle.dumps(_Canary(str(canary)))
    table = "shared" if column == "value" else "parses"
    _alter(store, f"UPDATE {table} SET {column} = ?", (forged,))
    fresh = ParseStore(store.folder)
    assert (fresh.light("kb/a.md", "key"), fresh.full("kb/a.md", "key"), fresh.shared("facts", "fkey")) \
        == ((None, {"full": 1}, {"facts": 1}) if column == "light" else
            ({"light": 1}, None, {"facts": 1}) if column == "full" else ({"light": 1}, {"full": 1}, None))
    assert not canary.exists()


def test_a_moved_signature_or_another_key_reads_as_absent(store: ParseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    _alter(store, "UPDATE parses SET signature = 7", ())
    assert ParseStore(store.folder).unchanged("kb/a.md", 7) is None
    monkeypatch.setenv(cache.KEY_VARIABLE, "another secret")
    cache.secret.cache_clear()
    other = ParseStore(store.folder)
    assert other.light("kb/a.md", "key") is None and other.full("kb/a.md", "key") is None


def test_reading_leaves_the_folder_untouched(store: ParseStore) -> None:
    before = sorted((p.name, p.stat().st_mtime_ns) for p in store.folder.iterdir())
    assert store.light("kb/a.md", "key") == {"light": 1}
    store.close()
    assert sorted((p.name, p.stat().st_mtime_ns) for p in store.folder.iterdir()) == before
    assert (store.folder / FILE).is_file()
