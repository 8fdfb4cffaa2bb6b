"""The reference channel: a page per answer for customer-service staff, internal notes set apart.

Every answer is here, public and internal; the body is written by the web channel's HTML writer, which
renders `::: internal` notes as a marked aside."""
from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Sequence

import jinja2
from pydantic import ConfigDict, Field

import channels
from channels import ChannelSpec
from engine.select import View
from renderers import IndexEntry, Rendered, Site, reference_search
from renderers.web import blocks_html, clean, environment as web_environment

TEMPLATES = channels.HERE / "templates" / "reference"


class Config(ChannelSpec):
    """channels/reference.yaml."""

    model_config = ConfigDict(extra="forbid")

    internal: bool = True
    home_title: str = Field("Customer-service reference", min_length=1)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def _page(template: str, **values: object) -> bytes:
    return environment().get_template(template).render(**values).encode("utf-8")


def render(view: View, config: Config, site: Site) -> Rendered:
    answer = view.answer
    path = f"{view.id}/index.html"
    root = "../" * path.count("/")
    body = blocks_html(view.blocks, site, short_answer=view.short_answer, steps=view.steps)
    due = answer.reviewed + timedelta(days=answer.review_every)
    related = [{"href": f"{root}{rid}/", "id": rid, "question": clean(site.answers[rid].question)}
               for rid in view.related]
    html = _page(
        "answer.html", lang=site.language, site_name=clean(site.name), root=root, title=clean(answer.question),
        answer_id=answer.id, answer_hash=answer.hash, audience=answer.audience, topic=answer.topic,
        owner=clean(answer.owner), reviewed=answer.reviewed.isoformat(), due=due.isoformat(),
        stale=site.as_of is not None and due < site.as_of, channels=", ".join(answer.channels), asked_as="; ".join(clean(a) for a in answer.asked_as),
        body=body, related=related,
    )
    return Rendered(primary=path, files={path: html}, metrics={})


def render_index(entries: Sequence[IndexEntry], config: Config, site: Site) -> dict[str, bytes]:
    topics: dict[str, list[dict[str, object]]] = {}
    for entry in sorted(entries, key=lambda e: e.ref.id):
        topics.setdefault(entry.ref.topic, []).append(
            {"id": entry.ref.id, "question": clean(entry.ref.question),
             "internal": entry.view.answer.audience == "internal"})
    listing = [{"slug": t, "title": t.replace("-", " ").capitalize(), "answers": items}
               for t, items in sorted(topics.items())]
    stylesheet = web_environment().get_template("site.css").render().encode("utf-8")
    return {"index.html": _page("home.html", lang=site.language, site_name=clean(site.name), root="",
                                title=clean(config.home_title), topics=listing),
            "assets/site.css": stylesheet} | reference_search.search_files(entries, site)
