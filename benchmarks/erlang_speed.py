"""Speed of exact staffing: one million intervals with Erlang C and Erlang A, against the floor
(one plain vectorized Erlang C evaluation) and against pyworkforce's per-interval loop;
staffing and KPIs under a trunk cap (1.25 times the load plus 10 lines, so that it binds); and
the per-interval cost of lag-corrected staffing (the modified offered load) and of staffing for
forecast risk (dispersion 0.01, at the 90% quantile and in expectation), all under Erlang A,
against Erlang A staffing at the mean.

Run ``python -m benchmarks.erlang_speed`` (add ``--quick`` for a smaller run).
"""

import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

import erlang

INTERVAL = 1800.0


def _workload(size, max_load, seed=0):
    """Half-hour intervals with loads spread up to ``max_load`` erlangs, AHT 3 to 7 minutes."""
    rng = np.random.default_rng(seed)
    aht = rng.uniform(180.0, 420.0, size)
    load = rng.uniform(0.5, max_load, size)
    return load * INTERVAL / aht, aht


def _timed(fn, *, memory=False):
    """Result, wall seconds, and (in a second, traced run) peak traced memory in MiB."""
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = float("nan")
    if memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, seconds, peak


def _pyworkforce_seconds(volume, aht):
    """Per-interval time of pyworkforce's ErlangC staffing loop, or None if not installed."""
    try:
        from pyworkforce.queuing import ErlangC
    except ImportError:
        return None, None
    start = time.perf_counter()
    positions = [
        ErlangC(transactions=v, aht=a / 60.0, asa=20.0 / 60.0, interval=30).required_positions(
            service_level=0.8
        )["positions"]
        for v, a in zip(volume, aht, strict=True)
    ]
    return (time.perf_counter() - start) / len(volume), np.asarray(positions)


def run(quick: bool = False) -> pd.DataFrame:
    """Time staffing on typical (up to 300 Erl) and large (up to 1 500 Erl) loads."""
    size = 100_000 if quick else 1_000_000
    peer_size = 1_000 if quick else 10_000
    erlang.required_agents(np.array([50.0, 500.0]), 300.0)  # warm the start-value tables
    erlang.required_agents(np.array([50.0, 500.0]), 300.0, patience=120.0)
    rows = []
    for label, max_load in (("typical", 300.0), ("large", 1500.0)):
        volume, aht = _workload(size, max_load)
        agents_c, t_c, mem_c = _timed(
            lambda v=volume, a=aht: erlang.required_agents(v, a), memory=True
        )
        load = volume * aht / INTERVAL
        _, t_eval, _ = _timed(lambda ld=load, n=agents_c: erlang.erlang_c(ld, n))
        _, t_sl, _ = _timed(lambda v=volume, a=aht, n=agents_c: erlang.service_level(v, a, n))
        a_size = size if label == "typical" else size // 10
        _, t_a, mem_a = _timed(
            lambda v=volume[:a_size], a=aht[:a_size]: erlang.required_agents(v, a, patience=120.0),
            memory=True,
        )
        t_size = size // 10
        v_t, a_t = volume[:t_size], aht[:t_size]
        trunks = np.ceil(1.25 * load[:t_size] + 10.0)
        _, t_trunk_c, _ = _timed(
            lambda v=v_t, a=a_t, k=trunks: erlang.required_agents(v, a, trunks=k)
        )
        hotline = {
            "patience": 60.0,
            "short_abandon": 20.0,
            "answer_rate": 0.85,
            "asa": 20.0,
            "max_abandon": 0.05,
            "max_occupancy": 0.9,
            "max_blocking": 0.03,
        }
        agents_t, t_trunk_a, _ = _timed(
            lambda v=v_t, a=a_t, k=trunks, kw=hotline: erlang.required_agents(v, a, trunks=k, **kw)
        )
        _, t_trunk_kpis, _ = _timed(
            lambda v=v_t, a=a_t, n=agents_t, k=trunks: erlang.kpis(
                v, a, n, trunks=k, patience=60.0, short_abandon=20
            )
        )
        _, t_lag, _ = _timed(
            lambda v=volume[:a_size], a=aht[:a_size]: erlang.required_agents(
                v, a, patience=120.0, load="modified"
            )
        )
        _, t_quantile, _ = _timed(
            lambda v=volume[:a_size], a=aht[:a_size]: erlang.required_agents_at_risk(
                v, a, dispersion=0.01, patience=120.0
            )
        )
        e_size = a_size // 20  # the expected mode evaluates up to 48 rates per probe and interval
        _, t_expected, _ = _timed(
            lambda v=volume[:e_size], a=aht[:e_size]: erlang.required_agents_at_risk(
                v, a, dispersion=0.01, patience=120.0, mode="expected"
            )
        )
        peer_per, peer_agents = _pyworkforce_seconds(volume[:peer_size], aht[:peer_size])
        ours_per = t_c / size
        rows.append(
            {
                "loads": f"{label} (<= {max_load:.0f} Erl)",
                "intervals": size,
                "erlang_c_eval_s": t_eval,
                "service_level_eval_s": t_sl,
                "staff_erlang_c_s": t_c,
                "staff_c_over_eval": t_c / t_eval,
                "staff_c_peak_mib": mem_c,
                "erlang_a_intervals": a_size,
                "staff_erlang_a_s": t_a,
                "staff_a_peak_mib": mem_a,
                "trunk_intervals": t_size,
                "staff_trunks_erlang_c_s": t_trunk_c,
                "staff_trunks_hotline_a_s": t_trunk_a,
                "kpis_trunks_a_s": t_trunk_kpis,
                "staff_a_us_per_interval": t_a / a_size * 1e6,
                "lagged_a_us_per_interval": t_lag / a_size * 1e6,
                "risk_quantile_a_us_per_interval": t_quantile / a_size * 1e6,
                "risk_expected_intervals": e_size,
                "risk_expected_a_us_per_interval": t_expected / e_size * 1e6,
                "pyworkforce_us_per_interval": None if peer_per is None else peer_per * 1e6,
                "ours_us_per_interval": ours_per * 1e6,
                "speedup_vs_pyworkforce": None if peer_per is None else peer_per / ours_per,
                "pyworkforce_overstaffed_intervals": None
                if peer_agents is None
                else int(np.sum(peer_agents > agents_c[:peer_size])),
                "pyworkforce_understaffed_intervals": None
                if peer_agents is None
                else int(np.sum(peer_agents < agents_c[:peer_size])),
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    table = run(quick="--quick" in sys.argv)
    print(table.T.to_string())
