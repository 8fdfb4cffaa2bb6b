"""`status set STANDARD missed --until DATE` and `status clear STANDARD`: publish "we cannot meet this standard"
on every channel in one step, as a notice in `_notices.yaml` made from the knowledge base's own template
(`missed_notice` in `_standards.yaml`), and take it back in one step.

The notice written is an ordinary one (id `status-<standard>`, `standard_status: missed`), so it goes through
review, `check` and the gate like any other, and a release (or a `git revert` of the file) rolls it back.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.diagnostics import Report
from engine.factbook import load_facts, load_settings
from engine.knowledge import display_path
from engine.notices import FILE as NOTICES
from engine.standards import GROUP, load_standards
from renderers.plain_facts import date_words


class StatusError(ValueError):
    """A request that cannot be carried out (message for the operator)."""


@dataclass(frozen=True)
class Written:
    notice_id: str
    message: str
    path: Path


def notice_id(standard_id: str) -> str:
    return "status-" + standard_id.replace("_", "-")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def _read(path: Path) -> CommentedMap:
    if not path.exists():
        return CommentedMap(notices=CommentedSeq())
    data = _yaml().load(path.read_text(encoding="utf-8"))
    if data is None:
        return CommentedMap(notices=CommentedSeq())
    if not isinstance(data, CommentedMap) or not isinstance(data.get("notices", CommentedSeq()), list):
        raise StatusError(f"{display_path(path)} is not `notices: [...]`; fix it first (run check)")
    data.setdefault("notices", CommentedSeq())
    if data["notices"] is None:
        data["notices"] = CommentedSeq()
    return data


def _write(path: Path, data: CommentedMap) -> None:
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    temporary.replace(path)


def set_missed(kb: Path, standard_id: str, until: date, start: date) -> Written:
    """Write (or replace) the missed-standard notice of `standard_id`, active from `start` to `until`."""
    report = Report()
    settings = load_settings(kb, display_path(kb / "_settings.yaml"), report)
    facts = load_facts(kb, display_path(kb / "_facts.yaml"), settings.locale, report)
    standards, _ = load_standards(kb, display_path(kb / "_standards.yaml"), settings.locale, facts, report)
    if report.has_errors():
        raise StatusError("the knowledge base has errors in its settings, facts or standards: run check first")
    if standard_id not in standards.items:
        known = ", ".join(sorted(standards.items)) or "none: _standards.yaml defines no standard"
        raise StatusError(f"no standard is called `{standard_id}` (standards: {known})")
    if until < start:
        raise StatusError(f"--until {until} is before the notice would start ({start})")
    standard = standards.items[standard_id]
    message = standards.notice_template(standard_id).format(
        title=standard.title, standard=f"{{{{ {GROUP}.{standard_id} }}}}", until=date_words(until),
        applies_to=standard.applies_to)
    path = kb / NOTICES
    data = _read(path)
    ident = notice_id(standard_id)
    entry = CommentedMap([("id", ident), ("message", message), ("effective_from", start),
                          ("effective_until", until), ("target", CommentedMap(standard=standard_id)),
                          ("standard_status", "missed")])
    entry["target"].fa.set_flow_style()
    notices = data["notices"]
    at = next((i for i, item in enumerate(notices) if isinstance(item, dict) and item.get("id") == ident), None)
    if at is None:
        notices.append(entry)
    else:
        notices[at] = entry
    _write(path, data)
    return Written(ident, message, path)


def clear(kb: Path, standard_id: str) -> list[str]:
    """Remove every missed-standard notice of `standard_id`; the ids removed (none: nothing to clear)."""
    path = kb / NOTICES
    if not path.exists():
        return []
    data = _read(path)
    notices = data["notices"]
    keep = [item for item in notices if not _is_status(item, standard_id)]
    removed = [str(item.get("id")) for item in notices if _is_status(item, standard_id)]
    if removed:
        notices[:] = keep
        _write(path, data)
    return removed


def _is_status(item: object, standard_id: str) -> bool:
    if not isinstance(item, dict) or item.get("standard_status") is None:
        return False
    target = item.get("target")
    return isinstance(target, dict) and target.get("standard") == standard_id
