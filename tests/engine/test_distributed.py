"""A build whose answers are rendered by the worker processes of a Dask cluster publishes the same bundle, byte
for byte, as a build in this process: only the main process writes the cache and the bundle."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.diagnostics import Report
from engine.publish import build

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "knowledge"
AS_OF = date(2026, 11, 23)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_on_a_local_cluster_of_worker_processes_equals_a_local_build(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed "
                                                            "(pip install -e '.[scale]')")
    local = Report()
    assert build(SAMPLE, tmp_path / "local", local, as_of=AS_OF, jobs=1).published, local.errors
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = Report()
        with distributed.get_task_stream(client) as stream:
            result = build(SAMPLE, tmp_path / "cluster", remote, as_of=AS_OF, jobs=2, executor=client.get_executor())
        rendered_on = {task["worker"] for task in stream.data if str(task["key"]).startswith("_render_batch")}
    assert result.published, remote.errors
    assert rendered_on, "no answer was rendered on the cluster"
    assert remote.items == local.items
    assert tree(tmp_path / "cluster") == tree(tmp_path / "local")


def test_build_dask_local_on_the_command_line_publishes_the_same_bundle(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install -e '.[scale]')")
    from engine.cli import main

    common = ["--kb", str(SAMPLE), "--as-of", AS_OF.isoformat(), "--no-cache", "--quiet"]
    assert main(["build", *common, "--out", str(tmp_path / "local"), "--jobs", "1"]) == 0
    assert main(["build", *common, "--out", str(tmp_path / "cluster"), "--jobs", "2", "--dask", "local"]) == 0
    assert tree(tmp_path / "cluster") == tree(tmp_path / "local")


def test_an_unreachable_scheduler_is_a_clear_error_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install -e '.[scale]')")
    from engine import cluster
    from engine.cli import main

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 2)

    code = main(["build", "--kb", str(SAMPLE), "--out", str(tmp_path / "dist"), "--as-of", AS_OF.isoformat(),
                 "--no-cache", "--dask", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()
