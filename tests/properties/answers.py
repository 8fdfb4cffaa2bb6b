"""Hypothesis strategies for whole knowledge bases: answer files and a fact table written from random Unicode
prose, shared and literal facts, steps, `:::` blocks, overrides and related links, with what the properties
need to know about them (the internal sentences no customer may see, a distinct first word per answer).

Prose keeps every character that breaks XML, HTML or Markdown; only what would make a file invalid for a
reason that is not the point is kept out. Control characters and lone surrogates are never drawn. In Markdown,
backslash, `<`, `[`, `]`, `{`, `}`, backtick and `|` are backslash-escaped, so no raw HTML tag, link, table
cell or `{{` reference comes from prose (`refusals()` shows such input is refused instead). Digits only follow
a letter in a word, so prose never types an invalid date by accident; the facts it forms by chance are valid
ones, checked like any other.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from hypothesis import strategies as st

import channels
from engine.consistency import LEAK_WORDS
from engine.facts import find_facts
from tests.kb import answer_file, write_kb
from tests.properties.strategies import BY_TYPE, PROSE

CHANNELS = channels.names()
CANARY = "zqx"  # every word of internal text starts with it; public text never contains it
FACT_TYPES = (*sorted(BY_TYPE), "text")
GROUPS = {"phone": "phone", "money": "fees", "date": "dates", "time": "times", "hours": "hours",
          "duration": "durations", "url": "urls", "email": "emails", "percent": "rates", "text": "places"}
TOPICS = ("billing", "outages", "service")
LEADS = ("Yes", "No", "Please", "Sometimes", "Today", "Usually")  # the first word of answer i is LEADS[i]
STARTS = ("Then", "Open", "Bring", "Say", "Keep", "Check")  # first word of every other line
# Words that sit next to facts in real answers and can change how a fact reads ("5 pm to 7 pm", "$5 k").
GLUE = ("to", "and", "or", "from", "until", "k", "per", "each", "business", "at", "on", "by", "-", "noon")
HOSTILE = ("<script>alert(1)</script>", '"onmouseover=alert(1)', "&lt;script&gt;alert(1)&lt;/script&gt;",
           "&amp;", "]]>", "<!--", "-->", "{{", "}}", "\\", "*_", "|", "javascript:alert(1)", "<b>", "x' y\"")
KEPT = "&<>\"'*_[]{}\\|"
SAFE_AFTER = (".", ",", ";", "!", " today.", ", thanks.")  # nothing after a fact that could change its reading
_MARKDOWN_ESCAPES = str.maketrans({c: "\\" + c for c in "\\<[]{}`|"})
_REFERENCE = re.compile(r"(?<!\\)\{\{\s*([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)\s*\}\}")

# ----------------------------------------------------------------------------------------------- words

_LETTER = st.characters(categories=["L"])
_ALNUM = st.characters(categories=["L", "N"])
_MARK = st.characters(categories=["P"], include_characters=KEPT)
_SPACE = st.one_of(st.just(" "), st.characters(categories=["Zs"]))


def _public(word: str) -> bool:
    return CANARY not in word.casefold()


WORDS = st.one_of(
    st.text(string.ascii_letters, min_size=1, max_size=8),
    st.sampled_from(GLUE),
    st.builds(str.__add__, _LETTER, st.text(_ALNUM, max_size=6)),  # digits only ever follow a letter
    st.text(st.one_of(_LETTER, _MARK), min_size=1, max_size=6),
    st.sampled_from(HOSTILE),
).filter(_public)


def markdown_text(raw: str) -> str:
    """Raw words as Markdown that shows them literally (no tag, link or fact reference can start)."""
    return raw.translate(_MARKDOWN_ESCAPES)


def yaml_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@lru_cache(maxsize=None)
def between(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@lru_cache(maxsize=None)
def one_of(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


@st.composite
def _raw_words(draw: st.DrawFn, min_size: int, max_size: int) -> str:
    out = ""
    for index in range(draw(between(min_size, max_size))):
        out += (draw(_SPACE) if index else "") + draw(WORDS)
    return out


@lru_cache(maxsize=None)
def raw_words(min_size: int = 0, max_size: int = 4) -> st.SearchStrategy[str]:
    return _raw_words(min_size, max_size)


@lru_cache(maxsize=None)
def prose(min_size: int = 0, max_size: int = 4) -> st.SearchStrategy[str]:
    return raw_words(min_size, max_size).map(markdown_text)


@lru_cache(maxsize=None)
def plain_prose(min_size: int = 0, max_size: int = 4) -> st.SearchStrategy[str]:
    """Words that state no fact: chance facts are welcome in the body, but not in a short answer, whose facts an
    override must repeat (the gate holds an override to the facts of the body)."""
    return raw_words(min_size, max_size).filter(lambda words: not find_facts(words)).map(markdown_text)


_SECRET_WORD = st.text("abcdefghijklmnoprstuvwy", min_size=2, max_size=6).map(lambda w: CANARY + w)
# A sentence only internal text holds: a leak's worth of words or a little more, each marked with the canary.
SECRETS = st.lists(_SECRET_WORD, min_size=LEAK_WORDS, max_size=LEAK_WORDS + 2).map(lambda ws: "Staff only " + " ".join(ws) + ".")


# ----------------------------------------------------------------------------------------------- facts

_LABELS = st.none() | raw_words(1, 3).filter(lambda s: len(s) <= 80)
_SOME_CHANNELS = st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=3, unique=True)


@dataclass(frozen=True)
class SharedFact:
    """A fact of `_facts.yaml`; every form in `forms` is the same value (forms[0] is written by default)."""

    group: str
    name: str
    type: str
    forms: tuple[str, ...]
    label: str | None
    first: int  # the form `_facts.yaml` holds by default

    @property
    def key(self) -> str:
        return f"{self.group}.{self.name}"

    def entry(self, form: int) -> str:
        label = f", label: {yaml_quoted(self.label)}" if self.label is not None else ""
        value = yaml_quoted(self.forms[(self.first + form) % len(self.forms)])
        return f"  {self.name}: {{type: {self.type}, value: {value}{label}}}\n"


@st.composite
def text_values(draw: st.DrawFn) -> tuple[str, ...]:
    words = draw(raw_words(1, 4)).split()
    assert words
    extra = draw(one_of("", " 100 Main Street", ", Riverton"))
    value = " ".join(words) + extra
    return value, "  ".join(value.split()) + " "  # whitespace is collapsed: the same value


@st.composite
def shared_facts(draw: st.DrawFn, index: int, kinds: tuple[str, ...]) -> SharedFact:
    kind = draw(one_of(*kinds))
    forms = draw(text_values()) if kind == "text" else draw(BY_TYPE[kind]).forms
    first = draw(between(0, len(forms) - 1))
    label = draw(_LABELS)
    return SharedFact(GROUPS[kind], f"{draw(one_of('main', 'late', 'x'))}{index}", kind, forms, label, first)


@st.composite
def fact_tables(draw: st.DrawFn, kinds: tuple[str, ...] = FACT_TYPES) -> tuple[SharedFact, ...]:
    """1-6 shared facts of the types in `kinds` (a type listed twice is drawn twice as often)."""
    return tuple(draw(shared_facts(i, kinds)) for i in range(draw(between(1, 6))))


def facts_yaml(facts: Sequence[SharedFact], order: Sequence[int] | None = None, form: int = 0) -> str:
    """The fact table as YAML, entries in `order` (groups where their first entry falls), values in `form`."""
    groups: dict[str, list[str]] = {}
    for index in order if order is not None else range(len(facts)):
        fact = facts[index]
        groups.setdefault(fact.group, []).append(fact.entry(form))
    return "".join(f"{group}:\n" + "".join(lines) for group, lines in groups.items())


# -------------------------------------------------------------------------------------------- mentions


_TARGET_FORMS = {"phone": (1, 3), "email": (0, 1, 2), "url": (0, 2, 3)}  # forms usable in a link target
_SCHEMES = {"phone": "tel:", "email": "mailto:", "url": ""}


@st.composite
def literal(draw: st.DrawFn, facts: Sequence[SharedFact]) -> str:
    """A fact typed into prose: a value of the fact table in any of its forms, or a fresh value."""
    typed = [f for f in facts if f.type != "text"]
    if typed and draw(st.booleans()):
        forms = typed[draw(between(0, len(typed) - 1))].forms
    else:
        forms = draw(BY_TYPE[draw(one_of(*sorted(BY_TYPE)))]).forms
    return forms[draw(between(0, len(forms) - 1))]


@st.composite
def link(draw: st.DrawFn, facts: Sequence[SharedFact]) -> str:
    """A Markdown link whose target is a phone, email or URL fact (of the table or fresh)."""
    kind = draw(one_of(*sorted(_TARGET_FORMS)))
    table = [f.forms for f in facts if f.type == kind]
    forms = table[draw(between(0, len(table) - 1))] if table and draw(st.booleans()) else draw(BY_TYPE[kind]).forms
    choices = _TARGET_FORMS[kind]
    target = forms[choices[draw(between(0, len(choices) - 1))]]
    return f"[{draw(prose(0, 3))}]({_SCHEMES[kind]}{target})"


@st.composite
def reference(draw: st.DrawFn, facts: Sequence[SharedFact]) -> str:
    key = facts[draw(between(0, len(facts) - 1))].key
    return draw(one_of("{{ %s }}", "{{%s}}", "{{  %s }}")) % key


_MENTIONS = (reference, reference, literal, link)


def mention(draw: st.DrawFn, facts: Sequence[SharedFact]) -> str:
    return draw(_MENTIONS[draw(between(0, len(_MENTIONS) - 1))](facts))


@st.composite
def chunk(draw: st.DrawFn, facts: Sequence[SharedFact], safe: bool) -> str:
    """A fact mention with the words around it. `safe`: words that cannot change how the fact reads
    (the short answer's facts must read the same in an override); else any neighbours, glue words included."""
    before = draw(PROSE) if safe else draw(one_of("", "Call", "from", "at", "It is"))
    after = draw(one_of(*SAFE_AFTER) if safe else one_of("", *SAFE_AFTER, " for help", " and more"))
    return f"{before}{' ' if before else ''}{mention(draw, facts)}{after}"


@st.composite
def sentence(draw: st.DrawFn, first: str, facts: Sequence[SharedFact], max_facts: int, max_words: int,
             safe: bool = False) -> tuple[str, list[str]]:
    """A line of Markdown starting with `first`, and the fact chunks in it."""
    chunks = [draw(chunk(facts, safe)) for _ in range(draw(between(0, max_facts)))]
    words = plain_prose(0, max_words) if safe else prose(0, max_words)
    pieces = [draw(words) for _ in range(len(chunks) + 1)]
    parts = [first]
    for words, piece in zip(pieces, [*chunks, ""]):
        parts += [words, piece]
    line = " ".join(p for p in parts if p)
    return (line if line[-1] in ".!?" else line + "."), chunks


# ----------------------------------------------------------------------------------------------- blocks


@st.composite
def steps(draw: st.DrawFn, facts: Sequence[SharedFact], max_words: int) -> str:
    start = 3 if not draw(between(0, 3)) else 1
    count = draw(between(0, 4))
    items = [draw(sentence(draw(one_of(*STARTS)), facts, 2, max_words))[0] for _ in range(count)]
    return "\n".join(f"{start + i}. {item}" for i, item in enumerate(items))


@st.composite
def detail(draw: st.DrawFn, facts: Sequence[SharedFact]) -> str:
    kind = draw(one_of("paragraph", "bullets", "heading", "quote", "table"))
    line = lambda: draw(sentence(draw(one_of(*STARTS)), facts, 1, 4))[0]  # noqa: E731
    if kind == "bullets":
        return "\n".join(f"- {line()}" for _ in range(draw(between(1, 3))))
    if kind == "heading":
        return f"{'#' * draw(between(2, 3))} {line()}"
    if kind == "quote":
        return f"> {line()}"
    if kind == "table":
        return f"| {draw(one_of(*STARTS))} | Value |\n| --- | --- |\n| {line()} | {line()} |"
    return line()


@st.composite
def secret_line(draw: st.DrawFn, facts: Sequence[SharedFact]) -> str:
    """A line of internal text with a fact in it; canary words keep it apart from any public text."""
    return f"{draw(SECRETS).removesuffix('.')} {draw(chunk(facts, False))} {draw(_SECRET_WORD)}."


@st.composite
def internal_note(draw: st.DrawFn, facts: Sequence[SharedFact]) -> tuple[str, str]:
    secret = draw(SECRETS)
    extra = f"\n\n{draw(secret_line(facts))}" if draw(st.booleans()) else ""
    return f"::: internal\n{secret}{extra}\n:::", secret


@st.composite
def scoped(draw: st.DrawFn, facts: Sequence[SharedFact]) -> tuple[str, list[str]]:
    """`::: only` / `::: except` a few channels, sometimes with an internal note inside."""
    kind = draw(one_of("only", "except"))
    names = draw(_SOME_CHANNELS)
    body = draw(detail(facts))
    if not draw(between(0, 3)):
        note, secret = draw(internal_note(facts))
        return f":::: {kind} {' '.join(names)}\n{body}\n\n{note}\n::::", [secret]
    return f"::: {kind} {' '.join(names)}\n{body}\n:::", []


# ---------------------------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class GeneratedAnswer:
    id: str
    text: str  # the whole answer file
    public: bool
    lead: str  # the first word of its short answer and of its overrides
    secrets: tuple[str, ...]  # sentences no customer channel may show


@dataclass(frozen=True)
class GeneratedKB:
    facts: tuple[SharedFact, ...]
    answers: tuple[GeneratedAnswer, ...]

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for a in self.answers for s in a.secrets)

    def write(self, root: Path, answer_order: Sequence[int] | None = None, fact_order: Sequence[int] | None = None,
              form: int = 0) -> Path:
        """The knowledge base as files under `root`, written in `answer_order`, facts listed in `fact_order`."""
        order = answer_order if answer_order is not None else range(len(self.answers))
        files = {self.answers[i].id: self.answers[i].text for i in order}
        return write_kb(root, files, facts_yaml(self.facts, fact_order, form))


_QUESTION_SECRET = st.text(string.ascii_lowercase, min_size=3, max_size=6).map(lambda w: f" {CANARY}{w}")
_ASKED = st.lists(raw_words(1, 3), max_size=2)
_WINDOWS = (("effective_from", "2027-01-01"), ("effective_until", "2026-01-01"))
_OVERRIDES = st.lists(st.sampled_from(["sms", "chat", "ivr", "mobile"]), unique=True, max_size=2)
_CHANNEL_LISTS = st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True)


@st.composite
def question(draw: st.DrawFn, internal: bool) -> str:
    secret = draw(_QUESTION_SECRET) if internal else ""
    return f"{draw(one_of('How', 'What', 'Can I', 'Why'))} {draw(raw_words(0, 4))}{secret}?"


@st.composite
def front_matter(draw: st.DrawFn, answer_id: str, others: Sequence[str], internal: bool) -> dict[str, str]:
    fields = {"question": yaml_quoted(draw(question(internal)))}
    asked = draw(_ASKED)
    if asked:
        fields["asked_as"] = "[" + ", ".join(yaml_quoted(a) for a in asked) + "]"
    related = draw(st.lists(st.sampled_from(others), unique=True, max_size=3)) if others else []
    if related:
        fields["related"] = "[" + ", ".join(related) + "]"
    if internal:
        fields["audience"] = "internal"
    if not draw(between(0, 7)):
        fields["channels"] = "[" + ", ".join(draw(_CHANNEL_LISTS)) + "]"
    for name in (c for c in channels.names() if channels.opt_in(c)):  # `social: true`: asks for an opt-in channel
        if not draw(between(0, 2)):
            fields[name] = "true"
    window = draw(between(0, 11))
    if window < len(_WINDOWS):
        name, day = _WINDOWS[window]
        fields[name] = day
    return fields


@st.composite
def extra_block(draw: st.DrawFn, facts: Sequence[SharedFact]) -> tuple[str, list[str]]:
    """A detail block, a `::: only`/`::: except` block, or an internal note; with the secrets it holds."""
    kind = draw(between(0, 2))
    if kind == 0:
        return draw(detail(facts)), []
    if kind == 1:
        return draw(scoped(facts))
    note, secret = draw(internal_note(facts))
    return note, [secret]


@st.composite
def answers(draw: st.DrawFn, index: int, ids: Sequence[str], facts: Sequence[SharedFact], long: bool,
            with_secret: bool) -> GeneratedAnswer:
    answer_id = ids[index]
    internal = index > 0 and not draw(between(0, 6))
    lead = LEADS[index]
    short, chunks = draw(sentence(lead, facts, 2, 40 if long else 3, safe=True))
    secrets: list[str] = []
    blocks = [short]
    listed = draw(steps(facts, 12 if long else 3))
    if internal:  # every line of an internal answer is its own: no public answer says the same words
        secret = draw(secret_line(facts))
        blocks, chunks = [f"{lead} {secret}"], []
        secrets.append(secret)
        listed = "\n".join(f"{i}. {draw(secret_line(facts))}" for i in range(1, draw(between(0, 3)) + 1))
    if listed:
        blocks.append(listed)
    for _ in range(0 if internal else draw(between(0, 3))):
        block, hidden = draw(extra_block(facts))
        blocks.append(block)
        secrets += hidden
    if with_secret and not secrets:
        note, secret = draw(internal_note(facts))
        blocks.append(note)
        secrets.append(secret)
    fields = draw(front_matter(answer_id, [i for i in ids if i != answer_id], internal))
    step_keys = sorted(set(_REFERENCE.findall(listed)))
    for name in draw(_OVERRIDES):
        # An override may say what the body says (the gate holds it to that): here, a fact of the steps.
        extra = [f"Call {{{{ {key} }}}}." for key in draw(st.lists(st.sampled_from(step_keys), max_size=1))] \
            if step_keys else []
        override = " ".join([lead, draw(plain_prose(0, 3)), *chunks, *extra])
        fields[name] = yaml_quoted(override if override[-1] in ".!?" else override + ".")
    text = answer_file("\n\n".join(blocks) + "\n", **fields)
    return GeneratedAnswer(answer_id, text, not internal, lead, tuple(secrets))


@st.composite
def knowledge_bases(draw: st.DrawFn, min_answers: int = 1, max_answers: int = 4, long: bool = False,
                    secrets: bool = False, kinds: tuple[str, ...] = FACT_TYPES) -> GeneratedKB:
    """A small knowledge base: 1-6 shared facts of the types in `kinds`, `min_answers`-`max_answers` answers
    (the first one public); `long` answers overrun budgets more often; `secrets` gives every answer an
    internal sentence."""
    facts = draw(fact_tables(kinds))
    count = draw(between(min_answers, max_answers))
    ids = [f"{TOPICS[i % len(TOPICS)]}/answer-{i + 1}" for i in range(count)]
    return GeneratedKB(facts, tuple(draw(answers(i, ids, facts, long, secrets)) for i in range(count)))


# ---------------------------------------------------------------------------------------------- refused

RAW_HTML = ("<b>bold</b>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=\"x\">x</a>",
            "<!-- note -->", "<span style=\"color:red\">", "</p>")
UNKNOWN_REFERENCES = ("{{ nope.missing }}", "{{nope}}", "{{ phone. }}", "{{ }}")
_REFUSED = st.one_of(st.sampled_from(RAW_HTML).map(lambda b: ("raw-html", b)),
                     st.sampled_from(UNKNOWN_REFERENCES).map(lambda b: ("unknown-fact", b)))


@st.composite
def refusals(draw: st.DrawFn) -> tuple[GeneratedKB, str, str]:
    """A valid knowledge base whose first answer has raw HTML or an unknown `{{ }}` reference written into its
    short answer, and the diagnostic code the checker must report."""
    kb = draw(knowledge_bases(max_answers=2))
    code, bad = draw(_REFUSED)
    first = kb.answers[0]
    head, _, body = first.text.partition("\n---\n")
    words = draw(prose(0, 2))
    changed = f"{head}\n---\n{first.lead} {words} {bad} {body[len(first.lead) + 1:]}"
    answers_ = (GeneratedAnswer(first.id, changed, first.public, first.lead, first.secrets), *kb.answers[1:])
    return GeneratedKB(kb.facts, answers_), bad, code
