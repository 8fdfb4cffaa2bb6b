"""Diagnostics: what is wrong, where (path:line:col), and how to fix it; plus the three output formats."""
from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Iterable, Literal

from engine import codes


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located in a source file. Lines and columns count from 1."""

    path: str
    line: int
    col: int
    severity: Severity = field(compare=False)
    code: str
    message: str
    hint: str | None = field(default=None, compare=False)

    def text(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.code}: {self.message}{hint}"

    def github(self) -> str:
        kind = "error" if self.severity is Severity.ERROR else "warning"
        message = self.message + (f" (hint: {self.hint})" if self.hint else "")
        return (
            f"::{kind} file={_gh_property(self.path)},line={self.line},col={self.col},"
            f"title={_gh_property(self.code)}::{_gh_data(message)}"
        )

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


class Report:
    """Collects diagnostics from every stage so that all problems are reported in one run."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []
        self._paths_with_errors: set[str] = set()
        self.error_count = 0

    def add(
        self,
        path: str,
        line: int,
        col: int,
        code: str,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        codes.check(code)
        self._items.append(Diagnostic(path, max(line, 1), max(col, 1), severity, code, message, hint))
        if severity is Severity.ERROR:
            self._paths_with_errors.add(path)
            self.error_count += 1

    def first_error_for(self, path: str) -> Diagnostic | None:
        return next((d for d in self.errors if d.path == path), None)

    def paths_with_errors(self) -> frozenset[str]:
        return frozenset(self._paths_with_errors)

    def warn(self, path: str, line: int, col: int, code: str, message: str, *, hint: str | None = None) -> None:
        self.add(path, line, col, code, message, hint=hint, severity=Severity.WARNING)

    def extend(self, items: Iterable[Diagnostic]) -> None:
        for item in items:
            self.add(item.path, item.line, item.col, item.code, item.message, hint=item.hint,
                     severity=item.severity)

    @property
    def items(self) -> list[Diagnostic]:
        return sorted(set(self._items))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def has_errors(self) -> bool:
        return bool(self._paths_with_errors)

    def errors_for(self, path: str) -> bool:
        return path in self._paths_with_errors


OutputFormat = Literal["text", "json", "github"]


def render(items: list[Diagnostic], fmt: OutputFormat) -> str:
    if fmt == "json":
        return json.dumps([d.as_json() for d in items], indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        return "".join(d.github() + "\n" for d in items)
    return "".join(d.text() + "\n" for d in items)


def summary(items: list[Diagnostic], answers: int) -> str:
    errors = sum(1 for d in items if d.severity is Severity.ERROR)
    warnings = len(items) - errors
    return f"{answers} answers checked: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest known name to a misspelt one, as a hint, or None."""
    options = sorted(set(choices))
    lowered = {c.lower(): c for c in options}
    if word.lower() in lowered:
        return f"did you mean `{lowered[word.lower()]}`?"
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
