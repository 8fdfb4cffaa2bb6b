"""The dist/ bundle: a staging folder written file by file, the manifest, and an atomic swap into place."""
from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import hashlib
import itertools
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Mapping

from pydantic import BaseModel, ConfigDict, Field

from engine import ownership

MANIFEST = "manifest.json"
# Published files are read-only: hard links share them between bundles and releases, so a file edited in place
# would change every release at once; read-only, such an edit takes a deliberate chmod first.
READ_ONLY = 0o444
Metric = int | float | str | bool


class ChannelEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    metrics: dict[str, Metric] = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict, description="every file of this output: path -> sha256")
    left_out: list[str] | None = Field(None, description="what this channel could not carry of the answer, and "
                                                         "what it did instead (its renderer's notes)")


class AnswerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    hash: str
    audience: str
    channels: dict[str, ChannelEntry]
    accepted: list[str] | None = Field(None, description="findings accepted by the answer's `accept:`, with reasons")


class Manifest(BaseModel):
    """dist/manifest.json: other tools find every output through it alone."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_version: int = Field(1, alias="schema")
    inputs: str
    answers: dict[str, AnswerEntry]
    indexes: dict[str, str] = Field(default_factory=dict, description="channel-level files: path -> sha256")
    held_back: dict[str, str] | None = Field(
        None,
        description="build --keep-going: answers not published from this build's sources, id -> why; one "
                    "published before keeps that version under `answers`")

    def dump(self) -> bytes:
        # Optional parts (held_back, accepted) are left out when absent: bundles without them keep their bytes.
        return (self.model_dump_json(by_alias=True, indent=2, exclude_none=True) + "\n").encode("utf-8")


class BundleError(Exception):
    """A bundle could not be written (disk full, permission denied...): the previous dist/ is untouched."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signature(path: str | Path) -> int | None:
    """What a published file looks like from `stat` alone: inode, size, modification time and mode, as one
    number. Hard-linking the file into the next bundle keeps it; writing into the file changes its size or
    its modification time, so a match lets a build reuse the file without reading it. None for anything but a
    regular file."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return signature_of(st) if stat.S_ISREG(st.st_mode) else None


def signature_of(st: os.stat_result) -> int:
    """A stat result as one number: inode, device, size, mtime and mode (ints hash the same in every process)."""
    return hash((st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_mode))


class Staging:
    """A new bundle being written beside the published one; nothing is visible until `publish`.

    With `recycle`, the bundle published before the current one (kept beside it as the spare, `spare_path`) is
    taken as the staging folder and brought up to date in place, so an edit costs a write per changed file,
    not a write or link per file of the bundle. Its manifest goes first: a tree without one is never trusted
    again. A file is kept only when the spare's manifest gives it the hash wanted now and its `signature` is
    the one `known` records for the published file (one inode shared by both), or else when its bytes still
    have that hash; every other file is replaced by a new inode (never written into: another bundle may share
    it) and what the new bundle does not have is removed before the manifest is written."""

    def __init__(self, out: Path, recycle: bool = False) -> None:
        self.out = out
        self.path = out.parent / f".{out.name}.staging-{os.getpid()}"
        self._prefix = os.fspath(self.path) + "/"  # + a checked relative path: os.path.join's result, cheaper
        self.written: dict[str, str] = {}
        self.signatures: dict[str, int] = {}  # relative path -> `signature` of each answer output placed
        self.known: Mapping[str, int] = {}  # the published bundle's signatures, as the last build recorded them
        self.present: dict[str, str] = {}  # files already in the folder (a recycled spare): path -> sha256
        self.recycled = False
        self._folders: set[str] = {""}  # folders (relative) made in this staging: one mkdir each, not one per file
        try:
            remove_stale(out.parent, (f".{out.name}.staging-", f".{out.name}.old-"))
            if self.path.exists():
                shutil.rmtree(self.path)
            if recycle and self._claim_spare():
                return
            self.path.mkdir(parents=True)
            ownership.mark(self.path, "bundle")
        except OSError as error:
            raise BundleError(f"cannot create {self.path}: {error.strerror or error}") from error

    @property
    def spare_path(self) -> Path:
        return spare_of(self.out)

    def _claim_spare(self) -> bool:
        """Take the spare as this staging folder, if it is a whole bundle of ours (its manifest readable)."""
        spare = self.spare_path
        if not spare.is_dir() or spare.is_symlink() or ownership.marked(spare) is None:
            return False
        os.rename(spare, self.path)  # from here on a kill leaves a staging folder, which remove_stale removes
        try:
            manifest = Manifest.model_validate_json((self.path / MANIFEST).read_bytes())
            (self.path / MANIFEST).unlink()
        except (OSError, ValueError):
            remove(self.path)
            return False
        self.present = {path: sha for entry in manifest.answers.values() for channel in entry.channels.values()
                        for path, sha in channel.files.items()}
        self.present.update(manifest.indexes)
        self._scrub("")
        self.recycled = True
        return True

    def _scrub(self, folder: str) -> None:
        """Remove from the recycled folder whatever its manifest does not list: a stray file, a link, a pipe."""
        with os.scandir(os.path.join(self.path, folder)) as entries:
            for entry in entries:
                relative = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_dir(follow_symlinks=False):
                    self._scrub(relative)
                    try:
                        os.rmdir(entry.path)  # only when left empty
                    except OSError:
                        pass
                elif not (entry.is_file(follow_symlinks=False) and relative in self.present
                          or relative == ownership.MARKER):
                    os.unlink(entry.path)

    def keeps(self, relative: str, digest: str, data: bytes | None = None) -> bool:
        """Whether the recycled folder's file at `relative` can stay as it is; if not, its name is freed. Without
        `data` (a file the caller would link from the published bundle) only the published file's own inode is
        kept: linking it again costs less than reading, and the two bundles come to share it."""
        if relative not in self.present:
            return False
        path = self._prefix + relative  # a path `place` checked
        if self.present[relative] == digest:
            seen = signature(path)
            recorded = self.known.get(relative)
            if seen is not None and (seen == recorded or data is not None and _holds(path, data)):
                self.signatures[relative] = seen
                return True
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        return False

    def sweep(self) -> None:
        """Remove what a recycled folder holds that the new bundle does not, and the folders left empty."""
        emptied: set[str] = set()
        for relative in self.present.keys() - self.written.keys():
            try:
                os.unlink(os.path.join(self.path, relative))
            except FileNotFoundError:
                pass
            emptied.add(relative.rpartition("/")[0])
        for folder in sorted(emptied, key=lambda f: -f.count("/")):
            while folder:
                try:
                    os.rmdir(os.path.join(self.path, folder))
                except OSError:
                    break  # not empty (or already gone)
                folder = folder.rpartition("/")[0]
        self.present = {}

    def check_new(self, relative: str) -> None:
        """A path written twice or leaving the bundle is a bug. Only plain relative POSIX paths pass: no empty,
        `.` or `..` part, so no leading, doubled or trailing slash either."""
        parts = relative.split("/")
        if "" in parts or "." in parts or ".." in parts:
            raise ValueError(f"unsafe output path {relative!r}")
        if relative in self.written:
            raise ValueError(f"output path written twice: {relative}")

    def place(self, relative: str) -> str:
        """The file system path of a new output (checked by `check_new`), its folder made if it is not yet."""
        self.check_new(relative)
        folder = relative.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(os.path.join(self.path, folder), exist_ok=True)
            self._folders.add(folder)
        return self._prefix + relative

    def write(self, relative: str, data: bytes) -> str:
        """Write one file; returns its sha256. A path written twice or leaving the bundle is a bug."""
        digest = sha256(data)
        try:
            target = self.place(relative)
            if self.present and self.keeps(relative, digest, data):
                self.written[relative] = digest
                return digest
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, READ_ONLY)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fchmod(fd, READ_ONLY)  # whatever the umask
                st = os.fstat(fd)
            finally:
                os.close(fd)
        except OSError as error:
            raise BundleError(f"cannot write {self.path / relative}: {error.strerror or error}") from error
        self.written[relative] = digest
        self.signatures[relative] = signature_of(st)
        return digest

    def seal(self, manifest: Manifest) -> None:
        """Write the manifest last and flush everything to disk: the folder is now a complete bundle."""
        try:
            self.sweep()
        except OSError as error:
            raise BundleError(f"cannot clean {self.path}: {error.strerror or error}") from error
        self.write(MANIFEST, manifest.dump())
        try:
            _sync_tree(self.path)
        except OSError as error:
            raise BundleError(f"cannot flush {self.path}: {error.strerror or error}") from error

    def publish(self, manifest: Manifest, keep_spare: bool = False) -> None:
        """Seal and swap into place; with `keep_spare` the bundle it replaces becomes the spare."""
        self.seal(manifest)
        try:
            swap_into_place(self.path, self.out, self.spare_path if keep_spare else None)
            sync_folder(self.out.parent)  # the swap itself survives a power cut
        except OSError as error:
            raise BundleError(f"cannot publish into {self.out}: {error.strerror or error}") from error

    def discard(self) -> None:
        """Throw the staged tree away; a large one in the background, so an interrupted build exits at once."""
        if self.path.exists():
            remove(self.path)


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

    Only a dead process's leftovers go: a build running at the same time keeps its staging folder, and a folder
    a remover still works on (its lock held, see `remove`) is left to it. A large leftover is removed in the
    background like any old tree."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    for entry in sorted(folder.iterdir()):
        prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
        pid = re.split(r"[-.]", entry.name[len(prefix):])[-1] if prefix else ""  # the name ends in -<pid> or .<pid>
        if not pid.isdigit() or int(pid) == os.getpid() or alive(int(pid)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            try:
                lock = _lock(entry)
            except BlockingIOError:
                continue  # a remover started by that build still runs
            remove(entry, lock)
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


def spare_of(out: Path) -> Path:
    """Where the bundle published before `out`'s is kept for the next build to recycle: `.<out>.spare`."""
    return out.parent / f".{out.name}.spare"


def swap_into_place(staging: Path, out: Path, spare: Path | None = None) -> None:
    """Make `staging` the published `out` in one step; the old bundle is thrown away afterwards (`trash`), or
    kept as `spare` when there is none.

    With renameat2 the exchange is atomic: at every instant `out` is the complete old or the complete new
    bundle. Elsewhere two renames leave a moment with no `out` at all (never a mixed one)."""
    if not out.exists():
        os.replace(staging, out)
        return
    if _exchange(staging, out):
        try:
            if spare is not None and not os.path.lexists(spare):
                os.rename(staging, spare)
                return
            trash(staging, old_name(out))
        except OSError:  # the new bundle is published all the same; the staging name is known to remove_stale too
            remove(staging)
        return
    old = out.parent / old_name(out)
    os.replace(out, old)
    os.replace(staging, out)
    remove(old)


_serial = itertools.count(1)


def old_name(out: Path) -> str:
    """A name for `out`'s old tree beside it that `Staging` removes when this process is gone:
    `.<out>.old-<n>-<pid>` (n tells apart the old trees of one process whose removal may still run)."""
    return f".{out.name}.old-{next(_serial)}-{os.getpid()}"


# Old trees of at most this many entries are removed inline (deterministic, and no process to start): rmdir costs
# up to ~1 ms a folder on slow file systems, so 1,000 entries stay within about a second at worst, while starting
# the remover costs the build a few ms. A generated answer makes ~9 files and ~3 folders: a 2,000-answer bundle
# has 21,500 entries, the sample and test knowledge bases a few hundred.
DETACH_ABOVE = 1000

# The remover: stdlib only, no site packages, run from `/` so it holds no folder open. The folder's lock is the
# inherited descriptor, held until the process ends.
_REMOVER = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
_removers: list[subprocess.Popen[bytes]] = []  # kept so they are reaped, not reported as leaked


def trash(folder: Path, name: str) -> Path:
    """Throw a tree away without making the caller wait: renamed to `name` beside it (out of every reader's
    sight in one step, under a name `remove_stale` knows), then removed by `remove`. Returns the new path."""
    doomed = folder.parent / name
    os.rename(folder, doomed)
    remove(doomed)
    return doomed


def remove(doomed: Path, lock: int | None = None) -> None:
    """Remove a folder no reader looks at any more: inline when it is small, else in a detached process that
    outlives this one. The folder is locked (flock on its descriptor, `lock` if the caller took it already)
    while it is being removed, so a later build's `remove_stale` leaves a running remover alone and takes over
    from a killed one."""
    if lock is None:
        try:
            lock = _lock(doomed)
        except BlockingIOError:
            return  # another remover has it
    try:
        if lock is not None and _larger_than(doomed, DETACH_ABOVE) and _detach(doomed, lock):
            return
        shutil.rmtree(doomed, ignore_errors=True)
    finally:
        if lock is not None:
            os.close(lock)


def _lock(folder: Path) -> int | None:
    """An exclusive lock on `folder`, as an open descriptor; None when the folder cannot be opened (it is then
    removed unlocked). Raises BlockingIOError when another process holds it."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise
    except OSError:
        pass  # a file system without flock: remove it all the same
    return fd


def _larger_than(folder: Path, limit: int) -> bool:
    """Whether the tree under `folder` has more than `limit` entries; reads at most `limit` + 1 of them."""
    count = 0
    pending = [os.fspath(folder)]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    count += 1
                    if count > limit:
                        return True
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
        except OSError:
            continue
    return False


def _detach(doomed: Path, lock: int) -> bool:
    """Start the remover of `doomed` in its own session, holding `lock`; False when it cannot be started."""
    _removers[:] = [process for process in _removers if process.poll() is None]
    try:
        process = subprocess.Popen([sys.executable, "-I", "-S", "-c", _REMOVER, os.path.abspath(doomed)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   close_fds=True, pass_fds=(lock,), start_new_session=True, cwd="/")
    except (OSError, subprocess.SubprocessError):
        return False
    _removers.append(process)
    return True


def inputs_hash(files: Mapping[str, bytes]) -> str:
    """sha256 over every input the build read, by relative path, in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode("utf-8") + b"\0" + sha256(files[path]).encode("ascii") + b"\n")
    return digest.hexdigest()


def reuse_file(staging: Staging, relative: str, previous: Path, digest: str, known: int | None = None) -> str:
    """Put the previous bundle's unchanged file at `relative` in `staging`: hard-linked where the filesystem
    allows (the bundle is never written in place, so sharing the inode is safe), else copied. The caller
    vouches for `digest` (the previous manifest's hash of that file) and may pass the file's `signature`,
    which a hard link keeps."""
    try:
        target = staging.place(relative)
        if staging.present and staging.keeps(relative, digest):
            staging.written[relative] = digest
            return digest
        source = os.path.join(previous, relative)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
            os.chmod(target, READ_ONLY)
            known = None
    except OSError as error:
        raise BundleError(f"cannot reuse {previous / relative}: {error.strerror or error}") from error
    staging.written[relative] = digest
    staging.signatures[relative] = known if known is not None else signature(target) or 0
    return digest


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at `path` has exactly these bytes."""
    try:
        with open(path, "rb") as file:
            return file.read(len(data) + 1) == data
    except OSError:
        return False


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
