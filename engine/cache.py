"""The build cache on disk: named records, each pickled behind a keyed MAC, and sealed values inside them.

A pickle runs code when it is read, and a cache folder is often shared (CI caches pass between branches and
forks), so a record is unpickled only when its HMAC-SHA256 under a secret kept outside the cache folder
agrees: `ONE_ANSWER_CACHE_KEY` when set (a CI secret, so a CI cache can be reused by the jobs that hold it),
else a random key made once per user in `$XDG_CONFIG_HOME/one-answer/cache-key` (mode 0600). Without a usable
key nothing is read or written. A record that fails its MAC, cannot be unpickled, or was written by another
cache, code or library version reads as absent: the build then redoes that work. Nothing damaged or forged
is ever used.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib.metadata
import os
import pickle
import re
import secrets
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from engine import ownership

CACHE_VERSION = 2
_MAGIC = b"one-answer-cache 2\n"
KEY_VARIABLE = "ONE_ANSWER_CACHE_KEY"
# The distributions the engine imports; with what they require in turn, their versions key the cache.
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "ruamel.yaml", "pydantic", "jinja2", "phonenumbers", "selectolax",
             "idna", "publicsuffixlist")
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


def libraries() -> dict[str, str]:
    """Every installed distribution the engine imports, and those they require (not extras): name ->
    "version at location". A library upgraded, downgraded or shadowed changes it."""
    found: dict[str, str] = {}
    pending = list(LIBRARIES)
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in found:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            found[key] = "absent"
            continue
        found[key] = f"{dist.version} at {getattr(dist, '_path', '')}"
        for requirement in dist.requires or ():
            if "extra ==" not in requirement and (match := re.match(r"[A-Za-z0-9._-]+", requirement)):
                pending.append(match.group(0))
    return dict(sorted(found.items()))


def site_folders() -> list[str]:
    """The site-packages folders on `sys.path`: where installed libraries live."""
    return [entry for entry in sys.path if entry.rstrip("/").endswith(("site-packages", "dist-packages"))]


def import_path() -> str:
    """Where Python finds libraries: PYTHONPATH and the site-packages folders, which decide which library code
    a build runs (the script's own folder is left out: `python build.py` and the console script run the same
    code from different folders)."""
    return "\n".join([os.environ.get("PYTHONPATH", ""), *site_folders()])


@cache
def code_version() -> str:
    """Every module of `code_files`, the Python version, the libraries' versions, the import path and the cache
    version: any change to the code that turns sources into outputs invalidates every cached output."""
    parts: list[str | bytes] = [str(CACHE_VERSION), sys.version, import_path(),
                                *(f"{name} {version}" for name, version in libraries().items())]
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


def _key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "one-answer" / "cache-key"


@cache
def secret() -> bytes | None:
    """The MAC key: ONE_ANSWER_CACHE_KEY, or this user's key file (made on first use); None when neither can
    be had (the cache is then not used at all)."""
    given = os.environ.get(KEY_VARIABLE)
    if given:
        return given.encode("utf-8")
    path = _key_file()
    try:
        with open(path, "rb") as file:
            key = file.read(128)
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_hex(32).encode("ascii"))
        try:
            os.link(temporary, path)  # never replaces a key another process made a moment ago
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
        with open(path, "rb") as file:
            key = file.read(128)
        return key if len(key) >= 32 else None
    except OSError:
        return None


class Store:
    """A folder of records, each authenticated by its MAC (see the module's docstring). Writes go to a
    temporary file swapped into place, so a record is whole or absent."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.pickle"

    def load(self, name: str) -> Any | None:
        """The record, read in two streaming passes (MAC, then unpickle), never whole in memory as bytes: at
        100,000 answers a record is hundreds of megabytes. Nothing is unpickled before the MAC agrees."""
        key = secret()
        head = len(_MAGIC) + 64 + 1
        if key is None:
            return None
        try:
            with open(self._path(name), "rb") as file:
                start = file.read(head)
                if len(start) < head or not start.startswith(_MAGIC):
                    return None
                check = start[len(_MAGIC):head - 1]
                mac = hmac.new(key, name.encode("utf-8") + b"\0", "sha256")
                for block in iter(lambda: file.read(1 << 20), b""):
                    mac.update(block)
                if not hmac.compare_digest(mac.hexdigest().encode("ascii"), check):
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
        straight into the file and the MAC filled in afterwards, so no copy of it is held as bytes."""
        key = secret()
        if key is None:
            return
        path = self._path(name)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if ownership.marked(self.folder) is None:
                ownership.mark(self.folder, "cache")
            with open(temporary, "wb") as file:
                file.write(_MAGIC + b"0" * 64 + b"\n")
                hashing = _Hashing(file, hmac.new(key, name.encode("utf-8") + b"\0", "sha256"))
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

    def __init__(self, file: BinaryIO, digest: hmac.HMAC) -> None:
        self.file = file
        self.digest = digest

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)
