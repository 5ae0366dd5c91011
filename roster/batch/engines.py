"""Where the queues of a batch run: in this process, in local processes, or on Dask.

An engine takes a function, the inputs every call shares and a stream of per-call arguments,
and yields the results as they complete. It keeps a bounded number of calls in flight, so
that the driver never holds every queue's inputs or results at once, and sends the shared
inputs to each worker once: by the initializer of a process pool, or by
``Client.scatter(..., broadcast=True)`` on Dask.

Dask is optional (``pip install seatplan[dask]``) and imported only when its engine is asked
for.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

__all__ = ["DaskEngine", "LocalEngine", "SerialEngine", "get_engine", "local_cluster"]

#: Environment of the local engine's workers unless the caller's says otherwise: one thread
#: for the numerical libraries of each worker process.
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}
#: Dask settings of the scheduler and workers of :func:`local_cluster` (why: its docstring).
CLUSTER_SETTINGS = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.nanny.pre-spawn-environ.MALLOC_ARENA_MAX": 1,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "500ms",
}
#: Calls in flight per worker: enough to keep every worker busy while the driver collects.
IN_FLIGHT_PER_WORKER = 4


class SerialEngine:
    """Every call in this process, one after the other, in order."""

    name = "serial"
    workers = 1

    def map(self, function: Callable, shared, calls: Iterable[tuple]) -> Iterator:
        """Yield ``function(shared, *args)`` for each ``args`` of ``calls``."""
        for args in calls:
            yield function(shared, *args)

    def close(self) -> None:
        """Nothing to release."""


# The shared inputs of the calls of a process pool, installed once per worker process.
_SHARED = None


def _install(shared) -> None:
    global _SHARED
    _SHARED = shared


def _call_with_installed(function, *args):
    return function(_SHARED, *args)


class LocalEngine:
    """The local cores, one process each (:class:`concurrent.futures.ProcessPoolExecutor`,
    started by ``spawn``).

    Parameters
    ----------
    workers : int, optional
        Processes; default the machine's cores.

    Notes
    -----
    A worker process that dies ends the batch with
    :class:`concurrent.futures.process.BrokenProcessPool`; the Dask engine runs a lost
    worker's calls again instead.
    """

    name = "local"

    def __init__(self, workers: int | None = None):
        workers = (os.cpu_count() or 1) if workers is None else workers
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
        self.workers = workers

    def map(self, function: Callable, shared, calls: Iterable[tuple]) -> Iterator:
        """Yield ``function(shared, *args)`` for each ``args`` of ``calls``, as they complete."""
        calls = iter(calls)
        limit = IN_FLIGHT_PER_WORKER * self.workers
        # fresh interpreters: a fork would copy the driver's threads and locks (a Dask client,
        # BLAS pools) into the workers mid-state
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_install, initargs=(shared,)
        ) as pool:
            # one thread per worker, as Dask's nannies do: BLAS or OpenMP pools of as many
            # threads as cores in every worker would fight over the cores. The variables are
            # read when a worker starts, so every worker is started while they are set.
            saved = {k: os.environ.get(k) for k in ONE_THREAD}
            os.environ.update({k: v for k, v in ONE_THREAD.items() if saved[k] is None})
            try:
                for future in [pool.submit(int) for _ in range(self.workers)]:
                    future.result()
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
            running = set()
            for args in calls:
                running.add(pool.submit(_call_with_installed, function, *args))
                if len(running) >= limit:
                    done, running = wait(running, return_when=FIRST_COMPLETED)
                    yield from (f.result() for f in done)
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)

    def close(self) -> None:
        """Nothing to release: the pool lives for one :meth:`map`."""


class DaskEngine:
    """A Dask cluster through a ``distributed.Client``, or a ``LocalCluster`` started here.

    Parameters
    ----------
    client : distributed.Client, str or None
        A client of the cluster to run on; a scheduler address (``"tcp://host:8786"``) to
        connect to; or None to start :func:`local_cluster` of ``workers`` processes with one
        thread each, its dashboard on a free port (closed by :meth:`close`).
    workers : int, optional
        Workers of the local cluster; default the machine's cores.
    timeout : float, optional
        Most seconds to wait for the next result before giving up with ``TimeoutError``
        (a cluster that lost every worker would otherwise wait for ever). [s]

    Notes
    -----
    A worker lost mid-run (killed, out of memory) is replaced by its nanny and the scheduler
    runs its calls again elsewhere (up to ``distributed.scheduler.allowed-failures`` times);
    every call's result is yielded exactly once. Calls are submitted with ``pure=False``, so
    that two equal calls are two tasks. Progress can be followed on the dashboard
    (``client.dashboard_link``).
    """

    name = "dask"

    def __init__(self, client=None, *, workers: int | None = None, timeout: float | None = None):
        try:
            import distributed
        except ImportError:
            raise ImportError(
                "engine='dask' needs Dask: pip install 'seatplan[dask]' "
                "(or pip install 'dask[distributed]')"
            ) from None
        self._own = None
        if client is None:
            n = (os.cpu_count() or 1) if workers is None else workers
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
            cluster = local_cluster(n)
            client = distributed.Client(cluster)
            self._own = (client, cluster)
        elif isinstance(client, str):
            client = distributed.Client(client)
            self._own = (client, None)
        elif not isinstance(client, distributed.Client):
            raise TypeError(
                f"engine: expected a distributed.Client, 'dask' or an address, got "
                f"{type(client).__name__}"
            )
        self.client = client
        self.timeout = timeout

    @property
    def workers(self) -> int:
        """Worker threads of the cluster now."""
        return max(1, sum(self.client.nthreads().values()))

    def map(self, function: Callable, shared, calls: Iterable[tuple]) -> Iterator:
        """Yield ``function(shared, *args)`` for each ``args`` of ``calls``, as they complete."""
        from distributed import as_completed

        client = self.client
        services = client.scheduler_info().get("services", {})
        if "dashboard" in services and self._own is None:
            print(f"dask dashboard: {client.dashboard_link}", file=sys.stderr)
        shared_future = client.scatter(shared, broadcast=True, hash=False)
        calls = iter(calls)
        limit = IN_FLIGHT_PER_WORKER * self.workers
        first = [
            client.submit(function, shared_future, *args, pure=False)
            for _, args in zip(range(limit), calls, strict=False)
        ]
        pending = as_completed(first, timeout=self.timeout)
        for future in pending:
            result = future.result()
            future.release()
            nxt = next(calls, None)
            if nxt is not None:
                pending.add(client.submit(function, shared_future, *nxt, pure=False))
            yield result
        shared_future.release()

    def close(self) -> None:
        """Close the client and the cluster started here; a client given is left open."""
        if self._own is not None:
            client, cluster = self._own
            client.close()
            if cluster is not None:
                cluster.close()
            self._own = None


def local_cluster(workers: int):
    """A Dask ``LocalCluster`` of ``workers`` single-threaded processes for planning tasks.

    Some of Dask's defaults cost a planning task CPU time, or take it from the cores the
    tasks run on; this cluster runs without them (:data:`CLUSTER_SETTINGS`). Measured on
    this project's batch of hotlines:

    * the workers' statistical profiler samples every thread's stack every 10 ms: 15 to 20%
      of the CPU per queue (624 to 674 ms against 528 to 569 ms without it; one worker, 80
      queues);
    * the nannies set ``MALLOC_TRIM_THRESHOLD_=65536``, so that every freed block goes back to
      the system and is faulted in again when a task allocates its arrays of a few megabytes
      anew: 12% (638 against 566 ms; two workers, 200 queues);
    * a task runs in a thread of the worker, and glibc gives such a thread a malloc arena of
      its own. With one thread per worker, ``MALLOC_ARENA_MAX=1`` keeps every allocation in
      the main arena, which was 4 to 9% faster in four paired runs of five (why the thread's
      arena costs more was not measured);
    * every server's event loop wakes every 20 ms to time itself (the "tick"), every 0.5 s to
      sample the system monitor and, in workers and nannies, every 0.1 s to read its memory:
      an idle two-worker cluster used 12.7% of a core (scheduler and nannies 7.5%, each
      worker 2.6%). With a tick of 1 s, the monitor every 2 s and the memory read every
      0.5 s, 2.0 to 2.1%. The tick only times the loop (its warning of a loop blocked for
      3 s still comes); the dashboard's system charts refresh every 2 s; a worker past its
      memory limit is stopped within half a second.

    A cluster of your own can do the same with these Dask settings in its configuration.
    """
    import dask
    import distributed

    # read once by each nanny when it is made, and kept for the workers it restarts
    with dask.config.set(CLUSTER_SETTINGS):
        return distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        )


def get_engine(engine=None, *, workers: int | None = None):
    """The engine for a value of ``engine=``.

    Parameters
    ----------
    engine : None, str, engine or distributed.Client
        None or ``"local"``: :class:`LocalEngine`; ``"serial"``: :class:`SerialEngine`;
        ``"dask"``: a :class:`DaskEngine` on a new ``LocalCluster``; a ``distributed.Client``
        or a scheduler address ``"tcp://..."``: a :class:`DaskEngine` on that cluster; an
        engine object is returned as is.
    workers : int, optional
        Processes of a local engine or workers of a new local cluster.

    Returns
    -------
    (engine, owned) : tuple
        The engine and whether the caller must close it.
    """
    if engine is None or engine == "local":
        return LocalEngine(workers), True
    if engine == "serial":
        return SerialEngine(), True
    if engine == "dask":
        return DaskEngine(workers=workers), True
    if isinstance(engine, str) and "://" in engine:
        return DaskEngine(engine), True
    if type(engine).__name__ == "Client":  # before the duck test: a Client has map and close
        return DaskEngine(engine), True
    if hasattr(engine, "map") and hasattr(engine, "close"):
        return engine, False
    raise ValueError(
        f"engine must be 'serial', 'local', 'dask', a scheduler address or a "
        f"distributed.Client, got {engine!r}"
    )
