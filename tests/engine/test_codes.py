"""Every diagnostic code is documented: a scan of the sources finds each code a report call names, and
`explain` prints what it means and what to do (the tests also run with undocumented codes turned into errors,
see tests/conftest.py)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import build as cli
from engine.codes import CODES

ROOT = Path(__file__).resolve().parents[2]
_CODE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_REPORTERS = {"add", "warn", "error", "Note", "Problem", "note", "_pointer", "Finding"}


def codes_in_sources() -> set[str]:
    found: set[str] = set()
    for path in [*(ROOT / "engine").rglob("*.py"), *(ROOT / "renderers").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in _REPORTERS:
                found |= {arg.value for arg in node.args[:5] if isinstance(arg, ast.Constant)
                          and isinstance(arg.value, str) and _CODE.match(arg.value) and len(arg.value) < 30}
    return found - {"error", "warning"}  # severities, not codes


def test_every_code_a_report_call_names_is_documented() -> None:
    found = codes_in_sources()
    assert len(found) > 60
    assert sorted(found - CODES.keys()) == []


def test_explain_prints_meaning_and_remedy(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "invented-fact"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("invented-fact: ") and "what to do:" in out
    assert cli.main(["explain"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(CODES)
    assert cli.main(["explain", "invented-facts"]) == 2
    assert "did you mean `invented-fact`?" in capsys.readouterr().err
