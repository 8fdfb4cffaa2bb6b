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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import channels as channel_registry
from engine.cache import Store
from engine.compile import Channel, default_jobs, gate, load_channels
from engine.incremental import CachedLoader
from engine.diagnostics import Diagnostic, Report, Severity
from engine.knowledge import KnowledgeBase, Loaded, answer_files, load, load_answer
from engine.model import Answer
from engine.progress import Progress

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
    `cache`: a build's cache folder, whose parsed answers are reused when their files are unchanged (read only:
    check never writes it), so checking one file of a large knowledge base does not parse every other one."""
    report = Report()
    names = channel_registry.names()
    kb = _load(kb_root, report, as_of, names, progress, _cached_loader(cache))
    loaded = load_channels(names, report, settings=kb.settings)
    wanted = {_real(path) for path in files}
    whole = not files or any(not is_answer_file(path, kb_root) for path in files)
    answers = kb.answers if whole else _with_dependents(kb, wanted)
    rendered = _gate(kb, loaded, as_of, report, answers, jobs or default_jobs(), progress) if render and kb.answers else 0
    if whole:
        return Checked(kb, report, report.items, rendered, len(answers), "files" if files else "all")
    paths = wanted | {_real(kb.root.parent / answer.source) for answer in answers}
    answer_paths = {_real(kb.root.parent / answer.source) for answer in kb.answers} | {_real(Path(p)) for p in kb.failed.values()}
    shown, elsewhere = [], []
    for item in report.items:
        real = _real(Path(item.path))
        kb_wide = real not in answer_paths and item.severity is Severity.ERROR
        (shown if real in paths or kb_wide else elsewhere).append(item)
    return Checked(kb, report, shown, rendered, len(answers), "files", elsewhere)


def _real(path: Path) -> str:
    return os.path.realpath(path)


def _with_dependents(kb: KnowledgeBase, wanted: set[str]) -> list[Answer]:
    """The named answers and every answer whose `related` list names one of them (their quick replies and
    links show its question), in answer order."""
    named = {a.id for a in kb.answers if _real(kb.root.parent / a.source) in wanted}
    named |= {answer_id for answer_id, display in kb.failed.items() if _real(Path(display)) in wanted}
    return [a for a in kb.answers if a.id in named or named.intersection(a.related)]


def _cached_loader(cache: Path | None) -> Callable[..., Loaded | None]:
    if cache is None or not cache.is_dir():
        return load_answer
    parses = Store(cache).load("parses")
    return CachedLoader(parses if isinstance(parses, dict) else None)


def _load(root: Path, report: Report, as_of: date, names: tuple[str, ...], progress: bool,
          load_one: Callable[..., Loaded | None] = load_answer) -> KnowledgeBase:
    if not progress:
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
