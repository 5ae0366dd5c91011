"""Calibration from the driver's backtest: spread origins, the race, no look-ahead, and the
out-of-sample coverage of the calibrated bands."""

import numpy as np
import pandas as pd
import pytest

import forecast as fc
from benchmarks.forecast_accuracy import _calibration_rows
from forecast.backtest import backtest_paths
from forecast.calendar import PlainCalendar
from forecast.driver import RACE_MARGIN, _backtest_ends, _select
from forecast.quantiles import calibrate_quantiles

LEVELS = (0.1, 0.5, 0.9)


def _shocked_history(n_days=220, seed=0, phi=0.01):
    """Weekly pattern × a Gamma day shock of variance ``phi`` × Poisson counts: every
    interval is negative binomial with dispersion ``phi`` around the weekly rate."""
    rng = np.random.default_rng(seed)
    days = fc.day_features(pd.date_range("2024-01-01", periods=n_days), PlainCalendar())
    level = np.array([520, 480, 470, 460, 430, 250, 200.0])[days["weekday"].to_numpy()]
    shape = np.array([0.05, 0.1, 0.15, 0.2, 0.2, 0.15, 0.1, 0.05])
    shock = rng.gamma(1 / phi, phi, size=(n_days, 1))
    values = rng.poisson(level[:, None] * shape * shock).astype(float)
    return values, days


def test_spread_origins_reach_the_month_bucket():
    values, days = _shocked_history(120)
    recent, marked = _backtest_ends(values, days, 7, 0, 31)
    assert len(recent) == 7 and len(marked) == 0
    n = len(values)
    # The newest origin sees its first week in the history; the oldest a whole month.
    assert recent.max() == n - 7  # forecasts days n - 7 .. n - 1
    assert recent.min() <= n - 31
    res = backtest_paths(fc.SameDayTypeAverage(4), values, days, ends=recent, max_lead=31)
    cal = res.calibration(LEVELS)
    assert np.all(cal.days[:, 0] > 0)  # day, week and month buckets all have errors
    assert res.leads.max() >= 28
    # A day-ahead horizon keeps consecutive origins.
    day_ahead, _ = _backtest_ends(values, days, 7, 0, 1)
    np.testing.assert_array_equal(day_ahead, np.arange(n - 7, n))


def test_race_keeps_only_close_candidates_and_picks_the_lowest_wape():
    values, days = _shocked_history(150)
    recent, _ = _backtest_ends(values, days, 7, 0, 7)
    calls = []

    def backtest(template, ends):
        calls.append((type(template).__name__, len(ends)))
        return backtest_paths(template, values, days, ends=ends, max_lead=7)

    name, chosen, wape, fits = _select(backtest, recent)
    assert fits == sum(n for _, n in calls)
    assert name == min(wape, key=wape.get)
    assert set(wape) == set(fc.AUTO_CANDIDATES)
    # First round: every candidate from every other origin (4 of 7); second round: the
    # rest (3) for the leader and any candidate within the margin.
    first = [c for c in calls if c[1] == 4]
    second = [c for c in calls if c[1] == 3]
    assert len(first) == len(fc.AUTO_CANDIDATES) and 1 <= len(second) <= 2
    assert len(chosen.days) == len(
        backtest_paths(chosen.template, values, days, ends=recent, max_lead=7).days
    )
    assert 0 < RACE_MARGIN < 0.2


def test_calibration_rows_never_see_the_future():
    values, days = _shocked_history(160, seed=1)
    ends = np.arange(40, len(values))
    model = fc.SameDayTypeAverage(4)
    res = backtest_paths(model, values, days, ends=ends, max_lead=31)
    target = days.index.get_indexer(res.days)
    end = target - res.leads + 1
    origin = 130
    rows = _calibration_rows(values, days, end, target, origin, {})
    assert len(rows) > 100
    assert target[rows].max() < origin
    # The same calibration from a history whose future (from the origin on) is scrambled.
    scrambled = values.copy()
    scrambled[origin:] = np.random.default_rng(9).poisson(50, scrambled[origin:].shape)
    other = backtest_paths(model, scrambled, days, ends=ends, max_lead=31)
    rows2 = _calibration_rows(scrambled, days, end, target, origin, {})
    np.testing.assert_array_equal(rows, rows2)
    a = calibrate_quantiles(res.actual[rows], res.mean[rows], res.leads[rows], res.special[rows])
    b = calibrate_quantiles(
        other.actual[rows], other.mean[rows], other.leads[rows], other.special[rows]
    )
    np.testing.assert_array_equal(a.phi, b.phi)


@pytest.mark.slow
@pytest.mark.parametrize("model", [fc.SameDayTypeAverage(4), fc.TopDownDaily()])
def test_calibrated_bands_cover_about_80_percent_out_of_sample(model):
    # Calibrate as the driver does at each origin (spread origins, month horizon) and score
    # the next days' bands: the coverage of new data must be near nominal.
    values, days = _shocked_history(230, seed=2, phi=0.01)
    ends = np.arange(100, len(values))
    res = backtest_paths(model, values, days, ends=ends, max_lead=31)
    target = days.index.get_indexer(res.days)
    end = target - res.leads + 1
    cache, inside, total = {}, 0, 0
    for lead in (1, 7, 28):
        for i in np.flatnonzero((res.leads == lead) & (target >= 190)):
            rows = _calibration_rows(values, days, end, target, int(end[i]), cache)
            cal = calibrate_quantiles(
                res.actual[rows], res.mean[rows], res.leads[rows], res.special[rows], LEVELS
            )
            q = cal.quantiles(res.mean[i][None], [lead], res.special[i : i + 1])[0]
            y = res.actual[i]
            inside += int(((y >= q[:, 0]) & (y <= q[:, 2])).sum())
            total += len(y)
    assert 0.74 < inside / total < 0.88
