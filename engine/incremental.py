"""Incremental builds: reuse what the last build parsed and rendered when nothing it depends on has changed.

Two caches:

- parses, one row per answer file in the parse store (engine/parse_store.py, shared with `check`), keyed by
  the file's bytes, its path, the locale and the channel names, and checked against the shared facts the answer
  mentions (value and label of each reference; for each literal, which shared fact it equals). Only files that
  loaded without any diagnostic are kept, so a reused parse reports exactly what a fresh one would (nothing);
  the checks across answers always run. A row also holds the answer's light part (engine/light.py).
- renders, in a `Store`, per answer (all its channels at once), keyed by its dependency edges (`edges`): its source text and
  content hash, each shared fact it uses, each related answer's title and channels, each channel's config and
  templates, the site settings, whether its review is overdue on the build day, the internal text the leak
  check compares against, and the code version. An entry keeps the outputs' hashes, metrics and notes, and
  the gate's problems; the bytes are taken from the previous bundle, whose manifest must list the same hashes.

Every answer rendered again gets a reason (`explain`), from the edges that differ from the last build's.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from array import array
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping

import channels as channel_registry
from engine.bundle import signature_of, sha256, signature
from engine.cache import Sealed, Store, code_version, digest
from engine.compile import AnswerOutputs, Plan
from engine.consistency import InternalText, Problem
from engine.diagnostics import Diagnostic, Report
from engine.factbook import FactTable, load_facts
from engine.facts import FactType, Locale
from engine.knowledge import KnowledgeBase, Loaded, display_path, load_answer
from engine.light import Light, light
from engine.notices import digest as notice_digest
from engine.parse_store import ParseStore, Row, seal, stat_signature
from engine.model import Answer, FactMention, Paragraph, walk_inlines
from engine.source import refusal
from engine.stamp import RACY_NS
from renderers import Metric, Note

Edges = dict[str, str]


@dataclass
class Incremental:
    """How a build uses the cache: where it lives, and where the reasons for re-rendering go."""

    folder: Path
    explain: Callable[[str], None] | None = None


# ------------------------------------------------------------------------------------------------ parses


def _mentions(item: Loaded) -> list[FactMention]:
    answer = item.answer
    inlines = walk_inlines(answer.blocks)
    for override in answer.overrides:
        inlines.extend(walk_inlines((Paragraph(override.inlines, override.line),)))
    return [node for node in inlines if isinstance(node, FactMention)]


def _fact_print(facts: FactTable, key: str | None) -> str:
    fact = facts.get(key) if key else None
    return repr((fact.value, fact.label)) if fact else ""


FactDeps = tuple[tuple[str, str, str, str | None, str], ...]


def _fact_deps(item: Loaded, facts: FactTable) -> FactDeps:
    return tuple((m.origin, m.fact.type.value, m.fact.canonical, m.key, _fact_print(facts, m.key))
                 for m in _mentions(item))


class FactCheck:
    """`_facts_agree` against one fact table, each distinct dependency worked out once (at 10,000 answers most
    mentions name the same few hundred facts)."""

    def __init__(self, facts: FactTable) -> None:
        self.facts = facts
        self.seen: dict[tuple[str, str, str, str | None, str], bool] = {}
        self.kinds: dict[str, FactType] = {}

    def agrees(self, deps: FactDeps) -> bool:
        """Would parsing again against the facts resolve every mention the same way?"""
        for dep in deps:
            known = self.seen.get(dep)
            if known is None:
                known = self.seen[dep] = self._agrees(*dep)
            if not known:
                return False
        return True

    def _agrees(self, origin: str, kind: str, canonical: str, key: str | None, printed: str) -> bool:
        if origin == "literal":
            fact_type = self.kinds.get(kind) or self.kinds.setdefault(kind, FactType(kind))
            if self.facts.by_canonical.get((fact_type, canonical)) != key:
                return False
        return _fact_print(self.facts, key) == printed


def _facts_agree(deps: FactDeps, facts: FactTable) -> bool:
    return FactCheck(facts).agrees(deps)


def _name(path: Path, root: Path) -> str:
    """An answer file's cache name: its path inside the knowledge base folder and that folder's name (which
    `Answer.source` holds), the same however `--kb` is spelled and from whichever folder the build runs."""
    folder, base = os.path.split(os.fspath(path))
    return f"{_inside(folder, os.fspath(root), os.getcwd())}/{base}"


@lru_cache(maxsize=4096)
def _inside(folder: str, root: str, cwd: str) -> str:
    """`folder` relative to `root`, behind `root`'s own name (one relpath per folder, not per file)."""
    absolute = os.path.join(cwd, root)
    relative = Path(os.path.relpath(os.path.join(cwd, folder), absolute)).as_posix()
    name = Path(os.path.normpath(absolute)).name
    return name if relative == "." else f"{name}/{relative}"


class CachedLoader:
    """`load_answer` with reuse from the parse store: give it to `knowledge.load(load_one=...)`.

    `full`: the cache names of the answers wanted whole (`check FILE`); the others come from their light rows
    (engine/light.py), to be made whole later with `whole` if they turn out to be needed. None: every answer
    whole (the build)."""

    def __init__(self, store: ParseStore | None, full: set[str] | None = None) -> None:
        self.store = store
        self.full = full
        self.rows: list[Row] = []  # parses to store (new or changed files)
        self.shared: list[tuple[str, str, bytes]] = []  # shared values to store: (name, key, pickled value)
        self.touched: list[tuple[str, int | None, str]] = []  # unchanged files with a new stat signature
        self.seen: set[str] = set()  # cache names of every answer file loaded
        self.names: dict[str, tuple[str, str]] = {}  # answer id -> (cache name, content key), for `whole`
        self.light: set[str] = set()  # ids of the answers loaded light
        self.internal: dict[str, InternalText] = {}  # leak-index parts already worked out, by `Answer.source`
        self.texts: dict[str, str] = {}  # answer id -> digest of its file's bytes
        self.reused = 0
        self.given: Mapping[str, bytes] = {}  # file system path -> bytes already read for this build
        self.read_since = 0  # when the given bytes began to be read (ns): older files' stat signatures vouch for them
        self._check: FactCheck | None = None

    def __call__(self, path: Path, root: Path, facts: FactTable, locale: Locale, channels: tuple[str, ...],
                 report: Report) -> Loaded | None:
        try:
            st = os.lstat(path)
        except OSError:
            return load_answer(path, root, facts, locale, channels, report)
        if not stat.S_ISREG(st.st_mode) and refusal(path, root) is not None:  # a pipe or a link out: refused unread
            return load_answer(path, root, facts, locale, channels, report)
        name = _name(path, root)
        self.seen.add(name)
        regular = stat.S_ISREG(st.st_mode)
        given = self.given.get(os.fspath(path))
        text = None
        if given is None and regular and self.store is not None:  # stat taken before any read: it vouches
            text = self.store.unchanged(name, signature_of(st))
        if text is None:
            try:
                text = digest(given if given is not None else path.read_bytes())
            except OSError:
                return load_answer(path, root, facts, locale, channels, report)
        vouched = stat_signature(st, self.read_since, RACY_NS) if given is not None and regular else None
        key = digest(text, name, repr(locale), "\0".join(channels))
        head = self.store.head(name) if self.store is not None else None
        if head is not None and head.key == key:
            item = self._reuse(name, key, path, facts)
            if item is not None:
                self.texts[item.answer.id] = text
                self.names[item.answer.id] = (name, key)
                self.reused += 1
                if vouched is not None and vouched != head.signature:
                    self.touched.append((name, vouched, text))
                return item
        own = Report()
        item = load_answer(path, root, facts, locale, channels, own)
        report.extend(own.items)
        if item is not None:
            self.texts[item.answer.id] = text
            if not own.items:
                deps = _fact_deps(item, facts)
                whole = seal((item, deps))
                part = light(item.answer, item.where, item.front_matter.data, tuple(item.literals), deps)
                self.internal[item.answer.source] = part.internal  # worked out here: the plan need not again
                self.rows.append(Row(name, vouched, text, key, seal(part), whole))
        return item

    def facts(self, root: Path, display: str, locale: Locale, report: Report) -> FactTable:
        """`load_facts`, reused from the store when `_facts.yaml` is unchanged and loaded without a diagnostic."""
        path = root / "_facts.yaml"
        try:
            regular = stat.S_ISREG(os.lstat(path).st_mode)
            data = path.read_bytes() if regular else None
        except OSError:
            data = None
        if data is None or self.store is None:
            return load_facts(root, display, locale, report)
        key = digest(data, display, repr(locale))
        table = self.store.shared("facts", key)
        if isinstance(table, FactTable):
            return table
        own = Report()
        table = load_facts(root, display, locale, own)
        report.extend(own.items)
        if not own.items:
            self.shared.append(("facts", key, seal(table)))
        return table

    def _agree(self, deps: FactDeps, facts: FactTable) -> bool:
        if self._check is None or self._check.facts is not facts:
            self._check = FactCheck(facts)
        return self._check.agrees(deps)

    def _reuse(self, name: str, key: str, path: Path, facts: FactTable) -> Loaded | None:
        assert self.store is not None
        # diagnostics name the file as this run sees it (relative to its working folder)
        if self.full is None or name in self.full:
            opened = self.store.full(name, key)
            if (isinstance(opened, tuple) and len(opened) == 2 and isinstance(opened[0], Loaded)
                    and self._agree(opened[1], facts)):
                return replace(opened[0], display=display_path(path))
            return None
        part = self.store.light(name, key)
        if not isinstance(part, Light) or not self._agree(part.deps, facts):
            return None
        answer = part.answer()
        self.light.add(answer.id)
        self.internal[answer.source] = part.internal
        return Loaded(answer, display_path(path), part.positions, list(part.literals))  # type: ignore[arg-type]

    def whole(self, answer_id: str) -> Answer | None:
        """The full parse of an answer loaded light (None if its row is gone or no longer authentic)."""
        if self.store is None or answer_id not in self.names:
            return None
        opened = self.store.full(*self.names[answer_id])
        return opened[0].answer if isinstance(opened, tuple) and len(opened) == 2 and isinstance(opened[0], Loaded) else None


# ------------------------------------------------------------------------------------------------ renders


@dataclass(frozen=True)
class Output:
    """One channel's output as the cache keeps it: everything but the bytes."""

    channel: str
    primary: str
    files: tuple[tuple[str, str], ...]  # (path in the channel folder, sha256)
    sizes: tuple[int, ...]  # each file's length, checked against the previous bundle's file before reuse
    metrics: tuple[tuple[str, Metric], ...]
    notes: tuple[Note, ...]
    index: object  # the channel's `index_entry` of the answer


@dataclass(frozen=True)
class Entry:
    outputs: tuple[Output, ...]
    problems: tuple[Problem, ...]
    vocabulary: bytes  # `fingerprint` of every token its public outputs show, packed (see `may_repeat`)


def fingerprint(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def may_repeat(entry: Entry, grams: list[tuple[str, ...]]) -> bool:
    """Could these outputs contain one of `grams` (the leak check's runs)? Only if they show all its tokens."""
    if not grams:
        return False
    seen = set(array("Q", entry.vocabulary))
    return any(all(fingerprint(token) in seen for token in gram) for gram in grams)


def internal_prints(work: Plan) -> dict[tuple[str, ...], tuple[int, int]]:
    """The leak check's internal runs, each gram -> (its fingerprint, its source's)."""
    sources: dict[tuple[str, int], int] = {}
    prints: dict[tuple[str, ...], tuple[int, int]] = {}
    for gram, where in work.internal.runs.items():
        source = sources.get(where)
        if source is None:
            source = sources[where] = fingerprint(f"{where[0]}\0{where[1]}")
        prints[gram] = (fingerprint("\0".join(gram)), source)
    return prints


@dataclass(frozen=True)
class Record:
    key: str
    edges: Edges
    entry: Sealed


def _channel_files(name: str) -> str:
    """The channel's YAML and its templates, as bytes (what `load_channels` and the renderer read)."""
    root = channel_registry.HERE
    paths = [root / f"{name}.yaml", *sorted(p for p in (root / "templates" / name).rglob("*") if p.is_file())]
    return digest(*(part for p in paths if p.exists() for part in (p.relative_to(root).as_posix(), p.read_bytes())))


@dataclass
class Context:
    """What every answer's edges share, worked out once per build."""

    channels: dict[str, str]
    site: str
    code: str

    @classmethod
    def of(cls, work: Plan) -> Context:
        channels = {c.name: digest(c.config.model_dump_json(), _channel_files(c.name), str(c.internal))
                    for c in work.channels}
        site = work.site
        return cls(channels, digest(site.name, site.language, site.base_url, repr(site.locale), repr(site.versions)), code_version())


def edges(answer: Answer, kb: KnowledgeBase, work: Plan, context: Context, text: str | None) -> Edges:
    """Everything one answer's outputs (all channels) and gate problems depend on, by name."""
    found: Edges = {"code": context.code, "site": context.site,
                    "content": answer.hash, "text": text or answer.hash,
                    "channels": " ".join(c.name for c in work.channels)}
    for channel in work.channels:
        live = answer.id in work.published[channel.name]
        found[f"channel {channel.name}"] = context.channels[channel.name] if live else "not published"
    for node in walk_inlines(answer.blocks) + [n for o in answer.overrides for n in o.inlines]:
        if isinstance(node, FactMention) and node.key:
            found[f"fact {node.key}"] = _fact_print(kb.facts, node.key)
    refs = work.site.answers
    for related in answer.related:
        ref = refs.get(related)
        on = ",".join(c.name for c in work.channels if related in work.published[c.name])
        found[f"related {related}"] = digest(ref.question, ref.topic, on) if ref else "missing"
    due = answer.reviewed + timedelta(days=answer.review_every)
    found["overdue"] = str(due < work.as_of)
    if answer.id in work.notices:
        found["notice"] = notice_digest(work.notices[answer.id])
    if answer.id in work.feedback:
        found["feedback"] = digest(repr(work.feedback[answer.id]))
    return found


def key_of(found: Edges) -> str:
    return digest(*(f"{name}\0{value}" for name, value in sorted(found.items())))


_PHRASES = {"text": "its source changed", "code": "the engine or renderer code changed",
            "site": "the site settings changed",
            "overdue": "its review became overdue or was renewed", "channels": "the channels built changed",
            "content": "its content changed", "notice": "its notice began, changed or ended",
            "feedback": "its feedback changed"}


def _phrase(name: str, old: Edges, new: Edges) -> str:
    if name in _PHRASES:
        return _PHRASES[name]
    kind, _, what = name.partition(" ")
    if kind == "fact":
        return (f"fact {what} changed" if name in old and name in new
                else f"now uses fact {what}" if name in new else f"no longer uses fact {what}")
    if kind == "related":
        return (f"related answer {what} changed" if name in old and name in new
                else f"now related to {what}" if name in new else f"no longer related to {what}")
    return f"channel {what} config, templates or publication changed"


def reason(old: Edges | None, new: Edges) -> str:
    """Why an answer is rendered again, from the edges that changed (the most specific first)."""
    if old is None:
        return "new answer (or not in the cache)"
    changed = [name for name in sorted(old.keys() | new.keys()) if old.get(name) != new.get(name)]
    if "text" in changed or any(name.startswith("fact ") for name in changed):
        changed = [name for name in changed if name != "content"]
    if not changed:
        return "its cache entry or previous output was unusable"
    return "; ".join(_phrase(name, old, new) for name in changed)


def to_entry(item: AnswerOutputs) -> Entry:
    outputs = tuple(Output(channel, rendered.primary, tuple((path, sha256(data)) for path, data
                                                            in sorted(rendered.files.items())),
                           tuple(len(data) for _, data in sorted(rendered.files.items())),
                           tuple(rendered.metrics.items()), tuple(rendered.notes), item.index.get(channel))
                    for channel, rendered in item.outputs)
    prints = array("Q", sorted(fingerprint(token) for token in item.vocabulary))
    return Entry(outputs, tuple(item.problems), prints.tobytes())


# ------------------------------------------------------------------------------------------------ the session


def previous_files(out: Path) -> dict[str, str]:
    """Every answer output of the published bundle, path -> sha256, from its manifest (empty if unreadable)."""
    try:
        manifest = json.loads((out / "manifest.json").read_bytes())
        return {path: sha for answer in manifest["answers"].values() for channel in answer["channels"].values()
                for path, sha in channel["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


@dataclass
class Session:
    """One build's use of the cache: what to reuse, what to render and why; saved after a published build."""

    settings: Incremental
    store: Store = field(init=False)
    loader: CachedLoader = field(init=False)
    records: dict[str, Record] = field(default_factory=dict)
    previous: dict[str, Record] = field(default_factory=dict)
    internal: dict[int, int] = field(default_factory=dict)  # the leak check's runs at the last build
    known: dict[str, int] = field(default_factory=dict)  # the published bundle's files: path -> `signature`

    def __post_init__(self) -> None:
        self.store = Store(self.settings.folder)
        self.parses = ParseStore(self.settings.folder)
        self.loader = CachedLoader(self.parses)
        renders = self.store.load("renders")
        if isinstance(renders, tuple) and len(renders) == 2:
            self.previous, self.internal = renders
        known = self.store.load("signatures")
        self.known = known if isinstance(known, dict) else {}

    def split(self, kb: KnowledgeBase, work: Plan, out: Path) -> tuple[list[Answer], dict[str, Entry]]:
        """The answers to render, and the cached entries of the others (their files present in `out`)."""
        context = Context.of(work)
        published = previous_files(out)
        prints = internal_prints(work)
        internal, self.internal = self.internal, dict(prints.values())
        new_runs = [gram for gram, (gram_print, source) in prints.items()  # added, or now from another answer or line
                    if internal.get(gram_print) != source]
        gone = internal.keys() - self.internal.keys()
        render: list[Answer] = []
        reused: dict[str, Entry] = {}
        for answer in kb.answers:
            found = edges(answer, kb, work, context, self.loader.texts.get(answer.id))
            key = key_of(found)
            old = self.previous.get(answer.id)
            entry = old.entry.open() if isinstance(old, Record) and old.key == key else None
            if isinstance(entry, Entry) and _present(entry, published, out, self.known):
                leaked = any(p.code == "internal-leak" for p in entry.problems) and (new_runs or gone)
                if leaked or may_repeat(entry, new_runs):
                    render.append(answer)
                    self.records[answer.id] = Record(key, found, Sealed.of(None))
                    self.tell(f"{answer.id}: internal text changed that its outputs may repeat (leak check)")
                    continue
                reused[answer.id] = entry
                self.records[answer.id] = old  # type: ignore[assignment]
                continue
            render.append(answer)
            self.records[answer.id] = Record(key, found, Sealed.of(None))
            self.tell(f"{answer.id}: {reason(old.edges if isinstance(old, Record) else None, found)}")
        for gone in sorted(self.previous.keys() - {a.id for a in kb.answers}):
            self.tell(f"{gone}: removed")
        return render, reused

    def rendered(self, item: AnswerOutputs) -> None:
        old = self.records[item.answer.id]
        self.records[item.answer.id] = Record(old.key, old.edges, Sealed.of(to_entry(item)))

    def tell(self, line: str) -> None:
        if self.settings.explain is not None:
            self.settings.explain(line)

    def save(self, up_to_date: UpToDate, signatures: Mapping[str, int]) -> None:
        self.parses.write(self.loader.rows, self.loader.touched, keep=self.loader.seen, shared=self.loader.shared)
        (self.settings.folder / "parses.pickle").unlink(missing_ok=True)  # the single pickle this store replaced
        self.store.save("renders", (self.records, self.internal))
        self.store.save("signatures", dict(signatures))
        self.store.save("last", up_to_date)


def _present(entry: Entry, published: Mapping[str, str], out: Path, known: dict[str, int]) -> bool:
    """Does the previous bundle hold these outputs: listed with the same hash, and each file's bytes still of
    that hash? A file whose `signature` is the one the last build recorded is unchanged without reading it;
    any other is read and hashed (a file altered in place may keep its size; only its hash tells), and its
    signature then recorded afresh."""
    root = os.fspath(out) + "/"  # + a path the bundle was written with (checked then): os.path.join's result
    for output in entry.outputs:
        for (path, sha), size in zip(output.files, output.sizes):
            relative = f"{output.channel}/{path}"
            if published.get(relative) != sha:
                return False
            recorded = known.get(relative)
            if recorded is not None and signature(root + relative) == recorded:
                continue
            if _sha256_of(root + relative, size) != sha:
                return False
            known[relative] = signature(root + relative) or 0
    return True


def _sha256_of(path: str, size: int) -> str | None:
    """The file's sha256 if it is a regular file of `size` bytes (read no further), else None."""
    try:
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_size != size:
                return None
            return sha256(file.read(size + 1))
    except OSError:
        return None


# ------------------------------------------------------------------------------------------------ no-op builds


@dataclass(frozen=True)
class UpToDate:
    """A published build: its inputs, options and code, the manifest it wrote, and what it reported."""

    key: str
    manifest: str
    diagnostics: tuple[Diagnostic, ...]
    outputs: tuple[tuple[str, int], ...]  # outputs per channel


def build_key(inputs: str, out: Path, as_of: date, only: Iterable[str] | None) -> str:
    return digest(inputs, str(out.resolve()), os.getcwd(), as_of.isoformat(), ",".join(only or ("*",)),
                  code_version())


def up_to_date(folder: Path, key: str, out: Path) -> UpToDate | None:
    """The last build, if it had this key and its manifest is still the published one."""
    last = Store(folder).load("last")
    if not isinstance(last, UpToDate) or last.key != key:
        return None
    try:
        return last if sha256((out / "manifest.json").read_bytes()) == last.manifest else None
    except OSError:
        return None
