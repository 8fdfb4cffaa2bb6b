"""The knowledge base owns its settings: `_settings.yaml`'s `channels:` options are merged over the engine's
channel defaults, validated where they are written, and every channel follows them."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import channels as channel_registry
from engine.compile import load_channels, merged
from engine.diagnostics import Report
from engine.factbook import load_settings
from engine.publish import build
from tests.kb import AS_OF

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
OTHER_ORG = """\
name: Lakeside County
region: US
currency: USD
language: en-US
channels:
  web:
    base_url: https://help.lakeside.example.org
  sms:
    budget_segments: 3
"""


def kb_with(tmp_path: Path, settings: str) -> Path:
    kb = tmp_path / "knowledge"
    shutil.copytree(SMALL, kb)
    (kb / "_settings.yaml").write_text(settings)
    return kb


def loaded(kb: Path) -> tuple[list, Report]:  # type: ignore[type-arg]
    report = Report()
    settings = load_settings(kb, str(kb / "_settings.yaml"), report)
    return load_channels(channel_registry.names(), report, settings=settings), report


def test_options_merge_over_the_engine_defaults(tmp_path: Path) -> None:
    channels, report = loaded(kb_with(tmp_path, OTHER_ORG))
    by_name = {c.name: c.config for c in channels}
    assert not report.items
    assert str(by_name["web"].base_url) == "https://help.lakeside.example.org"
    assert by_name["sms"].budget_segments == 3
    assert by_name["web"].topics == channel_registry.raw("web")["topics"]  # what it does not set stays


def test_every_channel_links_to_the_knowledge_bases_own_site(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, OTHER_ORG)
    out = tmp_path / "dist"
    report = Report()
    assert build(kb, out, report, as_of=AS_OF).published, [d.text() for d in report.items]
    manifest = json.loads((out / "manifest.json").read_text())
    texts = {channel: (out / entry["path"]).read_text() for channel, entry in
             manifest["answers"]["billing/pay-by-phone"]["channels"].items()}
    for channel in ("web", "sms", "chat", "mobile"):
        assert "lakeside.example.org" in texts[channel], channel
        assert "riverton.gov/help" not in texts[channel], channel
    assert not any(d.code == "default-base-url" for d in report.items)


@pytest.mark.parametrize("options,line,col,fragment", [
    ("  sms:\n    budget_segmnts: 3\n", 7, 5, "did you mean `budget_segments`?"),
    ("  sms:\n    budget_segments: many\n", 7, 22, "valid integer"),
    ("  web:\n    internal: true\n", 7, 5, "cannot be set by a knowledge base"),
    ("  fax:\n    budget: 1\n", 6, 3, "no channel is called `fax`"),
])
def test_a_wrong_option_is_reported_where_the_knowledge_base_wrote_it(tmp_path: Path, options: str, line: int,
                                                                      col: int, fragment: str) -> None:
    head = "name: Lakeside County\nregion: US\ncurrency: USD\nlanguage: en-US\nchannels:\n"
    kb = kb_with(tmp_path, head + options)
    channels, report = loaded(kb)
    errors = [d for d in report.items if d.severity.value == "error"]
    assert len(errors) == 1, [d.text() for d in report.items]
    error = errors[0]
    assert (error.path, error.line, error.col) == (str(kb / "_settings.yaml"), line, col)
    assert fragment in error.text()
    web = next(c for c in channels if c.name == "web")
    assert web.internal is False  # a knowledge base never turns a customer channel internal


def test_a_knowledge_base_without_its_own_base_url_is_warned(tmp_path: Path) -> None:
    _, report = loaded(kb_with(tmp_path, "name: Lakeside County\n"))
    warnings = [d for d in report.items if d.code == "default-base-url"]
    assert len(warnings) == 1 and "riverton.gov/help" in warnings[0].message


def test_merging_keeps_what_is_not_overridden() -> None:
    assert merged({"a": 1, "t": {"x": "X", "y": "Y"}}, {"t": {"y": "why"}, "b": 2}) == \
        {"a": 1, "b": 2, "t": {"x": "X", "y": "why"}}
