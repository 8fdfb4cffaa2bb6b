"""Markdown bodies and override texts to the canonical model (markdown-it-py, parsed once), with diagnostics."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from engine.diagnostics import Report, did_you_mean
from engine.source import line_col
from engine.factbook import FactTable
from engine.facts import (
    INSECURE, FactError, FactType, FactValue, Locale, dialled, find_facts, normalize_url, parse_value,
)
from engine.model import (
    Block, Code, CodeBlock, Emphasis, FactMention, Heading, Image, Inline, LineBreak, Link, ListBlock, ListItem,
    Paragraph, Quote, Rule, Scoped, Strike, Strong, Table, Text,
)

FACT_REF = re.compile(r"\{\{\s*([^{}\n]*?)\s*\}\}")
SCOPE_KINDS = ("internal", "only", "except")
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
# Recognising a phone number costs libphonenumber milliseconds, and the gate does it again for every channel:
# an answer that states more numbers than any real one does is refused instead of recognised for minutes.
MAX_NUMBERS = 500
_NUMBER = re.compile(r"\d+")


def _fact_ref_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("{{", state.pos):
        return False
    match = FACT_REF.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("fact_ref", "", 0)
        token.content = match.group(0)
        token.meta = {"key": match.group(1)}
    state.pos = match.end()
    return True


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The one Markdown dialect: CommonMark, tables, strikethrough, `:::` blocks and `{{ fact }}` references.
    Raw HTML is parsed (so that it can be refused with a position), never passed through."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # every link is checked by `_link` instead, with a diagnostic
    container_plugin(md, "scope", validate=lambda params, markup: True)
    md.inline.ruler.before("text", "fact_ref", _fact_ref_rule)
    return md


@dataclass(frozen=True)
class ParsedBody:
    blocks: tuple[Block, ...]
    short_answer: Paragraph | None
    steps: ListBlock | None
    literals: list[tuple[FactMention, int, int]]  # literal facts in prose, with their line and column


class _Context:
    """What the conversion needs to resolve facts and to report problems at a file position."""

    def __init__(self, display: str, lines: list[str], first_line: int, facts: FactTable, locale: Locale,
                 channels: tuple[str, ...], report: Report) -> None:
        self.display = display
        self.lines = lines
        self.first_line = first_line
        self.facts = facts
        self.by_canonical = facts.by_canonical
        self.locale = locale
        self.channels = channels
        self.report = report
        self.literals: list[tuple[FactMention, int, int]] = []
        self.last_close: Token | None = None
        self.recognise = True  # False once the text holds too many numbers to recognise facts in

    def line_of(self, token: Token | None, fallback: int) -> int:
        if token is not None and token.map:
            return self.first_line + token.map[0]
        return fallback

    def find(self, line: int, needle: str) -> tuple[int, int] | None:
        """Where `needle` first occurs on or after `line` (within a few lines), if it does."""
        start = line - self.first_line
        for index in range(max(start, 0), min(start + 40, len(self.lines))):
            col = self.lines[index].find(needle) if needle else -1
            if col >= 0:
                return self.first_line + index, col + 1
        return None

    def locate(self, line: int, needle: str) -> tuple[int, int]:
        """Where `needle` first occurs on or after `line`, else the line's start."""
        return self.find(line, needle) or (line, 1)

    def error(self, line: int, needle: str | tuple[str, ...], code: str, message: str,
              hint: str | None = None) -> None:
        """Report at the first of the `needle`s found on or after `line` (the likeliest written form first)."""
        self.report.add(self.display, *self._at(line, needle), code, message, hint=hint)

    def warn(self, line: int, needle: str | tuple[str, ...], code: str, message: str, hint: str | None = None) -> None:
        self.report.warn(self.display, *self._at(line, needle), code, message, hint=hint)

    def _at(self, line: int, needle: str | tuple[str, ...]) -> tuple[int, int]:
        needles = (needle,) if isinstance(needle, str) else needle
        return next((found for n in needles if (found := self.find(line, n)) is not None), (line, 1))


# A fact reference with a brace missing: `{{ a.b }` or `{ a.b }}` (or `{{ a.b` with no end on the line). Left as
# text, every channel would show or speak the braces.
_HALF_REFERENCE = re.compile(r"\{\{\s*[A-Za-z_][\w.]*\s*\}(?!\})|(?<!\{)\{\s*[A-Za-z_][\w.]*\s*\}\}"
                             r"|\{\{(?![^{}\n]*\}\})")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _check_fact_braces(text: str, ctx: _Context, first_line: int) -> None:
    """Report fact references with a brace missing, outside fenced code."""
    fenced = False
    for offset, line in enumerate(text.split("\n")):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        for found in _HALF_REFERENCE.finditer(line):
            ctx.report.add(ctx.display, first_line + offset, found.start() + 1, "broken-fact-reference",
                           f"`{found.group(0).strip()}` is a fact reference with a brace missing: channels would "
                           "show or speak it as written", hint="write `{{ group.name }}`, two braces on each side")


def parse_body(text: str, display: str, first_line: int, facts: FactTable, locale: Locale,
               channels: tuple[str, ...], report: Report, summary: bool = False) -> ParsedBody:
    """The body as blocks, its short answer (the opening paragraph) and its steps. With `summary` (front matter
    gives the short answer), a body that opens with a heading, a list or a table is fine."""
    ctx = _Context(display, text.split("\n"), first_line, facts, locale, channels, report)
    _check_numbers(text, ctx, first_line)
    _check_fact_braces(text, ctx, first_line)
    tokens = markdown().parse(text)
    _check_depth(tokens, ctx)
    blocks = tuple(_blocks(iter(tokens), ctx, None, first_line))
    lead = next((b for b in blocks if not isinstance(b, Scoped)), None)
    short: Paragraph | None = None
    if summary:
        pass
    elif not isinstance(lead, Paragraph):
        line = lead.line if lead is not None else first_line
        report.add(display, line, 1, "empty-short-answer",
                   "the answer must open with a paragraph: the short answer every channel leads with",
                   hint="write one or two plain sentences before any list, heading or table, or give the short "
                        "answer as `summary:` in the front matter")
    elif not _has_words(lead.inlines):
        report.add(display, lead.line, 1, "empty-short-answer", "the short answer (first paragraph) is empty")
    elif all(isinstance(node, Image) or (isinstance(node, Text) and not node.text.strip()) for node in lead.inlines):
        report.add(display, lead.line, 1, "image-short-answer",
                   "the short answer is only an image: the phone line, text messages and chat would give only its "
                   "description", hint="write the answer in words first; the image can follow it")
    else:
        short = lead
    steps = next((b for b in blocks if isinstance(b, ListBlock) and b.ordered), None)
    return ParsedBody(blocks, short, steps, ctx.literals)


def parse_override(text: str, display: str, line: int, facts: FactTable, locale: Locale,
                   channels: tuple[str, ...], report: Report,
                   source: tuple[list[str], int] = ([], 0)) -> tuple[Inline, ...]:
    """An override is one channel's text: inline Markdown with facts, on one logical line. `source` (the front
    matter's lines and the number of the first) lets diagnostics point into the line the text is written on."""
    lines, first_line = source
    ctx = _Context(display, lines, first_line if lines else line, facts, locale, channels, report)
    _check_numbers(text, ctx, line)
    _check_fact_braces(" ".join(text.split()), ctx, line)
    tokens = markdown().parseInline(" ".join(text.split()))
    return tuple(_inlines(tokens[0].children or [], ctx, line)) if tokens else ()


def _check_numbers(text: str, ctx: _Context, first_line: int) -> None:
    for count, found in enumerate(_NUMBER.finditer(text), start=1):
        if count > MAX_NUMBERS:
            line, col = line_col(text, found.start())
            ctx.report.add(ctx.display, first_line + line - 1, col, "too-many-numbers",
                           f"the text holds more than {MAX_NUMBERS} numbers; facts are not recognised in it",
                           hint="split it into several answers, or move tables of figures to a linked page")
            ctx.recognise = False
            return


def _check_depth(tokens: list[Token], ctx: _Context) -> None:
    """markdown-it stops descending at `maxNesting` and drops whatever is deeper without a word: say so."""
    limit = markdown().options["maxNesting"] - 1
    deep = next((t for t in tokens if t.level >= limit), None)
    if deep is not None:
        line = ctx.line_of(deep, ctx.first_line)
        ctx.report.add(ctx.display, line, 1, "too-deep",
                       f"lists and quotes are nested more than {limit} levels deep here; what is deeper would be lost",
                       hint="flatten the structure: a few levels are all a reader can follow")


def _has_words(inlines: tuple[Inline, ...]) -> bool:
    for node in inlines:
        if isinstance(node, Text) and node.text.strip():
            return True
        if isinstance(node, (FactMention, Code, Image)):
            return True
        if isinstance(node, (Emphasis, Strong, Strike, Link)) and _has_words(node.children):
            return True
    return False


# ---------------------------------------------------------------------------------------------------- blocks


def _blocks(tokens: Iterator[Token], ctx: _Context, closer: str | None, parent_line: int) -> Iterator[Block]:
    for token in tokens:
        kind = token.type
        if closer is not None and kind == closer:
            ctx.last_close = token
            return
        line = ctx.line_of(token, parent_line)
        if kind == "paragraph_open":
            inline = next(tokens)
            next(tokens)  # paragraph_close
            yield Paragraph(tuple(_inlines(inline.children or [], ctx, line)), line)
        elif kind == "heading_open":
            inline = next(tokens)
            next(tokens)
            yield Heading(int(token.tag[1]), tuple(_inlines(inline.children or [], ctx, line)), line)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            start = int(token.attrs.get("start", 1)) if ordered else 1
            items = tuple(_list_items(tokens, ctx, kind.replace("_open", "_close"), line))
            yield ListBlock(ordered, start, items, line)
        elif kind == "blockquote_open":
            yield Quote(tuple(_blocks(tokens, ctx, "blockquote_close", line)), line)
        elif kind in ("fence", "code_block"):
            yield CodeBlock(token.content.rstrip("\n"), (token.info or "").strip().split(" ")[0], line)
        elif kind == "hr":
            yield Rule(line)
        elif kind == "table_open":
            yield _table(tokens, ctx, line)
        elif kind == "container_scope_open":
            scoped = _scoped(token, tokens, ctx, line)
            if scoped is not None:
                yield scoped
        elif kind == "html_block":
            snippet = token.content.strip().split("\n")[0][:40]
            ctx.error(line, snippet[:10], "raw-html", f"raw HTML is not allowed: `{snippet}`",
                      hint="write Markdown; every channel renders it safely")
        else:
            raise ValueError(f"unhandled Markdown token {kind!r}")  # the model is closed: never drop silently


def _list_items(tokens: Iterator[Token], ctx: _Context, closer: str, line: int) -> Iterator[ListItem]:
    for token in tokens:
        if token.type == closer:
            return
        if token.type == "list_item_open":
            item_line = ctx.line_of(token, line)
            yield ListItem(tuple(_blocks(tokens, ctx, "list_item_close", item_line)), item_line)


def _table(tokens: Iterator[Token], ctx: _Context, line: int) -> Table:
    header: list[tuple[Inline, ...]] = []
    rows: list[tuple[tuple[Inline, ...], ...]] = []
    align: list[str] = []
    row: list[tuple[Inline, ...]] = []
    in_head = False
    for token in tokens:
        kind = token.type
        if kind == "table_close":
            break
        if kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            row = []
        elif kind in ("th_open", "td_open"):
            if in_head:
                style = str(token.attrs.get("style", ""))
                align.append(style.removeprefix("text-align:") if style else "")
            inline = next(tokens)
            row_line = ctx.line_of(inline, line)
            row.append(tuple(_inlines(inline.children or [], ctx, row_line)))
        elif kind == "tr_close":
            if in_head:
                header = row
            else:
                rows.append(tuple(row))
    return Table(tuple(header), tuple(rows), tuple(align), line)


def _scoped(token: Token, tokens: Iterator[Token], ctx: _Context, line: int) -> Scoped | None:
    words = token.info.split()
    ctx.last_close = None
    blocks = tuple(_blocks(tokens, ctx, "container_scope_close", line))
    if ctx.last_close is None or not ctx.last_close.markup:
        ctx.error(line, ":::", "unclosed-block", f"`::: {token.info.strip()}` is never closed",
                  hint=f"end it with a `{token.markup}` line")
    kind = words[0].lower() if words else ""
    named = [w.strip(",").lower() for w in words[1:] if w.strip(",")]
    ok = True
    if kind not in SCOPE_KINDS:
        ctx.error(line, ":::", "unknown-block", f"unknown block `::: {token.info.strip()}`",
                  hint=did_you_mean(kind, SCOPE_KINDS) or "use `::: internal`, `::: only <channels>` or `::: except <channels>`")
        ok = False
    elif kind == "internal" and named:
        ctx.error(line, ":::", "invalid-block", "`::: internal` takes no channel names",
                  hint="wrap it in `::: only ...` to limit channels as well")
    elif kind != "internal" and not named:
        ctx.error(line, ":::", "invalid-block", f"`::: {kind}` needs at least one channel name",
                  hint="e.g. `::: " + kind + " sms ivr`")
        ok = False
    for name in named if kind in ("only", "except") else []:
        if name not in ctx.channels:
            ctx.error(line, name, "unknown-channel", f"unknown channel `{name}`",
                      hint=did_you_mean(name, ctx.channels) or "channels: " + ", ".join(ctx.channels))
            ok = False
    return Scoped(kind, frozenset(named), blocks, line) if ok else None  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------- inlines


def _inlines(tokens: list[Token], ctx: _Context, line: int) -> Iterator[Inline]:
    stack: list[tuple[str, list[Inline], Token]] = []
    out: list[Inline] = []
    buffer: list[str] = []
    opened_html = False

    def target() -> list[Inline]:
        return stack[-1][1] if stack else out

    def flush() -> None:
        if buffer:
            target().extend(_text_with_facts("".join(buffer), ctx, line))
            buffer.clear()

    for token in tokens:
        kind = token.type
        if kind in ("text", "text_special"):
            buffer.append(token.content)
            continue
        if kind == "softbreak":
            buffer.append(" ")
            continue
        flush()
        if kind == "hardbreak":
            target().append(LineBreak())
        elif kind == "code_inline":
            target().append(Code(token.content))
        elif kind == "fact_ref":
            target().append(_fact_ref(token, ctx, line))
        elif kind.endswith("_open") and kind in ("em_open", "strong_open", "s_open", "link_open"):
            stack.append((kind, [], token))
        elif kind in ("em_close", "strong_close", "s_close", "link_close"):
            opener, children, open_token = stack.pop()
            kids = tuple(children)
            if opener == "em_open":
                node: Inline | None = Emphasis(kids)
            elif opener == "strong_open":
                node = Strong(kids)
            elif opener == "s_open":
                node = Strike(kids)
            else:
                node = _link(str(open_token.attrs.get("href", "")), kids, ctx, line)
            if node is not None:
                target().append(node)
            else:
                target().extend(kids)
        elif kind == "image":
            src = str(token.attrs.get("src", ""))
            if _scheme(src) not in ("http", "https"):
                ctx.error(line, src[:20] or "![", "unsafe-link", f"image source `{src}` is not an http(s) URL")
            else:
                target().append(Image(src, token.content))
        elif kind == "html_inline" and token.content.startswith("</") and opened_html:
            continue  # its opening tag is already reported
        elif kind == "html_inline":
            opened_html = True
            ctx.error(line, token.content[:20], "raw-html", f"raw HTML is not allowed: `{token.content[:40]}`",
                      hint="write Markdown; for a literal `<`, write `\\<`")
        else:
            raise ValueError(f"unhandled inline Markdown token {kind!r}")
    flush()
    yield from out


def _text_with_facts(text: str, ctx: _Context, line: int) -> list[Inline]:
    if not ctx.recognise:
        return [Text(text)]
    nodes: list[Inline] = []
    position = 0
    for found in find_facts(text, ctx.locale):
        if found.start > position:
            nodes.append(Text(text[position:found.start]))
        if found.value is None:
            code = found.code or ("invalid-date" if found.type is FactType.DATE else "invalid-fact")
            ctx.error(line, found.raw, code, f"`{found.raw}`: {found.error}")
            nodes.append(Text(found.raw))
        else:
            if found.value.canonical.startswith("http://"):
                ctx.warn(line, found.raw, "insecure-link", f"`{found.raw}` is an `http://` address: {INSECURE}",
                         hint="write `https://` if the site has it")
            key = ctx.by_canonical.get((found.type, found.value.canonical))
            fact = ctx.facts.get(key) if key else None
            mention = FactMention(found.value, found.raw, key, fact.label if fact else None, "literal")
            where = ctx.locate(line, found.raw)
            ctx.literals.append((mention, *where))
            nodes.append(mention)
        position = found.end
    if position < len(text):
        nodes.append(Text(text[position:]))
    return nodes


def _fact_ref(token: Token, ctx: _Context, line: int) -> Inline:
    key = str(token.meta["key"])
    fact = ctx.facts.get(key)
    if fact is None:
        if ctx.facts.reported(key):  # its error in `_facts.yaml` says why; a second one here would be noise
            return Text(token.content)
        hint = did_you_mean(key, ctx.facts.facts) if ctx.facts.facts else "no facts are defined in `_facts.yaml`"
        ctx.error(line, token.content, "unknown-fact", f"unknown fact `{{{{ {key} }}}}`", hint=hint)
        return Text(token.content)
    return FactMention(fact.value, token.content, key, fact.label, "ref")


def _scheme(href: str) -> str:
    try:
        return urlsplit(unquote(href).strip()).scheme.lower()
    except ValueError:
        return "?"


def _link(href: str, children: tuple[Inline, ...], ctx: _Context, line: int) -> Inline | None:
    scheme = _scheme(href)
    # The href is normalised (entities decoded, percent-encoded): its leading word finds `java&#x09;script:` too.
    word = re.match(r"[A-Za-z0-9]*", href)
    needle = (href[:20], word.group() if word and len(word.group()) >= 3 else "", "](")
    if scheme not in SAFE_SCHEMES:
        if scheme:
            ctx.error(line, needle, "unsafe-link", f"`{scheme}:` links are not allowed: `{href[:60]}`",
                      hint="link to an http(s) page, a `mailto:` or a `tel:` address")
        else:
            ctx.error(line, needle, "relative-link", f"link `{href[:60]}` has no scheme",
                      hint="write the full address, e.g. https://riverton.gov/pay, or list the answer in `related`")
        return None
    fact: FactValue | None
    try:
        if scheme in ("http", "https"):
            canonical = normalize_url(href)
            fact = FactValue(FactType.URL, canonical, canonical)
        elif scheme == "mailto":
            fact = parse_value(FactType.EMAIL, unquote(href.split(":", 1)[1]).split("?")[0], ctx.locale)
        else:
            fact = dialled(unquote(href.split(":", 1)[1]), ctx.locale)
    except (FactError, ValueError) as error:
        ctx.error(line, needle, getattr(error, "code", None) or "invalid-link", f"link `{href[:60]}`: {error}")
        return None
    if scheme == "http":
        ctx.warn(line, needle, "insecure-link", f"link `{href[:60]}` is an `http://` address: {INSECURE}",
                 hint="write `https://` if the site has it")
    return Link(href, children, fact)
