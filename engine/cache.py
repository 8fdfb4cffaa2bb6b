"""The build cache on disk: named records, each pickled behind a checksum, and sealed values inside them.

A record or a sealed value that fails its checksum, cannot be unpickled, or was written by another cache or
code version reads as absent: the build then redoes that work. Nothing damaged is ever used.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

CACHE_VERSION = 1
_MAGIC = b"one-answer-cache\n"
_PACKAGES = ("engine", "renderers", "channels")


def digest(*parts: str | bytes) -> str:
    """sha256 over `parts`, each length-prefixed (so ("ab", "c") and ("a", "bc") differ)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


CODE_ROOT = Path(__file__).resolve().parent.parent


def code_files(root: Path = CODE_ROOT) -> list[Path]:
    """The modules of the engine, the renderers and the channel registry: the code that turns sources into
    outputs (what `code_version` hashes and the no-op stamp stats)."""
    return [path for package in _PACKAGES for path in sorted((root / package).rglob("*.py"))]


@cache
def code_version() -> str:
    """Every module of `code_files`, the Python version, and the cache version: any change to the code that
    turns sources into outputs invalidates every cached output."""
    parts: list[str | bytes] = [str(CACHE_VERSION), sys.version]
    for path in code_files():
        parts += [path.relative_to(CODE_ROOT).as_posix(), path.read_bytes()]
    return digest(*parts)


@dataclass(frozen=True)
class Sealed:
    """A pickled value and its checksum, opened only if they still agree."""

    check: str
    blob: bytes

    @classmethod
    def of(cls, value: Any) -> Sealed:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return cls(hashlib.sha256(blob).hexdigest(), blob)

    def open(self) -> Any | None:
        if not isinstance(self.blob, bytes) or hashlib.sha256(self.blob).hexdigest() != self.check:
            return None
        try:
            return pickle.loads(self.blob)
        except Exception:  # a damaged blob may fail in any way while unpickling; it is simply not used
            return None


class Store:
    """A folder of records. Writes go to a temporary file swapped into place, so a record is whole or absent."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.pickle"

    def load(self, name: str) -> Any | None:
        """The record, read in two streaming passes (checksum, then unpickle), never whole in memory as bytes:
        at 100,000 answers a record is hundreds of megabytes."""
        head = len(_MAGIC) + 64 + 1
        try:
            with open(self._path(name), "rb") as file:
                start = file.read(head)
                if len(start) < head or not start.startswith(_MAGIC):
                    return None
                check = start[len(_MAGIC):head - 1].decode("ascii", "replace")
                if hashlib.file_digest(file, "sha256").hexdigest() != check:
                    return None
                file.seek(head)
                try:
                    version, code, value = pickle.load(file)
                except Exception:  # see Sealed.open
                    return None
        except OSError:
            return None
        return value if (version, code) == (CACHE_VERSION, code_version()) else None

    def save(self, name: str, value: Any) -> None:
        """Best effort: a cache that cannot be written only makes the next build slower. The value is pickled
        straight into the file and the checksum filled in afterwards, so no copy of it is held as bytes."""
        path = self._path(name)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as file:
                file.write(_MAGIC + b"0" * 64 + b"\n")
                hashing = _Hashing(file)
                pickle.dump((CACHE_VERSION, code_version(), value), hashing, protocol=pickle.HIGHEST_PROTOCOL)
                file.seek(len(_MAGIC))
                file.write(hashing.digest.hexdigest().encode("ascii"))
            os.replace(temporary, path)
        except OSError:
            try:
                temporary.unlink()
            except OSError:
                pass


class _Hashing:
    """A writable file that also hashes what passes through it."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)
