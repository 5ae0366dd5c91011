"""Rule checks of a roster: every violation of the labour rules and of the requirement."""

from __future__ import annotations

import numpy as np
import pandas as pd

from roster.rules import Rules

__all__ = ["check", "night_class"]

_COLUMNS = ["agent", "date", "rule", "severity", "detail"]
_H = 3600.0


def night_class(start, end) -> np.ndarray:
    """Night class of shifts from their start and end Timestamps.

    A shift working past the midnight after its start day, or ending after 23:00 or at/before
    08:00, is a big night (大夜班); one ending in [22:00, 23:00] a small night (小夜班);
    the same end-time rule as :attr:`roster.ShiftTemplate.night_class`.

    Parameters
    ----------
    start, end : array-like of Timestamps

    Returns
    -------
    numpy.ndarray of str: ``"none"``, ``"small"`` or ``"big"``.
    """
    start = pd.DatetimeIndex(start)
    end = pd.DatetimeIndex(end)
    day0 = start.normalize()
    end_s = np.asarray((end - day0) / pd.Timedelta(seconds=1), dtype=float)
    clock = (end_s - 1) % 86400 + 1
    big = (end_s > 86400) | (clock > 23 * _H) | (clock <= 8 * _H)
    small = ~big & (clock >= 22 * _H)
    return np.where(big, "big", np.where(small, "small", "none"))


def _runs(work: np.ndarray):
    """(start, length, value) of maximal runs of a boolean vector."""
    if len(work) == 0:
        return []
    change = np.flatnonzero(np.diff(work.astype(np.int8))) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(work)]])
    return [(int(a), int(b - a), bool(work[a])) for a, b in zip(starts, ends, strict=True)]


def check(
    assignments: pd.DataFrame,
    rules: Rules | None = None,
    *,
    dates=None,
    agents=None,
    leave: pd.DataFrame | None = None,
    requirement: pd.Series | None = None,
    month_days: int | None = None,
) -> pd.DataFrame:
    """List every violation of the rules in a roster.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Columns ``agent``, ``date``, ``shift``, ``start``, ``end``; optional ``paid`` [s]
        (default ``end - start`` less unpaid time unknown, i.e. the span), ``break_start``,
        ``break_end`` (a placed meal, off the floor), ``night``.
    rules : Rules, optional
    dates : sequence of dates, optional
        The horizon (default: first to last assignment date).
    agents : sequence of str, optional
        All agents on the roster, so that an agent with no shift is checked too.
    leave : pandas.DataFrame, optional
        Approved leave ``agent``, ``date``: shifts on these days are violations.
    requirement : pandas.Series, optional
        Agents required per interval (indexed by interval start); intervals where fewer agents
        are on duty (breaks taken off) are reported with ``agent`` empty and rule
        ``coverage``.
    month_days : int, optional
        Days in the month the monthly rules refer to (default: the horizon's length).

    Returns
    -------
    pandas.DataFrame
        Columns ``agent``, ``date`` (NaT for month-level rules), ``rule`` (the ``Rules`` field
        broken, or ``one_shift_per_day``, ``leave``, ``coverage``), ``severity`` (``"hard"``
        or ``"soft"`` for penalised runs beyond ``soft_max_consecutive_days``), ``detail``.
        Empty when the roster is clean.
    """
    rules = Rules() if rules is None else rules
    if not isinstance(rules, Rules):
        raise TypeError(f"rules={rules!r} must be a roster.Rules")
    need = {"agent", "date", "shift", "start", "end"}
    if not isinstance(assignments, pd.DataFrame) or not need <= set(assignments.columns):
        missing = sorted(need - set(getattr(assignments, "columns", [])))
        raise ValueError(
            f"assignments must be a DataFrame with columns {sorted(need)}; missing {missing}"
        )
    a = assignments.copy()
    a["date"] = pd.to_datetime(a["date"]).dt.normalize()
    a["start"] = pd.to_datetime(a["start"])
    a["end"] = pd.to_datetime(a["end"])
    bad = a["end"] <= a["start"]
    if bad.any():
        row = a[bad].iloc[0]
        raise ValueError(
            f"assignments: end <= start for agent {row['agent']!r} on {row['date'].date()}"
        )
    if "paid" not in a.columns:
        a["paid"] = (a["end"] - a["start"]) / pd.Timedelta(seconds=1)
    if "night" not in a.columns:
        a["night"] = night_class(a["start"], a["end"])
    if dates is None:
        if a.empty:
            return pd.DataFrame(columns=_COLUMNS)
        dates = pd.date_range(a["date"].min(), a["date"].max(), freq="D")
    else:
        dates = pd.DatetimeIndex(pd.to_datetime(list(dates))).normalize()
    D = len(dates)
    month_days = D if month_days is None else month_days
    dpos = {d: i for i, d in enumerate(dates)}
    outside = ~a["date"].isin(dates)
    out = []

    def add(agent, date, rule, detail, severity="hard"):
        out.append(
            {"agent": agent, "date": date, "rule": rule, "severity": severity, "detail": detail}
        )

    for row in a[outside].itertuples(index=False):
        add(row.agent, row.date, "horizon", f"shift {row.shift} outside the horizon")
    a = a[~outside]
    names = list(dict.fromkeys([*(agents if agents is not None else []), *a["agent"]]))
    lo, hi = rules.monthly_target(D, month_days)
    leave_set = set()
    if leave is not None and len(leave):
        lv = leave.copy()
        lv["date"] = pd.to_datetime(lv["date"]).dt.normalize()
        leave_set = set(zip(lv["agent"], lv["date"], strict=True))
    weekend = dates.day_of_week >= 5
    week = dates.isocalendar().week.to_numpy()

    for agent in names:
        g = a[a["agent"] == agent].sort_values("start")
        for d, n in g["date"].value_counts().items():
            if n > 1:
                add(agent, d, "one_shift_per_day", f"{n} shifts on one day")
        work = np.zeros(D, dtype=bool)
        work[[dpos[d] for d in g["date"]]] = True
        shifts = dict(zip(g["date"], g["shift"], strict=False))
        for row in g.itertuples(index=False):
            p = float(row.paid)
            if p < rules.min_shift_paid - 1e-6 or p > rules.max_shift_paid + 1e-6:
                add(
                    agent,
                    row.date,
                    "max_shift_paid" if p > rules.max_shift_paid else "min_shift_paid",
                    f"shift {row.shift} pays {p / _H:g} h, band "
                    f"[{rules.min_shift_paid / _H:g}, {rules.max_shift_paid / _H:g}] h",
                )
            if (agent, row.date) in leave_set:
                add(agent, row.date, "leave", f"works {row.shift} on approved leave")
        total = float(g["paid"].sum())
        if total < lo - 1e-6 or total > hi + 1e-6:
            add(
                agent,
                pd.NaT,
                "monthly_paid",
                f"{total / _H:g} h paid, band [{lo / _H:g}, {hi / _H:g}] h",
            )
        # a shift ending after the next midnight takes that day's rest (whole_rest_days)
        crosses = np.zeros(D, dtype=bool)
        past = (g["end"] > g["date"] + pd.Timedelta(days=1)).to_numpy()
        crosses[[dpos[d] for d in g["date"][past]]] = True
        need_rest = rules.rest_days_needed(D, month_days)
        rest = int(rules.rest_days(work, crosses))
        if rest < need_rest:
            off = D - int(work.sum())
            detail = f"{rest} days off < {need_rest}"
            if rest < off:
                detail = f"{rest} whole rest days ({off} days off) < {need_rest}"
            add(agent, pd.NaT, "min_rest_days", detail)
        for start, n, is_work in _runs(work):
            if is_work and n > rules.max_consecutive_days:
                add(agent, dates[start], "max_consecutive_days", f"{n} working days in a row")
            elif is_work and n > rules.soft_max_consecutive_days:
                add(
                    agent,
                    dates[start],
                    "soft_max_consecutive_days",
                    f"{n} working days in a row (penalised)",
                    severity="soft",
                )
        starts = g["start"].to_numpy()
        ends = g["end"].to_numpy()
        gaps = (starts[1:] - ends[:-1]) / np.timedelta64(1, "s")
        for k in np.flatnonzero(gaps < rules.min_rest_between_shifts - 1e-6):
            add(
                agent,
                g["date"].iloc[k + 1],
                "min_rest_between_shifts",
                f"{gaps[k] / _H:g} h rest after shift {g['shift'].iloc[k]} "
                f"< {rules.min_rest_between_shifts / _H:g} h",
            )
        for row in g.itertuples(index=False):
            nxt = row.date + pd.Timedelta(days=1)
            if rules.rest_after_big_night and row.night == "big" and nxt in shifts:
                add(agent, nxt, "rest_after_big_night", f"works {shifts[nxt]} after a big night")
            if nxt in shifts and shifts[nxt] in rules.forbidden_next.get(row.shift, ()):
                add(agent, nxt, "forbidden_next", f"{shifts[nxt]} after {row.shift}")
        nights = int((g["night"] == "big").sum())
        if rules.max_nights is not None and nights > rules.max_nights:
            add(agent, pd.NaT, "max_nights", f"{nights} big nights > {rules.max_nights}")
        weekends = len(set(week[work & weekend]))
        if rules.max_weekends is not None and weekends > rules.max_weekends:
            add(agent, pd.NaT, "max_weekends", f"{weekends} weekends > {rules.max_weekends}")
        for name, cap in rules.max_shifts.items():
            n = int((g["shift"] == name).sum())
            if n > cap:
                add(agent, pd.NaT, "max_shifts", f"{n} shifts {name} > {cap}")

    if requirement is not None:
        for t, (req, have) in _shortfall(a, requirement).iterrows():
            add("", t.normalize(), "coverage", f"{t}: {have:g} on duty < {req:g} required")
    return pd.DataFrame(out, columns=_COLUMNS)


def on_duty(assignments: pd.DataFrame, index: pd.DatetimeIndex, interval: int) -> np.ndarray:
    """Agents on duty during each whole interval starting at ``index`` (placed meals off)."""
    t = index.asi8.astype(np.int64)
    scale = {"ns": 10**9, "us": 10**6, "ms": 10**3, "s": 1}[index.unit]
    step = interval * scale
    counts = np.zeros(len(index))
    if assignments.empty:
        return counts

    def ticks(col):
        return pd.DatetimeIndex(assignments[col]).as_unit(index.unit).asi8

    s, e = ticks("start"), ticks("end")
    for a, b in zip(s, e, strict=True):
        counts += (t >= a) & (t + step <= b)
    if "break_start" in assignments.columns:
        has = assignments["break_start"].notna().to_numpy()
        if has.any():
            bs = pd.DatetimeIndex(assignments["break_start"][has]).as_unit(index.unit).asi8
            be = pd.DatetimeIndex(assignments["break_end"][has]).as_unit(index.unit).asi8
            for a, b in zip(bs, be, strict=True):
                counts -= (t < b) & (t + step > a)
    return counts


def _shortfall(assignments, requirement: pd.Series) -> pd.DataFrame:
    idx = pd.DatetimeIndex(requirement.index)
    from forecast import interval_length  # deferred: ``roster`` imports this module eagerly

    interval = interval_length(idx, name="requirement", grid=False)
    have = on_duty(assignments, idx, interval)
    req = requirement.to_numpy(dtype=float)
    mask = have < req - 1e-9
    return pd.DataFrame({"required": req[mask], "on_duty": have[mask]}, index=idx[mask])
