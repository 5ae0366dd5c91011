"""Labour rules of a monthly roster (comprehensive working-hour system) and their checks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

__all__ = ["Rules"]

_HOUR = 3600


@dataclass(frozen=True)
class Rules:
    """Labour rules for named rosters; defaults are the IUNI customer-service rules.

    All durations are seconds. Every field may be overridden; ``None`` switches a cap off.

    Parameters
    ----------
    min_shift_paid, max_shift_paid : float
        Paid time of a single shift [s]; 7 h and 8 h.
    monthly_paid : float
        Target paid time per agent over the month [s]; 176 h (综合计算工时). Prorated by
        :meth:`monthly_target` for horizons other than a whole month.
    monthly_paid_tolerance : float
        Allowed deviation from ``monthly_paid`` either way [s]; 8 h.
    min_rest_days : int
        Days off per month, at least; 7.
    soft_max_consecutive_days : int
        Consecutive working days allowed without penalty; 5.
    max_consecutive_days : int
        Consecutive working days never exceeded; 7 (days 6 and 7 carry
        ``consecutive_penalty`` each).
    consecutive_penalty : float
        Cost per working day beyond ``soft_max_consecutive_days`` in a run.
    min_rest_between_shifts : float
        Rest between the end of one shift and the start of the next [s]; 11 h.
    rest_after_big_night : bool
        The calendar day after a big night (ends 23:59 or 00:00–07:59) is a day off.
    whole_rest_days : bool
        A rest day is a calendar day with no minute worked, so the morning an agent comes
        off a shift working past midnight (下夜) is not one (see :meth:`rest_days`). False
        counts every day on which no shift starts, so the day after a shift that works past
        midnight counts as rest.
    max_nights : int or None
        Most big-night shifts per agent per month; 8.
    max_weekends : int or None
        Most weekends (a Saturday or Sunday worked) per agent; no cap by default.
    forbidden_next : dict
        Shift name -> shift names that may not be worked the next day, on top of the rest
        rule (e.g. no early shift the morning after a late one).
    max_shifts : dict
        Shift name -> most shifts of that name per agent.
    hourly_rate : float
        Cost per paid hour on an ordinary day.
    holiday_multiplier : float
        Pay multiplier on statutory holidays; 3 (worked statutory holidays are paid 3x).
    night_premium : float
        Extra cost per big-night shift.
    under_penalty, over_penalty : float
        Cost per agent-hour short of / above the requirement, as in
        :func:`roster.schedule_shifts` (per agent-shift when the requirement is given per
        shift and day).
    fair_nights_weight, fair_weekends_weight, fair_holidays_weight : float
        Cost per big night, weekend worked or statutory holiday worked that an agent's count
        lies beyond ``fair_tolerance`` from the team's mean share (0 switches the term off).
    fair_tolerance : float
        Deviation from the mean share allowed without penalty (counts).
    """

    min_shift_paid: float = 7 * _HOUR
    max_shift_paid: float = 8 * _HOUR
    monthly_paid: float = 176 * _HOUR
    monthly_paid_tolerance: float = 8 * _HOUR
    min_rest_days: int = 7
    soft_max_consecutive_days: int = 5
    max_consecutive_days: int = 7
    consecutive_penalty: float = 20.0
    min_rest_between_shifts: float = 11 * _HOUR
    rest_after_big_night: bool = True
    whole_rest_days: bool = True
    max_nights: int | None = 8
    max_weekends: int | None = None
    forbidden_next: dict = field(default_factory=dict)
    max_shifts: dict = field(default_factory=dict)
    hourly_rate: float = 1.0
    holiday_multiplier: float = 3.0
    night_premium: float = 2.0
    under_penalty: float = 100.0
    over_penalty: float = 0.0
    fair_nights_weight: float = 2.0
    fair_weekends_weight: float = 2.0
    fair_holidays_weight: float = 2.0
    fair_tolerance: float = 1.0

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in ("forbidden_next", "max_shifts"):
                if not isinstance(v, dict):
                    raise TypeError(f"{f.name}={v!r} must be a dict")
                continue
            if f.name in ("rest_after_big_night", "whole_rest_days"):
                if not isinstance(v, bool):
                    raise TypeError(f"{f.name}={v!r} must be a bool")
                continue
            if v is None and f.name in ("max_nights", "max_weekends"):
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError(f"{f.name}={v!r} must be a finite number")
            if v < 0:
                raise ValueError(f"{f.name}={v!r} must be non-negative")
        for name in (
            "min_rest_days",
            "soft_max_consecutive_days",
            "max_consecutive_days",
            "max_nights",
            "max_weekends",
        ):
            v = getattr(self, name)
            if v is not None and int(v) != v:
                raise ValueError(f"{name}={v!r} must be a whole number")
        for name, cap in self.max_shifts.items():
            if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
                raise ValueError(f"max_shifts[{name!r}]={cap!r} must be a non-negative integer")
        if self.min_shift_paid > self.max_shift_paid:
            raise ValueError(
                f"min_shift_paid={self.min_shift_paid!r} exceeds "
                f"max_shift_paid={self.max_shift_paid!r}"
            )
        if self.max_consecutive_days < 1:
            raise ValueError(f"max_consecutive_days={self.max_consecutive_days!r} must be >= 1")
        if self.soft_max_consecutive_days > self.max_consecutive_days:
            raise ValueError(
                f"soft_max_consecutive_days={self.soft_max_consecutive_days!r} exceeds "
                f"max_consecutive_days={self.max_consecutive_days!r}"
            )
        if self.monthly_paid_tolerance > self.monthly_paid:
            raise ValueError(
                f"monthly_paid_tolerance={self.monthly_paid_tolerance!r} exceeds "
                f"monthly_paid={self.monthly_paid!r}"
            )
        if self.min_rest_between_shifts >= 24 * _HOUR + self.max_shift_paid:
            raise ValueError(
                f"min_rest_between_shifts={self.min_rest_between_shifts!r} leaves no shift "
                "on consecutive days possible"
            )

    def monthly_target(self, days: int, month_days: int | None = None) -> tuple[float, float]:
        """Bounds on paid time [s] over a horizon of ``days`` days.

        The month's target and tolerance are prorated by ``days / month_days``
        (``month_days`` defaults to ``days``, i.e. the horizon is the month). On part of a
        month the lower bound is held to what whole shifts on the working days left by the
        prorated rest days can reach: over three days of a 31-day month the prorated 16.3 h
        would need a third 8-hour shift that the prorated rest day rules out, and the rest of
        the month makes up the difference.
        """
        month_days = days if month_days is None else month_days
        share = days / month_days
        lo = (self.monthly_paid - self.monthly_paid_tolerance) * share
        hi = (self.monthly_paid + self.monthly_paid_tolerance) * share
        if days < month_days:
            lo = min(lo, self.max_working_days(days, month_days) * self.max_shift_paid)
        return lo, hi

    def rest_days_needed(self, days: int, month_days: int | None = None) -> int:
        """Rest days required in ``days`` days: ``min_rest_days`` prorated by
        ``days / month_days`` (default ``month_days = days``), rounded up."""
        month_days = days if month_days is None else month_days
        return math.ceil(self.min_rest_days * days / month_days - 1e-9)

    def rest_days(self, work, crosses):
        """Rest days of patterns: days with no minute worked (``whole_rest_days``), or with
        no shift starting.

        Parameters
        ----------
        work : array_like of bool (..., days)
            A shift starts on the day.
        crosses : array_like of bool (..., days)
            The shift starting on the day works past the following midnight (only read
            where ``work``).

        Returns
        -------
        int or numpy.ndarray of int (...)
            Rest days over the horizon.

        Notes
        -----
        With ``whole_rest_days`` a day off that follows a shift working past midnight is
        lost: ``rest = days - working days - lost``, where the lost days are the days
        ``d >= 1`` off with a shift crossing midnight on ``d - 1``. The night of the last
        day reaches past the horizon and costs no day of it; a shift the day after a night
        loses nothing (that day is worked anyway). The named-roster pricing carries the
        same count (:mod:`roster.people.pricing`).
        """
        work = np.asarray(work, dtype=bool)
        rest = work.shape[-1] - work.sum(axis=-1)
        if self.whole_rest_days:
            night = work & np.asarray(crosses, dtype=bool)
            rest = rest - (night[..., :-1] & ~work[..., 1:]).sum(axis=-1)
        return rest if rest.ndim else int(rest)

    def max_working_days(self, days: int, month_days: int | None = None) -> int:
        """Most working days possible in ``days`` days under rest-day and run rules."""
        rest = self.rest_days_needed(days, month_days)
        runs = days - days // (self.max_consecutive_days + 1)
        return max(0, min(days - rest, runs))

    def infeasibilities(self, days: int, month_days: int | None = None) -> list[str]:
        """Reasons why no agent can meet these rules over ``days`` days (empty if none).

        Parameters
        ----------
        days : int
            Days in the horizon.
        month_days : int, optional
            Days in the month the monthly figures refer to (default ``days``).

        Returns
        -------
        list of str
            Each names the fields that clash and the numbers.
        """
        if days < 1:
            raise ValueError(f"days={days!r} must be >= 1")
        out = []
        lo, hi = self.monthly_target(days, month_days)
        most = self.max_working_days(days, month_days)
        if most * self.max_shift_paid < lo - 1e-6:
            out.append(
                f"monthly_paid={self.monthly_paid / _HOUR:g} h - tolerance "
                f"{self.monthly_paid_tolerance / _HOUR:g} h needs {lo / _HOUR:g} h but at most "
                f"{most} working days (min_rest_days={self.min_rest_days}, "
                f"max_consecutive_days={self.max_consecutive_days}) x max_shift_paid="
                f"{self.max_shift_paid / _HOUR:g} h = {most * self.max_shift_paid / _HOUR:g} h "
                f"fit in {days} days"
            )
        if self.min_shift_paid > 0 and math.ceil(lo / self.max_shift_paid - 1e-9) > days:
            out.append(f"monthly paid time {lo / _HOUR:g} h cannot fit in {days} days")
        if hi < 0:
            out.append("upper monthly bound is negative")
        return out
