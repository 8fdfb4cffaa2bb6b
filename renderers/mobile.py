"""The mobile channel: one Adaptive Card 1.5 (JSON) per answer, built from typed card models, and the app's index."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import lru_cache
from typing import Callable, ClassVar, Iterable, Literal, Sequence, Union
from urllib.parse import quote

from pydantic import ConfigDict, Field

from channels import ChannelSpec
from engine import indented_json
from engine.facts import FactType, FactValue, Locale, normalize_url
from engine.model import (
    Block, Code, CodeBlock, Emphasis, FactMention, Heading, Image, Inline, LineBreak, Link, ListBlock, Paragraph,
    Quote, Rule, Scoped, Strike, Strong, Table, Text, walk_inlines,
)
from engine.select import View
from renderers import IndexEntry, Note, Rendered, Site, phrases, plain_facts, ssml_text
from renderers.written_names import written_name

CHANNEL = "mobile"
CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


class Config(ChannelSpec):
    """channels/mobile.yaml."""

    model_config = ConfigDict(extra="forbid")

    max_actions: int = Field(4, ge=1, le=6, description="Most buttons on a card, the 'read the full answer' "
                                                         "link included (hosts show few buttons side by side).")
    max_bytes: int = Field(28_000, ge=2_000, description="Budget: a card's size in bytes of UTF-8 JSON "
                                                         "(Teams and Bot Framework hosts refuse cards near 28 KB).")
    read_more_title: str = Field("Read the full answer", min_length=1,
                                 description="The title of the button that opens the answer's web page.")


# ---------------------------------------------------------------------------------------------------------
# Card models: the subset of Adaptive Cards 1.5 this channel writes. Field order is the JSON key order;
# `KIND` becomes the leading "type" key; a field's JSON name is its camelCase name unless metadata says so.

Spacing = Literal["none", "small", "default", "medium", "large"]


@dataclass(frozen=True, slots=True)
class TextBlock:
    KIND: ClassVar[str] = "TextBlock"
    text: str
    wrap: bool = True
    style: Literal["heading"] | None = None
    size: Literal["small", "medium", "large"] | None = None
    weight: Literal["bolder"] | None = None
    font_type: Literal["monospace"] | None = None
    is_subtle: bool | None = None
    spacing: Spacing | None = None
    separator: bool | None = None


@dataclass(frozen=True, slots=True)
class Fact:
    KIND: ClassVar[str | None] = None
    title: str
    value: str


@dataclass(frozen=True, slots=True)
class FactSet:
    KIND: ClassVar[str] = "FactSet"
    facts: tuple[Fact, ...]
    spacing: Spacing | None = None
    separator: bool | None = None


@dataclass(frozen=True, slots=True)
class CardImage:
    KIND: ClassVar[str] = "Image"
    url: str
    alt_text: str
    spacing: Spacing | None = None
    separator: bool | None = None


@dataclass(frozen=True, slots=True)
class Container:
    KIND: ClassVar[str] = "Container"
    items: tuple[Element, ...]
    id: str | None = None
    style: Literal["emphasis"] | None = None
    spacing: Spacing | None = None
    separator: bool | None = None


Element = Union[TextBlock, FactSet, CardImage, Container]


@dataclass(frozen=True, slots=True)
class OpenUrl:
    KIND: ClassVar[str] = "Action.OpenUrl"
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class AdaptiveCard:
    KIND: ClassVar[str] = "AdaptiveCard"
    schema: str = field(metadata={"json": "$schema"})
    version: str
    lang: str
    body: tuple[Element, ...]
    actions: tuple[OpenUrl, ...]
    fallback_text: str
    speak: str  # an SSML fragment by the Adaptive Cards schema: the plain words, escaped as SSML text


@dataclass(frozen=True, slots=True)
class IndexItem:
    """One card in the app's index."""

    KIND: ClassVar[str | None] = None
    id: str
    title: str
    topic: str
    card: str
    hash: str
    web_url: str


def _json_name(name: str, explicit: object) -> str:
    if explicit:
        return str(explicit)
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@lru_cache(maxsize=None)
def _json_keys(model: type) -> tuple[tuple[str, str], ...]:
    """A card model's fields and their JSON names, in field order (worked out once per class)."""
    return tuple((f.name, _json_name(f.name, f.metadata.get("json"))) for f in fields(model))


def to_json(node: object) -> object:
    """A card model as JSON-ready data: unset (None) fields left out, keys in field order."""
    if isinstance(node, tuple):
        return [to_json(item) for item in node]
    if is_dataclass(node) and not isinstance(node, type):
        data: dict[str, object] = {}
        kind = getattr(node, "KIND", None)
        if kind:
            data["type"] = kind
        for name, key in _json_keys(type(node)):
            value = getattr(node, name)
            if value is not None:
                data[key] = to_json(value)
        return data
    if isinstance(node, (str, bool, int)):
        return node
    raise TypeError(f"no JSON form for {type(node).__name__}")


def dump(data: object) -> bytes:
    """`json.dumps(data, ensure_ascii=False, indent=2)` and a line end, as UTF-8 (engine/indented_json.py)."""
    return (indented_json.dumps(data, indent=2, sort_keys=False) + "\n").encode("utf-8")


def count_elements(elements: Iterable[Element]) -> int:
    return sum(1 + (count_elements(e.items) if isinstance(e, Container) else 0) for e in elements)


# ---------------------------------------------------------------------------------------------------------
# Facts: one written form per type, in words `engine.facts.find_facts` reads back to the same canonical value.

TYPE_TITLES = {
    FactType.PHONE: "Phone", FactType.MONEY: "Amount", FactType.DATE: "Date", FactType.TIME: "Time",
    FactType.HOURS: "Hours", FactType.DURATION: "Time frame", FactType.URL: "Website", FactType.EMAIL: "Email",
    FactType.PERCENT: "Rate", FactType.TEXT: "Detail",
}


def _written(fact: FactValue, locale: Locale) -> str:
    return plain_facts.written(fact, plain_facts.Style(locale))


# Every fact in the house style (renderers/plain_facts.py): the card writes what every other channel writes.
PRESENT: dict[FactType, Callable[[FactValue, Locale], str]] = dict.fromkeys(FactType, _written)


def present(fact: FactValue, locale: Locale = Locale()) -> str:
    return PRESENT[fact.type](fact, locale)


# ---------------------------------------------------------------------------------------------------------
# TextBlock Markdown: content is escaped so that it shows literally; only our own markup is live.

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#<>~|{}])")  # {{ }} also starts a TextBlock DATE()/TIME() call
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_LIST_NUMBER = re.compile(r"(\d{1,9})([.)])(?=\s|$)")


def escape(text: str) -> str:
    """Content text as TextBlock Markdown that shows it literally (on one line)."""
    flat = " ".join(text.splitlines())
    return _ENTITY.sub(r"\\&", _MARKDOWN_SPECIAL.sub(r"\\\1", flat))


def line_safe(markdown: str) -> str:
    """A line's start can open a list or a rule in Markdown: neutralise it."""
    text = markdown.lstrip(" \t")
    if text[:1] in ("-", "+"):
        return "\\" + text
    number = _LIST_NUMBER.match(text)
    if number:
        return f"{number.group(1)}\\{number.group(2)}{text[number.end():]}"
    return text


def link_target(href: str) -> str:
    return quote(href, safe=":/?#@!$&'*+,;=%-._~")


# ---------------------------------------------------------------------------------------------------------
# Inlines.


@dataclass
class _Context:
    """How facts are written (the locale), and what one render collects beside the card: notes, and images
    lifted out of running text."""

    locale: Locale = Locale()
    notes: list[Note] = field(default_factory=list)
    images: list[CardImage] = field(default_factory=list)

    def note(self, code: str, message: str, line: int) -> None:
        self.notes.append(Note(code, f"{CHANNEL}: {message}", "warning", line))

    def take_images(self) -> list[CardImage]:
        taken, self.images = self.images, []
        return taken


def _wrap(marker: str, inner: str) -> str:
    """Emphasis markers hug the words: surrounding spaces stay outside, or Markdown would not see them."""
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()):]
    return f"{lead}{marker}{core}{marker}{trail}"


def markdown(inlines: Sequence[Inline], ctx: _Context, line: int, nested: bool = False) -> str:
    """Inline content as TextBlock Markdown; a top-level line break becomes "\\n" (the caller splits there)."""
    return "".join(_markdown_inline(node, ctx, line, nested) for node in inlines)


def _markdown_inline(node: Inline, ctx: _Context, line: int, nested: bool) -> str:
    if isinstance(node, Text):
        return escape(node.text)
    if isinstance(node, FactMention):
        return escape(written_name(node) or present(node.fact, ctx.locale))
    if isinstance(node, Code):
        return escape(node.text)
    if isinstance(node, Emphasis):
        return _wrap("_", markdown(node.children, ctx, line, True))
    if isinstance(node, Strong):
        return _wrap("**", markdown(node.children, ctx, line, True))
    if isinstance(node, Strike):
        ctx.note("strike-not-shown", "cards cannot strike text through; the struck words show as plain text "
                 "(reword them, or move them into a `::: except mobile` block)", line)
        return markdown(node.children, ctx, line, True)
    if isinstance(node, Link):
        words = markdown(node.children, ctx, line, True).strip() or escape(node.href)
        return f"[{words}]({link_target(node.href)})"
    if isinstance(node, Image):
        ctx.note("image-moved", f"card text cannot hold an image; image `{node.alt or node.src}` is shown "
                 "below its block", line)
        ctx.images.append(CardImage(node.src, node.alt or "Image"))
        return ""
    if isinstance(node, LineBreak):
        return " " if nested else "\n"
    raise TypeError(f"mobile renderer: unknown inline node {type(node).__name__}")


def plain(inlines: Iterable[Inline], locale: Locale = Locale()) -> str:
    """Inline content as plain words (fallback text and speech): no markup, facts in their written form."""
    return " ".join("".join(_plain_inline(node, locale) for node in inlines).split())


def _plain_inline(node: Inline, locale: Locale) -> str:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, FactMention):
        return written_name(node) or present(node.fact, locale)
    if isinstance(node, Code):
        return node.text
    if isinstance(node, (Emphasis, Strong, Strike, Link)):
        return plain(node.children, locale) or (node.href if isinstance(node, Link) else "")
    if isinstance(node, Image):
        return node.alt
    if isinstance(node, LineBreak):
        return " "
    raise TypeError(f"mobile renderer: unknown inline node {type(node).__name__}")


# ---------------------------------------------------------------------------------------------------------
# Blocks.


PLAIN = TextBlock("")
HEADING = TextBlock("", style="heading", size="medium", weight="bolder", spacing="medium")


def text_blocks(markdown_text: str, template: TextBlock = PLAIN) -> list[TextBlock]:
    """One TextBlock per line (hosts disagree on newlines inside a TextBlock); continuation lines sit tight."""
    blocks: list[TextBlock] = []
    for part in markdown_text.split("\n"):
        text = line_safe(part)
        if text.strip():
            blocks.append(replace(template, text=text, spacing="none") if blocks else replace(template, text=text))
    return blocks


def elements(blocks: Sequence[Block], ctx: _Context) -> list[Element]:
    out: list[Element] = []
    rule_pending = False
    for block in blocks:
        if isinstance(block, Rule):
            rule_pending = True  # a rule is the separator line above what follows it
            continue
        produced = _block(block, ctx) + ctx.take_images()
        if rule_pending and produced:
            produced[0] = replace(produced[0], separator=True)
            rule_pending = False
        out.extend(produced)
    return out


def _block(block: Block, ctx: _Context) -> list[Element]:
    if isinstance(block, Paragraph):
        return list(text_blocks(markdown(block.inlines, ctx, block.line)))
    if isinstance(block, Heading):
        return list(text_blocks(markdown(block.inlines, ctx, block.line), HEADING))
    if isinstance(block, ListBlock):
        return [Container(tuple(list_items(block, ctx)), spacing="small")]
    if isinstance(block, Quote):
        return [Container(tuple(elements(block.blocks, ctx)), style="emphasis")]
    if isinstance(block, CodeBlock):
        return [Container(tuple(_code_lines(block.text)), style="emphasis")]
    if isinstance(block, Table):
        return _table(block, ctx)
    if isinstance(block, Rule):
        return []
    if isinstance(block, Scoped):
        raise TypeError(f"mobile renderer: a `::: {block.kind}` block (line {block.line}) reached a customer "
                        "channel; views resolve these before rendering")
    raise TypeError(f"mobile renderer: unknown block node {type(block).__name__}")


def _marker(block: ListBlock, index: int) -> str:
    return f"{block.start + index}\\. " if block.ordered else "• "


def list_items(block: ListBlock, ctx: _Context) -> list[Element]:
    """Each item's first paragraph carries the item's number or bullet; its other blocks follow it."""
    out: list[Element] = []
    for index, item in enumerate(block.items):
        marker = _marker(block, index)
        rest = item.blocks
        if rest and isinstance(rest[0], Paragraph):
            first = text_blocks(markdown(rest[0].inlines, ctx, rest[0].line))
            lead = first[0].text if first else ""
            out.append(TextBlock(marker + lead, spacing="small"))
            out.extend(first[1:])
            out.extend(ctx.take_images())
            rest = rest[1:]
        else:
            out.append(TextBlock(marker.rstrip(), spacing="small"))
        out.extend(elements(rest, ctx))
    return out


def _code_lines(text: str) -> list[TextBlock]:
    lines = text.split("\n")
    out: list[TextBlock] = []
    for index, raw in enumerate(lines):
        indent = len(raw) - len(raw.lstrip(" "))
        shown = "\u00a0" * indent + line_safe(escape(raw.lstrip(" "))) if raw.strip() else "\u00a0"
        out.append(TextBlock(shown, font_type="monospace", spacing="none" if index else None))
    return out


def _table(table: Table, ctx: _Context) -> list[Element]:
    header = [line_safe(markdown(cell, ctx, table.line, True)) for cell in table.header]
    rows = [[line_safe(markdown(cell, ctx, table.line, True)) for cell in row] for row in table.rows]
    if len(header) == 2:
        caption = [TextBlock(" · ".join(header), weight="bolder", is_subtle=True)] if any(header) else []
        facts = tuple(Fact(row[0] if row else "", row[1] if len(row) > 1 else "") for row in rows)
        return [*caption, FactSet(facts, spacing="small")]
    ctx.note("table-as-text", f"a card cannot lay out a {len(header)}-column table; each row is shown as a "
             "short block of text (a 2-column table would show as a fact list)", table.line)
    return [Container(tuple(_row(header, row)), separator=True, spacing="small") for row in rows]


def _row(header: list[str], row: list[str]) -> list[TextBlock]:
    out = [TextBlock(row[0] if row else "", weight="bolder")] if row and row[0] else []
    for title, cell in zip(header[1:], row[1:]):
        if cell:
            out.append(TextBlock(f"{title}: {cell}" if title else cell, spacing="none"))
    return out or [TextBlock("\u00a0")]


# ---------------------------------------------------------------------------------------------------------
# Key facts and actions.


def _mentions(inlines: Iterable[Inline]) -> list[FactMention]:
    seen: set[tuple[FactType, str]] = set()
    out: list[FactMention] = []
    for node in inlines:
        if isinstance(node, FactMention) and (node.fact.type, node.fact.canonical) not in seen \
                and written_name(node) is None:  # a site named in prose is a name, not a fact to act on
            seen.add((node.fact.type, node.fact.canonical))
            out.append(node)
    return out


def fact_set(mentions: Sequence[FactMention], locale: Locale) -> list[FactSet]:
    facts = tuple(Fact(line_safe(escape(m.label or TYPE_TITLES[m.fact.type])),
                       line_safe(escape(present(m.fact, locale)))) for m in mentions)
    return [FactSet(facts, separator=True, spacing="medium")] if facts else []


def _short_label(label: str | None) -> str | None:
    """A label without its trailing aside: "Payments line (open day and night)" -> "Payments line"."""
    if not label:
        return None
    return re.sub(r"\s*\([^()]*\)\s*$", "", label).strip() or label


def _fact_action(fact: FactValue, label: str | None, locale: Locale) -> OpenUrl | None:
    name = _short_label(label)
    if fact.type is FactType.PHONE:
        return OpenUrl(f"{phrases.verb('Call', locale.language)} {name or present(fact, locale)}", f"tel:{fact.canonical}")
    if fact.type is FactType.URL:
        return OpenUrl(name or f"{phrases.verb('Open', locale.language)} {present(fact, locale)}", fact.canonical)
    if fact.type is FactType.EMAIL:
        return OpenUrl(f"{phrases.verb('Email', locale.language)} {fact.canonical}", f"mailto:{fact.canonical}")
    return None


def _target(url: str) -> str:
    """Two buttons that open the same page are one button."""
    return normalize_url(url) if url.startswith(("http://", "https://")) else url


def actions(inlines: Sequence[Inline], view: View, config: Config, site: Site) -> tuple[OpenUrl, ...]:
    """Call, open and email buttons for the key facts (and links) in order of mention, then the web page;
    one button per target, at most `max_actions` in all, the web page always kept."""
    words = phrases.for_view(view, site.language)  # a translation: its language's words (renderers/phrases.py)
    read_more = OpenUrl(config.read_more_title if words is None else words.read_more, site.web_url(view.id))
    chosen: list[OpenUrl] = []
    targets = {_target(read_more.url)}
    for node in inlines:
        if isinstance(node, FactMention) and written_name(node) is not None:
            action = None
        elif isinstance(node, FactMention):
            action = _fact_action(node.fact, node.label, site.locale)
        elif isinstance(node, Link) and node.fact is not None:
            action = _fact_action(node.fact, plain(node.children, site.locale) or None, site.locale)
        else:
            continue
        if action is not None and _target(action.url) not in targets:
            targets.add(_target(action.url))
            chosen.append(action)
    return (*chosen[: config.max_actions - 1], read_more)


# ---------------------------------------------------------------------------------------------------------
# The card.


@dataclass(frozen=True)
class _Content:
    items: list[Element]
    key_inlines: list[Inline]
    fallback: str
    speak: str


def _derived(view: View, ctx: _Context) -> _Content:
    """The short answer, then the body in source order: the steps where they stand (after what scopes them),
    the first block after the short answer set apart unless it is the steps."""
    short = text_blocks(markdown(view.short_answer.inlines, ctx, view.short_answer.line)) + ctx.take_images()
    items: list[Element] = list(short)
    fallback = [plain(view.short_answer.inlines, ctx.locale)]
    key_blocks: tuple[Block, ...] = (view.short_answer,)
    body = [block for block in view.blocks if block is not view.short_answer]
    at = next((i for i, block in enumerate(body) if block is view.steps), None)
    before, after = (body[:at], body[at + 1:]) if at is not None else ([], body)
    steps: Element | None = None
    if view.steps is not None:
        fallback.extend(_plain_block(block, ctx.locale) for block in view.condition)
        fallback.extend(f"{view.steps.start + i}. {_plain_blocks(item.blocks, ctx.locale)}"
                        for i, item in enumerate(view.steps.items))
        key_blocks += (view.steps,)
        steps = Container(tuple(list_items(view.steps, ctx)), spacing="medium")
    rest = [*elements(before, ctx), *((steps,) if steps is not None else ()), *elements(after, ctx)]
    first = next((i for i, element in enumerate(rest) if element is not steps), None)
    if first is not None:
        rest[first] = replace(rest[first], separator=True, spacing="medium")
    items.extend(rest)
    return _Content(items, walk_inlines(key_blocks), "\n".join(fallback), fallback[0])


def _plain_blocks(blocks: Sequence[Block], locale: Locale) -> str:
    return " ".join(text for text in (_plain_block(block, locale) for block in blocks) if text)


def _plain_block(block: Block, locale: Locale) -> str:
    if isinstance(block, (Paragraph, Heading)):
        return plain(block.inlines, locale)
    if isinstance(block, ListBlock):
        return " ".join(_plain_blocks(item.blocks, locale) for item in block.items)
    if isinstance(block, Quote):
        return _plain_blocks(block.blocks, locale)
    if isinstance(block, CodeBlock):
        return " ".join(block.text.split())
    if isinstance(block, Table):
        return " ".join(plain(cell, locale) for row in (block.header, *block.rows) for cell in row)
    if isinstance(block, Rule):
        return ""
    if isinstance(block, Scoped):
        raise TypeError(f"mobile renderer: a `::: {block.kind}` block (line {block.line}) reached a customer channel")
    raise TypeError(f"mobile renderer: unknown block node {type(block).__name__}")


def _overridden(view: View, ctx: _Context) -> _Content:
    override = view.override
    assert override is not None
    items: list[Element] = [*text_blocks(markdown(override.inlines, ctx, override.line)), *ctx.take_images()]
    text = plain(override.inlines, ctx.locale)
    return _Content(items, walk_inlines((Paragraph(override.inlines, override.line),)), text, text)


def card(view: View, config: Config, site: Site, ctx: _Context) -> AdaptiveCard:
    content = _overridden(view, ctx) if view.override is not None else _derived(view, ctx)
    title = TextBlock(line_safe(escape(view.answer.question)), style="heading", size="large", weight="bolder")
    facts = fact_set(_mentions(content.key_inlines), ctx.locale)
    notice: tuple[Element, ...] = ()  # an active notice (engine/notices.py) heads the card, set apart
    fallback, speak = content.fallback, content.speak
    if view.notice is not None:
        notice = (Container(tuple(text_blocks(markdown(view.notice.inlines, ctx, view.notice.line))), style="emphasis"),)
        said = plain(view.notice.inlines, ctx.locale)
        fallback, speak = f"{said}\n{fallback}", f"{said} {speak}"
    root = Container((title, *notice, *content.items, *facts), id=view.id)
    lang = phrases.language_of(view, site.language).split("-")[0].lower()
    return AdaptiveCard(CARD_SCHEMA, CARD_VERSION, lang, (root,), actions(content.key_inlines, view, config, site),
                        fallback, ssml_text.fragment(speak))


def _budget(size: int, config: Config, view: View) -> list[Note]:
    if size <= config.max_bytes:
        return []
    fix = ("shorten the `mobile:` override" if view.override is not None else
           "shorten the detail, move it into a `::: except mobile` block, or write a `mobile:` override")
    return [Note("over-budget", f"{CHANNEL}: the card for `{view.id}` is {size:,} bytes, over the {CHANNEL} budget "
                 f"of {config.max_bytes:,} bytes by {size - config.max_bytes:,}; {fix}", "error")]


def render(view: View, config: Config, site: Site) -> Rendered:
    ctx = _Context(site.locale)
    built = card(view, config, site, ctx)
    data = dump(to_json(built))
    path = f"{view.id}.json"
    metrics: dict[str, int | bool] = {"bytes": len(data), "elements": count_elements(built.body),
                                      "actions": len(built.actions)}
    if view.override is not None:
        metrics["override"] = True
    notes = (*ctx.notes, *_budget(len(data), config, view))
    return Rendered(primary=path, files={path: data}, metrics=metrics, notes=notes)


def render_index(entries: Sequence[IndexEntry], config: Config, site: Site) -> dict[str, bytes]:
    """index.json: every published card for the app, sorted by answer id."""
    items = sorted((IndexItem(e.ref.id, e.ref.question, e.ref.topic, e.path, e.ref.hash, site.web_url(e.ref.id))
                    for e in entries), key=lambda item: item.id)
    return {"index.json": dump(to_json(tuple(items)))}
