"""Incremental builds: after every kind of change, a build that reuses the cache publishes exactly the bytes a
cold build publishes (every file, manifest included); --explain names the right answers and reasons; a damaged
cache is never trusted; a no-op build says so and reports what the last one reported."""
from __future__ import annotations

import json
import pickle
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from engine.cache import Sealed, Store
from engine.compile import load_channels, plan, render_all
from engine.diagnostics import Report
from engine.incremental import Context, Incremental, Record, edges, key_of, reason
from engine.knowledge import load
from engine.publish import BuildResult, build

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = date(2026, 11, 23)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Builds:
    """A knowledge base under edit, built incrementally into `out` and cold into a fresh folder each time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.kb = root / "knowledge"
        shutil.copytree(SMALL, self.kb)
        self.out = root / "dist"
        self.cache = root / "cache"
        self.explained: list[str] = []
        self.cold_count = 0

    def incremental(self, as_of: date = AS_OF) -> tuple[BuildResult, Report]:
        self.explained = []
        report = Report()
        result = build(self.kb, self.out, report, as_of=as_of, jobs=1,
                       incremental=Incremental(self.cache, self.explained.append))
        assert result.published, [d.text() for d in report.errors]
        return result, report

    def cold(self, as_of: date = AS_OF) -> tuple[dict[str, bytes], Report]:
        self.cold_count += 1
        out = self.root / f"cold{self.cold_count}" / "dist"
        report = Report()
        result = build(self.kb, out, report, as_of=as_of, jobs=1)
        assert result.published, [d.text() for d in report.errors]
        return tree(out), report

    def same_as_cold(self, as_of: date = AS_OF) -> None:
        _, report = self.incremental(as_of)
        cold_tree, cold_report = self.cold(as_of)
        assert tree(self.out) == cold_tree
        assert report.items == cold_report.items

    def edit(self, relative: str, change: Callable[[str], str]) -> None:
        path = self.kb / relative
        before = path.read_text(encoding="utf-8")
        after = change(before)
        assert after != before, f"the edit of {relative} changed nothing"
        path.write_text(after, encoding="utf-8")

    def rendered(self) -> set[str]:
        return {line.split(":")[0] for line in self.explained}


@pytest.fixture
def builds(tmp_path: Path) -> Builds:
    made = Builds(tmp_path)
    made.incremental()
    assert made.rendered() == {"billing/late-fees", "billing/pay-by-phone", "billing/waive-fee",
                               "outages/new-rates", "outages/report-outage"}
    return made


def test_a_build_with_nothing_changed_is_up_to_date_and_reports_the_same(builds: Builds) -> None:
    before = tree(builds.out)
    first = Report()
    build(builds.kb, builds.root / "other", first, as_of=AS_OF, jobs=1)
    result, report = builds.incremental()
    assert result.up_to_date and builds.explained == []
    assert tree(builds.out) == before
    assert report.items == first.items


CHANGES: dict[str, Callable[[Builds], None]] = {
    "edit an answer's text": lambda b: b.edit("billing/waive-fee.md", lambda t: t.rstrip("\n") + "\n\nAsk us any time.\n"),
    "change a shared fact": lambda b: b.edit("_facts.yaml", lambda t: t.replace("value: $45", "value: $47")),
    "change a fact's label": lambda b: b.edit("_facts.yaml", lambda t: t.replace("Reconnection fee", "Reconnect fee")),
    "change a related answer's question": lambda b: b.edit(
        "billing/pay-by-phone.md", lambda t: t.replace("question: ", "question: Quickly, ", 1)),
    "delete an answer": lambda b: (b.kb / "outages" / "new-rates.md").unlink(),
    "rename an answer": lambda b: (b.kb / "outages" / "new-rates.md").rename(b.kb / "outages" / "rate-rise.md"),
    "add an answer": lambda b: shutil.copy(b.kb / "outages" / "new-rates.md", b.kb / "outages" / "rates-copy.md"),
    "change a note": lambda b: b.edit("billing/late-fees.md", lambda t: t + "\n::: internal\nStaff may waive the "
                                      "late fee once a year for customers with a good payment record.\n:::\n"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_incremental_build_equals_a_cold_build_after_each_change(builds: Builds, change: str) -> None:
    CHANGES[change](builds)
    builds.same_as_cold()


def test_a_sequence_of_changes_stays_equal_to_cold_builds(builds: Builds) -> None:
    for change in sorted(set(CHANGES) - {"delete an answer"}):
        CHANGES[change](builds)
        builds.same_as_cold()
    (builds.kb / "outages" / "rates-copy.md").unlink()
    builds.same_as_cold()


def test_a_changed_fact_re_renders_exactly_the_answers_that_use_it(builds: Builds) -> None:
    users = {p.relative_to(builds.kb).with_suffix("").as_posix() for p in builds.kb.rglob("*.md")
             if "fees.reconnect" in p.read_text(encoding="utf-8")}
    assert users and len(users) < 5
    builds.edit("_facts.yaml", lambda t: t.replace("value: $45", "value: $47"))
    builds.incremental()
    assert builds.rendered() == users
    assert all(line.endswith(": fact fees.reconnect changed") for line in builds.explained)


def test_explain_names_the_edited_answer_and_the_answers_whose_related_title_changed(builds: Builds) -> None:
    builds.edit("billing/pay-by-phone.md", lambda t: t.replace("question: ", "question: Quickly, ", 1))
    builds.incremental()
    assert "billing/pay-by-phone: its source changed" in builds.explained
    assert "billing/late-fees: related answer billing/pay-by-phone changed" in builds.explained


def test_explain_says_which_answers_were_removed(builds: Builds) -> None:
    (builds.kb / "outages" / "new-rates.md").unlink()
    builds.incremental()
    assert "outages/new-rates: removed" in builds.explained


def test_a_corrupted_cache_file_is_ignored(builds: Builds) -> None:
    for path in builds.cache.glob("*.pickle"):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    builds.edit("_facts.yaml", lambda t: t.replace("value: $45", "value: $47"))
    builds.same_as_cold()
    assert len(builds.rendered()) == 5  # nothing damaged was reused


def test_a_corrupted_cache_entry_is_rebuilt_never_trusted(builds: Builds) -> None:
    store = Store(builds.cache)
    records, internal = store.load("renders")
    victim = records["billing/waive-fee"]
    # a damaged entry whose blob still unpickles: a wrong entry under the right key must not be used either
    records["billing/waive-fee"] = Record(victim.key, victim.edges, Sealed(victim.entry.check,
                                                                           pickle.dumps("not an entry")))
    store.save("renders", (records, internal))
    store.save("last", None)
    builds.same_as_cold()
    assert builds.explained == ["billing/waive-fee: its cache entry or previous output was unusable"]


def test_a_tampered_previous_bundle_file_is_rendered_again(builds: Builds) -> None:
    manifest = (builds.out / "manifest.json").read_text(encoding="utf-8")
    on_sms = {answer_id for answer_id, entry in json.loads(manifest)["answers"].items() if "sms" in entry["channels"]}
    (builds.out / "manifest.json").write_text(manifest.replace('"schema"', '"schema" ', 1), encoding="utf-8")
    shutil.rmtree(builds.out / "sms")
    builds.same_as_cold()
    assert on_sms and builds.rendered() == on_sms


def _rewrite_in_place(path: Path, data: bytes) -> None:
    """What a hand edit of a published file does: make it writable, write into the same inode, restore the mode."""
    mode = path.stat().st_mode
    path.chmod(0o644)
    with open(path, "r+b") as file:
        file.write(data)
        file.truncate()
    path.chmod(mode)


@pytest.mark.parametrize("keep_bytes", [False, True])
def test_a_published_file_touched_since_the_last_build_is_read_before_it_is_reused(builds: Builds,
                                                                                  keep_bytes: bool) -> None:
    """A file whose stat no longer matches what the last build recorded is hashed: altered bytes (even of the
    same size) make its answer render again; the same bytes are reused."""
    victim = builds.out / "sms" / "billing" / "late-fees.txt"
    original = victim.read_bytes()
    _rewrite_in_place(victim, original if keep_bytes else original.upper())
    assert len(victim.read_bytes()) == len(original)
    builds.edit("outages/report-outage.md", lambda text: text.replace("\n1. ", "\n1. First, ", 1))
    builds.same_as_cold()
    assert builds.rendered() == ({"outages/report-outage"} if keep_bytes
                                 else {"outages/report-outage", "billing/late-fees"})


def test_a_day_that_makes_a_review_overdue_re_renders_that_answer(builds: Builds) -> None:
    later = date(2027, 3, 1)
    builds.same_as_cold(later)
    assert builds.rendered()
    assert all("review became overdue" in line or "publication" in line for line in builds.explained)


def test_a_literal_that_now_equals_a_new_shared_fact_is_reported_with_a_cached_parse(builds: Builds) -> None:
    builds.edit("billing/waive-fee.md", lambda t: t.rstrip("\n") + "\n\nCall (800) 555-0142 for help.\n")
    builds.same_as_cold()
    builds.edit("_facts.yaml", lambda t: t + "extra:\n  help: {type: phone, value: (800) 555-0142, label: Help}\n")
    _, report = builds.incremental()
    assert any(d.code == "literal-fact" and "extra.help" in d.message for d in report.items)
    builds.same_as_cold()


def test_channel_config_and_template_changes_change_the_key_and_say_so(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import channels as channel_registry

    report = Report()
    kb = load(SMALL, report, as_of=AS_OF)
    loaded = load_channels(channel_registry.names(), report)
    work = plan(kb, loaded, AS_OF)
    answer = kb.answers[0]
    before = edges(answer, kb, work, Context.of(work), None)
    web = next(c for c in loaded if c.name == "web")
    changed = [c if c.name != "web" else type(c)(c.name, c.config.model_copy(update={"base_url": "https://x.org/h"}),
                                                   c.internal) for c in loaded]
    work2 = plan(kb, changed, AS_OF)
    after = edges(answer, kb, work2, Context.of(work2), None)
    assert key_of(after) != key_of(before)
    assert "channel web" in reason(before, after)
    assert web.config != changed[[c.name for c in changed].index("web")].config

    copy = tmp_path / "channels"
    shutil.copytree(channel_registry.HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(channel_registry, "HERE", copy)
    same = edges(answer, kb, work, Context.of(work), None)
    template = next((copy / "templates" / "web").rglob("*.*"))
    template.write_bytes(template.read_bytes() + b"\n")
    moved = edges(answer, kb, work, Context.of(work), None)
    assert same == before and key_of(moved) != key_of(same)
    assert reason(same, moved) == "channel web config, templates or publication changed"


def test_render_all_runs_on_a_dask_cluster_like_in_process() -> None:
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed "
                                                            "(pip install -e '.[scale]')")
    import channels as channel_registry

    report = Report()
    kb = load(SMALL, report, as_of=AS_OF)
    work = plan(kb, load_channels(channel_registry.names(), report), AS_OF)
    expected = list(render_all(kb.answers, work, 1))
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        got = list(render_all(kb.answers, work, 2, client.get_executor()))
    assert got == expected


def test_an_incremental_release_reuses_the_current_release_and_equals_a_cold_one(builds: Builds) -> None:
    """With releases, unchanged outputs come from the release `current` names, not from the folder being staged."""
    releases_out = builds.root / "releases-dist"
    for edit_fee in (False, True):
        if edit_fee:
            builds.edit("_facts.yaml", lambda text: text.replace("$2.50", "$2.95"))
        builds.explained = []
        report = Report()
        result = build(builds.kb, releases_out, report, as_of=AS_OF, jobs=1, keep=3,
                       incremental=Incremental(builds.root / "release-cache", builds.explained.append))
        assert result.published and result.release, [d.text() for d in report.errors]
    assert builds.rendered() == {"billing/pay-by-phone"}
    cold_tree, _ = builds.cold()
    assert tree(releases_out / "current") == cold_tree
