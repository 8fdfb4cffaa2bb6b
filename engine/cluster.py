"""`build --dask ADDRESS`: render on a Dask cluster. The workers parse nothing from disk and write nothing:
they render and gate the answers they are sent and return the outputs; only this process writes the cache and
the bundle. `local` starts a LocalCluster of worker processes on this machine (what the tests and the
benchmark use); any other value is a scheduler address such as tcp://scheduler:8786, whose workers must be able
to import this project (the same version: the outputs are checked against this process's code)."""
from __future__ import annotations

import contextlib
from concurrent.futures import Executor
from typing import Iterator

LOCAL = "local"
CONNECT_SECONDS = 30  # how long a scheduler address may take to answer


class ClusterError(Exception):
    """The cluster could not be used: dask.distributed is missing, or the scheduler cannot be reached."""


@contextlib.contextmanager
def executor(address: str, workers: int) -> Iterator[Executor]:
    """An Executor whose tasks run on the cluster at `address` (`local`: `workers` local worker processes)."""
    try:
        import distributed
    except ImportError as error:
        raise ClusterError("dask.distributed is not installed (pip install 'one-answer[scale]')") from error
    with contextlib.ExitStack() as stack:
        try:
            if address == LOCAL:
                cluster = stack.enter_context(distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                    worker_dashboard_address=None, silence_logs=50))
                client = stack.enter_context(distributed.Client(cluster))
            else:
                client = stack.enter_context(distributed.Client(address, timeout=CONNECT_SECONDS))
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {error}") from error
        yield client.get_executor()
