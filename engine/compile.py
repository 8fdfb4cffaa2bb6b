"""Compile a loaded knowledge base: channel configs, per-channel views, rendering (in parallel), indexes."""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Iterator, Mapping, TypeVar

from pydantic import BaseModel, ValidationError

import channels as channel_registry
from engine import contract
from engine.acceptance import Finding, sort_findings
from engine.consistency import InternalIndex, Problem, check_output, check_together, line_tokens
from engine.diagnostics import Report, Severity, did_you_mean
from engine.knowledge import KnowledgeBase, display_path
from engine import notices
from engine.feedback import AnswerFeedback, summarise
from engine.locales import parity
from engine.model import Answer, Paragraph
from engine.notices import Notice
from engine.readers import Reading, read_parts
from engine.select import View, publishes, view
from engine.factbook import Settings
from engine.source import plain, read_text, read_yaml
from renderers import AnswerRef, IndexEntry, Note, Rendered, Site


@dataclass(frozen=True)
class Channel:
    name: str
    config: BaseModel
    internal: bool


def load_channels(names: tuple[str, ...], report: Report, folder: Path = channel_registry.HERE,
                  settings: Settings | None = None) -> list[Channel]:
    """Each channel's config: the engine's defaults (`channels/<name>.yaml`) with the knowledge base's own
    options (`_settings.yaml`, `channels: {<name>: {...}}`) merged over them, validated by the renderer's own
    model; each problem located in the file that wrote the value."""
    own = _own_options(names, report, folder, settings)
    loaded: list[Channel] = []
    for name in names:
        path = folder / f"{name}.yaml"
        display = display_path(path)
        try:
            module = contract.load(name)
        except contract.ContractError as error:
            report.add(display, 1, 1, "invalid-channel", str(error),
                       hint="see the channel contract in engine/contract.py")
            continue
        except ImportError:
            report.add(display, 1, 1, "no-renderer", f"channel `{name}` has no renderer module renderers/{name}.py")
            continue
        source = read_text(path, display, report)
        doc = read_yaml(source.text, display, 1, report) if source else None
        if doc is None:
            continue
        data = merged(plain(doc.data or {}), own.get(name, {}))
        try:
            config = module.config.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                loc = tuple(item["loc"])
                extra = item["type"] == "extra_forbidden"
                if settings is not None and _holds(own.get(name, {}), loc):
                    where = settings.where("channels", name, *loc, key=extra)
                else:
                    where = (display, *doc.where(*loc, key=extra))
                hint = did_you_mean(str(loc[-1]), module.config.model_fields) if extra else None
                report.add(*where, "invalid-config", f"`{'.'.join(map(str, loc))}`: {item['msg']}", hint=hint)
            continue
        loaded.append(Channel(name, config, bool(getattr(config, "internal", False))))
    if settings is not None and "base_url" not in own.get("web", {}):
        report.warn(*settings.where(), "default-base-url",
                    f"links to the full answer use the engine's sample address "
                    f"{channel_registry.raw('web', folder).get('base_url', '')}: this knowledge base does not set its own",
                    hint="add `channels: {web: {base_url: https://your.site/help}}` to _settings.yaml")
    return loaded


_ENGINE_ONLY = ("internal", "description", "opt_in")  # what a channel is, not how it looks: the engine's files decide


def _own_options(names: tuple[str, ...], report: Report, folder: Path,
                 settings: Settings | None) -> dict[str, dict[str, object]]:
    """The knowledge base's options per channel, those it may not set reported and left out."""
    if settings is None:
        return {}
    known = channel_registry.names(folder)
    own: dict[str, dict[str, object]] = {}
    for name, options in settings.channels.items():
        if name not in known:
            report.add(*settings.where("channels", name, key=True), "invalid-settings",
                       f"`channels.{name}`: no channel is called `{name}`",
                       hint=did_you_mean(name, known) or "channels: " + ", ".join(known))
            continue
        for key in _ENGINE_ONLY:
            if key in options:
                report.add(*settings.where("channels", name, key, key=True), "invalid-settings",
                           f"`channels.{name}.{key}` cannot be set by a knowledge base: whether a channel may show "
                           "internal notes, or is opt-in, is the engine's to decide", hint=f"remove `{key}`")
        own[name] = {key: value for key, value in options.items() if key not in _ENGINE_ONLY}
    return own


def merged(base: dict[str, object], over: Mapping[str, object]) -> dict[str, object]:
    """`over` on top of `base`: mappings merge key by key (a topic title added keeps the others), anything
    else is replaced."""
    result = dict(base)
    for key, value in over.items():
        below = result.get(key)
        result[key] = merged(below, value) if isinstance(below, dict) and isinstance(value, Mapping) else value
    return result


def _holds(options: Mapping[str, object], loc: tuple[object, ...]) -> bool:
    """Whether the key path `loc` (or its first part) was written in `options`."""
    return bool(loc) and loc[0] in options


def site_of(kb: KnowledgeBase, loaded: list[Channel], as_of: date | None = None) -> Site:
    web = next((c for c in loaded if c.name == "web"), None)
    default = kb.settings.channels.get("web", {}).get("base_url") or channel_registry.raw("web").get("base_url", "")
    base_url = str(getattr(web.config, "base_url", "")) if web else str(default)
    refs = {a.id: AnswerRef(a.id, a.question, a.topic, a.hash) for a in kb.answers}
    return Site(kb.settings.name, kb.settings.language, base_url.rstrip("/"), refs, kb.settings.locale, as_of,
                kb.synonyms.groups, versions(kb))


@dataclass(frozen=True)
class Plan:
    """What to render: for each channel, the ids published on it as of the build day; what the gate needs."""

    channels: tuple[Channel, ...]
    site: Site
    published: dict[str, frozenset[str]]
    as_of: date
    internal: InternalIndex
    notices: Mapping[str, Paragraph] = field(default_factory=dict)  # answer id -> its active notice
    every_notice: tuple[Notice, ...] = ()  # all of `_notices.yaml`, for the gate's "and no other" check
    feedback: Mapping[str, AnswerFeedback] = field(default_factory=dict)  # answer id -> its feedback summary
    sources: Mapping[str, Answer] = field(default_factory=dict)  # id -> an answer that has translations


def plan(kb: KnowledgeBase, loaded: list[Channel], as_of: date) -> Plan:
    published = {
        c.name: frozenset(a.id for a in kb.answers if publishes(a, c.name, c.internal, as_of)) for c in loaded
    }
    translated = {a.translation_of for a in kb.answers if a.translation_of}
    return Plan(tuple(loaded), site_of(kb, loaded, as_of), published, as_of, InternalIndex.of(kb.answers, kb.internal),
                kb.notices.active(as_of), kb.notices.items,
                summarise(kb.feedback, {a.id: a.hash for a in kb.answers}, as_of),
                {a.id: a for a in kb.answers if a.id in translated})


@dataclass(frozen=True)
class AnswerOutputs:
    answer: Answer
    outputs: tuple[tuple[str, Rendered], ...]  # (channel, rendered), in channel order
    problems: tuple[Problem, ...]  # what the consistency gate found in these outputs
    vocabulary: frozenset[str] = frozenset()  # every token a customer meets in them (incremental leak checks)
    index: Mapping[str, object] = field(default_factory=dict)  # channel -> its `index_entry` of this answer


def render_answer(answer: Answer, work: Plan) -> AnswerOutputs:
    """Render one answer on every channel it is published to, then read each output back through the gate.

    Customer channels render first, so a renderer that sets `USES_OUTPUTS = True` (the reference site) gets
    this answer's finished customer outputs as `outputs=`; the result stays in channel order."""
    rendered_by: dict[str, Rendered] = {}
    problems: dict[str, list[Problem]] = {}
    vocabulary: set[str] = set()
    entries: dict[str, object] = {}
    customer: list[tuple[View, Reading]] = []  # this answer on every customer channel, for `check_together`
    site = answer_site(answer, work.site)
    # A translation's outputs are read back under its own language's rules (decimal comma, "US$", Spanish day
    # names), not the knowledge base's: what its renderers wrote in `site.locale` is read in it too.
    reading_locale = site.locale
    for channel in sorted(work.channels, key=lambda c: c.internal):
        if answer.id not in work.published[channel.name]:
            continue
        module = contract.load(channel.name)
        channel_view = view(answer, channel.name, channel.internal, work.published[channel.name],
                            work.notices.get(answer.id) if module.carries_notices else None)
        extra = {"outputs": MappingProxyType(dict(rendered_by))} if module.uses_outputs else {}
        if module.uses_feedback:  # the reference site shows the answer's feedback
            extra["feedback"] = work.feedback.get(answer.id)  # type: ignore[assignment]
        try:
            rendered = module.render(channel_view, channel.config, site, **extra)
            entries[channel.name] = index_entry(channel, channel_view, site)
        except Exception as error:  # a renderer bug: reported against the answer, the other channels go on
            problems[channel.name] = [_failure("render-failed", channel.name, "renderer", error, channel_view)]
            continue
        rendered_by[channel.name] = rendered
        try:
            parts = read_parts(rendered.primary, rendered.files[rendered.primary], reading_locale,
                               module.reader_for(rendered.primary))
        except Exception as error:  # no reader for the output, or a reader that fails on it
            problems[channel.name] = [_failure("reader-failed", channel.name, "reader", error, channel_view)]
            continue
        index = InternalIndex() if channel.internal else work.internal
        declared = {note.code for note in rendered.notes}
        problems[channel.name] = list(notices.over_budget(channel_view, rendered.notes))
        for number, (part, reading) in enumerate(parts):
            reading, noticed = notices.separate(channel_view, reading, work.every_notice, reading_locale)
            parts[number] = (part, reading)
            lines = line_tokens(reading, reading_locale)
            found = check_output(channel_view, reading, work.site.base_url, index, reading_locale, lines,
                                 declared, with_steps=module.states == "answer") + noticed
            problems[channel.name].extend(replace(p, message=f"{p.message} (in the {part} part)") if part else p
                                          for p in found)
            if not channel.internal:
                vocabulary.update(token for line in lines for token in line)
        if not channel.internal and module.states == "answer":  # a teaser (a social post) leaves facts to its link
            customer.append((channel_view, parts[0][1]))
        source = work.sources.get(answer.translation_of or "")
        if source is not None and not channel.internal:
            problems[channel.name].extend(_parity(source, channel, channel_view, parts[0][1], work))
    for problem in check_together(customer, work.site.base_url, reading_locale):
        problems[problem.channel].append(problem)
    order = [c.name for c in work.channels if c.name in rendered_by]
    return AnswerOutputs(answer, tuple((name, rendered_by[name]) for name in order),
                         tuple(problem for c in work.channels for problem in problems.get(c.name, ())),
                         frozenset(vocabulary), {name: entries[name] for name in order if name in entries})


def answer_site(answer: Answer, site: Site) -> Site:
    """The site as one answer's renderers see it: an answer in its own language (a translation) writes facts in
    that language's forms (renderers/plain_facts.py), and its outputs are read back in them."""
    if not answer.language or answer.language == site.locale.language:
        return site
    return replace(site, locale=replace(site.locale, language=answer.language))


def versions(kb: KnowledgeBase) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Each answer that has other language versions, with them: a source with its translations, a
    translation with its source and the other translations."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for answer in kb.answers:
        if answer.translation_of:
            groups.setdefault(answer.translation_of, []).append((answer.language, answer.id))
    known = {a.id: a for a in kb.answers}
    out: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for source_id, translations in sorted(groups.items()):
        if source_id not in known:
            continue
        members = [(known[source_id].language or kb.settings.language, source_id), *sorted(translations)]
        out += [(member, tuple(m for m in members if m[1] != member)) for _, member in members]
    return tuple(sorted(out))


def _parity(source: Answer, channel: Channel, translation_view: View, reading: Reading, work: Plan) -> list[Problem]:
    """A translation against its source on one channel (engine/locales.py): the source rendered and read again."""
    if source.id not in work.published[channel.name]:
        return []
    module = contract.load(channel.name)
    source_view = view(source, channel.name, channel.internal, work.published[channel.name])
    try:
        rendered = module.render(source_view, channel.config, work.site)
        source_reading = read_parts(rendered.primary, rendered.files[rendered.primary], work.site.locale,
                                    module.reader_for(rendered.primary))[0][1]
    except Exception:  # the source's own check reports its failure
        return []
    return parity(channel.name, source_view, source_reading, translation_view, reading, work.site.base_url,
                  work.site.locale)


def _failure(code: str, channel: str, what: str, error: Exception, channel_view: View) -> Problem:
    """A renderer or reader that raised, as a gate problem on the answer instead of a traceback."""
    detail = str(error).strip() or type(error).__name__
    return Problem(code, channel, f"{channel}: the {what} failed on this answer ({type(error).__name__}: {detail}); "
                   "nothing was published for it on this channel", channel_view.short_answer.line)


def index_entry(channel: Channel, channel_view: View, site: Site) -> object:
    """What the channel's index needs of this answer (`index_entry` in renderers/__init__.py), or None."""
    make = contract.load(channel.name).index_entry
    return make(channel_view, channel.config, site) if make is not None else None


T = TypeVar("T")
R = TypeVar("R")
_WORKER_PLAN: Plan | None = None


def _init_worker(work: Plan) -> None:
    global _WORKER_PLAN
    _WORKER_PLAN = work
    # Ctrl-C reaches the whole process group: only the main process acts on it (it stops the workers); a
    # worker interrupted mid-task would break the pool's bookkeeping and could leave shutdown waiting forever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """End a pool at once (an interrupt or an error in the caller): queued work is dropped and the workers are
    terminated instead of finishing their batches."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # the executor offers no public handle
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=1)


def _render_batch_in_worker(answers: list[Answer]) -> list[AnswerOutputs]:
    assert _WORKER_PLAN is not None
    return [render_answer(answer, _WORKER_PLAN) for answer in answers]


def _render_batch(answers: list[Answer], work: Plan) -> list[AnswerOutputs]:
    return [render_answer(answer, work) for answer in answers]


def _shared(executor: Executor, work: Plan) -> object:
    """The plan as each task should carry it: sent once to every worker of a Dask cluster (a task then names
    it), and with each batch on any other executor."""
    client = getattr(executor, "_client", None)  # distributed.client.ClientExecutor
    scatter = getattr(client, "scatter", None)
    return scatter(work, broadcast=True, hash=False) if scatter is not None else work


IN_PROCESS = 24  # answers below which a process pool costs more than it saves
BATCH = 32  # answers a worker renders per task: enough to make the round trip cheap, small enough to stream
WINDOW = 4  # tasks per worker submitted and not yet read back


def render_all(answers: list[Answer], work: Plan, jobs: int, executor: Executor | None = None) -> Iterator[AnswerOutputs]:
    """Render every answer on every channel it is published to, in answer order whatever the parallelism.

    `executor` may be any concurrent.futures.Executor whose workers can import this project; by default a
    process pool of `jobs` workers, or this process when jobs is 1. Outputs stream: however slowly they are
    read, at most a few tasks' outputs per worker wait in memory."""
    if executor is None and jobs <= 1:
        for answer in answers:
            yield render_answer(answer, work)
        return
    if executor is not None:
        shared = _shared(executor, work)
        batches = (answers[start:start + BATCH] for start in range(0, len(answers), BATCH))
        for batch in in_order(executor, _render_batch, batches, WINDOW * max(1, jobs), extra=(shared,)):
            yield from batch
        return
    with _deferred_interrupt() as interrupted:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(work,))
        try:
            batches = (answers[start:start + BATCH] for start in range(0, len(answers), BATCH))
            for batch in in_order(pool, _render_batch_in_worker, batches, WINDOW * jobs, tick=interrupted.check):
                interrupted.check()
                yield from batch
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown(cancel_futures=True)


class _Interrupt:
    """Ctrl-C noted by the signal handler, acted on by `check` at a point where no lock is held."""

    def __init__(self) -> None:
        self.pending = False

    def note(self, signum: int, frame: object) -> None:
        self.pending = True

    def check(self) -> None:
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


@contextlib.contextmanager
def _deferred_interrupt() -> Iterator[_Interrupt]:
    """While a process pool runs, Ctrl-C only sets a flag: a KeyboardInterrupt raised inside the executor's own
    code (holding its shutdown lock, say) left the build hanging at exit. The workers, forked while the handler
    is in place, inherit this harmless handler until their initializer ignores SIGINT."""
    interrupt = _Interrupt()
    if threading.current_thread() is not threading.main_thread():
        yield interrupt
        return
    previous = signal.signal(signal.SIGINT, interrupt.note)
    try:
        yield interrupt
    finally:
        signal.signal(signal.SIGINT, previous)
    interrupt.check()  # a Ctrl-C after the last check still stops the build


def in_order(pool: Executor, fn: Callable[..., R], items: Iterable[T], window: int,
             tick: Callable[[], None] | None = None, extra: tuple[object, ...] = ()) -> Iterator[R]:
    """`fn(item, *extra)` over `items` on `pool`, results in the items' order, with at most `window` tasks
    submitted and not yet read (Executor.map submits every item at once, and keeps every result a slow reader
    has not reached). `tick` is called every few hundredths of a second while a result is awaited (to act on an
    interrupt)."""
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            if len(pending) >= window:
                yield _result(pending.popleft(), tick)
            pending.append(pool.submit(fn, item, *extra))
        while pending:
            yield _result(pending.popleft(), tick)
    finally:
        for future in pending:
            future.cancel()


def _result(future: Future[R], tick: Callable[[], None] | None) -> R:
    if tick is None:
        return future.result()
    while True:
        try:
            return future.result(timeout=0.05)
        except TimeoutError:
            tick()


def index_files(work: Plan, entries: dict[str, list[IndexEntry]]) -> Iterator[tuple[str, dict[str, bytes]]]:
    for channel in work.channels:
        render_index = contract.load(channel.name).render_index
        if render_index is not None:
            yield channel.name, render_index(entries.get(channel.name, []), channel.config, work.site)


def report_findings(answer: Answer, display: str, problems: Iterable[Problem], notes: Iterable[tuple[str, Note]],
                    report: Report, complete: bool = True) -> tuple[str, ...]:
    """Report one answer's gate problems and renderer notes with its `accept:` applied (engine/acceptance.py);
    returns the accepted findings as text. `complete`: every channel was rendered, so an acceptance that matched
    nothing is stale (with some channels left out, it may be about one of those)."""
    findings = [Finding(p.code, p.message, p.line, p.severity == "error") for p in problems]
    for channel, note in notes:
        prefix = f"{channel}: "
        message = note.message if note.message.startswith(prefix) else prefix + note.message
        findings.append(Finding(note.code, message, note.line or 1, note.severity == "error"))
    sorted_ = sort_findings(answer.accepts, findings)
    for finding in sorted_.kept:
        report.add(display, finding.line, 1, finding.code, finding.message,
                   severity=Severity.ERROR if finding.error else Severity.WARNING)
    accepted: list[str] = []
    for finding, waiver in sorted_.accepted:
        accepted.append(f"{finding.code}: {finding.message} (accepted: {waiver.reason})")
        report.warn(display, finding.line, 1, "accepted", accepted[-1])
    for waiver in sorted_.unused if complete else ():
        report.warn(display, waiver.line, 1, "unused-accept",
                    f"`accept:` {waiver.code} about `{waiver.about}` matches nothing this build found",
                    hint="the finding is gone: remove this acceptance")
    return tuple(accepted)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def gate(kb: KnowledgeBase, loaded: list[Channel], as_of: date, report: Report, jobs: int = 1,
         executor: Executor | None = None, answers: Iterable[Answer] | None = None,
         step: Callable[[int], None] | None = None) -> int:
    """Render the answers (by default all) in memory against the whole knowledge base's plan, and report the
    renderers' notes and the gate's problems; returns the number of outputs checked, calling `step(done)` after
    each answer. This is `check`'s second half: the same work as `build`, minus writing."""
    work = plan(kb, loaded, as_of)
    chosen = kb.answers if answers is None else list(answers)
    outputs = 0
    workers = 1 if executor is None and len(chosen) <= IN_PROCESS else jobs
    for done, item in enumerate(render_all(chosen, work, workers, executor), start=1):
        display = display_path(kb.root.parent / item.answer.source)
        outputs += len(item.outputs)
        report_findings(item.answer, display, item.problems,
                        [(channel, note) for channel, rendered in item.outputs for note in rendered.notes], report)
        if step is not None:
            step(done)
    return outputs
