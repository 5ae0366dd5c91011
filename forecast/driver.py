"""The frame-level entry point: history in, interval forecasts with quantiles out."""

from __future__ import annotations

import contextlib
import copy
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from forecast.aht import AHTProfile, _aht_on_horizon
from forecast.backtest import BacktestResult, backtest_paths, special_days
from forecast.calendar import get_calendar
from forecast.events import event_multiplier
from forecast.history import DayGrid, check_history, day_features, to_day_grid
from forecast.interval import interval_length
from forecast.models import (
    CountRegression,
    Method95598,
    MultiSeasonal,
    SameDayTypeAverage,
    SeasonalNaive,
    TopDownDaily,
)
from forecast.quantiles import HORIZON_BUCKETS
from forecast.result import Forecast, ForecastDetails

__all__ = ["AUTO_CANDIDATES", "MODELS", "forecast", "future_index"]

#: Model names accepted by :func:`forecast`, with the template each name stands for.
MODELS = {
    "seasonal_naive": SeasonalNaive(),
    "same_day_type": SameDayTypeAverage(4),
    "95598": Method95598(),
    "top_down": TopDownDaily(),
    "top_down_ets": TopDownDaily(level="ets"),
    "count_regression": CountRegression(),
    "mstl": MultiSeasonal(),
}
#: Relative WAPE gap within which a candidate of ``model="auto"`` stays in the race.
RACE_MARGIN = 0.05
#: Models ``model="auto"`` chooses among, by rolling-origin WAPE.
AUTO_CANDIDATES = ("same_day_type", "top_down_ets", "count_regression")


def future_index(grid: DayGrid, last: pd.Timestamp, periods: int) -> pd.DatetimeIndex:
    """The next ``periods`` open intervals after ``last``.

    An interval of the day is open on a weekday if it was present in the history on at least
    half of the last four such weekdays (a centre closed at night or at weekends gets no
    forecasts then).
    """
    step = pd.Timedelta(seconds=grid.interval)
    weekday = grid.days.day_of_week.to_numpy()
    open_table = np.zeros((7, grid.per_day), dtype=bool)
    for w in range(7):
        rows = np.flatnonzero(weekday == w)[-4:]
        if len(rows):
            open_table[w] = grid.present[rows].mean(axis=0) >= 0.5
    if not open_table.any():
        raise ValueError("history: no open intervals to extend")
    per_week = int(open_table.sum())
    span_days = 7 * (periods // max(per_week, 1) + 2)
    candidates = pd.date_range(last + step, periods=span_days * grid.per_day, freq=step, name="ds")
    slot = ((candidates - candidates.normalize()) // step).to_numpy()
    keep = open_table[candidates.day_of_week.to_numpy(), slot]
    return candidates[keep][:periods]


def _check_horizon(horizon, series: pd.Series, grid: DayGrid):
    if isinstance(horizon, int | np.integer) and not isinstance(horizon, bool):
        if horizon < 1:
            raise ValueError(f"horizon must be >= 1 interval, got horizon={horizon}")
        return future_index(grid, series.index[-1], int(horizon))
    if isinstance(horizon, pd.DatetimeIndex):
        index = horizon.tz_localize(None) if horizon.tz is not None else horizon
        if len(index) == 0:
            raise ValueError("horizon: empty DatetimeIndex")
        interval_length(index, grid.interval, name="horizon")
        if index.min() <= series.index[-1]:
            raise ValueError(
                f"horizon: starts at {index.min()}, not after the history's end {series.index[-1]}"
            )
        return index.rename("ds")
    raise ValueError(f"horizon must be a number of intervals or a DatetimeIndex, got {horizon!r}")


def _resolve_model(model):
    if isinstance(model, str):
        if model not in MODELS:
            raise ValueError(f"model must be 'auto' or one of {sorted(MODELS)}, got {model!r}")
        return model, MODELS[model]
    if hasattr(model, "fit") and hasattr(model, "predict"):
        return type(model).__name__, model
    raise ValueError(f"model must be a name or a model object, got {model!r}")


def _forecast_series(
    history: pd.Series,
    horizon,
    model,
    quantiles,
    calendar,
    events,
    freq,
    backtest_days: int,
    special_origins: int,
    aht: pd.Series | None = None,
) -> Forecast:
    all_events = (*calendar.events, *(events or ()))
    series, report = check_history(history, freq=freq, events=all_events)
    grid = to_day_grid(series, report.interval)
    step = pd.Timedelta(seconds=report.interval)
    index = _check_horizon(horizon, series, grid)
    target_days = index.normalize()
    span = pd.date_range(grid.days[0], target_days.max(), freq="D")
    features = day_features(span, calendar)
    hist_days = features.iloc[: len(grid.days)]
    future_days = features.loc[target_days.unique()]
    # Backtest origins: the recent days (each fit scores every lead the horizon reaches,
    # up to a month) and the latest special days, which a short window rarely holds.
    lead = ((target_days - grid.days[-1]) // pd.Timedelta(days=1)).to_numpy()
    max_lead = int(min(lead.max(), HORIZON_BUCKETS[-1]))
    recent, marked = _backtest_ends(
        grid.values, hist_days, backtest_days, special_origins, max_lead
    )

    def backtest(template, ends):
        return backtest_paths(template, grid.values, hist_days, ends=ends, max_lead=max_lead)

    if isinstance(model, str) and model == "auto":
        name, chosen, wape, fits = _select(backtest, recent)
        template = MODELS[name]
    else:
        name, template = _resolve_model(model)
        chosen = backtest(template, recent)
        wape, fits = {name: _wape(chosen)}, chosen.fits
    # Costly parameters (ETS smoothing) estimated at the first backtest origin serve the
    # special-day origins and the final fit, whose states are refitted to the full history.
    template = chosen.template if chosen.template is not None else template
    # Special days are scored for the chosen model only: they calibrate its quantiles.
    extra = np.setdiff1d(marked, recent)
    if len(extra):
        with contextlib.suppress(ValueError):  # no special day with data before the end
            more = backtest(template, extra)
            chosen, fits = chosen.concat(more), fits + more.fits
    calibration = chosen.calibration(quantiles)
    fitted = copy.deepcopy(template).fit(grid.values, hist_days)
    day_mean = fitted.predict(future_days)
    row = pd.Index(future_days.index).get_indexer(target_days)
    slot = ((index - target_days) // step).to_numpy()
    mean = day_mean[row, slot] * event_multiplier(index, all_events)
    if np.isnan(mean).any():
        missing = index[np.isnan(mean)]
        raise ValueError(
            f"horizon: no history for {len(missing)} requested intervals (first {missing[0]}); "
            "the centre was never open then"
        )
    special = special_days(future_days)[row]
    q = calibration.quantiles(mean, lead, special)
    phi = float(calibration.dispersion(int(np.median(lead)), False))
    out = pd.DataFrame({"mean": mean}, index=index)
    for k, level in enumerate(quantiles):
        out[f"q{level:g}"] = q[:, k]
    if aht is not None:
        out["aht"] = _forecast_aht(aht, grid, index, calendar, all_events)
    details = ForecastDetails(
        model=name,
        dispersion=phi,
        backtest_wape_pct=wape,
        history=report,
        calibration=calibration,
        fits=fits + 1,
    )
    return Forecast(out, details)


def _forecast_aht(aht, grid, index, calendar, events) -> np.ndarray:
    """AHT per horizon interval by :class:`AHTProfile`, weighted by the contacts."""
    series, _ = check_history(aht, freq=grid.interval, events=events, name="aht")
    if (series <= 0).any():
        raise ValueError(f"aht: values must be positive seconds, got min {series.min()}")
    aht_grid = to_day_grid(series, grid.interval)
    # Lay the AHT on the volume's days so the contacts weigh the matching intervals.
    values = pd.DataFrame(aht_grid.values, index=aht_grid.days).reindex(grid.days).to_numpy()
    weight = np.where(np.isfinite(values), np.nan_to_num(grid.values), 0.0)
    if not (weight > 0).any():
        weight = np.isfinite(values).astype(float)
    model = AHTProfile()
    out = _aht_on_horizon(values, grid.days, weight, index, grid.interval, calendar, model)
    return out.to_numpy()


def _backtest_ends(values, days, normal: int, special: int, max_lead: int) -> np.ndarray:
    """Fit ends for the backtest: ``normal`` days with data spread over the last
    ``max_lead`` days (the newest at least a week, or the horizon, before the history's
    end), and one just before each of the last ``special`` special days.

    Spreading the origins lets each fit, scored at every lead up to ``max_lead``, fill the
    week and month buckets of the calibration with errors at their own leads, for the
    price of the same number of fits as consecutive origins.
    """
    has_data = np.isfinite(values).any(axis=1)
    reach = min(max_lead, 7)
    # The fit ending at ``end`` sees values[:end] and forecasts day ``end`` at lead 1;
    # ends up to n - reach see their whole first week (or horizon) inside the history.
    usable = np.flatnonzero(has_data[: len(values) - reach + 1])
    step = max(1, int(np.ceil((max_lead - reach) / max(normal - 1, 1))))
    recent = usable[::-1][::step][:normal][::-1] if normal else usable[:0]
    marked = np.flatnonzero(special_days(days) & has_data)[-special:] if special else []
    marked = np.asarray(marked, dtype=int)
    return recent[recent >= 1], marked[marked >= 1]


def _select(backtest, ends) -> tuple[str, BacktestResult, dict, int]:
    """A race over ``AUTO_CANDIDATES``: every candidate is backtested from every other
    origin; those within ``RACE_MARGIN`` of the best WAPE (at most two) from the rest too,
    and the lowest WAPE over all its origins wins (the others keep their first-round WAPE
    in the report).

    References
    ----------
    Maron, O. and Moore, A. W. (1997). The racing algorithm: model selection for lazy
    learners. Artificial Intelligence Review 11, 193-225.
    """
    first, second = ends[::-1][::2][::-1], ends[::-1][1::2][::-1]
    tried: dict[str, BacktestResult] = {}
    for name in AUTO_CANDIDATES:
        try:
            tried[name] = backtest(MODELS[name], first)
        except ValueError:
            continue
    if not tried:
        raise ValueError(
            f"history: too short for any model (auto needs at least "
            f"{min(MODELS[n].min_days for n in AUTO_CANDIDATES) + 1} days with data)"
        )
    wape = {n: _wape(r) for n, r in tried.items()}

    def rank(n):
        return (np.nan_to_num(wape[n], nan=np.inf), n)

    leaders = sorted(tried, key=rank)[:2]
    best = np.nan_to_num(wape[leaders[0]], nan=np.inf)
    leaders = [n for n in leaders if n == leaders[0] or wape[n] <= best * (1 + RACE_MARGIN)]
    if len(second):
        for name in leaders:
            template = tried[name].template if tried[name].template is not None else MODELS[name]
            with contextlib.suppress(ValueError):  # no target day with data
                tried[name] = tried[name].concat(backtest(template, second))
                wape[name] = _wape(tried[name])
    name = min(leaders, key=rank)
    return name, tried[name], wape, sum(r.fits for r in tried.values())


def _wape(result: BacktestResult) -> float:
    ok = np.isfinite(result.actual) & np.isfinite(result.mean)
    total = result.actual[ok].sum()
    return (
        float(100 * np.abs(result.actual[ok] - result.mean[ok]).sum() / total) if total else np.nan
    )


def forecast(
    history,
    horizon,
    *,
    model="auto",
    quantiles=(0.1, 0.5, 0.9),
    calendar=None,
    events=None,
    freq=None,
    backtest_days: int = 7,
    n_jobs: int = 1,
    special_origins: int = 4,
    aht=None,
) -> Forecast:
    """Forecast contacts per interval, with calibrated quantiles.

    Parameters
    ----------
    history : pandas.Series or pandas.DataFrame
        Counts per interval indexed by interval start, or a long frame with columns
        ``unique_id``, ``ds``, ``y`` for several queues. Closed hours may simply be absent;
        NaN counts are missing.
    horizon : int or pandas.DatetimeIndex
        Number of open intervals after the end of each history (closed hours skipped, as
        learned from the last four weeks), or the exact interval starts wanted.
    model : str or model object, default ``"auto"``
        ``"auto"`` picks, per series, the model of ``AUTO_CANDIDATES`` with the lowest
        rolling-origin WAPE (a race: candidates more than ``RACE_MARGIN`` behind the best
        on half of the origins are dropped); or one of ``MODELS``; or any object with
        ``fit(values, days)`` / ``predict(days)`` and a ``min_days`` attribute.
    quantiles : sequence of float, default (0.1, 0.5, 0.9)
        Quantile levels; columns ``q0.1`` etc. come from a negative-binomial law whose
        dispersion is calibrated on the chosen model's backtest errors per horizon bucket
        (day, week, month ahead) and for normal and special days apart
        (:func:`forecast.quantiles.calibrate_quantiles`).
    calendar : str, calendar or iterable of dates, optional
        ``"CN"``, another country code, or a calendar object (overrides, events), made a
        calendar once by :func:`forecast.get_calendar`. Weekends only when omitted.
    events : iterable of Event, optional
        Extra events: ``outage`` windows are treated as missing when fitting; every event's
        ``multiplier`` scales the forecasts inside its window.
    freq : int, str or Timedelta, optional
        Interval length (int: seconds); inferred when omitted, see
        :func:`forecast.interval_length`.
    backtest_days : int, default 7
        Origins of the backtest used for selection and calibration, spread over the last
        weeks so that each fit, scored at every lead the horizon reaches (up to a month),
        brings errors at day, week and month leads alike.
    special_origins : int, default 4
        Extra origins just before the latest special days (holiday breaks, make-up
        workdays, days around a break), so their wider errors are calibrated apart.
    aht : pandas.Series or pandas.DataFrame, optional
        Mean handle time per interval [s], indexed like ``history`` (for a long frame: a
        long frame with ``unique_id``, ``ds``, ``aht``). Adds an ``aht`` column forecast by
        :class:`forecast.aht.AHTProfile`, the history's counts weighting the intervals.
    n_jobs : int, default 1
        Processes for a long frame of many series.

    Returns
    -------
    Forecast
        ``values``: a frame indexed by interval start ``ds`` (for a long frame: columns
        ``unique_id``, ``ds``), with ``mean``, one column per quantile and ``aht`` when asked;
        ``details``: a :class:`ForecastDetails` (for a long frame, a dict of them keyed by
        ``unique_id``) with the model chosen, its dispersion, calibration and backtest WAPEs.

    Raises
    ------
    ValueError
        Bad history (see :func:`forecast.history.check_history`), a horizon off the grid or
        not after the history, an unknown model, or a history too short for the model.
    """
    quantiles = tuple(float(q) for q in np.atleast_1d(quantiles))
    if any(not 0 < q < 1 for q in quantiles):
        raise ValueError(f"quantiles must lie in (0, 1), got quantiles={quantiles}")
    if not (isinstance(model, str) and model == "auto"):
        _resolve_model(model)
    calendar = get_calendar(calendar)
    args = (model, quantiles, calendar, events, freq, backtest_days, special_origins)
    if isinstance(history, pd.Series):
        if aht is not None and not isinstance(aht, pd.Series):
            raise TypeError(f"aht: expected a Series beside a Series history, got {type(aht)}")
        return _forecast_series(history, horizon, *args, aht)
    if not isinstance(history, pd.DataFrame):
        raise TypeError(f"history: expected a Series or a long DataFrame, got {type(history)}")
    missing = {"unique_id", "ds", "y"} - set(history.columns)
    if missing:
        raise ValueError(f"history: long frame lacks columns {sorted(missing)}")
    series = {
        uid: pd.Series(g["y"].to_numpy(), index=pd.DatetimeIndex(g["ds"]), name=str(uid))
        for uid, g in history.groupby("unique_id", sort=True)
    }
    aht_of = dict.fromkeys(series)
    if aht is not None:
        if not isinstance(aht, pd.DataFrame) or {"unique_id", "ds", "aht"} - set(aht.columns):
            raise ValueError("aht: with a long history, a long frame (unique_id, ds, aht)")
        for uid, g in aht.groupby("unique_id", sort=True):
            if uid not in aht_of:
                raise ValueError(f"aht: unique_id={uid!r} is not in the history")
            aht_of[uid] = pd.Series(g["aht"].to_numpy(), index=pd.DatetimeIndex(g["ds"]))
    if n_jobs > 1 and len(series) > 1:
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            futures = {
                uid: pool.submit(_forecast_series, s, horizon, *args, aht_of[uid])
                for uid, s in series.items()
            }
            results = {}
            for uid, future in futures.items():
                try:
                    results[uid] = future.result()
                except ValueError as exc:
                    raise ValueError(f"unique_id={uid!r}: {exc}") from None
    else:
        results = {}
        for uid, s in series.items():
            try:
                results[uid] = _forecast_series(s, horizon, *args, aht_of[uid])
            except ValueError as exc:
                raise ValueError(f"unique_id={uid!r}: {exc}") from None
    frames = [r.values.reset_index().assign(unique_id=uid) for uid, r in results.items()]
    out = pd.concat(frames, ignore_index=True)
    out = out[["unique_id", "ds", *[c for c in out.columns if c not in ("unique_id", "ds")]]]
    return Forecast(out, {uid: r.details for uid, r in results.items()})
