"""The list of channels is data: one `<name>.yaml` here per channel, looked up by name.

This module reads only what the engine itself needs from each file (is the channel allowed to show
internal content?); each renderer validates the rest of its file with its own config model.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from ruamel.yaml import YAML

HERE = Path(__file__).parent


class ChannelSpec(BaseModel):
    """The engine's view of a channel config: the renderer's own model checks every other key."""

    model_config = ConfigDict(extra="allow")

    description: str = Field(min_length=1)
    internal: bool = Field(False, description="May this channel show internal notes and internal answers?")
    opt_in: bool = Field(False, description="Only answers that ask for it are published here: `<name>: true` (or an "
                                            "override text) in the front matter, or the channel in `channels:`.")


@lru_cache(maxsize=None)
def names(folder: Path = HERE) -> tuple[str, ...]:
    """Channel names, sorted (the folder's `*.yaml` files)."""
    return tuple(sorted(path.stem for path in folder.glob("*.yaml")))


def raw(name: str, folder: Path = HERE) -> dict[str, Any]:
    data = YAML(typ="safe", pure=True).load((folder / f"{name}.yaml").read_text(encoding="utf-8"))
    return dict(data or {})


@lru_cache(maxsize=None)
def spec(name: str, folder: Path = HERE) -> ChannelSpec:
    return ChannelSpec.model_validate(raw(name, folder))


def opt_in(name: str, folder: Path = HERE) -> bool:
    """Is `name` a channel an answer must ask for (a social post), rather than one it gets by default?"""
    if name not in names(folder):
        return False
    try:
        return spec(name, folder).opt_in
    except Exception:  # an unreadable config: loading the channel reports it where it is (engine/compile.py)
        return False


def customer_channels(folder: Path = HERE) -> tuple[str, ...]:
    return tuple(name for name in names(folder) if not spec(name, folder).internal)
