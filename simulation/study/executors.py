"""Where a run's batches execute: local worker processes (the default) or a Dask cluster.

A run splits its replications into tasks (`runner._tasks`), each a pure function of the
scenario, the seed and its replications, so tasks can run anywhere in any order and the
figures never depend on where: a run on a Dask cluster gives the numbers of a local run
with the same seed, bit for bit.

An executor is an object with

- ``workers``: how many tasks it runs at once (sets how a round is split into tasks);
- ``share(obj)``: a handle for `obj` that tasks receive in its place; Dask sends the
  scenario to every worker once (``Client.scatter(..., broadcast=True)``) rather than
  with every task;
- ``submit(fn, *args)``: a future whose ``result()`` is ``fn(*args)``.

Without an executor, `simulation.run` uses a local process pool (embedded, nothing to
start) whose worker processes receive the scenario once, when they start. Dask is an optional extra:
``pip install slasim[dask]``.
"""

from __future__ import annotations

from concurrent.futures import Executor as _FuturesExecutor

from simulation.scenario.errors import UsageError


class DaskExecutor:
    """Tasks on a Dask cluster through a `distributed.Client`.

    Parameters
    ----------
    client : distributed.Client
        Connected to the cluster.
    owned : bool
        Whether `close` closes the client (a client given by the caller stays open).
    """

    def __init__(self, client, owned: bool = False):
        self.client = client
        self.owned = owned

    def close(self) -> None:
        if self.owned:
            self.client.close()

    @property
    def workers(self) -> int:
        """Threads over all workers of the cluster (at least 1)."""
        return max(1, sum(self.client.nthreads().values()))

    def share(self, obj):
        return self.client.scatter(obj, broadcast=True, hash=False)

    def submit(self, fn, *args):
        # pure=False: every task is new work (the scenario handle would make equal keys)
        return self.client.submit(fn, *args, pure=False)

    def __repr__(self) -> str:
        return f"<DaskExecutor {self.client.scheduler.address}, {self.workers} threads>"


class FuturesExecutor:
    """Tasks on a `concurrent.futures.Executor` that the caller owns (e.g. a process pool)."""

    def __init__(self, pool: _FuturesExecutor, workers: int):
        self.pool = pool
        self.workers = max(1, int(workers))

    def share(self, obj):
        return obj

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)


def as_executor(executor):
    """`executor` as an object with ``workers``, ``share`` and ``submit``.

    Accepts None (the local default; returned as None), a `distributed.Client`, an
    object that already has the three, or a `concurrent.futures.Executor` (its
    ``_max_workers`` sets `workers`, else 1).

    Raises
    ------
    TypeError
        For anything else.
    """
    if executor is None:
        return None
    if all(hasattr(executor, a) for a in ("workers", "share", "submit")):
        return executor
    if type(executor).__name__ == "Client" and type(executor).__module__.startswith("distributed"):
        return DaskExecutor(executor)
    if isinstance(executor, _FuturesExecutor):
        return FuturesExecutor(executor, getattr(executor, "_max_workers", 1))
    raise TypeError(
        "executor must be a distributed.Client, a concurrent.futures.Executor or an object with "
        f"workers, share() and submit(); got {type(executor).__name__}"
    )


def connect(address: str | None):
    """The executor a command line names: None for ``local`` (or no address), a
    `DaskExecutor` connected to the scheduler at ``dask://HOST:PORT`` (close it when done).

    Raises
    ------
    ValueError
        For another address, or when Dask is not installed (``pip install slasim[dask]``).
    OSError
        When no scheduler answers at the address.
    """
    if address is None or address == "local":
        return None
    if not address.startswith("dask://") or len(address) <= len("dask://"):
        raise UsageError(f"--executor takes 'local' or dask://HOST:PORT, got {address!r}")
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--executor dask://... needs Dask: pip install 'slasim[dask]'") from None
    return DaskExecutor(Client("tcp://" + address.removeprefix("dask://"), timeout="30s"), owned=True)
