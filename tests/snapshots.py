"""Snapshot files: compare text with a stored expectation; UPDATE_SNAPSHOTS=1 rewrites the expectation."""
from __future__ import annotations

import os
from pathlib import Path


def assert_snapshot(actual: str, path: Path) -> None:
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path.name} differs; if the change is intended, rerun with UPDATE_SNAPSHOTS=1"
