"""The Dask engine on a LocalCluster: identical results, a worker killed mid-run, and a clear
message without Dask."""

import os
import signal
import sys
from pathlib import Path

import pandas as pd
import pytest

import roster
from roster.batch.engines import CLUSTER_SETTINGS, DaskEngine, get_engine, local_cluster
from roster.batch.network import synthetic_network

distributed = pytest.importorskip("distributed")

# a result not back within this many seconds fails the test instead of hanging it
TIMEOUT = 60


@pytest.fixture(scope="module")
def client():
    with local_cluster(2) as cluster, distributed.Client(cluster) as c:
        yield c


def test_local_cluster_workers_run_without_the_settings_that_cost_cpu(client):
    # Dask's trim threshold, the thread's own arena, the profiler and the loops' frequent
    # wake-ups cost CPU (local_cluster)
    settings = {k: v for k, v in CLUSTER_SETTINGS.items() if "pre-spawn-environ" not in k}
    assert settings

    def seen():
        import dask

        got = {k: dask.config.get(k) for k in settings}
        return os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("MALLOC_ARENA_MAX"), got

    got = client.run(seen)
    assert len(got) == 2
    for trim, arenas, config in got.values():
        assert (trim, arenas) == (os.environ.get("MALLOC_TRIM_THRESHOLD_"), "1")
        assert config == settings


@pytest.mark.slow
def test_dask_engine_gives_the_serial_frames(client):
    net = synthetic_network(4, start="2025-09-01", end="2025-10-31", seed=11)
    kw = dict(days=2, model="same_day_type", quiet=True)
    serial = roster.plan_many(net.history, net.settings, engine="serial", **kw)
    engine = DaskEngine(client, timeout=TIMEOUT)
    on_dask = roster.plan_many(net.history, net.settings, engine=engine, **kw)
    assert on_dask.engine == "dask" and on_dask.workers == 2
    assert serial.errors.empty and len(serial.kpis) == 4
    for name in ("forecast", "requirement", "kpis", "errors"):
        got, want = getattr(on_dask, name), getattr(serial, name)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert client.status == "running"  # a client given is left open
    engine, _ = get_engine(client)  # a Client as engine= runs on its cluster
    assert isinstance(engine, DaskEngine) and engine.client is client
    engine.close()
    assert client.status == "running"


def _square_or_die(marker_dir, number, victim):
    """``number ** 2``; the first time ``victim`` runs, it kills its own worker process."""
    marker = Path(marker_dir) / "killed"
    if number == victim and not marker.exists():
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return number, number**2, os.getpid()


@pytest.mark.slow
def test_a_killed_worker_loses_and_duplicates_nothing(client, tmp_path):
    import cloudpickle

    # the workers run this module's function without importing the test package
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        engine = DaskEngine(client, timeout=TIMEOUT)
        calls = ((number, 5) for number in range(16))
        results = list(engine.map(_square_or_die, str(tmp_path), calls))
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    killed = int((tmp_path / "killed").read_text())
    assert sorted(n for n, _, _ in results) == list(range(16))
    assert all(sq == n * n for n, sq, _ in results)
    # the victim ran again on a live worker
    victim_pid = next(pid for n, _, pid in results if n == 5)
    assert victim_pid != killed
    client.wait_for_workers(2, timeout=TIMEOUT)


def test_without_dask_the_engine_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"seatplan\[dask\]"):
        DaskEngine()
    net = synthetic_network(1, start="2025-10-01", end="2025-10-31")
    with pytest.raises(ImportError, match=r"seatplan\[dask\]"):
        roster.plan_many(net.history, engine="dask", quiet=True)
