"""`report` and `diff`: what a published bundle holds, and what changed per channel between two bundles,
read from the manifests alone."""
from __future__ import annotations

from typing import Any

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from engine.bundle import MANIFEST, Manifest
from engine.releases import bundle_folder


def read_manifest(path: Path) -> Manifest:
    """A bundle's manifest (`path` is the bundle folder, an output folder with releases, or the manifest file)."""
    file = bundle_folder(path) / MANIFEST if path.is_dir() else path
    return Manifest.model_validate_json(file.read_bytes())


def _largest(manifest: Manifest, channel: str, metric: str) -> tuple[float, str] | None:
    values = [(float(entry.channels[channel].metrics[metric]), answer_id)
              for answer_id, entry in manifest.answers.items()
              if channel in entry.channels and isinstance(entry.channels[channel].metrics.get(metric), (int, float))]
    return max(values, key=lambda v: (v[0], v[1])) if values else None


def report(manifest: Manifest) -> str:
    """Outputs per channel and the extremes of each budgeted metric."""
    counts: dict[str, int] = defaultdict(int)
    overrides: dict[str, int] = defaultdict(int)
    encodings: dict[str, int] = defaultdict(int)
    for entry in manifest.answers.values():
        for channel, output in entry.channels.items():
            counts[channel] += 1
            overrides[channel] += bool(output.metrics.get("override"))
            if channel == "sms":
                encodings[str(output.metrics.get("encoding"))] += 1
    lines = [f"{len(manifest.answers)} answers; inputs {manifest.inputs[:12]}", "",
             f"{'channel':<10} {'outputs':>7} {'overrides':>9}"]
    lines += [f"{channel:<10} {counts[channel]:>7} {overrides[channel]:>9}" for channel in sorted(counts)]
    lines.append("")
    for channel, metric, unit in (("sms", "segments", "segments"), ("sms", "characters", "characters"),
                                  ("ivr", "seconds", "s"), ("chat", "characters", "characters"),
                                  ("mobile", "bytes", "bytes"), ("web", "words", "words")):
        largest = _largest(manifest, channel, metric)
        if largest is not None:
            lines.append(f"largest {channel} {metric}: {largest[0]:g} {unit} ({largest[1]})")
    if encodings:
        lines.append("sms encodings: " + ", ".join(f"{k} {v}" for k, v in sorted(encodings.items())))
    left_out = [(answer_id, channel, text) for answer_id, entry in sorted(manifest.answers.items())
                for channel, output in sorted(entry.channels.items()) for text in output.left_out or ()]
    if left_out:
        lines += ["", f"left out by a channel ({len(left_out)}):"]
        lines += [f"  {answer_id} {channel}: {text}" for answer_id, channel, text in left_out]
    accepted = [(answer_id, text) for answer_id, entry in sorted(manifest.answers.items())
                for text in entry.accepted or ()]
    if accepted:
        lines += ["", f"accepted findings ({len(accepted)}):"] + [f"  {answer_id}: {text}" for answer_id, text in accepted]
    if manifest.held_back:
        lines += ["", f"held back ({len(manifest.held_back)}):"]
        lines += [f"  {answer_id}: {reason}" for answer_id, reason in sorted(manifest.held_back.items())]
    return "\n".join(lines) + "\n"


@dataclass
class ChannelDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    metrics: dict[str, dict[str, list[object]]] = field(default_factory=dict)  # changed id -> metric -> [old, new]
    indexes: list[str] = field(default_factory=list)  # channel-level files (home, topic pages, search shards)


@dataclass
class FactChange:
    """A shared fact whose value changed between two knowledge bases (`diff --base`)."""

    key: str
    before: str | None  # None: the fact is new
    after: str | None  # None: the fact was removed
    answers: list[str] = field(default_factory=list)  # answers that state it, before or after
    channels: list[str] = field(default_factory=list)  # channels whose output changed in those answers


def diff(old: Manifest, new: Manifest) -> dict[str, ChannelDiff]:
    """Per channel, the answers whose output appeared, disappeared or changed (by file hashes), how each changed
    answer's metrics moved (SMS segments, IVR seconds...), and the channel-level files that changed."""
    result: dict[str, ChannelDiff] = defaultdict(ChannelDiff)
    for answer_id in sorted(set(old.answers) | set(new.answers)):
        before = old.answers[answer_id].channels if answer_id in old.answers else {}
        after = new.answers[answer_id].channels if answer_id in new.answers else {}
        for channel in sorted(set(before) | set(after)):
            if channel not in before:
                result[channel].added.append(answer_id)
            elif channel not in after:
                result[channel].removed.append(answer_id)
            elif before[channel].files != after[channel].files:
                result[channel].changed.append(answer_id)
                moved = {name: [before[channel].metrics.get(name), after[channel].metrics.get(name)]
                         for name in sorted(set(before[channel].metrics) | set(after[channel].metrics))
                         if before[channel].metrics.get(name) != after[channel].metrics.get(name)}
                if moved:
                    result[channel].metrics[answer_id] = moved
    for path in sorted(set(old.indexes) | set(new.indexes)):
        if old.indexes.get(path) != new.indexes.get(path):
            result[path.split("/", 1)[0]].indexes.append(path)
    return dict(sorted(result.items()))


UNITS = {"seconds": " s", "bytes": " B"}  # the rest read as counts: "segments 1 → 2 (+1)"


def _moved(name: str, values: list[object]) -> str:
    before, after = values
    unit = UNITS.get(name, "")
    if isinstance(before, (int, float)) and isinstance(after, (int, float)) and not isinstance(before, bool):
        delta = after - before
        sign = "+" if delta > 0 else ""
        return f"{name} {before:g}{unit} → {after:g}{unit} ({sign}{delta:g}{unit})"
    return f"{name} {before if before is not None else '—'} → {after if after is not None else '—'}"


def _fact_line(fact: FactChange) -> str:
    where = (f" in {len(fact.answers)} answer{'s' * (len(fact.answers) != 1)}, {len(fact.channels)} "
             f"channel{'s' * (len(fact.channels) != 1)}") if fact.answers else ", stated in no answer"
    if fact.before is None:
        return f"{fact.key}: new, {fact.after}{where}"
    if fact.after is None:
        return f"{fact.key}: removed (was {fact.before}){where}"
    return f"{fact.key}: {fact.before} → {fact.after}{where}"


def _summary(change: ChannelDiff) -> str:
    extra = f" (and {len(change.indexes)} index file{'s' * (len(change.indexes) != 1)})" if change.indexes else ""
    return f"{len(change.added)} added, {len(change.removed)} removed, {len(change.changed)} changed{extra}"


def _answer_lines(change: ChannelDiff) -> list[tuple[str, str, str]]:
    """(mark, answer id, how its metrics moved) for every added, removed and changed answer."""
    rows = [("+", item, "") for item in change.added] + [("-", item, "") for item in change.removed]
    for item in change.changed:
        moved = change.metrics.get(item, {})
        rows.append(("~", item, ", ".join(_moved(name, values) for name, values in moved.items())))
    return rows


def diff_text(changes: dict[str, ChannelDiff], facts: list[FactChange] | None = None) -> str:
    """What a reviewer reads on a pull request: the shared facts whose value changed (with `--base`), then per
    channel the answers that changed and how their metrics moved; channel-level files (index pages, search
    shards) as a count, not a list."""
    if not changes and not facts:
        return "no changes\n"
    lines: list[str] = []
    if facts:
        lines.append(f"facts: {len(facts)} changed")
        lines.extend(f"  {_fact_line(fact)}" for fact in facts)
    for channel, change in changes.items():
        lines.append(f"{channel}: {_summary(change)}")
        lines.extend(f"  {mark} {item}" + (f": {how}" if how else "") for mark, item, how in _answer_lines(change))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def diff_markdown(changes: dict[str, ChannelDiff], facts: list[FactChange] | None = None) -> str:
    """The same as `diff_text`, as GitHub-flavoured Markdown for a pull-request comment: a table of channels,
    the facts, and each channel's answers in a collapsed section."""
    lines = ["### What this change does to each channel", ""]
    if not changes and not facts:
        return "\n".join(lines + ["No output changes.", ""])
    if facts:
        lines += ["**Shared facts**", ""] + [f"- `{fact.key}`: {_cell(_fact_line(fact).split(': ', 1)[1])}"
                                             for fact in facts] + [""]
    if changes:
        lines += ["| channel | added | removed | changed | index files |", "| --- | ---: | ---: | ---: | ---: |"]
        lines += [f"| {channel} | {len(c.added)} | {len(c.removed)} | {len(c.changed)} | {len(c.indexes)} |"
                  for channel, c in changes.items()]
        lines.append("")
    for channel, change in changes.items():
        rows = _answer_lines(change)
        if not rows:
            continue
        lines += [f"<details><summary><b>{channel}</b>: {_summary(change)}</summary>", ""]
        lines += [f"- {mark} `{item}`" + (f": {_cell(how)}" if how else "") for mark, item, how in rows]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def card_text(card: dict[str, Any], worst: int = 15) -> str:
    """The report card (engine/report_card.py, as its card.json holds it) for a terminal: grades per channel,
    then the worst answers with what to fix."""
    grades = sorted({grade for counts in card["by_channel"].values() for grade in counts} | set("ABCDF"))
    lines = [f"report card as of {card['as_of']}: {len(card['rows'])} answers", "",
             f"{'channel':<10} " + " ".join(f"{g:>4}" for g in grades)]
    lines += [f"{channel:<10} " + " ".join(f"{counts.get(g, 0):>4}" for g in grades)
              for channel, counts in card["by_channel"].items()]
    if card.get("assessment"):
        lines += ["", "self-assessment:"] + [f"  {line}" for line in card["assessment"]]
    shown = [row for row in card["rows"] if row["fixes"]][:worst]
    if shown:
        lines += ["", f"worst first ({len(shown)} of {sum(1 for r in card['rows'] if r['fixes'])} with something to fix):"]
    for row in shown:
        lines.append(f"  {row['grade']} {row['score']:>3}  {row['id']}")
        lines += [f"          {fix}" for fix in row["fixes"]]
    return "\n".join(lines) + "\n"
