"""Properties of `import`'s HTML conversion over generated article bodies: no raw HTML and no unsafe link
reaches the answer, every word of the text survives, every safe link keeps its address, and what was
dropped is counted."""
from __future__ import annotations

from html import escape

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from engine.import_markdown import to_markdown

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789", min_size=1, max_size=10)
WORDS = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
SAFE = st.builds(lambda host, path: f"https://{host}.example/{path}", WORD.map(str.lower), WORD.map(str.lower))
UNSAFE = st.sampled_from(["javascript:alert(1)", "JavaScript:void(0)", "data:text/html,<b>x</b>", "vbscript:x"])


@st.composite
def blocks(draw: st.DrawFn) -> tuple[str, list[str], list[str], int]:
    """(html, words that must survive, safe hrefs that must survive, elements that must be dropped)"""
    html: list[str] = []
    words: list[str] = []
    hrefs: list[str] = []
    dropped = 0
    for kind in draw(st.lists(st.sampled_from(["p", "link", "unsafe", "script", "list", "heading", "tag-text"]),
                              min_size=1, max_size=8)):
        text = draw(WORDS)
        if kind == "p":
            html.append(f"<p>{escape(text)}</p>")
            words += text.split()
        elif kind == "link":
            href = draw(SAFE)
            html.append(f'<p><a href="{escape(href)}">{escape(text)}</a></p>')
            words += text.split()
            hrefs.append(href)
        elif kind == "unsafe":
            html.append(f'<p><a href="{escape(draw(UNSAFE))}">{escape(text)}</a></p>')
            words += text.split()
            dropped += 1
        elif kind == "script":
            html.append(f"<script>{escape(text)}</script>")
            dropped += 1
        elif kind == "list":
            items = draw(st.lists(WORDS, min_size=1, max_size=4))
            html.append("<ol>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ol>")
            words += [w for item in items for w in item.split()]
        elif kind == "heading":
            html.append(f"<h{draw(st.integers(1, 6))}>{escape(text)}</h{draw(st.integers(1, 6))}>")
            words += text.split()
        else:  # text that looks like a tag, written as text
            html.append(f"<p>{escape(f'<{text.split()[0]}> and </div>')}</p>")
            words.append(text.split()[0])
    return "".join(html), words, hrefs, dropped


@given(blocks())
def test_conversion_keeps_the_text_and_safe_links_and_nothing_unsafe(case: tuple[str, list[str], list[str], int]) -> None:
    html, words, hrefs, dropped = case
    converted = to_markdown(html)
    tokens = MarkdownIt("commonmark").parse(converted.markdown)
    inline = [child for token in tokens for child in (token.children or [])]
    assert not [t for t in tokens + inline if t.type in ("html_block", "html_inline")], converted.markdown
    links = [t.attrs.get("href") for t in inline if t.type == "link_open"]
    assert not [h for h in links if not str(h).startswith(("https://", "http://", "mailto:", "tel:"))], links
    assert sorted(links) == sorted(hrefs)
    text = " ".join(t.content for t in inline if t.type == "text")
    for word in words:
        assert word in text, (word, converted.markdown)
    assert sum(int(item.split()[0]) for item in converted.left_out) == dropped
