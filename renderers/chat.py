"""The chat channel: a conversational snippet per answer, in Markdown and plain text, with quick replies."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from pydantic import ConfigDict, Field

from channels import ChannelSpec
from engine.facts import FactType, FactValue, says_short_code
from engine.model import (
    Block, Code, CodeBlock, Emphasis, FactMention, Heading, Image, Inline, LineBreak, Link, ListBlock, ListItem,
    Paragraph, Quote, Rule, Scoped, Strike, Strong, Table, Text,
)
from engine.select import View, lead_in_list
from renderers import Metric, Note, Rendered, Site, phrases, plain_facts
from renderers.written_names import written_name

CHANNEL = "chat"


class Config(ChannelSpec):
    model_config = ConfigDict(extra="forbid")

    budget_characters: int = Field(640, ge=1, description="Most characters of the plain-text snippet, link included.")
    include_detail: bool = Field(False, description="Add detail blocks after the steps while they fit the budget.")
    link_label: str = Field("Full answer", min_length=1, description="The words of the link to the full answer.")
    max_quick_replies: int = Field(10, ge=0, description="Most quick replies (from `related`) per answer.")


# ------------------------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# What turns the start of a line into a heading, list, quote, rule or setext underline.
_MD_LINE_START = re.compile(r"^(?:[#+\-=]|\d{1,9}(?=[.)](?:\s|$)))")
_SPACES = re.compile(r"\s+")
_AUTOLINK_SAFE = re.compile(r"^https?://[^\s<>\x00-\x1f\x7f]+$")


def escape(text: str) -> str:
    """Content as Markdown that shows exactly `text` and can create no formatting, link or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def escape_line_start(line: str) -> str:
    match = _MD_LINE_START.match(line)
    if match is None:
        return line
    if match.group(0)[0].isdigit():
        end = match.end()
        return f"{line[:end]}\\{line[end:]}"
    return "\\" + line


def destination(href: str) -> str:
    """A link destination CommonMark reads back as `href` (no spaces, brackets, parentheses or entities)."""
    return quote(href, safe="/:?#@!$'*+,;=%-._~&").replace("&", "\\&")


def _code_span(text: str) -> str:
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.strip() and (text[0] in "` " or text[-1] in "` ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _wrap(marker: str, inner: str) -> str:
    """`inner` between emphasis markers, with any surrounding spaces moved outside (where they must be)."""
    core = inner.strip()
    if not core:
        return inner
    start = inner[: len(inner) - len(inner.lstrip())]
    end = inner[len(inner.rstrip()):]
    return f"{start}{marker}{core}{marker}{end}"


def _code_fence(text: str) -> str:
    return "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)


# --------------------------------------------------------------------------------------------- content


@dataclass
class _Writer:
    """Model nodes as chat lines, in Markdown or in plain text; what chat cannot carry becomes a note."""

    markdown: bool
    style: plain_facts.Style = plain_facts.Style()  # facts in the house style, in the knowledge base's locale
    notes: list[Note] = field(default_factory=list)

    def text(self, raw: str) -> str:
        raw = _SPACES.sub(" ", raw)
        return escape(raw) if self.markdown else raw

    def inlines(self, nodes: tuple[Inline, ...], line: int, in_link: bool = False) -> str:
        return "".join(self.inline(node, line, in_link) for node in _merge_code(nodes))

    def inline(self, node: Inline, line: int, in_link: bool) -> str:
        if isinstance(node, Text):
            return self.text(node.text)
        if isinstance(node, FactMention):
            name = written_name(node)
            return self.text(name) if name is not None else self.fact(node.fact, in_link)
        if isinstance(node, Code):
            return _code_span(node.text) if self.markdown else node.text
        if isinstance(node, (Emphasis, Strong, Strike)):
            return self.styled(node, line, in_link)
        if isinstance(node, Link):
            return self.link(node, line)
        if isinstance(node, Image):
            self.note("image", f"an image cannot be shown; its description `{node.alt}` is shown instead", line)
            return self.text(node.alt)
        if isinstance(node, LineBreak):
            return " "
        raise TypeError(f"chat: unknown inline node {type(node).__name__}")

    def fact(self, fact: FactValue, in_link: bool) -> str:
        shown = plain_facts.written(fact, self.style)
        if self.markdown and fact.type is FactType.URL and not in_link and _AUTOLINK_SAFE.match(fact.canonical):
            return f"<{shown}>" if shown == fact.canonical else f"[{self.text(shown)}]({destination(fact.canonical)})"
        return self.text(shown)

    def styled(self, node: Emphasis | Strong | Strike, line: int, in_link: bool) -> str:
        inner = self.inlines(node.children, line, in_link)
        if not self.markdown:
            if isinstance(node, Strike):
                self.note("strikethrough", "struck-out text is shown as plain text in the plain-text snippet", line)
            return inner
        marker = "*" if isinstance(node, Emphasis) else "**" if isinstance(node, Strong) else "~~"
        return _wrap(marker, inner)

    def link(self, node: Link, line: int) -> str:
        text = self.inlines(node.children, line, in_link=True)
        if not text.strip():  # a link with no words: its target is all the customer can be told
            return self.text(plain_facts.written(node.fact, self.style) if node.fact is not None else node.href)
        if self.markdown:
            return f"[{text}]({destination(node.href)})" if text.strip() else text
        if node.fact is None or any(isinstance(c, FactMention) and c.fact == node.fact for c in _flat(node.children)) \
                or says_short_code(node.fact, text):
            return text
        return f"{text} ({plain_facts.written(node.fact, self.style)})"

    def block(self, block: Block) -> list[str]:
        """The lines of one block (no blank lines inside, except in quotes and code)."""
        if isinstance(block, Paragraph):
            return self.paragraph(self.inlines(block.inlines, block.line))
        if isinstance(block, Heading):
            title = self.inlines(block.inlines, block.line).strip()
            return [_wrap("**", title)] if self.markdown and title else self.paragraph(title)
        if isinstance(block, ListBlock):
            return [line for index, item in enumerate(block.items) for line in self.item(block, index, item)]
        if isinstance(block, Quote):
            lines = [line for child in block.blocks for line in self.block(child)]
            return [f"> {line}" if self.markdown else f"  {line}" for line in lines]
        if isinstance(block, CodeBlock):
            return self.code_block(block)
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, Rule):
            return ["* * *"]
        if isinstance(block, Scoped):
            raise ValueError(f"chat: a `:::` block (line {block.line}) reached the renderer; views resolve them")
        raise TypeError(f"chat: unknown block node {type(block).__name__}")

    def paragraph(self, text: str) -> list[str]:
        text = text.strip()
        if not text:
            return []
        return [escape_line_start(text) if self.markdown else text]

    def item(self, block: ListBlock, index: int, item: ListItem) -> list[str]:
        marker = f"{block.start + index}." if block.ordered else "-" if self.markdown else "•"
        lines = [line for child in item.blocks for line in self.block(child)]
        indent = " " * (len(marker) + 1)
        if not lines:
            return [marker]
        return [f"{marker} {lines[0]}", *(f"{indent}{line}" for line in lines[1:])]

    def code_block(self, block: CodeBlock) -> list[str]:
        lines = block.text.split("\n")
        if not self.markdown:
            return [f"    {line}" for line in lines]
        fence = _code_fence(block.text)
        language = block.language if re.fullmatch(r"[\w+.#-]*", block.language) else ""
        return [f"{fence}{language}", *lines, fence]

    def table(self, block: Table) -> list[str]:
        self.note("table", "a table cannot be shown in chat; each row is shown as a list item", block.line)
        header = [self.inlines(cell, block.line).strip() for cell in block.header]
        lines: list[str] = []
        for row in block.rows:
            cells = [self.inlines(cell, block.line).strip() for cell in row]
            pairs = [f"{name}: {cell}" if name else cell for name, cell in zip(header, cells)] if header else cells
            lines.append(f"{'-' if self.markdown else '•'} {escape_line_start('; '.join(pairs))}")
        return lines

    def note(self, code: str, message: str, line: int) -> None:
        self.notes.append(Note(code, f"{CHANNEL}: {message}", "warning", line))


def _merge_code(nodes: tuple[Inline, ...]) -> list[Inline]:
    """Adjacent code spans as one: side by side, their backtick fences would run together."""
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Code) and merged and isinstance(merged[-1], Code):
            merged[-1] = Code(merged[-1].text + node.text)
        else:
            merged.append(node)
    return merged


def _flat(nodes: tuple[Inline, ...]) -> list[Inline]:
    out: list[Inline] = []
    for node in nodes:
        out.append(node)
        if isinstance(node, (Emphasis, Strong, Strike, Link)):
            out.extend(_flat(node.children))
    return out


# ------------------------------------------------------------------------------------------ the snippet

Section = list[str]


def _join(sections: list[Section]) -> str:
    return "\n\n".join("\n".join(section) for section in sections if section)


def _head(view: View, writer: _Writer, keep: int = 2) -> list[Section]:
    """The override, or the short answer (with the list it introduces, if it ends in ":") and the steps (after
    their condition, when something scopes them). `keep` degrades: 1 leaves the steps out, 0 the list too (the
    short answer's colon then leads to the link, never to something else). An active notice comes first."""
    notice = [writer.block(view.notice)] if view.notice is not None else []
    if view.override is not None:
        return [*notice, writer.paragraph(writer.inlines(view.override.inlines, view.override.line))]
    sections = [*notice, writer.block(view.short_answer)]
    listed = lead_in_list(view)
    if listed is not None and listed is not view.steps:
        if keep == 0:
            return sections
        sections.append(writer.block(listed))
    if view.steps is not None and keep == 2:
        sections.extend(writer.block(block) for block in view.condition)  # what the steps are for comes first
        sections.append(writer.block(view.steps))
    return sections


def _left_out(view: View, keep: int) -> list[Note]:
    """What a degraded snippet leaves to the full answer, by name."""
    listed = lead_in_list(view)
    if view.override is not None or keep == 2:
        return []
    if (listed is None or listed is view.steps) and view.steps is not None:
        return [Note("steps-left-out", f"{CHANNEL}: the steps from line {view.steps.line} would not fit the budget; "
                     "the snippet gives the short answer and leads to the full answer", "warning", view.steps.line)]
    if listed is None or listed is view.steps:
        return []
    what = [*(["the steps"] if view.steps is not None else []), *(["the list"] if keep == 0 else [])]
    if not what:
        return []
    line = listed.line if keep == 0 else view.steps.line if view.steps is not None else listed.line
    return [Note("list-left-out", f"{CHANNEL}: {' and '.join(what)} from line {line} would not fit the budget; "
                 "the snippet leads to the full answer instead", "warning", line)]


@dataclass
class _Snippet:
    plain: list[Section]
    markdown: list[Section]
    notes: list[Note]


def _snippet(view: View, config: Config, link: tuple[Section, Section], style: plain_facts.Style) -> _Snippet:
    """The fullest snippet that fits: the head with the list its short answer introduces and the steps, then
    without the steps, then the short answer and the link alone (each step down a warning)."""
    for keep in (2, 1, 0):
        plain, markdown = _Writer(False, style), _Writer(True, style)
        snippet = _Snippet(_head(view, plain, keep), _head(view, markdown, keep), [*plain.notes, *markdown.notes])
        if len(_join([*snippet.plain, link[0]])) <= config.budget_characters:
            break
    snippet.notes.extend(_left_out(view, keep))
    if config.include_detail and view.override is None and keep == 2:
        _add_detail(view, config, link, snippet, style)
    snippet.plain.append(link[0])
    snippet.markdown.append(link[1])
    return snippet


def _add_detail(view: View, config: Config, link: tuple[Section, Section], snippet: _Snippet,
                style: plain_facts.Style) -> None:
    """Detail blocks in order, while the snippet (link included) stays within the budget; a heading goes in
    only with the block after it."""
    listed = lead_in_list(view)
    for group in _groups(tuple(block for block in view.detail if block is not listed)):
        plain, markdown = _Writer(False, style), _Writer(True, style)
        lines = [plain.block(block) for block in group]
        if len(_join([*snippet.plain, *lines, link[0]])) > config.budget_characters:
            return
        snippet.plain.extend(lines)
        snippet.markdown.extend(markdown.block(block) for block in group)
        snippet.notes.extend([*plain.notes, *markdown.notes])


def _groups(blocks: tuple[Block, ...]) -> list[list[Block]]:
    groups: list[list[Block]] = []
    for block in blocks:
        if groups and isinstance(groups[-1][-1], Heading):
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups


def _quick_replies(view: View, config: Config, site: Site) -> tuple[list[dict[str, str]], list[Note]]:
    notes: list[Note] = []
    replies = [{"title": site.answers[rid].question, "id": rid} for rid in view.related if rid in site.answers]
    missing = [rid for rid in view.related if rid not in site.answers]
    if missing:
        notes.append(Note("related-missing", f"{CHANNEL}: {view.id}: no answer {', '.join(missing)} for a quick reply"))
    if len(replies) > config.max_quick_replies:
        notes.append(Note("quick-replies", f"{CHANNEL}: {view.id}: {len(replies)} related answers; only the first "
                                           f"{config.max_quick_replies} become quick replies"))
        replies = replies[: config.max_quick_replies]
    return replies, notes


def _over_budget(view: View, characters: int, config: Config, link_line: str) -> Note:
    budget = config.budget_characters
    room = budget - len(link_line) - 2
    fix = (f"shorten the `chat:` override to at most {room} characters" if view.override is not None
           else f"write a `chat:` override of at most {room} characters (the link takes the rest), "
                f"or shorten the short answer and steps")
    message = (f"{CHANNEL}: {view.id}: the snippet is {characters} characters; the budget is {budget}: "
               f"{characters - budget} over; {fix}")
    return Note("over-budget", message, "error", view.override.line if view.override else view.short_answer.line)


def render(view: View, config: Config, site: Site) -> Rendered:
    url = site.web_url(view.id)
    words = phrases.for_view(view, site.language)  # a translation: its language's words (renderers/phrases.py)
    label = config.link_label if words is None else words.full_answer
    link = ([f"{label}: {url}"], [f"[{escape(label)}]({destination(url)})"])
    snippet = _snippet(view, config, link, plain_facts.Style(site.locale))
    plain, markdown = _join(snippet.plain), _join(snippet.markdown)
    replies, reply_notes = _quick_replies(view, config, site)
    notes = list(dict.fromkeys([*snippet.notes, *reply_notes]))
    if len(plain) > config.budget_characters:
        notes.append(_over_budget(view, len(plain), config, link[0][0]))
    data = {"id": view.id, "text": plain, "markdown": markdown, "url": url, "quick_replies": replies,
            "hash": view.answer.hash}
    metrics: dict[str, Metric] = {"characters": len(plain), "quick_replies": len(replies),
                                  "override": view.override is not None}
    files = {
        f"{view.id}.md": (markdown + "\n").encode("utf-8"),
        f"{view.id}.txt": (plain + "\n").encode("utf-8"),
        f"{view.id}.json": (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    }
    return Rendered(f"{view.id}.md", files, metrics, tuple(notes))
