"""The intraday escalation ladder: when the queue calls for floaters or back-office staff."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["EscalationRules", "ladder_alarms"]

#: Ladder levels and the reserve each one opens.
LEVELS = {0: "none", 1: "floaters", 2: "back_office"}


@dataclass(frozen=True)
class EscalationRules:
    """Thresholds of the escalation ladder and the sizes of the intraday moves.

    Defaults are the operating manuals': more than 5 callers waiting for 5 minutes pulls in
    the floaters (机动班); more than 10 brings back-office staff to the phones.

    Parameters
    ----------
    floaters_waiting : int, default 5
        Callers waiting above which floaters are called in.
    floaters_for : float, default 300
        How long the queue must stay above ``floaters_waiting``. [s]
    back_office_waiting : int, default 10
        Callers waiting above which back-office staff come to the phones.
    back_office_for : float, default 0
        How long the queue must stay above ``back_office_waiting``. [s]
    floater_lead : float, default 1800
        Time a floater needs to reach a seat after the call. [s]
    floater_block : float, default 14400
        Length of a floater's turn on the phones (a 机动班 covers a peak, not a day). [s]
    back_office_block : float, default 7200
        Length of a back-office agent's turn on the phones. [s]
    overtime_block : float, default 3600
        Overtime offered at the end of a shift. [s]
    early_leave_block : float, default 3600
        Early leave offered at the end of a shift when the floor is overstaffed. [s]
    break_shift : float, default 3600
        How far a meal may move either way when its shift's template gives no window. [s]
    pulloff_margin : float, default 0
        Agents that must remain above requirement where a pull-off is moved (as
        :func:`roster.place_pulloffs`).
    max_candidates : int, default 6
        Candidates of each kind that are simulated (the ones that fill most of the formula's
        gap, ties by agent).
    max_actions : int, default 3
        Actions applied together in the combined plan.
    """

    floaters_waiting: int = 5
    floaters_for: float = 300.0
    back_office_waiting: int = 10
    back_office_for: float = 0.0
    floater_lead: float = 1800.0
    floater_block: float = 14400.0
    back_office_block: float = 7200.0
    overtime_block: float = 3600.0
    early_leave_block: float = 3600.0
    break_shift: float = 3600.0
    pulloff_margin: float = 0.0
    max_candidates: int = 6
    max_actions: int = 3

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"rules {field.name}={value!r} must be a number")
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"rules {field.name}={value!r} must be finite and >= 0")
        if self.back_office_waiting < self.floaters_waiting:
            raise ValueError(
                f"rules back_office_waiting={self.back_office_waiting} must be >= "
                f"floaters_waiting={self.floaters_waiting}: the ladder climbs"
            )
        for name in ("max_candidates", "max_actions"):
            if not float(getattr(self, name)).is_integer():
                raise ValueError(f"rules {name}={getattr(self, name)!r} must be a whole number")

    @classmethod
    def from_toml(cls, path) -> EscalationRules:
        """Rules from the ``[escalation]`` table of a TOML file (every key optional)."""
        from roster.planning.tables import read_toml

        table = read_toml(path, f"rules {path}")
        values = table.get("escalation", {})
        known = {f.name for f in dataclasses.fields(cls)}
        bad = sorted(set(values) - known)
        if bad:
            raise ValueError(
                f"rules: {path} [escalation]: unknown keys {bad}; known: {sorted(known)}"
            )
        return cls(**values)

    def level(self, waiting: float, lasting: float) -> int:
        """Ladder level of a queue of ``waiting`` callers that has lasted ``lasting`` s."""
        if waiting > self.back_office_waiting and lasting >= self.back_office_for:
            return 2
        if waiting > self.floaters_waiting and lasting >= self.floaters_for:
            return 1
        return 0


def ladder_alarms(rules: EscalationRules, live_waiting, live_for, queue: pd.Series, interval):
    """The ladder evaluated on the live queue and on the simulated rest of the day.

    Parameters
    ----------
    rules : EscalationRules
    live_waiting : float
        Callers waiting now.
    live_for : float
        How long the live queue has been that long (the longest wait so far). [s]
    queue : pandas.Series
        Mean callers waiting per remaining interval, as simulated.
    interval : int
        Interval length. [s]

    Returns
    -------
    pandas.DataFrame
        One row per alarm: ``source`` (``live`` or ``simulated``), ``ds`` (interval start, the
        first of a run of intervals for the simulated queue), ``waiting``, ``level`` and
        ``action`` (what the level opens).
    """
    rows = []
    live = rules.level(float(live_waiting), float(live_for))
    if live:
        start = queue.index[0] if len(queue) else pd.NaT
        rows.append(("live", start, float(live_waiting), live, LEVELS[live]))
    values = queue.to_numpy(float)
    for level, limit, lasting in (
        (2, rules.back_office_waiting, rules.back_office_for),
        (1, rules.floaters_waiting, rules.floaters_for),
    ):
        above = values > limit
        # a run of intervals above the limit lasts its length; it must last long enough
        edges = np.flatnonzero(np.diff(np.r_[0, above.astype(int), 0]))
        for first, stop in zip(edges[::2], edges[1::2], strict=True):
            if (stop - first) * interval >= lasting and not any(
                r[1] == queue.index[first] and r[3] > level for r in rows if r[0] == "simulated"
            ):
                peak = float(values[first:stop].max())
                rows.append(("simulated", queue.index[first], peak, level, LEVELS[level]))
    out = pd.DataFrame(rows, columns=["source", "ds", "waiting", "level", "action"])
    return out.sort_values(["source", "ds", "level"], kind="stable").reset_index(drop=True)
