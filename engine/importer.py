"""`import`: bring an existing help center into a knowledge base, and say what needs an editor.

Reads the export (engine/import_sources.py), writes answer files (engine/import_write.py), then checks the
knowledge base as `check` does and reports, per imported answer, what an editor has to look at: no short
answer, a channel over budget or degraded, markup the conversion left out, a file kept because it was edited.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from engine.diagnostics import Diagnostic, Report, Severity
from engine.import_sources import Kind, read
from engine.import_write import Imported, Proposal, propose_facts, proposals_yaml, write

STARTER_SETTINGS = """\
# Settings for this knowledge base, written by `one-answer import`: check the name and the web address.
name: {name}
channels:
  web:
    # Where the pages are published: the "full answer" links of every channel point here.
    base_url: {base_url}
"""


@dataclass
class ImportResult:
    imported: list[Imported]
    proposals: list[Proposal]
    source_problems: list[Diagnostic]
    findings: dict[str, list[Diagnostic]] = field(default_factory=dict)  # answer path -> check's findings
    checked: bool = False


def run(source: Path, kind: Kind, kb: Path, *, selector: str, owner: str, reviewed: date, base_url: str | None,
        organisation: str, check: bool, as_of: date) -> ImportResult:
    report = Report()
    articles = read(source, kind, report, selector=selector)
    kb.mkdir(parents=True, exist_ok=True)
    if not any((kb / name).exists() for name in ("_settings.yaml", "_facts.yaml")):
        (kb / "_settings.yaml").write_text(STARTER_SETTINGS.format(
            name=json.dumps(organisation), base_url=json.dumps(base_url or "https://www.example.org/help")),
            encoding="utf-8")
    imported = write(articles, kb, owner=owner, reviewed=reviewed, base_url=base_url)
    result = ImportResult(imported, propose_facts(kb, imported), report.items)
    if check and imported:
        from engine.check import run as run_check

        checked = run_check(kb, as_of, progress=False)
        paths = {str((kb / item.path).resolve()): item.path for item in imported}
        for item in checked.shown:
            key = paths.get(str(Path(item.path).resolve()))
            if key is not None:
                result.findings.setdefault(key, []).append(item)
        result.checked = True
    return result


def counts(result: ImportResult) -> Counter[str]:
    return Counter(item.outcome for item in result.imported)


def _finding_line(item: Diagnostic) -> str:
    return f"{item.severity.value} {item.code} (line {item.line}): {item.message}"


def text(result: ImportResult, kb: Path) -> str:
    tally = counts(result)
    lines = [f"Imported {len(result.imported)} articles into {kb}: "
             + ", ".join(f"{n} {what}" for what, n in sorted(tally.items()))]
    for problem in result.source_problems:
        lines.append(problem.text())
    needs = [item for item in result.imported
             if item.left_out or item.outcome.startswith("kept") or result.findings.get(item.path)]
    if needs:
        lines += ["", f"Needs an editor ({len(needs)} answer{'s' * (len(needs) != 1)}):"]
    for item in needs:
        lines.append(f"  {item.path}  (from {item.article.origin})")
        if item.outcome == "kept-edited":
            lines.append("    kept as it is: edited since the last import (the source's new version is not applied)")
        elif item.outcome == "kept-not-ours":
            lines.append("    kept as it is: a file of this name exists that no import wrote")
        if item.left_out:
            lines.append("    left out of the conversion: " + ", ".join(item.left_out))
        for finding in result.findings.get(item.path, []):
            lines.append("    " + _finding_line(finding))
    if result.checked:
        by_code = Counter(f.code for found in result.findings.values() for f in found)
        errors = sum(1 for found in result.findings.values() if any(f.severity is Severity.ERROR for f in found))
        publish = len(result.imported) - errors
        lines += ["", f"{publish} of {len(result.imported)} imported answers check without an error"
                  + (" (findings by code: " + ", ".join(f"{code} {n}" for code, n in by_code.most_common()) + ")"
                     if by_code else "")]
    if result.proposals:
        lines += ["", f"Proposed shared facts ({len(result.proposals)}): the same value in several answers. "
                      "Add them to _facts.yaml and write {{ group.name }} where each is used:"]
        for proposal in result.proposals:
            lines.append(f"  {proposal.group}.{proposal.name} = {proposal.value}  used in {len(proposal.answers)}: "
                         + ", ".join(proposal.answers[:6]) + (" …" if len(proposal.answers) > 6 else ""))
        lines += ["", proposals_yaml(result.proposals).rstrip()]
    return "\n".join(lines) + "\n"


def as_json(result: ImportResult) -> str:
    return json.dumps({
        "answers": [{"path": item.path, "source": item.article.origin, "outcome": item.outcome,
                     "left_out": list(item.left_out),
                     "findings": [{"severity": f.severity.value, "code": f.code, "line": f.line, "message": f.message}
                                  for f in result.findings.get(item.path, [])]}
                    for item in result.imported],
        "source_problems": [{"path": d.path, "line": d.line, "col": d.col, "code": d.code, "message": d.message}
                            for d in result.source_problems],
        "proposed_facts": [{"group": p.group, "name": p.name, "type": p.type, "value": p.value, "answers": p.answers}
                           for p in result.proposals],
    }, indent=2, ensure_ascii=False) + "\n"
