"""Source files: bytes to text (with decode errors located), front matter split, YAML with positions."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from engine.diagnostics import Report

MAX_SOURCE_BYTES = 2_000_000


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps dates as text, so pydantic reports impossible dates with a position."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


@dataclass(frozen=True)
class SourceText:
    """A decoded source file. `display` is the path shown in diagnostics (relative to the working folder)."""

    display: str
    text: str


def read_text(path: Path, display: str, report: Report, *, limit: int = MAX_SOURCE_BYTES) -> SourceText | None:
    """Read and decode a UTF-8 file; CRLF and a byte-order mark are accepted, anything undecodable reported."""
    try:
        data = path.read_bytes()
    except OSError as error:
        report.add(display, 1, 1, "unreadable", f"cannot read the file: {error.strerror or error}")
        return None
    if len(data) > limit:
        report.add(display, 1, 1, "too-large", f"the file is {len(data):,} bytes; the limit is {limit:,}",
                   hint="split it into several answers")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        report.add(display, line, col, "encoding",
                   f"byte 0x{data[error.start]:02x} is not valid UTF-8", hint="save the file as UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\x00")
    if nul >= 0:
        line, col = line_col(text, nul)
        report.add(display, line, col, "nul-byte", "the file contains a NUL byte", hint="remove it; it is not text")
        return None
    return SourceText(display, text)


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@dataclass(frozen=True)
class Split:
    """A Markdown file cut into front matter and body; lines count from 1 in the whole file."""

    front_matter: str
    front_matter_line: int  # line of the first YAML line
    body: str
    body_line: int  # line of the first body line


def split_front_matter(source: SourceText, report: Report) -> Split | None:
    lines = source.text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        report.add(source.display, 1, 1, "no-front-matter", "an answer file starts with front matter between `---` lines",
                   hint="run `python build.py new topic/slug` for a template")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Split("\n".join(lines[1:index]) + "\n", 2, "\n".join(lines[index + 1:]), index + 2)
    report.add(source.display, 1, 1, "unclosed-front-matter", "the front matter has no closing `---` line")
    return None


@lru_cache(maxsize=1)
def _located_loader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


@lru_cache(maxsize=1)
def _fast_loader() -> YAML:
    return YAML(typ="safe", pure=False)  # libyaml through ruamel.yaml.clib when installed


def _tab_indent(text: str, display: str, first_line: int, report: Report) -> bool:
    for number, line in enumerate(text.split("\n")):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            report.add(display, first_line + number, line.index("\t") + 1, "yaml-tab",
                       "YAML does not allow tabs for indentation", hint="indent with spaces")
            return True
    return False


def load_yaml(text: str, display: str, first_line: int, report: Report) -> Any:
    """Parse YAML keeping positions (CommentedMap/Seq); errors become diagnostics and the result None."""
    if "\t" in text and _tab_indent(text, display, first_line, report):
        return None
    try:
        return _located_loader().load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        col = (mark.column + 1) if mark else 1
        problem = " ".join(str(error.problem or error.context or "invalid YAML").split())
        code, hint = "yaml-syntax", None
        if "duplicate key" in problem:
            code, hint = "duplicate-key", "keep one of them"
            problem = problem.replace("found duplicate key", "duplicate key").split(" with value")[0]
        elif error.context and error.problem and error.context_mark is not None:
            where = f"line {first_line + error.context_mark.line}, column {error.context_mark.column + 1}"
            problem = f"{' '.join(str(error.context).split())} at {where}: {problem}"
        report.add(display, line, col, code, problem, hint=hint)
    except (YAMLError, ValueError, TypeError, RecursionError) as error:
        report.add(display, first_line, 1, "yaml-syntax", " ".join(str(error).split()) or type(error).__name__)
    return None


def position(data: Any, loc: tuple[str | int, ...], first_line: int, *, key: bool = False) -> tuple[int, int]:
    """The line and column of the node at `loc` (or of its key), or of its nearest located ancestor."""
    line, col = first_line, 1
    node = data
    for depth, part in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, CommentedMap) and part in node:
            where = node.lc.key(part) if (key and last) else node.lc.value(part)
            line, col = first_line + where[0], where[1] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            where = node.lc.item(part)
            line, col = first_line + where[0], where[1] + 1
            node = node[part]
        else:
            break
    return line, col


def plain(data: Any) -> Any:
    """Round-trip YAML nodes as plain dicts, lists and strs (what the pydantic models validate)."""
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(item) for item in data]
    if isinstance(data, str):
        return str(data)
    return data


@dataclass
class YamlDoc:
    """A YAML document read the fast way (libyaml, no positions); positions are worked out only when a
    diagnostic needs one, by re-reading the text with the round-trip loader."""

    text: str
    first_line: int
    data: Any
    _located: Any = field(default=None, repr=False)

    def where(self, *loc: str | int, key: bool = False) -> tuple[int, int]:
        if len(loc) == 1 and isinstance(loc[0], str):
            top = self._top_level(loc[0], key)
            if top is not None:
                return top
        if self._located is None:
            try:
                self._located = _located_loader().load(self.text)
            except (YAMLError, ValueError):  # libyaml accepted what the pure loader does not: no position
                self._located = {}
        return position(self._located, loc, self.first_line, key=key)

    def _top_level(self, name: str, key: bool) -> tuple[int, int] | None:
        """A top-level key written `name: value` on one line: found by a scan, no second parse."""
        prefix = f"{name}:"
        for number, line in enumerate(self.text.split("\n")):
            if line.startswith(prefix):
                rest = line[len(prefix):]
                if key:
                    return self.first_line + number, 1
                if rest.strip() and not rest.strip().startswith(("|", ">", "#", "&", "!")):
                    return self.first_line + number, len(line) - len(rest.lstrip()) + 1
                return None
        return None


def read_yaml(text: str, display: str, first_line: int, report: Report) -> YamlDoc | None:
    """Read YAML fast; on any problem fall back to the located loader so the diagnostic has a position."""
    try:
        data = _fast_loader().load(text)
    except Exception:  # noqa: BLE001 - every failure is re-read below and reported with its position
        data = load_yaml(text, display, first_line, report)
        if data is None:
            return None
        return YamlDoc(text, first_line, plain(data), data)
    if "\t" in text and _tab_indent(text, display, first_line, report):
        return None
    return YamlDoc(text, first_line, data)
