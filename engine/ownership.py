"""Which folders a build may write: the marker that proves a folder is the engine's, and the refusal of
`--out` and `--cache` values that would throw away something else (the knowledge base, the code, a checkout).

A build replaces its output folder whole, so the folder must be one the engine made. Every bundle, release
folder, release-layout output folder and cache folder it creates holds a `.one-answer` marker; a folder that
exists without one is refused unless it is empty, or was made by an engine from before the marker (a plain
bundle with a readable manifest, a release layout, a cache holding only cache files), which is then marked.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Literal

MARKER = ".one-answer"
Kind = Literal["bundle", "releases", "cache"]
_CODE_PACKAGES = ("engine", "renderers", "channels")
_CACHE_NAMES = ("stamp.json",)
_MANIFEST_HEAD = re.compile(rb'\A\{\s*"schema":\s*1,\s*"inputs":\s*"[0-9a-f]{64}"')  # how every manifest opens


def mark(folder: Path, kind: Kind) -> None:
    """Write the marker that makes `folder` the engine's own (of this kind)."""
    (folder / MARKER).write_text(json.dumps({"one-answer": kind}) + "\n", encoding="utf-8")


def marked(folder: Path) -> Kind | None:
    """The kind `folder`'s marker names, or None without a readable marker."""
    try:
        with open(folder / MARKER, "rb") as file:
            data = json.loads(file.read(256))
    except (OSError, ValueError):
        return None
    kind = data.get("one-answer") if isinstance(data, dict) else None
    return kind if kind in ("bundle", "releases", "cache") else None


def follow(out: Path) -> Path:
    """The folder a build of `out` writes: `out` itself, or where a symlinked `out` leads (so a link to a web
    root keeps working and its target is what is swapped), as an absolute path."""
    return Path(os.path.realpath(out)) if out.is_symlink() else Path(os.path.abspath(out))


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _repository_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or inner.is_relative_to(outer)


def _relation(target: Path, other: Path) -> str:
    return "is" if target == other else "holds" if other.is_relative_to(target) else "lies inside"


def protected_problem(target: Path, kb: Path, code_root: Path, what: str) -> str | None:
    """Why `target` (a real, absolute path) may not be replaced whole, or None: it is the filesystem root or
    the home folder, a file, or it is, holds or lies inside the knowledge base or the engine's code, or it is
    or holds the working directory or a repository root."""
    shown = f"{what} {target}"
    if target == Path(target.anchor) or target == _real(Path.home()):
        return f"{shown} is {'the filesystem root' if target == Path(target.anchor) else 'your home folder'}"
    if target.exists() and not target.is_dir():
        return f"{shown} is a file, not a folder"
    kb_real = _real(kb)
    if _within(target, kb_real) or _within(kb_real, target):
        return f"{shown} {_relation(target, kb_real)} the knowledge base ({kb_real})"
    for package in _CODE_PACKAGES:
        code = _real(code_root / package)
        if code.is_dir() and (_within(target, code) or _within(code, target)):
            return f"{shown} {_relation(target, code)} the engine's code ({code})"
    cwd = _real(Path.cwd())
    if _within(cwd, target):
        return f"{shown} {'is' if target == cwd else 'holds'} the working directory"
    for start in (cwd, kb_real):
        repository = _repository_root(start)
        if repository is not None and _within(repository, target):
            return f"{shown} {'is' if target == repository else 'holds'} the repository {repository}"
    if (target / ".git").exists():
        return f"{shown} is a repository root"
    return None


def out_problem(out: Path, kb: Path, code_root: Path, *, release: bool) -> str | None:
    """Why a build must not write into `out` (already `follow`ed), or None. Checked before any rendering."""
    problem = protected_problem(out, kb, code_root, "--out")
    if problem:
        return problem
    kind = marked(out) if out.is_dir() else None
    if out.is_dir() and kind is None and not _legacy_output(out) and _has_entries(out):
        return (f"--out {out} exists and was not made by one-answer (no {MARKER} marker in it); a build would "
                f"replace it whole: choose another --out, or empty it first")
    if kind == "cache":
        return f"--out {out} is a build cache, not an output folder"
    return None


def cache_problem(cache: Path, out: Path, kb: Path, code_root: Path) -> str | None:
    """Why `cache` must not be used as the build cache of `out`, or None."""
    target = Path(os.path.abspath(cache))
    if cache.is_symlink():
        return f"--cache {cache} is a symbolic link; give the folder itself"
    problem = protected_problem(target, kb, code_root, "--cache")
    if problem:
        return problem
    if _within(target, out) or _within(out, target):
        return f"--cache {cache} overlaps the output folder {out}"
    if target.is_dir() and marked(target) not in (None, "cache"):
        return f"--cache {cache} is an output folder, not a build cache"
    if target.is_dir() and marked(target) is None and _has_entries(target) and not _legacy_cache(target):
        return (f"--cache {cache} exists and was not made by one-answer (no {MARKER} marker in it): choose "
                f"another --cache, or empty it first")
    return None


def _has_entries(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(True for _ in entries)
    except OSError:
        return True


def _legacy_output(folder: Path) -> bool:
    """An output folder of an engine from before the marker: a bundle whose manifest reads as ours, or a
    release layout (a `current` link into `releases/`)."""
    current = folder / "current"
    if current.is_symlink() and os.readlink(current).startswith("releases/"):
        return True
    try:
        with open(folder / "manifest.json", "rb") as file:
            head = file.read(256)
    except OSError:
        return False
    return _MANIFEST_HEAD.match(head) is not None


def _legacy_cache(folder: Path) -> bool:
    """A cache of an engine from before the marker: nothing in it but cache records and their temporaries."""
    try:
        names = [entry.name for entry in os.scandir(folder)]
    except OSError:
        return False
    return all(name in _CACHE_NAMES or name.endswith(".pickle") or name.startswith(".") for name in names)
