"""`build`: load and check everything, render every channel, then write dist/ atomically with its manifest."""
from __future__ import annotations

import os
import sys
import time
from collections import Counter
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import channels as channel_registry
from engine import releases
from engine.bundle import AnswerEntry, BundleError, ChannelEntry, Manifest, Staging, inputs_hash
from engine.compile import Plan, index_files, load_channels, note_to_report, plan, problem_to_report, render_all
from engine.diagnostics import Report
from engine.knowledge import KnowledgeBase, display_path, load
from engine.select import view
from renderers import IndexEntry


@dataclass
class BuildResult:
    published: bool = False
    outputs: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    manifest: Manifest | None = None
    release: str | None = None


class Progress:
    """A one-line progress display on a terminal; silent when output is piped or under CI."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI") and total > 200
        self.last = 0.0

    def step(self, done: int) -> None:
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.1 or done == self.total):
            self.last = now
            print(f"\rrendering {done}/{self.total}", end="" if done < self.total else "\n", file=sys.stderr)


def read_inputs(kb_root: Path, channel_folder: Path) -> dict[str, bytes]:
    """Every file the build depends on, by a stable relative name (for the manifest's `inputs` hash)."""
    files: dict[str, bytes] = {}
    for base, prefix in ((kb_root, "knowledge"), (channel_folder, "channels")):
        for folder, dirs, names in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            for name in sorted(names):
                path = Path(folder) / name
                if name.startswith(".") or path.suffix == ".py" or path.suffix == ".pyc":
                    continue
                files[f"{prefix}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    return files


def build(kb_root: Path, out: Path, report: Report, *, as_of: date, only: tuple[str, ...] | None = None,
          jobs: int = 1, executor: Executor | None = None, keep: int | None = None) -> BuildResult:
    """Check, render and publish into `out`; with `keep`, as a new release of OUT/releases keeping the last
    `keep` (engine/releases.py)."""
    started = time.perf_counter()
    result = BuildResult()
    names = channel_registry.names()
    kb = load(kb_root, report, as_of=as_of, channels=names)
    loaded = load_channels(only or names, report)
    if report.has_errors():
        return result
    work = plan(kb, loaded, as_of)
    try:
        staging = releases.stage(out, release=keep is not None)
    except BundleError as error:
        report.add(display_path(out), 1, 1, "write-failed", str(error))
        return result
    try:
        manifest = _render_into(kb, work, staging, report, jobs, executor, result)
        if manifest is None or report.has_errors():
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
    result.published = True
    result.manifest = manifest
    result.seconds = time.perf_counter() - started
    return result


def _render_into(kb: KnowledgeBase, work: Plan, staging: Staging, report: Report, jobs: int,
                 executor: Executor | None, result: BuildResult) -> Manifest | None:
    answers: dict[str, AnswerEntry] = {}
    entries: dict[str, list[IndexEntry]] = {c.name: [] for c in work.channels}
    progress = Progress(len(kb.answers))
    for done, item in enumerate(render_all(kb.answers, work, jobs, executor), start=1):
        progress.step(done)
        answer = item.answer
        display = display_path(kb.root.parent / answer.source)
        channel_entries: dict[str, ChannelEntry] = {}
        for problem in item.problems:
            problem_to_report(problem, display, report)
        for channel, rendered in item.outputs:
            for note in rendered.notes:
                note_to_report(note, channel, display, report)
            if report.has_errors():
                continue  # keep collecting every problem, write nothing more
            hashes = {f"{channel}/{path}": staging.write(f"{channel}/{path}", data)
                      for path, data in sorted(rendered.files.items())}
            metrics = dict(rendered.metrics)
            metrics.setdefault("override", answer.override(channel) is not None)
            if rendered.notes:  # what the channel could not carry as written, e.g. a table read as a pointer
                metrics["fallbacks"] = ",".join(sorted({note.code for note in rendered.notes}))
            channel_entries[channel] = ChannelEntry(path=f"{channel}/{rendered.primary}", metrics=metrics,
                                                    files=hashes)
            result.outputs[channel] += 1
            ref = work.site.answers[answer.id]
            channel_spec = next(c for c in work.channels if c.name == channel)
            entries[channel].append(IndexEntry(ref, rendered.primary,
                                               view(answer, channel, channel_spec.internal, work.published[channel])))
        if channel_entries:
            answers[answer.id] = AnswerEntry(source=answer.source, hash=answer.hash, audience=answer.audience,
                                             channels=channel_entries)
    if report.has_errors():
        return None
    indexes: dict[str, str] = {}
    for channel, files in index_files(work, entries):
        for path, data in sorted(files.items()):
            indexes[f"{channel}/{path}"] = staging.write(f"{channel}/{path}", data)
    return Manifest(inputs=inputs_hash(read_inputs(kb.root, channel_registry.HERE)), answers=answers,
                    indexes=indexes)
