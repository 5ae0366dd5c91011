"""Intraday re-forecast: the rest of the day updated at 10:00, 12:00 and 14:00 against the
day-ahead forecast.

Cases
-----
* ``bank 30min`` and ``bank 5min``: US bank call-centre arrivals
  (``shared/data/us_bank_calls_5min.csv``, weekdays 07:00-21:00, March-October 2003), summed to
  30-minute intervals (as in :mod:`benchmarks.forecast_accuracy`) or kept at 5 minutes.
* ``cn_hotline 30min``: :func:`forecast.synthetic_hotline` with the Chinese calendar, a day
  pattern (24 h service, two peaks, weekends, holidays) the method was not tuned on.

The day-ahead forecast of every day is the project's own: a rolling-origin backtest
(:func:`forecast.rolling_origin`, ``lead=1``, refitted at every origin) of the
``same_day_type`` model. Each of the last 40 days is updated by
:class:`forecast.IntradayUpdate` fitted on the day-ahead forecasts and actuals of every day
before it (at most 60), so nothing after a day is ever seen. Scored on the intervals from the
update time to the end of the day: WAPE of the updated and of the day-ahead mean, and the
coverage of the 10%-90% band (nominal 80%) of each; the day-ahead band is the
negative-binomial one calibrated on the same earlier days
(:func:`forecast.quantiles.calibrate_dispersion`).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from benchmarks import shared_data
from forecast.backtest import rolling_origin
from forecast.calendar import get_calendar
from forecast.driver import MODELS
from forecast.history import check_history, day_features, to_day_grid
from forecast.intraday import IntradayUpdate
from forecast.quantiles import calibrate_dispersion, count_quantiles
from forecast.synthetic import synthetic_hotline

HOURS = (10, 12, 14)
TEST_DAYS = 40
TRAIN_DAYS = 60
LEVELS = (0.1, 0.9)
MODEL = "same_day_type"


def _bank(freq: str) -> pd.Series:
    path = shared_data("us_bank_calls_5min.csv")
    raw = pd.read_csv(path, parse_dates=["ds"]).set_index("ds")["y"]
    # the lone count stamped 21:00 would make a last interval of 5 minutes
    raw = raw[raw.index.hour * 60 + raw.index.minute < 21 * 60]
    return raw.resample(freq).sum(min_count=1).dropna() if freq != "5min" else raw


def _day_ahead(series: pd.Series, calendar, origins: int):
    clean, report = check_history(series)
    grid = to_day_grid(clean, report.interval)
    days = day_features(grid.days, get_calendar(calendar))
    result = rolling_origin(MODELS[MODEL], grid.values, days, lead=1, origins=origins)
    open_ = np.isfinite(result.actual).all(axis=0)
    starts = np.flatnonzero(open_) * report.interval / 3600.0
    return result.actual[:, open_], result.mean[:, open_], starts


def _case(name: str, series: pd.Series, calendar, test_days: int) -> list[dict]:
    start = time.perf_counter()
    y, m, hours = _day_ahead(series, calendar, test_days + TRAIN_DAYS)
    fit_s = time.perf_counter() - start
    first = len(y) - test_days
    rows = []
    models = {}
    for hour in HOURS:
        cut = int(np.searchsorted(hours, hour))
        err_u = err_d = total = 0.0
        inside_u, inside_d = [], []
        spent = fitted = 0.0
        for d in range(first, len(y)):
            train = slice(max(0, d - TRAIN_DAYS), d)
            if d not in models:
                tick = time.perf_counter()
                models[d] = IntradayUpdate(quantiles=LEVELS).fit_arrays(y[train], m[train])
                fitted += time.perf_counter() - tick
            tick = time.perf_counter()
            mean, q = models[d].predict_arrays(y[d : d + 1], m[d : d + 1], cut)
            spent += time.perf_counter() - tick
            phi = calibrate_dispersion(y[train], m[train], (0.1, 0.5, 0.9))
            q_day = count_quantiles(m[d], phi, LEVELS)
            rest = slice(cut, None)
            actual = y[d, rest]
            err_u += np.abs(actual - mean[0, rest]).sum()
            err_d += np.abs(actual - m[d, rest]).sum()
            total += actual.sum()
            inside_u.append((actual >= q[0, rest, 0]) & (actual <= q[0, rest, 1]))
            inside_d.append((actual >= q_day[rest, 0]) & (actual <= q_day[rest, 1]))
        rows.append(
            {
                "case": name,
                "update_at": f"{hour:02d}:00",
                "days": test_days,
                "wape_updated_pct": 100 * err_u / total,
                "wape_day_ahead_pct": 100 * err_d / total,
                "wape_ratio": err_u / err_d,
                "coverage80_updated_pct": 100 * float(np.concatenate(inside_u).mean()),
                "coverage80_day_ahead_pct": 100 * float(np.concatenate(inside_d).mean()),
                "update_ms_per_day": 1000 * spent / test_days,
                "fit_ms_per_day": 1000 * fitted / test_days,
                "day_ahead_s": fit_s,
            }
        )
    return rows


def run(quick: bool = False) -> pd.DataFrame:
    """Rest-of-day WAPE and band coverage of the updated and the day-ahead forecasts.

    Parameters
    ----------
    quick : bool
        Only the bank at 30 minutes and the synthetic hotline (no 5-minute case).

    Returns
    -------
    pandas.DataFrame
        One row per case and update time.
    """
    rows = _case("bank 30min", _bank("30min"), "US", TEST_DAYS)
    if not quick:
        rows += _case("bank 5min", _bank("5min"), "US", TEST_DAYS)
    hotline = synthetic_hotline(start="2024-09-01", end="2025-06-30", seed=3, outage=False)
    rows += _case("cn_hotline 30min", hotline.volume, "CN", TEST_DAYS)
    return pd.DataFrame(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(run(args.quick).to_string(index=False))
