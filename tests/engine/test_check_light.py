"""`check FILE` with the parse store's light rows (engine/light.py) reports, for the named files, exactly what a
check that parses everything reports: duplicates against unchanged files, broken related links, translations,
and another answer's internal text leaking into the named file; only the answers it renders are opened whole."""
from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import engine.parse_store
from benchmarks.generate import generate
from engine.check import Checked, run
from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 23)
LEAKED = ("Set the customer's preferred language on the account while you have the interpreter on the line, so "
          "bills and shutoff notices go out in that language from now on.")


def _built(source: Path, folder: Path) -> tuple[Path, Path]:
    kb = folder / "knowledge"
    shutil.copytree(source, kb)
    cache = folder / ".dist.cache"
    assert main(["build", "--kb", str(kb), "--out", str(folder / "dist"), "--cache", str(cache), "--quiet",
                 "--as-of", AS_OF.isoformat()]) in (0, 1)
    assert (cache / engine.parse_store.FILE).is_file()
    return kb, cache


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _built(ROOT / "knowledge", tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("generated")
    generate(folder / "source", 60)
    return _built(folder / "source", folder)


def _copy(built: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    kb, cache = built
    shutil.copytree(kb, tmp_path / "knowledge")
    shutil.copytree(cache, tmp_path / ".dist.cache")
    return tmp_path / "knowledge", tmp_path / ".dist.cache"


def _front(path: Path, edit: Callable[[str], str]) -> None:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    path.write_text(f"---\n{edit(front)}---\n{body}", encoding="utf-8")


def _question(path: Path) -> str:
    found = re.search(r"^question: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert found
    return found.group(1)


def _compare(kb: Path, cache: Path, named: list[Path], monkeypatch: pytest.MonkeyPatch) -> Checked:
    opened: dict[str, list[str]] = {"full": [], "light": []}

    def counting(kind: str) -> Callable[..., object]:
        real = getattr(engine.parse_store.ParseStore, kind)

        def opening(self: engine.parse_store.ParseStore, name: str, key: str) -> object:
            opened[kind].append(name)
            return real(self, name, key)
        return opening

    for kind in opened:
        monkeypatch.setattr(engine.parse_store.ParseStore, kind, counting(kind))
    light = run(kb, AS_OF, files=named, progress=False, cache=cache)
    monkeypatch.undo()
    full = run(kb, AS_OF, files=named, progress=False)
    assert light.shown == full.shown
    assert light.elsewhere == full.elsewhere
    assert (light.answers, light.rendered) == (full.answers, full.rendered)
    # only what is rendered (and a rendered translation's source) is opened whole; every other answer came light
    assert len(opened["full"]) <= light.answers + 1
    assert len(opened["light"]) >= len(light.kb.answers) - light.answers - 2
    return light


def _codes(checked: Checked) -> set[str]:
    return {item.code for item in checked.shown}


def test_duplicate_id_and_question_of_an_unchanged_file(sample: tuple[Path, Path], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    kb, cache = _copy(sample, tmp_path)
    other = kb / "billing" / "late-fees.md"
    named = kb / "service" / sorted(p.name for p in (kb / "service").glob("*.md"))[0]
    question = _question(other)
    _front(named, lambda front: "id: billing/late-fees\n" + re.sub(r"^question: .*$", lambda _: f"question: {question}",
                                                                  front, count=1, flags=re.MULTILINE))
    checked = _compare(kb, cache, [named], monkeypatch)
    assert {"duplicate-id", "duplicate-question"} <= _codes(checked)


def test_broken_related_link(sample: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb, cache = _copy(sample, tmp_path)
    named = kb / "accessibility" / "interpreter-procedure.md"
    _front(named, lambda front: front.replace("related: [", "related: [billing/no-such-answer, ", 1))
    assert "unknown-related" in _codes(_compare(kb, cache, [named], monkeypatch))


def test_a_translation_and_its_source(sample: tuple[Path, Path], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    kb, cache = _copy(sample, tmp_path)
    translation = kb / "accessibility" / "language-help-es.md"
    translation.write_text(translation.read_text(encoding="utf-8") + "\nUna línea nueva al final.\n", encoding="utf-8")
    _compare(kb, cache, [translation], monkeypatch)
    source = kb / "accessibility" / "language-help.md"  # another answer relates to it: rendered from its light row
    source.write_text(source.read_text(encoding="utf-8") + "\nA new closing line.\n", encoding="utf-8")
    assert _compare(kb, cache, [source], monkeypatch).answers > 1


def test_internal_text_of_an_unchanged_answer_leaking_into_the_named_file(
        sample: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb, cache = _copy(sample, tmp_path)
    named = kb / "billing" / "late-fees.md"
    named.write_text(named.read_text(encoding="utf-8") + f"\n{LEAKED}\n", encoding="utf-8")
    assert "internal-leak" in _codes(_compare(kb, cache, [named], monkeypatch))


def test_a_generated_knowledge_base(generated: tuple[Path, Path], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    kb, cache = _copy(generated, tmp_path)
    files = sorted(kb.rglob("*.md"))
    named, other = files[-1], files[0]
    question = _question(other)
    _front(named, lambda front: re.sub(r"^question: .*$", lambda _: f"question: {question}", front, count=1,
                                       flags=re.MULTILINE).replace("related: [", "related: [nowhere/at-all, ", 1).replace(", ]", "]"))
    assert {"duplicate-question", "unknown-related"} <= _codes(_compare(kb, cache, [named], monkeypatch))


def test_unchanged_files_and_facts_are_not_read_again(sample: tuple[Path, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    kb, cache = sample  # the files the build read: their stat signatures are in the store
    named = kb / "billing" / "late-fees.md"
    read: list[str] = []
    real_read = Path.read_bytes

    def reading(self: Path) -> bytes:
        read.append(self.name)
        return real_read(self)

    facts_loaded: list[Path] = []
    real_facts = engine.incremental.load_facts

    def loading_facts(root: Path, *args: object) -> object:
        facts_loaded.append(root)
        return real_facts(root, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_bytes", reading)
    monkeypatch.setattr(engine.incremental, "load_facts", loading_facts)
    light = run(kb, AS_OF, files=[named], progress=False, cache=cache)
    monkeypatch.undo()
    assert [name for name in read if name.endswith(".md")] == []  # not even the named file: it is unchanged too
    assert facts_loaded == []
    assert light.shown == run(kb, AS_OF, files=[named], progress=False).shown
