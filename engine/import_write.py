"""`import`'s writer: articles become answer files in the knowledge base, safely and repeatably.

- Ids come from the source's own structure: the topic from its folder or section, the slug from its file
  name or title; two articles that would share an id get `-2`, `-3` in the source's order.
- `reviewed` is the source's own date for the article, else the date given (`--reviewed`, default today).
- `.import.json` in the knowledge base remembers, per source article, the file written and a hash of it.
  Importing again rewrites only files nobody has edited since: an edited answer is kept and reported, and so
  is a file of the same name that no import wrote. An article whose source has not changed is left alone,
  so importing twice gives the same files.
- Literal facts (phone numbers, amounts, web and email addresses) used in two or more imported answers are
  proposed as `_facts.yaml` entries, with the answers that use them, for an editor to adopt.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from ruamel.yaml import YAML

from engine.facts import FactType, find_facts
from engine.import_markdown import Converted, tidy_markdown, to_markdown
from engine.import_sources import Article

STATE = ".import.json"
Outcome = Literal["written", "updated", "unchanged", "kept-edited", "kept-not-ours"]
_PROPOSED = {FactType.PHONE: "phone", FactType.MONEY: "fees", FactType.URL: "urls", FactType.EMAIL: "email"}


@dataclass
class Imported:
    """One article's fate: where it went and what an editor should know."""

    article: Article
    path: str  # relative to the knowledge base, posix
    outcome: Outcome
    left_out: tuple[str, ...] = ()


@dataclass
class Proposal:
    group: str
    name: str
    type: str
    value: str
    answers: list[str] = field(default_factory=list)


def slug(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > limit and out:
            break
        out = f"{out}-{word}" if out else word
    return out


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_hash(article: Article) -> str:
    parts = [article.title, article.body, article.topic or "", ",".join(article.tags), str(article.updated or "")]
    return _sha("\x00".join(parts).encode())


def answer_text(article: Article, converted: Converted, owner: str, reviewed: date) -> str:
    front: dict[str, object] = {"question": " ".join(article.title.split())}
    if article.tags:
        front["tags"] = [tag for tag in (slug(tag) for tag in article.tags) if tag]
    front["owner"] = owner
    front["reviewed"] = article.updated or reviewed
    yaml = YAML()
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump(front, buffer)
    return f"---\n{buffer.getvalue()}---\n{converted.markdown}"


def _paths(articles: list[Article], default_topic: str) -> dict[str, str]:
    """Source key -> `topic/slug.md`, unique, decided in the source's order."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for article in articles:
        topic = slug(article.topic.replace("/", " ") if article.topic else "") or default_topic
        base = slug(article.slug_hint or "") or slug(article.title) or f"article-{slug(article.key) or len(out) + 1}"
        name, n = base, 1
        while f"{topic}/{name}" in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(f"{topic}/{name}")
        out[article.key] = f"{topic}/{name}.md"
    return out


def _load_state(kb: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((kb / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write(articles: list[Article], kb: Path, *, owner: str, reviewed: date, base_url: str | None,
          default_topic: str = "general") -> list[Imported]:
    state = _load_state(kb)
    planned = _paths(articles, default_topic)
    results: list[Imported] = []
    for article in articles:
        remembered = state.get(article.key, {})
        relative = remembered.get("path") or planned[article.key]
        target = kb / relative
        converted = tidy_markdown(article.body) if article.markdown else to_markdown(article.body, base_url)
        source_hash = _source_hash(article)
        exists = target.is_file()
        current = _sha(target.read_bytes()) if exists else None
        if exists and current != remembered.get("written"):
            outcome: Outcome = "kept-edited" if remembered else "kept-not-ours"
            results.append(Imported(article, relative, outcome, converted.left_out))
            continue
        if exists and remembered.get("source") == source_hash:
            results.append(Imported(article, relative, "unchanged", converted.left_out))
            continue
        data = answer_text(article, converted, owner, reviewed).encode()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        state[article.key] = {"path": relative, "source": source_hash, "written": _sha(data), "origin": article.origin}
        results.append(Imported(article, relative, "updated" if exists else "written", converted.left_out))
    (kb / STATE).write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return results


_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")  # [text](url) read as "text url"


def _fact_name(kind: FactType, canonical: str) -> str:
    if kind is FactType.PHONE:
        return "line_" + "".join(ch for ch in canonical if ch.isdigit())[-10:]
    if kind is FactType.MONEY:
        return "amount_" + slug(canonical, 30).replace("-", "_")
    text = re.sub(r"^[a-z]+://(www\.)?", "", canonical.lower())
    name = slug(text.replace(".", " ").replace("/", " ").replace("@", " at "), 40).replace("-", "_")
    return name if name[:1].isalpha() else f"{kind.value}_{name}"


def propose_facts(kb: Path, imported: list[Imported]) -> list[Proposal]:
    """Literal facts used in two or more of the imported answers, most used first."""
    users: dict[tuple[FactType, str], dict[str, str]] = defaultdict(dict)
    for item in imported:
        path = kb / item.path
        if not path.is_file():
            continue
        body = _LINK.sub(r"\1 \2", path.read_text(encoding="utf-8").split("\n---\n", 1)[-1])
        for found in find_facts(body):
            if found.value is not None and found.type in _PROPOSED:
                written = found.value.canonical if found.type is FactType.URL else found.raw
                users[(found.type, found.value.canonical)].setdefault(item.path[:-3], written)
    proposals: list[Proposal] = []
    names: set[tuple[str, str]] = set()
    for (kind, canonical), answers in sorted(users.items(), key=lambda kv: (-len(kv[1]), kv[0][0].value, kv[0][1])):
        if len(answers) < 2:
            continue
        group, name = _PROPOSED[kind], _fact_name(kind, canonical)
        while (group, name) in names:
            name += "_2"
        names.add((group, name))
        proposals.append(Proposal(group, name, kind.value, next(iter(answers.values())), sorted(answers)))
    return proposals


def proposals_yaml(proposals: list[Proposal]) -> str:
    groups: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for item in proposals:
        groups[item.group][item.name] = {"type": item.type, "value": item.value,
                                         "label": f"Used in {len(item.answers)} imported answers"}
    yaml = YAML()
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump({group: dict(entries) for group, entries in groups.items()}, buffer)
    return buffer.getvalue()
