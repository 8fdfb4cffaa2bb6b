"""Whatever an answer file or _facts.yaml holds, loading only ever produces diagnostics: it never raises."""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, strategies as st

from engine.diagnostics import Report
from engine.knowledge import load

KEYS = ["question", "owner", "reviewed", "asked_as", "related", "audience", "channels", "id", "sms", "tags",
        "review_every", "effective_from", "effective_until", "topic", "askd_as"]
VALUES = st.one_of(st.text(max_size=30), st.sampled_from(["2026-02-30", "2026-03-05", "[a, b]", "{x: 1}", "- a",
                                                          "&a [1]", "*a", "!!binary x", "|", "'", '"', "~", "12"]))
MARKDOWN = st.lists(st.sampled_from([
    "Short answer.", "1. step", "- item", "::: internal", "::: only sms", "::: except", ":::", "{{ fees.card }}",
    "{{ nope }}", "<script>x</script>", "[x](javascript:alert(1))", "| a | b |", "|---|---|", "```", "# H",
    "$2.50 on 2026-02-30", "(800) 555-0100", "> quote", "![i](data:x)", "\\", "*", "_", "&amp;", "\t",
]), max_size=12).map("\n".join)


@st.composite
def answer_files(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=300))
    lines = [f"{draw(st.sampled_from(KEYS))}: {draw(VALUES)}" for _ in range(draw(st.integers(0, 6)))]
    return "---\n" + "\n".join(lines) + "\n---\n" + draw(MARKDOWN) + "\n"


def check(files: dict[str, bytes]) -> Report:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        root.mkdir(exist_ok=True)
        report = Report()
        load(root, report, as_of=date(2026, 11, 23))
    return report


@given(answer_files(), st.binary(max_size=200))
def test_any_answer_file_gives_diagnostics_not_exceptions(text: str, noise: bytes) -> None:
    report = check({"billing/a.md": text.encode("utf-8"), "billing/b.md": noise})
    assert all(d.line >= 1 and d.col >= 1 and d.code != "internal-error" for d in report.items), report.items


@given(st.one_of(st.text(max_size=300), st.lists(st.tuples(st.sampled_from(["phone", "fees", "x"]),
                                                         st.sampled_from(["a", "b", "B!"]), st.sampled_from(
        ["phone", "money", "date", "url", "bogus"]), VALUES), max_size=5).map(
    lambda rows: "".join(f"{g}:\n  {n}:\n    type: {t}\n    value: {v}\n" for g, n, t, v in rows))))
def test_any_facts_file_gives_diagnostics_not_exceptions(facts: str) -> None:
    report = check({"_facts.yaml": facts.encode("utf-8"),
                    "billing/a.md": b"---\nquestion: Q?\nowner: o\nreviewed: 2026-01-01\n---\nUse {{ phone.a }}.\n"})
    assert all(d.code != "internal-error" for d in report.items), report.items
