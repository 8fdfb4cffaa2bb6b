"""Property: whatever sequence of edits an editor makes, an incremental build publishes exactly what a cold
build of the same sources publishes (every file, manifest included), or both refuse to publish."""
from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from engine.diagnostics import Report
from engine.incremental import Incremental
from engine.publish import build

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = date(2026, 11, 23)
ANSWERS = ("billing/late-fees", "billing/pay-by-phone", "billing/waive-fee", "outages/new-rates",
           "outages/report-outage")
RELATED = ("billing/late-fees", "billing/pay-by-phone", "outages/report-outage")  # others link to these
WORDS = st.lists(st.sampled_from("meter crew bill account notice street tenant office visit review".split()),
                 min_size=1, max_size=12)


def _replace(path: Path, old: str, new: str) -> None:
    if path.exists():
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    if path.exists():
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


EDITS = st.one_of(
    st.tuples(st.just("append"), st.sampled_from(ANSWERS), WORDS),
    st.tuples(st.just("note"), st.sampled_from(ANSWERS), WORDS),
    st.tuples(st.just("question"), st.sampled_from(RELATED), WORDS),
    st.tuples(st.just("fee"), st.sampled_from(("$2.50", "$45")), st.integers(1, 999)),
    st.tuples(st.just("label"), st.sampled_from(("Card payment fee", "Outage line", "Office hours")), WORDS),
    st.tuples(st.just("delete"), st.just("outages/new-rates"), st.just(None)),
    st.tuples(st.just("day"), st.integers(-200, 400), st.just(None)),
)


def apply(kb: Path, edit: tuple[str, object, object], day: date) -> date:
    kind, what, value = edit
    words = " ".join(value) if isinstance(value, list) else ""
    if kind == "append":
        _append(kb / f"{what}.md", words.capitalize() + ".")
    elif kind == "note":
        _append(kb / f"{what}.md", f"::: internal\n{words.capitalize()} then check the account log.\n:::")
    elif kind == "question":
        _replace(kb / f"{what}.md", "question: ", f"question: {words.capitalize()}, ")
    elif kind == "fee":
        _replace(kb / "_facts.yaml", f"value: {what}", f"value: ${value}")
    elif kind == "label":
        _replace(kb / "_facts.yaml", f"label: {what}", f"label: {words.capitalize()}")
    elif kind == "delete":
        (kb / f"{what}.md").unlink(missing_ok=True)
    elif kind == "day":
        return AS_OF + timedelta(days=int(what))  # type: ignore[call-overload]
    return day


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, min_size=1, max_size=3))
@example([("question", "billing/pay-by-phone", ["meter"]), ("fee", "$45", 46)])  # a related title; a fact
@example([("day", 200, None), ("label", "Card payment fee", ["crew"])])  # reviews fall due; a label
@example([("note", "billing/waive-fee", ["review", "notice"]), ("delete", "outages/new-rates", None)])
def test_incremental_builds_equal_cold_builds(edits: list[tuple[str, object, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        kb = shutil.copytree(SMALL, root / "knowledge")
        cache = Incremental(root / "cache")
        assert build(kb, root / "dist", Report(), as_of=AS_OF, jobs=1, incremental=cache).published
        day = AS_OF
        for step, edit in enumerate(edits):
            day = apply(kb, edit, day)
            warm, cold = Report(), Report()
            warm_result = build(kb, root / "dist", warm, as_of=day, jobs=1, incremental=cache)
            cold_result = build(kb, root / f"cold{step}", cold, as_of=day, jobs=1)
            assert warm_result.published == cold_result.published
            assert warm.items == cold.items
            if cold_result.published:
                assert tree(root / "dist") == tree(root / f"cold{step}")
