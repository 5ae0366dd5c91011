"""Measured patience (M/M/n+G): CPU time per interval of the KPIs and of exact staffing for each
patience law against Erlang A (exponential patience of the same 60 s mean), and agreement of
the formulas with call-level simulation (``roster.simulate`` drawing from the law).

The speed goal is staffing within 20 times Erlang A staffing per interval. Times are CPU
seconds of this process (``time.process_time``), so a busy machine inflates them less than
wall time; each figure is the best of ``repeats`` runs.

Run ``python -m benchmarks.erlang_patience`` (add ``--quick`` for a smaller run).
"""

import sys
import time

import numpy as np
import pandas as pd

import erlang
from roster.simulation import simulate

INTERVAL = 1800.0
MEAN = 60.0


def _laws():
    exponential = erlang.Exponential(MEAN)
    steps = np.arange(1.0, 301.0)
    return {
        "erlang A (exponential 60 s)": MEAN,
        "weibull shape 1 (quadrature)": erlang.Weibull(shape=1.0, scale=MEAN),
        "weibull shape 0.6": erlang.Weibull.from_mean(MEAN, 0.6),
        "weibull shape 2": erlang.Weibull.from_mean(MEAN, 2.0),
        "lognormal cv 1": erlang.LogNormal.from_cv(MEAN, 1.0),
        "deterministic 60 s": erlang.Deterministic(MEAN),
        "empirical, 300 steps": erlang.Empirical(steps, exponential.survival(steps + 0.5)),
    }


def _workload(size, seed=0):
    """Half-hour intervals with loads up to 300 erlangs and AHT 3 to 7 minutes."""
    rng = np.random.default_rng(seed)
    aht = rng.uniform(180.0, 420.0, size)
    load = rng.uniform(0.5, 300.0, size)
    return load * INTERVAL / aht, aht


def _cpu_per_interval(fn, size, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return result, best / size * 1e6


def _speed(size, repeats):
    volume, aht = _workload(size)
    rows = []
    for targets_name, targets in (
        ("80% in 20 s", erlang.Targets()),
        ("hotline", erlang.Targets.hotline()),
    ):
        reference = None
        for name, law in _laws().items():
            erlang.required_agents(volume[:20], aht[:20], patience=law, targets=targets)  # warm

            def staff(law=law, targets=targets):
                return erlang.required_agents(volume, aht, patience=law, targets=targets)

            agents, staff_us = _cpu_per_interval(staff, size, repeats)

            def kpis(law=law, agents=agents, targets=targets):
                return erlang.kpis(volume, aht, agents, patience=law, targets=targets)

            _, kpis_us = _cpu_per_interval(kpis, size, repeats)
            if reference is None:
                reference = staff_us
            rows.append(
                {
                    "group": "speed",
                    "case": f"{name}, {targets_name}",
                    "intervals": size,
                    "staff_us_per_interval": staff_us,
                    "kpis_us_per_interval": kpis_us,
                    "staff_over_erlang_a": staff_us / reference,
                    "mean_agents": float(np.mean(agents)),
                }
            )
    return rows


def _agreement(replications):
    index = pd.date_range("2025-03-03 08:00", periods=12, freq="30min")
    laws = {k: v for k, v in _laws().items() if k.split()[0] in ("weibull", "lognormal")}
    laws.pop("weibull shape 1 (quadrature)")
    laws["deterministic 60 s"] = erlang.Deterministic(MEAN)
    rows = []
    for name, law in laws.items():
        for volume, agents in ((200.0, 22), (300.0, 29), (600.0, 56)):
            result = simulate(
                pd.Series(volume, index),
                180.0,
                pd.Series(agents, index),
                patience=law,
                short_abandon=20.0,
                warmup=3600.0,
                replications=replications,
                confidence=0.95,
                seed=23,
            )
            summary = result.summary()
            exact = erlang.kpis(volume, 180.0, agents, patience=law, short_abandon=20.0).iloc[0]
            for metric in ("service_level", "abandon_rate", "asa"):
                row = summary.loc[metric]
                rows.append(
                    {
                        "group": "agreement",
                        "case": f"{name}, {volume:g} calls on {agents}, {metric}",
                        "formula": float(exact[metric]),
                        "simulated": float(row["mean"]),
                        "half_width": float(row["half_width"]),
                        "within_ci": bool(abs(row["mean"] - exact[metric]) <= row["half_width"]),
                    }
                )
    return rows


def run(quick: bool = False) -> pd.DataFrame:
    """Speed on 10,000 intervals (2,000 with ``quick``) and agreement on 4 laws x 3 loads."""
    size, repeats = (2_000, 2) if quick else (10_000, 3)
    replications = 8 if quick else 20
    return pd.DataFrame(_speed(size, repeats) + _agreement(replications))


if __name__ == "__main__":
    table = run(quick="--quick" in sys.argv)
    print(table.to_string())
