"""`verify`: check a published bundle against its manifest before a deploy job uploads it: every listed file
present with its sha256, nothing on disk the manifest does not list, no symlinks."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from engine.bundle import MANIFEST, Manifest
from engine.ownership import MARKER
from engine.releases import CURRENT, RELEASES, bundle_folder, current, is_release_layout, listing


@dataclass(frozen=True)
class Problem:
    path: str  # as the user would type it: DIST/web/a.html
    problem: str


@dataclass
class Verdict:
    bundle: str
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(dist: Path) -> Verdict:
    """Check the bundle `dist` names (a plain bundle, a release folder, or an OUT whose `current` names one;
    then every other release of that OUT too, each problem naming its release)."""
    folder = bundle_folder(dist)
    verdict = Verdict(bundle=str(folder))
    if folder != dist:
        _check_pointer(dist, verdict)
    elif is_release_layout(dist) and not (dist / MANIFEST).exists():
        verdict.problems.append(Problem(str(dist / CURRENT), "missing: no release is current"))
        return verdict
    _check_bundle(folder, verdict)
    if folder != dist:  # hard links share files between releases: a file changed in one may damage others
        for release_id in listing(dist):
            if release_id != current(dist):
                other = Verdict(bundle=str(dist / RELEASES / release_id))
                _check_bundle(dist / RELEASES / release_id, other)
                verdict.problems += [Problem(p.path, f"{p.problem} (release {release_id})") for p in other.problems]
    return verdict


def _check_bundle(folder: Path, verdict: Verdict) -> None:
    disk = _on_disk(folder, verdict)
    manifest = _read_manifest(folder, verdict)
    if manifest is None:
        return
    listed = _listed(manifest, verdict)
    for relative, digest in sorted(listed.items()):
        kind = disk.pop(relative, None)
        if kind is None:
            verdict.problems.append(Problem(_show(verdict, relative), "missing (listed in the manifest)"))
        elif kind == "file":
            actual = _sha256(folder / relative)
            if actual != digest:
                verdict.problems.append(Problem(_show(verdict, relative),
                                                f"sha256 mismatch: manifest {digest[:12]}, file {actual[:12]}"))
        verdict.files += 1
    disk.pop(MANIFEST, None)
    disk.pop(MARKER, None)
    for relative, kind in sorted(disk.items()):
        if kind == "file":
            verdict.problems.append(Problem(_show(verdict, relative), "stray file (not in the manifest)"))


def _show(verdict: Verdict, relative: str) -> str:
    return f"{verdict.bundle.rstrip('/')}/{relative}"


def _check_pointer(out: Path, verdict: Verdict) -> None:
    """`current` must be a relative link to releases/<id> inside OUT, never a path elsewhere."""
    if current(out) is None:
        target = os.readlink(out / CURRENT)
        verdict.problems.append(Problem(str(out / CURRENT),
                                        f"points to {target!r}, not to a release ({RELEASES}/<id>)"))
    elif not (out / CURRENT).is_dir():
        verdict.problems.append(Problem(str(out / CURRENT), f"points to {os.readlink(out / CURRENT)}, which is missing"))


def _on_disk(folder: Path, verdict: Verdict) -> dict[str, str]:
    """Every entry under `folder` that is not a directory: relative path -> "file", "symlink" or "special".
    Symlinks and special files are reported here, once, and never followed."""
    found: dict[str, str] = {}
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        for name in [*dirs, *names]:
            path = base / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[relative] = "symlink"
                target = os.readlink(path)
                escapes = not path.resolve().is_relative_to(folder.resolve())
                verdict.problems.append(Problem(
                    _show(verdict, relative),
                    f"symlink to {target!r} {'outside the bundle' if escapes else '(a bundle holds only files)'}"))
            elif name in names:
                found[relative] = "file" if path.is_file() else "special"
                if found[relative] == "special":
                    verdict.problems.append(Problem(_show(verdict, relative), "not a regular file"))
        dirs[:] = [d for d in dirs if not (base / d).is_symlink()]
    return found


def _read_manifest(folder: Path, verdict: Verdict) -> Manifest | None:
    path = folder / MANIFEST
    if path.is_symlink() or not path.is_file():
        if not path.is_symlink():
            verdict.problems.append(Problem(_show(verdict, MANIFEST), "missing: not a bundle, or not a complete one"))
        return None
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top)"
        verdict.problems.append(Problem(_show(verdict, MANIFEST), f"invalid: {where}: {first['msg']}"))
    except OSError as error:
        verdict.problems.append(Problem(_show(verdict, MANIFEST), f"unreadable: {error.strerror or error}"))
    return None


def _listed(manifest: Manifest, verdict: Verdict) -> dict[str, str]:
    """Every file the manifest lists (answer outputs and indexes), path -> sha256; unsafe paths are problems."""
    listed: dict[str, str] = {}
    for answer_id, entry in sorted(manifest.answers.items()):
        for channel, output in sorted(entry.channels.items()):
            if output.path not in output.files:
                verdict.problems.append(Problem(_show(verdict, MANIFEST),
                                                f"{answer_id} {channel}: {output.path} is not among its files"))
            listed.update(output.files)
    listed.update(manifest.indexes)
    for relative in [path for path in listed if not _safe(path)]:
        verdict.problems.append(Problem(_show(verdict, MANIFEST), f"unsafe path {relative!r} (leaves the bundle)"))
        del listed[relative]
    return listed


def _safe(relative: str) -> bool:
    pure = PurePosixPath(relative)
    return bool(pure.parts) and not pure.is_absolute() and ".." not in pure.parts and relative == pure.as_posix() \
        and relative != MANIFEST


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verdict_text(verdict: Verdict) -> str:
    lines = [f"{problem.path}: {problem.problem}" for problem in verdict.problems]
    count = len(verdict.problems)
    lines.append(f"{verdict.bundle}: {verdict.files} files checked, "
                 + ("ok" if verdict.ok else f"{count} problem{'s' * (count != 1)}"))
    return "\n".join(lines) + "\n"


def verdict_json(verdict: Verdict) -> dict[str, object]:
    return {"bundle": verdict.bundle, "ok": verdict.ok, "files": verdict.files,
            "problems": [{"path": p.path, "problem": p.problem} for p in verdict.problems]}
