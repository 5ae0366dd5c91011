"""Replications of a multi-skill centre over a day of intervals: per-queue and per-group KPIs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..patience import Patience
from ..replications import mean_half_width, ratio
from .centre import Centre
from .kernel import ABANDONED, ANSWERED, UNRESOLVED, route_calls
from .steps import GroupSteps

__all__ = ["CentreSimulation", "simulate_centre"]

QUEUE_COUNTS = (
    "offered",
    "answered",
    "abandoned",
    "unresolved",
    "short_abandoned",
    "answered_within",
    "answered_cutoff",
    "wait_answered",
)
"""Additive per-queue tallies of each interval and replication (calls by arrival interval)."""

QUEUE_METRICS = ("service_level", "asa", "answer_rate", "abandon_rate")
GROUP_COUNTS = ("busy_time", "logged_time")
GROUP_METRICS = ("occupancy",)


@dataclass(frozen=True)
class CentreSimulation:
    """What a simulated centre gives, per queue and per agent group.

    Attributes
    ----------
    queues : pandas.DataFrame
        Long frame, one row per queue (``unique_id``) and interval (``ds``): the mean over
        replications of each count of :data:`QUEUE_COUNTS` and each metric of
        :data:`QUEUE_METRICS` (``asa`` and ``wait_answered`` in seconds), and with suffix
        ``_hw`` the half-width of its confidence interval. Calls count in the interval they
        arrive in.
    groups : pandas.DataFrame
        Long frame per group and interval: ``busy_time`` and ``logged_time`` [s] and
        ``occupancy``, with ``_hw`` half-widths.
    replications : int
    confidence : float
    calls : int
        Calls simulated over all replications.
    """

    queues: pd.DataFrame
    groups: pd.DataFrame
    replications: int
    confidence: float
    calls: int
    _queue_tallies: np.ndarray  # (replications, queues, intervals, counts)
    _group_tallies: np.ndarray  # (replications, groups, intervals, counts)
    _queue_names: tuple
    _group_names: tuple
    _exclude_short: tuple

    def summary(self, intervals=slice(None)) -> pd.DataFrame:
        """Per queue and per group, the metrics over ``intervals`` (a slice or boolean mask of
        the day's intervals, e.g. ``slice(4, None)`` to leave a warm-up out): each
        replication's ratio of sums, then their mean, half-width, low and high.

        Returns
        -------
        pandas.DataFrame
            Index (``unique_id``, ``metric``), columns ``mean``, ``half_width``, ``low``,
            ``high``; queues carry :data:`QUEUE_METRICS`, groups ``occupancy``.
        """
        q = self._queue_tallies[:, :, intervals].sum(axis=2)  # (R, Q, counts)
        g = self._group_tallies[:, :, intervals].sum(axis=2)
        rows = []
        for k, name in enumerate(self._queue_names):
            values = _queue_metrics(q[:, k], self._exclude_short[k])
            for m, metric in enumerate(QUEUE_METRICS):
                rows.append((name, metric, *_interval(values[:, m], self.confidence)))
        for k, name in enumerate(self._group_names):
            occ = ratio(np.minimum(g[:, k, 0], g[:, k, 1]), g[:, k, 1])
            rows.append((name, "occupancy", *_interval(occ, self.confidence)))
        frame = pd.DataFrame(rows, columns=["unique_id", "metric", "mean", "half_width"])
        frame["low"] = frame["mean"] - frame["half_width"]
        frame["high"] = frame["mean"] + frame["half_width"]
        return frame.set_index(["unique_id", "metric"])


def simulate_centre(
    volume,
    centre: Centre,
    staffing,
    *,
    interval: int = 1800,
    replications: int = 10,
    seed: int | None = 0,
    confidence: float = 0.95,
) -> CentreSimulation:
    """Simulate a multi-skill centre over consecutive intervals, replication by replication.

    Calls of each queue arrive as a Poisson process whose rate is constant within an interval;
    handle times are exponential with the queue's ``aht`` times the answering group's factor;
    patience is exponential with the queue's mean (callers never hang up without one). Agents
    of each group are a pool of the interval's size, as :func:`roster.simulate` in staffing
    mode, or follow a step function at any resolution (:class:`GroupSteps`, e.g. the shifts
    and breaks of named agents); after the last interval (or step) its staffing holds until
    every call is settled.

    Parameters
    ----------
    volume : pandas.DataFrame or sequence of DataFrame
        Contacts per interval: indexed by interval start with one column per queue, or a long
        frame with ``unique_id`` (queue), ``ds`` and ``y``. Or one such frame per replication
        (the same intervals), e.g. volumes drawn from the forecast's spread.
    centre : Centre
    staffing : pandas.DataFrame, GroupSteps or sequence of GroupSteps
        Agents of each group per interval: indexed like ``volume``, one column per group;
        whole numbers. Or the groups' agents as steps in time (columns in the centre's group
        order), the same in every replication or one per replication (absence drawn afresh
        in each, say).
    interval : int
        Interval length. [s]
    replications : int
        Independent runs; the confidence intervals are over them.
    seed : int or None
        Seed of NumPy's generator; the same seed gives the same result.
    confidence : float
        Level of the t-based confidence intervals.

    Returns
    -------
    CentreSimulation

    Notes
    -----
    Per queue, as in :func:`roster.simulate`: service level = calls answered within the
    queue's ``threshold`` over calls offered (short abandons, hang-ups within
    ``short_abandon`` seconds, left out of both when the queue's targets name one); answer
    rate likewise within ``cutoff``; abandon rate = abandons (short ones excluded) over
    calls counted; ASA = mean wait of answered calls. Per group, occupancy = busy time over
    logged time (the integral of the group's agents over the interval).

    References
    ----------
    Cezik, M. T. and L'Ecuyer, P. (2008). Staffing multiskill call centers via linear
    programming and simulation. Management Science 54(2), 310-323.
    """
    if not isinstance(centre, Centre):
        raise TypeError(f"centre must be an erlang.skills.Centre, got {type(centre).__name__}")
    if isinstance(interval, bool) or not float(interval).is_integer() or interval <= 0:
        raise ValueError(f"interval={interval!r} must be a positive whole number of seconds")
    if isinstance(replications, bool) or int(replications) != replications or replications < 2:
        raise ValueError(f"replications={replications!r} must be a whole number >= 2")
    if isinstance(volume, pd.DataFrame):
        volume = _wide(volume, "volume", centre.queue_names)
        volumes = [volume.to_numpy(float)] * int(replications)
    else:
        if not isinstance(volume, list | tuple):
            raise TypeError(f"volume must be a DataFrame or a list of them, got {volume!r}")
        frames = [_wide(v, "volume", centre.queue_names) for v in volume]
        if len(frames) != replications:
            raise ValueError(
                f"volume must be a DataFrame or {replications} DataFrames (one per "
                f"replication), got {len(frames)}"
            )
        volume = frames[0]
        if not all(f.index.equals(volume.index) for f in frames):
            raise ValueError("the volumes of the replications must have the same intervals")
        volumes = [f.to_numpy(float) for f in frames]
    steps = _steps(staffing, volume.index, centre.group_names, int(interval), replications)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must lie in (0, 1)")
    interval = int(interval)
    delay, rank, factor, priority = centre.routing()
    Q, G, T = len(centre.queues), len(centre.groups), len(volume)
    aht = np.array([q.aht for q in centre.queues])
    queues = centre.queues
    laws = {j: q.patience for j, q in enumerate(queues) if isinstance(q.patience, Patience)}
    patience = np.array(
        [
            np.inf if q.patience is None or j in laws else q.patience
            for j, q in enumerate(centre.queues)
        ]
    )
    targets = [q.targets for q in centre.queues]
    threshold = np.array([float(t.threshold) for t in targets])
    cutoff = np.array([float(t.cutoff) for t in targets])
    short = np.array(
        [-1.0 if t.short_abandon is None else float(t.short_abandon) for t in targets]
    )
    for name, values in (("threshold", threshold), ("cutoff", cutoff), ("short_abandon", short)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"simulate_centre takes one {name} per queue, not arrays")
    rng = np.random.default_rng(seed)
    q_tallies = np.zeros((replications, Q, T, len(QUEUE_COUNTS)))
    g_tallies = np.zeros((replications, G, T, len(GROUP_COUNTS)))
    calls = 0
    for r in range(replications):
        step_time, step_value = steps[r].times, steps[r].agents
        g_tallies[r, :, :, 1] = steps[r].logged_time(T, interval)
        counts = rng.poisson(volumes[r])  # (T, Q)
        k = np.repeat(np.arange(T), counts.sum(axis=1))
        queue = np.concatenate([np.repeat(np.arange(Q), row) for row in counts]).astype(np.int64)
        arrival = (k + rng.random(k.size)) * interval
        order = np.argsort(arrival, kind="stable")
        arrival, queue, k = arrival[order], queue[order], k[order]
        service = rng.exponential(1.0, k.size) * aht[queue]
        pat = rng.exponential(1.0, k.size) * patience[queue]
        for j, law in laws.items():  # queues with a patience law draw from it
            mine = queue == j
            pat[mine] = law.sample(rng, int(mine.sum()))
        leavers = -1 if steps[r].leave == "idle" else int(rng.integers(2**62))
        status, start, group, end = route_calls(
            arrival, queue, service, pat, delay, rank, factor, priority, step_time, step_value,
            leavers,
        )  # fmt: skip
        calls += k.size
        wait = start - arrival
        answered = status == ANSWERED
        abandoned = status == ABANDONED
        is_short = abandoned & (pat <= short[queue])
        cell = queue * T + k

        def tally(mask, weights=None, cell=cell):
            w = mask.astype(float) if weights is None else np.where(mask, weights, 0.0)
            return np.bincount(cell, weights=w, minlength=Q * T).reshape(Q, T)

        q_tallies[r] = np.stack(
            [
                np.bincount(cell, minlength=Q * T).reshape(Q, T).astype(float),
                tally(answered),
                tally(abandoned),
                tally(status == UNRESOLVED),
                tally(is_short),
                tally(answered & (wait <= threshold[queue])),
                tally(answered & (wait <= cutoff[queue])),
                tally(answered, wait),
            ],
            axis=-1,
        )
        g_tallies[r, :, :, 0] = _busy_time(
            start[answered], end[answered], group[answered], G, T, interval
        )
    index = volume.index
    q_values = np.concatenate(
        [q_tallies, _queue_metrics(q_tallies, short >= 0)], axis=-1
    )  # (R, Q, T, counts + metrics)
    occ = ratio(np.minimum(g_tallies[..., 0], g_tallies[..., 1]), g_tallies[..., 1])
    g_values = np.concatenate([g_tallies, occ[..., None]], axis=-1)
    return CentreSimulation(
        queues=_long(
            q_values, centre.queue_names, index, QUEUE_COUNTS + QUEUE_METRICS, confidence
        ),
        groups=_long(
            g_values, centre.group_names, index, GROUP_COUNTS + GROUP_METRICS, confidence
        ),
        replications=int(replications),
        confidence=float(confidence),
        calls=int(calls),
        _queue_tallies=q_tallies,
        _group_tallies=g_tallies,
        _queue_names=tuple(centre.queue_names),
        _group_names=tuple(centre.group_names),
        _exclude_short=tuple(bool(s >= 0) for s in short),
    )


def _wide(frame, name, columns) -> pd.DataFrame:
    """A per-interval frame with one column per name, from wide or long (unique_id, ds, y)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame, got {type(frame).__name__}")
    if {"unique_id", "ds", "y"} <= set(frame.columns):
        frame = frame.pivot(index="ds", columns="unique_id", values="y")
    unknown = sorted(map(str, set(frame.columns) - set(columns)))
    missing = sorted(set(columns) - set(frame.columns))
    if unknown or missing:
        raise ValueError(f"{name}: columns {unknown} are not in the centre; missing {missing}")
    frame = frame[list(columns)].astype(float)
    values = frame.to_numpy()
    if not np.all(np.isfinite(values)) or (values < 0).any():
        raise ValueError(f"{name} must be finite and >= 0")
    if not pd.Index(frame.index).is_monotonic_increasing or not frame.index.is_unique:
        raise ValueError(f"{name}: intervals must be increasing and unique")
    return frame


def _steps(staffing, index, columns, interval, replications) -> list[GroupSteps]:
    """The staffing of each replication as steps in time."""
    if isinstance(staffing, GroupSteps):
        staffing = [staffing] * int(replications)
    if isinstance(staffing, pd.DataFrame):
        frame = _wide(staffing, "staffing", columns)
        if not frame.index.equals(index):
            raise ValueError("staffing must have the same intervals as volume")
        values = frame.to_numpy()
        if (values != np.floor(values)).any():
            bad = float(values[values != np.floor(values)][0])
            raise ValueError(f"staffing must be whole agents, got {bad!r}")
        return [GroupSteps.from_intervals(values, interval)] * int(replications)
    staffing = list(staffing)
    if len(staffing) != replications or not all(isinstance(s, GroupSteps) for s in staffing):
        raise ValueError(
            f"staffing must be a DataFrame, a GroupSteps or {replications} GroupSteps (one "
            f"per replication), got {len(staffing)} items"
        )
    for s in staffing:
        if s.agents.shape[1] != len(columns):
            raise ValueError(
                f"staffing steps have {s.agents.shape[1]} groups, the centre {len(columns)}"
            )
    return staffing


def _busy_time(start, end, group, G, T, interval) -> np.ndarray:
    """Agent-seconds busy of each group in each interval, from calls' service spans."""
    busy = np.zeros(G * T)
    horizon = T * interval
    first = np.floor(start / interval).astype(np.int64)
    span = int(np.max(np.floor(np.minimum(end, horizon) / interval) - first, initial=0)) + 1
    for j in range(span):  # calls span few intervals: a loop over the offset, not the calls
        k = first + j
        lo = k * float(interval)
        part = np.minimum(end, lo + interval) - np.maximum(start, lo)
        ok = (part > 0) & (k < T)
        np.add.at(busy, group[ok] * T + k[ok], part[ok])
    return busy.reshape(G, T)


def _queue_metrics(t, exclude_short) -> np.ndarray:
    """Metrics from the tallies (last axis :data:`QUEUE_COUNTS`); ``exclude_short`` per queue
    (an array along the queue axis) or one bool."""
    c = {name: t[..., i] for i, name in enumerate(QUEUE_COUNTS)}
    mask = np.asarray(exclude_short, dtype=float)
    if mask.ndim == 1 and t.ndim == 4:
        mask = mask[None, :, None]
    short = c["short_abandoned"] * mask
    counted = c["offered"] - short
    return np.stack(
        [
            ratio(c["answered_within"], counted),
            ratio(c["wait_answered"], c["answered"]),
            ratio(c["answered_cutoff"], counted),
            ratio(c["abandoned"] - short, counted),
        ],
        axis=-1,
    )


def _interval(values, confidence):
    """Mean over replications and the t-based half-width, as floats."""
    mean, half = mean_half_width(values, confidence)
    return float(mean), float(half)


def _long(values, names, index, columns, confidence) -> pd.DataFrame:
    """(replications, series, intervals, columns) -> long frame of means and half-widths."""
    _, S, T, _ = values.shape
    mean, half = mean_half_width(values, confidence)
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.asarray(names, dtype=object), T),
            "ds": np.tile(np.asarray(index), S),
        }
    )
    for c, name in enumerate(columns):
        frame[name] = mean[:, :, c].ravel()
    for c, name in enumerate(columns):
        frame[f"{name}_hw"] = half[:, :, c].ravel()
    return frame
