"""Pull-offs (抽调: meetings, coaching, training) placed only where coverage can spare them.

A pull-off takes agents off the phones for a block of time. It is placed at the start, inside
its window, that leaves the most agents to spare, and only if net coverage stays at or above
requirement (plus a margin) in every interval of the block, so pull-offs never land in peaks
or in thinly staffed intervals. What cannot be placed is reported with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast import interval_length

__all__ = ["PulloffPlan", "place_pulloffs"]

_REQUIRED_COLUMNS = ("activity", "duration", "earliest", "latest")


@dataclass(frozen=True)
class PulloffPlan:
    """Result of :func:`place_pulloffs`.

    Attributes
    ----------
    placed : pandas.DataFrame
        One row per placed request (index: the request's index): ``activity``, ``agent``,
        ``agents``, ``start``, ``end``, ``spare`` (least net agents above requirement and
        margin left in the block after placing it).
    unplaced : pandas.DataFrame
        One row per request not placed (index: the request's index): ``activity``, ``agent``,
        ``agents``, ``reason``.
    coverage : pandas.DataFrame
        The coverage given, with ``pulled`` (agents off the phones for pull-offs), and
        ``net`` and ``gap`` after them.
    """

    placed: pd.DataFrame
    unplaced: pd.DataFrame
    coverage: pd.DataFrame


def place_pulloffs(
    coverage: pd.DataFrame,
    requests: pd.DataFrame,
    *,
    assignments: pd.DataFrame | None = None,
    margin: float = 0.0,
    interval: int | None = None,
) -> PulloffPlan:
    """Place pull-off blocks where net coverage stays at or above requirement.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Per interval start (DatetimeIndex): ``required`` and ``net`` agents, as in
        ``ShiftSchedule.coverage`` or ``Roster.coverage``; optional ``scheduled`` and
        ``on_break`` (to take the short-break share off a pulled agent's contribution) and
        ``floor`` (agents online may not drop below it).
    requests : pandas.DataFrame
        One row per pull-off, placed in row order (sort by priority first): ``activity``
        (label), ``duration`` [s], ``earliest`` and ``latest`` (Timestamps bounding the
        block's start), optional ``agents`` (heads taken together, default 1) and ``agent``
        (a named agent who must be on shift and off break for the whole block; needs
        ``assignments``).
    assignments : pandas.DataFrame, optional
        Named roster rows ``agent``, ``start``, ``end`` and optional ``break_start``,
        ``break_end`` (as ``Roster.assignments``).
    margin : float
        Agents that must remain above requirement in every interval of a block.
    interval : int, optional
        Interval length, inferred from the index when omitted (see
        :func:`forecast.interval_length`). [s]

    Returns
    -------
    PulloffPlan

    Notes
    -----
    Requests are taken one at a time in the order given (a greedy, priority-first rule a
    planner can follow and overrule); each goes to the feasible start with the largest least
    spare coverage over its block, earliest on ties. Pulling ``k`` agents lowers net coverage
    by ``k`` times the net share of an agent online (``net / (scheduled - on_break)``, 1 when
    those columns are absent), since the agent's short breaks go with them. A named agent's
    block must also lie within one of their shifts, clear of their meal and of their other
    pull-offs.
    """
    cov, step = _check_coverage(coverage, interval)
    req = _check_requests(requests, assignments)
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin={margin!r} must be finite and >= 0")
    index = cov.index
    n = len(index)
    t0 = index[0]
    net = cov["net"].to_numpy(float).copy()
    required = cov["required"].to_numpy(float)
    floor = cov["floor"].to_numpy(float) if "floor" in cov else np.zeros(n)
    if {"scheduled", "on_break"} <= set(cov.columns):
        online = (cov["scheduled"] - cov["on_break"]).to_numpy(float)
        share = np.divide(net, online, out=np.ones(n), where=online > 1e-9)
    else:
        online = net.copy()
        share = np.ones(n)
    pulled = np.zeros(n)
    busy: dict[object, list[tuple[pd.Timestamp, pd.Timestamp]]] = {}

    placed, unplaced = [], []
    for key, row in req.iterrows():
        length = int(-(-int(row["duration"]) // step))
        first = int(np.ceil((row["earliest"] - t0) / pd.Timedelta(seconds=step)))
        last = int(np.floor((row["latest"] - t0) / pd.Timedelta(seconds=step)))
        first, last = max(first, 0), min(last, n - length)
        agents = int(row["agents"])
        base = {"activity": row["activity"], "agent": row["agent"], "agents": agents}
        if last < first:
            unplaced.append({**base, "reason": "window lies outside the coverage given"})
            continue
        starts = np.arange(first, last + 1)
        blocks = starts[:, None] + np.arange(length)[None, :]
        contiguous = (index[blocks[:, -1]] - index[blocks[:, 0]]) == pd.Timedelta(
            seconds=step * (length - 1)
        )
        spare_net = net - agents * share - required - margin
        spare_online = online - pulled - agents - floor
        spare = np.minimum(spare_net[blocks].min(1), spare_online[blocks].min(1))
        ok = contiguous & (spare >= -1e-9)
        reason = "no start in the window keeps net coverage at or above requirement"
        if row["agent"] is not None and ok.any():
            on = _agent_free(
                assignments, busy, row["agent"], index[starts], pd.Timedelta(seconds=step * length)
            )
            if not (ok & on).any():
                reason = (
                    f"agent {row['agent']!r} is not on shift and free for the whole block "
                    "where coverage allows it"
                )
            ok &= on
        if not ok.any():
            unplaced.append({**base, "reason": reason})
            continue
        best = int(np.argmax(np.where(ok, spare, -np.inf)))
        block = blocks[best]
        net[block] -= agents * share[block]
        pulled[block] += agents
        start = index[block[0]]
        end = start + pd.Timedelta(seconds=step * length)
        if row["agent"] is not None:
            busy.setdefault(row["agent"], []).append((start, end))
        placed.append(
            {**base, "start": start, "end": end, "spare": float(spare[best]), "key": key}
        )
    placed_cols = ["activity", "agent", "agents", "start", "end", "spare"]
    placed_df = pd.DataFrame(placed, columns=[*placed_cols, "key"]).set_index("key")
    placed_df.index.name = req.index.name
    unplaced_keys = [k for k in req.index if k not in set(placed_df.index)]
    unplaced_df = pd.DataFrame(
        unplaced, columns=["activity", "agent", "agents", "reason"], index=unplaced_keys
    )
    unplaced_df.index.name = req.index.name
    out = cov.copy()
    out["pulled"] = pulled
    out["net"] = net
    out["gap"] = net - required
    return PulloffPlan(placed=placed_df[placed_cols], unplaced=unplaced_df, coverage=out)


def _check_coverage(coverage, interval):
    if not isinstance(coverage, pd.DataFrame) or not isinstance(coverage.index, pd.DatetimeIndex):
        raise TypeError("coverage must be a DataFrame indexed by interval start")
    missing = {"required", "net"} - set(coverage.columns)
    if missing:
        raise ValueError(f"coverage lacks columns {sorted(missing)}")
    if len(coverage) == 0:
        raise ValueError("coverage is empty")
    cov = coverage.sort_index()
    interval = interval_length(cov.index, interval, name="coverage", grid=False)
    bad = ~np.isfinite(cov[["required", "net"]].to_numpy(float))
    if bad.any():
        raise ValueError(f"coverage has {int(bad.any(axis=1).sum())} intervals with NaN")
    return cov, interval


def _check_requests(requests, assignments):
    if not isinstance(requests, pd.DataFrame):
        raise TypeError(f"requests must be a DataFrame, got {type(requests)}")
    missing = set(_REQUIRED_COLUMNS) - set(requests.columns)
    if missing:
        raise ValueError(f"requests lacks columns {sorted(missing)}")
    req = requests.copy()
    if "agents" not in req:
        req["agents"] = 1
    if "agent" not in req:
        req["agent"] = None
    req["agent"] = req["agent"].astype(object).where(req["agent"].notna(), None)
    for col in ("earliest", "latest"):
        req[col] = pd.to_datetime(req[col])
    duration = pd.to_numeric(req["duration"], errors="coerce")
    bad = ~(duration > 0)
    if bad.any():
        first = req.index[bad.to_numpy()][0]
        raise ValueError(
            f"requests duration must be > 0 s; row {first!r} has "
            f"{requests.loc[first, 'duration']!r}"
        )
    agents = pd.to_numeric(req["agents"], errors="coerce")
    bad = ~((agents >= 1) & (agents == np.floor(agents)))
    if bad.any():
        first = req.index[bad.to_numpy()][0]
        raise ValueError(
            f"requests agents must be whole and >= 1; row {first!r} has "
            f"{req.loc[first, 'agents']!r}"
        )
    bad = req["latest"] < req["earliest"]
    if bad.any():
        first = req.index[bad.to_numpy()][0]
        raise ValueError(f"requests row {first!r} has latest before earliest")
    named = req["agent"].notna()
    if named.any():
        if assignments is None:
            raise ValueError("requests name agents; give assignments to check their shifts")
        missing = {"agent", "start", "end"} - set(assignments.columns)
        if missing:
            raise ValueError(f"assignments lacks columns {sorted(missing)}")
        if (req.loc[named, "agents"] != 1).any():
            raise ValueError("a request naming an agent must have agents == 1")
    req["duration"] = duration.astype(np.int64)
    req["agents"] = agents.astype(np.int64)
    return req


def _agent_free(assignments, busy, agent, starts, length) -> np.ndarray:
    """Whether ``agent`` works, off meal and other pull-offs, from each start for ``length``."""
    rows = assignments[assignments["agent"] == agent]
    ends = starts + length
    ok = np.zeros(len(starts), bool)
    s = starts.to_numpy()[:, None]
    e = ends.to_numpy()[:, None]
    if len(rows):
        within = (rows["start"].to_numpy()[None, :] <= s) & (e <= rows["end"].to_numpy()[None, :])
        if {"break_start", "break_end"} <= set(rows.columns):
            bs = rows["break_start"].to_numpy()[None, :]
            be = rows["break_end"].to_numpy()[None, :]
            meal = pd.notna(bs) & (bs < e) & (s < be)
            within &= ~meal
        ok = within.any(axis=1)
    for a, b in busy.get(agent, []):
        ok &= ~np.asarray((a < ends) & (starts < b))
    return ok
