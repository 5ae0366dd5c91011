"""An event simulation of a chat centre, session by session, to check the chain against.

Nothing here uses :mod:`erlang.chat.chain`: sessions arrive, join an agent, are worked on and
leave (or wait in one queue and hang up), and the metrics are counted from what happened.
"""

import numpy as np
import pandas as pd
from numba import njit

from ..heap import pop, push
from ..inputs import check_finite
from ..replications import mean_half_width, ratio
from .metrics import check_chat, check_whole

__all__ = ["simulate_chat"]

_ROUTINGS = ("least_loaded", "balanced")
# Per replication: arrivals, waited, answered within threshold, answered, wait of answered,
# abandoned, time in queue of all, busy-agent time, busy-slot time, observed time.
_TALLIES = 10


@njit(cache=True)
def _least_loaded(load, k):
    """The agent with the fewest sessions (the first such), or -1 if every slot is full."""
    best = -1
    for a in range(load.size):
        if load[a] < k and (best < 0 or load[a] < load[best]):
            best = a
    return best


@njit(cache=True)
def _settle(a, now, load, work, last, rates):
    """Bring agent ``a``'s remaining work up to ``now`` at its current speed."""
    j = load[a]
    if j > 0:
        done = (now - last[a]) * rates[j] / j  # each session's progress, in solo seconds
        for i in range(j):
            work[a, i] -= done
    last[a] = now


@njit(cache=True)
def _next_done(a, load, work, last, rates, done_at):
    j = load[a]
    if j == 0:
        done_at[a] = np.inf
        return
    least = work[a, 0]
    for i in range(1, j):
        least = min(least, work[a, i])
    done_at[a] = last[a] + max(least, 0.0) * j / rates[j]


@njit(cache=True)
def _run(arrival, need, patience, agents, rates, threshold, warmup, horizon, balanced):
    """One replication over the given sessions (arrival times in order, solo handle times and
    patience of each); the tallies of the sessions arriving in ``[warmup, horizon)``."""
    k = rates.size - 1
    load = np.zeros(agents, np.int64)
    work = np.zeros((agents, k))
    last = np.zeros(agents)
    done_at = np.full(agents, np.inf)
    queue = np.empty(arrival.size, np.int64)  # waiting sessions are queue[head:tail]
    head, tail = 0, 0
    gone = np.zeros(arrival.size, np.bool_)  # left the queue: answered or hung up
    keys = np.empty(arrival.size + 1)
    ids = np.empty(arrival.size + 1, np.int64)
    size = 0
    out = np.zeros(_TALLIES)
    now = 0.0
    following = 0  # the next session to arrive
    while True:
        first_done, who = np.inf, -1
        for a in range(agents):
            if done_at[a] < first_done:
                first_done, who = done_at[a], a
        first_gone = keys[0] if size > 0 else np.inf
        next_arrival = arrival[following] if following < arrival.size else np.inf
        t = min(next_arrival, first_done, first_gone, horizon)
        lo = max(now, warmup)  # time averages over the observed window
        if t > lo:
            busy_agents, busy_slots = 0, 0
            for a in range(agents):
                busy_agents += load[a] > 0
                busy_slots += load[a]
            out[7] += busy_agents * (t - lo)
            out[8] += busy_slots * (t - lo)
            out[9] += t - lo
        now = t
        if now >= horizon:
            break
        if now == first_gone:  # a waiting session hangs up (or had already left)
            c = ids[0]
            size = pop(keys, ids, size)
            if not gone[c]:
                gone[c] = True
                if arrival[c] >= warmup:
                    out[5] += 1.0
                    out[6] += now - arrival[c]
        elif now == first_done:
            a = who
            _settle(a, now, load, work, last, rates)
            i = 0
            for m in range(1, load[a]):
                if work[a, m] < work[a, i]:
                    i = m
            load[a] -= 1
            work[a, i] = work[a, load[a]]
            if balanced:  # hand a session over from a most-loaded agent
                most = 0
                for b in range(agents):
                    if load[b] > load[most]:
                        most = b
                if load[most] > load[a] + 1:
                    _settle(most, now, load, work, last, rates)
                    load[most] -= 1
                    work[a, load[a]] = work[most, load[most]]
                    load[a] += 1
                    _next_done(most, load, work, last, rates, done_at)
            while head < tail and gone[queue[head]]:
                head += 1
            if head < tail:  # the longest-waiting session takes the free slot
                c = queue[head]
                head += 1
                gone[c] = True
                b = _least_loaded(load, k)
                _settle(b, now, load, work, last, rates)
                work[b, load[b]] = need[c]
                load[b] += 1
                _next_done(b, load, work, last, rates, done_at)
                if arrival[c] >= warmup:
                    wait = now - arrival[c]
                    out[3] += 1.0
                    out[4] += wait
                    out[6] += wait
                    out[2] += wait <= threshold
            _next_done(a, load, work, last, rates, done_at)
        else:  # an arrival
            c = following
            following += 1
            counted = now >= warmup
            out[0] += counted
            b = _least_loaded(load, k)
            if b >= 0:
                _settle(b, now, load, work, last, rates)
                work[b, load[b]] = need[c]
                load[b] += 1
                _next_done(b, load, work, last, rates, done_at)
                out[2] += counted
                out[3] += counted
            else:
                out[1] += counted
                queue[tail] = c
                tail += 1
                if np.isfinite(patience[c]):
                    size = push(keys, ids, size, now + patience[c], c)
    # sessions still waiting at the horizon: neither answered nor abandoned, waited so far
    for i in range(head, tail):
        c = queue[i]
        if not gone[c] and arrival[c] >= warmup:
            out[6] += horizon - arrival[c]
    return out


def simulate_chat(
    volume: float,
    aht: float,
    agents: int,
    *,
    chat,
    interval: float = 1800.0,
    patience: float | None = None,
    threshold: float = 20.0,
    routing: str = "least_loaded",
    hours: float = 200.0,
    warmup: float = 3600.0,
    replications: int = 10,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate one stationary chat queue; each metric's mean and confidence half-width.

    Parameters
    ----------
    volume : float
        Sessions offered per interval, Poisson. [sessions]
    aht : float
        Mean handle time of a session served alone, exponential. [s]
    agents : int
        Agents, each holding up to ``chat.max_sessions`` sessions. [-]
    chat : erlang.Chat
        Concurrency and throughput: an agent with ``j`` sessions works on each at
        ``R(j) / j`` times its solo speed.
    interval : float, default 1800
        Interval length, to read ``volume``. [s]
    patience : float or None, default None
        Mean exponential patience in queue; None for sessions that never leave. [s]
    threshold : float, default 20
        Service-level threshold. [s]
    routing : {'least_loaded', 'balanced'}, default 'least_loaded'
        A new session (or the head of the queue, when a slot frees) joins an agent with the
        fewest sessions. ``'balanced'`` also hands a session over from a most-loaded agent
        whenever a finished session leaves loads more than one apart: the routing under which
        the chain of :mod:`erlang.chat.chain` is exact.
    hours : float, default 200
        Observed time per replication, after the warm-up. [h]
    warmup : float, default 3600
        Time simulated before counting, from an empty centre. [s]
    replications : int, default 10
        Independent replications; the half-widths are t-based over them.
    confidence : float, default 0.95
        Confidence level of the half-widths.
    seed : int, default 0
        Replication ``r`` uses seed ``seed + r``.

    Returns
    -------
    pandas.DataFrame
        Index: ``p_wait``, ``service_level``, ``asa`` [s], ``abandon_rate``, ``mean_wait`` [s,
        all sessions], ``occupancy`` (session slots in use), ``busy_agents`` (agents holding a
        session); columns
        ``mean`` and ``half_width``. Rates count the sessions arriving in the observed time.
    """
    check_chat(chat, None)
    if routing not in _ROUTINGS:
        raise ValueError(f"routing must be one of {_ROUTINGS}, got {routing!r}")
    for name, value in (("volume", volume), ("aht", aht), ("interval", interval)):
        check_finite(name, value, low=0.0, low_inclusive=False)
    check_finite("agents", agents, low=1.0)
    check_whole("agents", np.asarray(agents, dtype=float))
    check_finite("threshold", threshold, low=0.0)
    if patience is not None:
        check_finite("patience", patience, low=0.0, low_inclusive=False)
    if not isinstance(replications, int) or replications < 2:
        raise ValueError(f"replications must be an integer >= 2, got {replications!r}")
    horizon = warmup + 3600.0 * hours
    lam = volume / interval
    tallies = []
    for r in range(replications):
        rng = np.random.default_rng(seed + r)
        count = rng.poisson(lam * horizon)
        arrival = np.sort(rng.random(count)) * horizon
        need = rng.exponential(aht, count)
        waits = np.full(count, np.inf) if patience is None else rng.exponential(patience, count)
        tallies.append(
            _run(
                arrival, need, waits, int(agents), chat.rates, float(threshold),
                float(warmup), horizon, routing == "balanced",
            )
        )  # fmt: skip
    tallies = np.array(tallies)
    arrivals, waited, within, answered, wait_answered, abandoned, queued = tallies[:, :7].T
    observed = tallies[:, 9]
    values = {
        "p_wait": ratio(waited, arrivals),
        "service_level": ratio(within, arrivals),
        "asa": ratio(wait_answered, answered),
        "abandon_rate": ratio(abandoned, arrivals),
        "mean_wait": ratio(queued, arrivals),
        "occupancy": ratio(tallies[:, 8], observed * agents * chat.max_sessions),
        "busy_agents": ratio(tallies[:, 7], observed * agents),
    }
    rows = [[float(x) for x in mean_half_width(v, confidence)] for v in values.values()]
    return pd.DataFrame(rows, index=list(values), columns=["mean", "half_width"])
