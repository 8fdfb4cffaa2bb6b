"""Recycling the spare: the bundle published before the current one is kept beside it (`.OUT.spare`, or
`releases/.next.spare`) and the next build brings it up to date in place, writing only what changed; the result
is always byte-identical to a cold build, whatever happened to the spare."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.bundle import spare_of
from engine.diagnostics import Report
from engine.publish import build
from engine.releases import RELEASES
from tests.engine.test_incremental import AS_OF, Builds, tree


def _step(text: str) -> str:
    return text.rstrip("\n") + f"\n\nAsk us any time ({text.count('Ask us')}).\n"


@pytest.fixture
def three(tmp_path: Path) -> Builds:
    """Two builds made: the first bundle is now the spare, the second is published."""
    builds = Builds(tmp_path)
    builds.incremental()
    builds.edit("billing/late-fees.md", _step)
    builds.incremental()
    assert (spare_of(builds.out) / "manifest.json").is_file()
    return builds


def test_a_recycled_spare_gets_only_the_changed_files_and_equals_a_cold_build(
        three: Builds, monkeypatch: pytest.MonkeyPatch) -> None:
    linked: list[str] = []
    opened: list[str] = []
    link, open_ = os.link, os.open

    def counting_link(source: str, target: str, *args: object, **kwargs: object) -> None:
        linked.append(target)
        link(source, target, *args, **kwargs)  # type: ignore[arg-type]

    def counting_open(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            opened.append(os.fspath(path))
        return open_(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    three.edit("outages/report-outage.md", _step)
    monkeypatch.setattr(os, "link", counting_link)
    monkeypatch.setattr(os, "open", counting_open)
    three.incremental()
    monkeypatch.undo()
    files = tree(three.out)
    changed = {name for name in files if "late-fees" in name or "report-outage" in name}
    written = {os.path.relpath(path, spare_of(three.out).parent / f".{three.out.name}.staging-{os.getpid()}")
               for path in linked + opened}
    assert len(files) > 40
    # late-fees changed in the last build (the spare still has its older version): linked from the published
    # bundle; report-outage changed now: written. No other answer's file is touched (index files and the
    # manifest, listed apart, are rewritten).
    assert written & files_of_answers(files)
    assert not (written & files_of_answers(files)) - changed
    cold, _ = three.cold()
    assert files == cold


def files_of_answers(files: dict[str, bytes]) -> set[str]:
    """The bundle's per-answer files, as its manifest lists them."""
    import json
    manifest = json.loads(files["manifest.json"])
    return {path for answer in manifest["answers"].values() for channel in answer["channels"].values()
            for path in channel["files"]}


def _rewrite(path: Path, data: bytes) -> None:
    mode = path.stat().st_mode
    path.chmod(0o644)
    with open(path, "r+b") as file:
        file.write(data)
        file.truncate()
    path.chmod(mode)


def test_a_file_altered_in_the_spare_is_replaced(three: Builds) -> None:
    spare = spare_of(three.out)
    victim = next(p for p in sorted((spare / "sms").rglob("*.txt")) if "late-fees" not in p.name)
    relative = victim.relative_to(spare).as_posix()
    published = (three.out / relative).read_bytes()
    _rewrite(victim, published.swapcase())  # the inode is shared with the published bundle: both change
    assert (three.out / relative).read_bytes() != published
    three.edit("outages/report-outage.md", _step)
    three.same_as_cold()


@pytest.mark.parametrize("damage", ["garbage manifest", "no manifest", "stray file"])
def test_a_damaged_spare_is_never_trusted(three: Builds, damage: str) -> None:
    spare = spare_of(three.out)
    manifest = spare / "manifest.json"
    manifest.chmod(0o644)
    if damage == "garbage manifest":
        manifest.write_text("{", encoding="utf-8")
    elif damage == "no manifest":
        manifest.unlink()
    else:
        (spare / "web" / "stray.html").write_text("<p>not ours</p>", encoding="utf-8")
    three.edit("outages/report-outage.md", _step)
    three.same_as_cold()


def test_a_release_build_recycles_a_pruned_release(tmp_path: Path) -> None:
    builds = Builds(tmp_path)
    out = tmp_path / "releases-dist"
    for step in range(4):
        if step:
            builds.edit("billing/late-fees.md", _step)
        assert build(builds.kb, out, Report(), as_of=AS_OF, jobs=1, keep=2).published
    assert (out / RELEASES / ".next.spare" / "manifest.json").is_file()
    cold, _ = builds.cold()
    assert tree(out / "current") == cold
