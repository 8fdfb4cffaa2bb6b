"""Laws of the channels over generated knowledge bases: every output states exactly its view's facts and passes
the gate, leaks nothing internal, is deterministic, keeps its budget or says so, is valid for its format; and
the gate catches every corruption of an output (detection rates printed at the end of the session)."""
from __future__ import annotations

import html
import json
import re
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import html5lib
from email import policy as email_policy
from email.parser import BytesParser
import pytest
from hypothesis import event, given, strategies as st

import channels as channel_registry
from engine.compile import Channel, Plan, index_entry, index_files, load_channels, plan, render_answer
from engine.addresses import handed_over
from engine.consistency import InternalIndex, Problem, check_output, check_together, left_for_the_page, line_tokens
from engine import contract
from engine.contract import read_output
from engine.diagnostics import Report
from engine.facts import FactType, Found, Locale, find_facts, normalize_url
from engine.knowledge import KnowledgeBase, load
from engine.model import FactMention, Inline, Link, Paragraph, Text, walk_inlines
from engine.readers import Reading, read
from engine.readers.ssml import written_alias, written_date, written_time
from engine.readers.text import target_facts
from engine.select import View, view
from renderers import IndexEntry, Note, Rendered, gsm
from tests.properties.answers import CANARY, FACT_TYPES, HOSTILE, GeneratedKB, knowledge_bases, refusals

AS_OF = date(2026, 11, 23)
NAMES = channel_registry.names()
SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"
FactKey = tuple[FactType, str]
Dumped = Callable[[], bytes]
FACT_PROBLEMS = ("missing-fact", "invented-fact")

# ------------------------------------------------------------------------------------------ compiling


@lru_cache(maxsize=1)
def channel_configs() -> tuple[Channel, ...]:
    report = Report()
    loaded = load_channels(NAMES, report)
    assert not report.has_errors(), [d.text() for d in report.errors]
    return tuple(loaded)


@dataclass(frozen=True)
class Output:
    """One answer on one channel: its view, what was rendered, what a reader recovers, what the gate says."""

    view: View
    rendered: Rendered
    reading: Reading
    problems: tuple[Problem, ...]
    internal: bool

    @property
    def channel(self) -> str:
        return self.view.channel

    @property
    def primary(self) -> bytes:
        return self.rendered.files[self.rendered.primary]

    @property
    def where(self) -> str:
        return f"{self.view.id} on {self.channel}"


@dataclass(frozen=True)
class Compiled:
    kb: KnowledgeBase
    work: Plan
    outputs: tuple[Output, ...]

    @property
    def base_url(self) -> str:
        return self.work.site.base_url

    def index_files(self) -> dict[str, bytes]:
        """Every channel-level file (home and topic pages, app index...), keyed `channel/path`."""
        entries: dict[str, list[IndexEntry]] = {c.name: [] for c in self.work.channels}
        specs = {c.name: c for c in self.work.channels}
        for output in self.outputs:
            ref = self.work.site.answers[output.view.id]
            made = index_entry(specs[output.channel], output.view, self.work.site)
            entries[output.channel].append(IndexEntry(ref, output.rendered.primary, made))
        return {f"{channel}/{path}": data for channel, files in index_files(self.work, entries)
                for path, data in files.items()}


def load_generated(generated: GeneratedKB, answer_order: Sequence[int] | None = None,
                   fact_order: Sequence[int] | None = None, form: int = 0) -> KnowledgeBase:
    """The generated knowledge base written to a fresh folder and loaded; the checker must accept it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = generated.write(Path(tmp) / "kb", answer_order, fact_order, form)
        report = Report()
        kb = load(root, report, as_of=AS_OF)
    assert not report.has_errors(), "the checker refuses a generated knowledge base:\n" + "\n".join(
        d.text() for d in report.errors)
    return kb


def compile_kb(kb: KnowledgeBase, configs: Iterable[Channel] | None = None) -> Compiled:
    work = plan(kb, list(configs if configs is not None else channel_configs()), AS_OF)
    internal = {c.name: c.internal for c in work.channels}
    outputs: list[Output] = []
    for answer in kb.answers:
        item = render_answer(answer, work)
        for name, rendered in item.outputs:
            channel_view = view(answer, name, internal[name], work.published[name])
            reading = read_output(name, rendered.primary, rendered.files[rendered.primary], work.site.locale)
            problems = tuple(p for p in item.problems if p.channel == name)
            outputs.append(Output(channel_view, rendered, reading, problems, internal[name]))
    return Compiled(kb, work, tuple(outputs))


def compiled(generated: GeneratedKB) -> Compiled:
    return compile_kb(load_generated(generated))


# ------------------------------------------------------------------------------------- expected facts


def fact_keys(inlines: Iterable[Inline]) -> set[FactKey]:
    keys: set[FactKey] = set()
    for node in inlines:
        if isinstance(node, FactMention):
            keys.add((node.fact.type, node.fact.canonical))
        elif isinstance(node, Link) and node.fact is not None:
            keys.add((node.fact.type, node.fact.canonical))
    return keys


def lead_inlines(channel_view: View) -> tuple[Inline, ...]:
    """What the output opens with: the override, or the short answer."""
    return channel_view.override.inlines if channel_view.override is not None else channel_view.short_answer.inlines


def override_keys(channel_view: View) -> set[FactKey]:
    if channel_view.override is None:
        return set()
    return fact_keys(walk_inlines((Paragraph(channel_view.override.inlines, channel_view.override.line),)))


def required(channel_view: View) -> set[FactKey]:
    """The facts an output must state: the short answer's, and the steps' (or the override's); the short
    answer's alone on a channel whose contract says it states no more (engine/contract.py `STATES`)."""
    keys = fact_keys(walk_inlines((channel_view.short_answer,)))
    if channel_view.override is not None:
        return keys | override_keys(channel_view)
    if contract.load(channel_view.channel).states == "short answer":
        return keys
    return keys | (fact_keys(walk_inlines((channel_view.steps,))) if channel_view.steps is not None else set())


def allowed(channel_view: View) -> set[FactKey]:
    """The facts an output may state: those of the view (its body as this channel sees it, the override), and
    any typed fact written inside a fact's own label or text value (a card titles a fact with its label)."""
    nodes = list(walk_inlines((channel_view.short_answer, *channel_view.blocks)))
    inside = {(f.type, f.value.canonical) for node in nodes if isinstance(node, FactMention)
              for text in (node.label or "", str(node.fact.value) if node.fact.type is FactType.TEXT else "")
              for f in find_facts(text) if f.value is not None}
    return fact_keys(nodes) | override_keys(channel_view) | inside


def own_link(key: FactKey, base_url: str) -> bool:
    base = normalize_url(base_url)
    return key[0] is FactType.URL and (key[1] == base or key[1].startswith(base + "/"))


_TYPOGRAPHY = str.maketrans({**dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
                             **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
                             **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")})


def flat(text: str) -> str:
    """Text as a reader compares it: one space between words, compatibility forms and typography folded."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).split()).casefold()


def seen_keys(reading: Reading) -> set[FactKey]:
    return {(f.type, f.canonical) for f in reading.facts}


DEGRADED = frozenset({"steps-left-out", "short-answer-cut", "list-left-out"})


def declared_left(output: Output, base_url: str) -> set[FactKey]:
    """Facts an output may leave out: by a declared degradation (a warning the renderer gives), those it leaves
    to the linked full answer; on the IVR, an address a caller cannot take down (engine/addresses.py)."""
    left: set[FactKey] = set()
    codes = {note.code for note in output.rendered.notes}
    if codes & DEGRADED:
        left |= left_for_the_page(output.view, output.reading, base_url, line_tokens(output.reading, Locale()),
                                  declared=codes)
    if output.channel == "ivr":  # a link's address, never a fact the prose says
        blocks = (output.view.short_answer, *((output.view.steps,) if output.view.steps is not None else ()))
        nodes = list(walk_inlines(blocks))
        prose = {(n.fact.type, n.fact.canonical) for n in nodes if isinstance(n, FactMention)}
        left |= {(n.fact.type, n.fact.canonical) for n in nodes if isinstance(n, Link) and n.fact is not None
                 and (n.fact.type, n.fact.canonical) not in prose and handed_over(n.fact.type, n.fact.canonical)}
    return left


def fact_mismatches(output: Output, base_url: str) -> list[str]:
    """What the view requires that the reader does not recover, and what it recovers that the view does not say."""
    seen = seen_keys(output.reading)
    shown = flat(output.reading.text)
    out: list[str] = []
    needed = required(output.view) - declared_left(output, base_url)
    for key in sorted(needed):
        event(f"{output.channel}: states a required {key[0].value} fact")
        present = flat(key[1]) in shown if key[0] is FactType.TEXT else key in seen
        if not present:
            out.append(f"{output.where}: missing {key[0].value} {key[1]!r}")
    for key in sorted(seen - allowed(output.view)):
        if not own_link(key, base_url):
            raw = next(f.raw for f in output.reading.facts if (f.type, f.canonical) == key)
            out.append(f"{output.where}: invented {key[0].value} {key[1]!r} (read from {raw!r})")
    return out


# -------------------------------------------------------------------------------- 1. facts round trip


@given(knowledge_bases())
def test_every_output_states_exactly_the_facts_of_its_view_and_passes_the_gate(generated: GeneratedKB) -> None:
    result = compiled(generated)
    failures: list[str] = []
    for output in result.outputs:
        failures += fact_mismatches(output, result.base_url)
        failures += [f"{output.where}: the gate says {p.code}: {p.message}" for p in output.problems
                     if not p.code.startswith("core-fact")]  # overrides drop facts at random: the next law
    assert not failures, "\n".join(failures)


@given(knowledge_bases())
def test_a_fact_the_sms_states_is_on_every_customer_channel_or_the_gate_names_it(generated: GeneratedKB) -> None:
    result = compiled(generated)
    for answer in result.kb.answers:
        outputs = [o for o in result.outputs if o.view.id == answer.id and not o.internal]
        sms = next((o for o in outputs if o.channel == "sms"), None)
        if sms is None:
            continue
        stated = {key for key in seen_keys(sms.reading) if not own_link(key, result.base_url)}
        reported = check_together([(o.view, o.reading) for o in outputs], result.base_url, result.work.site.locale)
        for output in outputs:
            if output is sms:
                continue
            shown = flat(output.reading.text)
            absent = {key for key in stated - seen_keys(output.reading)
                      if not (key[0] is FactType.TEXT and flat(key[1]) in shown)}
            named = [p for p in reported if p.channel == output.channel]
            event(f"core facts: {output.channel} {'misses some' if absent else 'states all'}")
            assert len(named) == len(absent), (output.where, absent, [p.message for p in named])
            for problem in named:
                assert problem.severity == ("warning" if problem.code == "core-fact-left-out" else "error")
                if output.view.override is not None and problem.severity == "error":
                    assert problem.line == output.view.override.line


@given(refusals())
def test_raw_html_and_unknown_fact_references_are_refused(case: tuple[GeneratedKB, str, str]) -> None:
    generated, bad, code = case
    with tempfile.TemporaryDirectory() as tmp:
        report = Report()
        load(generated.write(Path(tmp) / "kb"), report, as_of=AS_OF)
    assert code in {d.code for d in report.errors}, (bad, [d.text() for d in report.errors])


# --------------------------------------------------------------------------------- 2. nothing internal


def decoded_views(path: str, data: bytes) -> list[str]:
    """The file as bytes-as-text and as its format decodes it (entities, JSON escapes), folded to lower case."""
    text = data.decode("utf-8")
    views = [text, html.unescape(text)]
    if path.endswith(".json"):
        views.append(json.dumps(json.loads(text), ensure_ascii=False))
    return [v.casefold() for v in views]


@given(knowledge_bases(min_answers=2, secrets=True))
def test_no_internal_text_reaches_a_customer_channel(generated: GeneratedKB) -> None:
    result = compiled(generated)
    files = {f"{o.channel}/{path}": data for o in result.outputs if not o.internal
             for path, data in o.rendered.files.items()}
    customer = {name for name in NAMES if not channel_registry.spec(name).internal}
    files |= {path: data for path, data in result.index_files().items() if path.split("/")[0] in customer}
    event(f"internal sentences: {min(len(generated.secrets), 5)}")
    leaks = [path for path, data in files.items() if any(CANARY in v for v in decoded_views(path, data))]
    assert not leaks, leaks
    shown = [o for o in result.outputs if o.internal and o.view.answer.audience == "public"]
    for output in shown:  # the reference channel shows the notes: the canary would be seen if it leaked
        assert not notes_in(output.view) or CANARY in output.primary.decode("utf-8"), output.where


def notes_in(channel_view: View) -> list[str]:
    return [n.text for n in walk_inlines(channel_view.blocks) if isinstance(n, Text) and CANARY in n.text]


# ---------------------------------------------------------------------------------- 3. determinism


def everything(result: Compiled) -> dict[str, object]:
    """Every byte and every figure a build publishes, keyed so two builds compare as wholes."""
    out: dict[str, object] = {f"index {path}": data for path, data in result.index_files().items()}
    for output in result.outputs:
        key = f"{output.channel} {output.view.id}"
        out[key] = (dict(output.rendered.files), output.rendered.primary, dict(output.rendered.metrics),
                    output.rendered.notes, output.problems, output.view.answer.hash)
    return out


@given(knowledge_bases(), st.data())
def test_the_same_knowledge_base_written_in_another_order_gives_byte_identical_outputs(
        generated: GeneratedKB, data: st.DataObject) -> None:
    answers = data.draw(st.permutations(range(len(generated.answers))), label="answer file order")
    facts = data.draw(st.permutations(range(len(generated.facts))), label="fact entry order")
    form = data.draw(st.integers(0, 6), label="written form of each fact value")
    first = everything(compiled(generated))
    second = everything(compile_kb(load_generated(generated, answers, facts, form)))
    assert first.keys() == second.keys()
    differ = [key for key in first if first[key] != second[key]]
    assert not differ, differ


# --------------------------------------------------------------------------------------- 4. budgets


@dataclass(frozen=True)
class Budget:
    """One channel's budget: the config field, the range drawn from, and how to measure an output."""

    field: str
    low: float
    high: float
    measure: Callable[[Output], float]


def sms_segments(output: Output) -> float:
    return gsm.encode_info(output.primary.decode("utf-8"))[2]


def social_characters(output: Output) -> float:
    """A post's length as the platform counts it (renderers/social.py: every link 23)."""
    from renderers.social import weighted_length
    return weighted_length(output.primary.decode("utf-8").strip())


def chat_characters(output: Output) -> float:
    return len(output.rendered.files[output.rendered.primary.removesuffix(".md") + ".txt"].decode("utf-8")
               .removesuffix("\n"))


def card_bytes(output: Output) -> float:
    return len(output.primary)


_BREAK = re.compile(r'<break time="(\d+)ms"')
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def ivr_seconds(output: Output) -> float:
    """Seconds of speech: the renderer's spoken-word count (never below the words a reader hears) and pauses."""
    config = next(c.config for c in channel_configs() if c.name == "ivr")
    words = int(output.rendered.metrics["words"])
    heard = len(_LETTER_WORD.findall(output.reading.text))
    assert words >= heard, f"{output.where}: {words} spoken words counted, but {heard} words are heard"
    pauses = sum(int(ms) for ms in _BREAK.findall(output.primary.decode("utf-8")))
    return words * 60 / getattr(config, "words_per_minute") + pauses / 1000


BUDGETS = {
    "sms": Budget("budget_segments", 1, 3, sms_segments),
    "chat": Budget("budget_characters", 80, 700, chat_characters),
    "ivr": Budget("budget_seconds", 4, 50, ivr_seconds),
    "mobile": Budget("max_bytes", 2000, 9000, card_bytes),
    "social": Budget("budget_characters", 40, 300, social_characters),
}


def _figures(value: float) -> set[str]:
    """The ways a message may write a number: 306, 306.0, 28,000, 45 s."""
    out = {f"{value:g}", f"{value:.1f}"}
    if value == int(value):
        out |= {str(int(value)), f"{int(value):,}"}
    return out


@given(knowledge_bases(long=True), st.data())
def test_every_output_keeps_its_budget_or_says_by_how_much_it_does_not(
        generated: GeneratedKB, data: st.DataObject) -> None:
    configs: list[Channel] = []
    for channel in channel_configs():
        budget = BUDGETS.get(channel.name)
        if budget is not None:
            value = data.draw(st.integers(int(budget.low), int(budget.high)), label=f"{channel.name} {budget.field}")
            channel = Channel(channel.name, channel.config.model_copy(update={budget.field: value}), channel.internal)
        configs.append(channel)
    result = compile_kb(load_generated(generated), configs)
    limits = {c.name: getattr(c.config, BUDGETS[c.name].field) for c in configs if c.name in BUDGETS}
    for output in result.outputs:
        notes = [n for n in output.rendered.notes if n.code == "over-budget"]
        assert all(n.severity == "error" for n in notes), output.where
        budget = BUDGETS.get(output.channel)
        if budget is None:
            assert not notes, f"{output.where} has no budget, yet: {notes}"
        else:
            check_budget(output, budget.measure(output), limits[output.channel], notes)
        errors = [n for n in output.rendered.notes if n.severity == "error"]
        missing = [key for key in required(output.view) - declared_left(output, result.base_url)
                   if key[0] is not FactType.TEXT and key not in seen_keys(output.reading)]
        said = any(p.code == "missing-fact" for p in output.problems) or errors
        assert not missing or said, f"{output.where} silently drops {missing}"


def check_budget(output: Output, measured: float, limit: float, notes: list[Note]) -> None:
    over = measured > limit
    event(f"{output.channel}: {'over' if over else 'within'} budget")
    assert over == bool(notes), f"{output.where}: measured {measured} against {limit}, notes {notes}"
    for note in notes:
        message = note.message
        assert output.channel in message, message
        assert _figures(limit) & set(re.findall(r"[\d,.]+\d|\d", message)), (limit, message)
        assert "over" in message, message


# ------------------------------------------------------------------------------------------ 5. formats

_HTML_TAGS = frozenset({
    "html", "head", "body", "meta", "title", "link", "script", "a", "p", "ol", "ul", "li", "h1", "h2", "h3", "h4",
    "h5", "h6", "em", "strong", "s", "time", "br", "nav", "span", "main", "header", "footer", "article", "div",
    "section", "aside", "blockquote", "pre", "code", "table", "thead", "tbody", "tr", "th", "td", "hr", "dl", "dt",
    "dd", "button", "details", "summary",  # the reference site's copy buttons and on-demand SSML / Markdown
    "form", "fieldset", "legend", "label", "input", "select", "option", "kbd", "noscript",  # its search box
})
_SAFE_SCHEMES = ("http:", "https:", "tel:", "mailto:")


@lru_cache(maxsize=1)
def ssml_schema() -> Any:
    path = SCHEMAS / "ssml11" / "synthesis.xsd"
    if not path.is_file():
        pytest.skip(f"the W3C SSML 1.1 schema is not at {path}")
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(path))


@lru_cache(maxsize=1)
def card_validator() -> Any:
    path = SCHEMAS / "adaptivecards" / "adaptive-card-1.5.0.json"
    if not path.is_file():
        pytest.skip(f"the Adaptive Cards 1.5 schema is not at {path}")
    from jsonschema import Draft6Validator
    return Draft6Validator(json.loads(path.read_text(encoding="utf-8")))


def html_problems(path: str, data: bytes, json_ld: int, styles: int = 0) -> list[str]:
    """What in a page did not come from the renderer's own structure."""
    root = html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False)
    out: list[str] = []
    scripts = 0
    head = root.find("head")
    found_styles = [element for element in root.iter() if element.tag == "style"]
    if len(found_styles) != styles or any(head is None or element not in list(head) for element in found_styles):
        out.append(f"{path}: {len(found_styles)} <style> elements, expected {styles} in <head>")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag not in _HTML_TAGS and not (element.tag == "style" and styles):
            out.append(f"{path}: element <{element.tag}>")
        src = element.get("src", "") if element.tag == "script" else ""
        if src.endswith(".js") and ":" not in src.split("/")[0] and not src.startswith("//") and not element.text:
            continue  # the reference site's own script file (assets/site.js), never inline content
        if element.tag == "script":
            scripts += 1
            if element.get("type") != "application/ld+json":
                out.append(f"{path}: a script of type {element.get('type')!r}")
            json.loads(element.text or "")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                out.append(f"{path}: attribute {name}={value!r} on <{element.tag}>")
            if name in ("href", "src") and ":" in value.split("/")[0] and not value.lower().startswith(_SAFE_SCHEMES):
                out.append(f"{path}: {name}={value!r}")
    if scripts != json_ld:
        out.append(f"{path}: {scripts} scripts, expected {json_ld}")
    return out


def email_problems(path: str, data: bytes) -> list[str]:
    """A reply that is not multipart/alternative with a plain and an HTML body, or whose HTML a mail client
    would not show as written (a script, a remote image, a style sheet, an event handler)."""
    message = BytesParser(policy=email_policy.default).parsebytes(data)
    out: list[str] = []
    if message.get_content_type() != "multipart/alternative":
        out.append(f"{path}: {message.get_content_type()}, not multipart/alternative")
    if message.defects:
        out.append(f"{path}: MIME defects {message.defects}")
    html_part = message.get_body(("html",))
    if message.get_body(("plain",)) is None or html_part is None:
        return out + [f"{path}: a body is missing"]
    page = html_part.get_content().encode("utf-8")
    out += html_problems(path, page, 0)
    root = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    for element in root.iter():
        if element.tag in ("img", "link", "style", "script", "iframe"):
            out.append(f"{path}: <{element.tag}> in an email")
    return out


def hostile_in(channel_view: View) -> list[str]:
    """The hostile strings the output's opening text holds, as the model has them."""
    texts = flat(" ".join(n.text for n in walk_inlines((Paragraph(lead_inlines(channel_view), 0),))
                          if isinstance(n, Text)))
    return [h for h in HOSTILE if len(h) > 1 and flat(h) in texts]


@given(knowledge_bases())
def test_every_output_is_valid_for_its_format_and_shows_content_as_text(generated: GeneratedKB) -> None:
    result = compiled(generated)
    failures: list[str] = []
    for output in result.outputs:
        for path, data in output.rendered.files.items():
            failures += format_problems(output.channel, path, data, answer_page=True)
        cut = any(note.code == "short-answer-cut" for note in output.rendered.notes)  # later sentences: behind the link
        for hostile in hostile_in(output.view):
            event(f"{output.channel}: hostile text {hostile!r}")
            if flat(hostile) not in flat(output.reading.text) and not cut:
                failures.append(f"{output.where}: {hostile!r} is not shown as text")
        question = output.view.answer.question
        if output.reading.title and flat(output.reading.title) != flat(question):
            failures.append(f"{output.where}: the title shows {output.reading.title!r}, not {question!r}")
    for path, data in result.index_files().items():
        failures += format_problems(path.split("/")[0], path, data, answer_page=False)
    assert not failures, "\n".join(failures)


def format_problems(channel: str, path: str, data: bytes, answer_page: bool) -> list[str]:
    if path.endswith(".html"):
        # a printed handout (an answer's or a topic's) stands alone: its one stylesheet is inlined
        # (renderers/print.py); the list of handouts has none
        return html_problems(path, data, 1 if channel == "web" and answer_page else 0,
                             styles=1 if channel == "print" and path != "print/index.html" else 0)
    if path.endswith(".eml"):
        return email_problems(path, data)
    if path.endswith(".ssml"):
        ET.fromstring(data)
        errors = list(ssml_schema().iter_errors(data.decode("utf-8")))
        return [f"{path}: {error.reason}" for error in errors[:3]]
    if path.endswith(".json") and channel == "mobile" and not path.endswith("index.json"):
        return [f"{path}: {e.message[:200]}" for e in card_validator().iter_errors(json.loads(data))][:3]
    if path.endswith((".json", ".txt", ".md", ".xml", ".css")):
        data.decode("utf-8")
        if path.endswith(".json"):
            json.loads(data)
    return []


# ------------------------------------------------------------------------------- 6. the gate can fail
#
# A mutation corrupts one output the way a broken renderer or a stale hand edit would, keeping its format
# valid; the output is read again and the gate must report it. Outputs are edited through surfaces: the runs
# of text a reader sees, in lines, each knowing how to write a change back in its format's escaping.

MUTATIONS: Counter[tuple[str, str]] = Counter()
DETECTED: Counter[tuple[str, str]] = Counter()
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#<>~|{}&])")


class Piece:
    """A run of text a reader sees, and how to write a change to it back into the output."""

    atom = False  # an element removed whole (a say-as, a sub), never cut in part
    target = False  # a link or button target: a fact there is the whole of it

    @property
    def shown(self) -> str:
        raise NotImplementedError

    @property
    def written(self) -> str:
        """The piece as its format writes it."""
        raise NotImplementedError

    def replace(self, start: int, end: int, text: str) -> None:
        raise NotImplementedError

    def remove(self) -> None:
        self.replace(0, len(self.shown), "")


@dataclass(eq=False)
class PlainPiece(Piece):
    text: str
    target: bool = False

    @property
    def shown(self) -> str:
        return self.text

    @property
    def written(self) -> str:
        return self.text

    def replace(self, start: int, end: int, text: str) -> None:
        self.text = self.text[:start] + text + self.text[end:]


@dataclass(eq=False)
class MarkdownPiece(Piece):
    """Markdown source; a backslash escape shows as the character it escapes."""

    source: str

    def _shown(self) -> tuple[str, list[int]]:
        chars: list[str] = []
        starts: list[int] = []
        index = 0
        while index < len(self.source):
            start = index
            if self.source[index] == "\\" and index + 1 < len(self.source) and self.source[index + 1] in _PUNCTUATION:
                index += 1
            chars.append(self.source[index])
            starts.append(start)
            index += 1
        return "".join(chars), [*starts, len(self.source)]

    @property
    def shown(self) -> str:
        return self._shown()[0]

    @property
    def written(self) -> str:
        return self.source

    def replace(self, start: int, end: int, text: str) -> None:
        starts = self._shown()[1]
        self.source = self.source[:starts[start]] + _MARKDOWN_SPECIAL.sub(r"\\\1", text) + self.source[starts[end]:]


@dataclass(eq=False)
class HtmlText(Piece):
    source: str

    @property
    def shown(self) -> str:
        return html.unescape(self.source)

    @property
    def written(self) -> str:
        return self.source

    def replace(self, start: int, end: int, text: str) -> None:
        shown = self.shown
        self.source = html.escape(shown[:start] + text + shown[end:], quote=False)


@dataclass(eq=False)
class HtmlHref(Piece):
    """The href of an `<a>` start tag."""

    tag: str
    target = True

    @property
    def shown(self) -> str:
        match = re.search(r'href="([^"]*)"', self.tag)
        return html.unescape(match.group(1)) if match else ""

    @property
    def written(self) -> str:
        return self.tag

    def replace(self, start: int, end: int, text: str) -> None:
        shown = self.shown
        value = html.escape(shown[:start] + text + shown[end:])
        self.tag = re.sub(r'href="[^"]*"', lambda _: f'href="{value}"', self.tag, count=1)


@dataclass(eq=False)
class XmlText(Piece):
    """The text or the tail of an SSML element."""

    element: ET.Element
    slot: str

    @property
    def shown(self) -> str:
        return getattr(self.element, self.slot) or ""

    def replace(self, start: int, end: int, text: str) -> None:
        shown = self.shown
        setattr(self.element, self.slot, shown[:start] + text + shown[end:])


@dataclass(eq=False)
class XmlAtom(Piece):
    """A say-as or sub element: heard as its content (a say-as) or its alias (a sub), removed whole."""

    element: ET.Element
    parent: ET.Element
    atom = True

    @property
    def is_sub(self) -> bool:
        return _local(self.element.tag) == "sub"

    @property
    def shown(self) -> str:
        if self.is_sub:
            return written_alias(self.element.get("alias", ""))
        content = "".join(self.element.itertext())
        kind = self.element.get("interpret-as", "")
        return written_date(content.strip(), self.element.get("format")) if kind == "date" else \
            written_time(content) if kind == "time" else content

    def replace(self, start: int, end: int, text: str) -> None:
        assert not self.is_sub and self.shown == self.element.text, "only a say-as heard as written is edited"
        shown = self.shown
        self.element.text = shown[:start] + text + shown[end:]

    def remove(self) -> None:
        siblings = list(self.parent)
        index = siblings.index(self.element)
        tail = self.element.tail or ""
        if index:
            siblings[index - 1].tail = (siblings[index - 1].tail or "") + tail
        else:
            self.parent.text = (self.parent.text or "") + tail
        self.parent.remove(self.element)


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


@dataclass
class Surface:
    """An output as lines of pieces, and how to write it back as bytes."""

    lines: list[list[Piece]]
    dump: Dumped


def text_surface(data: bytes) -> Surface:
    piece = PlainPiece(data.decode("utf-8"))
    return Surface([[piece]], lambda: piece.text.encode("utf-8"))


def markdown_surface(data: bytes) -> Surface:
    pieces = [MarkdownPiece(line) for line in data.decode("utf-8").split("\n")]
    return Surface([[p] for p in pieces], lambda: "\n".join(p.written for p in pieces).encode("utf-8"))


_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|div|blockquote|pre|table|tr|td|th|aside|section|footer|dl|dt|dd|br|hr)\b")


def answer_region(text: str) -> tuple[int, int]:
    """Where the inside of the element with id="answer" starts and ends (content is escaped: every `<` is a tag)."""
    opening = re.search(r'<(\w+)[^>]*\bid="answer"[^>]*>', text)
    assert opening is not None, "no answer region"
    name, depth = opening.group(1), 0
    for tag in re.finditer(rf"<(/?){name}\b[^>]*>", text[opening.end():]):
        depth += -1 if tag.group(1) else 1
        if depth < 0:
            return opening.end(), opening.end() + tag.start()
    raise AssertionError("the answer region is not closed")


def html_surface(data: bytes) -> Surface:
    text = data.decode("utf-8")
    start, end = answer_region(text)
    tokens: list[str | Piece] = []
    lines: list[list[Piece]] = [[]]
    targets: list[list[Piece]] = []
    for token in re.split(r"(<[^>]*>)", text[start:end]):
        if token.startswith("<"):
            if _BLOCK_TAG.match(token):
                lines.append([])
            if re.match(r"<a\s[^>]*href=", token):
                href = HtmlHref(token)
                tokens.append(href)
                targets.append([href])
            else:
                tokens.append(token)
        elif token:
            piece = HtmlText(token)
            tokens.append(piece)
            lines[-1].append(piece)

    def dump() -> bytes:
        inner = "".join(t if isinstance(t, str) else t.written for t in tokens)
        return (text[:start] + inner + text[end:]).encode("utf-8")

    return Surface([line for line in lines if line] + targets, dump)


def ssml_surface(data: bytes) -> Surface:
    root = ET.fromstring(data)
    lines: list[list[Piece]] = [[]]

    def walk(element: ET.Element) -> None:
        lines[-1].append(XmlText(element, "text"))
        for child in element:
            name = _local(child.tag)
            if name in ("p", "s"):
                lines.append([])
                walk(child)
                lines.append([])
            elif name in ("say-as", "sub"):
                lines[-1].append(XmlAtom(child, element))
            elif name not in ("break", "desc", "metadata", "lexicon"):
                walk(child)
            lines[-1].append(XmlText(child, "tail"))

    walk(root)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return Surface([line for line in lines if line],
                   lambda: (head + ET.tostring(root, encoding="unicode")).encode("utf-8"))


def card_surface(data: bytes) -> Surface:
    card = json.loads(data)
    slots: list[tuple[dict[str, Any], str, Piece]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("type") == "TextBlock":
                slots.append((node, "text", MarkdownPiece(node["text"])))
            for fact in node.get("facts", []) if node.get("type") == "FactSet" else []:
                slots.extend((fact, key, MarkdownPiece(fact[key])) for key in ("title", "value"))
            for key in ("body", "items"):
                walk(node.get(key))

    walk(card)
    for action in card.get("actions", []):
        slots += [(action, "title", PlainPiece(action["title"])), (action, "url", PlainPiece(action["url"], True))]

    def dump() -> bytes:
        for node, key, piece in slots:
            node[key] = piece.written
        return json.dumps(card, ensure_ascii=False, indent=2).encode("utf-8")

    return Surface([[piece] for _, _, piece in slots], dump)


def email_surface(data: bytes) -> Surface:
    """The text/plain body of a reply (what `read` reads), written back into the same message."""
    message = BytesParser(policy=email_policy.default).parsebytes(data)
    part = message.get_body(("plain",))
    assert part is not None
    inner = text_surface(part.get_content().encode("utf-8"))

    def dump() -> bytes:
        part.set_content(inner.dump().decode("utf-8"), cte="quoted-printable")
        return message.as_bytes()

    return Surface(inner.lines, dump)


SURFACES: dict[str, Callable[[bytes], Surface]] = {
    ".eml": email_surface, ".txt": text_surface, ".md": markdown_surface, ".html": html_surface, ".ssml": ssml_surface, ".json": card_surface,
}


def surface(output: Output) -> Surface:
    return SURFACES[Path(output.rendered.primary).suffix](output.primary)


# ------------------------------------------------------------------------------------------ mutations


def facts_of(text: str, key: FactKey) -> list[Found]:
    return [f for f in find_facts(text) if f.value is not None and (f.type, f.value.canonical) == key]


def cut(line: list[Piece], start: int, end: int) -> None:
    """Remove what a reader sees in [start, end) of a line: parts of text, whole atoms."""
    offsets: list[tuple[int, Piece]] = []
    position = 0
    for piece in line:
        offsets.append((position, piece))
        position += len(piece.shown)
    for offset, piece in reversed(offsets):
        low, high = max(start, offset), min(end, offset + len(piece.shown))
        if low >= high:
            continue
        if piece.atom or piece.target:
            piece.remove()
        else:
            piece.replace(low - offset, high - offset, "")


def drop_everywhere(found: Surface, key: FactKey) -> int:
    """Remove every occurrence of a fact: in words, and every link or button target that carries it."""
    dropped = 0
    for line in found.lines:
        if len(line) == 1 and line[0].target:
            if any((f.type, f.canonical) == key for f in target_facts(line[0].shown, Locale())):
                line[0].remove()
                dropped += 1
            continue
        for fact in reversed(facts_of("".join(p.shown for p in line), key)):
            cut(line, fact.start, fact.end)
            dropped += 1
    return dropped


@dataclass(frozen=True)
class Edit:
    """One change to one piece: `apply` writes it, `what` says it."""

    piece: Piece
    apply: Callable[[], None]
    what: str


def new_value(text: str, start: int, kind: FactType, taken: set[FactKey], base_url: str) -> str | None:
    """The canonical value a reader finds at `start` of `text`, if it is a new one of type `kind`."""
    for fact in find_facts(text):
        if fact.start == start and fact.type is kind and fact.value is not None:
            key = (kind, fact.value.canonical)
            return None if key in taken or own_link(key, base_url) else fact.value.canonical
    return None


def digit_edits(found: Surface, key: FactKey, taken: set[FactKey], base_url: str) -> list[Edit]:
    """Every single-digit change to an occurrence of `key` that makes it another, new value of its type."""
    edits: list[Edit] = []
    for piece in (p for line in found.lines for p in line):
        if piece.target:
            edits += target_edits(piece, key, taken)
            continue
        if isinstance(piece, XmlAtom) and piece.is_sub:
            edits += alias_edits(piece, key, taken, base_url)
            continue
        if isinstance(piece, XmlAtom) and piece.shown != piece.element.text:
            continue
        text = piece.shown
        for fact in facts_of(text, key):
            for index in range(fact.start, fact.end):
                for digit in "0123456789" if text[index].isdigit() else "":
                    changed = text[:index] + digit + text[index + 1:]
                    if digit != text[index] and new_value(changed, fact.start, key[0], taken, base_url):
                        edits.append(Edit(piece, _replacer(piece, index, index + 1, digit),
                                          f"{fact.raw!r} -> {changed[fact.start:fact.end]!r}"))
    return edits


def target_edits(piece: Piece, key: FactKey, taken: set[FactKey]) -> list[Edit]:
    """Digit changes in a link or button target (`tel:`...) that make it another value."""
    target = piece.shown
    if key not in {(f.type, f.canonical) for f in target_facts(target, Locale())}:
        return []
    edits: list[Edit] = []
    for index, char in enumerate(target):
        for digit in "0123456789" if char.isdigit() else "":
            changed = target[:index] + digit + target[index + 1:]
            new = {(f.type, f.canonical) for f in target_facts(changed, Locale()) if f.type is key[0]}
            if digit != char and new and not new & taken:
                edits.append(Edit(piece, _replacer(piece, index, index + 1, digit), f"target {target!r} -> {changed!r}"))
    return edits


def alias_edits(piece: XmlAtom, key: FactKey, taken: set[FactKey], base_url: str) -> list[Edit]:
    """Digit changes inside a sub's alias (what the caller hears) that make it another value."""
    alias = piece.element.get("alias", "")
    if not facts_of(written_alias(alias), key):
        return []
    edits: list[Edit] = []
    for index, char in enumerate(alias):
        for digit in "0123456789" if char.isdigit() else "":
            changed = alias[:index] + digit + alias[index + 1:]
            if digit != char and new_value(written_alias(changed), 0, key[0], taken, base_url):
                edits.append(Edit(piece, lambda c=changed: piece.element.set("alias", c), f"alias {alias!r} -> {changed!r}"))
    return edits


def _replacer(piece: Piece, start: int, end: int, text: str) -> Callable[[], None]:
    return lambda: piece.replace(start, end, text)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def restyle(raw: str, day: date) -> str:
    """A written date moved to `day`, in the same style (ISO, slashes, month names full or short)."""
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", raw):
        return day.isoformat()
    slash = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
    if slash:
        return f"{day.month:02d}/{day.day:02d}/{day.year}" if len(slash.group(1)) == 2 else \
            f"{day.month}/{day.day}/{day.year}"

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.isdigit():
            return str(day.year) if len(token) == 4 else str(day.day)
        name = _MONTHS[day.month - 1]
        return name if len(token) > 3 else name[:3]

    return re.sub(r"[A-Za-z]+|\d+", word, raw)


def date_edits(found: Surface, key: FactKey, taken: set[FactKey], base_url: str) -> list[Edit]:
    """The date moved a day either way, where it is written."""
    old = date.fromisoformat(key[1])
    edits: list[Edit] = []
    for piece in (p for line in found.lines for p in line if not p.target):
        if isinstance(piece, XmlAtom) and (piece.is_sub or piece.shown != piece.element.text):
            continue
        text = piece.shown
        for fact in facts_of(text, key):
            for day in (old + timedelta(days=1), old - timedelta(days=1)):
                written = restyle(fact.raw, day)
                changed = text[:fact.start] + written + text[fact.end:]
                if new_value(changed, fact.start, FactType.DATE, taken, base_url) == day.isoformat():
                    edits.append(Edit(piece, _replacer(piece, fact.start, fact.end, written), f"{fact.raw!r} -> {written!r}"))
    return edits


@dataclass(frozen=True)
class Context:
    result: Compiled
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Mutant:
    data: bytes
    what: str


Mutator = Callable[[Output, Context, st.DataObject], "Mutant | None"]


def drop_fact(output: Output, ctx: Context, data: st.DataObject) -> Mutant | None:
    """Every occurrence of one fact of the short answer or steps removed (words, link targets, buttons)."""
    keys = sorted(required(output.view) & seen_keys(output.reading))
    if not keys:
        return None
    key = data.draw(st.sampled_from(keys), label="fact to drop")
    found = surface(output)
    if not drop_everywhere(found, key):
        return None
    mutated = found.dump()
    if key in seen_keys(read_output(output.channel, output.rendered.primary, mutated, ctx.result.work.site.locale)):
        event(f"{output.channel}: a fact could not be dropped everywhere")
        return None
    return Mutant(mutated, f"{key[0].value} {key[1]} dropped")


def edit_fact(kind: FactType, edits: Callable[[Surface, FactKey, set[FactKey], str], list[Edit]]) -> Mutator:
    """One occurrence of a fact of type `kind` changed into another value no fact of the view has."""

    def mutate(output: Output, ctx: Context, data: st.DataObject) -> Mutant | None:
        taken = allowed(output.view) | seen_keys(output.reading)
        keys = sorted(k for k in seen_keys(output.reading) & allowed(output.view) if k[0] is kind)
        if not keys:
            return None
        key = data.draw(st.sampled_from(keys), label=f"{kind.value} to change")
        found = surface(output)
        candidates = edits(found, key, taken, ctx.result.base_url)
        if not candidates:
            event(f"{output.channel}: no way to change a {kind.value} into a new one")
            return None
        edit = data.draw(st.sampled_from(candidates), label="change")
        edit.apply()
        return Mutant(found.dump(), edit.what)

    return mutate


def secret_words(secret: str) -> str:
    """The run of canary words an internal sentence opens with, as a sentence of its own."""
    words = secret.split()[2:]
    run = [w.rstrip(".") for w in words[:next((i for i, w in enumerate(words) if not w.startswith(CANARY)), None)]]
    return "Staff only " + " ".join(run) + "."


def with_sentence(output: Output, sentence: str) -> bytes:
    """The output with one more paragraph at the end of what the customer is shown."""
    text = output.primary.decode("utf-8")
    suffix = Path(output.rendered.primary).suffix
    if suffix == ".eml":
        found = email_surface(output.primary)
        found.lines[-1][-1].text += f"\n\n{sentence}\n"
        return found.dump()
    if suffix == ".txt":
        return f"{text} {sentence}".encode("utf-8")
    if suffix == ".md":
        return f"{text.rstrip()}\n\n{sentence}\n".encode("utf-8")
    if suffix == ".html":
        end = answer_region(text)[1]
        return (text[:end] + f"<p>{sentence}</p>\n" + text[end:]).encode("utf-8")
    if suffix == ".ssml":
        return text.replace("</speak>", f"<p>{sentence}</p>\n</speak>").encode("utf-8")
    card = json.loads(text)
    items = card["body"][0]["items"] if card["body"] and "items" in card["body"][0] else card["body"]
    items.append({"type": "TextBlock", "text": sentence, "wrap": True})
    return json.dumps(card, ensure_ascii=False, indent=2).encode("utf-8")


def inject_note(output: Output, ctx: Context, data: st.DataObject) -> Mutant | None:
    """A sentence of an internal note (or of an internal answer) pasted into a customer's output."""
    if output.internal or not ctx.secrets:
        return None
    sentence = secret_words(data.draw(st.sampled_from(ctx.secrets), label="internal sentence"))
    return Mutant(with_sentence(output, sentence), f"injected {sentence!r}")


def swap_answers(output: Output, ctx: Context, data: st.DataObject) -> Mutant | None:
    """Another answer's output on the same channel published in this one's place."""
    others = [o for o in ctx.result.outputs if o.channel == output.channel and o.view.id != output.view.id]
    if not others:
        return None
    other = data.draw(st.sampled_from(others), label="swapped with")
    return Mutant(other.primary, f"swapped with {other.view.id}")


MUTATORS: dict[str, Mutator] = {
    "drop a fact": drop_fact,
    "amount digit": edit_fact(FactType.MONEY, digit_edits),
    "phone digit": edit_fact(FactType.PHONE, digit_edits),
    "shift a date": edit_fact(FactType.DATE, date_edits),
    "inject a note": inject_note,
    "swap answers": swap_answers,
}
EXPECTED = {"drop a fact": {"missing-fact"}, "amount digit": set(FACT_PROBLEMS), "phone digit": set(FACT_PROBLEMS),
            "shift a date": set(FACT_PROBLEMS), "inject a note": {"internal-leak"}}


def new_problems(output: Output, mutant: Mutant, ctx: Context, kind: str) -> list[Problem]:
    """What the gate says about the mutant that it does not say about the output, of the kind expected."""
    site = ctx.result.work.site
    index = InternalIndex() if output.internal else ctx.result.work.internal

    def problems(reading: Reading) -> list[Problem]:
        return check_output(output.view, reading, site.base_url, index, site.locale,
                            with_steps=contract.load(output.channel).states == "answer")

    before = set(problems(output.reading))
    after = problems(read_output(output.channel, output.rendered.primary, mutant.data, site.locale))
    return [p for p in after if p not in before and (kind not in EXPECTED or p.code in EXPECTED[kind])]


# Money, phone numbers and dates are what most mutations change: the fact table holds them more often.
MUTABLE = ("money", "phone", "date") * 3 + FACT_TYPES


@given(knowledge_bases(min_answers=2, secrets=True, kinds=MUTABLE), st.data())
def test_the_gate_reports_every_corrupted_output(generated: GeneratedKB, data: st.DataObject) -> None:
    result = compiled(generated)
    ids = sorted({o.view.id for o in result.outputs})
    if not ids:
        return
    chosen = data.draw(st.sampled_from(ids), label="answer")
    ctx = Context(result, generated.secrets)
    missed: list[str] = []
    for output in (o for o in result.outputs if o.view.id == chosen):
        for kind, mutate in MUTATORS.items():
            mutant = mutate(output, ctx, data)
            if mutant is None:
                continue
            MUTATIONS[kind, output.channel] += 1
            if new_problems(output, mutant, ctx, kind):
                DETECTED[kind, output.channel] += 1
            else:
                missed.append(f"{output.where}: {kind}: {mutant.what}\n{mutant.data.decode('utf-8')[:3000]}")
    assert not missed, "the gate did not see:\n" + "\n\n".join(missed)


def detection_table() -> str:
    kinds = list(MUTATORS)
    columns = [name for name in NAMES if any(MUTATIONS[k, name] for k in kinds)]
    rows = [["mutation", *columns, "all"]]
    for kind in kinds:
        cells = [f"{DETECTED[kind, c]}/{MUTATIONS[kind, c]}" for c in columns]
        made, seen = sum(MUTATIONS[kind, c] for c in columns), sum(DETECTED[kind, c] for c in columns)
        rows.append([kind, *cells, f"{seen}/{made} ({100 * seen / made:.1f}%)" if made else "0/0"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows)


@pytest.fixture(scope="session", autouse=True)
def print_detection_rates() -> Iterator[None]:
    yield
    if MUTATIONS:
        print("\n\nConsistency gate: mutations detected / generated, by kind and channel\n" + detection_table())
