"""Compiled event simulation of several queues served by agent groups under skill-based routing.

Unlike one first-come-first-served queue, which a per-call recursion settles in arrival order,
a call's fate here depends on later events (which group frees an agent first, which queue that
agent prefers), so the kernel runs an event calendar: arrivals in time order, and a binary heap
of service completions, abandonments and overflow timers (stale entries are skipped when
popped). Agent groups are pools whose sizes follow a step function of time, as in the
single-queue pool model: when a group's level drops, idle agents log off first and busy agents
beyond the new level log off as their call ends. Within a group agents are alike, so the
kernel counts idle and busy agents instead of tracking them one by one.

Routing (see :class:`erlang.skills.Centre`): an arriving call goes to an idle agent of a group
that may answer it at once, the group ranking the queue best preferred (then the lower group
index); a group that takes the queue by overflow may answer it once it has waited ``delay``;
an agent who becomes free takes, among its group's queues whose oldest waiting call it may
answer, the one its group ranks best, then the higher priority, then the longest wait. Within
a queue calls are answered in arrival order.

All times are seconds from the start of the horizon.

References
----------
.. [1] Cezik, M. T. and L'Ecuyer, P. (2008). Staffing multiskill call centers via linear
   programming and simulation. Management Science 54(2), 310-323 (the routing model).
.. [2] Law, A. M. (2015). Simulation Modeling and Analysis, 5th ed., McGraw-Hill, ch. 1-2
   (next-event time advance with an event list).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..heap import pop as _pop
from ..heap import push_growing as _push

ANSWERED = 0
ABANDONED = 1
UNRESOLVED = 3
"""Still waiting at the end: no agent ever came and the caller never hangs up."""

_COMPLETE = 0
_ABANDON = 1
_OVERFLOW = 2


@njit(cache=True)
def _head(q, qhead, qtail, qcalls, waiting):
    """Oldest waiting call of queue ``q`` (-1 if none); skips calls no longer waiting."""
    h = qhead[q]
    while h < qtail[q] and not waiting[qcalls[h]]:
        h += 1
    qhead[q] = h
    return qcalls[h] if h < qtail[q] else -1


@njit(cache=True)
def _choose(g, t, arrival, queue_start, qhead, qtail, qcalls, waiting, delay, rank, priority):
    """Call a free agent of group ``g`` takes at ``t`` (-1 if none may be answered)."""
    Q = delay.shape[1]
    best, bq = -1, -1
    for q in range(Q):
        if delay[g, q] == np.inf or qtail[q] == queue_start[q]:
            continue
        c = _head(q, qhead, qtail, qcalls, waiting)
        if c < 0 or arrival[c] + delay[g, q] > t:
            continue
        if (
            best < 0
            or rank[g, q] < rank[g, bq]
            or (rank[g, q] == rank[g, bq] and priority[q] > priority[bq])
            or (
                rank[g, q] == rank[g, bq]
                and priority[q] == priority[bq]
                and arrival[c] < arrival[best]
            )
        ):
            best, bq = c, q
    return best


@njit(cache=True)
def route_calls(
    arrival, queue, service, patience, delay, rank, factor, priority, step_time, step_value,
    leavers=-1,
):  # fmt: skip
    """Several queues served by agent groups whose sizes follow a step function of time.

    Parameters
    ----------
    arrival : ndarray of float64 (n,)
        Arrival times, non-decreasing. [s]
    queue : ndarray of int64 (n,)
        Queue of each call, ``0 .. Q-1``.
    service : ndarray of float64 (n,)
        Handle time of each call for an agent of AHT factor 1 (a group's time is this times
        its ``factor`` on the queue). [s]
    patience : ndarray of float64 (n,)
        Patience of each caller (``inf`` for callers who never hang up). [s]
    delay : ndarray of float64 (G, Q)
        Wait after which group g may answer queue q (0 at once, ``inf`` never). [s]
    rank : ndarray of int64 (G, Q)
        Group g's preference for queue q (lower first).
    factor : ndarray of float64 (G, Q)
        Handle-time factor of group g on queue q.
    priority : ndarray of int64 (Q,)
        Higher first between queues a group ranks alike.
    step_time : ndarray of float64 (M,)
        Times at which group sizes change, increasing; ``step_time[0]`` at or before the
        first arrival. [s]
    step_value : ndarray of int64 (M, G)
        Agents of each group on over ``[step_time[m], step_time[m + 1])``; the last row holds
        forever.
    leavers : int
        Who leaves when a group's level drops: ``-1``, idle agents first (a pool sized per
        interval, whoever is free logs off); otherwise a seed, and the leavers are drawn at
        random among the agents present, idle or busy (named agents whose break or shift end
        comes regardless of what they are doing: a busy one leaves as its call ends).

    Returns
    -------
    status : ndarray of int8 (n,)
        ``ANSWERED``, ``ABANDONED`` or ``UNRESOLVED``.
    start : ndarray of float64 (n,)
        Service start of answered calls, ``nan`` otherwise. [s]
    group : ndarray of int64 (n,)
        Group that answered, -1 otherwise.
    end : ndarray of float64 (n,)
        Service end of answered calls, ``nan`` otherwise. [s]
    """
    n = arrival.size
    G, Q = delay.shape
    status = np.full(n, UNRESOLVED, np.int8)
    start = np.full(n, np.nan)
    group = np.full(n, -1, np.int64)
    end = np.full(n, np.nan)
    waiting = np.zeros(n, np.bool_)
    # calls of each queue in arrival order: qcalls[queue_start[q]:queue_start[q + 1]]
    counts = np.zeros(Q + 1, np.int64)
    for j in range(n):
        counts[queue[j] + 1] += 1
    queue_start = np.cumsum(counts)
    qcalls = np.empty(n + 1, np.int64)
    fill = queue_start[:Q].copy()
    for j in range(n):
        qcalls[fill[queue[j]]] = j
        fill[queue[j]] += 1
    qhead = queue_start[:Q].copy()
    qtail = queue_start[:Q].copy()

    idle = np.zeros(G, np.int64)
    busy = np.zeros(G, np.int64)
    owed = np.zeros(G, np.int64)
    keys = np.empty(max(16, 2 * n))
    ids = np.empty(max(16, 2 * n), np.int64)
    size = 0
    M = step_time.size
    m = 0
    i = 0
    if leavers >= 0:
        # numba's own generator, seeded per replication: the same seed, the same leavers
        np.random.seed(leavers)  # noqa: NPY002
    while True:
        t_arr = arrival[i] if i < n else np.inf
        t_step = step_time[m] if m < M else np.inf
        t_ev = keys[0] if size > 0 else np.inf
        if t_ev == np.inf and t_arr == np.inf and t_step == np.inf:
            break
        if t_ev <= t_arr and t_ev <= t_step:
            t = t_ev
            ident = ids[0]
            size = _pop(keys, ids, size)
            kind = ident % 3
            payload = ident // 3
            if kind == _COMPLETE:
                g = payload
                busy[g] -= 1
                if owed[g] > 0:
                    owed[g] -= 1  # beyond the group's level now: logs off
                    continue
                c = _choose(
                    g, t, arrival, queue_start, qhead, qtail, qcalls, waiting, delay, rank,
                    priority,
                )  # fmt: skip
                if c < 0:
                    idle[g] += 1
                    continue
                keys, ids, size = _serve(
                    c, g, t, queue, service, factor, waiting, status, start, group, end,
                    busy, keys, ids, size,
                )  # fmt: skip
            elif kind == _ABANDON:
                c = payload
                if waiting[c]:
                    waiting[c] = False
                    status[c] = ABANDONED
            else:
                c = payload // G
                g = payload % G
                if not waiting[c] or idle[g] == 0:
                    continue
                h = _head(queue[c], qhead, qtail, qcalls, waiting)
                idle[g] -= 1
                keys, ids, size = _serve(
                    h, g, t, queue, service, factor, waiting, status, start, group, end,
                    busy, keys, ids, size,
                )  # fmt: skip
        elif t_step <= t_arr:
            t = t_step
            for g in range(G):
                level = step_value[m, g]
                present = idle[g] + busy[g] - owed[g]
                if level > present:
                    add = level - present
                    back = min(owed[g], add)  # busy agents owed a log-off stay instead
                    owed[g] -= back
                    idle[g] += add - back
                elif level < present:
                    drop = present - level
                    if leavers < 0:
                        off = min(idle[g], drop)  # idle agents log off first
                    else:  # the idle among ``drop`` agents drawn from those present
                        off = np.random.hypergeometric(idle[g], present - idle[g], drop)  # noqa: NPY002
                    idle[g] -= off
                    owed[g] += drop - off
            m += 1
            for g in range(G):
                while idle[g] > 0:
                    c = _choose(
                        g, t, arrival, queue_start, qhead, qtail, qcalls, waiting, delay,
                        rank, priority,
                    )  # fmt: skip
                    if c < 0:
                        break
                    idle[g] -= 1
                    keys, ids, size = _serve(
                        c, g, t, queue, service, factor, waiting, status, start, group, end,
                        busy, keys, ids, size,
                    )  # fmt: skip
        else:
            t = t_arr
            c = i
            i += 1
            q = queue[c]
            qtail[q] += 1
            waiting[c] = True
            best = -1
            for g in range(G):
                eligible = idle[g] > 0 and delay[g, q] == 0.0
                if eligible and (best < 0 or rank[g, q] < rank[best, q]):
                    best = g
            if best >= 0:
                idle[best] -= 1
                keys, ids, size = _serve(
                    c, best, t, queue, service, factor, waiting, status, start, group, end,
                    busy, keys, ids, size,
                )  # fmt: skip
                continue
            if patience[c] < np.inf:
                keys, ids, size = _push(keys, ids, size, t + patience[c], c * 3 + _ABANDON)
            for g in range(G):
                d = delay[g, q]
                if 0.0 < d < np.inf and d < patience[c]:
                    keys, ids, size = _push(keys, ids, size, t + d, (c * G + g) * 3 + _OVERFLOW)
    return status, start, group, end


@njit(cache=True)
def _serve(c, g, t, queue, service, factor, waiting, status, start, group, end, busy, keys,
           ids, size):  # fmt: skip
    """Call ``c`` answered by an agent of group ``g`` at ``t`` (the caller counted it off
    ``idle`` already)."""
    waiting[c] = False
    status[c] = ANSWERED
    start[c] = t
    group[c] = g
    stop = t + service[c] * factor[g, queue[c]]
    end[c] = stop
    busy[g] += 1
    return _push(keys, ids, size, stop, g * 3 + _COMPLETE)
