"""How many agents a month needs: the stage-1 schedule's paid hours against the monthly band."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roster.rules import Rules

__all__ = ["Headcount", "headcount"]

_H = 3600.0


@dataclass(frozen=True)
class Headcount:
    """The team a month needs, and how a given team compares.

    Attributes
    ----------
    needed : int
        Agents who, each at the monthly paid target, work the stage-1 schedule's paid time.
    fewest : int
        Agents who work it only with every agent at the top of the paid band.
    required_paid : float
        Paid time of the stage-1 schedule over the horizon. [s]
    agent_shifts : int
        Shifts (agent-days) of the stage-1 schedule.
    target, lo, hi : float
        One agent's paid target and band over the horizon (prorated). [s]
    max_working_days : int
        Most days one agent can work in the horizon under the rest-day and run rules.
    team : int or None
        Agents given, or None when the team was sized here.
    """

    needed: int
    fewest: int
    required_paid: float
    agent_shifts: int
    target: float
    lo: float
    hi: float
    max_working_days: int
    team: int | None = None

    @property
    def missing(self) -> int:
        """Agents short of :attr:`needed` (0 when the team is large enough)."""
        return 0 if self.team is None else max(0, self.needed - self.team)

    @property
    def spare(self) -> int:
        """Agents beyond :attr:`needed` (0 when the team is not larger)."""
        return 0 if self.team is None else max(0, self.team - self.needed)

    @property
    def advice(self) -> str:
        """One line for the planner: the need, and what to do about a gap."""
        need = (
            f"the month needs about {self.needed} agents ({self.required_paid / _H:,.0f} paid h "
            f"in {self.agent_shifts:,} shifts, {self.target / _H:g} h each)"
        )
        if self.team is None:
            return f"{need}; the roster uses {self.needed}"
        if self.team < self.fewest:
            return (
                f"{need}: short by about {self.needed - self.team} agents, and even at "
                f"{self.hi / _H:g} h each {self.fewest} are needed; hire or borrow agents, "
                "allow overtime beyond the monthly band, or accept the shortfall"
            )
        if self.team < self.needed:
            return (
                f"{need}: short by about {self.needed - self.team} agents; or allow overtime "
                f"(the team covers it only near {self.hi / _H:g} h per agent)"
            )
        if self.team == self.needed:
            return f"{need}: the team of {self.team} matches"
        return (
            f"{need}: {self.team - self.needed} agents spare; every agent is still rostered to "
            f"at least {self.lo / _H:g} h, the surplus shows as coverage above the requirement"
        )

    def to_series(self) -> pd.Series:
        """The figures as one Series (hours in ``*_h``)."""
        return pd.Series(
            {
                "needed": self.needed,
                "fewest": self.fewest,
                "team": self.team,
                "missing": self.missing,
                "spare": self.spare,
                "required_paid_h": self.required_paid / _H,
                "agent_shifts": self.agent_shifts,
                "target_h": self.target / _H,
                "lo_h": self.lo / _H,
                "hi_h": self.hi / _H,
                "max_working_days": self.max_working_days,
            },
            name="headcount",
        )


def headcount(
    shifts: pd.DataFrame,
    rules: Rules,
    days: int,
    month_days: int | None = None,
    team: int | None = None,
) -> Headcount:
    """Agents the month needs to work a stage-1 schedule under the monthly rules.

    Parameters
    ----------
    shifts : pandas.DataFrame
        Stage 1's shifts (:attr:`roster.ShiftSchedule.shifts`): ``date``, ``agents`` and
        ``paid_hours`` (per agent). [h]
    rules : Rules
        Monthly paid target and band, rest days and runs.
    days : int
        Days in the horizon.
    month_days : int, optional
        Days of the month the monthly rules refer to (default ``days``).
    team : int, optional
        Agents available, to compare with.

    Returns
    -------
    Headcount

    Notes
    -----
    Three things bound the team from below: its paid time (``needed`` at the target,
    ``fewest`` at the top of the band), its shifts (``max_working_days`` per agent) and the
    busiest day (one shift per agent a day). The estimate ignores leave and the caps on nights
    and weekends, which can only raise it; the roster's shortfall and the rule check tell
    whether a team of this size suffices in the end.
    """
    if days < 1:
        raise ValueError(f"days={days!r} must be >= 1")
    if team is not None and (isinstance(team, bool) or team < 0):
        raise ValueError(f"team={team!r} must be a non-negative count")
    agents = shifts["agents"].to_numpy(dtype=float) if len(shifts) else np.zeros(0)
    hours = shifts["paid_hours"].to_numpy(dtype=float) if len(shifts) else np.zeros(0)
    paid = float(np.sum(agents * hours) * _H)
    n_shifts = round(float(agents.sum()))
    busiest = round(float(shifts.groupby("date")["agents"].sum().max())) if len(shifts) else 0
    month_days = days if month_days is None else month_days
    lo, hi = rules.monthly_target(days, month_days)
    target = rules.monthly_paid * days / month_days
    most_days = max(1, rules.max_working_days(days, month_days))
    by_days = math.ceil(n_shifts / most_days - 1e-9)
    floor = max(by_days, busiest)
    # 1e-9: a schedule of exactly k agents' hours needs k, not k + 1
    needed = max(floor, math.ceil(paid / max(target, 1.0) - 1e-9))
    fewest = max(floor, math.ceil(paid / max(hi, 1.0) - 1e-9))
    return Headcount(
        needed=int(needed),
        fewest=int(fewest),
        required_paid=paid,
        agent_shifts=n_shifts,
        target=float(target),
        lo=float(lo),
        hi=float(hi),
        max_working_days=int(most_days),
        team=None if team is None else int(team),
    )
