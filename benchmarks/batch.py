"""Many queues at once: :func:`roster.plan_many` serially, on local processes and on Dask.

A network of :func:`roster.batch.synthetic_network` hotlines (1,000 queues, a year of
30-minute history each; 20 in quick mode) is forecast for the next month (``model="auto"``)
and staffed per interval, on three engines: serially, on the local engine with 2 processes
and on a Dask ``LocalCluster`` of 2 single-threaded worker processes; one queue in fifty also
gets its stage-1 shift counts for the month. Per engine and case:

* wall figures: the wall time, the speed-up against the serial run, the engine's overhead per
  task as the workers' time not spent on work (``wall × workers - Σ work``, per queue), and
  the wall time per task of a no-op run that ships the same inputs;
* CPU figures, which other load on the machine does not change: the CPU time of the work per
  queue in the workers, the driver's own CPU time per task (splitting the history, shipping
  inputs, collecting results: the part of the engine no number of workers divides; on Dask
  it includes the scheduler's work, which a ``LocalCluster`` runs in the driver's process,
  less the scheduler's and the client's idle upkeep, measured apart per second), and the
  speed-up the run would have on free cores, ``Σ serial CPU / (busiest worker's CPU + the
  driver's)``.

The projection for 10,000 queues on ``W`` workers is ``10,000 × max(CPU work / W, d)``, with
``d`` the smaller of the driver's CPU per task and the no-op task's wall time (each bounds the
driver's cost of a task from above): the work spreads over the workers, and the driver hands
out one task at a time.
Cluster start is left out (it is reported apart).

The machine is shared: the load average before each run is reported beside it; under load
the wall figures of a parallel run include the time its workers waited for a core.
"""

from __future__ import annotations

import os
import time
import warnings

import numpy as np
import pandas as pd

from roster.batch.engines import DaskEngine, LocalEngine, SerialEngine, local_cluster
from roster.batch.network import queue_seed, synthetic_network
from roster.batch.plan import _split, plan_many, queue_settings

WORKERS = 2
#: Seconds the idle Dask driver is watched to measure its upkeep.
IDLE_SECONDS = 5.0
#: Queues of the projection and the worker counts projected.
PROJECTED_QUEUES = 10_000
PROJECTED_WORKERS = (32, 256)


def _noop(shared, unique_id, history, settings, seed):
    """A task of the batch's shape that does no work: its cost is the engine's."""
    return unique_id, len(history)


def _noop_seconds(engine, history, settings) -> float:
    """Wall time of a no-op task per queue on ``engine``, with each queue's inputs shipped."""
    ids, rows_of = _split(history)
    per_queue, _ = queue_settings(settings, ids)
    columns = ["ds", "y", "aht"]

    def calls():
        for k, uid in enumerate(ids):
            rows = history.iloc[rows_of(k)][columns].reset_index(drop=True)
            yield uid, rows, per_queue[uid], queue_seed(0, uid)

    t0 = time.perf_counter()
    done = sum(1 for _ in engine.map(_noop, None, calls()))
    assert done == len(ids)
    return (time.perf_counter() - t0) / len(ids)


def _row(case, engine_name, workers, result, serial, noop, n, driver_cpu, idle_rate=0.0):
    """The figures of one run; ``serial`` is the serial run of the same case (or None),
    ``idle_rate`` the driver's CPU seconds per second when idle (a Dask scheduler's upkeep)."""
    t = result.timings
    work = float(t["seconds"].sum())
    cpu = float(t["cpu_seconds"].sum())
    overhead = max(result.seconds * workers - work, 0.0) / n
    per_work, per_cpu = work / n, cpu / n
    serial_cpu = float(serial.timings["cpu_seconds"].sum()) if serial is not None else cpu
    busiest = float(t.groupby("worker")["cpu_seconds"].sum().max())
    # the driver's own CPU beyond the work it ran itself: what the engine costs per task there
    own = cpu if engine_name == "serial" else 0.0
    driver = max(driver_cpu - own - idle_rate * result.seconds, 0.0) / n
    row = {
        "case": case,
        "engine": engine_name,
        "workers": workers,
        "queues": n,
        "wall_s": result.seconds,
        "per_queue_ms": 1000 * result.seconds / n,
        "work_per_queue_ms": 1000 * per_work,
        "cpu_per_queue_ms": 1000 * per_cpu,
        "speedup": serial.seconds / result.seconds if serial is not None else 1.0,
        "cpu_speedup": serial_cpu / (busiest + driver * n),
        "overhead_per_task_ms": 1000 * overhead,
        "overhead_pct_of_work": 100 * overhead / per_work if per_work else np.nan,
        "driver_cpu_per_task_ms": 1000 * driver,
        "driver_cpu_pct_of_work": 100 * driver / per_cpu if per_cpu else np.nan,
        "noop_per_task_ms": 1000 * noop if noop is not None else np.nan,
        "driver_idle_cpu_pct": 100 * idle_rate,
        "errors": len(result.errors),
    }
    if noop is not None:
        # the driver's cost of a task is at most its CPU per task (which on Dask holds the
        # in-process scheduler's idle upkeep too) and at most a no-op task's wall time
        handout = min(driver, noop)
        for w in PROJECTED_WORKERS:
            # the work spreads over the workers; the driver hands out one task at a time
            row[f"projected_{PROJECTED_QUEUES}q_{w}w_s"] = PROJECTED_QUEUES * max(
                per_cpu / w, handout
            )
    return row


def run(quick: bool = False, queues: int | None = None) -> pd.DataFrame:
    """Time the batch on the three engines.

    Returns
    -------
    pandas.DataFrame
        One row per case and engine: ``case``, ``engine``, ``workers``, ``queues``,
        ``wall_s``, ``per_queue_ms`` (wall per queue), ``work_per_queue_ms`` and
        ``cpu_per_queue_ms`` (wall and CPU time of the work, measured in the workers),
        ``speedup`` (serial wall / wall), ``cpu_speedup`` (on free cores),
        ``overhead_per_task_ms`` and ``overhead_pct_of_work`` (wall),
        ``driver_cpu_per_task_ms`` and ``driver_cpu_pct_of_work``, ``noop_per_task_ms``,
        ``driver_idle_cpu_pct`` (the idle Dask driver's upkeep, % of a core),
        ``errors``, ``load_1min`` (the
        machine's load average before the run), ``identical`` (the frames equal the serial
        run's, bit for bit), the projected wall for 10,000 queues on 32 and 256 workers, and
        ``cluster_start_s`` for the Dask rows.
    """
    import distributed

    n = (20 if quick else 1000) if queues is None else queues
    n_sample = max(1, n // 50)
    t0 = time.perf_counter()
    net = synthetic_network(n, start="2025-01-01", end="2025-12-31", seed=0)
    generate_s = time.perf_counter() - t0
    sample_ids = net.settings["unique_id"].iloc[:: max(1, n // n_sample)][:n_sample]
    sample = net.history[net.history["unique_id"].isin(sample_ids)]
    sample_settings = net.settings[net.settings["unique_id"].isin(sample_ids)]
    cases = (
        (f"{n} queues, forecast + requirement + KPIs", net.history, net.settings, None),
        (
            f"{n_sample} queues, + stage-1 month",
            sample,
            sample_settings,
            ("forecast", "requirement", "schedule", "kpis"),
        ),
    )
    rows, serial = [], {}
    cluster = client = None
    idle = {"rate": 0.0}

    def dask_engine():
        # started after the serial and local runs: its scheduler runs in this process, and
        # its threads would count in their driver's CPU
        nonlocal cluster, client
        t0 = time.perf_counter()
        cluster = local_cluster(WORKERS)
        client = distributed.Client(cluster)
        client.wait_for_workers(WORKERS)
        started = time.perf_counter() - t0
        # the scheduler's and the client's upkeep (heartbeats, monitors) while nothing runs:
        # a cost per second, not per task, taken out of the driver's CPU per task
        cpu0 = time.process_time()
        time.sleep(IDLE_SECONDS)
        idle["rate"] = (time.process_time() - cpu0) / IDLE_SECONDS
        return DaskEngine(client), started

    engines = (
        ("serial", SerialEngine, 1),
        ("local", lambda: (LocalEngine(WORKERS), None), WORKERS),
        ("dask", dask_engine, WORKERS),
    )
    try:
        for name, make, workers in engines:
            made = make()
            engine, started = made if isinstance(made, tuple) else (made, None)
            for case, history, settings, stages in cases:
                count = history["unique_id"].nunique()
                load = os.getloadavg()[0]
                cpu0 = time.process_time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = plan_many(
                        history,
                        settings,
                        engine=engine,
                        quiet=True,
                        **({"stages": stages} if stages else {}),
                    )
                driver_cpu = time.process_time() - cpu0
                noop = None
                if stages is None and name != "serial":
                    noop = _noop_seconds(engine, history, settings)
                reference = serial.get(case)
                row = _row(
                    case, name, workers, result, reference, noop, count, driver_cpu, idle["rate"]
                )
                serial.setdefault(case, result)
                row["load_1min"] = load
                row["identical"] = all(
                    getattr(result, f).equals(getattr(serial[case], f))
                    for f in ("forecast", "requirement", "schedule", "kpis", "errors")
                )
                if started is not None:
                    row["cluster_start_s"] = started
                if stages is None and name == "serial":
                    row["generate_s"] = generate_s
                rows.append(row)
    finally:
        if client is not None:
            client.close()
            cluster.close()
    return pd.DataFrame(rows)
