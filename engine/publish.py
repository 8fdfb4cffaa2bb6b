"""`build`: load and check everything, render every channel, then write dist/ atomically with its manifest."""
from __future__ import annotations

import dataclasses
import gc
import time
from collections import Counter
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import channels as channel_registry
from engine import ownership, releases, stamp
from engine.bundle import (MANIFEST, AnswerEntry, BundleError, ChannelEntry, Manifest, Staging, inputs_hash, reuse_file,
                           sha256)
from engine.cache import CODE_ROOT
from engine.compile import IN_PROCESS, Plan, index_files, load_channels, plan, render_all, report_findings
from engine.consistency import Problem
from engine.diagnostics import Report, render
from engine.progress import Progress
from engine import report_card_page
from engine.incremental import Incremental, Session, UpToDate, build_key, up_to_date
from engine.knowledge import KnowledgeBase, display_path, load
from engine.source import refusal
from engine.model import Answer
from renderers import IndexEntry, Metric, Note


@dataclass
class BuildResult:
    published: bool = False
    up_to_date: bool = False  # nothing changed since the last build: nothing was rendered or written
    outputs: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    manifest: Manifest | None = None
    release: str | None = None
    held_back: dict[str, str] = field(default_factory=dict)  # with keep_going: answer id -> why it was held back


def read_inputs(kb_root: Path, channel_folder: Path, by_path: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """Every file the build depends on (`stamp.input_files`), by a stable relative name (for the manifest's
    `inputs` hash); `by_path` is filled with the same bytes by file system path, for the loader."""
    files: dict[str, bytes] = {}
    for name, path, base in stamp.input_files(kb_root, channel_folder):
        files[name] = _input_bytes(Path(path), base)
        if by_path is not None and not files[name].startswith(_MARKER):
            by_path[path] = files[name]
    return files


_MARKER = b"\0"  # starts what `_input_bytes` gives for a file it did not read


def _input_bytes(path: Path, base: Path) -> bytes:
    """A file's bytes; for one the loader refuses unread (a link out, a pipe) or cannot read, a marker saying
    so, which changes the inputs hash without reading it (the loader then reports the file)."""
    refused = refusal(path, base)
    if refused is not None:
        return _MARKER + f"refused:{refused[0]}".encode()
    try:
        return path.read_bytes()
    except OSError as error:
        return _MARKER + f"unreadable:{error.errno}".encode()


def build(kb_root: Path, out: Path, report: Report, *, as_of: date, only: tuple[str, ...] | None = None,
          jobs: int = 1, executor: Executor | None = None, keep: int | None = None,
          incremental: Incremental | None = None, keep_going: bool = False) -> BuildResult:
    """Check, render and publish into `out`; with `keep`, as a new release of OUT/releases keeping the last
    `keep` (engine/releases.py); with `incremental`, re-rendering only what changed since the last build.
    All or nothing, unless `keep_going`: then every answer that passes is published and an answer with an
    error is held back (its previously published version kept, if any), as long as every error belongs to an
    answer file."""
    try:
        return _build(kb_root, out, report, as_of=as_of, only=only, jobs=jobs, executor=executor, keep=keep,
                      incremental=incremental, keep_going=keep_going)
    finally:
        gc.unfreeze()  # see `gc.freeze` in _build: a caller that builds again must not keep this model forever


def _build(kb_root: Path, out: Path, report: Report, *, as_of: date, only: tuple[str, ...] | None,
           jobs: int, executor: Executor | None, keep: int | None, incremental: Incremental | None,
           keep_going: bool = False) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult()
    refused = ownership.out_problem(ownership.follow(out), kb_root, CODE_ROOT, release=keep is not None)
    if refused:
        report.add(display_path(out), 1, 1, "unsafe-out", f"{refused}; nothing was written")
        return result
    names = channel_registry.names()
    snap = stamp.snapshot(kb_root, channel_registry.HERE) if incremental is not None else None  # before reading
    read: dict[str, bytes] = {}
    reading = time.time_ns()
    files = read_inputs(kb_root, channel_registry.HERE, read if incremental is not None else None)
    inputs = inputs_hash(files)
    session = None
    if incremental is not None:
        key = build_key(inputs, out, as_of, only)
        last = up_to_date(incremental.folder, key, releases.bundle_folder(out))
        if last is not None:
            report.extend(last.diagnostics)
            result.published = result.up_to_date = True
            result.outputs = Counter(dict(last.outputs))
            result.seconds = time.perf_counter() - started
            _stamp(incremental, snap, files, kb_root, out, as_of, only, keep, last.manifest, report, result)
            return result
        stamp.forget(incremental.folder)
        session = Session(incremental)
        session.loader.given = read  # the answer files are read once, for the inputs hash and the parse
        session.loader.read_since = reading
    kb = load(kb_root, report, as_of=as_of, channels=names, load_one=session.loader if session else None)
    if session is not None:
        kb.internal = session.loader.internal  # the fresh parses' leak-index parts, made for their rows
    gc.freeze()  # the model lives to the end: the collector need not scan it again, nor forked workers copy it
    loaded = load_channels(only or names, report, settings=kb.settings)
    if report.has_errors():
        held = _held_at_load(kb, report) if keep_going else None
        if held is None:
            return result
        result.held_back.update(held)
        kb = dataclasses.replace(kb, answers=[a for a in kb.answers if a.id not in held])
    work = plan(kb, loaded, as_of)
    try:
        staging = releases.stage(out, release=keep is not None)
    except BundleError as error:
        report.add(display_path(out), 1, 1, "write-failed", str(error))
        return result
    try:
        previous = releases.bundle_folder(out)  # the published bundle unchanged outputs are taken from
        made = _outputs(kb, work, jobs, executor, session, previous)
        known = session.known if session is not None else {}
        staging.known = known
        manifest = _render_into(kb, work, staging, previous, report, made, result, inputs, keep_going, known)
        if manifest is None or (report.has_errors() and not result.held_back):
            staging.discard()
            return result
        result.release = releases.publish(staging, manifest, out, keep)
    except BundleError as error:
        staging.discard()
        report.add(display_path(out), 1, 1, "write-failed", f"{error}; the previous bundle is untouched")
        return result
    except BaseException:
        staging.discard()
        raise
    if session is not None and not result.held_back:  # a build with errors is never a no-op to repeat
        published = sha256(manifest.dump())
        session.save(UpToDate(build_key(inputs, out, as_of, only), published, tuple(report.items),
                              tuple(sorted(result.outputs.items()))), staging.signatures)
        _stamp(session.settings, snap, files, kb_root, out, as_of, only, keep, published, report, result)
    result.published = True
    result.manifest = manifest
    result.seconds = time.perf_counter() - started
    return result


def _stamp(incremental: Incremental, snap: stamp.Snapshot | None, files: Mapping[str, bytes], kb_root: Path,
           out: Path, as_of: date, only: tuple[str, ...] | None, keep: int | None, manifest_sha: str, report: Report,
           result: BuildResult) -> None:
    """Save what lets the next build of the same inputs see, from stats alone, that nothing changed."""
    assert snap is not None, "a build with a cache takes a snapshot"
    manifest = (releases.bundle_folder(out) / MANIFEST).relative_to(out).as_posix()
    opts = stamp.options(kb_root, out, as_of, only, keep is not None, channel_registry.HERE)
    printed = {fmt: render(report.items, fmt) for fmt in stamp.PRINT_FORMATS}
    watched = (MANIFEST, releases.CURRENT, releases.RELEASES)
    stamp.save(incremental.folder, stamp.make(snap, files, opts, out, watched, manifest, manifest_sha, result.outputs,
                                              printed))




@dataclass(frozen=True)
class Made:
    """One channel's output on its way into the bundle: bytes just rendered, or a previous file's hash."""

    channel: str
    primary: str
    files: tuple[tuple[str, bytes | str], ...]  # (path, bytes to write | sha256 of the previous file to reuse)
    metrics: Mapping[str, Metric]
    notes: tuple[Note, ...]
    index: object = None  # the channel's `index_entry` of the answer


def _outputs(kb: KnowledgeBase, work: Plan, jobs: int, executor: Executor | None, session: Session | None,
             out: Path) -> Iterator[tuple[Answer, list[Made], tuple[Problem, ...]]]:
    """Every answer's outputs in answer order: rendered now, or reused from the cache and the previous bundle."""
    render, reused = session.split(kb, work, out) if session is not None else (kb.answers, {})
    small = executor is None and len(render) <= IN_PROCESS  # a process pool costs more than it saves here
    fresh = render_all(render, work, 1 if small else jobs, executor) if render else iter(())
    for answer in kb.answers:
        entry = reused.get(answer.id)
        if entry is not None:
            yield answer, [Made(o.channel, o.primary, o.files, dict(o.metrics), o.notes, o.index)
                           for o in entry.outputs], entry.problems
            continue
        item = next(fresh)
        assert item.answer.id == answer.id, "render_all yields in answer order"
        if session is not None:
            session.rendered(item)
        yield answer, [Made(channel, r.primary, tuple(sorted(r.files.items())), r.metrics, r.notes,
                            item.index.get(channel)) for channel, r in item.outputs], item.problems


def _held_at_load(kb: KnowledgeBase, report: Report) -> dict[str, str] | None:
    """The answers `keep_going` holds back after loading (id -> the first error), or None when an error is not
    an answer file's own (facts, settings, a channel config): then nothing can be published."""
    displays = {display_path(kb.root.parent / a.source): a.id for a in kb.answers}
    displays.update({display: answer_id for answer_id, display in kb.failed.items()})
    held: dict[str, str] = {}
    for path in sorted(report.paths_with_errors()):
        if path not in displays:
            return None
        first = report.first_error_for(path)
        held[displays[path]] = f"{first.code}: {first.message}" if first else "errors"
    return held


def _carry(staging: Staging, previous: Path, held: Iterable[str]) -> dict[str, AnswerEntry]:
    """The previously published versions of held-back answers, their files put into the new bundle; an answer
    is carried only when each of its files still has the hash its manifest lists (none on a first build)."""
    try:
        published = Manifest.model_validate_json((previous / MANIFEST).read_bytes()).answers
    except (OSError, ValueError):
        return {}
    carried: dict[str, AnswerEntry] = {}
    for answer_id in held:
        old = published.get(answer_id)
        files = [item for entry in old.channels.values() for item in entry.files.items()] if old else []
        try:
            if not old or any(sha256((previous / relative).read_bytes()) != digest for relative, digest in files):
                continue
            for relative, digest in files:
                reuse_file(staging, relative, previous, digest)
        except OSError:
            continue
        carried[answer_id] = old
    return carried


def _render_into(kb: KnowledgeBase, work: Plan, staging: Staging, previous: Path, report: Report,
                 items: Iterator[tuple[Answer, list[Made], tuple[Problem, ...]]], result: BuildResult,
                 inputs: str, keep_going: bool = False, known: Mapping[str, int] | None = None) -> Manifest | None:
    answers: dict[str, AnswerEntry] = {}
    entries: dict[str, list[IndexEntry]] = {c.name: [] for c in work.channels}
    progress = Progress(len(kb.answers))
    for done, (answer, outputs, problems) in enumerate(items, start=1):
        progress.step(done)
        display = display_path(kb.root.parent / answer.source)
        channel_entries: dict[str, ChannelEntry] = {}
        errors_before = report.error_count
        accepted = report_findings(answer, display, problems,
                                   [(made.channel, note) for made in outputs for note in made.notes], report,
                                   complete=len(work.channels) == len(channel_registry.names()))
        if keep_going and report.error_count > errors_before:
            first = report.first_error_for(display)
            result.held_back[answer.id] = f"{first.code}: {first.message}" if first else "errors"
            continue
        for made in outputs:
            channel = made.channel
            if report.has_errors() and not keep_going:
                continue  # keep collecting every problem, write nothing more
            hashes = {f"{channel}/{path}": _put(staging, previous, f"{channel}/{path}", data, known or {})
                      for path, data in made.files}
            metrics = dict(made.metrics)
            metrics.setdefault("override", answer.override(channel) is not None)
            left_out = None
            if made.notes:  # what the channel could not carry as written, e.g. a table read as a pointer
                metrics["fallbacks"] = ",".join(sorted({note.code for note in made.notes}))
                left_out = [f"{note.code}: {note.message.removeprefix(f'{channel}: ')}" for note in made.notes]
            channel_entries[channel] = ChannelEntry(path=f"{channel}/{made.primary}", metrics=metrics, files=hashes,
                                                    left_out=left_out)
            result.outputs[channel] += 1
            entries[channel].append(IndexEntry(work.site.answers[answer.id], made.primary, made.index))
        if channel_entries:
            answers[answer.id] = AnswerEntry(source=answer.source, hash=answer.hash, audience=answer.audience,
                                             channels=channel_entries, accepted=list(accepted) or None)
    if report.has_errors() and not keep_going:
        return None
    answers.update(_carry(staging, previous, sorted(result.held_back)) if result.held_back else {})
    indexes: dict[str, str] = {}
    for channel, files in index_files(work, entries):
        for path, data in sorted(files.items()):
            indexes[f"{channel}/{path}"] = staging.write(f"{channel}/{path}", data)
    manifest = Manifest(inputs=inputs, answers=dict(sorted(answers.items())), indexes=indexes,
                        held_back=dict(sorted(result.held_back.items())) or None)
    if any(channel.name == report_card_page.CHANNEL for channel in work.channels):
        for path, data in report_card_page.files(manifest, kb, work).items():
            manifest.indexes[path] = staging.write(path, data)
    return manifest


def _put(staging: Staging, previous: Path, relative: str, data: bytes | str, known: Mapping[str, int]) -> str:
    if isinstance(data, bytes):
        return staging.write(relative, data)
    return reuse_file(staging, relative, previous, data, known.get(relative))
