"""The reference channel: the CSR site. A page per answer, public and internal, with its internal notes set apart
and what the customer gets on each channel; a home page, a page per topic, the stylesheet and script.

The answer itself (the `#answer` region the consistency gate reads) is written by the web channel's HTML writer,
which renders `::: internal` notes as a marked aside. The channel views come from this answer's finished customer
outputs (`USES_OUTPUTS`, see renderers/__init__.py) and sit outside that region, so the gate reads each fact once.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from html.parser import HTMLParser

import jinja2
from markupsafe import Markup, escape
from pydantic import ConfigDict, Field

import channels
from channels import ChannelSpec
from engine.model import Block, Scoped
from engine.select import View, lead_in_list
from renderers import IndexEntry, Metric, Rendered, Site, phrases, reference_search
from renderers.card_html import card_html
from engine.feedback import AnswerFeedback
from renderers import feedback_html
from renderers.web import blocks_html, clean, environment as web_environment, notice_html

TEMPLATES = channels.HERE / "templates" / "reference"
USES_OUTPUTS = True
ASSETS = {"assets/reference.css": "reference.css", "assets/site.js": "site.js"}


class Config(ChannelSpec):
    """channels/reference.yaml."""

    model_config = ConfigDict(extra="forbid")

    internal: bool = True
    home_title: str = Field("Customer-service reference", min_length=1)
    channel_views: list[str] = Field(
        default_factory=lambda: ["web", "mobile", "ivr", "chat", "sms"],
        description="The customer channels shown on each answer page, in this order (any other customer channel "
                    "an answer is published on follows as plain text).")
    channel_titles: dict[str, str] = Field(
        default_factory=lambda: {"web": "Web page", "mobile": "Mobile app card", "ivr": "Phone (IVR)",
                                 "chat": "Chat", "sms": "Text message (SMS)"},
        description="Tab titles of the channel views (channel name -> title).")
    recent: int = Field(10, ge=0, le=100, description="How many recently reviewed answers the home page lists.")
    shard_bytes: int = Field(reference_search.SHARD_BYTES, ge=1000, le=10_000_000,
                             description="The largest search index file (a term shard or a vocabulary) before it "
                                         "is split by a longer prefix: what one typed word may cost to fetch.")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def _page(template: str, **values: object) -> bytes:
    return environment().get_template(template).render(**values).encode("utf-8")


def topic_title(topic: str) -> str:
    return clean(topic.replace("-", " ").capitalize())


# ------------------------------------------------------------------------------------------- the web view
# The web page's answer region, re-written through an allow-list: only the elements and attributes the web writer
# produces survive, headings move two levels down (under this page's h2 and h3), images become their alt text (a
# preview fetches nothing), and every tag opened is closed. The web output is our own escaped HTML; the allow-list
# is a second wall. The stdlib tokenizer is enough for that and several times faster than a full HTML parser.

_KEPT = frozenset({"p", "ul", "ol", "li", "a", "em", "strong", "s", "code", "pre", "blockquote", "table", "thead",
                   "tbody", "tr", "th", "td", "div", "span", "time", "aside"})
_HEADINGS = {f"h{n}": f"h{min(n + 2, 6)}" for n in range(1, 7)}
_DROPPED = frozenset({"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math",
                      "select", "textarea", "title"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})
_ATTRIBUTES = frozenset({"class", "datetime", "start", "scope", "role", "tabindex", "aria-label", "rel"})
_SAFE_LINKS = ("https:", "http:", "tel:", "mailto:", "#", "/", "./", "../")


@dataclass
class _Open:
    tag: str
    written: str | None  # the tag written out for it, if any
    dropped: bool = False


class _Region(HTMLParser):
    """Collects the sanitised content of the first element with id="answer"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.out: list[str] = []
        self.done = False
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if not self.stack:
            if dict(attrs).get("id") == "answer" and tag not in _VOID:
                self.stack.append(_Open(tag, None))
            return
        if self.dropping or tag in _DROPPED:
            if tag not in _VOID:
                self.stack.append(_Open(tag, None, dropped=True))
                self.dropping += 1
            return
        if tag == "img":
            alt = clean(dict(attrs).get("alt") or "no description")
            self.out.append(f'<span class="image-placeholder">[Image: {escape(alt)}]</span>')
            return
        written = _HEADINGS.get(tag) or (tag if tag in _KEPT or tag in ("br", "hr") else None)
        if written is not None:
            self.out.append(f"<{written}{_attributes(tag, attrs)}>")
        if tag not in _VOID:
            self.stack.append(_Open(tag, written))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.done or not self.stack:
            return
        index = next((i for i in range(len(self.stack) - 1, -1, -1) if self.stack[i].tag == tag), None)
        if index is None:
            return
        while len(self.stack) > index:
            self._close(self.stack.pop())
        self.done = not self.stack

    def _close(self, element: _Open) -> None:
        self.dropping -= element.dropped
        if element.written is not None:
            self.out.append(f"</{element.written}>")

    def handle_data(self, data: str) -> None:
        if self.stack and not self.done and not self.dropping:
            self.out.append(escape(clean(data)))

    def result(self) -> Markup:
        while len(self.stack) > 1:  # an unclosed region (never in our pages): close what was written
            self._close(self.stack.pop())
        return Markup("".join(self.out).strip())


def _attributes(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    """The allowed attributes, values escaped (`name` is one of ours, so it needs no escaping)."""
    kept = [f' {name}="{escape(clean(value or ""))}"' for name, value in attrs if name in _ATTRIBUTES]
    href = dict(attrs).get("href")
    if tag == "a" and href is not None and href.strip().lower().startswith(_SAFE_LINKS):
        kept.insert(0, f' href="{escape(clean(href))}"')
    return "".join(kept)


def web_region(page: bytes) -> Markup:
    """The content of the web page's `id="answer"` element, sanitised as above ("" when there is none)."""
    region = _Region()
    region.feed(page.decode("utf-8", "replace"))
    region.close()
    return region.result()


# --------------------------------------------------------------------------------------- the channel views


@dataclass(frozen=True)
class Panel:
    """One channel's view on an answer page."""

    channel: str
    title: str
    content: Markup = Markup("")
    metrics: tuple[tuple[str, str], ...] = ()
    copy: str = ""  # the id of the element whose text a copy button copies
    copy_label: str = ""  # what that button says
    absent: str = ""  # why the answer is not on this channel (empty when it is)


def _text(rendered: Rendered, suffix: str) -> str:
    path = rendered.primary.rsplit(".", 1)[0] + suffix
    return rendered.files.get(path, b"").decode("utf-8", "replace")


def _metric(rendered: Rendered, key: str) -> Metric | None:
    return rendered.metrics.get(key)


def _metrics(rendered: Rendered, wanted: Sequence[tuple[str, str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((label, f"{value}{unit}") for key, label, unit in wanted
                 if (value := _metric(rendered, key)) is not None)


def _pre(text: str, element_id: str = "") -> Markup:
    id_attr = Markup(' id="{}"').format(element_id) if element_id else Markup("")
    return Markup('<pre class="channel-text"{}>{}</pre>').format(id_attr, clean(text.rstrip("\n")))


def _web(rendered: Rendered, panel: Panel) -> Panel:
    region = web_region(rendered.files[rendered.primary])
    content = Markup('<div class="web-view" id="web-text">\n{}\n</div>').format(region)
    return Panel(panel.channel, panel.title, content, _metrics(rendered, [("words", "Words", "")]), copy="web-text",
                 copy_label="Copy the web text")


def _mobile(rendered: Rendered, panel: Panel) -> Panel:
    try:
        card = json.loads(rendered.files[rendered.primary])
    except ValueError:
        card = None
    metrics = _metrics(rendered, [("bytes", "Size", " bytes"), ("elements", "Elements", ""),
                                  ("actions", "Buttons", "")])
    content = Markup('<div class="card-view" id="mobile-text">\n{}\n</div>').format(card_html(card))
    return Panel(panel.channel, panel.title, content, metrics, copy="mobile-text", copy_label="Copy the card text")


def _ivr(rendered: Rendered, panel: Panel) -> Panel:
    transcript = _text(rendered, ".txt")
    said = Markup("\n").join(Markup("<p>{}</p>").format(clean(line)) for line in transcript.split("\n") if line.strip())
    ssml = rendered.files[rendered.primary].decode("utf-8", "replace")
    content = Markup('<div class="transcript" id="ivr-text">\n{}\n</div>\n<details class="ssml">\n<summary>Show the SSML</summary>\n'
                     '<pre class="channel-text"><code>{}</code></pre>\n</details>').format(said, clean(ssml.rstrip()))
    metrics = _metrics(rendered, [("seconds", "Spoken length", " s"), ("words", "Words", "")])
    return Panel(panel.channel, panel.title, content, metrics, copy="ivr-text", copy_label="Copy what the phone says")


def _chat(rendered: Rendered, panel: Panel) -> Panel:
    content = _pre(_text(rendered, ".txt"), "chat-text")
    try:
        replies = json.loads(_text(rendered, ".json") or "{}").get("quick_replies") or []
    except (ValueError, AttributeError):
        replies = []
    titles = [str(r.get("title", "")) for r in replies if isinstance(r, dict)]
    if titles:
        items = Markup("").join(Markup("<li>{}</li>").format(clean(t)) for t in titles)
        content += Markup('\n<p class="quick-replies-label">Quick replies offered:</p>\n<ul class="quick-replies">{}</ul>'
                          ).format(items)
    markdown = _text(rendered, ".md")
    if markdown:
        content += Markup('\n<details>\n<summary>Show the Markdown</summary>\n{}\n</details>').format(_pre(markdown))
    metrics = _metrics(rendered, [("characters", "Characters", ""), ("quick_replies", "Quick replies", "")])
    return Panel(panel.channel, panel.title, content, metrics, copy="chat-text", copy_label="Copy the chat text")


def _sms(rendered: Rendered, panel: Panel) -> Panel:
    text = rendered.files[rendered.primary].decode("utf-8", "replace")
    metrics = _metrics(rendered, [("encoding", "Encoding", ""), ("segments", "Segments", ""),
                                  ("characters", "Characters", ""), ("ucs2_because", "Why UCS-2", "")])
    return Panel(panel.channel, panel.title, _pre(text, "sms-text"), metrics, copy="sms-text",
                 copy_label="Copy the SMS text")


def _print(rendered: Rendered, panel: Panel) -> Panel:
    """The printed handout: its answer region as the web view shows it (paged-media chrome left out)."""
    region = web_region(rendered.files[rendered.primary])
    content = Markup('<div class="web-view print-view" id="print-text">\n{}\n</div>').format(region)
    metrics = _metrics(rendered, [("words", "Words", ""), ("key_facts", "Key facts", ""),
                                  ("phone_in_footer", "Phone on every page", "")])
    return Panel(panel.channel, panel.title, content, metrics, copy="print-text", copy_label="Copy the handout text")


def _plain(rendered: Rendered, panel: Panel) -> Panel:
    """Any other channel: its plain-text preview (a `.txt` beside the primary file), else the primary as text,
    with every metric it records."""
    text = _text(rendered, ".txt") or rendered.files[rendered.primary].decode("utf-8", "replace")
    metrics = tuple((key.replace("_", " ").capitalize(), str(value)) for key, value in rendered.metrics.items())
    element = f"{panel.channel}-text"
    return Panel(panel.channel, panel.title, _pre(text, element), metrics, copy=element, copy_label="Copy the text")


VIEWS: dict[str, Callable[[Rendered, Panel], Panel]] = {
    "web": _web, "mobile": _mobile, "ivr": _ivr, "chat": _chat, "sms": _sms, "print": _print,
}


def _absence(view: View, channel: str, site: Site) -> str:
    answer = view.answer
    if answer.audience != "public":
        return "Internal answer: customers never get it on any channel."
    if channel not in answer.channels:
        return f"Not published on this channel: the answer's `channels` leaves {channel} out."
    if site.as_of is not None and not answer.is_live(site.as_of):
        return "Not in effect on the day this site was built."
    return "Not part of this build (only some channels were built)."


def panels(view: View, config: Config, site: Site, outputs: Mapping[str, Rendered]) -> list[Panel]:
    """A panel per customer channel in `channel_views` order, then any other channel this answer was built for."""
    names = [*config.channel_views, *(name for name in outputs if name not in config.channel_views)]
    result: list[Panel] = []
    for name in names:
        panel = Panel(name, clean(config.channel_titles.get(name, name)))
        rendered = outputs.get(name)
        if rendered is None:
            result.append(Panel(name, panel.title, absent=_absence(view, name, site)))
        else:
            result.append(VIEWS.get(name, _plain)(rendered, panel))
    return result


# ----------------------------------------------------------------------------------------------------- pages


def notes_first(view: View) -> tuple[Block, ...]:
    """The answer's blocks for a CSR: the short answer (with the list it leads into), then the internal notes,
    then the rest in order. On a call the notes (who to transfer to, what to log) matter before the detail."""
    notes = [b for b in view.blocks if isinstance(b, Scoped) and b.kind == "internal"]
    if not notes:
        return view.blocks
    rest = [b for b in view.blocks if not (isinstance(b, Scoped) and b.kind == "internal")]
    lead = [view.short_answer, *((listed,) if (listed := lead_in_list(view)) is not None else ())]
    if not all(any(b is block for block in rest) for b in lead):
        return tuple(notes) + tuple(rest)  # no short answer among the blocks (a summary): notes come first
    after = max(next(n for n, block in enumerate(rest) if block is b) for b in lead) + 1
    return (*rest[:after], *notes, *rest[after:])


@dataclass(frozen=True)
class Badge:
    kind: str  # stale | expires | expired | future
    text: str


EXPIRES_SOON = 60  # days before `effective_until` that an answer is badged "expires in N days"


def date_badges(dates: reference_search.Dates, today: date) -> list[Badge]:
    """The badges an answer's dates earn on `today`: the same rules as `badges` in assets/site.js, which applies
    them again in the browser with the reader's date (a site that is not rebuilt still tells the truth)."""
    day = today.isoformat()
    found: list[Badge] = []
    if dates.start and dates.start > day:
        found.append(Badge("future", "not yet in effect"))
    if dates.until:
        left = (date.fromisoformat(dates.until) - today).days
        if left < 0:
            found.append(Badge("expired", "expired"))
        elif left <= EXPIRES_SOON:
            found.append(Badge("expires", "expires today" if left == 0 else
                               f"expires in {left} day{'s' if left != 1 else ''}"))
    if dates.due and dates.due < day:
        found.append(Badge("stale", "review overdue"))
    return found


USES_FEEDBACK = True  # the engine passes the answer's feedback summary (engine/feedback.py) as `feedback=`


def render(view: View, config: Config, site: Site, outputs: Mapping[str, Rendered] | None = None,
           feedback: AnswerFeedback | None = None) -> Rendered:
    answer = view.answer
    path = f"{view.id}/index.html"
    root = "../" * path.count("/")
    body = notice_html(view, site) + blocks_html(notes_first(view), site, short_answer=view.short_answer,
                                                 steps=view.steps)
    due = answer.reviewed + timedelta(days=answer.review_every)
    dates = reference_search.Dates(due.isoformat(), _iso(answer.effective_from), _iso(answer.effective_until))
    shown = panels(view, config, site, outputs or {}) if answer.audience == "public" else []
    related = [{"href": f"{root}{rid}/", "id": rid, "question": clean(site.answers[rid].question)}
               for rid in view.related]
    html = _page(
        "answer.html", lang=site.language, site_name=clean(site.name), root=root, title=clean(answer.question),
        answer_id=answer.id, answer_hash=answer.hash, audience=answer.audience, topic=answer.topic,
        topic_title=topic_title(answer.topic), owner=clean(answer.owner), reviewed=answer.reviewed.isoformat(),
        dates=dates, badges=date_badges(dates, site.as_of) if site.as_of is not None else [],
        stale=site.as_of is not None and due < site.as_of,
        asked_as=[clean(a) for a in answer.asked_as], tags=[clean(t) for t in answer.tags], body=body,
        related=related, panels=shown, customer_channels=[p.title for p in shown if not p.absent],
        accepted=[{"code": a.code, "about": clean(a.about), "reason": clean(a.reason)} for a in answer.accepts],
        feedback=feedback_html.section(feedback),
        languages=[{"href": f"{root}{vid}/", "id": vid, "tag": tag, "name": clean(phrases.language_name(tag)),
                    "question": clean(site.answers[vid].question) if vid in site.answers else vid}
                   for tag, vid in site.versions_of(answer.id)],
        language=phrases.language_name(answer.language or site.language),
        answer_lang=answer.language if answer.language and answer.language != site.language else "",
    )
    return Rendered(primary=path, files={path: html}, metrics={})


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


@dataclass(frozen=True)
class _Listed:
    """One answer on the home and topic pages."""

    id: str
    question: str
    topic: str
    reviewed: str
    internal: bool


@dataclass(frozen=True)
class Entry:
    """What the index pages and search need of one answer (see `index_entry`)."""

    reviewed: str
    search: reference_search.Indexed


def index_entry(view: View, config: Config, site: Site, outputs: Mapping[str, Rendered] | None = None) -> Entry:
    """`outputs`: this answer's finished customer outputs, when the engine passes them (search then matches a
    customer's quote against what each plain-text channel really said)."""
    document = reference_search.document_of(view, outputs, site.language)
    return Entry(view.answer.reviewed.isoformat(), reference_search.indexed(document))


def render_index(entries: Sequence[IndexEntry], config: Config, site: Site) -> dict[str, bytes]:
    """The home page (search, recently reviewed answers, topics), a page per topic, the stylesheets and script."""
    listed = [_Listed(e.ref.id, clean(e.ref.question), e.ref.topic, e.entry.reviewed,
                      e.entry.search.audience == "internal") for e in sorted(entries, key=lambda e: e.ref.id)]
    topics: dict[str, list[_Listed]] = {}
    for item in listed:
        topics.setdefault(item.topic, []).append(item)
    listing = [{"slug": t, "title": topic_title(t), "answers": items} for t, items in sorted(topics.items())]
    recent = sorted(listed, key=lambda item: (item.reviewed, item.id), reverse=True)[: config.recent]
    shared = {"lang": site.language, "site_name": clean(site.name), "home_title": clean(config.home_title)}
    files = {"index.html": _page("home.html", root="", title=shared["home_title"], topics=listing, recent=recent,
                                 **shared)}
    for topic in listing:
        files[f"{topic['slug']}/index.html"] = _page("topic.html", root="../", title=topic["title"], topic=topic,
                                                     **shared)
    files["assets/site.css"] = web_environment().get_template("site.css").render().encode("utf-8")
    for target, template in ASSETS.items():
        files[target] = environment().loader.get_source(environment(), template)[0].encode("utf-8")  # as written
    files |= reference_search.search_files([e.entry.search for e in entries], site, config.channel_titles,
                                           config.shard_bytes)
    return dict(sorted(files.items()))
