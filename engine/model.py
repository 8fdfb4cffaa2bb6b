"""The canonical answer model: closed, typed and versioned. Renderers consume it and never re-parse source.

Bump MODEL_VERSION whenever a node gains, loses or changes a field: caches keyed on it become invalid.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, time
from decimal import Decimal
from enum import Enum
from typing import Literal, Union

from engine.facts import FactType, FactValue

MODEL_VERSION = 1

# ----------------------------------------------------------------------------------------------- inlines


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class FactMention:
    """A fact in prose: a `{{ group.name }}` reference (key set) or a literal the recogniser found (key None,
    or the key of the shared fact it equals)."""

    fact: FactValue
    raw: str
    key: str | None
    label: str | None
    origin: Literal["ref", "literal"]


@dataclass(frozen=True, slots=True)
class Code:
    text: str


@dataclass(frozen=True, slots=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strike:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """A link; `fact` is the URL, email or phone fact its target normalises to."""

    href: str
    children: tuple[Inline, ...]
    fact: FactValue | None


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str


@dataclass(frozen=True, slots=True)
class LineBreak:
    pass


Inline = Union[Text, FactMention, Code, Emphasis, Strong, Strike, Link, Image, LineBreak]

# ------------------------------------------------------------------------------------------------ blocks


@dataclass(frozen=True, slots=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    inlines: tuple[Inline, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ListItem:
    blocks: tuple[Block, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[ListItem, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Quote:
    blocks: tuple[Block, ...]
    line: int


@dataclass(frozen=True, slots=True)
class CodeBlock:
    text: str
    language: str
    line: int


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    align: tuple[str, ...]  # "left", "center", "right" or "" per column
    line: int


@dataclass(frozen=True, slots=True)
class Rule:
    line: int


@dataclass(frozen=True, slots=True)
class Scoped:
    """A `:::` block: `internal` (CSR notes), `only` or `except` a set of channels."""

    kind: Literal["internal", "only", "except"]
    channels: frozenset[str]
    blocks: tuple[Block, ...]
    line: int


Block = Union[Paragraph, Heading, ListBlock, Quote, CodeBlock, Table, Rule, Scoped]

# ------------------------------------------------------------------------------------------------ answer


@dataclass(frozen=True, slots=True)
class Override:
    """Hand-written text for one channel (front matter `sms:`, `chat:`, ...), parsed like prose."""

    channel: str
    inlines: tuple[Inline, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Acceptance:
    """A reviewed finding the answer's editor accepts (front matter `accept:`): its code, the fact or text it
    names, and why it is right as written."""

    code: str
    about: str
    reason: str
    line: int


@dataclass(frozen=True, slots=True)
class Answer:
    id: str
    source: str
    question: str
    asked_as: tuple[str, ...]
    topic: str
    tags: tuple[str, ...]
    audience: Literal["public", "internal"]
    channels: tuple[str, ...]
    owner: str
    reviewed: date
    review_every: int
    effective_from: date | None
    effective_until: date | None
    related: tuple[str, ...]
    overrides: tuple[Override, ...]
    blocks: tuple[Block, ...]
    short_answer: Paragraph
    steps: ListBlock | None
    hash: str
    accepts: tuple[Acceptance, ...] = ()
    language: str = ""  # BCP 47; "" is the knowledge base's language
    translation_of: str | None = None  # the id of the answer this one translates (engine/locales.py)

    def override(self, channel: str) -> Override | None:
        return next((o for o in self.overrides if o.channel == channel), None)

    def is_live(self, as_of: date) -> bool:
        if self.effective_from and as_of < self.effective_from:
            return False
        return not (self.effective_until and as_of > self.effective_until)


# ------------------------------------------------------------------------------------------------ helpers


def to_data(node: object) -> object:
    """A plain, JSON-ready view of any model value, tagged with node kinds (for hashes, goldens, caches)."""
    if is_dataclass(node) and not isinstance(node, type):
        data: dict[str, object] = {"node": type(node).__name__}
        for f in fields(node):
            data[f.name] = to_data(getattr(node, f.name))
        return data
    if isinstance(node, Enum):
        return node.value
    if isinstance(node, dict):
        return {str(key): to_data(value) for key, value in node.items()}
    if isinstance(node, (tuple, list)):
        return [to_data(item) for item in node]
    if isinstance(node, frozenset):
        return sorted(to_data(item) for item in node)  # type: ignore[type-var]
    if isinstance(node, (date, time, Decimal)):
        return str(node)
    return node


def content_hash(answer_id: str, topic: str, source_text: str, facts_used: dict[str, tuple[str, str | None]]) -> str:
    """The answer's content hash: what it was parsed from (its text, and the value and label of every shared
    fact it uses) plus the model version. Parsing is deterministic, so equal hashes mean equal models."""
    payload = {"model": MODEL_VERSION, "id": answer_id, "topic": topic, "text": source_text,
               "facts": {key: list(value) for key, value in sorted(facts_used.items())}}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def facts_used(blocks: tuple[Block, ...], overrides: tuple[Override, ...]) -> dict[str, tuple[str, str | None]]:
    """Every shared fact an answer mentions (by reference, or as a literal equal to it): key -> (value, label)."""
    used: dict[str, tuple[str, str | None]] = {}
    inlines = walk_inlines(blocks)
    for override in overrides:
        inlines.extend(walk_inlines((Paragraph(override.inlines, override.line),)))
    for node in inlines:
        if isinstance(node, FactMention) and node.key:
            used[node.key] = (node.fact.canonical, node.label)
    return used


def inline_text(inlines: tuple[Inline, ...]) -> str:
    """The plain words of inline content (facts as the editor wrote them resolved to their canonical text)."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Code):
            parts.append(node.text)
        elif isinstance(node, FactMention):
            parts.append(node.raw if node.origin == "literal" else node.fact.canonical)
        elif isinstance(node, (Emphasis, Strong, Strike, Link)):
            parts.append(inline_text(node.children))
        elif isinstance(node, Image):
            parts.append(node.alt)
        elif isinstance(node, LineBreak):
            parts.append(" ")
    return "".join(parts)


def walk_inlines(blocks: tuple[Block, ...]) -> list[Inline]:
    """Every inline node in document order, through every kind of block (scoped ones included)."""
    out: list[Inline] = []

    def visit_inlines(inlines: tuple[Inline, ...]) -> None:
        for node in inlines:
            out.append(node)
            if isinstance(node, (Emphasis, Strong, Strike, Link)):
                visit_inlines(node.children)

    def visit(block: Block) -> None:
        if isinstance(block, (Paragraph, Heading)):
            visit_inlines(block.inlines)
        elif isinstance(block, ListBlock):
            for item in block.items:
                for child in item.blocks:
                    visit(child)
        elif isinstance(block, (Quote, Scoped)):
            for child in block.blocks:
                visit(child)
        elif isinstance(block, Table):
            for cell in block.header:
                visit_inlines(cell)
            for row in block.rows:
                for cell in row:
                    visit_inlines(cell)

    for block in blocks:
        visit(block)
    return out


def _pickled_by_constructor(cls: type) -> None:
    """Pickle a node as its constructor and field values: the dataclass default for slotted classes restores
    field by field through `dataclasses.fields`, which made reading the parse cache cost ~12% of a rebuild."""
    names = tuple(f.name for f in fields(cls))

    def reduce(self: object) -> tuple[type, tuple[object, ...]]:
        return cls, tuple([getattr(self, name) for name in names])

    cls.__reduce__ = reduce  # type: ignore[method-assign, assignment]


for _node in (Text, FactMention, Code, Emphasis, Strong, Strike, Link, Image, LineBreak, Paragraph, Heading, ListItem,
              ListBlock, Quote, CodeBlock, Table, Rule, Scoped, Override, Acceptance, Answer):
    _pickled_by_constructor(_node)


__all__ = [
    "MODEL_VERSION", "Acceptance", "Answer", "Block", "Code", "CodeBlock", "Emphasis", "FactMention", "FactType", "FactValue",
    "Heading", "Image", "Inline", "LineBreak", "Link", "ListBlock", "ListItem", "Override", "Paragraph", "Quote",
    "Rule", "Scoped", "Strike", "Strong", "Table", "Text", "content_hash", "facts_used", "inline_text", "to_data",
    "walk_inlines",
]
