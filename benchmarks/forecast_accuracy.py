"""Forecast accuracy: every model against the baselines, on real bank arrivals and on the
synthetic Chinese hotline.

Cases
-----
* ``bank``: US bank call-centre arrivals (``shared/data/us_bank_calls_5min.csv``, weekdays
  07:00-21:00, March-October 2003) summed to 30-minute intervals. The lone 5-minute count
  stamped 21:00 is dropped so that every interval covers 30 minutes. Calendar: US. Each of
  the last 40 days is forecast day-ahead (history through the day before), week-ahead
  (history through 7 days before) and month-ahead (history through 28 days before).
* ``cn_hotline``: :func:`forecast.synthetic.synthetic_hotline` 2024-2025 with the Chinese
  calendar; every day from 2025-01-06 to 2025-10-31 is a target, and days of holiday breaks,
  make-up workdays and the workdays around breaks are scored apart ("special"). The true
  rate is scored as well: the noise floor no model can beat.

Quantiles: the negative-binomial dispersions of each model are calibrated by
:func:`forecast.quantiles.calibrate_quantiles` (per horizon bucket, normal and special days
apart) on the 60 origins before the scored window, as :func:`forecast.forecast` does on its
own backtest; the coverage of the 10%-90% interval (nominal 80%) and the pinball loss (mean
over the three levels, contacts per interval) are measured on the scored window. ``auto``
is the driver's selection redone at every origin.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import pandas as pd

from benchmarks import shared_data
from forecast.backtest import accuracy, backtest_paths, rolling_origin, special_days
from forecast.calendar import get_calendar
from forecast.driver import AUTO_CANDIDATES, MODELS, _backtest_ends
from forecast.history import check_history, day_features, to_day_grid
from forecast.quantiles import calibrate_quantiles
from forecast.synthetic import synthetic_hotline

QUANTILES = (0.1, 0.5, 0.9)
BASELINES = ("seasonal_naive", "same_day_type")
#: Day ahead, week ahead, month ahead (four weeks: the same weekday).
LEADS = (1, 7, 28)
#: Backtest origins before the scored window on which the quantiles are calibrated.
CALIBRATION = 60


def bank_history() -> pd.Series:
    """US bank arrivals per 30 minutes (weekdays 07:00-20:30 interval starts)."""
    path = shared_data("us_bank_calls_5min.csv")
    if not path.exists():
        raise FileNotFoundError(f"bank data not found: {path}")
    raw = pd.read_csv(path, parse_dates=["ds"]).set_index("ds")["y"]
    half_hour = raw.resample("30min").sum(min_count=1).dropna()
    return half_hour[half_hour.index.hour * 60 + half_hour.index.minute < 21 * 60]


class AutoSelect:
    """``model="auto"`` as a model: at every refit, picks among ``AUTO_CANDIDATES`` by the
    same backtest as :func:`forecast.forecast` (7 recent origins scored up to ``max_lead``
    days ahead)."""

    min_days = 35

    def __init__(self, max_lead: int = 1, origins: int = 7):
        self.max_lead = max_lead
        self.origins = origins

    def fit(self, values, days):
        recent, _ = _backtest_ends(values, days, self.origins, 0, self.max_lead)
        scores, templates = {}, {}
        for name in AUTO_CANDIDATES:
            try:
                res = backtest_paths(
                    MODELS[name], values, days, ends=recent, max_lead=self.max_lead
                )
            except ValueError:
                continue
            ok = np.isfinite(res.actual) & np.isfinite(res.mean)
            scores[name] = np.abs(res.actual - res.mean)[ok].sum() / res.actual[ok].sum()
            templates[name] = res.template
        self.choice_ = min(scores, key=scores.get)
        self.model_ = copy.deepcopy(templates[self.choice_]).fit(values, days)
        return self

    def predict(self, days):
        return self.model_.predict(days)


def _row(case, lead, name, subset, n_days, acc, fit_s, total_s):
    return {
        "case": case,
        "lead_days": lead,
        "model": name,
        "days": subset,
        "n_days": n_days,
        "wape_pct": acc["wape_pct"],
        "mase": acc["mase"],
        "coverage80_pct": acc.get("coverage_pct", np.nan),
        "pinball": acc.get("pinball", np.nan),
        "fit_s": fit_s,
        "total_s": total_s,
    }


def _evaluate(case, values, days, models, leads, scored, calibration, truth=None):
    """Backtest every model at every lead; quantiles calibrated on the ``calibration``
    origins before the ``scored`` ones (per horizon bucket, normal and special days apart,
    as :func:`forecast.forecast` does) and scored on the last ``scored`` target days."""
    rows = []
    for lead in leads:
        for name, model in models.items():
            if isinstance(model, AutoSelect):
                model = AutoSelect(max_lead=lead)
            start = time.perf_counter()
            res = rolling_origin(model, values, days, lead=lead, origins=scored + calibration)
            elapsed = time.perf_counter() - start
            n = len(res.days)
            cal, ev = slice(0, max(n - scored, 0)), slice(max(n - scored, 0), None)
            fitted = calibrate_quantiles(
                res.actual[cal], res.mean[cal], res.leads[cal], res.special[cal], QUANTILES
            )
            qv = fitted.quantiles(res.mean[ev], res.leads[ev], res.special[ev])
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
                n_days = int(np.ones(len(special), bool)[sel].sum())
                rows.append(_row(case, lead, name, subset, n_days, acc, res.fit_seconds, elapsed))
    if truth is not None:
        actual, rate, special = truth
        for subset, sel in (("all", slice(None)), ("normal", ~special), ("special", special)):
            acc = accuracy(actual[sel], rate[sel])
            n_days = int(np.ones(len(special), bool)[sel].sum())
            rows.append(_row(case, 0, "true_rate (noise floor)", subset, n_days, acc, 0.0, 0.0))
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
    leads = (1, 7) if quick else LEADS
    rows += _evaluate("bank", grid.values, days, models, leads, scored, CALIBRATION)

    syn = synthetic_hotline("2024-01-01", "2025-10-31" if not quick else "2025-03-31", seed=7)
    s, rep = check_history(syn.volume, events=syn.events)
    g = to_day_grid(s, rep.freq)
    d = day_features(g.days, syn.calendar)
    first_target = pd.Timestamp("2025-01-06")
    scored = int((g.days > first_target).sum()) + 1
    syn_models = {n: m for n, m in models.items() if n not in ("mstl", "auto")}
    rate = to_day_grid(syn.rate, rep.freq).values[-scored:]
    truth = (g.values[-scored:], rate, special_days(d.iloc[-scored:]))
    rows += _evaluate("cn_hotline", g.values, d, syn_models, leads, scored, CALIBRATION, truth)
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
