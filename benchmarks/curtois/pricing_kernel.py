"""Compiled labelling algorithm for the cheapest month of one Curtois & Qu employee.

A label is a partial schedule up to day ``d``: the last day's shift type (-1 off), the length
of the current block of worked days (or of days off, capped where longer makes no
difference), the minutes worked in units of ``unit`` minutes, the weekends worked, and the
shifts worked of each type whose cap can bind. Labels sharing day, last type, block length
and minutes live in one bucket; inside a bucket a label is dropped when another is no dearer
and has used no more weekends and no more of any capped type (Irnich and Desaulniers 2005,
dominance for resource-constrained shortest paths). Minutes are part of the bucket rather than the
dominance test because they are bounded on both sides.

A label is pruned when its cost plus a lower bound on its cheapest completion exceeds the
cost of a known schedule. The bound is a backward dynamic programme over the sequencing
rules, the minute band and the tightest caps (weekends among them), as many as keep its table
small; the caps it leaves out are relaxed. Without the band and the caps the bound lets the
rest of the month work every day a dual makes attractive, and the labelling keeps far more
labels. See :mod:`benchmarks.curtois.pricing`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# integer fields of a label
_LAST, _RUN, _UNITS, _WEEKENDS, _COUNTS = 0, 1, 2, 3, 4
#: States per day of the completion bound's table
_BOUND_STATES = 20000


@njit(cache=True, nogil=True)
def _grow(ints, cost, parent, alive, nxt):
    cap = 2 * len(cost)
    ints2 = np.empty((cap, ints.shape[1]), dtype=ints.dtype)
    ints2[: len(cost)] = ints
    cost2 = np.empty(cap)
    cost2[: len(cost)] = cost
    parent2 = np.empty(cap, dtype=np.int64)
    parent2[: len(cost)] = parent
    alive2 = np.empty(cap, dtype=np.bool_)
    alive2[: len(cost)] = alive
    nxt2 = np.empty(cap, dtype=np.int64)
    nxt2[: len(cost)] = nxt
    return ints2, cost2, parent2, alive2, nxt2


@njit(cache=True, nogil=True)
def _next_run(d, last, run, o, caps, max_run, min_run, min_off, off_cap, day_off, forbid):
    """Block length after choosing ``o`` (-1 off) on day ``d`` from ``(last, run)``, or -1
    if a sequencing rule forbids it. A block whose length equals ``d`` started on day 0 (or
    is the virtual start) and is exempt from the minimum-length rules."""
    at_start = run == d
    if o < 0:
        if last >= 0:
            if not at_start and run < min_run:
                return -1
            return 1
        return min(run + 1, off_cap)
    if day_off[d] or caps[o] == 0:
        return -1
    if last >= 0:
        if forbid[last, o] or run + 1 > max_run:
            return -1
        return run + 1
    if not at_start and run < min_off:
        return -1
    return 1


@njit(cache=True, nogil=True)
def _cost_to_go(cost, units, caps, min_units, max_run, min_run, min_off, off_cap, day_off,
                forbid, R, U, tracked, radix, stride, weekend):  # fmt: skip
    """``g[d, last + 1, run, u, k]``: cheapest completion after day ``d`` from a label with
    ``u`` units worked and counts ``k`` (mixed radix ``radix``/``stride``) of the ``tracked``
    capped types and, if ``weekend >= 0`` (its digit), of the weekends worked; a lower bound
    used to prune labels. It keeps the sequencing rules, the minute band (when ``U > 1``;
    with ``U == 1`` minutes are relaxed) and the tracked caps, and relaxes the rest."""
    H, T = cost.shape
    K = 1
    for j in range(len(radix)):
        K *= radix[j]
    g = np.full((H, T + 1, R, U, K), np.inf)
    for u in range(U):
        if U == 1 or u >= min_units:
            g[H - 1, :, :, u, :] = 0.0
    for d in range(H - 2, -1, -1):
        e = d + 1
        is_weekend_day = e % 7 == 5
        sunday = e % 7 == 6
        for last in range(-1, T):
            # no label ends day d on a type priced out there (a month held outside a window
            # prices every type but its own so), nor goes on to one the next day: most of a
            # year's table is never read
            if last >= 0 and cost[d, last] == np.inf:
                continue
            for run in range(1, R):
                for o in range(-1, T):
                    if o >= 0 and cost[e, o] == np.inf:
                        continue
                    r2 = _next_run(e, last, run, o, caps, max_run, min_run, min_off,
                                   off_cap, day_off, forbid)  # fmt: skip
                    if r2 < 0:
                        continue
                    step = 0.0
                    du = 0
                    jt = -1
                    counts_weekend = False
                    if o >= 0:
                        step = cost[e, o]
                        if U > 1:
                            du = units[o]
                        jt = tracked[o]
                        counts_weekend = weekend >= 0 and (is_weekend_day or (sunday and last < 0))
                    nxt = g[e, o + 1, r2]
                    here = g[d, last + 1, run]
                    for u in range(U - du):
                        for k in range(K):
                            k2 = k
                            if jt >= 0:
                                if (k // stride[jt]) % radix[jt] + 1 >= radix[jt]:
                                    continue
                                k2 += stride[jt]
                            if counts_weekend:
                                if (k2 // stride[weekend]) % radix[weekend] + 1 >= radix[weekend]:
                                    continue
                                k2 += stride[weekend]
                            v = nxt[u + du, k2] + step
                            if v < here[u, k]:
                                here[u, k] = v
    return g


@njit(cache=True, nogil=True)
def cheapest_schedules(cost, units, caps, min_units, max_units, max_run, min_run, min_off,
                       max_weekends, day_off, forbid, k, upper, exact, max_work):  # fmt: skip
    """Up to ``k`` cheapest feasible schedules of one employee, cheapest first.

    Parameters
    ----------
    cost : ndarray of float, shape (H, T)
        Cost of working type ``t`` on day ``d``; a day off costs 0.
    units : ndarray of int, shape (T,)
        Length of each type in units.
    caps : ndarray of int, shape (T,)
        Most shifts of each type (0 forbids the type).
    min_units, max_units : int
        Band of the total worked units.
    max_run, min_run, min_off : int
        Longest block of worked days; shortest inner block of worked days and of days off.
    max_weekends : int
        Most weekends (day 5 or 6 of a week) worked.
    day_off : ndarray of bool, shape (H,)
        Fixed days off.
    forbid : ndarray of bool, shape (T, T)
        ``forbid[s, t]``: type ``t`` may not follow type ``s`` the next day.
    k : int
        Schedules wanted.
    upper : float
        Cost of some feasible schedule (``inf`` if none is known): partial schedules that
        cannot end below it are pruned, so only schedules no dearer than ``upper`` return.
    exact : bool
        False drops a label for any no dearer label of its bucket, whatever their weekends
        and capped counts: every schedule returned is still feasible, but the cheapest may be
        missed. Column generation prices this way while it finds columns.
    max_work : int
        Most label extensions and dominance tests; past it the labelling gives up (with
        ``exact`` the labels of a bucket can multiply with the capped types, without it a
        bucket keeps one label, so the work is bounded by the buckets anyway).

    Returns
    -------
    costs : ndarray of float, shape (n,)
    schedules : ndarray of int, shape (n, H)
        Type per day, -1 off; ``n <= k`` (0 when no schedule is feasible or on giving up).
    complete : bool
        False when the labelling gave up at ``max_work``.
    work : int
        Label extensions and dominance tests spent.
    """
    H, T = cost.shape
    counted = np.full(T, -1, dtype=np.int64)
    nb = 0
    for t in range(T):
        # a cap binds only below the shifts of that type the minute band allows anyway
        if units[t] > 0 and 0 < caps[t] < min(H, max_units // units[t]):
            counted[t] = nb
            nb += 1
    F = _COUNTS + nb
    off_cap = max(min_off, 1)
    R = max(max_run, off_cap) + 1
    U = max_units + 1
    n_states = (T + 1) * R * U
    max_len = 0
    for t in range(T):
        if caps[t] > 0 and units[t] > max_len:
            max_len = units[t]

    # the completion bound tracks the minute band and the tightest caps (weekends among
    # them) while its table stays small: a tighter bound prunes far more labels than its
    # table costs
    tracked = np.full(T, -1, dtype=np.int64)
    n_weekends = len(range(5, H, 7))
    order = np.argsort(caps)
    radix = np.ones(nb + 1, dtype=np.int64)
    stride = np.ones(nb + 1, dtype=np.int64)
    U_g = U if (T + 1) * R * U <= _BOUND_STATES else 1
    size = (T + 1) * R * U_g
    n_dims = 0
    weekend = -1
    weekend_done = max_weekends >= n_weekends
    count_weekends = not weekend_done
    for i in range(T + 1):
        t = order[i] if i < T else -1
        if not weekend_done and (t < 0 or max_weekends < caps[t]):
            # weekends go in before the first looser cap
            if size * (max_weekends + 1) <= _BOUND_STATES:
                weekend = n_dims
                radix[n_dims] = max_weekends + 1
                size *= max_weekends + 1
                n_dims += 1
            weekend_done = True
        if t < 0 or counted[t] < 0:
            continue
        if size * (caps[t] + 1) <= _BOUND_STATES:
            tracked[t] = n_dims
            radix[n_dims] = caps[t] + 1
            size *= caps[t] + 1
            n_dims += 1
    radix = radix[:n_dims]
    stride = stride[:n_dims]
    for j in range(n_dims - 2, -1, -1):
        stride[j] = stride[j + 1] * radix[j + 1]
    g = _cost_to_go(cost, units, caps, min_units, max_run, min_run, min_off, off_cap,
                    day_off, forbid, R, U_g, tracked, radix, stride, weekend)  # fmt: skip
    slack = 1e-9 * (1.0 + abs(upper)) if upper < np.inf else 0.0
    cap = 4096
    ints = np.zeros((cap, F), dtype=np.int32)
    lcost = np.zeros(cap)
    parent = np.full(cap, -1, dtype=np.int64)
    alive = np.zeros(cap, dtype=np.bool_)
    nxt = np.full(cap, -1, dtype=np.int64)
    head = np.full(n_states, -1, dtype=np.int64)
    touched = np.empty(n_states, dtype=np.int64)
    new = np.zeros(F, dtype=np.int32)
    n = 0
    # day -1: one empty label, "off" with a block that started before the horizon so that no
    # inner-block rule applies to it (run == d + 1 == 0 marks a block touching the start)
    ints[0, _LAST] = -1
    ints[0, _RUN] = 0
    n = 1
    alive[0] = True
    first, last_end = 0, 1
    work = 0
    for d in range(H):
        n_touched = 0
        sat = d % 7 == 5
        sun = d % 7 == 6
        left = H - 1 - d
        for j in range(first, last_end):
            if not alive[j]:
                continue
            last = ints[j, _LAST]
            run = ints[j, _RUN]
            work += T + 1
            if work > max_work:
                return np.empty(0), np.empty((0, H), dtype=np.int64), False, work
            for o in range(-1, T):
                if o >= 0 and cost[d, o] == np.inf:
                    continue
                r2 = _next_run(d, last, run, o, caps, max_run, min_run, min_off, off_cap,
                               day_off, forbid)  # fmt: skip
                if r2 < 0:
                    continue
                new[:] = ints[j]
                new[_RUN] = r2
                c = lcost[j]
                if o >= 0:
                    new[_UNITS] += units[o]
                    if new[_UNITS] > max_units:
                        continue
                    b = counted[o]
                    if b >= 0:
                        new[_COUNTS + b] += 1
                        if new[_COUNTS + b] > caps[o]:
                            continue
                    # weekends are counted only where their limit can bind: a count that
                    # cannot matter would split the buckets' labels in exact dominance
                    if count_weekends and (sat or (sun and last < 0)):
                        new[_WEEKENDS] += 1
                        if new[_WEEKENDS] > max_weekends:
                            continue
                    c += cost[d, o]
                kg = new[_WEEKENDS] * stride[weekend] if weekend >= 0 else 0
                for t in range(T):
                    if tracked[t] >= 0:
                        kg += new[_COUNTS + counted[t]] * stride[tracked[t]]
                if c + g[d, o + 1, r2, new[_UNITS] if U_g > 1 else 0, kg] > upper + slack:
                    continue
                if new[_UNITS] + left * max_len < min_units:
                    continue
                new[_LAST] = o
                s = ((o + 1) * R + new[_RUN]) * U + new[_UNITS]
                # dominance inside the bucket
                dominated = False
                p = head[s]
                while p >= 0:
                    work += 1
                    if alive[p]:
                        le = lcost[p] <= c
                        ge = lcost[p] >= c
                        for b in range(_WEEKENDS, F if exact else _WEEKENDS):
                            if ints[p, b] > new[b]:
                                le = False
                            if ints[p, b] < new[b]:
                                ge = False
                        if le:
                            dominated = True
                            break
                        if ge:
                            alive[p] = False
                    p = nxt[p]
                if dominated:
                    continue
                if n == len(lcost):
                    ints, lcost, parent, alive, nxt = _grow(ints, lcost, parent, alive, nxt)
                ints[n] = new
                lcost[n] = c
                parent[n] = j
                alive[n] = True
                if head[s] < 0:
                    touched[n_touched] = s
                    n_touched += 1
                nxt[n] = head[s]
                head[s] = n
                n += 1
        for i in range(n_touched):
            head[touched[i]] = -1
        first, last_end = last_end, n

    # the final labels meeting the lower band, cheapest first
    m = 0
    for j in range(first, last_end):
        if alive[j] and ints[j, _UNITS] >= min_units:
            m += 1
    ends = np.empty(m, dtype=np.int64)
    m = 0
    for j in range(first, last_end):
        if alive[j] and ints[j, _UNITS] >= min_units:
            ends[m] = j
            m += 1
    order = np.argsort(lcost[ends], kind="mergesort")
    k = min(k, m)
    costs = np.empty(k)
    schedules = np.empty((k, H), dtype=np.int64)
    for r in range(k):
        j = ends[order[r]]
        costs[r] = lcost[j]
        for d in range(H - 1, -1, -1):
            schedules[r, d] = ints[j, _LAST]
            j = parent[j]
    return costs, schedules, True, work
