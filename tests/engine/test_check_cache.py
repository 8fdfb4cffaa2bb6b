"""`check --cache`: a build's cache spares `check` parsing the answers whose files did not change since that
build, and the findings are exactly those of a check that parses everything; check never writes the cache."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

import engine.incremental
from engine.check import run
from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 23)


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, Path]:
    kb = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb)
    cache = tmp_path / ".dist.cache"
    assert main(["build", "--kb", str(kb), "--out", str(tmp_path / "dist"), "--cache", str(cache), "--quiet",
                 "--as-of", AS_OF.isoformat()]) == 0
    return kb, cache


def test_check_of_one_edited_file_parses_only_that_file(built: tuple[Path, Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    kb, cache = built
    edited = kb / "billing" / "late-fees.md"
    edited.write_text(edited.read_text().replace("late fee", "late fee (x)", 1) + "\nA new closing line.\n")
    parsed: list[str] = []
    real = engine.incremental.load_answer

    def counting(path: Path, *args: object) -> object:
        parsed.append(path.name)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine.incremental, "load_answer", counting)
    before = sorted(p.stat().st_mtime_ns for p in cache.iterdir())
    with_cache = run(kb, AS_OF, files=[edited], progress=False, cache=cache)
    assert parsed == ["late-fees.md"]
    assert sorted(p.stat().st_mtime_ns for p in cache.iterdir()) == before  # read only
    without = run(kb, AS_OF, files=[edited], progress=False)
    assert with_cache.shown == without.shown and with_cache.answers == without.answers


def test_a_cache_from_other_facts_is_not_trusted(built: tuple[Path, Path]) -> None:
    kb, cache = built
    facts = kb / "_facts.yaml"
    facts.write_text(facts.read_text().replace("(800) 555-0100", "(800) 555-0109"))
    target = kb / "billing" / "high-bill.md"
    assert run(kb, AS_OF, files=[target], progress=False, cache=cache).shown == \
        run(kb, AS_OF, files=[target], progress=False).shown


def test_a_missing_or_damaged_cache_is_ignored(built: tuple[Path, Path], tmp_path: Path) -> None:
    kb, cache = built
    for record in cache.glob("*.pickle"):
        record.write_bytes(b"not a record")
    target = kb / "billing" / "high-bill.md"
    expected = run(kb, AS_OF, files=[target], progress=False).shown
    assert run(kb, AS_OF, files=[target], progress=False, cache=cache).shown == expected
    assert run(kb, AS_OF, files=[target], progress=False, cache=tmp_path / "nowhere").shown == expected


def test_the_cache_serves_however_the_knowledge_base_is_spelled(built: tuple[Path, Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Built with an absolute `--kb`, checked from the folder above it with a relative one: still reused, and
    every finding names the file as this run sees it."""
    kb, cache = built
    edited = kb / "billing" / "late-fees.md"
    edited.write_text(edited.read_text() + "\nA new closing line.\n")
    parsed: list[str] = []
    real = engine.incremental.load_answer

    def counting(path: Path, *args: object) -> object:
        parsed.append(path.name)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.chdir(kb.parent)
    monkeypatch.setattr(engine.incremental, "load_answer", counting)
    with_cache = run(Path("knowledge"), AS_OF, progress=False, cache=Path(".dist.cache"))
    assert parsed == ["late-fees.md"]
    monkeypatch.setattr(engine.incremental, "load_answer", real)
    without = run(Path("knowledge"), AS_OF, progress=False)
    assert [d.text() for d in with_cache.shown] == [d.text() for d in without.shown]
    assert with_cache.shown and all(d.path.startswith("knowledge/") for d in with_cache.shown)
