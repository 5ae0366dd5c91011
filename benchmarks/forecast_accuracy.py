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

Every model is fitted once per origin (every day with data) and forecasts the next 31 days
(:func:`forecast.backtest.backtest_paths`); the rows at leads 1, 7 and 28 in the scored
window are scored. Quantiles are those :func:`forecast.forecast` would have given at that
origin for a month-long horizon, with no look-ahead: the negative-binomial dispersions are
calibrated by :func:`forecast.quantiles.calibrate_quantiles` (per horizon bucket, normal and
special days apart) on the errors of the driver's own backtest origins before that origin
(``backtest_days`` spread origins and ``special_origins`` special-day origins, each scored
up to 31 days ahead, only targets already observed), reused from the same paths instead of
refitted. The coverage of the 10%-90% interval (nominal 80%) and the pinball loss (mean over
the three levels, contacts per interval) are measured on the scored window. ``auto`` is the
driver's selection redone at every origin. ``mstl`` (not an ``auto`` candidate) is left out of the
full run unless asked for.
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import pandas as pd

from benchmarks import shared_data
from forecast.backtest import accuracy, backtest_paths, special_days
from forecast.calendar import get_calendar
from forecast.driver import MODELS, _backtest_ends, _select
from forecast.history import check_history, day_features, to_day_grid
from forecast.quantiles import calibrate_quantiles
from forecast.synthetic import synthetic_hotline

QUANTILES = (0.1, 0.5, 0.9)
BASELINES = ("seasonal_naive", "same_day_type")
#: Day ahead, week ahead, month ahead (four weeks: the same weekday).
LEADS = (1, 7, 28)
#: Longest lead of the paths (and of the driver's calibration for a month-long horizon).
MAX_LEAD = 31
#: The driver's defaults: spread backtest origins and special-day origins.
BACKTEST_DAYS, SPECIAL_ORIGINS = 7, 4


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
    same backtest and race as :func:`forecast.forecast` (``BACKTEST_DAYS`` spread origins
    scored up to ``max_lead`` days ahead)."""

    min_days = 35

    def __init__(self, max_lead: int = 1, origins: int = BACKTEST_DAYS):
        self.max_lead = max_lead
        self.origins = origins

    def fit(self, values, days):
        recent, _ = _backtest_ends(values, days, self.origins, 0, self.max_lead)

        def backtest(template, ends):
            return backtest_paths(template, values, days, ends=ends, max_lead=self.max_lead)

        self.choice_, chosen, _, _ = _select(backtest, recent)
        template = chosen.template if chosen.template is not None else MODELS[self.choice_]
        self.model_ = copy.deepcopy(template).fit(values, days)
        return self

    def predict(self, days):
        return self.model_.predict(days)


def _row(case, lead, name, subset, n_days, acc, fit_s, total_s):
    return {
        "case": case,
        "lead": f"{lead}-day lead",  # text, so that the long table keeps the leads apart
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


def _calibration_rows(values, days, res_end, res_target, end, cache):
    """Rows of the paths the driver would calibrate on when its history ends at ``end``."""
    if end not in cache:
        recent, marked = _backtest_ends(
            values[:end], days.iloc[:end], BACKTEST_DAYS, SPECIAL_ORIGINS, MAX_LEAD
        )
        ends = np.union1d(recent, marked)
        cache[end] = np.flatnonzero(np.isin(res_end, ends) & (res_target < end))
    return cache[end]


def _evaluate(case, values, days, models, leads, first_target, truth=None):
    """Paths of every model from every origin; the rows at ``leads`` whose target is at or
    after ``first_target`` are scored with the quantiles calibrated as the driver would at
    their origin."""
    rows = []
    n_days = len(values)
    # Origins from well before the scored window: the driver's calibration origins of the
    # first scored day (spread over a month, special days further back) lie there.
    ends = np.arange(max(1, first_target - MAX_LEAD - 150), n_days)
    for name, model in models.items():
        start = time.perf_counter()
        res = backtest_paths(model, values, days, ends=ends, max_lead=MAX_LEAD, refit=True)
        elapsed = time.perf_counter() - start
        target = days.index.get_indexer(res.days)
        end = target - res.leads + 1
        cache = {}
        for lead in leads:
            sel = np.flatnonzero((res.leads == lead) & (target >= first_target))
            qv = np.full((*res.mean[sel].shape, len(QUANTILES)), np.nan)
            for k, i in enumerate(sel):
                cal = _calibration_rows(values, days, end, target, int(end[i]), cache)
                if not len(cal):
                    continue
                fitted = calibrate_quantiles(
                    res.actual[cal], res.mean[cal], res.leads[cal], res.special[cal], QUANTILES
                )
                qv[k] = fitted.quantiles(res.mean[i][None], [lead], res.special[i : i + 1])[0]
            special = res.special[sel]
            for subset, mask in (
                ("all", np.ones(len(sel), bool)),
                ("normal", ~special),
                ("special", special),
            ):
                if not mask.any():
                    continue
                acc = accuracy(
                    res.actual[sel][mask],
                    res.mean[sel][mask],
                    scale=res.scale,
                    quantile_levels=QUANTILES,
                    quantile_values=qv[mask],
                )
                rows.append(
                    _row(case, lead, name, subset, int(mask.sum()), acc, res.fit_seconds, elapsed)
                )
    if truth is not None:
        actual, rate, special = truth
        for subset, sel in (("all", slice(None)), ("normal", ~special), ("special", special)):
            acc = accuracy(actual[sel], rate[sel])
            n_days = int(np.ones(len(special), bool)[sel].sum())
            rows.append(_row(case, 0, "true_rate (noise floor)", subset, n_days, acc, 0.0, 0.0))
    return rows


def run(quick: bool = False, mstl: bool = False, cases=("bank", "cn_hotline")) -> pd.DataFrame:
    """Run the accuracy benchmark.

    Parameters
    ----------
    quick : bool
        Fewer models and a shorter synthetic history (a smoke run of a minute or two).
    mstl : bool
        Also run ``mstl`` on the bank case.
    cases : sequence of str
        ``"bank"`` and / or ``"cn_hotline"``.

    Returns
    -------
    pandas.DataFrame
        One row per case × lead × model × day subset: ``wape_pct``, ``mase``,
        ``coverage80_pct`` (share of actuals in the 10%-90% interval), ``pinball``,
        ``fit_s`` (mean seconds per fit + forecast), ``total_s`` (seconds for all paths).
    """
    unknown = set(cases) - {"bank", "cn_hotline"}
    if unknown:
        raise ValueError(f"cases: unknown {sorted(unknown)}, expected 'bank' or 'cn_hotline'")
    rows = []
    names = (
        ["seasonal_naive", "same_day_type", "top_down", "count_regression"]
        if quick
        else [n for n in MODELS if n != "mstl" or mstl]
    )
    models = {n: MODELS[n] for n in names}
    if not quick:
        models["auto"] = AutoSelect(max_lead=MAX_LEAD)

    leads = (1, 7) if quick else LEADS
    if "bank" in cases:
        bank, report = check_history(bank_history())
        grid = to_day_grid(bank, report.interval)
        days = day_features(grid.days, get_calendar("US"))
        has_data = np.flatnonzero(np.isfinite(grid.values).any(axis=1))
        first = int(has_data[-(10 if quick else 40)])
        rows += _evaluate("bank", grid.values, days, models, leads, first)
    if "cn_hotline" not in cases:
        return pd.DataFrame(rows)

    syn = synthetic_hotline("2024-01-01", "2025-10-31" if not quick else "2025-03-31", seed=7)
    s, rep = check_history(syn.volume, events=syn.events)
    g = to_day_grid(s, rep.interval)
    d = day_features(g.days, syn.calendar)
    first = int(np.searchsorted(g.days, pd.Timestamp("2025-01-06")))
    syn_models = {n: m for n, m in models.items() if n not in ("mstl", "auto")}
    rate = to_day_grid(syn.rate, rep.interval).values[first:]
    truth = (g.values[first:], rate, special_days(d.iloc[first:]))
    rows += _evaluate("cn_hotline", g.values, d, syn_models, leads, first, truth)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer models, shorter history")
    parser.add_argument("--mstl", action="store_true", help="also run mstl on the bank")
    parser.add_argument(
        "--case", choices=("bank", "cn_hotline"), action="append", help="only these cases"
    )
    args = parser.parse_args()
    table = run(quick=args.quick, mstl=args.mstl, cases=args.case or ("bank", "cn_hotline"))
    pivot = table.pivot_table(
        index=["case", "lead_days", "model"],
        columns="days",
        values=["wape_pct", "coverage80_pct", "pinball"],
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
