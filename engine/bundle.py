"""The dist/ bundle: a staging folder written file by file, the manifest, and an atomic swap into place."""
from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Mapping

from pydantic import BaseModel, ConfigDict, Field

MANIFEST = "manifest.json"
Metric = int | float | str | bool


class ChannelEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    metrics: dict[str, Metric] = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict, description="every file of this output: path -> sha256")


class AnswerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    hash: str
    audience: str
    channels: dict[str, ChannelEntry]


class Manifest(BaseModel):
    """dist/manifest.json: other tools find every output through it alone."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_version: int = Field(1, alias="schema")
    inputs: str
    answers: dict[str, AnswerEntry]
    indexes: dict[str, str] = Field(default_factory=dict, description="channel-level files: path -> sha256")

    def dump(self) -> bytes:
        return (self.model_dump_json(by_alias=True, indent=2) + "\n").encode("utf-8")


class BundleError(Exception):
    """A bundle could not be written (disk full, permission denied...): the previous dist/ is untouched."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Staging:
    """A new bundle being written beside the published one; nothing is visible until `publish`."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out.parent / f".{out.name}.staging-{os.getpid()}"
        self.written: dict[str, str] = {}
        try:
            remove_stale(out.parent, (f".{out.name}.staging-", f".{out.name}.old-"))
            if self.path.exists():
                shutil.rmtree(self.path)
            self.path.mkdir(parents=True)
        except OSError as error:
            raise BundleError(f"cannot create {self.path}: {error.strerror or error}") from error

    def check_new(self, relative: str) -> None:
        """A path written twice or leaving the bundle is a bug."""
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts or relative != pure.as_posix():
            raise ValueError(f"unsafe output path {relative!r}")
        if relative in self.written:
            raise ValueError(f"output path written twice: {relative}")

    def write(self, relative: str, data: bytes) -> str:
        """Write one file; returns its sha256. A path written twice or leaving the bundle is a bug."""
        self.check_new(relative)
        target = self.path / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as error:
            raise BundleError(f"cannot write {target}: {error.strerror or error}") from error
        digest = sha256(data)
        self.written[relative] = digest
        return digest

    def seal(self, manifest: Manifest) -> None:
        """Write the manifest last and flush everything to disk: the folder is now a complete bundle."""
        self.write(MANIFEST, manifest.dump())
        try:
            _sync_tree(self.path)
        except OSError as error:
            raise BundleError(f"cannot flush {self.path}: {error.strerror or error}") from error

    def publish(self, manifest: Manifest) -> None:
        self.seal(manifest)
        try:
            swap_into_place(self.path, self.out)
            sync_folder(self.out.parent)  # the swap itself survives a power cut
        except OSError as error:
            raise BundleError(f"cannot publish into {self.out}: {error.strerror or error}") from error

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (a process of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder: Path, prefixes: tuple[str, ...]) -> list[str]:
    """Remove the leftovers (`<prefix><pid>`) of builds killed before they could clean up after themselves.

    Only a dead process's leftovers go: a build running at the same time keeps its staging folder."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    for entry in sorted(folder.iterdir()):
        prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
        pid = re.split(r"[-.]", entry.name[len(prefix):])[-1] if prefix else ""  # the name ends in -<pid> or .<pid>
        if not pid.isdigit() or int(pid) == os.getpid() or alive(int(pid)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry.name)
    return removed


def sync_folder(folder: Path) -> None:
    """Make a rename or a new entry in `folder` durable (the folder's own metadata is flushed). Best effort: it
    runs after the step it makes durable, so a file system that cannot flush folders must not turn a done
    step into a reported failure."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sync_tree(root: Path) -> None:
    """Flush file contents to disk before the swap makes them visible (a crash must not publish empty files).

    One syncfs(2) of the bundle's filesystem where Linux offers it: an fsync per file costs ~4 ms each, minutes
    for 70,000 outputs."""
    if _syncfs(root):
        return
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where the system cannot."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def swap_into_place(staging: Path, out: Path) -> None:
    """Make `staging` the published `out` in one step; the old bundle is removed afterwards.

    With renameat2 the exchange is atomic: at every instant `out` is the complete old or the complete new
    bundle. Elsewhere two renames leave a moment with no `out` at all (never a mixed one)."""
    if not out.exists():
        os.replace(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def inputs_hash(files: Mapping[str, bytes]) -> str:
    """sha256 over every input the build read, by relative path, in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode("utf-8") + b"\0" + sha256(files[path]).encode("ascii") + b"\n")
    return digest.hexdigest()


def reuse_file(staging: Staging, relative: str, previous: Path, digest: str) -> str:
    """Put the previous bundle's unchanged file at `relative` in `staging`: hard-linked where the filesystem
    allows (the bundle is never written in place, so sharing the inode is safe), else copied. The caller
    vouches for `digest` (the previous manifest's hash of that file)."""
    staging.check_new(relative)
    target = staging.path / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(previous / relative, target)
        except OSError:
            shutil.copyfile(previous / relative, target)
    except OSError as error:
        raise BundleError(f"cannot reuse {previous / relative}: {error.strerror or error}") from error
    staging.written[relative] = digest
    return digest


def _syncfs(root: Path) -> bool:
    """Flush the whole filesystem holding `root` (Linux syncfs); False where the system cannot."""
    name = ctypes.util.find_library("c")
    syncfs = getattr(ctypes.CDLL(name, use_errno=True), "syncfs", None) if name else None
    if syncfs is None:
        return False
    fd = os.open(root, os.O_RDONLY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)
