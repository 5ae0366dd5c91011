"""Forecast accuracy: every model against the baselines, on real bank arrivals and on the
synthetic Chinese hotline.

Cases
-----
* ``bank``: US bank call-centre arrivals (``shared/data/us_bank_calls_5min.csv``, weekdays
  07:00-21:00, March-October 2003) summed to 30-minute intervals. The lone 5-minute count
  stamped 21:00 is dropped so that every interval covers 30 minutes. Calendar: US. Each of
  the last 40 days is forecast day-ahead (history through the day before) and week-ahead
  (history through 7 days before).
* ``cn_hotline``: :func:`forecast.synthetic.synthetic_hotline` 2024-2025 with the Chinese
  calendar; every day from 2025-01-06 to 2025-10-31 is a target, and days of holiday breaks,
  make-up workdays and the workdays around breaks are scored apart ("special"). The true
  rate is scored as well: the noise floor no model can beat.

Quantiles: the negative-binomial dispersion of each model is calibrated (pinball loss) on
the 20 origins before the scored window and the coverage of the 10%-90% interval is
measured on the scored window (nominal 80%).
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.backtest import accuracy, rolling_origin, special_days
from forecast.calendar import get_calendar
from forecast.driver import AUTO_CANDIDATES, MODELS
from forecast.history import check_history, day_features, to_day_grid
from forecast.quantiles import calibrate_dispersion, count_quantiles
from forecast.synthetic import synthetic_hotline

QUANTILES = (0.1, 0.5, 0.9)
BASELINES = ("seasonal_naive", "same_day_type")


def _data_dir() -> Path:
    path = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not path.is_dir():
        raise FileNotFoundError(f"benchmark data folder not found: {path}")
    return path


def bank_history() -> pd.Series:
    """US bank arrivals per 30 minutes (weekdays 07:00-20:30 interval starts)."""
    path = _data_dir() / "us_bank_calls_5min.csv"
    if not path.exists():
        raise FileNotFoundError(f"bank data not found: {path}")
    raw = pd.read_csv(path, parse_dates=["ds"]).set_index("ds")["y"]
    half_hour = raw.resample("30min").sum(min_count=1).dropna()
    return half_hour[half_hour.index.hour * 60 + half_hour.index.minute < 21 * 60]


class AutoSelect:
    """``model="auto"`` as a model: picks by an inner backtest at every refit."""

    min_days = 35

    def __init__(self, origins: int = 7):
        self.origins = origins

    def fit(self, values, days):
        scores = {}
        for name in AUTO_CANDIDATES:
            res = rolling_origin(MODELS[name], values, days, lead=1, origins=self.origins)
            ok = np.isfinite(res.actual) & np.isfinite(res.mean)
            scores[name] = np.abs(res.actual - res.mean)[ok].sum() / res.actual[ok].sum()
        self.choice_ = min(scores, key=scores.get)
        self.model_ = copy.deepcopy(MODELS[self.choice_]).fit(values, days)
        return self

    def predict(self, days):
        return self.model_.predict(days)


def _evaluate(case, values, days, models, leads, scored, calibration, truth=None):
    rows = []
    for lead in leads:
        for name, model in models.items():
            start = time.perf_counter()
            res = rolling_origin(model, values, days, lead=lead, origins=scored + calibration)
            elapsed = time.perf_counter() - start
            cal, ev = slice(0, calibration), slice(calibration, None)
            phi = calibrate_dispersion(res.actual[cal], res.mean[cal], QUANTILES)
            qv = count_quantiles(res.mean[ev], phi, QUANTILES)
            special = res.special[ev]
            for subset, sel in (("all", slice(None)), ("normal", ~special), ("special", special)):
                if isinstance(sel, np.ndarray) and not sel.any():
                    continue
                acc = accuracy(
                    res.actual[ev][sel],
                    res.mean[ev][sel],
                    scale=res.scale,
                    quantile_levels=QUANTILES,
                    quantile_values=qv[sel],
                )
                rows.append(
                    {
                        "case": case,
                        "lead_days": lead,
                        "model": name,
                        "days": "all" if subset == "all" else subset,
                        "n_days": int(np.ones(len(special), bool)[sel].sum()),
                        "wape_pct": acc["wape_pct"],
                        "mase": acc["mase"],
                        "coverage80_pct": acc.get("coverage_pct", np.nan),
                        "fit_s": res.fit_seconds,
                        "total_s": elapsed,
                    }
                )
    if truth is not None:
        actual, rate, special = truth
        for subset, sel in (("all", slice(None)), ("normal", ~special), ("special", special)):
            acc = accuracy(actual[sel], rate[sel])
            rows.append(
                {
                    "case": case,
                    "lead_days": 0,
                    "model": "true_rate (noise floor)",
                    "days": subset,
                    "n_days": int(np.ones(len(special), bool)[sel].sum()),
                    "wape_pct": acc["wape_pct"],
                    "mase": np.nan,
                    "coverage80_pct": np.nan,
                    "fit_s": 0.0,
                    "total_s": 0.0,
                }
            )
    return rows


def run(quick: bool = False) -> pd.DataFrame:
    """Run the accuracy benchmark.

    Parameters
    ----------
    quick : bool
        Fewer models and origins (a smoke run of a minute or less).

    Returns
    -------
    pandas.DataFrame
        One row per case × lead × model × day subset: ``wape_pct``, ``mase``,
        ``coverage80_pct`` (share of actuals in the 10%-90% interval), ``fit_s`` (mean seconds
        per fit + forecast), ``total_s`` (seconds for the whole backtest).
    """
    rows = []
    names = (
        ["seasonal_naive", "same_day_type", "top_down", "count_regression"]
        if quick
        else list(MODELS)
    )
    models = {n: MODELS[n] for n in names}
    if not quick:
        models["auto"] = AutoSelect()

    bank, report = check_history(bank_history())
    grid = to_day_grid(bank, report.freq)
    days = day_features(grid.days, get_calendar("US"))
    scored = 10 if quick else 40
    rows += _evaluate("bank", grid.values, days, models, (1, 7), scored, 20)

    syn = synthetic_hotline("2024-01-01", "2025-10-31" if not quick else "2025-03-31", seed=7)
    s, rep = check_history(syn.volume, events=syn.events)
    g = to_day_grid(s, rep.freq)
    d = day_features(g.days, syn.calendar)
    first_target = pd.Timestamp("2025-01-06")
    scored = int((g.days > first_target).sum()) + 1
    syn_models = {n: m for n, m in models.items() if n not in ("mstl", "auto")}
    rate = to_day_grid(syn.rate, rep.freq).values[-scored:]
    truth = (g.values[-scored:], rate, special_days(d.iloc[-scored:]))
    rows += _evaluate("cn_hotline", g.values, d, syn_models, (1, 7), scored, 20, truth)
    return pd.DataFrame(rows)


def main() -> None:
    table = run()
    pivot = table.pivot_table(
        index=["case", "lead_days", "model"],
        columns="days",
        values=["wape_pct", "mase", "coverage80_pct"],
    ).round(2)
    try:
        print(table.round(3).to_markdown(index=False))
        print()
        print(pivot.to_markdown())
    except ImportError:
        print(table.round(3).to_string(index=False))
        print()
        print(pivot.to_string())


if __name__ == "__main__":
    main()
