"""`import`'s readers: an existing help center as a list of articles, whatever it was exported as.

Three kinds of source, each read into the same `Article`:
- a folder of HTML pages (the topic is the page's folder, the slug its file name, the body the first element
  a CSS selector matches);
- a Zendesk Guide export: the JSON the help center's public API returns for articles (`{"articles": [...]}`,
  one page or a list of pages), with its `sections` when present, which name the topics;
- rows: CSV with a header, or JSON lines, each with `question` and `answer` (HTML or Markdown), and optionally
  `id`, `topic`, `tags` and `updated`.
A row or page that cannot be read is reported at its file and line and skipped; the others are still read.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from bs4 import BeautifulSoup

from engine.diagnostics import Report

Kind = Literal["html", "zendesk", "csv", "jsonl"]
KINDS: tuple[Kind, ...] = ("html", "zendesk", "csv", "jsonl")
DEFAULT_SELECTOR = "article, main, [role=main], body"


@dataclass(frozen=True)
class Article:
    """One help-center article as its source holds it."""

    key: str  # stable within the source: a page's relative path, an article id, a row's id or question
    title: str
    body: str  # HTML, or Markdown when `markdown` is true
    markdown: bool
    topic: str | None  # as the source names it (a folder, a section's name)
    slug_hint: str | None  # the source's own name for the page (a file name), when it has one
    tags: tuple[str, ...]
    updated: date | None
    origin: str  # where it was read, for the report: a path, path:line or a URL


def detect(source: Path) -> Kind:
    """The kind of `source`, from what it is: a folder is HTML pages, the file's extension decides the rest."""
    if source.is_dir():
        return "html"
    suffix = source.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "zendesk"
    if suffix in (".html", ".htm"):
        return "html"
    raise ValueError(f"{source}: cannot tell what kind of export this is; give --kind ({', '.join(KINDS)})")


def read(source: Path, kind: Kind, report: Report, *, selector: str = DEFAULT_SELECTOR) -> list[Article]:
    if kind == "html":
        return _html_pages(source, selector, report)
    if kind == "zendesk":
        return _zendesk(source, report)
    return _rows(source, kind, report)


def _date(raw: object) -> date | None:
    if isinstance(raw, date):
        return raw if not isinstance(raw, datetime) else raw.date()
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _tags(raw: object) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else re.split(r"[;,]", raw) if isinstance(raw, str) else []
    return tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))


# ---------------------------------------------------------------------------------------------------------
# HTML pages


def _page_date(soup: BeautifulSoup) -> date | None:
    for attrs in ({"property": "article:modified_time"}, {"name": "last-modified"}, {"name": "dcterms.modified"},
                  {"property": "article:published_time"}, {"name": "date"}):
        tag = soup.find("meta", attrs=attrs)
        if tag and (found := _date(tag.get("content"))):
            return found
    stamp = soup.find("time", attrs={"datetime": True})
    return _date(stamp.get("datetime")) if stamp else None


def _html_pages(source: Path, selector: str, report: Report) -> list[Article]:
    root = source if source.is_dir() else source.parent
    pages = sorted(source.rglob("*.htm*")) if source.is_dir() else [source]
    articles: list[Article] = []
    for page in pages:
        if not page.is_file() or page.suffix.lower() not in (".html", ".htm"):
            continue
        relative = page.relative_to(root)
        try:
            soup = BeautifulSoup(page.read_bytes(), "html.parser")
        except (OSError, UnicodeDecodeError) as error:
            report.add(str(page), 1, 1, "import-unreadable", f"cannot read the page: {error}")
            continue
        # "article, main, body": the first alternative that matches wins, not the first element in the page
        body = next((found for part in selector.split(",") if (found := soup.select_one(part.strip()))), None)
        if body is None:
            report.add(str(page), 1, 1, "import-no-body", f"no element matches the selector {selector!r}",
                         hint="give --selector the CSS selector of the article's body")
            continue
        heading = body.find("h1") or soup.find("h1")
        title = (heading.get_text(" ", strip=True) if heading else "") or (
            soup.title.get_text(" ", strip=True) if soup.title else "")
        if heading is not None and heading in body.descendants:
            heading.decompose()
        if not title:
            report.add(str(page), 1, 1, "import-no-title", "the page has no <h1> and no <title>: no question to use")
            continue
        topic = relative.parent.as_posix() if relative.parent != Path(".") else None
        articles.append(Article(key=relative.as_posix(), title=title, body=body.decode_contents(), markdown=False,
                                topic=topic, slug_hint=page.stem, tags=(), updated=_page_date(soup),
                                origin=str(page)))
    return articles


# ---------------------------------------------------------------------------------------------------------
# Zendesk Guide


def _zendesk(source: Path, report: Report) -> list[Article]:
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        report.add(str(source), 1, 1, "import-unreadable", f"cannot read the export: {error}")
        return []
    except json.JSONDecodeError as error:
        report.add(str(source), error.lineno, error.colno, "import-syntax", f"not JSON: {error.msg}")
        return []
    pages = data if isinstance(data, list) else [data]
    sections: dict[Any, str] = {}
    raw_articles: list[dict[str, Any]] = []
    for page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("articles"), list):
            report.add(str(source), 1, 1, "import-syntax",
                         "expected the Help Center API's article list: an object with an \"articles\" array")
            return []
        for section in page.get("sections") or []:
            if isinstance(section, dict) and section.get("name"):
                sections[section.get("id")] = str(section["name"])
        raw_articles.extend(page["articles"])
    articles: list[Article] = []
    for index, item in enumerate(raw_articles):
        where = f"{source} (article {index + 1})"
        if not isinstance(item, dict) or not str(item.get("title") or "").strip() or item.get("body") is None:
            report.add(str(source), 1, 1, "import-row", f"article {index + 1} has no title or no body: skipped")
            continue
        if item.get("draft"):
            continue
        key = str(item.get("id", index + 1))
        section = item.get("section_id")
        # The help center's own slug: ".../articles/360001001-Start-water-service" -> "Start-water-service"
        named = re.match(r"\d+-(.+)$", str(item.get("html_url") or "").rstrip("/").rsplit("/", 1)[-1])
        articles.append(Article(
            key=key, title=str(item["title"]).strip(), body=str(item["body"]), markdown=False,
            topic=sections.get(section) or (f"section-{section}" if section is not None else None),
            slug_hint=named.group(1) if named else None, tags=_tags(item.get("label_names") or []),
            updated=_date(item.get("edited_at") or item.get("updated_at") or item.get("created_at")),
            origin=str(item.get("html_url") or where)))
    return articles


# ---------------------------------------------------------------------------------------------------------
# CSV and JSON lines

_MARKUP = re.compile(r"<(p|ol|ul|li|a|h[1-6]|br|div|strong|em|table)\b", re.IGNORECASE)


def _row_article(row: dict[str, Any], source: Path, line: int, report: Report) -> Article | None:
    question = str(row.get("question") or "").strip()
    answer = str(row.get("answer") or "").strip()
    if not question or not answer:
        missing = "question" if not question else "answer"
        report.add(str(source), line, 1, "import-row", f"the row has no {missing}: skipped")
        return None
    form = str(row.get("format") or "").strip().lower()
    markdown = form == "markdown" if form in ("markdown", "html") else not _MARKUP.search(answer)
    key = str(row.get("id") or "").strip() or question
    return Article(key=key, title=question, body=answer, markdown=markdown,
                   topic=str(row.get("topic") or "").strip() or None, slug_hint=str(row.get("id") or "").strip() or None,
                   tags=_tags(row.get("tags") or ""), updated=_date(row.get("updated")), origin=f"{source}:{line}")


def _rows(source: Path, kind: Kind, report: Report) -> list[Article]:
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        report.add(str(source), 1, 1, "import-unreadable", f"cannot read the export: {error}")
        return []
    articles: list[Article] = []
    if kind == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or not {"question", "answer"} <= {name.strip() for name in reader.fieldnames}:
            report.add(str(source), 1, 1, "import-syntax", "the CSV header needs `question` and `answer` columns")
            return []
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            cleaned = {(key or "").strip(): value for key, value in row.items()}
            if None in row:
                report.add(str(source), start, 1, "import-row", "the row has more fields than the header: skipped")
                continue
            if (article := _row_article(cleaned, source, start, report)) is not None:
                articles.append(article)
        return articles
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as error:
            report.add(str(source), number, error.colno, "import-syntax", f"not a JSON object: {error.msg}")
            continue
        if not isinstance(row, dict):
            report.add(str(source), number, 1, "import-syntax", "each line must be a JSON object")
            continue
        if (article := _row_article(row, source, number, report)) is not None:
            articles.append(article)
    return articles
