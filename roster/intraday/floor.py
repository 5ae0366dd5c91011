"""Who is on the phones today, after absences, late arrivals and pull-offs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roster.coverage import _time_in

__all__ = ["DayFloor", "day_floor"]

#: Short breaks per working hour when the roster does not say. [s/h]
DEFAULT_SHORT_BREAKS = 300.0
_STATUSES = ("absent", "late")


@dataclass(frozen=True)
class DayFloor:
    """The day's agents on the phones.

    Attributes
    ----------
    shifts : pandas.DataFrame
        One row per shift worked today: ``agent``, ``shift``, ``start``, ``end``,
        ``break_start``, ``break_end`` (the meal, NaT if none), ``short_breaks`` (short
        breaks per working hour [s/h]) and ``source`` (``roster``, ``floater``,
        ``back_office``, ``overtime``).
    breaks : pandas.DataFrame
        Time off the phones inside the shifts besides the first meal: ``agent``, ``start``,
        ``end``, ``kind`` (``meal``, ``pulloff``) and ``activity`` (the pull-off's label).
    day : pandas.Timestamp
        Midnight of the day.
    """

    shifts: pd.DataFrame
    breaks: pd.DataFrame
    day: pd.Timestamp

    def on_phones(self, index: pd.DatetimeIndex, interval: int) -> np.ndarray:
        """Agents on the phones per interval, net of meals, pull-offs and short breaks
        (time-averaged over each interval, as :func:`roster.roster_coverage`). [agents]"""
        origin = index[0]
        lo = (index - origin).total_seconds().to_numpy(float)
        hi = lo + interval

        def seconds(values):
            return (pd.DatetimeIndex(values) - origin).total_seconds().to_numpy(float)

        rate = 1.0 - self.shifts["short_breaks"].to_numpy(float) / 3600.0
        net = _time_in(seconds(self.shifts["start"]), seconds(self.shifts["end"]), rate, lo, hi)
        meal = self.shifts["break_start"].notna().to_numpy()
        if meal.any():
            net -= _time_in(
                seconds(self.shifts["break_start"][meal]),
                seconds(self.shifts["break_end"][meal]),
                rate[meal],
                lo,
                hi,
            )
        if len(self.breaks):
            share = self.shifts.groupby("agent")["short_breaks"].first()
            off_rate = 1.0 - self.breaks["agent"].map(share).to_numpy(float) / 3600.0
            net -= _time_in(
                seconds(self.breaks["start"]), seconds(self.breaks["end"]), off_rate, lo, hi
            )
        return np.maximum(net, 0.0) / interval

    def simulation_inputs(self) -> dict:
        """``shifts``, ``breaks`` and ``short_breaks`` for :func:`roster.simulate`."""
        shifts = self.shifts[["agent", "start", "end", "break_start", "break_end"]]
        return {
            "shifts": shifts.reset_index(drop=True),
            "breaks": self.breaks[["agent", "start", "end"]].reset_index(drop=True)
            if len(self.breaks)
            else None,
            "short_breaks": self.shifts["short_breaks"].to_numpy(float),
        }


def day_floor(
    assignments: pd.DataFrame,
    day,
    *,
    absences: pd.DataFrame | None = None,
    meals: pd.DataFrame | None = None,
    pulloffs: pd.DataFrame | None = None,
) -> DayFloor:
    """The day's floor from the published roster, today's absences and pull-offs.

    Parameters
    ----------
    assignments : pandas.DataFrame
        The roster (``Roster.assignments``): ``agent``, ``start``, ``end``, optional
        ``shift``, ``break_start``, ``break_end`` and ``short_breaks`` (the shift's short-break
        allowance [s], spread over its length). Shifts overlapping the day are kept.
    day : str or Timestamp
        The day.
    absences : pandas.DataFrame, optional
        ``agent``, ``status`` (``absent`` or ``late``) and ``late_minutes`` (for ``late``):
        absent agents' shifts of the day are dropped; a late agent's shift starts that much
        later (a shift left with no time is dropped).
    meals : pandas.DataFrame, optional
        Every placed meal (``Roster.breaks``: ``agent``, ``start``, ``end``); meals other than
        a shift's ``break_start`` are kept as breaks.
    pulloffs : pandas.DataFrame, optional
        Today's pull-offs: ``agent``, ``start``, ``end`` and optional ``activity``; each takes
        its agent off the phones.

    Returns
    -------
    DayFloor

    Raises
    ------
    ValueError
        Absences or pull-offs naming agents not in the roster, an unknown status, late
        minutes missing or negative, a pull-off outside its agent's shift today.
    """
    need = {"agent", "start", "end"}
    if not isinstance(assignments, pd.DataFrame) or need - set(assignments.columns):
        raise ValueError(f"roster: needs columns {sorted(need)}")
    day = pd.Timestamp(day).normalize()
    rows = assignments.copy()
    for col in ("start", "end", "break_start", "break_end"):
        if col in rows:
            rows[col] = pd.to_datetime(rows[col])
    for col in ("break_start", "break_end"):
        if col not in rows:
            rows[col] = pd.NaT
    if "shift" not in rows:
        rows["shift"] = ""
    span = (rows["end"] - rows["start"]).dt.total_seconds().to_numpy(float)
    if "short_breaks" in rows:
        per_hour = rows["short_breaks"].to_numpy(float) / np.maximum(span / 3600.0, 1e-9)
    else:
        per_hour = np.full(len(rows), DEFAULT_SHORT_BREAKS)
    rows["short_breaks"] = per_hour
    rows["source"] = "roster"
    known = set(rows["agent"])
    today = rows[(rows["start"] < day + pd.Timedelta(days=1)) & (rows["end"] > day)].copy()
    if absences is not None and len(absences):
        today = _apply_absences(today, absences, known)
    kept = ["agent", "shift", "start", "end", "break_start", "break_end", "short_breaks", "source"]
    today = today[kept].sort_values(["start", "agent"], kind="stable").reset_index(drop=True)
    breaks = [pd.DataFrame(columns=["agent", "start", "end", "kind", "activity"])]
    if meals is not None and len(meals):
        first = set(zip(today["agent"], today["break_start"], strict=True))
        more = meals[
            [
                (a, pd.Timestamp(s)) not in first
                for a, s in zip(meals["agent"], meals["start"], strict=True)
            ]
        ]
        more = more[more["agent"].isin(set(today["agent"]))]
        breaks.append(more[["agent", "start", "end"]].assign(kind="meal", activity=""))
    if pulloffs is not None and len(pulloffs):
        breaks.append(_check_pulloffs(pulloffs, today, known))
    frame = pd.concat([b for b in breaks if len(b)] or breaks[:1], ignore_index=True)
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    # a shift cut by lateness loses the breaks that fell before its new start
    starts = today.groupby("agent")["start"].min()
    frame = frame[frame["end"] > frame["agent"].map(starts)].reset_index(drop=True)
    frame["start"] = np.maximum(frame["start"], frame["agent"].map(starts))
    return DayFloor(shifts=today, breaks=frame, day=day)


def _apply_absences(today: pd.DataFrame, absences: pd.DataFrame, known: set) -> pd.DataFrame:
    if not {"agent", "status"} <= set(absences.columns):
        raise ValueError(f"absences: needs columns agent, status; got {list(absences.columns)}")
    unknown = sorted(set(absences["agent"]) - known, key=str)
    if unknown:
        raise ValueError(f"absences: agent {unknown[0]!r} is not in the roster")
    status = absences["status"].astype(str).str.strip().str.lower()
    bad = ~status.isin(_STATUSES)
    if bad.any():
        raise ValueError(
            f"absences: status {absences['status'][bad].iloc[0]!r} of agent "
            f"{absences['agent'][bad].iloc[0]!r} must be one of {list(_STATUSES)}"
        )
    absent = set(absences["agent"][status == "absent"])
    out = today[~today["agent"].isin(absent)].copy()
    late = absences[status == "late"]
    if len(late):
        if "late_minutes" not in late:
            raise ValueError("absences: late agents need a late_minutes column")
        minutes = pd.to_numeric(late["late_minutes"], errors="coerce")
        bad = ~(np.isfinite(minutes.to_numpy(float)) & (minutes.to_numpy(float) >= 0))
        if bad.any():
            k = int(np.argmax(bad))
            raise ValueError(
                f"absences: late_minutes={late['late_minutes'].iloc[k]} of agent "
                f"{late['agent'].iloc[k]!r} must be minutes >= 0"
            )
        delay = pd.to_timedelta(pd.Series(minutes.to_numpy(float), index=late["agent"]), "min")
        first = out.groupby("agent")["start"].transform("min") == out["start"]
        shift_by = out["agent"].map(delay).where(first).fillna(pd.Timedelta(0))
        out["start"] = out["start"] + shift_by
        meal_gone = out["break_start"].notna() & (out["break_start"] < out["start"])
        out.loc[meal_gone, ["break_start", "break_end"]] = pd.NaT
        out = out[out["end"] > out["start"]]
    return out


def _check_pulloffs(pulloffs: pd.DataFrame, today: pd.DataFrame, known: set) -> pd.DataFrame:
    if not {"agent", "start", "end"} <= set(pulloffs.columns):
        raise ValueError(
            f"pulloffs: needs columns agent, start, end; got {list(pulloffs.columns)}"
        )
    unknown = sorted(set(pulloffs["agent"]) - known, key=str)
    if unknown:
        raise ValueError(f"pulloffs: agent {unknown[0]!r} is not in the roster")
    out = pulloffs.copy()
    out["start"] = pd.to_datetime(out["start"])
    out["end"] = pd.to_datetime(out["end"])
    out["activity"] = out["activity"].astype(str) if "activity" in out else "pull-off"
    # absent agents' pull-offs go with them
    out = out[out["agent"].isin(set(today["agent"]))]
    for row in out.itertuples(index=False):
        mine = today[today["agent"] == row.agent]
        if not ((mine["start"] <= row.start) & (mine["end"] >= row.end)).any():
            raise ValueError(
                f"pulloffs: {row.activity!r} of agent {row.agent!r} ({row.start} to {row.end}) "
                "is not inside one of their shifts today"
            )
    return out[["agent", "start", "end"]].assign(kind="pulloff", activity=out["activity"].values)
