"""Source files: bytes to text (with decode errors located), front matter split, YAML with positions."""
from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent

from engine import format_characters
from engine.diagnostics import Report

MAX_SOURCE_BYTES = 2_000_000
# An answer is read by a person in a minute or two (the longest sample is 2 KB); past 32 KiB it is a mistake, and
# Markdown parsing and fact recognition on pathological text grow faster than linearly.
MAX_ANSWER_BYTES = 32 * 1024
MAX_YAML_DEPTH = 16  # front matter needs 2 levels and _facts.yaml 3; deeper is a mistake or an attack
_DEEP_INDENT = re.compile(r"^ {%d,}" % (2 * MAX_YAML_DEPTH), re.MULTILINE)


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps dates as text, so pydantic reports impossible dates with a position."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


@dataclass(frozen=True)
class SourceText:
    """A decoded source file. `display` is the path shown in diagnostics (relative to the working folder)."""

    display: str
    text: str


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab and line feed are text
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")  # embeddings, overrides, isolates; LRM/RLM marks are fine
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def refusal(path: Path, root: Path) -> tuple[str, str] | None:
    """Why the knowledge base must not read `path`, if it must not: a link leading outside `root`, or something
    that is not a regular file (a named pipe would block the build for ever, a device would never end)."""
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            return "symlink", f"`{path.name}` is a symbolic link to a place outside the knowledge base; it is not followed"
        mode = path.stat().st_mode
    except (OSError, RuntimeError):  # a dangling or looping link: reading it reports the reason
        return None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "not-a-file", f"`{path.name}` is not a regular file (a pipe, socket or device); it is not read"
    return None


def read_text(path: Path, display: str, report: Report, *, limit: int = MAX_SOURCE_BYTES,
              root: Path | None = None) -> SourceText | None:
    """Read and decode a UTF-8 file; CRLF and a byte-order mark are accepted, anything undecodable reported.
    With `root`, a link out of it or a file that is not a regular one is refused unread."""
    refused = refusal(path, root if root is not None else path.parent)
    if refused is not None and (root is not None or refused[0] == "not-a-file"):
        report.add(display, 1, 1, *refused)
        return None
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
    if data.startswith(_UTF16_BOMS):
        report.add(display, 1, 1, "encoding", "the file is UTF-16; answers and facts are UTF-8",
                   hint="save the file as UTF-8")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8")) + 1  # in characters, as editors count
        report.add(display, line, col, "encoding",
                   f"byte 0x{data[error.start]:02x} is not valid UTF-8", hint="save the file as UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _invisible(text, display, report):
        return None
    cleaned = _format_characters(text, display, report)
    return SourceText(display, cleaned) if cleaned is not None else None


def _format_characters(text: str, display: str, report: Report) -> str | None:
    """The text without the format characters engine/format_characters.py strips (each kind warned once, where
    it first is), or None when it holds hidden tag text."""
    found = format_characters.scan(text)
    if found.hidden is not None:
        at, run = found.hidden
        report.add(display, *line_col(text, at), "format-character",
                   f"the file contains {len(run)} invisible Unicode tag character{'s' if len(run) > 1 else ''} "
                   f"(from {format_characters.name(run[0])}) spelling {format_characters.spelled(run)[:60]!r}: "
                   "hidden text that assistants reading the answer may follow", hint="remove them")
        return None
    for char, (at, count) in sorted(found.stripped.items(), key=lambda item: item[1][0]):
        times = f" ({count} in this file)" if count > 1 else ""
        report.warn(display, *line_col(text, at), "format-character",
                    f"removed the invisible format character {format_characters.name(char)}{times}",
                    hint="delete it from the file; it changes nothing a reader sees")
    return found.text


def _invisible(text: str, display: str, report: Report) -> bool:
    """Report the first control or bidi-override character: both change what a reader sees, not what is said."""
    found = _CONTROL.search(text)
    if found is not None:
        line, col = line_col(text, found.start())
        char = found.group()
        if char == "\x00":
            report.add(display, line, col, "nul-byte", "the file contains a NUL byte", hint="remove it; it is not text")
        else:
            report.add(display, line, col, "control-character",
                       f"the file contains the control character U+{ord(char):04X}", hint="remove it; it is not text")
    bidi = _BIDI.search(text)
    if bidi is not None:
        line, col = line_col(text, bidi.start())
        report.add(display, line, col, "bidi-control",
                   f"the file contains the bidirectional formatting character U+{ord(bidi.group()):04X}, which "
                   "reorders what readers see", hint="write the text in its natural order; the channels set direction")
    return found is not None or bidi is not None


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


def _events(text: str) -> Iterator[Any]:
    """YAML parse events (no nodes built): libyaml's, or, where libyaml is stricter than the located loader
    (a `:` in a flow scalar), the pure parser's. Raises on a syntax error both refuse."""
    try:
        yield from list(_fast_loader().parse(text))
    except (YAMLError, ValueError):
        yield from _located_loader().parse(text)


def _shape_refused(text: str, display: str, first_line: int, report: Report) -> bool:
    """Refuse anchors, aliases, tags and deep nesting from the event stream, before any structure is built: an alias
    bomb ("billion laughs") is a few hundred bytes that expand to billions of nodes for whoever walks them."""
    if not ("&" in text or "*" in text or "!" in text or text.count("[") + text.count("{") > MAX_YAML_DEPTH
            or _DEEP_INDENT.search(text)):
        return False  # nothing that could be an anchor, an alias, a tag or deep nesting: skip the scan
    depth = 0
    try:
        for event in _events(text):
            mark = event.start_mark
            where = (first_line + mark.line, mark.column + 1)
            if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
                name = "alias `*" if isinstance(event, AliasEvent) else "anchor `&"
                report.add(display, *where, "yaml-alias",
                           f"YAML anchors and aliases are not allowed ({name}{event.anchor}`)",
                           hint="write each value out in full")
                return True
            if isinstance(event, NodeEvent) and getattr(event, "tag", None):
                report.add(display, *where, "yaml-tag", f"YAML tags are not allowed (`{_short_tag(event.tag)}`)",
                           hint="write the plain value; quote it if it starts with `!`")
                return True
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    report.add(display, *where, "yaml-too-deep",
                               f"the YAML is nested more than {MAX_YAML_DEPTH} levels deep", hint="flatten it")
                    return True
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except (YAMLError, ValueError, RecursionError):
        return False  # a syntax error: the loader reports it with its position
    return False


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def load_yaml(text: str, display: str, first_line: int, report: Report) -> Any:
    """Parse YAML keeping positions (CommentedMap/Seq); errors become diagnostics and the result None."""
    if "\t" in text and _tab_indent(text, display, first_line, report):
        return None
    if _shape_refused(text, display, first_line, report):
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
    _keys: KeyIndex | None = field(default=None, repr=False)

    def where(self, *loc: str | int, key: bool = False) -> tuple[int, int]:
        if self._keys is None:
            self._keys = _block_keys(self.text)
        found = self._keys.get(tuple(loc))
        if found is not None:
            number, indent, value_col = found
            if key:
                return self.first_line + number, indent + 1
            if value_col is not None:
                return self.first_line + value_col[0], value_col[1]
        if self._located is None:
            try:
                self._located = _located_loader().load(self.text)
            except (YAMLError, ValueError):  # libyaml accepted what the pure loader does not: no position
                self._located = {}
        return position(self._located, loc, self.first_line, key=key)


_KEY_LINE = re.compile(r"( *)([A-Za-z0-9_][A-Za-z0-9_.-]*):(?: +(.*))?$")
KeyIndex = dict[tuple[str | int, ...], tuple[int, int, "tuple[int, int] | None"]]


_FLOW_ITEM = re.compile(r"\s*([A-Za-z0-9_][A-Za-z0-9_.-]*):\s+([^,{}\[\]'\"&*!|>#]*?)\s*(?:,|$)")


def _flat_flow_keys(line: str, start: int, number: int, path: tuple[str | int, ...]) -> KeyIndex:
    """The keys of a one-line flow mapping of plain scalars (`main: {type: phone, value: (800) 555-0100}`), as
    the facts are usually written; anything less plain (quotes, nesting) is left to the loader."""
    end = line.rstrip().rfind("}")
    inner = line[start + 1:end] if end == len(line.rstrip()) - 1 else None
    if inner is None or any(c in inner for c in "{}[]'\"&*!#"):
        return {}
    found: KeyIndex = {}
    at = 0
    while at < len(inner):
        item = _FLOW_ITEM.match(inner, at)
        if item is None or item.end() == at:
            return {}
        key_col = start + 1 + item.start(1)
        found[(*path, item.group(1))] = (number, key_col, (number, start + 1 + item.start(2) + 1))
        at = item.end()
    return found


def _block_keys(text: str) -> KeyIndex:
    """Every plain block-mapping key (`group:` / `  name:` / `    value: x`) by its path, found in one pass by
    indentation, with its line, indent and value position (0-based line, 1-based column); the round-trip loader
    takes seconds on a large `_facts.yaml`. Keys it cannot be sure of (inside sequences, block scalars or
    multi-line values) are left out, and `where` asks the loader about them."""
    index: KeyIndex = {}
    stack: list[tuple[int, str | None]] = []  # (indent, key); None: a subtree the scan does not follow
    pending: tuple[str | int, ...] | None = None  # a key whose value starts on the next content line
    skip_deeper_than: int | None = None
    for number, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if skip_deeper_than is not None and indent > skip_deeper_than:
            continue
        skip_deeper_than = None
        if pending is not None:
            key_indent = index[pending][1]
            if indent > key_indent or (indent == key_indent and stripped.startswith("- ")):
                index[pending] = (*index[pending][:2], (number, indent + 1))
            pending = None
        while stack and stack[-1][0] >= indent:
            stack.pop()
        match = _KEY_LINE.fullmatch(line)
        if match is None or "\t" in line[:indent]:
            stack.append((indent, None))
            skip_deeper_than = indent  # a sequence item or an unusual line: nothing below it is indexed
            continue
        name, rest = match.group(2), (match.group(3) or "").strip()
        path = (*(k for _, k in stack), name)
        stack.append((indent, name))
        if None in path:
            continue
        if not rest or rest.startswith("#"):
            index[path] = (number, indent, None)
            pending = path
        elif rest[0] in "|>&!*[{'\"":
            index[path] = (number, indent, None)  # block scalar, flow collection, quoted: the loader knows
            skip_deeper_than = indent
            if rest[0] in "[{'\"":  # a flow collection or a quoted scalar starts where its bracket or quote is
                start = len(line) - len(match.group(3).lstrip())
                index[path] = (number, indent, (number, start + 1))
                if rest[0] == "{":
                    index.update(_flat_flow_keys(line, start, number, path))
        else:
            index[path] = (number, indent, (number, len(line) - len(match.group(3).lstrip()) + 1))
    return index


def read_yaml(text: str, display: str, first_line: int, report: Report) -> YamlDoc | None:
    """Read YAML fast; on any problem fall back to the located loader so the diagnostic has a position."""
    if _shape_refused(text, display, first_line, report):
        return None
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
