"""What a roster puts on the floor per interval, and meals placed where the floor can spare it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from roster.shifts import ShiftTemplate

__all__ = ["place_meals", "roster_coverage"]


def roster_coverage(
    assignments: pd.DataFrame,
    templates: Sequence[ShiftTemplate],
    index: pd.DatetimeIndex,
    interval: int,
    meals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Agents at work, on placed meals and net of short breaks per interval, from assignments.

    Each count is the time-average over the interval: an agent working half of it counts 0.5.

    Parameters
    ----------
    assignments : pandas.DataFrame
        ``shift`` (template name), ``start``, ``end`` and optionally ``break_start``,
        ``break_end`` (the placed meal), as ``Roster.assignments``.
    templates : sequence of ShiftTemplate
        Give each shift's short breaks per working hour.
    index : pandas.DatetimeIndex
        Interval starts.
    interval : int
        Interval length. [s]
    meals : pandas.DataFrame, optional
        Every placed meal, ``shift``, ``start``, ``end`` (as ``Roster.breaks``), for shifts
        with more than one; used instead of ``break_start`` and ``break_end``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``index``: ``at_work``, ``on_break``, ``net`` =
        ``(at_work - on_break) × (1 - short_breaks / 3600)`` summed per shift.
    """
    short = {t.name: t.short_breaks for t in templates}
    unknown = set(assignments["shift"]) - set(short)
    if unknown:
        raise ValueError(f"assignments: shifts {sorted(map(str, unknown))} not in templates")
    rate = 1.0 - assignments["shift"].map(short).to_numpy(float) / 3600.0
    origin = index[0] if len(index) else pd.Timestamp(0)

    def seconds(col):
        return (pd.DatetimeIndex(assignments[col]) - origin).total_seconds().to_numpy(float)

    lo = (index - origin).total_seconds().to_numpy(float)
    hi = lo + interval
    s, e = seconds("start"), seconds("end")
    ones = np.ones(len(assignments))
    at_work = _time_in(s, e, ones, lo, hi) / interval
    net_work = _time_in(s, e, rate, lo, hi) / interval
    on_break = np.zeros(len(index))
    net_break = np.zeros(len(index))
    if meals is not None and len(meals):
        meal_rate = 1.0 - meals["shift"].map(short).to_numpy(float) / 3600.0
        bs = (pd.DatetimeIndex(meals["start"]) - origin).total_seconds().to_numpy(float)
        be = (pd.DatetimeIndex(meals["end"]) - origin).total_seconds().to_numpy(float)
        on_break = _time_in(bs, be, np.ones(len(meals)), lo, hi) / interval
        net_break = _time_in(bs, be, meal_rate, lo, hi) / interval
    elif meals is None and {"break_start", "break_end"} <= set(assignments.columns):
        has = assignments["break_start"].notna().to_numpy()
        bs, be = seconds("break_start")[has], seconds("break_end")[has]
        on_break = _time_in(bs, be, ones[has], lo, hi) / interval
        net_break = _time_in(bs, be, rate[has], lo, hi) / interval
    # a difference of sums of ramps: rounding can leave -1e-12 where nobody works
    net = np.maximum(net_work - net_break, 0.0)
    return pd.DataFrame({"at_work": at_work, "on_break": on_break, "net": net}, index=index)


def place_meals(
    assignments: pd.DataFrame,
    blocks: pd.DataFrame,
    templates: Sequence[ShiftTemplate],
    required: pd.Series,
    interval: int,
) -> pd.DataFrame:
    """Give each named shift without a meal the first meal of its template.

    The meal blocks placed by stage 1 (``ShiftSchedule.breaks``) are handed out in start order
    to the agents working that shift that day (agents in name order); a shift left without a
    block (the roster worked more of it than stage 1 asked) gets its meal where the roster's
    surplus over ``required`` is largest, one shift at a time.

    Returns
    -------
    pandas.DataFrame
        ``assignments`` with ``break_start`` and ``break_end`` filled.
    """
    out = assignments.copy()
    for col in ("break_start", "break_end"):
        if col not in out.columns:
            out[col] = pd.NaT
        out[col] = pd.to_datetime(out[col])
    by_name = {t.name: t for t in templates}
    need = out["break_start"].isna() & out["shift"].map(lambda n: bool(by_name[n].breaks))
    if not need.any():
        return out
    first = blocks
    if len(blocks) and "break" in blocks.columns:
        meal_of = {t.name: t.breaks[0].name for t in templates if t.breaks}
        first = blocks[blocks["break"] == blocks["shift"].map(meal_of)]
    handed = []
    for (date, shift), g in first.sort_values("start").groupby(["date", "shift"], sort=False):
        rows = out.index[need & (out["date"] == date) & (out["shift"] == shift)]
        rows = out.loc[rows].sort_values("agent").index
        starts = np.repeat(g["start"].to_numpy(), g["agents"].to_numpy().astype(int))
        ends = np.repeat(g["end"].to_numpy(), g["agents"].to_numpy().astype(int))
        k = min(len(rows), len(starts))
        out.loc[rows[:k], "break_start"] = starts[:k]
        out.loc[rows[:k], "break_end"] = ends[:k]
        handed.extend(rows[:k])
    left = out.index[need & out["break_start"].isna()]
    if len(left) == 0:
        return out
    step = pd.Timedelta(seconds=interval)
    grid = pd.date_range(
        out["date"].min(), out["end"].max().ceil("D"), freq=step, inclusive="left"
    )
    cover = roster_coverage(out, templates, grid, interval)
    surplus = cover["net"].to_numpy() - required.reindex(grid, fill_value=0).to_numpy()
    origin = grid[0]
    for r in left:
        t = by_name[out.at[r, "shift"]]
        rule = t.breaks[0]
        keep = 1.0 - t.short_breaks / 3600.0
        base = int((pd.Timestamp(out.at[r, "date"]) - origin) // step)
        slots = base + t.break_starts(rule, interval)
        m = rule.length // interval
        span = slots[:, None] + np.arange(m)[None, :]
        span_ok = span.max(axis=1) < len(surplus)
        if not span_ok.any():
            continue
        slots, span = slots[span_ok], span[span_ok]
        best = int(slots[int(np.argmax(surplus[span].min(axis=1)))])
        surplus[best : best + m] -= keep
        out.at[r, "break_start"] = origin + best * step
        out.at[r, "break_end"] = origin + best * step + pd.Timedelta(seconds=rule.length)
    return out


def _time_in(start, end, weight, lo, hi) -> np.ndarray:
    """``Σ_i w_i |[start_i, end_i) ∩ [lo_k, hi_k)|`` for every k, in O((n + K) log n).

    With ``G(p) = Σ_i w_i (p - x_i)⁺`` over sorted points, the weighted time spans cover up to
    ``p`` is ``G_start(p) - G_end(p)``; the time inside an interval is its difference at the
    two ends.
    """

    def ramp(x, p):
        order = np.argsort(x)
        xs, ws = x[order], weight[order]
        cw = np.concatenate([[0.0], np.cumsum(ws)])
        cwx = np.concatenate([[0.0], np.cumsum(ws * xs)])
        k = np.searchsorted(xs, p, side="left")
        return p * cw[k] - cwx[k]

    if len(start) == 0:
        return np.zeros(len(lo))
    total = ramp(start, hi) - ramp(end, hi) - ramp(start, lo) + ramp(end, lo)
    return np.maximum(total, 0.0)
