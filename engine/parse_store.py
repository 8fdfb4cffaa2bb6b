"""The parse store: one sqlite row per answer file (WAL mode, in the cache folder), shared by `build` and `check`.

A row holds the file's cache name (`incremental._name`), its stat `signature` (an unchanged file is not even
read), the digest of its bytes, the content key (bytes, name, locale, channels), and two sealed pickles: the
full parse, read only when the answer is rendered, and a light part (`light.Light`): what the checks across
answers and the plan need from an answer that is not rendered.

The security model is engine/cache.py's: a pickle is opened only when its HMAC under the cache secret agrees,
and every MAC covers the code version, so rows written by other code read as absent. The stat signature has a
MAC of its own (it is rewritten alone when a file is touched without changing). A row that fails any check is
treated as missing: the file is parsed again. A second table keeps what every answer shares and is as costly
to read again (the parsed `_facts.yaml`), by name and content key.
"""
from __future__ import annotations

import hmac
import os
import pickle
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from engine import ownership
from engine.bundle import signature_of
from engine.cache import code_version, secret

FILE = "parses.sqlite"
_SCHEMA = """CREATE TABLE IF NOT EXISTS parses (
    name TEXT PRIMARY KEY, signature INTEGER, signature_mac TEXT NOT NULL, text TEXT NOT NULL, key TEXT NOT NULL,
    light BLOB NOT NULL, light_mac TEXT NOT NULL, full BLOB NOT NULL, full_mac TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shared (name TEXT PRIMARY KEY, key TEXT NOT NULL, value BLOB NOT NULL, mac TEXT NOT NULL)"""


@dataclass(frozen=True)
class Head:
    """A row without its full parse: what decides whether the file changed, and the light part (unopened)."""

    name: str
    signature: int | None  # None: not to be trusted (the file was too new when the row was written)
    text: str
    key: str
    light: bytes


@dataclass(frozen=True)
class Row:
    """A row to write: the blobs are pickled values."""

    name: str
    signature: int | None
    text: str
    key: str
    light: bytes
    full: bytes


def _mac(kind: str, *parts: str | bytes) -> str | None:
    """HMAC-SHA256 under the cache secret of the code version and `parts`, each length-prefixed."""
    key = secret()
    if key is None:
        return None
    message = bytearray()
    for part in (kind, code_version(), *parts):
        data = part.encode("utf-8") if isinstance(part, str) else part
        message += len(data).to_bytes(8, "little") + data
    return hmac.digest(key, bytes(message), "sha256").hex()


def _agrees(mac: object, kind: str, *parts: str | bytes) -> bool:
    expected = _mac(kind, *parts)
    return expected is not None and isinstance(mac, str) and hmac.compare_digest(mac, expected)


def _unpickle(blob: bytes) -> Any | None:
    try:
        return pickle.loads(blob)
    except Exception:  # a damaged blob may fail in any way while unpickling; it is simply not used
        return None


def seal(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class ParseStore:
    """The rows of one cache folder. Reading never creates the file; `write` does (best effort, like `Store`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / FILE
        self._db: sqlite3.Connection | None = None
        self._heads: dict[str, tuple[Head, str, str]] | None = None

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if secret() is None or (not create and not self.path.is_file()):
            return None
        try:
            if create:
                self.folder.mkdir(parents=True, exist_ok=True)
                if ownership.marked(self.folder) is None:
                    ownership.mark(self.folder, "cache")
                db = sqlite3.connect(self.path, timeout=30)
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
            else:
                # immutable: no lock, no -wal or -shm file made, so `check` leaves the cache folder untouched; a
                # row torn by a build writing meanwhile fails its MAC (or the query fails) and reads as absent
                db = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
        except sqlite3.Error:
            return None
        self._db = db
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _rows(self) -> dict[str, tuple[Head, str, str]]:
        """Every row's head with its MACs, read in one query the first time; nothing unpickled or checked yet."""
        if self._heads is None:
            self._heads = {}
            db = self._connect(create=False)
            if db is not None:
                try:
                    for name, sig, sig_mac, text, key, light, light_mac in db.execute(
                            "SELECT name, signature, signature_mac, text, key, light, light_mac FROM parses"):
                        self._heads[name] = (Head(name, sig, text, key, light), sig_mac, light_mac)
                except sqlite3.Error:
                    self._heads = {}
        return self._heads

    def head(self, name: str) -> Head | None:
        found = self._rows().get(name)
        return found[0] if found else None

    def unchanged(self, name: str, signature: int | None) -> str | None:
        """The stored digest of the file's bytes, if its row's authenticated stat signature is `signature`."""
        found = self._rows().get(name)
        if signature is None or found is None or found[0].signature != signature:
            return None
        head, mac, _ = found
        return head.text if _agrees(mac, "stat", head.name, str(head.signature), head.text) else None

    def light(self, name: str, key: str) -> Any | None:
        """The light part of the row whose content key is `key`, if authentic."""
        found = self._rows().get(name)
        if found is None or found[0].key != key:
            return None
        head, _, mac = found
        if not _agrees(mac, "light", head.name, head.text, head.key, head.light):
            return None
        return _unpickle(head.light)

    def full(self, name: str, key: str) -> Any | None:
        """The full parse of the row whose content key is `key`, if authentic: one query, one unpickle."""
        return self._sealed("SELECT key, full, full_mac FROM parses WHERE name = ?", "full", name, key)

    def shared(self, name: str, key: str) -> Any | None:
        """The shared value stored as `name` under content key `key`, if authentic."""
        return self._sealed("SELECT key, value, mac FROM shared WHERE name = ?", "shared", name, key)

    def _sealed(self, query: str, kind: str, name: str, key: str) -> Any | None:
        """The blob `query` selects (as key, blob, MAC) for `name`, unpickled if its key is `key` and its MAC
        under `kind` agrees."""
        db = self._connect(create=False)
        if db is None:
            return None
        try:
            found = db.execute(query, (name,)).fetchone()
        except sqlite3.Error:
            return None
        if found is None or found[0] != key or not _agrees(found[2], kind, name, key, found[1]):
            return None
        return _unpickle(found[1])

    def write(self, rows: Iterable[Row], signatures: Iterable[tuple[str, int | None, str]],
              keep: set[str] | None = None, shared: Iterable[tuple[str, str, bytes]] = ()) -> None:
        """Store new rows, new stat signatures of unchanged rows ((name, signature, text)), shared values
        ((name, key, pickled value)), and with `keep`, delete every answer row not named in it. One transaction; a store that cannot be written is left alone."""
        self.close()
        db = self._connect(create=True)
        if db is None:
            return
        try:
            with db:
                for row in rows:
                    db.execute("INSERT OR REPLACE INTO parses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               (row.name, row.signature, _mac("stat", row.name, str(row.signature), row.text),
                                row.text, row.key, row.light, _mac("light", row.name, row.text, row.key, row.light),
                                row.full, _mac("full", row.name, row.key, row.full)))
                for name, sig, text in signatures:
                    db.execute("UPDATE parses SET signature = ?, signature_mac = ? WHERE name = ? AND text = ?",
                               (sig, _mac("stat", name, str(sig), text), name, text))
                for name, key, value in shared:
                    db.execute("INSERT OR REPLACE INTO shared VALUES (?, ?, ?, ?)",
                               (name, key, value, _mac("shared", name, key, value)))
                if keep is not None:
                    stored = {name for (name,) in db.execute("SELECT name FROM parses")}
                    db.executemany("DELETE FROM parses WHERE name = ?", [(name,) for name in stored - keep])
        except (sqlite3.Error, OSError):
            pass
        finally:
            self.close()
            self._heads = None


def stat_signature(st: os.stat_result, trusted_before_ns: int, racy_ns: int) -> int | None:
    """A file's stat signature as a row records it, or None if it changed too recently to vouch for the bytes
    read (a write in the same timestamp tick would keep it)."""
    return signature_of(st) if st.st_mtime_ns + racy_ns < trusted_before_ns else None
