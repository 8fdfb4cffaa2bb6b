"""The channel contract: what a renderer module must and may provide, checked once when the channel is loaded.

A channel is `channels/<name>.yaml` plus `renderers/<name>.py`. The module provides:

- `Config` (required): a pydantic model of the channel's config, a subclass of `channels.ChannelSpec`;
- `render(view, config, site) -> Rendered` (required): a pure function of one answer's channel view;
- `render_index(entries, config, site) -> dict[str, bytes]` (optional): channel-level files;
- `index_entry(view, config, site) -> object` (optional): what `render_index` needs of one answer;
- `USES_OUTPUTS = True` (optional): `render` also gets `outputs=`, this answer's customer-channel outputs;
- `READER = "<name>"` (optional): the reader (`engine/readers/<name>.py`) that reads the primary output back
  for the consistency gate. Without it, the primary file's extension picks the reader (`engine.readers.SUFFIXES`);
  a channel whose outputs have a new extension (`.eml`) names its reader here, and the engine needs no change;
- `STATES = "short answer"` (optional; default `"answer"`): what the gate requires the output to state: the
  facts of the short answer and the steps, or (a teaser that hands the rest to its link, like a social post)
  those of the short answer alone.

`load(name)` returns a `ChannelContract` or raises `ContractError` with one sentence naming what is wrong; the
engine reports it as a diagnostic on the channel's config file rather than failing later with a traceback.
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from types import ModuleType
from typing import Any, Callable, Literal

from pydantic import BaseModel

from channels import ChannelSpec
from engine import readers

Stated = Literal["answer", "short answer"]
STATED: tuple[Stated, ...] = ("answer", "short answer")


class ContractError(Exception):
    """A renderer module that does not keep the channel contract; the message says what is wrong."""


@dataclass(frozen=True)
class ChannelContract:
    """One channel's renderer module, checked: everything the engine calls, typed."""

    name: str
    config: type[BaseModel]
    render: Callable[..., Any]
    render_index: Callable[..., Any] | None = None
    index_entry: Callable[..., Any] | None = None
    uses_outputs: bool = False
    reader: str | None = None  # the reader of the primary output; None: chosen by the file's extension
    states: Stated = "answer"
    uses_feedback: bool = False  # render also gets `feedback=`, the answer's feedback summary (the reference site)
    carries_notices: bool = True  # an active notice leads this channel's outputs (False: a post made once, social)

    def reader_for(self, path: str) -> str:
        """The reader module name for this channel's output `path`; ContractError when no reader knows it."""
        if self.reader is not None:
            return self.reader
        suffix = PurePosixPath(path).suffix
        found = readers.SUFFIXES.get(suffix)
        if found is None:
            raise ContractError(f"renderers/{self.name}.py writes `{path}`, and no reader reads `{suffix or path}` "
                                f"files: set READER = \"<name>\" (one of {', '.join(known_readers())})")
        return found


def known_readers() -> tuple[str, ...]:
    """Reader modules in engine/readers (each defines `read(data, locale)`)."""
    import pkgutil
    return tuple(sorted(m.name for m in pkgutil.iter_modules(readers.__path__) if not m.name.startswith("_")))


def _callable(module: ModuleType, name: str, attribute: str, positional: int, required: bool) -> Callable[..., Any] | None:
    value = getattr(module, attribute, None)
    if value is None:
        if required:
            raise ContractError(f"renderers/{name}.py must define `{attribute}`")
        return None
    if not callable(value):
        raise ContractError(f"renderers/{name}.py: `{attribute}` must be a function, not {type(value).__name__}")
    try:
        inspect.signature(value).bind(*range(positional))
    except TypeError:
        raise ContractError(f"renderers/{name}.py: `{attribute}` must take {positional} arguments "
                            "(view or entries, config, site)") from None
    except ValueError:  # a builtin without a signature: trusted
        pass
    return value  # type: ignore[no-any-return]


def check_module(name: str, module: ModuleType) -> ChannelContract:
    """`module` as a `ChannelContract`, or ContractError naming the first thing it gets wrong."""
    config = getattr(module, "Config", None)
    if config is None:
        raise ContractError(f"renderers/{name}.py must define `Config`")
    if not (isinstance(config, type) and issubclass(config, ChannelSpec)):
        raise ContractError(f"renderers/{name}.py: `Config` must be a subclass of channels.ChannelSpec")
    render = _callable(module, name, "render", 3, required=True)
    assert render is not None
    uses_outputs = getattr(module, "USES_OUTPUTS", False)
    if not isinstance(uses_outputs, bool):
        raise ContractError(f"renderers/{name}.py: `USES_OUTPUTS` must be True or False")
    reader = getattr(module, "READER", None)
    if reader is not None:
        if not isinstance(reader, str) or reader not in known_readers():
            raise ContractError(f"renderers/{name}.py: READER = {reader!r} names no reader in engine/readers "
                                f"(one of {', '.join(known_readers())})")
    uses_feedback = getattr(module, "USES_FEEDBACK", False)
    if not isinstance(uses_feedback, bool):
        raise ContractError(f"renderers/{name}.py: `USES_FEEDBACK` must be True or False")
    carries_notices = getattr(module, "CARRIES_NOTICES", True)
    if not isinstance(carries_notices, bool):
        raise ContractError(f"renderers/{name}.py: `CARRIES_NOTICES` must be True or False")
    states = getattr(module, "STATES", "answer")
    if states not in STATED:
        raise ContractError(f"renderers/{name}.py: STATES = {states!r} must be one of {', '.join(map(repr, STATED))}")
    return ChannelContract(name, config, render, _callable(module, name, "render_index", 3, required=False),
                           _callable(module, name, "index_entry", 3, required=False), uses_outputs, reader, states,
                           uses_feedback, carries_notices)


@lru_cache(maxsize=None)
def load(name: str) -> ChannelContract:
    """The checked contract of channel `name`. ImportError when there is no renderers/<name>.py (the caller
    reports it), ContractError when the module is malformed or fails to import."""
    try:
        module = importlib.import_module(f"renderers.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"renderers.{name}":
            raise
        raise ContractError(f"renderers/{name}.py cannot be imported: {error}") from None
    except Exception as error:  # a syntax error or a failing import inside the module
        raise ContractError(f"renderers/{name}.py cannot be imported: {type(error).__name__}: {error}") from None
    return check_module(name, module)


def read_output(channel: str, path: str, data: bytes, locale: Any = None) -> Any:
    """One output of `channel` read back with the channel's reader (its first part, for a multi-part output)."""
    from engine.facts import Locale
    return readers.read(path, data, locale if locale is not None else Locale(), load(channel).reader_for(path))
