"""`diff --base REF`: the knowledge base as it was at a git ref, built beside the working one into temporary
folders, compared per channel (engine/inspect.py) and per shared fact (which facts changed value, in which
answers and channels): what a reviewer of a pull request needs, with nothing published."""
from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from engine.diagnostics import Report
from engine.factbook import FactTable
from engine.inspect import ChannelDiff, FactChange, diff
from engine.knowledge import load
from engine.model import facts_used
from engine.publish import build
from renderers.plain_facts import Style, written


class BaseError(Exception):
    """The ref or the knowledge base cannot be compared (not in git, unknown ref): a usage error."""


@dataclass
class BaseDiff:
    channels: dict[str, ChannelDiff]
    facts: list[FactChange]
    errors: dict[str, int]  # "base"/"working" -> content errors in that build (its failing answers held back)


def _git(kb: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=kb, capture_output=True, check=False)
    except FileNotFoundError:
        raise BaseError("git is not installed") from None
    if done.returncode != 0:
        raise BaseError(done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return done.stdout


def extract_at(kb: Path, ref: str, into: Path) -> Path:
    """The folder `kb` as committed at `ref`, written under `into`; returns its copy's root."""
    top = Path(_git(kb, "rev-parse", "--show-toplevel").decode().strip())
    inside = kb.resolve().relative_to(top.resolve()).as_posix() or "."
    commit = _git(kb, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    archive = _git(top, "archive", "--format=tar", commit, "--", inside)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    root = into / inside
    if not root.is_dir():
        raise BaseError(f"{inside} does not exist at {ref}")
    return root


def _values(facts: FactTable) -> dict[str, str]:
    style = Style()
    return {key: written(fact.value, style) for key, fact in facts.facts.items()}


def _fact_users(kb: Path, as_of: date) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Each fact's written value, and the answers that state each fact (from `{{ group.name }}` references)."""
    base = load(kb, Report(), as_of=as_of)
    users: dict[str, set[str]] = {}
    for answer in base.answers:
        for key in facts_used(answer.blocks, answer.overrides):
            users.setdefault(key, set()).add(answer.id)
    return _values(base.facts), users


def fact_changes(old_kb: Path, new_kb: Path, channels: dict[str, ChannelDiff], as_of: date) -> list[FactChange]:
    before, used_before = _fact_users(old_kb, as_of)
    after, used_after = _fact_users(new_kb, as_of)
    changes: list[FactChange] = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) == after.get(key):
            continue
        answers = sorted(used_before.get(key, set()) | used_after.get(key, set()))
        touched = sorted(channel for channel, change in channels.items()
                         if set(answers) & set(change.changed + change.added + change.removed))
        changes.append(FactChange(key, before.get(key), after.get(key), answers, touched))
    return changes


def diff_base(kb: Path, ref: str, as_of: date) -> BaseDiff:
    """Build `kb` at `ref` and as it is now (answers with errors held back, as `build --keep-going` does) and
    compare the two."""
    with tempfile.TemporaryDirectory(prefix="one-answer-diff-") as scratch:
        work = Path(scratch)
        old_kb = extract_at(kb, ref, work / "base")
        manifests = {}
        errors = {}
        for name, root in (("base", old_kb), ("working", kb)):
            report = Report()
            result = build(root, work / f"{name}-out", report, as_of=as_of, keep_going=True)
            errors[name] = len(report.errors)
            if result.manifest is None:
                raise BaseError(f"the {name} knowledge base does not build ({len(report.errors)} errors): "
                                "run `one-answer check` on it")
            manifests[name] = result.manifest
        channels = diff(manifests["base"], manifests["working"])
        return BaseDiff(channels, fact_changes(old_kb, kb, channels, as_of), errors)
