"""Which HTML-to-Markdown converter keeps an article's structure best: list items, links and headings kept,
counted by parsing each converter's Markdown back with markdown-it, over the import fixtures.

    python benchmarks/html_converters.py

markdownify is the project's converter (MIT). html2text (GPL-3.0, so not a dependency) is measured when it
is installed.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from engine.import_markdown import to_markdown

BASE = "https://lakeside.example/"  # where the fixtures' relative links point
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "import"


def bodies() -> list[str]:
    found = [article["body"] for article in json.loads((FIXTURES / "zendesk_articles.json").read_text())["articles"]
             if article.get("body")]
    for page in sorted((FIXTURES / "pages").rglob("*.html")):
        found.append(str(BeautifulSoup(page.read_text(), "html.parser").select_one("main")))
    return found


def in_html(html: str) -> tuple[int, int, int]:
    soup = BeautifulSoup(html, "html.parser")
    links = [a for a in soup.find_all("a") if (a.get("href") or "").startswith(("http", "/", "mailto:", "tel:"))]
    return (len(soup.find_all("li")), len(links), len(soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])))


def in_markdown(text: str) -> tuple[int, int, int]:
    tokens = MarkdownIt("commonmark").parse(text)
    inline = [child for token in tokens for child in (token.children or [])]
    return (sum(t.type == "list_item_open" for t in tokens), sum(t.type == "link_open" for t in inline),
            sum(t.type == "heading_open" for t in tokens))


def converters() -> dict[str, Callable[[str], str]]:
    found: dict[str, Callable[[str], str]] = {"markdownify (engine.import_markdown)": lambda h: to_markdown(h, BASE).markdown}
    try:
        import html2text
    except ImportError:
        return found

    def with_html2text(html: str) -> str:
        maker = html2text.HTML2Text(baseurl=BASE)
        maker.body_width = 0
        return maker.handle(html)

    found["html2text"] = with_html2text
    return found


def main() -> None:
    pages = bodies()
    want = [sum(column) for column in zip(*(in_html(page) for page in pages))]
    print(f"{len(pages)} article bodies: {want[0]} list items, {want[1]} links, {want[2]} headings in the HTML")
    print("| converter | list items kept | links kept | headings kept |")
    print("| --- | ---: | ---: | ---: |")
    for name, convert in converters().items():
        got = [sum(column) for column in zip(*(in_markdown(convert(page)) for page in pages))]
        print(f"| {name} | {got[0]}/{want[0]} | {got[1]}/{want[1]} | {got[2]}/{want[2]} |")


if __name__ == "__main__":
    main()
