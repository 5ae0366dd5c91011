"""Shift swaps (调班) between agents: validate a request, return the new roster or a refusal."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from roster.check import _shortfall, check
from roster.rules import Rules

__all__ = ["SwapResult", "swap"]


@dataclass(frozen=True)
class SwapResult:
    """Outcome of a swap request.

    Attributes
    ----------
    accepted : bool
    assignments : pandas.DataFrame
        The roster after the swap when accepted (swapped rows flagged in column ``swapped``),
        the roster unchanged otherwise.
    reasons : tuple of str
        Why the swap was refused (empty when accepted).
    new_violations : pandas.DataFrame
        Rule violations the swap would introduce (those of :func:`roster.check` absent before).
    """

    accepted: bool
    assignments: pd.DataFrame
    reasons: tuple = ()
    new_violations: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def _count_swaps(history: pd.DataFrame, agent, month: pd.Period) -> int:
    if history is None or history.empty:
        return 0
    d1 = pd.to_datetime(history["date"]).dt.to_period("M")
    d2 = pd.to_datetime(history.get("with_date", history["date"])).dt.to_period("M")
    gives = (history["agent"] == agent) & (d1 == month)
    takes = (history["with_agent"] == agent) & (d2 == month)
    return int((gives | takes).sum())


def swap(
    assignments: pd.DataFrame,
    agent,
    date,
    with_agent,
    *,
    requested_at,
    with_date=None,
    rules: Rules | None = None,
    history: pd.DataFrame | None = None,
    requirement: pd.Series | None = None,
    leave: pd.DataFrame | None = None,
    notice: float = 86400.0,
    max_per_month: int = 4,
    dates=None,
    month_days: int | None = None,
) -> SwapResult:
    """Validate and apply a swap: ``agent``'s day ``date`` against ``with_agent``'s day
    ``with_date`` (default the same date).

    Each agent takes over what the other had on that day, a shift or a day off, so a swap
    can also give a shift away (the other agent was off) as long as every rule still holds.

    Parameters
    ----------
    assignments : pandas.DataFrame
        The roster (:attr:`Roster.assignments` layout; a boolean ``swapped`` column marks
        shifts already swapped).
    agent, with_agent : str
    date, with_date : date-like
        Days exchanged.
    requested_at : Timestamp-like
        When the swap was asked.
    rules : Rules, optional
    history : pandas.DataFrame, optional
        Swaps already made: ``agent``, ``date``, ``with_agent``, ``with_date``. Counts towards
        ``max_per_month`` (given and taken) and marks shifts that cannot be swapped again.
    requirement : pandas.Series, optional
        Agents required per interval; the swap may not increase any interval's shortfall.
    leave : pandas.DataFrame, optional
        Approved leave (``agent``, ``date``).
    notice : float
        Least time between the request and the first shift touched [s]; one day. A swap
        asked on the day itself is always refused.
    max_per_month : int
        Most swaps per agent per calendar month, given and taken together; 4.
    dates : sequence of dates, optional
        The roster's horizon (default: first to last assignment date).
    month_days : int, optional
        Passed to :func:`roster.check`.

    Returns
    -------
    SwapResult
    """
    rules = Rules() if rules is None else rules
    date = pd.Timestamp(date).normalize()
    with_date = date if with_date is None else pd.Timestamp(with_date).normalize()
    requested_at = pd.Timestamp(requested_at)
    if agent == with_agent and date == with_date:
        raise ValueError(f"agent={agent!r} cannot swap date={date.date()} with itself")
    if notice < 0:
        raise ValueError(f"notice={notice!r} must be non-negative")
    a = assignments.copy()
    a["date"] = pd.to_datetime(a["date"]).dt.normalize()
    if "swapped" not in a.columns:
        a["swapped"] = False
    known = set(a["agent"])
    for name, value in (("agent", agent), ("with_agent", with_agent)):
        if value not in known:
            raise ValueError(f"{name}={value!r} has no shift on the roster")
    reasons = []

    mine = (a["agent"] == agent) & (a["date"] == date)
    theirs = (a["agent"] == with_agent) & (a["date"] == with_date)
    if not mine.any() and not theirs.any():
        reasons.append("neither agent has a shift on the days named: nothing to swap")
    touched = a[mine | theirs]
    first = touched["start"].min() if len(touched) else min(date, with_date)
    first = min(pd.Timestamp(first), date, with_date)
    if requested_at.normalize() >= min(date, with_date):
        reasons.append(
            f"same-day or late request: asked {requested_at} for {min(date, with_date).date()}"
        )
    elif (first - requested_at) / pd.Timedelta(seconds=1) < notice:
        reasons.append(
            f"too little notice: asked {requested_at}, first shift touched starts {first} "
            f"(needs {notice / 3600:g} h)"
        )
    for who, day in ((agent, date), (with_agent, with_date)):
        n = _count_swaps(history, who, day.to_period("M"))
        if n >= max_per_month:
            reasons.append(
                f"{who!r} already has {n} swaps in {day.to_period('M')} (max {max_per_month})"
            )
    already = touched["swapped"].astype(bool)
    if history is not None and len(history):
        hd = pd.to_datetime(history["date"]).dt.normalize()
        hwd = pd.to_datetime(history.get("with_date", history["date"])).dt.normalize()
        prior = set(zip(history["agent"], hwd, strict=True)) | set(
            zip(history["with_agent"], hd, strict=True)
        )
        already = already | np.array(
            [(r.agent, r.date) in prior for r in touched.itertuples(index=False)], dtype=bool
        )
    if already.any():
        r = touched[already].iloc[0]
        reasons.append(
            f"shift {r['shift']} of {r['agent']!r} on {r['date'].date()} was "
            "already swapped; it cannot be swapped again"
        )
    unchanged = assignments.copy()
    if "swapped" not in unchanged.columns:
        unchanged["swapped"] = False  # the same layout whether accepted or not
    if reasons:
        return SwapResult(False, unchanged, tuple(reasons))

    new = a.copy()
    moved_mine = new[mine].copy()
    moved_theirs = new[theirs].copy()
    shift_by = with_date - date
    moved_mine["agent"] = with_agent
    moved_theirs["agent"] = agent
    for col in ("date", "start", "end", "break_start", "break_end"):
        if col in new.columns:
            moved_mine[col] = pd.to_datetime(moved_mine[col]) + shift_by
            moved_theirs[col] = pd.to_datetime(moved_theirs[col]) - shift_by
    moved_mine["swapped"] = True
    moved_theirs["swapped"] = True
    new = pd.concat([new[~(mine | theirs)], moved_mine, moved_theirs], ignore_index=True)
    new = new.sort_values(["agent", "start"]).reset_index(drop=True)

    if dates is None:
        dates = pd.date_range(a["date"].min(), a["date"].max(), freq="D")
    pair = [agent, with_agent]
    kw = {"dates": dates, "agents": pair, "leave": leave, "month_days": month_days}
    before = check(a[a["agent"].isin(pair)], rules, **kw)
    after = check(new[new["agent"].isin(pair)], rules, **kw)
    key = ["agent", "date", "rule", "detail"]
    merged = after.merge(before[key], on=key, how="left", indicator=True)
    added = merged[(merged["_merge"] == "left_only") & (merged["severity"] == "hard")]
    added = added.drop(columns="_merge")
    if len(added):
        reasons += [f"{r.agent}: {r.rule} ({r.detail})" for r in added.itertuples(index=False)]
    if requirement is not None:
        old = _shortfall(a, requirement)
        now = _shortfall(new, requirement)
        old_gap = (old["required"] - old["on_duty"]).reindex(now.index, fill_value=0.0)
        worse = (now["required"] - now["on_duty"]) > old_gap + 1e-9
        if worse.any():
            t = now.index[worse][0]
            reasons.append(
                f"coverage: {int(worse.sum())} intervals fall further short of the "
                f"requirement (first {t})"
            )
    if reasons:
        return SwapResult(False, unchanged, tuple(reasons), added.reset_index(drop=True))
    return SwapResult(True, new, (), added.reset_index(drop=True))
