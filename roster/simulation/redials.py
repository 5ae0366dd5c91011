"""Simulation with redials: callers who abandon or hear busy tone call again after a delay.

:func:`roster.simulate` comes here when given ``redials=erlang.Redials(...)``. The per-call
recursion is that of :func:`roster.simulation.kernel.simulate_pool` (FCFS, a pool of agents
following the staffing per interval, abandonment, trunks), with one change: the calls are no
longer one sorted array known in advance. A lost attempt that is redialled creates a new
attempt at its loss time (the caller's hang-up, or the busy tone at arrival) plus an
exponential delay; pending redials wait in a heap, and the next call served is the earlier of
the next fresh call and the top of the heap. Every redial arrives after the attempt it comes
from, so taking calls in this merged order keeps the recursion exact.

Each attempt is tallied in the interval it arrives in (``offered`` counts attempts); each
fresh caller in the interval of their first call, with the outcome of their last attempt,
wherever it falls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numba import njit

import erlang
from erlang.heap import pop as _heap_pop
from erlang.heap import push_growing as _heap_push
from erlang.replications import mean_half_width, ratio
from roster.simulation.agents import staffing_steps
from roster.simulation.kernel import ABANDONED, ANSWERED, BLOCKED, UNRESOLVED, first_free
from roster.simulation.tally import pool_time, tally

CALLER_COUNTS = (
    "fresh",
    "redials",
    "served",
    "within",
    "cutoff",
    "abandoned",
    "short_abandoned",
    "blocked",
)
"""Additive per-interval tallies of fresh callers (``redials``: redial attempts arriving)."""

CALLER_METRICS = (
    "served_share",
    "caller_service_level",
    "caller_answer_rate",
    "caller_abandon_rate",
    "caller_blocking",
)
"""Ratios per fresh caller, as :func:`erlang.kpis` reports them with redials."""


@njit(cache=True)
def _grow(a, size):
    if size < a.size:
        return a
    out = np.empty(2 * a.size, a.dtype)
    out[: a.size] = a
    return out


@njit(cache=True)
def simulate_pool_redials(
    arrival, service, patience, step_time, step_value, trunks,
    p_abandoned, p_blocked, delay, starts, aht_k, patience_k, generator,
):  # fmt: skip
    """FCFS pool (as :func:`~roster.simulation.kernel.simulate_pool`) with redials.

    Parameters
    ----------
    arrival, service, patience, step_time, step_value, trunks
        The fresh calls and the pool, as in ``simulate_pool``.
    p_abandoned, p_blocked : float
        Probability that an abandoned / blocked attempt is redialled.
    delay : float
        Mean of the exponential delay from the loss to the redial. [s]
    starts : ndarray of float64
        Interval starts [s]; a redial takes the handle-time and patience means of the
        interval it arrives in (the first before, the last after the horizon).
    aht_k, patience_k : ndarray of float64
        Those means per interval (``inf`` patience: callers who never hang up). [s]
    generator : numpy.random.Generator
        Draws the redial decisions, delays, handle times and patience of the redials.

    Returns
    -------
    arrival, status, start, patience : ndarray
        Per attempt (fresh calls first, in their order, then redials as created). [s]
    caller : ndarray of int64
        The fresh call each attempt belongs to.
    last : ndarray of int64
        Per fresh call, the index of its caller's last attempt.
    service : ndarray of float64
        Handle time of each attempt. [s]
    """
    n = arrival.size
    cap = 2 * n + 16
    t_of = np.empty(cap)
    t_of[:n] = arrival
    svc = np.empty(cap)
    svc[:n] = service
    pat = np.empty(cap)
    pat[:n] = patience
    caller = np.empty(cap, np.int64)
    caller[:n] = np.arange(n)
    status = np.empty(cap, np.int8)
    start = np.full(cap, np.nan)
    last = np.arange(n)
    size = n
    pend_keys = np.empty(16)
    pend_ids = np.empty(16, np.int64)
    pending = 0
    busy_keys = np.empty(n + 1)
    busy_ids = np.empty(n + 1, np.int64)
    busy = 0
    trunk_keys = np.empty(n + 1)
    trunk_ids = np.empty(n + 1, np.int64)
    in_system = 0
    step = 0
    floor = -np.inf
    j = 0
    while j < n or pending > 0:
        # The earlier of the next fresh call and the next redial (fresh first on a tie).
        if j < n and (pending == 0 or arrival[j] <= pend_keys[0]):
            c = j
            j += 1
        else:
            c = pend_ids[0]
            pending = _heap_pop(pend_keys, pend_ids, pending)
        a = t_of[c]
        lost = False
        lost_at = a
        redial_p = p_blocked
        admitted = True
        if trunks >= 0:
            while in_system > 0 and trunk_keys[0] <= a:
                in_system = _heap_pop(trunk_keys, trunk_ids, in_system)
            admitted = in_system < trunks
        if not admitted:
            status[c] = BLOCKED
            lost = True
        else:
            deadline = a + pat[c]
            found, t, busy, step = first_free(
                max(a, floor), deadline, busy_keys, busy_ids, busy, step_time, step_value, step
            )
            floor = t
            if found and t <= deadline and t < np.inf:
                status[c] = ANSWERED
                start[c] = t
                busy_keys, busy_ids, busy = _heap_push(busy_keys, busy_ids, busy, t + svc[c], c)
                leave = t + svc[c]
            else:
                status[c] = ABANDONED if deadline < np.inf else UNRESOLVED
                leave = deadline
                lost = deadline < np.inf
                lost_at = deadline
                redial_p = p_abandoned
            if trunks >= 0:
                trunk_keys, trunk_ids, in_system = _heap_push(
                    trunk_keys, trunk_ids, in_system, leave, c
                )
        if lost and generator.random() < redial_p:
            when = lost_at + generator.exponential(delay)
            k = max(np.searchsorted(starts, when, side="right") - 1, 0)
            t_of = _grow(t_of, size)
            svc = _grow(svc, size)
            pat = _grow(pat, size)
            caller = _grow(caller, size)
            status = _grow(status, size)
            if start.size <= size:
                wider = np.full(2 * start.size, np.nan)
                wider[: start.size] = start
                start = wider
            t_of[size] = when
            svc[size] = generator.exponential(aht_k[k])
            pat[size] = generator.exponential(patience_k[k]) if patience_k[k] < np.inf else np.inf
            caller[size] = caller[c]
            last[caller[c]] = size
            pend_keys, pend_ids, pending = _heap_push(pend_keys, pend_ids, pending, when, size)
            size += 1
    return (t_of[:size], status[:size], start[:size], pat[:size], caller[:size], last, svc[:size])


def interval_of(times, starts, length):
    """Index of the interval holding each time, ``-1`` outside every interval."""
    k = np.searchsorted(starts, times, side="right") - 1
    inside = (k >= 0) & (times < starts[np.maximum(k, 0)] + length)
    return np.where(inside, k, -1)


def callertally(k_fresh, k_redial, n_int, status, wait, pat, threshold, cutoff, short_abandon):
    """Per-interval :data:`CALLER_COUNTS` of one replication; ``status``, ``wait`` and ``pat``
    are those of each fresh caller's last attempt."""
    answered = status == ANSWERED
    abandoned = status == ABANDONED
    short = abandoned & (pat <= short_abandon) if short_abandon is not None else abandoned & False

    def count(mask):
        return np.bincount(k_fresh, weights=mask.astype(float), minlength=n_int)

    return np.column_stack(
        [
            np.bincount(k_fresh, minlength=n_int).astype(float),
            np.bincount(k_redial, minlength=n_int).astype(float),
            count(answered),
            count(answered & (wait <= threshold)),
            count(answered & (wait <= cutoff)),
            count(abandoned),
            count(short),
            count(status == BLOCKED),
        ]
    )


def caller_metrics(t):
    """:data:`CALLER_METRICS` from tallies whose last axis is :data:`CALLER_COUNTS`."""
    c = {name: t[..., i] for i, name in enumerate(CALLER_COUNTS)}
    counted = c["fresh"] - c["short_abandoned"]
    return np.stack(
        [
            ratio(c["served"], c["fresh"]),
            ratio(c["within"], counted),
            ratio(c["cutoff"], counted),
            ratio(c["abandoned"] - c["short_abandoned"], counted),
            ratio(c["blocked"], c["fresh"]),
        ],
        axis=-1,
    )


@dataclass(frozen=True)
class Callers:
    """The fresh callers of a simulation with redials, each counted once.

    Attributes
    ----------
    mean, half_width : DataFrame
        Per interval (the interval of the caller's first call): the mean over replications of
        each tally of :data:`CALLER_COUNTS` and metric of :data:`CALLER_METRICS`, and the
        half-width of its confidence interval. ``redials`` counts the redial attempts arriving
        in the interval (``offered`` of the attempt result is fresh calls plus redials).
    replications : DataFrame
        The tallies of every replication, indexed by (``replication``, interval).
    confidence : float
        Confidence level of ``half_width``.
    """

    mean: pd.DataFrame
    half_width: pd.DataFrame
    replications: pd.DataFrame
    confidence: float

    def summary(self, intervals=None) -> pd.DataFrame:
        """Tallies and metrics over a span of intervals (tallies summed per replication
        first), with columns ``mean``, ``half_width``, ``low`` and ``high``.

        ``intervals`` is a positional slice of the intervals, ``None`` for all. Callers of
        the last intervals redial past the horizon, where no fresh call competes with them;
        leaving those intervals out gives the stationary figures.
        """
        reps = self.replications
        if intervals is not None:
            chosen = self.mean.index[intervals]
            reps = reps[reps.index.get_level_values(1).isin(chosen)]
        totals = reps.groupby(level="replication").sum().to_numpy(float)
        table = np.concatenate([totals, caller_metrics(totals)], axis=1)
        mean, half = mean_half_width(table, self.confidence)
        out = pd.DataFrame(
            {"mean": mean, "half_width": half}, index=list(CALLER_COUNTS + CALLER_METRICS)
        )
        out["low"] = out["mean"] - out["half_width"]
        out["high"] = out["mean"] + out["half_width"]
        return out


def collect_callers(tallies, index, confidence):
    """A :class:`Callers` from tallies of shape (replication, interval, count)."""
    n_rep = tallies.shape[0]
    per_rep = np.concatenate([tallies, caller_metrics(tallies)], axis=2)
    mean, half = mean_half_width(per_rep, confidence)
    columns = list(CALLER_COUNTS + CALLER_METRICS)
    reps = pd.DataFrame(
        tallies.reshape(-1, len(CALLER_COUNTS)),
        columns=list(CALLER_COUNTS),
        index=pd.MultiIndex.from_product(
            [range(n_rep), index], names=["replication", index.name or "interval"]
        ),
    )
    return Callers(
        mean=pd.DataFrame(mean, index=index, columns=columns),
        half_width=pd.DataFrame(half, index=index, columns=columns),
        replications=reps,
        confidence=confidence,
    )


def check(redials, shifts, handle_times, patience_times, aht):
    """What the simulation with redials supports, as one-line errors."""
    if not isinstance(redials, erlang.Redials):
        raise TypeError(f"redials={redials!r} must be an erlang.Redials")
    if shifts is not None:
        raise ValueError("redials are simulated with agents per interval, not with shifts")
    if handle_times is not None or patience_times is not None or aht is None:
        raise ValueError(
            "redials are simulated with exponential handle times and patience (aht= and "
            "patience=), not with handle_times or patience_times"
        )


def replication(rng, redials, fresh, k, n_warm, level, timeline, means, report):
    """One replication with redials: the attempt tallies of
    :data:`roster.simulation.tally.COUNTS` and the caller tallies of :data:`CALLER_COUNTS`.

    ``fresh`` is ``(arrival, service, patience)`` of the fresh calls (warm-up first), ``k``
    the interval of each reported fresh call, ``timeline`` ``(starts, length)``, ``means``
    the handle-time and patience means per interval (``None`` patience for none), ``report``
    ``(threshold, cutoff, short_abandon, scheduled, trunk_cap)``.
    """
    arrival, service, patience = fresh
    starts, length = timeline
    threshold, cutoff, short_abandon, scheduled, trunk_cap = report
    aht_k, pat_k = means
    pat_k = np.full(starts.size, np.inf) if pat_k is None else pat_k
    step_time, step_value = staffing_steps(starts, length, level)
    # A child stream: the fresh calls of every replication are those drawn without redials.
    generator = rng.spawn(1)[0]
    t, status, start, pat, _, last, svc = simulate_pool_redials(
        arrival, service, patience, step_time, step_value, trunk_cap,
        redials.abandoned, redials.blocked, float(redials.delay), starts, aht_k, pat_k, generator,
    )  # fmt: skip
    n_int = starts.size
    k_attempt = interval_of(t, starts, length)
    shown = k_attempt >= 0
    busy_time, excess = pool_time(start, svc, step_time, step_value, starts, length)
    wait = start - t
    attempts = tally(
        k_attempt[shown], n_int, status[shown], wait[shown], pat[shown], threshold, cutoff,
        short_abandon, busy_time, scheduled + excess, scheduled,
    )  # fmt: skip
    final = last[n_warm:]
    k_redial = k_attempt[arrival.size :]
    callers = callertally(
        k, k_redial[k_redial >= 0], n_int, status[final], wait[final], pat[final], threshold,
        cutoff, short_abandon,
    )  # fmt: skip
    return attempts, callers
