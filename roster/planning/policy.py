"""The staffing policy of a plan: shrinkage, and the floors of agents online by day and night.

Together with the service targets (:class:`erlang.Targets`) it turns a forecast into agents to
schedule. Defaults are the figures of the operating manuals: 95% attendance and 92% adherence,
at least 8 agents online by day (08:00-22:00) and 2 at night.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from roster.shifts import parse_clock

__all__ = ["DEFAULT_SHRINKAGE", "StaffingPolicy"]

#: Share of rostered, on-floor time lost to absence and non-adherence:
#: ``1 - attendance × adherence`` with the manuals' 95% attendance and 92% adherence. Meals and
#: the 5-minute-per-hour short breaks are not in it: the scheduler places them explicitly.
DEFAULT_SHRINKAGE = 1 - 0.95 * 0.92


@dataclass(frozen=True)
class StaffingPolicy:
    """How productive agents become agents to schedule, and the floors on the floor.

    Parameters
    ----------
    shrinkage : float
        Share of on-floor time lost to absence and non-adherence, in [0, 1) (see
        :data:`DEFAULT_SHRINKAGE`); breaks are placed by the scheduler and are not in it.
        Agents to schedule are ``ceil(productive / (1 - shrinkage))``.
    floor_day, floor_night : int
        Agents online at least, by day (``day_hours``) and at night; 8 and 2.
    day_hours : (str or int, str or int)
        Start and end of the day for the floors, clock text (``"08:00"``) or seconds after
        midnight; the day may wrap past midnight.
    """

    shrinkage: float = DEFAULT_SHRINKAGE
    floor_day: int = 8
    floor_night: int = 2
    day_hours: tuple = ("08:00", "22:00")

    def __post_init__(self):
        if not (_number(self.shrinkage) and 0 <= self.shrinkage < 1):
            raise ValueError(f"shrinkage must be in [0, 1), got {self.shrinkage!r}")
        for name in ("floor_day", "floor_night"):
            value = getattr(self, name)
            if not (_number(value) and value >= 0 and float(value).is_integer()):
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        if len(self.day_hours) != 2:
            raise ValueError(f"day_hours must be (start, end), got {self.day_hours!r}")
        for value in self.day_hours:
            parse_clock(value)
        object.__setattr__(self, "day_hours", tuple(self.day_hours))

    @classmethod
    def from_dict(cls, values: dict, *, source: str = "staffing") -> StaffingPolicy:
        """A policy from a mapping (e.g. a TOML table); unknown keys raise naming ``source``."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{source}: unknown keys {unknown}; known keys are {sorted(known)}")
        return replace(cls(), **values)

    def floors(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Agents online at least in each interval starting at ``index``. [agents]"""
        start, end = (parse_clock(v) % 86400 for v in self.day_hours)
        tod = ((index - index.normalize()) / pd.Timedelta(seconds=1)).to_numpy()
        by_day = (tod >= start) & (tod < end) if start <= end else (tod >= start) | (tod < end)
        return np.where(by_day, self.floor_day, self.floor_night).astype(float)


def _number(value) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )
