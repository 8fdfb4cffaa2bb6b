"""Snapshot files: compare with a stored expectation. UPDATE_SNAPSHOTS=1 rewrites expectations; a missing one
is written on a developer's machine but fails under CI, so an unrecorded snapshot can never pass there."""
from __future__ import annotations

import os
from pathlib import Path


def assert_snapshot(actual: str | bytes, path: Path) -> None:
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or (not path.exists() and not os.environ.get("CI")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} is missing: run the tests once with UPDATE_SNAPSHOTS=1 and commit it"
    assert data == path.read_bytes(), f"{path.name} differs; if the change is intended, rerun with UPDATE_SNAPSHOTS=1"
