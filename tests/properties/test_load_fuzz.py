"""Whatever an answer file, its front matter, `_facts.yaml` or `_settings.yaml` holds - arbitrary text, arbitrary
bytes, or YAML built from a strategy - `check` (load, the in-memory render of every channel, the consistency
gate) only ever returns located diagnostics: it never raises."""
from __future__ import annotations

import io
import tempfile
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import channels
from hypothesis import given, settings, strategies as st
from ruamel.yaml import YAML

from engine.compile import Channel, gate, load_channels
from engine.diagnostics import Report
from engine.knowledge import load

AS_OF = date(2026, 11, 23)
# A quarter of the profile's examples per test: four tests, so the whole file costs about one profile's worth.
EXAMPLES = max(20, settings.default.max_examples // 4)
GOOD_FACTS = "phone:\n  main: {type: phone, value: (800) 555-0100}\nfees:\n  card: {type: money, value: $2.50}\n"
GOOD_ANSWER = "---\nquestion: Q?\nowner: o\nreviewed: 2026-01-01\n---\nCall {{ phone.main }}, fee {{ fees.card }}.\n"

KEYS = ["question", "owner", "reviewed", "asked_as", "related", "audience", "channels", "id", "sms", "ivr", "chat",
        "tags", "review_every", "effective_from", "effective_until", "topic", "askd_as", "web", "<<"]
TRICKY = st.sampled_from([
    "2026-02-30", "2026-03-05", "99999-01-01", "billing/a", "billing/b", "../../etc/passwd", "con/nul", "index/x",
    "public", "internal", "sms", "ivr", "$2.50", "-$5", "$1000000000000000000000000000000", "(800) 555-0100",
    "1234567890123456789012345678901234567890", "{{ phone.main }}", "{{ nope }}", "</speak>", "<break/>", "&", "&amp;",
    "💳", "ادفع", "\u202e", "\u200f", "*", "_", "`", "[", "# h", "javascript:alert(1)", "0", "-1", "1e400", "",
    " ", "yes", "null", "~", "\t", "x" * 400,
])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(), st.text(max_size=20),
                    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20), st.dates().map(str), TRICKY)
YAML_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner,
                                                 max_size=4)), max_leaves=12)
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
MARKDOWN = st.lists(st.one_of(*[st.sampled_from([
    "Short answer.", "Call {{ phone.main }} today.", "1. step", "- item", "  - nested", "> quote", "::: internal",
    "::: only sms", "::: except ivr chat", "::: intenal", ":::", "::::", "{{ fees.card }}", "{{ nope }}", "{{",
    "<script>x</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "[x](JaVaScRiPt:x)",
    "[x](java&#x09;script:x)", "<javascript:x>", "[r]: data:x", "| a | b |", "|---|---|", "| 1 | 2 |", "```", "~~~",
    "# H", "## H2", "$2.50 on 2026-02-30", "(800) 555-0100", "![i](data:x)", "![i](https://x.org/i.png)", "\\",
    "*", "_", "`", "[", "&amp;", "\t", "\\</speak> & \\<break/>", "💳✅ ادفع", "-" * 3, "=" * 3, "<!-- c -->",
    "https://riverton.gov/pay", "Mon-Fri 7 am to 7 pm", "48 hours", "5%", "a@b.org", "",
]), PRINTABLE] * 3, st.text(max_size=10)), max_size=14).map("\n".join)
LINE = st.one_of(PRINTABLE, MARKDOWN.map(" ".join))
# What each field usually holds (so that many answers load and reach the renderers), else anything at all.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "question": LINE, "owner": LINE, "reviewed": st.dates().map(str), "asked_as": st.lists(LINE, max_size=3),
    "related": st.lists(st.sampled_from(["billing/a", "billing/b", "billing/good", "x/y"]), max_size=3),
    "audience": st.sampled_from(["public", "internal"]), "channels": st.lists(st.sampled_from(channels.names()),
                                                                               max_size=3),
    "id": st.sampled_from(["billing/a", "billing/b", "other/x", "billing/index"]), "sms": LINE, "ivr": LINE,
    "chat": LINE, "web": LINE, "tags": st.lists(PRINTABLE, max_size=3), "review_every": st.integers(-5, 4000),
    "effective_from": st.dates().map(str), "effective_until": st.dates().map(str),
    "topic": st.sampled_from(["billing", "x", "Bad Topic"]),
}


def _dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _yaml_text(draw: st.DrawFn, data: Any) -> str:
    """`data` as YAML, sometimes with a hostile edit: an anchor and alias, a tab, a tag, a duplicate line."""
    text = _dump(data)
    edit = draw(st.sampled_from(["none"] * 6 + ["alias", "tab", "tag", "duplicate", "truncate"]))
    lines = text.split("\n")
    if edit == "alias":
        text = "x: &a [1, 2]\ny: *a\n" + text
    elif edit == "tab":
        text = "\t" + text
    elif edit == "tag":
        text = "z: !!python/object/apply:os.system [echo]\n" + text
    elif edit == "duplicate" and lines[0]:
        text = lines[0] + "\n" + text
    elif edit == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    return text


@st.composite
def front_matters(draw: st.DrawFn) -> str:
    """Front matter: usually the required fields, mutated, plus fields drawn from the answer keys."""
    data: dict[Any, Any] = {}
    if draw(st.integers(0, 7)):
        data.update(question="How do I pay?", owner="billing-team", reviewed="2026-10-01")
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=5)):
        plausible = PLAUSIBLE.get(key)
        data[key] = draw(plausible if plausible is not None and draw(st.integers(0, 3)) else YAML_VALUES)
    return _yaml_text(draw, data)


@st.composite
def answer_files(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["structured"] * 6 + ["text", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "text":
        return draw(st.text(max_size=300)).encode("utf-8")
    lead = draw(st.sampled_from(["Call {{ phone.main }} today, fee {{ fees.card }}.\n\n", "Short answer.\n", ""]))
    text = "---\n" + draw(front_matters()) + "---\n" + lead + draw(MARKDOWN) + "\n"
    return text.replace("\n", draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))).encode("utf-8")


@st.composite
def facts_files(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["structured", "structured", "text", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "text":
        return draw(st.text(max_size=300)).encode("utf-8")
    groups: dict[Any, Any] = {"phone": {"main": {"type": "phone", "value": "(800) 555-0100"}}}
    for _ in range(draw(st.integers(0, 4))):
        group = draw(st.sampled_from(["phone", "fees", "dates", "x", "B!", "urls"]))
        entry: Any = {"type": draw(st.sampled_from(["phone", "money", "date", "time", "hours", "duration", "url",
                                                    "email", "percent", "text", "bogus"])),
                      "value": draw(st.one_of(TRICKY, SCALARS))}
        if draw(st.booleans()):
            entry[draw(st.sampled_from(["label", "currency", "note", "labl"]))] = draw(SCALARS)
        if draw(st.integers(0, 5)) == 0:
            entry = draw(YAML_VALUES)
        groups.setdefault(group, {})[draw(st.sampled_from(["main", "card", "a", "B", "1x"]))] = entry
    return _yaml_text(draw, groups).encode("utf-8")


@st.composite
def settings_files(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["structured", "structured", "text", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8")
    data = {key: draw(st.one_of(st.sampled_from(values), SCALARS)) for key, values in {
        "name": ["Riverton", "<script>alert(1)</script>", "A & B"], "region": ["US", "GB", "ZZ", "us"],
        "currency": ["USD", "EUR", "ZZZ", "usd"], "language": ["en-US", "fr", "en_US", 'x"><b>', "ar-EG"],
        "colour": ["red"]}.items() if draw(st.booleans())}
    return _yaml_text(draw, data).encode("utf-8")


@lru_cache(maxsize=1)
def _channels() -> list[Channel]:
    report = Report()
    loaded = load_channels(channels.names(), report)
    assert not report.has_errors(), report.items
    return loaded


def check(files: dict[str, bytes]) -> Report:
    """What `check` does, minus the printing: load everything, then render and gate whatever loaded."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        root.mkdir()
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        report = Report()
        kb = load(root, report, as_of=AS_OF)
        gate(kb, _channels(), AS_OF, report, jobs=1)  # even with errors elsewhere: what loaded must render
    return report


def _located(report: Report) -> None:
    for item in report.items:
        assert item.line >= 1 and item.col >= 1 and item.code != "internal-error", item


@settings(max_examples=EXAMPLES)
@given(answer_files(), answer_files())
def test_any_answer_file_gives_diagnostics_not_exceptions(first: bytes, second: bytes) -> None:
    _located(check({"_facts.yaml": GOOD_FACTS.encode(), "billing/a.md": first, "billing/b.md": second}))


@settings(max_examples=EXAMPLES)
@given(facts_files())
def test_any_facts_file_gives_diagnostics_not_exceptions(facts: bytes) -> None:
    _located(check({"_facts.yaml": facts, "billing/a.md": GOOD_ANSWER.encode()}))


@settings(max_examples=EXAMPLES)
@given(settings_files())
def test_any_settings_file_gives_diagnostics_not_exceptions(settings_file: bytes) -> None:
    _located(check({"_settings.yaml": settings_file, "_facts.yaml": GOOD_FACTS.encode(),
                    "billing/a.md": GOOD_ANSWER.encode()}))


@settings(max_examples=EXAMPLES)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)), st.sampled_from(
    ["billing/a.md", "_facts.yaml", "_settings.yaml", "billing/_draft.md", "loose.md", "billing/deep/x.md"]))
def test_any_bytes_anywhere_give_diagnostics_not_exceptions(data: bytes, name: str) -> None:
    files = {"_facts.yaml": GOOD_FACTS.encode(), "billing/good.md": GOOD_ANSWER.encode()}
    _located(check({**files, name: data}))


PLAIN_KEYS = st.sampled_from(["a", "b", "phone", "main", "value", "type", "x_1", "asked_as"])
PLAIN_VALUES = st.one_of(st.integers(0, 999), st.sampled_from(
    ["x", "two words", "(800) 555-0100", "$2.50", "a-b", "{{ g.phone }} now", "a: b", "it's", "'q'", "#5", "  "]))
BLOCK_DATA = st.recursive(PLAIN_VALUES, lambda inner: st.one_of(
    st.dictionaries(PLAIN_KEYS, inner, min_size=1, max_size=3), st.lists(inner, min_size=1, max_size=2)),
    max_leaves=10).filter(lambda data: isinstance(data, dict))


def _paths(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(data, dict):
        return []
    return [p for key, value in data.items() for p in [(*prefix, key), *_paths(value, (*prefix, key))]]


@settings(max_examples=EXAMPLES)
@given(BLOCK_DATA, st.booleans(), st.integers(1, 9))
def test_scanned_positions_equal_the_round_trip_loaders(data: dict[str, Any], flow: bool, first_line: int) -> None:
    """The one-pass key scan that spares a re-parse must point where the round-trip loader points."""
    from engine.source import YamlDoc, _block_keys, _located_loader, position

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None if flow else False
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    located = _located_loader().load(text)
    if not flow:  # block style is what the scan is for: it must know every key, not leave it to the loader
        assert set(_paths(data)) <= set(_block_keys(text)), text
    for path in _paths(data):
        for key in (True, False):
            scanned = YamlDoc(text, first_line, data).where(*path, key=key)
            assert scanned == position(located, path, first_line, key=key), (text, path, key)
