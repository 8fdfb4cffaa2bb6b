"""Reasoned waivers: a finding that an answer's `accept:` names (its code, and the fact or text its message
states) is reported as accepted, with the editor's reason, instead of failing the build; an acceptance that no
finding matches any more is a warning of its own, so waivers never outlive what they waived."""
from __future__ import annotations

from dataclasses import dataclass

from engine.model import Acceptance


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    line: int
    error: bool


@dataclass(frozen=True)
class Sorted:
    kept: tuple[Finding, ...]  # reported as they are
    accepted: tuple[tuple[Finding, Acceptance], ...]  # reported as accepted
    unused: tuple[Acceptance, ...]  # matched nothing


def matches(finding: Finding, acceptance: Acceptance) -> bool:
    return finding.code == acceptance.code and acceptance.about.casefold() in finding.message.casefold()


def sort_findings(accepts: tuple[Acceptance, ...], findings: list[Finding]) -> Sorted:
    kept: list[Finding] = []
    accepted: list[tuple[Finding, Acceptance]] = []
    used: set[Acceptance] = set()
    for finding in findings:
        waiver = next((a for a in accepts if matches(finding, a)), None)
        if waiver is None:
            kept.append(finding)
        else:
            accepted.append((finding, waiver))
            used.add(waiver)
    return Sorted(tuple(kept), tuple(accepted), tuple(a for a in accepts if a not in used))
