"""JSON Schemas of every file an editor writes (answer front matter, `_facts.yaml`, `_settings.yaml`,
`_standards.yaml`, `_notices.yaml`, `_synonyms.yaml`), for editors' YAML tooling. Each comes from the pydantic
model that validates the file at load, so the schema and the engine cannot disagree."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

import channels as channel_registry
from engine.factbook import FactEntry, Settings
from engine.frontmatter import FrontMatter
from engine.notices import NoticesFile
from engine.standards import StandardsFile
from engine.synonyms import SynonymsFile

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def answer_schema(channels: tuple[str, ...]) -> dict[str, Any]:
    schema = FrontMatter.model_json_schema()
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "Answer front matter"
    properties = schema["properties"]
    channels_field = properties["channels"]
    channels_field["anyOf"] = [{"type": "array", "items": {"enum": list(channels)}, "uniqueItems": True},
                               {"type": "null"}]
    for name in channels:
        properties.setdefault(name, {
            "type": "string", "minLength": 1,
            "description": f"Hand-written text for the {name} channel, used instead of the derived text.",
        })
        if channel_registry.opt_in(name):  # `social: true` asks for an opt-in channel with the derived text
            properties[name] = {"anyOf": [properties[name], {"type": "boolean"}],
                                "description": f"Publish on the opt-in {name} channel: true for the derived text, "
                                              "or the hand-written text itself."}
    return schema


def facts_schema() -> dict[str, Any]:
    entry = FactEntry.model_json_schema()
    definitions = entry.pop("$defs", {})
    definitions["FactEntry"] = entry
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "Shared facts (_facts.yaml)",
        "type": "object",
        "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
        "additionalProperties": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
            "additionalProperties": {"$ref": "#/$defs/FactEntry"},
        },
        "$defs": definitions,
    }


def _file_schema(model: type[BaseModel], title: str | None = None) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = SCHEMA_DIALECT
    if title:
        schema["title"] = title
    return schema


def settings_schema() -> dict[str, Any]:
    return _file_schema(Settings)


def schemas(channels: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Every schema by the name `schema WHICH` takes."""
    return {"answer": answer_schema(channels), "facts": facts_schema(), "settings": settings_schema(),
            "standards": _file_schema(StandardsFile, "Service standards (_standards.yaml)"),
            "notices": _file_schema(NoticesFile, "Notices (_notices.yaml)"),
            "synonyms": _file_schema(SynonymsFile, "Search synonyms (_synonyms.yaml)")}
