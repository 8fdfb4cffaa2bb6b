"""No-op builds at a glance: a stat signature of everything a build depends on, saved by a published build.

Like git's index, the stamp trusts a file whose name, size, mtime, ctime, inode and mode are those it had when
the build read it, without reading it again. A file whose timestamps fall within `RACY_NS` of the moment its
stats were taken ("racy": it may change again within the same timestamp tick and keep every stat) is
content-checked instead: the stamp holds the sha256 of the bytes the build read, unless by the time the stamp
is made the file has outlived the window still holding those bytes (as git refreshes racily clean entries).
The code (`cache.code_files`),
the Python and cache versions, the build options, the output folder's layout and the published manifest's
sha256 complete the picture; anything different and the build takes its ordinary path.

Standard library only, and nothing heavy: `build.py build` asks it before importing the engine.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, Literal, Mapping

from engine import ownership
from engine.cache import CACHE_VERSION, CODE_ROOT, code_files, import_path, site_folders

FORMAT = 1
CHANNELS = CODE_ROOT / "channels"
# Wider than any timestamp tick a build meets: 2 s on FAT, 1 s on older file systems, a jiffy or so elsewhere.
RACY_NS = 2_000_000_000
# A stamp holds a few hundred bytes per input file: this bounds what a damaged or crafted one can make us read.
MAX_BYTES = 256 * 1024 * 1024
PRINT_FORMATS: tuple[Literal["text", "json", "github"], ...] = ("text", "json", "github")
_FILE = "stamp.json"

FileList = list[tuple[str, str]]  # (stable name, path)


def default_folder(out: Path) -> Path:
    """The cache of output folder `dist` is `.dist.cache` beside it (the stamp lives there too)."""
    return out.parent / f".{out.name}.cache"


def input_files(kb_root: Path, channel_folder: Path) -> Iterator[tuple[str, str, Path]]:
    """(stable name, path, base) of every file a build reads, in a stable order: the knowledge tree as
    `knowledge/...` and the channel folder as `channels/...`; hidden names, `__pycache__` and Python files are
    left out (the code is covered by `cache.code_files`)."""
    for base, prefix in ((kb_root, "knowledge"), (channel_folder, "channels")):
        top = os.fspath(base)
        for folder, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            inner = folder[len(top) + 1:].replace(os.sep, "/")
            stem = f"{prefix}/{inner}/" if inner else f"{prefix}/"
            for name in sorted(names):
                if name.startswith(".") or name.endswith((".py", ".pyc")):
                    continue
                yield stem + name, os.path.join(folder, name), base


def _files(kb_root: Path, channel_folder: Path | None, code_root: Path | None) -> FileList:
    """The inputs and the code (by default the channel folder and the code beside this module)."""
    found = [(name, path) for name, path, _ in input_files(kb_root, channel_folder or CHANNELS)]
    root = code_root or CODE_ROOT
    found += [(f"code/{path.relative_to(root).as_posix()}", os.fspath(path)) for path in code_files(root)]
    return found


def _lstat(path: str) -> os.stat_result:
    return os.lstat(path)


def _stats(path: str) -> tuple[str, int]:
    """A file's stat line (a link also by its target and what it leads to), and its newest timestamp."""
    try:
        st = _lstat(path)
    except OSError as error:
        return f"gone {error.errno}", 0
    line = f"{st.st_mode} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"
    newest = max(st.st_mtime_ns, st.st_ctime_ns)
    if stat.S_ISLNK(st.st_mode):
        try:
            target, to = os.readlink(path), os.stat(path)
        except OSError as error:
            return f"{line} -> broken {error.errno}", newest
        line += f" -> {target} {to.st_mode} {to.st_size} {to.st_mtime_ns} {to.st_ctime_ns} {to.st_ino}"
        newest = max(newest, to.st_mtime_ns, to.st_ctime_ns)
    return line, newest


def _content(path: str) -> str | None:
    """sha256 of a regular file's bytes; None for anything else (never read: a pipe would block)."""
    try:
        if not stat.S_ISREG(_lstat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _now_ns() -> int:
    return time.time_ns()


@dataclass(frozen=True)
class Snapshot:
    """The stat signature of a build's files, taken before the build reads them, and the racy ones."""

    signature: str
    racy: dict[str, str]  # name -> path, for files too young for their stats to be trusted

    def contents(self, read: Mapping[str, bytes]) -> dict[str, str | None]:
        """The racy files' sha256: of the bytes the build read (`read`, by name), or else of the file now.

        A file the build read that is no longer young and still holds the bytes the build read is left out:
        from now on any change to it moves its ctime (and a change since the snapshot that moved its stats
        already fails the signature)."""
        settled_before = _now_ns() - RACY_NS  # taken before looking again: a change after this moves the ctime
        found: dict[str, str | None] = {}
        for name, path in sorted(self.racy.items()):
            if name not in read:
                found[name] = _content(path)
                continue
            sha = hashlib.sha256(read[name]).hexdigest()
            if not (_stats(path)[1] < settled_before and _content(path) == sha):
                found[name] = sha
        return found


def _signature(files: FileList, since_ns: int | None) -> Snapshot:
    """With `since_ns` (when the stats began), the files whose timestamps come within RACY_NS of it are racy."""
    h = hashlib.sha256()
    racy: dict[str, str] = {}
    for name, path in files:
        line, newest = _stats(path)
        h.update(f"{name}\0{line}\n".encode("utf-8", "surrogateescape"))
        if since_ns is not None and newest >= since_ns - RACY_NS:
            racy[name] = path
    return Snapshot(h.hexdigest(), racy)


def snapshot(kb_root: Path, channel_folder: Path | None = None, code_root: Path | None = None) -> Snapshot:
    """Stats of every input and code file; take it BEFORE reading the inputs, so a file changed while the
    build runs never matches the stamp (its stats move on, or it is racy and its content is checked)."""
    since = _now_ns()
    return _signature(_files(kb_root, channel_folder, code_root), since)


def options(kb_root: Path, out: Path, as_of: date, only: Iterable[str] | None, release: bool,
            channel_folder: Path | None = None) -> dict[str, str]:
    """Everything besides the files that a build's output and report depend on."""
    return {"format": str(FORMAT), "cache": str(CACHE_VERSION), "python": sys.version, "import path": import_path(),
            "libraries": _site_stats(),
            "kb": str(kb_root.resolve()), "channels folder": str((channel_folder or CHANNELS).resolve()),
            "out": str(out.resolve()), "cwd": os.getcwd(), "as_of": as_of.isoformat(),
            "channels": ",".join(only or ("*",)), "release": str(release)}


def _site_stats() -> str:
    """The installed libraries at a glance: the stats of every site-packages folder on the import path, whose
    entries change when pip installs, upgrades or removes anything (cache.libraries is exact, but costs a
    no-op tens of milliseconds)."""
    lines = []
    for entry in site_folders():
        try:
            st = os.stat(entry)
        except OSError:
            continue
        lines.append(f"{entry} {st.st_mtime_ns} {st.st_ino}")
    return "\n".join(lines)


def _state(path: Path) -> str:
    """What is at `path`, without following a link: missing, a file, a folder, or a link and its target."""
    try:
        mode = os.lstat(path).st_mode
        return f"link {os.readlink(path)}" if stat.S_ISLNK(mode) else "folder" if stat.S_ISDIR(mode) else "file"
    except OSError:
        return "missing"


def _sha_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class Stamp:
    """A published build: what it depended on, the bundle it left, and what a no-op prints for it."""

    options: dict[str, str]
    signature: str
    racy: dict[str, str | None]  # name -> sha256 of the bytes the build read (None: never trusted)
    layout: dict[str, str]  # name in the output folder -> its state (`_state`) after publishing
    manifest: str  # the published manifest, relative to the output folder
    manifest_sha: str
    outputs: dict[str, int]  # outputs per channel
    printed: dict[str, str]  # the report's diagnostics, rendered in each of PRINT_FORMATS


def make(snap: Snapshot, read: Mapping[str, bytes], opts: dict[str, str], out: Path, watched: Iterable[str],
         manifest: str, manifest_sha: str, outputs: Mapping[str, int], printed: Mapping[str, str]) -> Stamp:
    """The stamp of a build that just published `manifest` (a path relative to `out`, sha256 `manifest_sha`);
    `watched` names the entries of `out` whose state decides which bundle is published."""
    return Stamp(opts, snap.signature, snap.contents(read), {name: _state(out / name) for name in sorted(watched)},
                 manifest, manifest_sha, dict(sorted(outputs.items())), dict(printed))


def save(folder: Path, stamp: Stamp) -> None:
    """Best effort, written whole or not at all (a temporary file renamed over the old stamp)."""
    path = folder / _FILE
    temporary = folder / f".{_FILE}.{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if ownership.marked(folder) is None:
            ownership.mark(folder, "cache")
        temporary.write_text(json.dumps(asdict(stamp), sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        forget(folder)
        try:
            temporary.unlink()
        except OSError:
            pass


def forget(folder: Path) -> None:
    try:
        (folder / _FILE).unlink()
    except OSError:
        pass


def load(folder: Path) -> Stamp | None:
    """The saved stamp, or None when there is none or it is not one this code wrote (damaged, another shape)."""
    try:
        with open(folder / _FILE, "rb") as file:
            if os.fstat(file.fileno()).st_size > MAX_BYTES:
                return None
            stamp = Stamp(**json.loads(file.read(MAX_BYTES + 1)))
    except (OSError, ValueError, TypeError, RecursionError):
        return None
    texts = (stamp.signature, stamp.manifest, stamp.manifest_sha, *stamp.layout.values(), *stamp.printed.values()) \
        if isinstance(stamp.layout, dict) and isinstance(stamp.printed, dict) else (None,)
    tables = (stamp.options, stamp.racy, stamp.outputs)
    if not all(isinstance(text, str) for text in texts) or not all(isinstance(table, dict) for table in tables):
        return None
    return stamp if set(PRINT_FORMATS) <= stamp.printed.keys() else None


def unchanged(folder: Path, kb_root: Path, out: Path, opts: dict[str, str], channel_folder: Path | None = None,
              code_root: Path | None = None) -> Stamp | None:
    """The stamp of the last published build, if nothing it depended on has changed since: same options,
    same layout and manifest in `out`, every file's stats the same and every racy file's content."""
    stamp = load(folder)
    if stamp is None or stamp.options != opts:
        return None
    if any(_state(out / name) != state for name, state in stamp.layout.items()):
        return None
    if _sha_of(out / stamp.manifest) != stamp.manifest_sha:
        return None
    files = _files(kb_root, channel_folder, code_root)
    if _signature(files, None).signature != stamp.signature:
        return None
    paths = dict(files)
    for name, sha in stamp.racy.items():
        if sha is None or name not in paths or _content(paths[name]) != sha:
            return None
    return stamp
