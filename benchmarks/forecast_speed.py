"""Forecast speed: many queues of a year of 30-minute history at once.

Each series is an independent Poisson draw around a scaled copy of the synthetic 12345
hotline's expected rate (a year, 17,520 intervals), forecast one week ahead (336 intervals)
through :func:`forecast.forecast` on a long frame, with model selection by backtest
(``model="auto"``) and with a fixed model. Besides the wall clock, two figures that other
load on the machine does not change: model fits per series (backtests of every model tried
plus the final fit) and the CPU seconds of all processes (this one and its workers).
"""

from __future__ import annotations

import os
import resource
import time

import numpy as np
import pandas as pd

from forecast import forecast
from forecast.synthetic import synthetic_hotline


def many_series(n_series: int, seed: int = 0) -> pd.DataFrame:
    """Long frame (``unique_id``, ``ds``, ``y``) of ``n_series`` hotline queues."""
    base = synthetic_hotline("2024-01-01", "2024-12-31", seed=seed)
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.2, 2.0, size=n_series)
    counts = rng.poisson(base.rate.to_numpy()[None, :] * scale[:, None])
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"q{i:03d}" for i in range(n_series)], len(base.rate)),
            "ds": np.tile(base.rate.index.to_numpy(), n_series),
            "y": counts.ravel().astype(float),
        }
    )


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run(quick: bool = False) -> pd.DataFrame:
    """Time fitting and forecasting many series.

    Returns
    -------
    pandas.DataFrame
        ``n_series``, ``model``, ``n_jobs``, ``time_s`` (wall clock for all series),
        ``per_series_ms``, ``cpu_s`` (CPU seconds of this process and its workers),
        ``fits_per_series``.
    """
    n_series = 10 if quick else 100
    frame = many_series(n_series)
    n_jobs = min(2, os.cpu_count() or 1)
    rows = []
    for model in ("auto", "top_down"):
        cpu = _cpu_seconds()
        start = time.perf_counter()
        result = forecast(frame, 336, model=model, calendar="CN", n_jobs=n_jobs)
        elapsed = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu
        out = result.values
        fits = [d.fits for d in result.details.values()]
        if len(out) != 336 * n_series:
            raise RuntimeError(f"expected {336 * n_series} forecast rows, got {len(out)}")
        rows.append(
            {
                "n_series": n_series,
                "intervals_per_series": int(len(frame) / n_series),
                "model": model,
                "n_jobs": n_jobs,
                "time_s": elapsed,
                "per_series_ms": 1000 * elapsed / n_series,
                "cpu_s": cpu,
                "fits_per_series": float(np.mean(fits)),
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    from benchmarks import print_table

    print_table(run().round(3))
