"""The whole knowledge base: load every answer, then the checks that need all of them at once."""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Mapping

import channels as channel_registry
from engine import scaffold
from engine.diagnostics import Report, did_you_mean
from engine.factbook import Fact, FactTable, Settings, load_facts, load_settings
from engine.facts import FactType, Locale
from engine.frontmatter import ID_PATTERN, FrontMatter, validate
from engine.consistency import InternalText, public_blocks
from engine.model import (Acceptance, Answer, FactMention, Override, Paragraph, content_hash, facts_used, inline_text,
                          walk_inlines)
from engine.parse import parse_body, parse_override
from engine.source import MAX_ANSWER_BYTES, Split, YamlDoc, read_text, read_yaml, refusal, split_front_matter
from engine.feedback import STORE as FEEDBACK_STORE, Event, load_store
from engine.notices import Notices, load_notices
from engine.standards import Standards, check_answers, load_standards, page_answer
from engine.locales import check_translations
from engine.synonyms import Synonyms, load_synonyms

# Names an output path must not take: the channels' own index files and folders (web/index.html, web/assets/,
# mobile/index.json, search and manifest files) and the device names Windows will not create a file under.
RESERVED_NAMES = frozenset({"index", "assets", "search", "manifest", "sitemap", "con", "prn", "aux", "nul",
                            *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))})

MAX_ID_PART = 100


@dataclass
class Loaded:
    """An answer and where its front matter keys are, for cross-answer diagnostics."""

    answer: Answer
    display: str
    front_matter: YamlDoc
    literals: list[tuple[FactMention, int, int]] = field(default_factory=list)

    def where(self, *loc: str | int, key: bool = False) -> tuple[int, int]:
        return self.front_matter.where(*loc, key=key)


@dataclass
class KnowledgeBase:
    root: Path
    settings: Settings
    facts: FactTable
    answers: list[Answer]  # sorted by id
    synonyms: Synonyms = Synonyms()
    failed: Mapping[str, str] = field(default_factory=dict)  # id a file that did not load would have -> its path
    standards: Standards = field(default_factory=Standards)  # `_standards.yaml` (engine/standards.py)
    notices: Notices = field(default_factory=Notices)  # `_notices.yaml` (engine/notices.py)
    feedback: tuple[Event, ...] = ()  # `_feedback/events.jsonl` (engine/feedback.py)
    internal: Mapping[str, InternalText] = field(default_factory=dict)  # source -> its leak-index part, if stored

    def by_id(self) -> dict[str, Answer]:
        return {a.id: a for a in self.answers}


def display_path(path: Path) -> str:
    """Paths in diagnostics: relative to the working folder when inside it, so editors can click them. One
    relpath per folder (a knowledge base of 10,000 answers has a few dozen), not per file."""
    folder, name = os.path.split(os.fspath(path))
    if not folder or name in ("", ".", ".."):
        return _relative(os.fspath(path), os.getcwd())
    shown = _relative(folder, os.getcwd())
    return name if shown == "." else os.path.join(shown, name)


@lru_cache(maxsize=4096)
def _relative(path: str, cwd: str) -> str:
    try:
        return os.path.relpath(os.path.join(cwd, path), cwd)
    except ValueError:
        return path


def answer_files(root: Path) -> list[Path]:
    """Every answer file under `root`, sorted; files and folders starting with `_` or `.` are not answers."""
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        inside = Path(os.path.relpath(folder, root)).as_posix()
        prefix, here = ("" if inside == "." else f"{inside}/"), Path(folder)
        for name in files:
            if name.endswith(".md") and not name.startswith((".", "_")):
                found.append((prefix + name, here / name))
    found.sort(key=lambda pair: pair[0])
    return [path for _, path in found]


def check_tree(root: Path, report: Report) -> None:
    """Refuse, unread, every link out of the knowledge base and every file that is not a regular one, wherever
    it is: the build reads every file under `root` (for the inputs hash), not only the answers. A plain file or
    folder is told apart from the directory listing alone; only the others are looked at closer."""
    for folder, dirs, _ in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or (not entry.is_symlink() and (entry.is_file() or entry.is_dir())):
                continue
            path = Path(folder) / entry.name
            refused = refusal(path, root)
            if refused is not None:
                report.add(display_path(path), 1, 1, *refused)


def default_channels(channels: tuple[str, ...], front: object) -> tuple[str, ...]:
    """An answer's channels when its front matter lists none: every channel, except an opt-in one (a social
    post) the answer does not ask for with `<channel>: true` or an override text."""
    asked = front if isinstance(front, dict) else {}
    return tuple(name for name in channels
                 if not channel_registry.opt_in(name) or asked.get(name) not in (None, False))


def load(root: Path, report: Report, *, as_of: date, channels: tuple[str, ...] | None = None,
         load_one: Callable[..., Loaded | None] | None = None) -> KnowledgeBase:
    """`load_one` replaces `load_answer` (same signature), e.g. by one that reuses cached parses; if it has a
    `facts` method, that replaces `load_facts`."""
    channel_names = channels if channels is not None else channel_registry.names()
    check_tree(root, report)
    settings = load_settings(root, display_path(root / "_settings.yaml"), report)
    locale = settings.locale
    facts = getattr(load_one, "facts", load_facts)(root, display_path(root / "_facts.yaml"), locale, report)
    standards, facts = load_standards(root, display_path(root / "_standards.yaml"), locale, facts, report)
    loaded: list[Loaded] = []
    failed: dict[str, str] = {}  # the id a file that did not load would have had -> its display path
    for path in answer_files(root):
        try:
            item = (load_one or load_answer)(path, root, facts, locale, channel_names, report)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
            # An engine bug must not hide the rest of the report, nor show an editor a traceback.
            report.add(display_path(path), 1, 1, "internal-error",
                       f"the engine could not read this file ({type(error).__name__}: {error})",
                       hint="please report this with the file attached")
            item = None
        if item is not None:
            loaded.append(item)
        else:
            failed[path.relative_to(root).with_suffix("").as_posix().lower()] = display_path(path)
    _check_ids(loaded, report)
    _check_questions(loaded, report)
    _check_related(loaded, report, failed)
    _check_reviews(loaded, as_of, report)
    check_translations(loaded, report, settings.language)
    _check_literals(loaded, report)
    page = _standards_page(standards, root, facts, locale, channel_names, loaded, report)
    answers = sorted([*(item.answer for item in loaded), *([page] if page else [])], key=lambda a: a.id)
    synonyms = load_synonyms(root, display_path(root / "_synonyms.yaml"), report)
    notices = load_notices(root, display_path(root / "_notices.yaml"), answers, standards, facts, locale,
                           channel_names, report)
    feedback = load_store(root, display_path(root / FEEDBACK_STORE), report)
    return KnowledgeBase(root, settings, facts, answers, synonyms, dict(sorted(failed.items())), standards, notices,
                         feedback)


def _standards_page(standards: Standards, root: Path, facts: FactTable, locale: Locale, channels: tuple[str, ...],
                    loaded: list[Loaded], report: Report) -> Answer | None:
    """The generated standards page (engine/standards.py), unless an answer file already has its id."""
    ids = {item.answer.id for item in loaded}
    check_answers(standards, ids, report)
    page = page_answer(standards, root, facts, locale, channels, report)
    if page is not None and _fold(page.id) in {_fold(i) for i in ids}:
        report.add(standards.display, 1, 1, "duplicate-id",
                   f"the standards page's id `{page.id}` is already used by an answer file",
                   hint="give `page: {id: ...}` another id")
        return None
    return page


def load_answer(path: Path, root: Path, facts: FactTable, locale: Locale, channels: tuple[str, ...],
                report: Report) -> Loaded | None:
    display = display_path(path)
    relative = path.relative_to(root).with_suffix("").as_posix()
    if "/" not in relative:
        report.add(display, 1, 1, "misplaced-answer", "answer files live in a topic folder: `knowledge/<topic>/<slug>.md`")
        return None
    source = read_text(path, display, report, root=root, limit=MAX_ANSWER_BYTES)
    if source is None:
        return None
    split = split_front_matter(source, report)
    if split is None:
        return None
    doc = read_yaml(split.front_matter, display, split.front_matter_line, report)
    if doc is None or doc.data is None:
        if not report.errors_for(display):
            report.add(display, split.front_matter_line, 1, "missing-field", "the front matter is empty",
                       hint="it needs at least `question`, `owner` and `reviewed`")
        return None
    front, override_texts = validate(doc, display, channels, report)
    shared = facts
    if front is not None and front.language:  # a translation shows facts with its language's labels
        facts = facts.in_language(front.language)
        # and its literal facts ("2,50 US$", "de lunes a viernes") are read under its language's rules
        locale = replace(locale, language=front.language)
    body = parse_body(split.body, display, split.body_line, facts, locale, channels, report,
                      summary=isinstance(doc.data, dict) and "summary" in doc.data)
    short, blocks = body.short_answer, body.blocks
    if front is not None and front.summary:
        short = _summary(front.summary, doc, split, display, facts, locale, channels, report)
        blocks = (short, *blocks) if short is not None else blocks
    placeholder = split.body.find(scaffold.PLACEHOLDER)
    if placeholder >= 0:
        line = split.body_line + split.body.count("\n", 0, placeholder)
        report.add(display, line, 1, "unedited-scaffold",
                   "this is still the text `new` scaffolded: it would be published as the answer",
                   hint="write the short answer, steps and detail in its place")
    if front is None or short is None:
        return None
    answer_id = front.id or relative
    if front.id is None and not re.fullmatch(ID_PATTERN, relative, re.IGNORECASE):
        report.add(display, 1, 1, "invalid-id", f"the file's path `{relative}` cannot be an answer id",
                   hint="rename the file with lowercase letters, digits and `-`, or set `id:`")
        return None
    ok = _check_fields(front, answer_id, doc, display, channels, report)
    overrides: list[Override] = []
    for channel in sorted(override_texts):
        line, _ = doc.where(channel)
        inlines = parse_override(override_texts[channel], display, line, facts, locale, channels, report,
                                 (split.front_matter.split("\n"), split.front_matter_line))
        overrides.append(Override(channel, inlines, line))
    if not ok or report.errors_for(display):
        return None
    topic = front.topic or relative.split("/")[0]
    used = facts_used(blocks, tuple(overrides))
    answer = Answer(
        id=answer_id, source=path.relative_to(root.parent).as_posix() if root.parent != root else display,
        question=front.question, asked_as=tuple(front.asked_as), topic=topic, tags=tuple(front.tags),
        audience=front.audience, channels=tuple(front.channels) if front.channels is not None else
        default_channels(channels, doc.data),
        owner=front.owner, reviewed=front.reviewed, review_every=front.review_every,
        effective_from=front.effective_from, effective_until=front.effective_until, related=tuple(front.related),
        overrides=tuple(overrides), blocks=blocks, short_answer=short, steps=body.steps,
        hash=content_hash(answer_id, topic, source.text, used),
        accepts=tuple(Acceptance(a.code, a.about, " ".join(a.reason.split()), doc.where("accept", index)[0])
                      for index, a in enumerate(front.accept)),
        language=front.language or "", translation_of=front.translation_of,
    )
    if answer.audience == "public":
        _check_staff_facts(answer, facts, split, display, report)
    if answer.translation_of and answer.language:
        _check_text_forms(answer, shared, split, display, report)
    return Loaded(answer, display, doc, body.literals)


def _public_facts(answer: Answer, facts: FactTable, split: Split) -> Iterator[tuple[Fact, tuple[int, int]]]:
    """Each shared fact the answer's customer text references, once, with the line and column of its first
    reference in the file."""
    numbered = [*enumerate(split.body.split("\n"), start=split.body_line),
                *enumerate(split.front_matter.split("\n"), start=split.front_matter_line)]
    public = walk_inlines(public_blocks(answer.blocks)) + [n for o in answer.overrides for n in o.inlines]
    seen: set[str] = set()
    for node in public:
        fact = facts.get(node.key) if isinstance(node, FactMention) and node.key else None
        if fact is None or fact.key in seen:
            continue
        seen.add(fact.key)
        yield fact, next(((number, line.index(fact.key) + 1) for number, line in numbered if fact.key in line), (1, 1))


def _check_text_forms(answer: Answer, facts: FactTable, split: Split, display: str, report: Report) -> None:
    """A translation that states a text fact needs that fact's form in its language (`forms:` in _facts.yaml),
    else every channel would state it in the source's language: `translation-fact-missing`, naming the fact and
    the channels."""
    customer = set(channel_registry.customer_channels())
    published = ", ".join(c for c in answer.channels if c in customer) or "every customer channel"
    language = (answer.language or "").split("-")[0].lower()
    for fact, where in _public_facts(answer, facts, split):
        if fact.value.type is not FactType.TEXT or fact.form_for(answer.language) is not None:
            continue
        report.add(display, *where, "translation-fact-missing",
                   f"{published}: the {answer.language} translation states the text fact `{fact.key}` "
                   f"(\"{fact.value.canonical}\") with no `{language}` form in _facts.yaml, so in the source's language",
                   hint=f"add `forms: {{{language}: ...}}` to `{fact.key}` in _facts.yaml")


def _check_staff_facts(answer: Answer, facts: FactTable, split: Split, display: str, report: Report) -> None:
    """A fact for staff only (`audience: internal` in _facts.yaml) may not reach a public answer's customer text."""
    for fact, where in _public_facts(answer, facts, split):
        if fact.audience != "internal":
            continue
        report.add(display, *where, "internal-fact",
                   f"`{{{{ {fact.key} }}}}` is for staff only (audience: internal in _facts.yaml) and this answer is "
                   "public: every customer channel would show it",
                   hint="move it into a `::: internal` note, or use a public fact")


def _summary(text: str, doc: YamlDoc, split: Split, display: str, facts: FactTable, locale: Locale,
             channels: tuple[str, ...], report: Report) -> Paragraph | None:
    """The front matter's `summary:` as the short answer paragraph (located at its line), or None if empty."""
    line, _ = doc.where("summary")
    inlines = parse_override(text, display, line, facts, locale, channels, report,
                             (split.front_matter.split("\n"), split.front_matter_line))
    if not inline_text(inlines).strip():
        report.add(display, line, 1, "empty-short-answer", "`summary` is empty")
        return None
    return Paragraph(inlines, line)


def _check_fields(front: FrontMatter, answer_id: str, doc: YamlDoc, display: str, channels: tuple[str, ...],
                  report: Report) -> bool:
    where = doc.where
    ok = True
    for part in answer_id.split("/"):
        if len(part) > MAX_ID_PART:
            line, col = where("id") if front.id else (1, 1)
            report.add(display, line, col, "invalid-id",
                       f"`{part[:24]}…` is too long: {len(part)} characters, at most {MAX_ID_PART} per part of an id",
                       hint="output file names are made from the id and must fit the file system's 255 bytes")
            ok = False
        if part.lower() in RESERVED_NAMES:
            line, col = where("id") if front.id else (1, 1)
            report.add(display, line, col, "reserved-id", f"`{part}` is reserved and cannot be part of an answer id",
                       hint="choose another slug")
            ok = False
    for index, name in enumerate(front.channels or []):
        if name not in channels:
            line, col = where("channels", index)
            report.add(display, line, col, "unknown-channel", f"unknown channel `{name}`",
                       hint=did_you_mean(name, channels) or "channels: " + ", ".join(channels))
            ok = False
    if front.reviewed > date.max - timedelta(days=front.review_every):
        line, col = where("reviewed")
        report.add(display, line, col, "invalid-date",
                   f"`reviewed` {front.reviewed} is so late that the next review ({front.review_every} days on) "
                   "falls after the last date the calendar can hold", hint="write the day the answer was last checked")
        ok = False
    if front.effective_from and front.effective_until and front.effective_until < front.effective_from:
        line, col = where("effective_until")
        report.add(display, line, col, "invalid-date",
                   f"`effective_until` {front.effective_until} is before `effective_from` {front.effective_from}")
        ok = False
    return ok


def _fold(answer_id: str) -> str:
    return unicodedata.normalize("NFKC", answer_id).casefold()


def _repeats(loaded: list[Loaded], key: Callable[[Loaded], str]) -> Iterator[tuple[Loaded, Loaded]]:
    """(item, the earlier item with the same key), in file order: the later file is the one reported."""
    first: dict[str, Loaded] = {}
    for item in sorted(loaded, key=lambda i: i.display):
        other = first.setdefault(key(item), item)
        if other is not item:
            yield item, other


def _check_ids(loaded: list[Loaded], report: Report) -> None:
    for item, other in _repeats(loaded, lambda i: _fold(i.answer.id)):
        line, col = item.where("id") if "id" in item.front_matter.data else (1, 1)
        same = other.answer.id == item.answer.id
        report.add(item.display, line, col, "duplicate-id",
                   f"id `{item.answer.id}` is already used by {other.display}"
                   + ("" if same else f" (as `{other.answer.id}`: ids must differ by more than case)"),
                   hint="give one of them another `id`")


def _check_questions(loaded: list[Loaded], report: Report) -> None:
    """Two answers to the same question are the copies that drift apart: the later file gets a warning (an error
    would refuse a help center mid-merge; `--strict` makes it one)."""
    for item, other in _repeats(loaded, lambda i: " ".join(i.answer.question.casefold().rstrip("?!. ").split())):
        line, col = item.where("question")
        report.warn(item.display, line, col, "duplicate-question", f"{other.display} already answers this question",
                    hint="keep one answer and list the other wording in its `asked_as`")


def _check_related(loaded: list[Loaded], report: Report, failed: dict[str, str]) -> None:
    """A related id must name another answer. One naming a file that failed to load is a warning pointing at
    that file (its own errors say what is wrong), not a second error claiming no such answer exists."""
    ids = {item.answer.id for item in loaded}
    for item in loaded:
        for index, target in enumerate(item.answer.related):
            if target in ids and target != item.answer.id:
                continue
            line, col = item.where("related", index)
            if target not in ids and target.lower() in failed:
                report.warn(item.display, line, col, "related-unavailable",
                            f"related answer `{target}` could not be loaded (see the errors of "
                            f"{failed[target.lower()]}); it is left out of this answer's related links",
                            hint="fix that file; nothing to change here")
            elif target == item.answer.id:
                report.add(item.display, line, col, "self-related", "an answer cannot be related to itself",
                           hint="remove it; list other answers a customer might want next")
            else:
                report.add(item.display, line, col, "unknown-related", f"no answer has the id `{target}`",
                           hint=did_you_mean(target, ids))


def _check_reviews(loaded: list[Loaded], as_of: date, report: Report) -> None:
    for item in loaded:
        answer = item.answer
        due = answer.reviewed + timedelta(days=answer.review_every)
        if due < as_of:
            line, col = item.where("reviewed")
            report.warn(item.display, line, col, "stale-review",
                        f"review overdue: reviewed {answer.reviewed}, due {due} (every {answer.review_every} days), "
                        f"{(as_of - due).days} days late as of {as_of}",
                        hint="check the answer is still true, then update `reviewed`")
        elif answer.reviewed > as_of:
            line, col = item.where("reviewed")
            report.warn(item.display, line, col, "future-review", f"`reviewed` {answer.reviewed} is after {as_of}")


def _check_literals(loaded: list[Loaded], report: Report) -> None:
    for item in loaded:
        for mention, line, col in item.literals:
            if mention.key:
                report.warn(item.display, line, col, "literal-fact",
                            f"`{mention.raw}` is the value of the shared fact `{mention.key}`",
                            hint=f"write `{{{{ {mention.key} }}}}` so it changes when the fact does")
