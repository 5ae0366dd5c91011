"""Who is on the floor when: staffing levels and shift assignments as agent availability.

The simulation (:mod:`roster.simulation`) serves calls with agents who are available over
windows of time. This module builds those windows, in seconds from the start of the first
interval, from the three ways a plan reaches it:

* a staffing level per interval (agents numbered by seniority on the floor, or a step
  function capping calls in service);
* named shift assignments, one row per agent and shift, with breaks in a separate frame or in
  ``break_start``/``break_end`` columns (the form of :class:`roster.people.Roster`
  ``assignments``);
* counted shifts, one row per shift with an ``agents`` count, and counted break blocks
  (the form of :class:`roster.seats.ShiftSchedule` ``shifts`` and ``breaks``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["level_windows", "shift_windows", "staffing_steps"]


def staffing_steps(starts, length, level):
    """Agents on as a step function: the interval levels, zero in gaps, the last level kept.

    Parameters
    ----------
    starts : ndarray of float
        Interval starts, increasing. [s]
    length : float
        Interval length. [s]
    level : ndarray of int
        Agents on per interval.

    Returns
    -------
    step_time : ndarray of float
        Times at which the level changes (the first is the first interval start). [s]
    step_value : ndarray of int
        Level from each step time on.
    """
    ends = starts + length
    gap = np.append(starts[1:] > ends[:-1], False)
    times = np.concatenate([starts, ends[gap]])
    values = np.concatenate([level, np.zeros(int(gap.sum()), np.int64)])
    order = np.argsort(times, kind="stable")
    return times[order], values[order]


def level_windows(starts, length, level):
    """Availability windows of agents numbered by seniority on the floor.

    Agent ``i`` is on in the intervals whose level exceeds ``i``, so a rise brings in the
    highest numbers and a drop sends them off first. Windows of adjacent intervals join; the
    agents on in the first interval have been on since before it (a warm-up), and those on in
    the last interval stay on after it.

    Returns
    -------
    offset, window_start, window_end : ndarray
        Agent ``i`` owns windows ``offset[i]:offset[i + 1]``. [s]
    """
    n_agents = int(level.max()) if level.size else 0
    on = level[None, :] > np.arange(n_agents)[:, None]
    ends = starts + length
    ends[-1] = np.inf
    joined = np.append(starts[1:] == ends[:-1], False)  # interval k runs into k + 1
    prev_on = np.zeros_like(on)
    prev_on[:, 1:] = on[:, :-1] & joined[None, :-1]
    next_on = np.zeros_like(on)
    next_on[:, :-1] = on[:, 1:] & joined[None, :-1]
    begins = starts.astype(float)
    begins[0] = -np.inf
    agent, first = np.nonzero(on & ~prev_on)
    _, last = np.nonzero(on & ~next_on)
    offset = np.concatenate([[0], np.cumsum(np.bincount(agent, minlength=n_agents))])
    return offset.astype(np.int64), begins[first], ends[last]


def shift_windows(shifts, breaks, index):
    """Availability windows per agent from shift assignments and breaks.

    Parameters
    ----------
    shifts : DataFrame
        Columns ``start`` and ``end`` (timestamps comparable with ``index``, or seconds from
        ``index[0]``) and either ``agent`` (named; one agent may have many rows), ``agents``
        (a count of identical agents working that shift) or neither (one agent per row).
        Optional ``break_start`` and ``break_end`` columns (NaT/NaN for none) add one break
        per row.
    breaks : DataFrame or None
        Named: columns ``agent``, ``start``, ``end``. Counted (with counted shifts): columns
        ``date``, ``shift``, ``start``, ``end``, ``agents`` and optionally ``break`` (the break
        rule); the blocks of each (``date``, ``shift``, ``break``) are handed out in start
        order to the agents of the shift rows with that ``date`` and ``shift``.
    index : Index
        The volume index; its first element is time zero.

    Returns
    -------
    offset, window_start, window_end : ndarray
        Agent ``i`` owns windows ``offset[i]:offset[i + 1]``: its shifts merged, minus its
        breaks. [s]
    """
    if not isinstance(shifts, pd.DataFrame) or not {"start", "end"} <= set(shifts.columns):
        raise ValueError("shifts must be a DataFrame with columns start and end")
    start = _to_seconds(shifts["start"], index, "shifts.start")
    end = _to_seconds(shifts["end"], index, "shifts.end")
    bad = ~(np.isfinite(start) & np.isfinite(end) & (end > start))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"shifts row {shifts.index[i]!r}: end must be after start")

    counted = "agents" in shifts.columns and "agent" not in shifts.columns
    if counted:
        counts = shifts["agents"].to_numpy(float)
        if np.any(~np.isfinite(counts) | (counts < 0) | (counts != np.round(counts))):
            raise ValueError("shifts.agents must hold whole numbers >= 0")
        counts = counts.astype(np.int64)
        row_of = np.repeat(np.arange(len(shifts)), counts)  # one agent per worked shift
        spans = [[(start[r], end[r])] for r in row_of]
    else:
        agent = shifts["agent"].to_numpy() if "agent" in shifts else np.arange(len(shifts))
        codes, names = pd.factorize(agent, sort=True)
        spans = [[] for _ in range(len(names))]
        for c, a, b in zip(codes, start, end, strict=True):
            spans[c].append((a, b))
    cuts = [[] for _ in spans]

    if {"break_start", "break_end"} <= set(shifts.columns):
        b0 = _to_seconds(shifts["break_start"], index, "shifts.break_start")
        b1 = _to_seconds(shifts["break_end"], index, "shifts.break_end")
        has = ~(np.isnan(b0) & np.isnan(b1))
        for r in np.flatnonzero(has):
            _check_break(shifts.index[r], b0[r], b1[r], "shifts")
        rows_to_agents = (
            np.split(np.arange(row_of.size), np.cumsum(counts)[:-1])
            if counted
            else [[c] for c in codes]
        )
        for r in np.flatnonzero(has):
            for i in rows_to_agents[r]:
                cuts[i].append((b0[r], b1[r]))

    if breaks is not None:
        if not isinstance(breaks, pd.DataFrame):
            raise ValueError("breaks must be a DataFrame")
        if counted:
            _counted_breaks(shifts, counts, breaks, index, cuts)
        else:
            _named_breaks(breaks, names, index, cuts)

    offset = [0]
    w_start, w_end = [], []
    for own, cut in zip(spans, cuts, strict=True):
        merged = _subtract(_merge(own), _merge(cut))
        w_start += [a for a, _ in merged]
        w_end += [b for _, b in merged]
        offset.append(len(w_start))
    return (
        np.asarray(offset, np.int64),
        np.asarray(w_start, float),
        np.asarray(w_end, float),
    )


def _named_breaks(breaks, names, index, cuts):
    if not {"agent", "start", "end"} <= set(breaks.columns):
        raise ValueError("breaks must be a DataFrame with columns agent, start and end")
    lookup = {name: i for i, name in enumerate(names)}
    b0 = _to_seconds(breaks["start"], index, "breaks.start")
    b1 = _to_seconds(breaks["end"], index, "breaks.end")
    for row, a, lo, hi in zip(breaks.index, breaks["agent"], b0, b1, strict=True):
        if a not in lookup:
            raise ValueError(f"breaks row {row!r}: agent {a!r} has no shift")
        _check_break(row, lo, hi, "breaks")
        cuts[lookup[a]].append((lo, hi))


def _counted_breaks(shifts, counts, breaks, index, cuts):
    need = {"date", "shift", "start", "end", "agents"}
    if not need <= set(breaks.columns) or not {"date", "shift"} <= set(shifts.columns):
        raise ValueError(
            "with counted shifts, shifts need date and shift columns and breaks need "
            "date, shift, start, end and agents"
        )
    first_agent = np.concatenate([[0], np.cumsum(counts)[:-1]])
    group_agents = {}
    for r, key in enumerate(zip(shifts["date"], shifts["shift"], strict=True)):
        group_agents.setdefault(key, []).extend(range(first_agent[r], first_agent[r] + counts[r]))
    b0 = _to_seconds(breaks["start"], index, "breaks.start")
    b1 = _to_seconds(breaks["end"], index, "breaks.end")
    rule = breaks["break"] if "break" in breaks.columns else pd.Series("", index=breaks.index)
    frame = pd.DataFrame(
        {
            "date": breaks["date"],
            "shift": breaks["shift"],
            "rule": rule,
            "lo": b0,
            "hi": b1,
            "n": breaks["agents"],
        }
    ).sort_values(["date", "shift", "rule", "lo"], kind="stable")
    for (date, shift, rule_name), blocks in frame.groupby(["date", "shift", "rule"], sort=False):
        agents = group_agents.get((date, shift))
        if agents is None:
            raise ValueError(f"breaks for shift {shift!r} on {date!r} match no shifts row")
        total = int(blocks["n"].sum())
        if total > len(agents):
            raise ValueError(
                f"breaks {rule_name!r} of shift {shift!r} on {date!r}: {total} agents on break "
                f"but {len(agents)} on the shift"
            )
        k = 0
        for row, lo, hi, n in zip(
            blocks.index, blocks["lo"], blocks["hi"], blocks["n"], strict=True
        ):
            _check_break(row, lo, hi, "breaks")
            for i in agents[k : k + int(n)]:
                cuts[i].append((lo, hi))
            k += int(n)


def _check_break(row, lo, hi, name):
    if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
        raise ValueError(f"{name} row {row!r}: break end must be after its start")


def _to_seconds(values, index, name):
    """Seconds from ``index[0]`` of timestamps, or the values as given if numeric."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(float)
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"{name} holds timestamps but volume has no DatetimeIndex")
    try:
        stamps = pd.to_datetime(values)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} holds values that are neither seconds nor times") from err
    if (stamps.dt.tz is None) != (index.tz is None):
        raise ValueError(f"{name} and the volume index disagree on having a time zone")
    seconds = (stamps - index[0]).dt.total_seconds()
    return seconds.to_numpy(float, na_value=np.nan)


def _merge(spans):
    out = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _subtract(spans, cuts):
    out = []
    for a, b in spans:
        for c0, c1 in cuts:
            if c1 <= a or c0 >= b:
                continue
            if c0 > a:
                out.append((a, c0))
            a = max(a, c1)
            if a >= b:
                break
        if a < b:
            out.append((a, b))
    return out
