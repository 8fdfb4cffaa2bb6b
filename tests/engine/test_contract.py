"""The channel contract: every channel keeps it; a malformed renderer is a diagnostic on its channel config, a
renderer or reader that fails on an answer is a gate problem, and a new output extension needs no engine change."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from pydantic import ConfigDict

import channels as channel_registry
from channels import ChannelSpec
from engine import contract
from engine.compile import load_channels, plan, render_answer
from engine.diagnostics import Report
from engine.knowledge import load
from renderers import Rendered
from tests.kb import AS_OF, answer_file, write_kb

BODY = "Call {{ phone.main }} to pay. The fee is {{ fees.card }}.\n\n1. Have your account number.\n2. Pay.\n"


class _Config(ChannelSpec):
    model_config = ConfigDict(extra="forbid")


def _render_fax(view, config, site):  # type: ignore[no-untyped-def]
    text = "Call 800-555-0100 to pay. The fee is $2.50.\n"
    return Rendered(f"{view.id}.fax", {f"{view.id}.fax": text.encode()})


def module(**attributes: object) -> types.ModuleType:
    made = types.ModuleType("renderers.fake")
    made.__dict__.update({"Config": _Config, "render": _render_fax, **attributes})
    return made


def test_every_registered_channel_keeps_the_contract() -> None:
    for name in channel_registry.names():
        checked = contract.load(name)
        assert checked.name == name and issubclass(checked.config, ChannelSpec)


@pytest.mark.parametrize(("attributes", "says"), [
    ({"render": None}, "must define `render`"),
    ({"Config": dict}, "subclass of channels.ChannelSpec"),
    ({"render": "text"}, "`render` must be a function"),
    ({"render": lambda view: None}, "`render` must take 3 arguments"),
    ({"render_index": lambda entries: None}, "`render_index` must take 3 arguments"),
    ({"USES_OUTPUTS": "yes"}, "`USES_OUTPUTS` must be True or False"),
    ({"READER": "telex"}, "READER = 'telex' names no reader"),
    ({"STATES": "everything"}, "STATES = 'everything'"),
])
def test_a_malformed_renderer_is_named_with_what_is_wrong(attributes: dict[str, object], says: str) -> None:
    made = module(**attributes)
    for key, value in attributes.items():
        if value is None:
            del made.__dict__[key]
    with pytest.raises(contract.ContractError, match=says.replace("(", r"\(").replace(".", r"\.")):
        contract.check_module("fake", made)


@pytest.fixture
def fax_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A channel `fax` (config in a folder of its own), whose renderer module the test provides."""
    folder = tmp_path / "channels"
    folder.mkdir()
    (folder / "fax.yaml").write_text("description: Faxes.\ninternal: false\n", encoding="utf-8")
    contract.load.cache_clear()

    def use(made: types.ModuleType) -> Path:
        monkeypatch.setitem(sys.modules, "renderers.fax", made)
        contract.load.cache_clear()
        return folder

    yield use
    contract.load.cache_clear()


def test_a_malformed_channel_is_a_diagnostic_on_its_config_not_a_traceback(fax_channel) -> None:  # type: ignore[no-untyped-def]
    folder = fax_channel(module(READER=42))
    report = Report()
    assert load_channels(("fax",), report, folder=folder) == []
    [error] = report.errors
    assert error.code == "invalid-channel" and "fax.yaml" in error.text() and "READER = 42" in error.text()


def _gate(tmp_path: Path, folder: Path) -> list[str]:
    root = write_kb(tmp_path / "kb", {"billing/pay": answer_file(BODY)})
    report = Report()
    kb = load(root, report, as_of=AS_OF, channels=("fax", "sms"))
    loaded = load_channels(("fax",), report, folder=folder) + load_channels(("sms",), report)
    assert not report.has_errors(), [d.text() for d in report.errors]
    item = render_answer(kb.answers[0], plan(kb, loaded, AS_OF))
    assert [name for name, _ in item.outputs] == (["fax", "sms"] if "fax" in dict(item.outputs) else ["sms"])
    return [f"{p.code}: {p.message}" for p in item.problems if p.channel == "fax"]


def test_an_output_with_a_new_extension_and_no_reader_is_a_problem_naming_the_fix(tmp_path: Path,
                                                                                   fax_channel) -> None:  # type: ignore[no-untyped-def]
    [problem] = _gate(tmp_path, fax_channel(module()))
    assert problem.startswith("reader-failed:") and "no reader reads `.fax`" in problem and "READER" in problem


def test_a_new_extension_is_read_back_by_the_reader_the_channel_names(tmp_path: Path, fax_channel) -> None:  # type: ignore[no-untyped-def]
    assert _gate(tmp_path, fax_channel(module(READER="text"))) == []


def test_the_gate_still_checks_a_channel_whose_reader_is_named(tmp_path: Path, fax_channel) -> None:  # type: ignore[no-untyped-def]
    def wrong_fee(view, config, site):  # type: ignore[no-untyped-def]
        return Rendered("a.fax", {"a.fax": b"Call 800-555-0100 to pay. The fee is $3.50.\n"})

    problems = _gate(tmp_path, fax_channel(module(READER="text", render=wrong_fee)))
    assert "invented-fact: fax states $3.50, but the answer says $2.50 (fees.card)" in problems


def test_a_renderer_that_raises_is_a_problem_on_the_answer_and_other_channels_go_on(tmp_path: Path,
                                                                                    fax_channel) -> None:  # type: ignore[no-untyped-def]
    def broken(view, config, site):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("division by zero")

    [problem] = _gate(tmp_path, fax_channel(module(render=broken)))
    assert problem.startswith("render-failed: fax: the renderer failed on this answer (ZeroDivisionError")


def test_a_reader_that_raises_is_a_problem_not_a_traceback(tmp_path: Path, fax_channel) -> None:  # type: ignore[no-untyped-def]
    def not_utf8(view, config, site):  # type: ignore[no-untyped-def]
        return Rendered("a.fax", {"a.fax": b"\xff\xfe\xfa"})

    [problem] = _gate(tmp_path, fax_channel(module(READER="text", render=not_utf8)))
    assert problem.startswith("reader-failed: fax: the reader failed on this answer (UnicodeDecodeError")
