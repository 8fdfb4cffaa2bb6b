"""Read a small YAML file of the knowledge base into a pydantic model, every problem at `file:line:col`.

Shared by `_standards.yaml` and `_notices.yaml` (engine/standards.py, engine/notices.py): the file is read with the
same refusals as every other input (engine/source.py), then validated; an extra key gets a did-you-mean."""
from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from engine.diagnostics import Report, did_you_mean
from engine.source import YamlDoc, plain, read_text, read_yaml

M = TypeVar("M", bound=BaseModel)


def read_doc(root: Path, name: str, display: str, report: Report) -> YamlDoc | None:
    """The YAML document `root/name`, or None when it is absent, empty or unreadable (the latter reported)."""
    path = root / name
    if not path.exists():
        return None
    source = read_text(path, display, report, root=root)
    doc = read_yaml(source.text, display, 1, report) if source else None
    return doc if doc is not None and doc.data is not None else None


def validated(model: type[M], data: object, doc: YamlDoc, display: str, report: Report, code: str,
              at: tuple[str | int, ...] = ()) -> M | None:
    """`data` (found at key path `at` in `doc`) as `model`, or None with every error reported at its place."""
    try:
        return model.model_validate(plain(data))
    except ValidationError as error:
        for item in error.errors():
            loc = tuple(item["loc"])
            extra = item["type"] == "extra_forbidden"
            line, col = doc.where(*at, *loc, key=extra)
            fields = _fields_at(model, loc[:-1]) if extra else {}
            hint = did_you_mean(str(loc[-1]), fields) if extra and loc else None
            where = ".".join(map(str, (*at, *loc))) or "file"
            report.add(display, line, col, code, f"`{where}`: {item['msg']}", hint=hint)
        return None


def _fields_at(model: type[BaseModel], loc: tuple[object, ...]) -> dict[str, object]:
    """The field names of the model a key path leads into (for did-you-mean), or the top model's."""
    current: type[BaseModel] = model
    for part in loc:
        if not isinstance(part, str) or part not in current.model_fields:
            continue
        annotation = current.model_fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            current = annotation
    return dict(current.model_fields)
