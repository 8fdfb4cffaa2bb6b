"""The print channel: a printable handout per public answer (`<id>.html`) and per topic (`<topic>/index.html`).

A handout is print-ready HTML that stands alone: one inlined stylesheet (channels/templates/print/print.css) with
paged-media rules, no script, no remote resource. It says, in order: the notice (if any), the short answer (with
the list it introduces), the key-facts box (every fact the answer states, with its fact-book label, set large),
the steps and the detail, and a closing line with the phone number and the address of the full answer. All of
it is inside `id="answer"`, which the gate reads back with the existing HTML reader.

Every printed page carries, in its bottom margin boxes (CSS `@page` margin boxes, which Chromium prints), the
phone number ("Questions? Call (800) 555-0142") and "Page N of M". The phone is the first phone number the answer
states; an answer that states none gets the address of its full answer there instead and the metric
`phone_in_footer: false` (a phone the answer does not state would be a fact the gate cannot hold to the body).
A topic handout puts every public answer of a topic in one document, a page break between answers, each answer
on its own named page so its pages carry its own phone number.

Paper cannot show a remote image: an image is printed as its description ("[Image: ...]") and reported with an
`image` warning (manifest `left_out`), as the email channel does.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape
from pydantic import ConfigDict, Field

import channels
from channels import ChannelSpec
from engine.facts import FactType, FactValue
from engine.model import Block, Image, walk_inlines
from engine.select import View, lead_in_list
from renderers import IndexEntry, Metric, Note, Rendered, Site, phrases, plain_facts, web
from renderers.email import key_facts

CHANNEL = "print"
TEMPLATES = channels.HERE / "templates" / "print"


class Config(ChannelSpec):
    """channels/print.yaml."""

    model_config = ConfigDict(extra="forbid")

    page_size: str = Field("Letter", pattern=r"^[A-Za-z0-9]+(?: (?:portrait|landscape))?$",
                           description="The paper size of @page: A4, Letter, Legal...")
    call_label: str = Field("Questions? Call", min_length=1, description="The words before the phone number.")
    page_label: str = Field("Page {page} of {pages}", pattern=r"\{page\}",
                            description="The page counter: {page} and {pages} become the counters.")
    facts_heading: str = Field("Key facts", min_length=1, description="The heading of the key-facts box.")
    link_label: str = Field("Full answer online", min_length=1,
                            description="The words before the address of the full answer.")
    topics: dict[str, str] = Field(default_factory=dict,
                                   description="Display names of topics on topic handouts; others are capitalised.")


@dataclass(frozen=True)
class Words:
    """The words a handout adds around the answer, in the answer's language."""

    call: str
    page: str
    facts: str
    link: str
    image: str
    answers: str  # "{count} answers" on a topic handout


def words_for(language: str, config: Config, site: Site) -> Words:
    """A translation's words from its language's phrase table (renderers/phrases.py); the knowledge base's
    language the configured ones."""
    base = phrases.base_language(language)
    table = phrases.TABLES.get(base) if base != phrases.base_language(site.language) else None
    if table is not None:
        return Words(table.call, table.page, table.key_facts, table.online, table.image, table.answers)
    return Words(config.call_label, config.page_label, config.facts_heading, config.link_label, "Image",
                 "{count} answers")


# -------------------------------------------------------------------------------------------------- CSS


def css_string(text: str) -> str:
    """`text` as a CSS string: every character but letters, digits, spaces and plain punctuation written as a
    hex escape, so no text can end the string, the rule or the <style> element."""
    out = []
    for ch in web.clean(text):
        if ch.isascii() and (ch.isalnum() or ch in " .,:;()?!-+/#'"):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def _counter(label: str) -> str:
    """`Page {page} of {pages}` as CSS content: strings and the page counters."""
    parts = []
    for piece in re.split(r"(\{pages?\})", label):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def page_rules(config: Config, site: Site, words: Words, sections: Sequence[tuple[str, str]]) -> Markup:
    """The document's @page rules: paper, the site's name at the top, the counter at the bottom right, and per
    named page (one per answer) what its bottom-left margin box says. Every text is a CSS-escaped string."""
    rules = [f"@page {{ size: {config.page_size}; @top-left {{ content: {css_string(site.name)}; }} "
             f"@bottom-right {{ content: {_counter(words.page)}; }} }}"]
    if sections:  # the header is printed on the first answer's page, not on a page of its own
        rules.append(f"body {{ page: {sections[0][0]}; }}")
    for page, footer in sections:
        rules.append(f"@page {page} {{ @bottom-left {{ content: {css_string(footer)}; }} }}")
        rules.append(f".{page} {{ page: {page}; }}")
    return Markup("\n".join(rules))


# ------------------------------------------------------------------------------------------------- body

_IMAGE = re.compile(r'<img [^>]*?alt="([^"]*)"[^>]*>')


def footer_phone(facts: Sequence[tuple[str, FactValue]]) -> FactValue | None:
    """The phone number every page carries: the first one the answer states (None when it states none)."""
    return next((fact for _, fact in facts if fact.type is FactType.PHONE), None)


def _facts_box(facts: Sequence[tuple[str, FactValue]], words: Words, style: plain_facts.Style) -> Markup:
    if not facts:
        return Markup("")
    # a table of label and value (the reference site's panel keeps tables, and a reader gets "label | value")
    rows = Markup("\n").join(Markup('<tr><th scope="row">{}</th><td>{}</td></tr>').format(
        web.clean(label), plain_facts.written(fact, style)) for label, fact in facts)
    return Markup('<section class="key-facts" aria-labelledby="key-facts-heading">\n'
                  '<h2 id="key-facts-heading">{}</h2>\n<table>\n<tbody>\n{}\n</tbody>\n</table>\n</section>').format(
                      words.facts, rows)


def _split(view: View) -> tuple[list[Block], list[Block]]:
    """The blocks before the key-facts box (the short answer and the list it introduces) and after it."""
    blocks = list(view.blocks)
    if not any(b is view.short_answer for b in blocks):
        blocks.insert(0, view.short_answer)  # a `summary:` short answer: every channel leads with it
    at = next(i for i, b in enumerate(blocks) if b is view.short_answer)
    listed = lead_in_list(view)
    end = at + 1 + (listed is not None and at + 1 < len(blocks) and blocks[at + 1] is listed)
    return blocks[:end], blocks[end:]


def body(view: View, config: Config, site: Site) -> tuple[Markup, FactValue | None, list[Note], dict[str, Metric]]:
    """The inside of `id="answer"`, the footer phone, notes and metrics."""
    answer = view.answer
    if answer.audience != "public":
        raise ValueError(f"print: internal answer {answer.id} reached a handout")
    web._check_public(view.blocks)  # no `::: internal` block may reach paper
    words = words_for(phrases.language_of(view, site.language), config, site)
    style = plain_facts.Style(site.locale)
    before, after = _split(view)
    facts = key_facts(view)
    roles = {id(view.short_answer): "short-answer", **({id(view.steps): "steps"} if view.steps is not None else {})}
    writer = web._writer([*before, *after], site, 1, roles)
    html = web.notice_html(view, site) + writer.blocks(before) + Markup("\n") + _facts_box(facts, words, style)
    html += Markup("\n") + writer.blocks(after)
    images = [node for node in walk_inlines(tuple([*before, *after])) if isinstance(node, Image)]
    notes = list(writer.notes)
    for image in images:
        notes.append(Note("image", f"{CHANNEL}: a printed handout cannot fetch the image {image.src[:80]}: its "
                                   f"description `{image.alt or 'no description'}` is printed instead"))
    html = Markup(_IMAGE.sub(lambda m: f'<span class="image-description">[{words.image}: '
                                       f'{m.group(1) or "no description"}]</span>', str(html)))
    phone = footer_phone(facts)
    url = site.web_url(view.id)
    lines = []
    if phone is not None:
        lines.append(Markup('<p>{} <span class="phone">{}</span></p>').format(words.call, plain_facts.phone(phone, style)))
    lines.append(Markup("<p>{}: {}</p>").format(words.link, url))
    html += Markup('\n<footer class="handout-footer">\n{}\n</footer>').format(Markup("\n").join(lines))
    metrics: dict[str, Metric] = {
        "words": len(web.html_text(html).split()),
        "key_facts": len(facts),
        "phone_in_footer": phone is not None,
        "images_described": len(images),
    }
    return html, phone, list(dict.fromkeys(notes)), metrics


def margin_text(view: View, phone: FactValue | None, words: Words, site: Site) -> str:
    """What every page's bottom-left margin box says: the phone, else the full answer's address."""
    if phone is not None:
        return f"{words.call} {plain_facts.phone(phone, plain_facts.Style(site.locale))}"
    return f"{words.link}: {plain_facts.short_url(site.web_url(view.id))}"


# ------------------------------------------------------------------------------------------------ pages


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def _page(**values: object) -> bytes:
    return environment().get_template("handout.html").render(**values).encode("utf-8")


@dataclass(frozen=True)
class Section:
    """One answer on a handout; also what a topic handout keeps of each answer (the index entry)."""

    id: str
    question: str
    lang: str
    body: Markup
    margin: str  # the bottom-left margin box's words (phone, or the full answer's address)
    page: str = "a1"  # the named page (CSS class) the answer is printed on


def _section(view: View, config: Config, site: Site) -> tuple[Section, list[Note], dict[str, Metric]]:
    html, phone, notes, metrics = body(view, config, site)
    lang = phrases.language_of(view, site.language)
    words = words_for(lang, config, site)
    return Section(view.id, web.clean(view.answer.question), lang, html, margin_text(view, phone, words, site)), \
        notes, metrics


def render(view: View, config: Config, site: Site) -> Rendered:
    """One answer's handout, `<id>.html`."""
    section, notes, metrics = _section(view, config, site)
    words = words_for(section.lang, config, site)
    html = _page(lang=section.lang, title=section.question, site_name=web.clean(site.name), topic_title="",
                 answer_id=view.id, answer_hash=view.answer.hash, sections=[section],
                 page_rules=page_rules(config, site, words, [(section.page, section.margin)]))
    metrics["bytes"] = len(html)
    path = f"{view.id}.html"
    return Rendered(path, {path: html}, metrics, tuple(notes))


def index_entry(view: View, config: Config, site: Site) -> Section:
    return _section(view, config, site)[0]


def topic_title(topic: str, config: Config) -> str:
    return web.clean(config.topics.get(topic) or topic.replace("-", " ").capitalize())


def render_index(entries: Sequence[IndexEntry], config: Config, site: Site) -> dict[str, bytes]:
    """A handout per topic and language (`<topic>/index.html`; a translation's `<topic>/index.<lang>.html`),
    every answer on its own pages; and `index.html`, a list of every handout."""
    groups: dict[tuple[str, str], list[Section]] = {}
    for entry in sorted(entries, key=lambda e: e.ref.id):
        section = entry.entry
        if not isinstance(section, Section):
            continue
        groups.setdefault((entry.ref.topic, section.lang), []).append(section)
    files: dict[str, bytes] = {}
    listing: dict[str, list[tuple[str, str]]] = {}
    for (topic, lang), sections in sorted(groups.items()):
        own = phrases.base_language(lang) == phrases.base_language(site.language)
        path = f"{topic}/index.html" if own else f"{topic}/index.{lang}.html"
        words = words_for(lang, config, site)
        paged = [Section(s.id, s.question, s.lang, s.body, s.margin, f"a{n}") for n, s in enumerate(sections, 1)]
        title = topic_title(topic, config)
        files[path] = _page(lang=lang, title=title, site_name=web.clean(site.name),
                            topic_title=f"{title}: {words.answers.format(count=len(paged))}", answer_id="",
                            answer_hash="", sections=paged,
                            page_rules=page_rules(config, site, words, [(s.page, s.margin) for s in paged]))
        listing.setdefault(topic, []).append((path, lang))
    files["index.html"] = _contents(listing, entries, config, site)
    return dict(sorted(files.items()))


def _contents(listing: Mapping[str, list[tuple[str, str]]], entries: Sequence[IndexEntry], config: Config,
              site: Site) -> bytes:
    """index.html: every topic handout, then every answer's handout, as links (screen only)."""
    by_topic: dict[str, list[IndexEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.ref.id):
        by_topic.setdefault(entry.ref.topic, []).append(entry)
    items = []
    for topic, paths in listing.items():
        links = Markup("\n".join(f'<li><a href="{escape(e.path)}">{escape(web.clean(e.ref.question))}</a></li>'
                                 for e in by_topic.get(topic, ())))  # as Markup.format escapes, at a fraction of its cost
        whole = Markup(", ").join(Markup('<a href="{}">{}</a>').format(path, phrases.language_name(lang))
                                  for path, lang in paths)
        items.append(Markup("<section>\n<h2>{}</h2>\n<p>The whole topic: {}</p>\n<ul>\n{}\n</ul>\n</section>").format(
            topic_title(topic, config), whole, links))
    body = Markup("\n").join(items)
    return (Markup('<!DOCTYPE html>\n<html lang="{}">\n<head>\n<meta charset="utf-8">\n'
                   '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>Printable handouts | {}'
                   '</title>\n</head>\n<body>\n<main>\n<h1>Printable handouts</h1>\n{}\n</main>\n</body>\n</html>\n')
            .format(site.language, web.clean(site.name), body)).encode("utf-8")
