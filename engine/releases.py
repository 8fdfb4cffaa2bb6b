"""Releases: each build a whole bundle under OUT/releases/<id>/, an atomically switched `current` pointer,
rollback to an earlier release, and pruning beyond the last N.

Layout (`build --release --out dist`):

    dist/current -> releases/20261123T153600Z-3f2a9c1b7d4e   (a relative symlink)
    dist/releases/20261123T153600Z-3f2a9c1b7d4e/manifest.json ...

The history is the release folders themselves: ids sort in time order, so "the release before current" needs
no other record that a killed build could leave out of step."""
from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine import ownership
from engine.bundle import MANIFEST, BundleError, Manifest, Staging, remove_stale, spare_of, sync_folder, trash

RELEASES = "releases"
CURRENT = "current"
DEFAULT_KEEP = 5
_ID = re.compile(r"^(\d{8}T\d{6}Z)-([0-9a-f]{12})$")
_STAMP = "%Y%m%dT%H%M%SZ"
_NEXT = "next"  # the staging folder is releases/.next.staging-<pid>
_PRUNING = ".pruning-"  # a release being removed is first renamed out of the list: releases/.pruning-<id>-<pid>


def is_release_layout(out: Path) -> bool:
    return (out / CURRENT).is_symlink() or (out / RELEASES).is_dir()


def layout_problem(out: Path, release: bool) -> str | None:
    """Why a build of this kind must not write into `out`, or None. A folder is plain or releases, never both."""
    if release and (out / MANIFEST).exists():
        return (f"{out} holds a plain bundle (manifest.json); build releases into another --out, "
                f"or remove {out} first")
    if not release and is_release_layout(out):
        return f"{out} holds releases ({out / CURRENT}); build with --release, or choose another --out"
    return None


def bundle_folder(path: Path) -> Path:
    """The bundle a path names: `path` itself, or the release its `current` pointer names."""
    if not (path / MANIFEST).exists() and (path / CURRENT).is_symlink():
        return path / CURRENT
    return path


def listing(out: Path) -> list[str]:
    """Release ids, oldest first (dot-named staging and pruning leftovers are not releases)."""
    folder = out / RELEASES
    if not folder.is_dir():
        return []
    return sorted(entry.name for entry in folder.iterdir()
                  if _ID.match(entry.name) and entry.is_dir() and not entry.is_symlink())


def current(out: Path) -> str | None:
    """The id `current` points to, or None when there is no well-formed pointer."""
    try:
        target = os.readlink(out / CURRENT)
    except OSError:
        return None
    parts = target.split("/")
    if len(parts) == 2 and parts[0] == RELEASES and _ID.match(parts[1]):
        return parts[1]
    return None


def previous(out: Path, release_id: str) -> str | None:
    """The release made just before `release_id` (what rollback goes to)."""
    earlier = [other for other in listing(out) if other < release_id]
    return earlier[-1] if earlier else None


def new_id(out: Path, inputs: str, now: datetime | None = None) -> str:
    """`YYYYMMDDTHHMMSSZ-<inputs hash>`: sortable by time and unique in OUT. A build in the same second as the
    newest release (or with a clock that went back) takes the second after it, so the order stays the order of
    the builds."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0, tzinfo=None)
    newest = listing(out)
    if newest:
        last = datetime.strptime(_ID.match(newest[-1]).group(1), _STAMP)  # type: ignore[union-attr]
        moment = max(moment, last + timedelta(seconds=1))
    return f"{moment.strftime(_STAMP)}-{inputs[:12]}"


def stage(out: Path, release: bool) -> Staging:
    """The staging folder of a new bundle: beside `out` (plain) or inside OUT/releases (release)."""
    problem = layout_problem(out, release)
    if problem:
        raise BundleError(problem)
    if not release:
        return Staging(out, recycle=True)
    try:
        (out / RELEASES).mkdir(parents=True, exist_ok=True)
        if ownership.marked(out) is None:
            ownership.mark(out, "releases")
    except OSError as error:
        raise BundleError(f"cannot create {out / RELEASES}: {error.strerror or error}") from error
    remove_stale(out / RELEASES, (_PRUNING,))
    remove_stale(out, (f".{CURRENT}.",))
    return Staging(out / RELEASES / _NEXT, recycle=True)


def publish(staging: Staging, manifest: Manifest, out: Path, keep: int | None) -> str | None:
    """Publish a staged bundle: swapped in place (keep None), or as a new release made current and the old
    releases pruned. Returns the new release id."""
    if keep is None:
        staging.publish(manifest, keep_spare=True)
        return None
    staging.seal(manifest)
    release_id = _move_in(staging, out, manifest.inputs)
    try:
        switch(out, release_id)
    except OSError as error:
        try:
            _remove(out / RELEASES / release_id)  # never current: the previous release stays as it was
        except OSError:
            pass  # a complete release that is not current is harmless; pruning removes it later
        raise BundleError(f"cannot switch {out / CURRENT} to {release_id}: {error.strerror or error}; "
                          f"the previous release stays current") from error
    prune(out, keep)
    return release_id


def _move_in(staging: Staging, out: Path, inputs: str) -> str:
    """Rename the sealed staging folder to its release id (a rename onto an existing release fails, so two builds
    in the same second never share a folder)."""
    for _ in range(5):
        release_id = new_id(out, inputs)
        try:
            os.rename(staging.path, out / RELEASES / release_id)
        except FileExistsError:
            continue
        except OSError as error:
            if error.errno == 39:  # ENOTEMPTY: the same id was taken a moment ago
                continue
            raise BundleError(f"cannot move the new release into {out / RELEASES}: {error.strerror or error}") \
                from error
        sync_folder(out / RELEASES)
        return release_id
    raise BundleError(f"cannot find a free release id in {out / RELEASES}")


def switch(out: Path, release_id: str) -> None:
    """Point `current` at a release in one step: a new symlink beside it renamed over it."""
    temporary = out / f".{CURRENT}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(f"{RELEASES}/{release_id}", temporary)
    try:
        os.replace(temporary, out / CURRENT)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(out)


def protected(out: Path) -> set[str]:
    """Releases pruning never removes: the current one and the one rollback would go to."""
    now = current(out)
    if now is None:
        return set()
    before = previous(out, now)
    return {now} | ({before} if before else set())


def prune(out: Path, keep: int) -> list[str]:
    """Remove releases beyond the newest `keep`, never current nor its rollback target. Each is renamed out of
    the list first, so a kill halfway never leaves a half-deleted release that rollback could pick."""
    ids = listing(out)
    spared = set(ids[-keep:]) | protected(out)
    removed = [release_id for release_id in ids if release_id not in spared]
    spare = spare_of(out / RELEASES / _NEXT)  # the next build recycles one pruned release (see Staging)
    for release_id in removed:
        try:
            if not os.path.lexists(spare):
                os.rename(out / RELEASES / release_id, spare)
                continue
            _remove(out / RELEASES / release_id)
        except OSError:
            continue  # the new release is already current; the next build tries again
    return removed


def _remove(folder: Path) -> None:
    """Rename a release out of the list, then remove it (a whole release: usually in the background)."""
    trash(folder, f"{_PRUNING}{folder.name}-{os.getpid()}")


def rollback_target(out: Path, to: str | None) -> str:
    """The release rollback switches to: `to`, or the one made just before current. Raises ValueError."""
    ids = listing(out)
    now = current(out)
    if to is not None:
        if to not in ids:
            raise ValueError(f"no release {to} in {out / RELEASES} (see `build.py releases`)")
        return to
    if now is None:
        raise ValueError(f"{out / CURRENT} does not point to a release")
    before = previous(out, now)
    if before is None:
        raise ValueError(f"no release before {now} to roll back to")
    return before
