"""The web channel: one accessible, script-free HTML page per public answer, topic and home pages, a sitemap."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape
from pydantic import ConfigDict, Field, field_validator

import channels
from channels import ChannelSpec
from engine.facts import FactType, FactValue, Hours
from engine.model import (
    Block, Code, CodeBlock, Emphasis, FactMention, Heading, Image, Inline, LineBreak, Link, ListBlock, ListItem,
    Paragraph, Quote, Rule, Scoped, Strike, Strong, Table, Text,
)
from engine.select import View
from renderers import IndexEntry, Note, Rendered, Site, fact_forms, phrases, plain_facts
from renderers.written_names import written_name

TEMPLATES = channels.HERE / "templates" / "web"
STYLESHEET = "assets/site.css"


class Config(ChannelSpec):
    """channels/web.yaml."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(
        pattern=r"^https?://[^\s/?#<>\"']+(?:/[^\s?#<>\"']*)?$",
        description="Where the pages are published, e.g. https://riverton.gov/help (no trailing slash); "
                    "canonical links, the sitemap and the JSON-LD use it.",
    )
    home_title: str = Field("Help and answers", min_length=1, description="The home page's heading.")
    topics: dict[str, str] = Field(default_factory=dict,
                                   description="Display names of topics (folder name -> title); others are derived.")

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if value.endswith("/"):
            raise ValueError(f"write base_url without a trailing slash: `{value.rstrip('/')}`")
        return value


# ------------------------------------------------------------------------------------------ fact presentation

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def clean(text: str) -> str:
    """Text with the code points HTML and XML forbid (C0/C1 controls, noncharacters) made visible as U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def _e(text: str) -> Markup:
    return escape(clean(text))


@dataclass(frozen=True)
class Context:
    """What presentation needs beyond the node: the site, the phone region, and whether we are inside a link."""

    site: Site
    region: str
    linked: bool = True  # False inside a link's text, where no nested anchor may appear

    @property
    def style(self) -> plain_facts.Style:
        return plain_facts.Style(self.site.locale)


def region_of(site: Site) -> str:
    """The knowledge base's phone region (`_settings.yaml`), whose numbers are written in national form."""
    return site.locale.region


def _rel(href: str, site: Site) -> Markup:
    inside = href == site.base_url or href.startswith(site.base_url + "/")
    return Markup(' rel="noopener"') if href.lower().startswith(("http:", "https:")) and not inside else Markup("")


def _anchor(href: str, words: Markup, ctx: Context) -> Markup:
    if not ctx.linked:
        return words
    return Markup('<a href="{}"{}>{}</a>').format(clean(href), _rel(href, ctx.site), words)


def date_words(value: date) -> str:
    return plain_facts.date_words(value)


def _time_element(value: time, words: str | None = None) -> Markup:
    return Markup('<time datetime="{}">{}</time>').format(value.strftime("%H:%M"), words or plain_facts.clock(value))


# The words of every fact come from the house style (renderers/plain_facts.py); the web adds only markup.


def present_phone(fact: FactValue, ctx: Context) -> Markup:
    return _anchor(f"tel:{fact.canonical}", _e(plain_facts.phone(fact, ctx.style)), ctx)


def present_date(fact: FactValue, ctx: Context) -> Markup:
    assert isinstance(fact.value, date)
    return Markup('<time datetime="{}">{}</time>').format(fact.value.isoformat(), plain_facts.day(fact, ctx.style))


def present_time(fact: FactValue, ctx: Context) -> Markup:
    assert isinstance(fact.value, time)
    return _time_element(fact.value, plain_facts.clock(fact.value, ctx.style))  # "9:00 a.m." in es-US


def present_hours(fact: FactValue, ctx: Context) -> Markup:
    h = fact.value
    assert isinstance(h, Hours)
    where = fact_forms.babel_locale(ctx.style.locale.language)
    if plain_facts.is_always_open(h) or (where is not None and (h.first_day, h.last_day) == (0, 6)
                                         and h.opens == time(0, 0) and h.until_midnight):
        return _e(plain_facts.hours(fact, ctx.style))
    if where is not None:  # "de lunes a viernes, de 9:00 a.m. a 5:00 p.m." (renderers/fact_forms.py)
        start, to = fact_forms.FROM_TO.get(where.language, ("", " - "))
        span = Markup("{}{}{}{}").format(start, _time_element(h.opens, fact_forms.clock(h.opens, where)), to,
                                         _time_element(h.closes, fact_forms.closing(h, where)))
        days = fact_forms.day_words(h, where)
        return Markup("{}, {}").format(days, span) if days else span
    span = Markup("{} to {}").format(_time_element(h.opens), _time_element(h.closes, plain_facts.closing(h)))
    if h.first_day is None or h.last_day is None:
        return span
    return Markup("{}, {}").format(plain_facts.day_span(h.first_day, h.last_day), span)


def url_words(canonical: str) -> str:
    """The URL as people read it: without `https://` when the short form still reads back as the same URL."""
    return plain_facts.short_url(canonical)


def present_url(fact: FactValue, ctx: Context) -> Markup:
    return _anchor(fact.canonical, _e(url_words(fact.canonical)), ctx)


def present_email(fact: FactValue, ctx: Context) -> Markup:
    return _anchor(f"mailto:{fact.canonical}", _e(fact.canonical), ctx)


def present_words(fact: FactValue, ctx: Context) -> Markup:
    return _e(plain_facts.written(fact, ctx.style))


PRESENT: dict[FactType, Callable[[FactValue, Context], Markup]] = {
    FactType.PHONE: present_phone,
    FactType.MONEY: present_words,
    FactType.DATE: present_date,
    FactType.TIME: present_time,
    FactType.HOURS: present_hours,
    FactType.DURATION: present_words,
    FactType.URL: present_url,
    FactType.EMAIL: present_email,
    FactType.PERCENT: present_words,
    FactType.TEXT: present_words,
}


# ------------------------------------------------------------------------------------------------- inlines


def _link(node: Link, ctx: Context) -> Markup:
    fact = node.fact
    if fact is not None and fact.type is FactType.PHONE:
        href = f"tel:{fact.canonical}"
    elif fact is not None and fact.type is FactType.EMAIL:
        href = f"mailto:{fact.canonical}"
    else:
        href = node.href
    return _anchor(href, _inline_nodes(node.children, replace(ctx, linked=False)), ctx)


def _wrap(tag: str) -> Callable[[Emphasis | Strong | Strike, Context], Markup]:
    def render(node: Emphasis | Strong | Strike, ctx: Context) -> Markup:
        return Markup(f"<{tag}>{{}}</{tag}>").format(_inline_nodes(node.children, ctx))
    return render


_INLINE: dict[type, Callable[..., Markup]] = {
    Text: lambda node, ctx: _e(node.text),
    FactMention: lambda node, ctx: (_e(name) if (name := written_name(node)) is not None
                                    else PRESENT[node.fact.type](node.fact, ctx)),
    Code: lambda node, ctx: Markup("<code>{}</code>").format(_e(node.text)),
    Emphasis: _wrap("em"),
    Strong: _wrap("strong"),
    Strike: _wrap("s"),
    Link: _link,
    Image: lambda node, ctx: Markup('<img src="{}" alt="{}">').format(clean(node.src), clean(node.alt)),
    LineBreak: lambda node, ctx: Markup("<br>\n"),
}


def _inline_nodes(inlines: Sequence[Inline], ctx: Context) -> Markup:
    parts: list[Markup] = []
    for node in inlines:
        render = _INLINE.get(type(node))
        if render is None:
            raise TypeError(f"web: unknown inline node {type(node).__name__}")
        parts.append(render(node, ctx))
    return Markup("").join(parts)


def inlines_html(inlines: Sequence[Inline], site: Site) -> Markup:
    """Inline content as HTML: every text escaped, facts in their web form (tel:, mailto:, <time>, links)."""
    return _inline_nodes(inlines, Context(site, region_of(site)))


# -------------------------------------------------------------------------------------------------- blocks


@dataclass
class _Writer:
    """Blocks to HTML, in document order: it shifts headings so none skips a level and collects notes."""

    ctx: Context
    top_level: int
    shift: int
    roles: Mapping[int, str]  # id(block) -> class, for the short answer and the steps
    last_level: int = 0
    notes: list[Note] = field(default_factory=list)

    def blocks(self, blocks: Sequence[Block]) -> Markup:
        return Markup("\n").join(self.block(b) for b in blocks)

    def block(self, block: Block) -> Markup:
        method = _BLOCKS.get(type(block))
        if method is None:
            raise TypeError(f"web: unknown block node {type(block).__name__}")
        return method(self, block)

    def level(self, wanted: int) -> int:
        level = min(wanted, (self.last_level or self.top_level) + 1, 6)
        self.last_level = level
        return level

    def css_class(self, block: Block) -> Markup:
        role = self.roles.get(id(block))
        return Markup(' class="{}"').format(role) if role else Markup("")

    def inlines(self, inlines: Sequence[Inline], line: int) -> Markup:
        for node in inlines:
            if isinstance(node, Image) and not node.alt.strip():
                self.notes.append(Note("image-without-alt", f"an image ({node.src[:60]}) has no alt text, so "
                                       "screen readers skip it: describe it inside the brackets of ![...](...)",
                                       line=line))
        return _inline_nodes(inlines, self.ctx)

    def paragraph(self, block: Paragraph) -> Markup:
        return Markup("<p{}>{}</p>").format(self.css_class(block), self.inlines(block.inlines, block.line))

    def heading(self, block: Heading) -> Markup:
        level = self.level(block.level + self.shift)
        return Markup(f"<h{level}>{{}}</h{level}>").format(self.inlines(block.inlines, block.line))

    def list_block(self, block: ListBlock) -> Markup:
        tag = "ol" if block.ordered else "ul"
        start = Markup(' start="{}"').format(block.start) if block.ordered and block.start != 1 else Markup("")
        items = Markup("\n").join(self.item(item) for item in block.items)
        return Markup(f"<{tag}{{}}{{}}>\n{{}}\n</{tag}>").format(self.css_class(block), start, items)

    def item(self, item: ListItem) -> Markup:
        if len(item.blocks) == 1 and isinstance(item.blocks[0], Paragraph):  # a tight item reads as one line
            return Markup("<li>{}</li>").format(self.inlines(item.blocks[0].inlines, item.line))
        return Markup("<li>\n{}\n</li>").format(self.blocks(item.blocks))

    def quote(self, block: Quote) -> Markup:
        return Markup("<blockquote>\n{}\n</blockquote>").format(self.blocks(block.blocks))

    def code_block(self, block: CodeBlock) -> Markup:
        language = block.language if re.fullmatch(r"[A-Za-z0-9_+-]+", block.language) else ""
        kind = Markup(' class="language-{}"').format(language) if language else Markup("")
        return Markup("<pre><code{}>{}</code></pre>").format(kind, _e(block.text))

    def table(self, block: Table) -> Markup:
        def cell(tag: str, inlines: Sequence[Inline], column: int) -> Markup:
            align = block.align[column] if column < len(block.align) else ""
            scope = Markup(' scope="col"') if tag == "th" else Markup("")
            kind = Markup(' class="align-{}"').format(align) if align in ("left", "center", "right") else Markup("")
            return Markup(f"<{tag}{{}}{{}}>{{}}</{tag}>").format(scope, kind, self.inlines(inlines, block.line))

        def row(tag: str, cells: Sequence[Sequence[Inline]]) -> Markup:
            return Markup("<tr>\n{}\n</tr>").format(Markup("\n").join(cell(tag, c, i) for i, c in enumerate(cells)))

        names = ", ".join(_inline_nodes(c, replace(self.ctx, linked=False)).striptags() for c in block.header)
        body = Markup("\n").join(row("td", cells) for cells in block.rows)
        # A wide table scrolls inside its own focusable region, so the page itself reflows (WCAG 1.4.10).
        return Markup('<div class="table-scroll" role="region" tabindex="0" aria-label="{}">\n<table>\n'
                      '<thead>\n{}\n</thead>\n<tbody>\n{}\n</tbody>\n</table>\n</div>').format(
                          f"Table: {names}", row("th", block.header), body)

    def rule(self, block: Rule) -> Markup:
        return Markup("<hr>")

    def scoped(self, block: Scoped) -> Markup:
        if block.kind != "internal":
            raise ValueError(f"web: an unresolved `::: {block.kind}` block (line {block.line}) reached the renderer")
        level = self.level((self.last_level or self.top_level) + 1)
        return Markup('<aside class="internal-note">\n<h{0}>Internal note</h{0}>\n{1}\n</aside>').format(
            level, self.blocks(block.blocks))


_BLOCKS: dict[type, Callable[[_Writer, Any], Markup]] = {
    Paragraph: _Writer.paragraph,
    Heading: _Writer.heading,
    ListBlock: _Writer.list_block,
    Quote: _Writer.quote,
    CodeBlock: _Writer.code_block,
    Table: _Writer.table,
    Rule: _Writer.rule,
    Scoped: _Writer.scoped,
}


def _heading_levels(blocks: Sequence[Block]) -> list[int]:
    levels: list[int] = []
    for block in blocks:
        if isinstance(block, Heading):
            levels.append(block.level)
        elif isinstance(block, ListBlock):
            for item in block.items:
                levels.extend(_heading_levels(item.blocks))
        elif isinstance(block, (Quote, Scoped)):
            levels.extend(_heading_levels(block.blocks))
    return levels


def _writer(blocks: Sequence[Block], site: Site, top_level: int, roles: Mapping[int, str]) -> _Writer:
    levels = _heading_levels(blocks)
    shift = top_level + 1 - min(levels) if levels else 0
    return _Writer(Context(site, region_of(site)), top_level, shift, roles)


def blocks_html(blocks: Sequence[Block], site: Site, *, top_level: int = 1, short_answer: Paragraph | None = None,
                steps: ListBlock | None = None) -> Markup:
    """Blocks as HTML under a heading of `top_level`: the body's headings start one level below it and never
    skip a level; `Scoped(kind="internal")` notes become an `<aside class="internal-note">`; the short answer
    and the steps (when given) carry the classes `short-answer` and `steps`."""
    roles = {id(b): role for b, role in ((short_answer, "short-answer"), (steps, "steps")) if b is not None}
    return _writer(blocks, site, top_level, roles).blocks(blocks)


# ---------------------------------------------------------------------------------------------- plain text

_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|th|td|pre|blockquote)>")
_IMAGE = re.compile(r'<img [^>]*alt="([^"]*)"[^>]*>')


def html_text(html: Markup) -> str:
    """The words of our own HTML as a reader sees them: one line per block, image alt text in place.
    Sound because every text and attribute was escaped, so `<` only ever opens one of our tags."""
    lines = _BLOCK_END.split(_IMAGE.sub(r"\1", str(html)))
    return "\n".join(filter(None, (" ".join(Markup(line).striptags().split()) for line in lines)))


def blocks_text(blocks: Sequence[Block], site: Site) -> str:
    """The words a reader sees in `blocks`, one line per block."""
    return html_text(blocks_html(blocks, site))


def answer_text(view: View, site: Site) -> str:
    """The short answer and the steps as the page shows them: the JSON-LD acceptedAnswer text."""
    return blocks_text([view.short_answer, *([view.steps] if view.steps is not None else [])], site)


# -------------------------------------------------------------------------------------------------- pages


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def _page(template: str, **values: object) -> bytes:
    return environment().get_template(template).render(**values).encode("utf-8")


def json_ld(data: object) -> Markup:
    """JSON for a <script> element: `<`, `>` and `&` escaped so no text can end the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def topic_title(topic: str, config: Config) -> str:
    return clean(config.topics.get(topic) or topic.replace("-", " ").capitalize())


def _root(path: str) -> str:
    return "../" * path.count("/")


def _check_public(blocks: Sequence[Block]) -> None:
    for block in blocks:
        if isinstance(block, Scoped):
            raise ValueError(f"web: a `::: {block.kind}` block (line {block.line}) reached a public page")
        if isinstance(block, ListBlock):
            for item in block.items:
                _check_public(item.blocks)
        elif isinstance(block, Quote):
            _check_public(block.blocks)


def notice_html(view: View, site: Site) -> Markup:
    """An active notice (engine/notices.py) as the banner that opens the answer, or nothing."""
    if view.notice is None:
        return Markup("")
    return Markup('<p class="notice" role="note" aria-label="Notice">{}</p>\n').format(
        inlines_html(view.notice.inlines, site))


def _body(view: View, site: Site) -> tuple[Markup, list[Note]]:
    blocks: list[Block] = list(view.blocks)
    if not any(b is view.short_answer for b in blocks):
        blocks.insert(0, view.short_answer)  # every channel leads with the short answer
    roles = {id(view.short_answer): "short-answer"}
    if view.steps is not None:
        roles[id(view.steps)] = "steps"
    writer = _writer(blocks, site, 1, roles)
    return writer.blocks(blocks), writer.notes


def render(view: View, config: Config, site: Site) -> Rendered:
    """One answer's page, `<id>/index.html`."""
    answer = view.answer
    if answer.audience != "public":
        raise ValueError(f"web: internal answer {answer.id} reached a public page")
    _check_public(view.blocks)
    body, notes = _body(view, site)
    body = notice_html(view, site) + body
    path = f"{view.id}/index.html"
    root = _root(path)
    url = site.web_url(view.id)
    text = answer_text(view, site)
    language = phrases.language_of(view, site.language)  # a translation's own (engine/locales.py)
    data = {"@context": "https://schema.org", "@type": "FAQPage", "url": url, "inLanguage": language,
            "mainEntity": [{"@type": "Question", "name": clean(answer.question),
                            "acceptedAnswer": {"@type": "Answer", "text": text, "url": url}}]}
    related = [{"href": f"{root}{rid}/", "question": clean(site.answers[rid].question)} for rid in view.related]
    html = _page(
        "answer.html", lang=language, site_name=clean(site.name), home_title=clean(config.home_title),
        root=root, canonical=url, title=clean(answer.question),
        description=" ".join(blocks_text([view.short_answer], site).split()),
        keywords=", ".join(clean(a) for a in answer.asked_as), answer_id=answer.id, answer_hash=answer.hash,
        json_ld=json_ld(data), topic=answer.topic, topic_title=topic_title(answer.topic, config), body=body,
        related=related, reviewed=answer.reviewed.isoformat(), reviewed_words=date_words(answer.reviewed),
    )
    words = len(blocks_text(view.blocks, site).split())
    return Rendered(primary=path, files={path: html}, metrics={"words": words}, notes=tuple(notes))


@dataclass(frozen=True)
class _Listed:
    """One answer on the home and topic pages."""

    id: str
    question: str
    summary: Markup
    reviewed: date


def index_entry(view: View, config: Config, site: Site) -> _Listed:
    if view.answer.audience != "public":
        raise ValueError(f"web: internal answer {view.id} reached the public index")
    return _Listed(view.id, clean(view.answer.question), inlines_html(view.short_answer.inlines, site),
                   view.answer.reviewed)


def _topics(entries: Sequence[IndexEntry], site: Site) -> dict[str, list[_Listed]]:
    topics: dict[str, list[_Listed]] = {}
    for entry in sorted(entries, key=lambda e: e.ref.id):
        topics.setdefault(entry.ref.topic, []).append(entry.entry)
    return dict(sorted(topics.items()))


SITEMAP_URLS = 50_000  # the sitemaps.org limit per file; above it, sitemap.xml is an index of numbered parts


def _sitemaps(topics: Mapping[str, list[_Listed]], site: Site) -> dict[str, bytes]:
    """sitemap.xml: every public page with its last review date; split into `sitemap-<n>.xml` parts under a
    sitemap index when there are more URLs than one sitemap may hold."""
    reviewed = [item.reviewed for items in topics.values() for item in items]
    urls = [{"loc": f"{site.base_url}/", "lastmod": max(reviewed).isoformat() if reviewed else ""}]
    for topic, items in topics.items():
        urls.append({"loc": f"{site.base_url}/{topic}/", "lastmod": max(i.reviewed for i in items).isoformat()})
    for item in sorted((i for items in topics.values() for i in items), key=lambda i: i.id):
        urls.append({"loc": site.web_url(item.id), "lastmod": item.reviewed.isoformat()})
    if len(urls) <= SITEMAP_URLS:
        return {"sitemap.xml": _page("sitemap.xml", urls=urls)}
    files: dict[str, bytes] = {}
    parts = []
    for number, start in enumerate(range(0, len(urls), SITEMAP_URLS), start=1):
        chunk = urls[start:start + SITEMAP_URLS]
        files[f"sitemap-{number}.xml"] = _page("sitemap.xml", urls=chunk)
        parts.append({"loc": f"{site.base_url}/sitemap-{number}.xml",
                      "lastmod": max((u["lastmod"] for u in chunk if u["lastmod"]), default="")})
    files["sitemap.xml"] = _page("sitemap-index.xml", parts=parts)
    return files


def render_index(entries: Sequence[IndexEntry], config: Config, site: Site) -> dict[str, bytes]:
    """The home page, a page per topic, the sitemap and the stylesheet."""
    topics = _topics(entries, site)
    shared = {"lang": site.language, "site_name": clean(site.name), "home_title": clean(config.home_title)}
    listing = [{"slug": t, "title": topic_title(t, config), "answers": items} for t, items in topics.items()]
    files = {"index.html": _page("home.html", root="", canonical=f"{site.base_url}/", title=shared["home_title"],
                                 topics=listing, **shared)}
    for topic in listing:
        path = f"{topic['slug']}/index.html"
        files[path] = _page("topic.html", root=_root(path), canonical=f"{site.base_url}/{topic['slug']}/",
                            title=topic["title"], topic=topic, **shared)
    files |= _sitemaps(topics, site)
    files[STYLESHEET] = _page("site.css")
    return dict(sorted(files.items()))
