"""Compiled per-call recursions of the contact-center simulation (FCFS, abandonment, trunks).

The simulation never runs an event calendar. Calls are taken in arrival order and each call's
fate is decided from the calls before it, which is exact for a first-come-first-served queue:
a caller's service start depends only on earlier callers that were answered, and a caller who
abandons never holds an agent. Two agent models are provided:

* a *pool* whose size follows a step function (staffing per interval): a call may start at
  ``t`` when fewer calls are in service than agents on at ``t``; when the level drops, idle
  agents log off first and busy agents beyond the new level log off as their call ends;
* named *agents* with availability windows (shifts minus breaks): a call may start with an
  agent inside one of its windows; an agent whose window ends during a call finishes the call
  (the overrun is reported). If the window ends at a break, the agent then takes the whole
  break and comes back that much later (the break is delayed, never shortened); if it ends at
  the end of a shift, the agent leaves and the next shift starts as scheduled. An arriving
  call goes to the longest-idle agent.

With a trunk cap, a caller who finds ``trunks`` calls in the system (waiting or in service)
is blocked; a call holds its trunk until its service ends or its caller hangs up.

All times are seconds from the start of the horizon.

References
----------
.. [1] Kiefer, J. and Wolfowitz, J. (1955). On the theory of queues with many servers.
   Trans. AMS 78(1), 1-18 (the workload recursion for FCFS multi-server queues).
.. [2] Baccelli, F. and Hebuterne, G. (1981). On queues with impatient customers.
   Performance '81, 159-179 (FCFS with abandonment via the virtual waiting time).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from erlang.heap import pop as _heap_pop
from erlang.heap import push as _heap_push

ANSWERED = 0
ABANDONED = 1
BLOCKED = 2
UNRESOLVED = 3
"""Still waiting for good: no agent will ever be free and the caller never hangs up."""


@njit(cache=True)
def _admit(arrival, trunk_keys, trunk_ids, trunk_size, trunks):
    """Release trunk lines freed by ``arrival``; return (admitted, new heap size)."""
    while trunk_size > 0 and trunk_keys[0] <= arrival:
        trunk_size = _heap_pop(trunk_keys, trunk_ids, trunk_size)
    return trunk_size < trunks, trunk_size


@njit(cache=True)
def first_free(t, deadline, busy_keys, busy_ids, busy, step_time, step_value, step):
    """The first time from ``t`` on at which the pool has a free agent, looked for up to
    ``deadline``.

    ``busy_keys``/``busy_ids`` is the heap of service ends of calls in service (``busy`` of
    them) and ``step`` the step of the staffing in force at ``t`` or before. Returns ``(found,
    time, busy, step)``: ``found`` is whether an agent is free at ``time <= deadline``; if not,
    ``time`` is the first moment past the deadline at which one might be (``inf`` if never).
    Service ends up to ``time`` leave the heap and ``step`` moves on to ``time``.
    """
    n_steps = step_time.size
    while step + 1 < n_steps and step_time[step + 1] <= t:
        step += 1
    while True:
        while busy > 0 and busy_keys[0] <= t:
            busy = _heap_pop(busy_keys, busy_ids, busy)
        if busy < step_value[step]:
            return True, t, busy, step
        nxt = np.inf
        if busy > 0:
            nxt = busy_keys[0]
        if step + 1 < n_steps and step_time[step + 1] < nxt:
            nxt = step_time[step + 1]
        t = nxt
        if nxt > deadline or nxt == np.inf:
            return False, t, busy, step
        while step + 1 < n_steps and step_time[step + 1] <= t:
            step += 1


@njit(cache=True)
def simulate_pool(arrival, service, patience, step_time, step_value, trunks):
    """FCFS queue served by a pool whose size is a step function of time.

    Parameters
    ----------
    arrival : ndarray of float64
        Arrival times, non-decreasing. [s]
    service, patience : ndarray of float64
        Handle time and patience of each call (``inf`` for callers who never hang up). [s]
    step_time : ndarray of float64
        Times at which the number of agents changes, increasing; ``step_time[0]`` must be at or
        before the first arrival. [s]
    step_value : ndarray of int64
        Agents on over ``[step_time[m], step_time[m + 1])``; the last value holds forever.
    trunks : int
        Most calls in the system (queued + in service); ``-1`` for no cap.

    Returns
    -------
    status : ndarray of int8
        ``ANSWERED``, ``ABANDONED``, ``BLOCKED`` or ``UNRESOLVED``.
    start : ndarray of float64
        Service start of answered calls, ``nan`` otherwise. [s]
    """
    n = arrival.size
    status = np.empty(n, np.int8)
    start = np.full(n, np.nan)
    busy_keys = np.empty(n + 1)
    busy_ids = np.empty(n + 1, np.int64)
    busy = 0
    trunk_keys = np.empty(n + 1)
    trunk_ids = np.empty(n + 1, np.int64)
    in_system = 0
    step = 0
    # Every time before `floor` is known to offer no free agent to later callers, and all
    # calls in service started at or before it; it makes the starts non-decreasing.
    floor = -np.inf
    for j in range(n):
        a = arrival[j]
        if trunks >= 0:
            admitted, in_system = _admit(a, trunk_keys, trunk_ids, in_system, trunks)
            if not admitted:
                status[j] = BLOCKED
                continue
        deadline = a + patience[j]
        found, t, busy, step = first_free(
            max(a, floor), deadline, busy_keys, busy_ids, busy, step_time, step_value, step
        )
        floor = t
        if found and t <= deadline and t < np.inf:
            status[j] = ANSWERED
            start[j] = t
            busy = _heap_push(busy_keys, busy_ids, busy, t + service[j], j)
            leave = t + service[j]
        else:
            status[j] = ABANDONED if deadline < np.inf else UNRESOLVED
            leave = deadline
        if trunks >= 0:
            in_system = _heap_push(trunk_keys, trunk_ids, in_system, leave, j)
    return status, start


@njit(cache=True)
def _idle_since(agent, x, free, window, window_stop, window_start, window_end):
    """When ``agent`` is (or will be) idle inside a window, looking from time ``x`` on.

    The result is the start of the idle spell that covers ``max(x, free)`` or, if the agent is
    off then, the start of its next window; ``inf`` when it has no window left. It is at most
    ``max(x, free)`` exactly when the agent can take a call at that time.
    """
    t = max(x, free[agent])
    w = window[agent]
    stop = window_stop[agent]
    while w < stop and window_end[w] <= t:
        w += 1
    window[agent] = w
    if w == stop:
        return np.inf
    return max(free[agent], window_start[w])


@njit(cache=True)
def simulate_agents(
    arrival, service, patience, window_offset, window_start, window_end, break_after, trunks
):
    """FCFS queue served by named agents, each available over a list of windows.

    Parameters
    ----------
    arrival, service, patience : ndarray of float64
        As in :func:`simulate_pool`. [s]
    window_offset : ndarray of int64
        Agent ``i`` owns windows ``window_offset[i]:window_offset[i + 1]``.
    window_start, window_end : ndarray of float64
        Sorted, non-overlapping availability windows of each agent; a call can start at ``t``
        when ``window_start <= t < window_end``. [s]
    break_after : ndarray of bool
        Whether the gap after each window is a break (delayed by a call running into it)
        rather than the end of a shift. Ignored for an agent's last window.
    trunks : int
        Most calls in the system; ``-1`` for no cap.

    Returns
    -------
    status, start : ndarray
        As in :func:`simulate_pool`.
    agent : ndarray of int64
        The agent who answered the call, ``-1`` otherwise.
    overrun_from, overrun_to : ndarray of float64
        When a call runs past the end of the window it started in: the end of that window and
        the end of the agent's unscheduled work (the end of the call, or the start of the
        agent's next window if that comes first after a shift end); ``nan`` otherwise. [s]
    lost_to : ndarray of float64
        Per window: the agent is still on a delayed break until this time, so the window's
        time from its start to ``min(lost_to, window_end)`` is not worked; ``nan`` when the
        window starts as scheduled. [s]

    Notes
    -----
    Routing is longest-idle-agent first (ties to the lower agent number). Each agent is kept in
    a heap under the start of its current or next idle spell; a key goes stale only when the
    agent's window closes while idle, and stale keys are refreshed lazily as arrival times
    grow, so the heap top is always the longest-idle agent, or, if none is idle, the one
    free soonest. A call running ``d`` seconds into a break of length ``b`` makes the agent
    idle again at ``call end + b``: the break is taken whole once the call is done, and any
    window time it then covers (even past a later break) is lost.
    """
    n = arrival.size
    n_agents = window_offset.size - 1
    status = np.empty(n, np.int8)
    start = np.full(n, np.nan)
    agent_of = np.full(n, -1, np.int64)
    overrun_from = np.full(n, np.nan)
    overrun_to = np.full(n, np.nan)
    lost_to = np.full(window_start.size, np.nan)
    free = np.full(n_agents, -np.inf)
    window = window_offset[:-1].copy()
    window_stop = window_offset[1:].copy()
    keys = np.empty(n_agents + 1)
    ids = np.empty(n_agents + 1, np.int64)
    size = 0
    for i in range(n_agents):
        first = window_start[window[i]] if window[i] < window_stop[i] else np.inf
        size = _heap_push(keys, ids, size, first, i)
    trunk_keys = np.empty(n + 1)
    trunk_ids = np.empty(n + 1, np.int64)
    in_system = 0
    floor = -np.inf
    for j in range(n):
        a = arrival[j]
        if trunks >= 0:
            admitted, in_system = _admit(a, trunk_keys, trunk_ids, in_system, trunks)
            if not admitted:
                status[j] = BLOCKED
                continue
        x = max(a, floor)
        # Refresh agents whose idle spell ended (window closed) before x; a key at or before x
        # with its window still open is an agent idle since that key.
        while size > 0 and keys[0] <= x and keys[0] < np.inf and window_end[window[ids[0]]] <= x:
            i = ids[0]
            size = _heap_pop(keys, ids, size)
            size = _heap_push(
                keys,
                ids,
                size,
                _idle_since(i, x, free, window, window_stop, window_start, window_end),
                i,
            )
        t = max(x, keys[0]) if size > 0 else np.inf
        floor = t
        deadline = a + patience[j]
        if t <= deadline and t < np.inf:
            i = ids[0]
            end = t + service[j]
            status[j] = ANSWERED
            start[j] = t
            agent_of[j] = i
            w = window[i]
            w_end = window_end[w]
            free[i] = end
            if end > w_end:
                overrun_from[j] = w_end
                overrun_to[j] = end
                nxt = w + 1
                if nxt < window_stop[i]:
                    if break_after[w]:
                        resume = end + (window_start[nxt] - w_end)
                        free[i] = resume
                        while nxt < window_stop[i] and window_start[nxt] < resume:
                            lost_to[nxt] = min(resume, window_end[nxt])
                            nxt += 1
                    else:
                        overrun_to[j] = min(end, window_start[nxt])
            size = _heap_pop(keys, ids, size)
            size = _heap_push(
                keys,
                ids,
                size,
                _idle_since(i, t, free, window, window_stop, window_start, window_end),
                i,
            )
            leave = end
        else:
            status[j] = ABANDONED if deadline < np.inf else UNRESOLVED
            leave = deadline
        if trunks >= 0:
            in_system = _heap_push(trunk_keys, trunk_ids, in_system, leave, j)
    return status, start, agent_of, overrun_from, overrun_to, lost_to


@njit(cache=True)
def integrate_count(
    time, delta, step_time, step_value, interval_start, interval_length, n_intervals
):
    """Integrate a counting process over intervals, and its excess over a step level.

    Parameters
    ----------
    time, delta : ndarray
        Event times (sorted) and the change of the count at each (+1 start, -1 end). [s]
    step_time, step_value : ndarray
        Step level as in :func:`simulate_pool` (use a single zero step for none).
    interval_start : ndarray of float64
        Sorted starts of the reporting intervals. [s]
    interval_length : float
        Length of each reporting interval. [s]
    n_intervals : int
        Number of intervals.

    Returns
    -------
    total : ndarray of float64
        Integral of the count over each interval. [count·s]
    excess : ndarray of float64
        Integral of ``max(count - level, 0)`` over each interval. [count·s]
    """
    total = np.zeros(n_intervals)
    excess = np.zeros(n_intervals)
    n_events = time.size
    n_steps = step_time.size
    e = 0
    count = 0
    step = 0
    for k in range(n_intervals):
        lo = interval_start[k]
        hi = lo + interval_length
        while e < n_events and time[e] <= lo:
            count += delta[e]
            e += 1
        t = lo
        while True:
            while step + 1 < n_steps and step_time[step + 1] <= t:
                step += 1
            nxt = hi
            if e < n_events and time[e] < nxt:
                nxt = time[e]
            if step + 1 < n_steps and step_time[step + 1] < nxt:
                nxt = step_time[step + 1]
            dt = nxt - t
            total[k] += count * dt
            over = count - step_value[step]
            if over > 0:
                excess[k] += over * dt
            t = nxt
            if t >= hi:
                break
            while e < n_events and time[e] <= t:
                count += delta[e]
                e += 1
    return total, excess
