"""The JSON Schemas `one-answer schema` prints agree with the engine: the sample knowledge base's own files
validate, and a file the engine refuses is refused by its schema too."""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

import channels
from engine.cli import SCHEMA_NAMES
from engine.schema import schemas

KB = Path(__file__).resolve().parents[2] / "knowledge"
FILES = {"facts": "_facts.yaml", "settings": "_settings.yaml", "standards": "_standards.yaml",
         "notices": "_notices.yaml", "synonyms": "_synonyms.yaml"}


def _as_editor_tools_see_it(value: Any) -> Any:
    """YAML as a schema-aware editor reads it: dates are strings in ISO form."""
    if isinstance(value, dict):
        return {str(k): _as_editor_tools_see_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_editor_tools_see_it(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _read(name: str) -> Any:
    return _as_editor_tools_see_it(YAML(typ="safe").load((KB / name).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def every() -> dict[str, dict[str, Any]]:
    return schemas(channels.names())


def test_the_command_offers_every_schema(every: dict[str, dict[str, Any]]) -> None:
    assert set(every) == set(SCHEMA_NAMES) == {"answer", *FILES}


@pytest.mark.parametrize("which", sorted(FILES))
def test_the_sample_files_validate_against_their_schema(every: dict[str, dict[str, Any]], which: str) -> None:
    Draft202012Validator.check_schema(every[which])
    errors = [e.message for e in Draft202012Validator(every[which]).iter_errors(_read(FILES[which]))]
    assert not errors


def test_a_notice_the_engine_refuses_the_schema_refuses(every: dict[str, dict[str, Any]]) -> None:
    data = _read("_notices.yaml")
    assert data["notices"], "the sample should ship at least one notice"
    validator = Draft202012Validator(every["notices"])
    broken = {"notices": [{**data["notices"][0], "colour": "red"}]}
    assert any("colour" in e.message for e in validator.iter_errors(broken))
    too_long = {"notices": [{**data["notices"][0], "message": "x" * 301}]}
    assert list(validator.iter_errors(too_long))
    no_id = {"notices": [{k: v for k, v in data["notices"][0].items() if k != "id"}]}
    assert list(validator.iter_errors(no_id))


def test_a_standard_of_an_unknown_type_is_refused(every: dict[str, dict[str, Any]]) -> None:
    data = _read("_standards.yaml")
    key = next(iter(data["standards"]))
    data["standards"][key]["type"] = "speed"
    assert list(Draft202012Validator(every["standards"]).iter_errors(data))
