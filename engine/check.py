"""`check`, with a progress line on a terminal, and `check FILE…`: the whole knowledge base is loaded (ids,
questions and `related` links are checked across answers), but only the named answers and the answers that
list one of them in `related` are rendered and gated, and only their diagnostics are reported, with any error
in a file every answer depends on (facts, settings, synonyms, channel configs).

Naming a file that is not an answer (e.g. `_facts.yaml`) checks and reports the whole knowledge base: every
answer may depend on it.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import channels as channel_registry
from engine.compile import Channel, default_jobs, gate, load_channels
from engine.incremental import CachedLoader, _name
from engine.parse_store import ParseStore
from engine.diagnostics import Diagnostic, Report, Severity
from engine.knowledge import KnowledgeBase, Loaded, answer_files, load, load_answer
from engine.model import Answer
from engine.progress import MIN_TOTAL, Progress

MARKERS = ("_settings.yaml", "_facts.yaml")  # a folder holding one of these is a knowledge base


@dataclass
class Checked:
    """What one `check` found: everything, the part to show, and how much was rendered."""

    kb: KnowledgeBase
    report: Report
    shown: list[Diagnostic]
    rendered: int  # outputs gated
    answers: int  # answers gated (or, without rendering, that would have been)
    scope: str = "all"  # "all", or "files": only the named files and what depends on them
    elsewhere: list[Diagnostic] = field(default_factory=list)  # found but not shown (outside the named files)


def knowledge_base_of(path: Path) -> Path | None:
    """The nearest folder above `path` that holds a knowledge base's `_settings.yaml` or `_facts.yaml`."""
    for folder in Path(os.path.abspath(path)).parents:
        if any((folder / marker).is_file() for marker in MARKERS):
            return folder
    return None


def is_answer_file(path: Path, kb: Path) -> bool:
    """Whether `path` is one of the answer files the loader reads (not `_facts.yaml`, not a dot file)."""
    try:
        parts = Path(os.path.abspath(path)).relative_to(os.path.abspath(kb)).parts
    except ValueError:
        return False
    return path.suffix == ".md" and not any(part.startswith((".", "_")) for part in parts)


def run(kb_root: Path, as_of: date, *, files: Sequence[Path] = (), render: bool = True, jobs: int | None = None,
        progress: bool = True, cache: Path | None = None) -> Checked:
    """Check the knowledge base at `kb_root`; with `files` (inside it), report only on them (module docstring).
    `cache`: a build's cache folder, whose parse store is reused for files unchanged since (read only: check
    never writes it): with `files`, only the answers to render are opened whole, every other one comes from
    its light row, so checking one file of a large knowledge base neither parses nor unpickles the others."""
    report = Report()
    names = channel_registry.names()
    whole = not files or any(not is_answer_file(path, kb_root) for path in files)
    loader = _cached_loader(cache, None if whole else {_name(path, kb_root) for path in files})
    kb = _load(kb_root, report, as_of, names, progress, loader)
    if isinstance(loader, CachedLoader):
        kb.internal = loader.internal
    loaded = load_channels(names, report, settings=kb.settings)
    wanted = {_real(path) for path in files}
    answers = kb.answers if whole else _with_dependents(kb, wanted)
    if isinstance(loader, CachedLoader) and loader.light and not _make_whole(kb, loader, answers):
        return run(kb_root, as_of, files=files, render=render, jobs=jobs, progress=progress)  # a row went bad
    rendered = _gate(kb, loaded, as_of, report, answers, jobs or default_jobs(), progress) if render and kb.answers else 0
    if whole:
        return Checked(kb, report, report.items, rendered, len(answers), "files" if files else "all")
    paths = wanted | {_real(kb.root.parent / answer.source) for answer in answers}
    answer_paths = _AnswerPaths(kb)
    shown, elsewhere = [], []
    for item in report.items:
        real = _real(Path(item.path))
        kb_wide = item.severity is Severity.ERROR and real not in answer_paths
        (shown if real in paths or kb_wide else elsewhere).append(item)
    return Checked(kb, report, shown, rendered, len(answers), "files", elsewhere)


def _real(path: Path) -> str:
    return os.path.realpath(path)


class _AnswerPaths:
    """The real paths of the answer files (loaded or failed), worked out only if a kb-wide error asks."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.found: set[str] | None = None

    def __contains__(self, real: str) -> bool:
        if self.found is None:
            kb = self.kb
            self.found = {_real(kb.root.parent / a.source) for a in kb.answers} | {_real(Path(p)) for p in kb.failed.values()}
        return real in self.found


def _with_dependents(kb: KnowledgeBase, wanted: set[str]) -> list[Answer]:
    """The named answers and every answer whose `related` list names one of them (their quick replies and
    links show its question), in answer order. Only answers whose file has a named file's name are resolved
    to their real path."""
    stems = {os.path.basename(path) for path in wanted}
    named = {a.id for a in kb.answers
             if os.path.basename(a.source) in stems and _real(kb.root.parent / a.source) in wanted}
    named |= {answer_id for answer_id, display in kb.failed.items() if _real(Path(display)) in wanted}
    return [a for a in kb.answers if a.id in named or named.intersection(a.related)]


def _make_whole(kb: KnowledgeBase, loader: CachedLoader, answers: list[Answer]) -> bool:
    """Swap in the full parse of every light answer the gate renders or reads whole: the chosen answers and
    the source of each chosen translation (its parity check renders the source's view). The hash stays the
    one the checks across answers gave it (a translation's includes its source's). False if one is lost."""
    needed = {a.id for a in answers} | {a.translation_of for a in answers if a.translation_of}
    for index, answer in enumerate(kb.answers):
        if answer.id in needed and answer.id in loader.light:
            full = loader.whole(answer.id)
            if full is None:
                return False
            kb.answers[index] = replace(full, hash=answer.hash)
    for index, answer in enumerate(answers):
        answers[index] = next(a for a in kb.answers if a.id == answer.id) if answer.id in loader.light else answer
    return True


def _cached_loader(cache: Path | None, full: set[str] | None) -> Callable[..., Loaded | None]:
    if cache is None or not cache.is_dir():
        return load_answer
    return CachedLoader(ParseStore(cache), full)


def _load(root: Path, report: Report, as_of: date, names: tuple[str, ...], progress: bool,
          load_one: Callable[..., Loaded | None] = load_answer) -> KnowledgeBase:
    if not progress or not Progress(MIN_TOTAL).enabled:  # nowhere to show it: the files are not listed twice
        return load(root, report, as_of=as_of, channels=names, load_one=load_one)
    shown = Progress(len(answer_files(root)), "loading")
    count = 0

    def counted(*args: object) -> Loaded | None:
        nonlocal count
        try:
            return load_one(*args)
        finally:
            count += 1
            shown.step(count)

    if hasattr(load_one, "facts"):
        counted.facts = load_one.facts  # type: ignore[attr-defined]
    try:
        return load(root, report, as_of=as_of, channels=names, load_one=counted)
    finally:
        shown.close()


def _gate(kb: KnowledgeBase, loaded: list[Channel], as_of: date, report: Report, answers: Iterable[Answer],
          jobs: int, progress: bool) -> int:
    """`engine.compile.gate` for some of the answers, with a progress line; returns the outputs checked."""
    chosen = list(answers)
    shown = Progress(len(chosen) if progress else 0, "checking")
    try:
        return gate(kb, loaded, as_of, report, jobs, answers=chosen, step=shown.step)
    finally:
        shown.close()
