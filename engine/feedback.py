"""Feedback from every channel: import events, store them in the knowledge base, summarise them per answer.

An event says what happened after a customer got an answer on a channel: `time` (ISO 8601), `channel` (web,
mobile, ivr, chat, sms), `answer` (its id), `hash` (the content hash the channel served: every output and the
manifest carry it), `outcome` (helpful, not_helpful, transferred, stop, repeated) and an optional `comment`.

`feedback import FILE` reads CSV (a header row naming the fields) or JSON lines; every row is either stored or
reported as `FILE:line:col: error: invalid-feedback: ...` (never dropped in silence), and a row already stored is
counted, not stored twice. The store is `<kb>/_feedback/events.jsonl` (one normalised event a line, in time
order): it is an input of the build like every file of the knowledge base, so a bundle is a function of its
inputs (the reference site shows the feedback of its day, byte for byte again) and a build after an import is
never "up to date". Keep it in the content repository, or restore it there before the build job runs.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Literal, Mapping

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.diagnostics import Report
from engine.frontmatter import ID_PATTERN

STORE = Path("_feedback") / "events.jsonl"
CHANNELS = ("web", "mobile", "ivr", "chat", "sms")
OUTCOMES = ("helpful", "not_helpful", "transferred", "stop", "repeated")
FIELDS = ("time", "channel", "answer", "hash", "outcome", "comment")
TREND_DAYS = 30  # the trend compares the success rate of the last 30 days with the 30 before
MAX_BYTES = 64 * 1024 * 1024
OUTCOME_WORDS = {"helpful": "found it helpful", "not_helpful": "said it did not help",
                 "transferred": "transfer to an agent", "stop": "reply STOP", "repeated": "ask the same question again"}


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    time: datetime
    channel: Literal["web", "mobile", "ivr", "chat", "sms"]
    answer: str = Field(pattern=ID_PATTERN, max_length=201, validation_alias=AliasChoices("answer", "answer_id"))
    hash: str = Field(pattern=r"^[0-9a-f]{12,64}$", validation_alias=AliasChoices("hash", "content_hash"))
    outcome: Literal["helpful", "not_helpful", "transferred", "stop", "repeated"]
    comment: str | None = Field(None, max_length=1000)

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        """Times without a zone are UTC; all are kept in UTC."""
        return (value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value).astimezone(timezone.utc)

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if any(ord(ch) < 32 and ch not in "\t\n" for ch in value):
            raise ValueError("holds a control character")
        cleaned = " ".join(value.split())
        return cleaned or None

    def line(self) -> str:
        data = {"time": self.time.isoformat().replace("+00:00", "Z"), "channel": self.channel,
                "answer": self.answer, "hash": self.hash, "outcome": self.outcome}
        if self.comment:
            data["comment"] = self.comment
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Row:
    line: int
    data: dict[str, object]
    columns: dict[str, int] = field(default_factory=dict)  # field -> column (CSV), for diagnostics


def _rows(text: str, display: str, report: Report) -> list[Row]:
    """The rows of a CSV file (header first) or of JSON lines, each with its line number."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    if first.lstrip().startswith("{"):
        rows: list[Row] = []
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                report.add(display, number, error.colno, "invalid-feedback", f"not JSON: {error.msg}")
                continue
            if not isinstance(data, dict):
                report.add(display, number, 1, "invalid-feedback", "each line must be a JSON object")
                continue
            rows.append(Row(number, data))
        return rows
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    found = []
    for record in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            continue
        if len(record) != len(header):
            report.add(display, number, 1, "invalid-feedback",
                       f"{len(record)} fields, but the header names {len(header)}")
            continue
        columns: dict[str, int] = {}
        col = 1
        for name, cell in zip(header, record):
            columns[name] = col
            col += len(cell) + 1
        found.append(Row(number, {k: (v if v != "" else None) for k, v in zip(header, record)}, columns))
    return found


def parse(text: str, display: str, report: Report) -> list[Event]:
    """Every valid event of an export; every other row reported with its line (and column, in CSV)."""
    events: list[Event] = []
    for row in _rows(text, display, report):
        try:
            events.append(Event.model_validate(row.data))
        except ValidationError as error:
            for item in error.errors():
                name = str(item["loc"][0]) if item["loc"] else ""
                shown = item["msg"] if item["type"] != "extra_forbidden" else \
                    f"unknown field (fields: {', '.join(FIELDS)})"
                report.add(display, row.line, row.columns.get(name, 1), "invalid-feedback",
                           f"`{name or 'row'}`: {shown}")
    return events


@dataclass(frozen=True)
class Imported:
    added: int
    already: int
    rows_bad: int
    store: Path


def import_file(kb: Path, source: Path, display: str, report: Report) -> Imported:
    """Add the valid events of `source` to the store (kept sorted, each event once)."""
    data = source.read_bytes()
    if len(data) > MAX_BYTES:
        report.add(display, 1, 1, "invalid-feedback", f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,}",
                   hint="split the export")
        return Imported(0, 0, 1, kb / STORE)
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        report.add(display, data[:error.start].count(b"\n") + 1, 1, "invalid-feedback", "the file is not UTF-8")
        return Imported(0, 0, 1, kb / STORE)
    before = report.error_count
    events = parse(text, display, report)
    bad = report.error_count - before
    path = kb / STORE
    stored = load_lines(path)
    new = [event.line() for event in events]
    added = [line for line in dict.fromkeys(new) if line not in stored]
    already = len(new) - len(added)
    if added:
        lines = sorted(set(stored) | set(added), key=lambda line: (json.loads(line)["time"], line))
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        temporary.replace(path)
    return Imported(len(added), already, bad, path)


def load_lines(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()}


def load_store(kb: Path, display: str, report: Report) -> tuple[Event, ...]:
    """The stored events (a damaged line is reported at its place, never used)."""
    path = kb / STORE
    if not path.exists():
        return ()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        report.add(display, 1, 1, "invalid-feedback", f"the feedback store cannot be read: {error}")
        return ()
    events: list[Event] = []
    slow: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            event = _stored(line)
            if event is not None:
                events.append(event)
            else:  # not as `import` writes it: validated in full, and reported at its line if it is wrong
                slow.append("\n" * (number - 1 - sum(item.count("\n") + 1 for item in slow)) + line)
    if slow:
        events.extend(parse("\n".join(slow), display, report))
    return tuple(events)


_ANSWER = re.compile(ID_PATTERN)
_HASH = re.compile(r"^[0-9a-f]{12,64}$")


def _stored(line: str) -> Event | None:
    """A line as `import` writes it, read without the full validation (a large store loads on every build);
    None for anything else."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not data.keys() <= set(FIELDS) or len(data) < 5:
        return None
    time, comment = data.get("time"), data.get("comment")
    if (data.get("channel") not in CHANNELS or data.get("outcome") not in OUTCOMES or not isinstance(time, str)
            or not isinstance(data.get("answer"), str) or not _ANSWER.fullmatch(data["answer"])
            or not isinstance(data.get("hash"), str) or not _HASH.fullmatch(data["hash"])
            or not (comment is None or (isinstance(comment, str) and comment == " ".join(comment.split())
                                        and comment and len(comment) <= 1000))
            or not time.endswith("Z")):
        return None
    try:
        when = datetime.fromisoformat(time)
    except ValueError:
        return None
    return Event.model_construct(time=when.astimezone(timezone.utc), channel=data["channel"], answer=data["answer"],
                                 hash=data["hash"], outcome=data["outcome"], comment=comment)


# -------------------------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class ChannelFeedback:
    channel: str
    volume: int
    helpful: int
    current: int  # events for the content hash published now
    outcomes: tuple[tuple[str, int], ...]
    trend: float | None  # success rate change, last TREND_DAYS against the TREND_DAYS before (None: too few)
    comments: tuple[str, ...]

    @property
    def success(self) -> float:
        return self.helpful / self.volume if self.volume else 0.0

    @property
    def older(self) -> int:
        return self.volume - self.current

    def worst(self) -> tuple[str, float] | None:
        """The most common unsuccessful outcome and its share, if any."""
        bad = [(count, name) for name, count in self.outcomes if name != "helpful" and count]
        if not bad:
            return None
        count, name = max(bad)
        return name, count / self.volume


@dataclass(frozen=True)
class AnswerFeedback:
    answer: str
    current_hash: str
    channels: tuple[ChannelFeedback, ...]


def summarise(events: Iterable[Event], hashes: Mapping[str, str], as_of: date) -> dict[str, AnswerFeedback]:
    """Per answer and channel: volume, success rate, outcomes, how many are for the current content hash (a
    hash given as a prefix of 12 or more hex digits counts), the trend up to `as_of`, the last comments."""
    grouped: dict[tuple[str, str], list[Event]] = {}
    for event in events:
        if event.time.date() <= as_of:
            grouped.setdefault((event.answer, event.channel), []).append(event)
    out: dict[str, list[ChannelFeedback]] = {}
    for (answer_id, channel), found in sorted(grouped.items()):
        current_hash = hashes.get(answer_id, "")
        counts = Counter(e.outcome for e in found)
        current = sum(1 for e in found if current_hash and current_hash.startswith(e.hash))
        commented = sorted(((e.time, e.comment) for e in found if e.comment), reverse=True)
        comments = tuple(dict.fromkeys(comment for _, comment in commented))[:3]
        out.setdefault(answer_id, []).append(ChannelFeedback(
            channel, len(found), counts["helpful"], current, tuple((o, counts[o]) for o in OUTCOMES if counts[o]),
            _trend(found, as_of), comments))
    order = {name: index for index, name in enumerate(CHANNELS)}
    return {answer_id: AnswerFeedback(answer_id, hashes.get(answer_id, ""),
                                      tuple(sorted(items, key=lambda c: order.get(c.channel, 99))))
            for answer_id, items in out.items()}


def _trend(found: list[Event], as_of: date) -> float | None:
    recent_start = as_of - timedelta(days=TREND_DAYS)
    earlier_start = recent_start - timedelta(days=TREND_DAYS)
    recent = [e for e in found if e.time.date() > recent_start]
    earlier = [e for e in found if earlier_start < e.time.date() <= recent_start]
    if len(recent) < 3 or len(earlier) < 3:
        return None
    rate = lambda items: sum(e.outcome == "helpful" for e in items) / len(items)  # noqa: E731
    return rate(recent) - rate(earlier)


def worst_pairs(summaries: Mapping[str, AnswerFeedback], minimum: int = 1) -> list[tuple[str, ChannelFeedback]]:
    """Every answer x channel pair, the lowest success rate first (then the most feedback, then by name)."""
    pairs = [(a.answer, c) for a in summaries.values() for c in a.channels if c.volume >= minimum]
    return sorted(pairs, key=lambda pair: (pair[1].success, -pair[1].volume, pair[0], pair[1].channel))


CHANNEL_NAMES = {"web": "web readers", "mobile": "app users", "ivr": "IVR callers", "chat": "chat customers",
                 "sms": "text message customers"}


def headline(channel: ChannelFeedback) -> str:
    """One sentence a CSR reads at a glance: "IVR callers transfer to an agent 40% of the time after this answer"."""
    worst = channel.worst()
    who = CHANNEL_NAMES.get(channel.channel, channel.channel)
    who = who[:1].upper() + who[1:]
    if worst is None:
        return f"{who} found this answer helpful every time ({channel.volume} responses)."
    name, share = worst
    return f"{who} {OUTCOME_WORDS[name]} {share:.0%} of the time after this answer."


def report_text(summaries: Mapping[str, AnswerFeedback], limit: int = 20) -> str:
    """The report card's feedback section: the worst answer x channel pairs first."""
    pairs = worst_pairs(summaries)
    if not pairs:
        return ""
    lines = ["", "Feedback (worst answer x channel first):",
             f"  {'answer':<40} {'channel':<7} {'volume':>6} {'success':>7}  {'current':>7}  trend"]
    for answer_id, channel in pairs[:limit]:
        trend = "" if channel.trend is None else f"{channel.trend:+.0%}"
        lines.append(f"  {answer_id:<40} {channel.channel:<7} {channel.volume:>6} {channel.success:>7.0%}  "
                     f"{channel.current:>3}/{channel.volume:<3}  {trend}")
    if len(pairs) > limit:
        lines.append(f"  ... and {len(pairs) - limit} more")
    return "\n".join(lines) + "\n"
