"""Chat Markdown reader: the words a chat client shows for a Markdown snippet, one line per block, and its links.

Parsed as CommonMark with tables and `~~strike~~` (what chat clients add); raw HTML is off, so any tag shows
as the literal characters a client that does not render HTML shows. Inline code keeps its content, backslash
escapes and entities are resolved, a link shows its text and an autolink its URL; list markers are not words.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from engine.facts import Locale
from engine.readers import Reading
from engine.readers.text import decode, reading

_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

_WORDS = ("text", "text_special", "code_inline", "html_inline")
_BREAKS = ("softbreak", "hardbreak")
_STYLE = ("em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close", "link_close")
_LINE_ENDS = ("paragraph_close", "heading_close", "tr_close", "list_item_close", "blockquote_close")
_CODE = ("fence", "code_block", "html_block")
_CONTAINERS = (
    "paragraph_open", "heading_open", "bullet_list_open", "bullet_list_close", "ordered_list_open",
    "ordered_list_close", "list_item_open", "blockquote_open", "table_open", "table_close", "thead_open",
    "thead_close", "tbody_open", "tbody_close", "th_close", "td_close", "hr",
)


@dataclass
class _Page:
    """What a client shows, line by line, and the link targets met on the way."""

    lines: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    cells: int = 0

    def end_line(self) -> None:
        for line in "".join(self.current).split("\n"):
            words = " ".join(line.split())
            if words:
                self.lines.append(words)
        self.current = []


def _inline(tokens: Sequence[Token], page: _Page) -> None:
    for token in tokens:
        if token.type in _WORDS:
            page.current.append(token.content)
        elif token.type in _BREAKS:
            page.current.append("\n")
        elif token.type == "link_open":
            page.links.append(str(token.attrs.get("href", "")))
        elif token.type == "image":
            _inline(token.children or (), page)  # the alt text, itself Markdown
        elif token.type not in _STYLE:
            raise TypeError(f"markdown reader: unknown inline token {token.type}")


def _block(token: Token, page: _Page) -> None:
    if token.type == "inline":
        _inline(token.children or (), page)
    elif token.type in _LINE_ENDS:
        page.end_line()
    elif token.type == "tr_open":
        page.cells = 0
    elif token.type in ("th_open", "td_open"):
        if page.cells:
            page.current.append(" | ")
        page.cells += 1
    elif token.type in _CODE:
        page.end_line()
        page.current.append(token.content)
        page.end_line()
    elif token.type not in _CONTAINERS:
        raise TypeError(f"markdown reader: unknown block token {token.type}")


def plain(source: str) -> tuple[str, tuple[str, ...]]:
    """Markdown as the words it shows (one line per block) and its link targets, in order."""
    page = _Page()
    for token in _PARSER.parse(source):
        _block(token, page)
    page.end_line()
    return "\n".join(page.lines), tuple(page.links)


def read(data: bytes, locale: Locale = Locale()) -> Reading:
    text, links = plain(decode(data))
    return reading("", text, links, locale)
