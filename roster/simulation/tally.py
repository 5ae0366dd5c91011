"""What one replication of the simulation counts per interval (:data:`COUNTS`) and the
service metrics computed from those counts (:data:`METRICS`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from erlang.replications import ratio
from roster.simulation.kernel import ABANDONED, ANSWERED, BLOCKED, UNRESOLVED, integrate_count

COUNTS = (
    "offered",
    "blocked",
    "answered",
    "abandoned",
    "unresolved",
    "short_abandoned",
    "answered_within",
    "answered_cutoff",
    "wait_answered",
    "busy_time",
    "logged_time",
    "scheduled_time",
)
"""Additive per-interval tallies kept for every replication."""

METRICS = (
    "service_level",
    "asa",
    "answer_rate",
    "abandon_rate",
    "blocking_rate",
    "occupancy",
)
"""Ratios computed per replication from the tallies."""


def events(start, end):
    time = np.concatenate([start, end])
    delta = np.concatenate([np.ones(start.size, np.int64), -np.ones(end.size, np.int64)])
    order = np.argsort(time, kind="stable")
    return time[order], delta[order]


def pool_time(start, service, step_time, step_value, starts, length):
    answered = ~np.isnan(start)
    s = start[answered]
    time, delta = events(s, s + service[answered])
    busy, excess = integrate_count(time, delta, step_time, step_value, starts, length, starts.size)
    return busy, excess


def window_busy_time(start, service, over_from, over_to, w_start, lost_to, starts, length):
    """Busy agent time per interval, and logged-in time off the windows (overrun − lost)."""
    answered = ~np.isnan(start)
    s = start[answered]
    time, delta = events(s, s + service[answered])
    zero_t, zero_v = np.zeros(1), np.zeros(1, np.int64)
    busy, _ = integrate_count(time, delta, zero_t, zero_v, starts, length, starts.size)
    over = ~np.isnan(over_from)
    lost = ~np.isnan(lost_to)
    # Calls past a window's end add logged time; a delayed break takes it from the next window.
    time = np.concatenate([over_from[over], over_to[over], w_start[lost], lost_to[lost]])
    delta = np.repeat(
        np.array([1, -1, -1, 1], np.int64), [over.sum(), over.sum(), lost.sum(), lost.sum()]
    )
    order = np.argsort(time, kind="stable")
    extra, _ = integrate_count(
        time[order], delta[order], zero_t, zero_v, starts, length, starts.size
    )
    return busy, extra


def tally(
    k,
    n_int,
    status,
    wait,
    pat,
    threshold,
    cutoff,
    short_abandon,
    busy_time,
    logged_time,
    scheduled,
):
    answered = status == ANSWERED
    abandoned = status == ABANDONED
    wait_answered = np.where(answered, wait, 0.0)
    if short_abandon is None:
        short = np.zeros_like(abandoned)
    else:
        short = abandoned & (pat <= short_abandon)

    def count(mask, weights=None):
        w = mask.astype(float) if weights is None else np.where(mask, weights, 0.0)
        return np.bincount(k, weights=w, minlength=n_int)

    return np.column_stack(
        [
            np.bincount(k, minlength=n_int).astype(float),
            count(status == BLOCKED),
            count(answered),
            count(abandoned),
            count(status == UNRESOLVED),
            count(short),
            count(answered & (wait <= threshold)),
            count(answered & (wait <= cutoff)),
            count(answered, wait_answered),
            busy_time,
            logged_time,
            scheduled,
        ]
    )


def metrics_array(t, exclude_short):
    c = {name: t[..., i] for i, name in enumerate(COUNTS)}
    short = c["short_abandoned"] if exclude_short else 0.0
    counted = c["offered"] - short
    return np.stack(
        [
            ratio(c["answered_within"], counted),
            ratio(c["wait_answered"], c["answered"]),
            ratio(c["answered_cutoff"], counted),
            ratio(c["abandoned"] - short, counted),
            ratio(c["blocked"], c["offered"]),
            # busy <= logged holds exactly; the minimum only absorbs rounding of the sums.
            ratio(np.minimum(c["busy_time"], c["logged_time"]), c["logged_time"]),
        ],
        axis=-1,
    )


def metrics(totals: pd.DataFrame, exclude_short: bool) -> pd.DataFrame:
    values = metrics_array(totals[list(COUNTS)].to_numpy(float), exclude_short)
    return pd.DataFrame(values, index=totals.index, columns=list(METRICS))
