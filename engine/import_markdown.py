"""`import`'s converter: an article's HTML as CommonMark the engine accepts, and a list of what it left out.

markdownify (on BeautifulSoup) does the conversion; this module first removes what no answer may hold
(scripts, forms, embedded frames and media, `javascript:` links) and says so, turns images into their
alternative text, makes relative links absolute against the source's address, and moves the body's
headings down a level (the page's title is the answer's question). Nothing of raw HTML reaches the answer:
a `<` that would start a tag in Markdown is escaped.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

# Elements whose content is not part of the answer's text: dropped whole, and counted.
_DROPPED = ("script", "style", "noscript", "iframe", "object", "embed", "form", "button", "input", "select",
            "textarea", "svg", "canvas", "video", "audio", "nav", "template")
_SAFE_SCHEMES = ("http", "https", "mailto", "tel")


@dataclass(frozen=True)
class Converted:
    markdown: str
    left_out: tuple[str, ...]  # "2 script elements", "1 image (kept its alt text)", …


def _plural(count: int, what: str) -> str:
    return f"{count} {what}" if count == 1 else f"{count} {what}s"


def _clean(soup: BeautifulSoup, base_url: str | None, dropped: Counter[str]) -> None:
    for name in _DROPPED:
        for element in soup.find_all(name):
            dropped[f"{name} element"] += 1
            element.decompose()
    for image in soup.find_all("img"):
        alt = (image.get("alt") or "").strip()
        dropped["image (kept its alt text)" if alt else "image without alt text"] += 1
        image.replace_with(alt)
    for link in soup.find_all("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith("#"):
            link.unwrap()
            continue
        if not urlsplit(href).scheme and base_url:
            href = urljoin(base_url, href)
        scheme = urlsplit(href).scheme.lower()
        if scheme not in _SAFE_SCHEMES:
            dropped["relative link (kept its text; give --base-url)" if not scheme else f"{scheme}: link (kept its text)"] += 1
            link.unwrap()
            continue
        link.attrs = {"href": href}
    for level in range(6, 0, -1):  # h1 -> h2 …: the page's title is the question
        for heading in soup.find_all(f"h{level}"):
            heading.name = f"h{min(level + 1, 6)}"


class _Converter(MarkdownConverter):
    """markdownify with the answer file's conventions: ATX headings, `-` bullets, no title on links."""

    def convert_a(self, el: Tag, text: str, *args: object, **kwargs: object) -> str:
        href = el.get("href")
        label = text.strip() or str(href)
        return f"[{label}]({href})" if href else text


_BLANKS = re.compile(r"\n{3,}")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def to_markdown(html: str, base_url: str | None = None) -> Converted:
    soup = BeautifulSoup(html, "html.parser")
    dropped: Counter[str] = Counter()
    _clean(soup, base_url, dropped)
    text = _Converter(heading_style="ATX", bullets="-", escape_misc=False, strip_document="strip").convert_soup(soup)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    markdown = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
    markdown = _TAG_START.sub(r"\\<", markdown)
    left_out = tuple(_plural(count, what) for what, count in sorted(dropped.items()))
    return Converted(markdown + "\n" if markdown else "", left_out)


def tidy_markdown(text: str) -> Converted:
    """Markdown given as such (a CSV row): line endings and blank runs normalised, raw tags escaped."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    markdown = _TAG_START.sub(r"\\<", _BLANKS.sub("\n\n", "\n".join(lines)).strip())
    return Converted(markdown + "\n" if markdown else "", ())
