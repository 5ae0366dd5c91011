"""A documented synthetic history of a Chinese 12345-style citizen hotline.

The generator gives a realistic, fully known test bed: the true expected rate is returned
beside the counts, so a forecast can be scored against the noise floor as well as against
the draws.

Demand model
------------
For interval ``t`` of day ``d`` the expected count is ::

    rate[t] = level × trend(d) × season(d) × day_factor(d) × month_factor(d)
              × shock(d) × profile[day class, t] × event_factor(t)

* ``level`` — mean contacts per ordinary Wednesday (``daily_volume``).
* ``trend`` — ``(1 + growth) ** years`` since ``start``.
* ``season`` — a heating-season swell (北方供暖) of +``winter_swell`` in mid-January,
  a cosine over the year.
* ``day_factor`` — weekday factors (Mon 1.12 … Sun 0.62); make-up workdays (调休) take the
  Friday level; statutory days of the Spring Festival 0.40 and of other holidays 0.60, the
  other days of a holiday break 0.50 (Spring Festival) or 0.65; the first workday after a
  break of three days or more +25%, the last workday before it +8%.
* ``month_factor`` — billing-day peak: days 1, 2, 3 of a month ×1.18, 1.12, 1.06; the last
  three days ×0.93.
* ``shock`` — day-level Gamma noise with mean 1 and coefficient of variation
  ``day_noise``: counts are over-dispersed relative to Poisson, as real hotlines are.
* ``profile`` — intraday shape per day class (workday vs day off), a 24 h service with a
  night trough and peaks at 09:30–11:00 and 14:30–16:00 on workdays, later and flatter on
  days off; it sums to 1 over the day.
* ``event_factor`` — one injected outage (a water-supply failure) that triples demand for
  four hours and decays over the next four, on a workday about 60% through the history.

Counts are Poisson draws of ``rate``. AHT per interval is a smooth profile (longer at night
and on days off) around ``aht_mean`` with small Gaussian noise; it is the mean handle time
of the interval's answered contacts [s].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.calendar import HolidayCalendar, get_calendar
from forecast.events import Event
from forecast.interval import interval_length

__all__ = ["SyntheticHotline", "synthetic_hotline"]

_WEEKDAY_FACTOR = np.array([1.12, 1.04, 1.0, 0.98, 0.93, 0.70, 0.62])


@dataclass(frozen=True)
class SyntheticHotline:
    """A generated history.

    Attributes
    ----------
    volume : pandas.Series
        Contacts offered per interval (int64), indexed by interval start.
    rate : pandas.Series
        The true expected count per interval (the draws' mean).
    aht : pandas.Series
        Mean handle time of each interval's contacts. [s]
    events : tuple of Event
        The injected events (one outage).
    calendar : HolidayCalendar
        The calendar the history follows.
    interval : int
        Interval length. [s]
    """

    volume: pd.Series
    rate: pd.Series
    aht: pd.Series
    events: tuple[Event, ...]
    calendar: HolidayCalendar
    interval: int


def _intraday_profile(hours: np.ndarray, day_off: bool) -> np.ndarray:
    """Relative intensity at the given hours of day (a mixture of Gaussian bumps)."""

    def bump(center, width, height):
        return height * np.exp(-0.5 * ((hours - center) / width) ** 2)

    night = 0.05
    if day_off:
        shape = bump(10.75, 2.2, 0.8) + bump(15.5, 2.6, 0.7) + bump(20.0, 1.5, 0.25)
    else:
        shape = bump(10.0, 1.4, 1.0) + bump(15.25, 1.6, 0.9) + bump(19.5, 1.3, 0.3)
    return night + shape


def synthetic_hotline(
    start="2024-01-01",
    end="2025-12-31",
    freq="30min",
    seed=0,
    *,
    daily_volume: float = 6000.0,
    growth: float = 0.05,
    winter_swell: float = 0.10,
    day_noise: float = 0.05,
    aht_mean: float = 330.0,
    calendar="CN",
    outage: bool = True,
) -> SyntheticHotline:
    """Generate a 12345-style hotline history (see the module docstring for the model).

    Parameters
    ----------
    start, end : str or Timestamp
        First and last day (inclusive).
    freq : int, str or Timedelta, default ``"30min"``
        Interval length (int: seconds); whole seconds dividing a day.
    seed : int
        Seed of the NumPy random generator; the same seed gives the same history.
    daily_volume : float
        Expected contacts on an ordinary Wednesday at ``start``. [contacts/day]
    growth : float
        Yearly demand growth (0.05 = +5% per year).
    winter_swell : float
        Heating-season amplitude (0.10 = +10% in mid-January, -10% in mid-July).
    day_noise : float
        Coefficient of variation of the day-level multiplicative shock.
    aht_mean : float
        Mean handle time. [s]
    calendar : str or HolidayCalendar
        Calendar whose holidays, bridge days and make-up workdays shape the demand.
    outage : bool
        Inject the outage event.

    Returns
    -------
    SyntheticHotline
    """
    interval = interval_length(None, freq, name="synthetic_hotline", arg="freq")
    step = pd.Timedelta(seconds=interval)
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if last < first:
        raise ValueError(f"end must not precede start, got start={start!r}, end={end!r}")
    for name, value in (("daily_volume", daily_volume), ("aht_mean", aht_mean)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not (0 <= day_noise < 1):
        raise ValueError(f"day_noise must be in [0, 1), got {day_noise!r}")
    cal = get_calendar(calendar)
    rng = np.random.default_rng(seed)

    days = pd.date_range(first, last, freq="D")
    info = cal.day_types(days)
    n_days = len(days)
    day_type = info["day_type"].to_numpy()
    in_break = info["in_break"].to_numpy()
    spring = np.char.find(info["holiday"].to_numpy().astype(str), "Spring") >= 0
    spring |= np.char.find(info["holiday"].to_numpy().astype(str), "春节") >= 0

    factor = _WEEKDAY_FACTOR[info["weekday"].to_numpy()]
    factor = np.where(day_type == "makeup_workday", _WEEKDAY_FACTOR[4], factor)
    factor = np.where(in_break, np.where(spring, 0.50, 0.65), factor)
    factor = np.where(day_type == "holiday", np.where(spring, 0.40, 0.60), factor)
    # Work piles up around long breaks: a surge after, a smaller one before.
    break_len = _run_lengths(in_break)
    after_long = np.r_[False, (break_len[:-1] >= 3) & in_break[:-1]] & ~in_break
    before_long = np.r_[(break_len[1:] >= 3) & in_break[1:], False] & ~in_break
    factor = factor * np.where(after_long, 1.25, 1.0) * np.where(before_long, 1.08, 1.0)

    dom = days.day.to_numpy()
    dim = days.days_in_month.to_numpy()
    month = np.ones(n_days)
    for k, lift in enumerate((1.18, 1.12, 1.06), start=1):
        month[dom == k] = lift
    month[dom > dim - 3] = 0.93

    years = (days - first).days.to_numpy() / 365.25
    trend = (1 + growth) ** years
    season = 1 + winter_swell * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - 15) / 365.25)
    if day_noise > 0:
        shape = 1 / day_noise**2
        shock = rng.gamma(shape, 1 / shape, size=n_days)
    else:
        shock = np.ones(n_days)
    daily = daily_volume * trend * season * factor * month * shock

    per_day = 86400 // interval
    hours = (np.arange(per_day) + 0.5) * interval / 3600
    profiles = np.vstack([_intraday_profile(hours, False), _intraday_profile(hours, True)])
    profiles /= profiles.sum(axis=1, keepdims=True)
    day_off = ~info["is_workday"].to_numpy()
    rate = (daily[:, None] * profiles[day_off.astype(int)]).ravel()
    index = pd.date_range(first, periods=n_days * per_day, freq=step, name="ds")

    events: tuple[Event, ...] = ()
    if outage:
        event = _outage_event(days, info["is_workday"].to_numpy())
        if event is not None:
            events = (event,)
            elapsed = (index - event.start).total_seconds().to_numpy()
            hit = (elapsed >= 0) & (elapsed < (event.end - event.start).total_seconds())
            decay = (
                (elapsed >= 0) & ~hit & (elapsed < (event.window[1] - event.start).total_seconds())
            )
            tail = np.clip(1 - (elapsed - 4 * 3600) / (4 * 3600), 0, 1)
            rate = rate * np.where(hit, 3.0, 1.0) * np.where(decay, 1 + 2.0 * tail, 1.0)

    volume = rng.poisson(rate)
    aht_hours = np.tile(hours, n_days)
    aht_profile = 1 + 0.12 * np.cos(2 * np.pi * (aht_hours - 3) / 24)
    aht_profile = aht_profile * np.where(np.repeat(day_off, per_day), 1.05, 1.0)
    aht = aht_mean * aht_profile * (1 + 0.03 * rng.standard_normal(len(index)))

    return SyntheticHotline(
        volume=pd.Series(volume.astype(np.int64), index=index, name="volume"),
        rate=pd.Series(rate, index=index, name="rate"),
        aht=pd.Series(aht, index=index, name="aht"),
        events=events,
        calendar=cal,
        interval=interval,
    )


def _run_lengths(flag: np.ndarray) -> np.ndarray:
    """Length of the run of equal values each element belongs to."""
    if len(flag) == 0:
        return np.zeros(0, dtype=int)
    run_id = np.cumsum(np.r_[True, flag[1:] != flag[:-1]])
    return np.bincount(run_id)[run_id]


def _outage_event(days: pd.DatetimeIndex, is_workday: np.ndarray) -> Event | None:
    """A four-hour outage at 09:00 on the first workday after 60% of the history."""
    candidates = np.flatnonzero(is_workday & (np.arange(len(days)) >= int(0.6 * len(days))))
    if len(candidates) == 0:
        return None
    day = days[candidates[0]]
    return Event(
        "water supply failure",
        day + pd.Timedelta(hours=9),
        day + pd.Timedelta(hours=13),
        kind="outage",
        lag=4 * 3600,
    )
