"""HTML reader: the page's h1, and the words and links a visitor sees in the answer region, parsed as a browser
parses it.

Pages are parsed with the standard library's tokenizer (html.parser) into an ElementTree: the reader reads
pages this engine wrote, which are well formed, and html5lib's full tree construction cost ~15 ms a page, most
of the gate's time. Browser recovery rules are kept where generated or edited content could meet them: void
elements, an end tag closing every element opened inside it, a stray end tag ignored, <p> closed by a block.

The answer region is the element with id="answer" (page chrome — breadcrumbs, related links, review date,
footer — is not the answer), else <main>, else <body>. Not seen: <script>, <style>, <template>, elements with
the `hidden` attribute, aria-hidden="true" or an inline style `display: none` / `visibility: hidden`, and all
they contain (their links too). <noscript> content is seen: the page is read without scripts. Blocks end a
line, table cells are joined by " | ", an image shows its alt text.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

from html.parser import HTMLParser

from engine.facts import Locale
from engine.readers import Reading
from engine.readers.text import reading

_SKIPPED = frozenset({"script", "style", "template", "head", "title", "iframe", "noembed", "noframes"})
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
    "hr", "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot",
    "thead", "tr", "ul",
})
_CELLS = frozenset({"td", "th"})
_HIDING_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)",
                           re.IGNORECASE)


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_CLOSES_P = _BLOCKS - {"body", "li", "dd", "dt", "tr", "tbody", "thead", "tfoot", "caption"} | {"li", "dd", "dt"}


class _TreeBuilder(HTMLParser):
    """Tokens in, an ElementTree out (an <html> root holding whatever the page has)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = ET.Element("html")
        self.open: list[ET.Element] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.root.attrib.update({k: v or "" for k, v in attrs if k not in self.root.attrib})
            return
        if tag in _CLOSES_P and any(e.tag == "p" for e in self.open):
            self._close("p")
        element = ET.SubElement(self.open[-1], tag, {k: v or "" for k, v in reversed(attrs)})
        if tag not in _VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and tag != "html":
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # browsers read </br> as <br>
            self.handle_starttag("br", [])
        elif any(e.tag == tag for e in self.open[1:]):
            self._close(tag)

    def _close(self, tag: str) -> None:
        while len(self.open) > 1:
            if self.open.pop().tag == tag:
                return

    def handle_data(self, data: str) -> None:
        parent = self.open[-1]
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + data
        else:
            parent.text = (parent.text or "") + data


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes) -> str:
    """The page's text: by its byte-order mark, else its <meta charset> (in the first 1,024 bytes), else UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    declared = _CHARSET.search(data[:1024])
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if encoding in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        encoding = "windows-1252"  # as browsers do
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def parse(data: bytes) -> ET.Element:
    builder = _TreeBuilder()
    builder.feed(decode(data))
    builder.close()
    return builder.root


def _tag(element: ET.Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""  # comments have a function as tag


def hidden(element: ET.Element) -> bool:
    if not isinstance(element.tag, str) or _tag(element) in _SKIPPED or "hidden" in element.attrib:
        return True
    if element.get("aria-hidden", "").strip().lower() == "true":
        return True
    return bool(_HIDING_STYLE.search(element.get("style", "")))


def _visible(element: ET.Element) -> Iterator[ET.Element]:
    """Every element a visitor sees, in document order (a hidden element hides all it contains)."""
    if hidden(element):
        return
    yield element
    for child in element:
        yield from _visible(child)


@dataclass
class _Page:
    """The words a visitor sees, line by line, and the targets of the links among them."""

    skip: ET.Element | None
    lines: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    in_pre: int = 0

    def words(self, text: str | None) -> None:
        if not text:
            return
        if self.in_pre:
            first, *rest = text.split("\n")
            self.current.append(first)
            for line in rest:
                self.end_line()
                self.current.append(line)
        else:
            self.current.append(" ".join(text.split("\n")))

    def end_line(self) -> None:
        words = " ".join("".join(self.current).split())
        if words:
            self.lines.append(words)
        self.current = []


def _row(row: ET.Element, page: _Page) -> None:
    cells = 0
    page.end_line()
    page.words(row.text)
    for child in row:
        if not hidden(child):
            if _tag(child) in _CELLS and cells:
                page.words(" | ")
            cells += _tag(child) in _CELLS
            _walk(child, page)
        page.words(child.tail)
    page.end_line()


def _walk(element: ET.Element, page: _Page) -> None:
    """Add what `element` shows (its tail is the caller's)."""
    if hidden(element) or element is page.skip:
        return
    tag = _tag(element)
    if tag == "tr":
        _row(element, page)
        return
    if tag == "br":
        page.end_line()
    elif tag == "img" or (tag == "input" and element.get("type", "").lower() == "image"):
        page.words(f" {element.get('alt', '')} ")
    elif tag == "a" and element.get("href") is not None:
        page.links.append(element.get("href", ""))
    block, pre = tag in _BLOCKS, tag == "pre"
    if block:
        page.end_line()
    page.in_pre += pre
    page.words(element.text)
    for child in element:
        _walk(child, page)
        page.words(child.tail)
    page.in_pre -= pre
    if block:
        page.end_line()


def answer_region(root: ET.Element) -> ET.Element:
    """The element holding the answer: id="answer", else <main>, else <body> (else the whole document)."""
    elements = [element for element in root.iter() if isinstance(element.tag, str)]
    for wanted in (lambda e: e.get("id") == "answer", lambda e: _tag(e) == "main", lambda e: _tag(e) == "body"):
        found = next((element for element in elements if wanted(element)), None)
        if found is not None:
            return found
    return root


def _text(element: ET.Element) -> str:
    page = _Page(skip=None)
    _walk(element, page)
    page.end_line()
    return " ".join(page.lines)


def read(data: bytes, locale: Locale = Locale()) -> Reading:
    root = parse(data)
    heading = next((e for e in _visible(root) if _tag(e) == "h1"), None)
    page = _Page(skip=heading)
    region = answer_region(root)
    if any(element is region for element in _visible(root)):
        _walk(region, page)
    page.end_line()
    title = _text(heading) if heading is not None else ""
    return reading(title, "\n".join(page.lines), tuple(page.links), locale)
