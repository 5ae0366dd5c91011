"""Service targets and staffing rules of a plan, and the planning horizon.

Defaults are the hotline figures of the operating manuals: 80% of calls answered within 20 s,
an answer rate of 85% within 60 s, ASA at most 20 s, abandonment at most 5% (short abandons of
20 s or less left out, mean patience 60 s), occupancy at most 90%, at least 8 agents online
by day and 2 at night.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

import erlang
from roster.shifts import parse_clock

__all__ = ["DEFAULT_SHRINKAGE", "Targets", "plan_horizon"]

#: Share of rostered, on-floor time lost to absence and non-adherence:
#: ``1 - attendance × adherence`` with the manuals' 95% attendance and 92% adherence. Meals and
#: the 5-minute-per-hour short breaks are not in it: the scheduler places them explicitly.
DEFAULT_SHRINKAGE = 1 - 0.95 * 0.92


@dataclass(frozen=True)
class Targets:
    """Service targets, shrinkage and staffing floors of a plan. Times in seconds.

    Parameters
    ----------
    service_level : float or None
        Minimum share of calls answered within ``threshold``; 0.8.
    threshold : float
        Service-level answer time; 20. [s]
    answer_rate : float or None
        Minimum share answered within ``cutoff`` (人工台应答率); 0.85.
    cutoff : float
        Answer-rate cutoff: a call not answered within it counts as unanswered; 60. [s]
    asa : float or None
        Maximum average speed of answer; 20. [s]
    max_abandon : float or None
        Maximum abandonment rate, short abandons excluded; 0.05. Binds only with ``patience``.
    short_abandon : float or None
        Callers hanging up within this time are misdials, left out of the rates; 20. [s]
    max_occupancy : float or None
        Maximum occupancy; 0.9.
    patience : float or None
        Mean caller patience for Erlang A; 60. None uses Erlang C (nobody hangs up). [s]
    shrinkage : float
        Share of on-floor time lost to absence and non-adherence (see
        :data:`DEFAULT_SHRINKAGE`); breaks are placed by the scheduler and are not in it.
    floor_day, floor_night : int
        Agents online at least, by day (``day_hours``) and at night; 8 and 2.
    day_hours : (str or int, str or int)
        Start and end of the day for the floors, clock text or seconds after midnight.
    trunks : int or None
        Trunk lines (最大同时接入): callers beyond them get busy tone. Staffing, KPIs and the
        simulation then use the capped queue (M/M/n/K, or M/M/n+M/K with ``patience``) and
        count blocked calls as offered and not answered; agents on the phones are capped at
        ``trunks``.
    max_blocking : float or None
        Most share of offered calls blocked by the trunk cap; binds only with ``trunks``.
    """

    service_level: float | None = 0.8
    threshold: float = 20.0
    answer_rate: float | None = 0.85
    cutoff: float = 60.0
    asa: float | None = 20.0
    max_abandon: float | None = 0.05
    short_abandon: float | None = 20.0
    max_occupancy: float | None = 0.9
    patience: float | None = 60.0
    shrinkage: float = DEFAULT_SHRINKAGE
    floor_day: int = 8
    floor_night: int = 2
    day_hours: tuple = ("08:00", "22:00")
    trunks: int | None = None
    max_blocking: float | None = None

    def __post_init__(self):
        for name in (
            "service_level",
            "answer_rate",
            "max_abandon",
            "max_occupancy",
            "max_blocking",
        ):
            value = getattr(self, name)
            if value is not None and not (_number(value) and 0 < value <= 1):
                raise ValueError(f"{name} must be in (0, 1] or None, got {value!r}")
        for name in ("threshold", "cutoff", "asa", "short_abandon", "patience"):
            value = getattr(self, name)
            if value is not None and not (_number(value) and value >= 0):
                raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
        if not (_number(self.shrinkage) and 0 <= self.shrinkage < 1):
            raise ValueError(f"shrinkage must be in [0, 1), got {self.shrinkage!r}")
        for name in ("floor_day", "floor_night", "trunks"):
            value = getattr(self, name)
            if value is None and name == "trunks":
                continue
            if not (_number(value) and value >= 0 and float(value).is_integer()):
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        if len(self.day_hours) != 2:
            raise ValueError(f"day_hours must be (start, end), got {self.day_hours!r}")
        for value in self.day_hours:
            parse_clock(value)
        object.__setattr__(self, "day_hours", tuple(self.day_hours))
        # The staffing search owns the finer limits (a service level of 1 or an ASA of 0 can
        # never be met); a zero-volume call raises them now rather than mid-plan.
        erlang.required_agents(0.0, 1.0, interval=1.0, **self.erlang_targets)

    @classmethod
    def from_dict(cls, values: dict, *, source: str = "targets") -> Targets:
        """Targets from a mapping (e.g. a TOML table); unknown keys raise naming ``source``."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{source}: unknown keys {unknown}; known keys are {sorted(known)}")
        return cls(**values)

    @property
    def erlang_targets(self) -> dict:
        """The keyword arguments of :func:`erlang.required_agents` these targets set."""
        return {
            "service_level": self.service_level,
            "threshold": self.threshold,
            "answer_rate": self.answer_rate,
            "cutoff": self.cutoff,
            "asa": self.asa,
            "max_abandon": self.max_abandon if self.patience is not None else None,
            "max_occupancy": self.max_occupancy,
            "patience": self.patience,
            "short_abandon": self.short_abandon if self.patience is not None else None,
            "trunks": self.trunks,
            "max_blocking": self.max_blocking if self.trunks is not None else None,
        }

    def required_agents(self, volume, aht, *, interval: float):
        """Agents to schedule per interval: productive agents grossed up for shrinkage.

        Floors are not applied here; the scheduler holds them as agents online.
        """
        return erlang.required_agents(
            volume, aht, interval=interval, shrinkage=self.shrinkage, **self.erlang_targets
        )

    def productive_agents(self, volume, aht, *, interval: float):
        """Agents on the phones per interval that meet every target (no shrinkage)."""
        return erlang.required_agents(volume, aht, interval=interval, **self.erlang_targets)

    def kpis(self, volume, aht, agents, *, interval: float) -> pd.DataFrame:
        """:func:`erlang.kpis` of ``agents`` on the phones under these targets' queue model."""
        e = self.erlang_targets
        if self.trunks is not None:
            agents = np.minimum(agents, self.trunks)  # only as many calls as lines
        return erlang.kpis(
            volume,
            aht,
            agents,
            interval=interval,
            threshold=self.threshold,
            patience=self.patience,
            cutoff=self.cutoff,
            short_abandon=e["short_abandon"],
            trunks=self.trunks,
        )

    def met(self, kpis: pd.DataFrame) -> pd.Series:
        """Whether each interval of an :func:`erlang.kpis` frame meets every target."""
        ok = pd.Series(True, index=kpis.index)
        tol = 1e-9
        if self.service_level is not None:
            ok &= kpis["service_level"] >= self.service_level - tol
        if self.answer_rate is not None:
            ok &= kpis["answer_rate"] >= self.answer_rate - tol
        if self.asa is not None:
            ok &= ~(kpis["asa"] > self.asa + tol)
        if self.max_abandon is not None and self.patience is not None:
            ok &= kpis["abandon_rate"] <= self.max_abandon + tol
        if self.max_occupancy is not None:
            ok &= kpis["occupancy"] <= self.max_occupancy + tol
        if self.max_blocking is not None and self.trunks is not None:
            ok &= kpis["blocking"] <= self.max_blocking + tol
        return ok | (kpis["volume"] <= 0)


def _number(value) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def plan_horizon(month, days: int | None, last_history: pd.Timestamp) -> pd.DatetimeIndex:
    """The days planned: ``days`` days (default all) of ``month``, or of the next month.

    Parameters
    ----------
    month : str, pandas.Period or None
        ``"YYYY-MM"``; None plans the calendar month after the one the history ends in.
    days : int or None
        Plan only the first ``days`` days of the month (e.g. a week).
    last_history : pandas.Timestamp
        Last interval of the history; the plan must start after it.
    """
    if month is None:
        period = pd.Timestamp(last_history).to_period("M") + 1
    else:
        try:
            period = pd.Period(month, freq="M")
        except (ValueError, TypeError):
            raise ValueError(f"month must be YYYY-MM, got {month!r}") from None
    dates = pd.date_range(period.start_time, period.end_time.normalize(), freq="D")
    if days is not None:
        if not (isinstance(days, int | np.integer) and 1 <= days <= len(dates)):
            raise ValueError(f"days must be a whole number in [1, {len(dates)}], got {days!r}")
        dates = dates[:days]
    if dates[0] <= pd.Timestamp(last_history):
        raise ValueError(
            f"month={str(period)!r} starts on {dates[0].date()}, not after the history's end "
            f"{pd.Timestamp(last_history)}"
        )
    return dates
