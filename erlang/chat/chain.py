"""The chat queue as a birth-death chain: ``n`` agents of ``k`` sessions each, impatient or not.

With sessions spread evenly over the agents (each new session joins a least-loaded agent, and
the load stays balanced), ``s`` sessions in service sit on ``r = s mod n`` agents holding
``q + 1`` sessions and ``n - r`` holding ``q = s div n``, so the total service rate depends on
``s`` alone,

    f(s) = (r R(q + 1) + (n - r) R(q)) / aht,      s <= N = n k,

with ``R(j)`` the throughput of an agent with ``j`` sessions (:class:`~erlang.chat.Chat`).
When every slot is full a departure frees one slot, taken at once by the head of the queue, so
above ``N`` the chain is Erlang A's: rates ``c + (s - N) θ`` with ``c = n R(k) / aht`` and
``θ = 1 / patience`` (``θ = 0``: Erlang C). The stationary law has

    π_s / π_N = Π_{i=s+1..N} f(i) / λ  (s < N),     Σ_{s>=N} π_s / π_N = J,

``J = M(1, a + 1, b)`` with ``a = c / θ``, ``b = λ / θ`` (``1 / (1 - λ / c)`` when ``θ = 0``), so
an arrival waits with probability ``J / (U + J)``, ``U = Σ_{s<N} π_s / π_N``. Given that it
waits, its wait has the law of a waiting caller in the M/M/n+M queue whose agents finish a
session every ``aht / R(k)`` seconds (the same chain above its full state): every waiting-time
metric is that queue's (:class:`erlang.queue.Queue`), scaled by the ratio of the two
probabilities of waiting. ``U`` and the mean load below ``N`` are sums of ``N`` terms, taken
by a compiled loop over the states with a running rescale (the terms reach ``e^λaht``).

The chain is exact when the sessions are kept balanced, and whatever the routing when the
throughput is linear (no slowdown: it is then Erlang C or A with ``n k`` agents). Under
join-the-least-loaded routing without hand-over, a finished session can leave the load
uneven; with a concave throughput that only lowers the service rate, so the chain is
optimistic there. :func:`erlang.chat.simulate_chat` simulates both routings, and the
benchmark ``benchmarks.erlang_chat`` reports the gap.

References
----------
T. Tezcan, J. Zhang, "Routing and staffing in customer service chat systems with impatient
customers", Operations Research 62(4), 943-956, 2014 (the system: agents serving several
customers at once at a rate set by how many they serve, exponential patience).
J. Luo, J. Zhang, "Staffing and control of instant messaging contact centers", Operations
Research 61(2), 328-343, 2013 (agents as limited processor-sharing servers).
O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient customers",
M&SOM 4(3), 2002 (the M/M/n+M chain above the full state).
"""

import numpy as np
from numba import njit

from ..gamma import log_gammainc_parts
from ..queue import Queue

# Rescale the running terms before they overflow: they grow by up to e^λaht from state 0.
_BIG = 1e250


@njit(cache=True)
def below_full(load, agents, rates):
    """``(ln U, mean sessions, mean agents busy)`` over the states below full, per entry.

    ``load`` is ``λ aht`` [Erl], ``agents`` whole, ``rates`` the throughput ``R(0..k)``. The
    means are conditional on fewer than ``N`` sessions (0 where ``N = 0``); ``ln U`` is
    ``-inf`` for ``N = 0`` and ``+inf`` where ``π_N`` underflows against the states below.
    """
    size = load.size
    k = rates.size - 1
    log_u = np.empty(size)
    sessions = np.zeros(size)
    busy = np.zeros(size)
    for i in range(size):
        n = agents[i]
        a = load[i]
        w = 1.0  # π_s / π_0, rescaled with the sums
        total = 0.0
        by_sessions = 0.0
        by_agents = 0.0
        s = 0
        for q in range(k):
            lo, hi = rates[q], rates[q + 1]
            for r in range(n):
                total += w
                by_sessions += s * w
                by_agents += min(s, n) * w
                w *= a / ((r + 1) * hi + (n - r - 1) * lo)  # to state s + 1
                s += 1
                if w > _BIG:
                    w /= _BIG
                    total /= _BIG
                    by_sessions /= _BIG
                    by_agents /= _BIG
        log_u[i] = np.log(total) - np.log(w) if w > 0.0 else np.inf
        if total > 0.0:
            sessions[i] = by_sessions / total
            busy[i] = by_agents / total
    return log_u, sessions, busy


class ChatQueue:
    """Stationary state of the chat chain, one interval per entry (flat arrays).

    Offers what :meth:`erlang.Targets.margin` and :func:`erlang.kpis` read from a queue:
    ``load``, ``idle``, ``blocking``, ``p_wait``, ``p_abandon``, :meth:`service_level`,
    :meth:`abandon_rate`, :meth:`short_abandon`, :meth:`mean_wait_answered`,
    :meth:`mean_wait_all` and :meth:`occupancy`, plus :meth:`busy_agents`.

    Parameters
    ----------
    load : ndarray
        Offered load ``λ aht``. [Erl]
    agents : ndarray
        Agents, whole numbers. [-]
    aht : ndarray
        Handle time of a session served alone. [s]
    patience : ndarray
        Mean patience, ``inf`` for none. [s]
    rates : ndarray
        Throughput ``R(0..k)`` of an agent by open sessions (:attr:`Chat.rates`). [1 / aht]
    """

    def __init__(self, load, agents, aht, patience, rates):
        self.load, self.agents, self.aht, self.patience = load, agents, aht, patience
        self.slots = agents * (rates.size - 1)
        self.idle = load == 0.0
        self.blocking = np.zeros(load.shape)
        full_rate = rates[-1]
        self.full = Queue(load / full_rate, agents, aht / full_rate, patience)
        log_u, self._sessions, self._busy = below_full(load, agents.astype(np.int64), rates)
        log_j = _log_waiting_mass(load, agents * full_rate, aht, patience)
        with np.errstate(over="ignore", invalid="ignore"):
            gap = log_u - log_j
            p_wait = 1.0 / (1.0 + np.exp(gap))
            self._p_below = 1.0 / (1.0 + np.exp(-gap))
        # nan only where both masses are infinite-like: no slots, or an unstable queue.
        unstable = np.isnan(gap)
        p_wait[unstable], self._p_below[unstable] = 1.0, 0.0
        p_wait[self.idle], self._p_below[self.idle] = 0.0, 1.0
        self.p_wait = p_wait
        # The chat chain waits less often than the full queue (ratio <= 1): where that one's
        # probability of waiting underflows, so does this one's.
        with np.errstate(divide="ignore", invalid="ignore"):
            self._ratio = np.where(self.full.p_wait > 0.0, p_wait / self.full.p_wait, 0.0)
        self.p_abandon = self._ratio * self.full.p_abandon

    def _scaled(self, values):
        """A waiting-part quantity of the full queue, scaled to this chain (0 stays 0)."""
        with np.errstate(invalid="ignore"):
            return np.where(self._ratio > 0.0, self._ratio * values, 0.0)

    def wait_tail(self, t):
        """P(V > t): the virtual wait exceeds ``t`` seconds."""
        return self._scaled(self.full.wait_tail(t))

    def served_after(self, t):
        """P(served and waited longer than ``t`` seconds)."""
        return self._scaled(self.full.served_after(t))

    def short_abandon(self, s):
        """P(leave the queue unanswered within ``s`` seconds)."""
        return self._scaled(self.full.short_abandon(s))

    def _share(self, count, short_abandon):
        if short_abandon is None:
            return count
        removed = self.short_abandon(short_abandon)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(removed < 1.0, np.clip(count / (1.0 - removed), 0.0, 1.0), 0.0)

    def service_level(self, threshold, short_abandon=None, over="offered"):
        """Answered within ``threshold`` over offered (less short abandons); nobody is
        blocked, so ``over`` changes nothing."""
        within = np.clip(1.0 - self.p_abandon - self.served_after(threshold), 0.0, 1.0)
        return self._share(within, short_abandon)

    def abandon_rate(self, short_abandon=None, over="offered"):
        """Abandons over offered, or both less the short abandons."""
        count = self.p_abandon
        if short_abandon is not None:
            count = np.maximum(count - self.short_abandon(short_abandon), 0.0)
        return self._share(count, short_abandon)

    def mean_wait_all(self):
        """Mean time in queue over all arrivals, abandoning ones included. [s]"""
        return self._scaled(self.full.mean_wait_all())

    def mean_wait_answered(self):
        """Mean wait of the answered sessions (ASA); ``inf`` where none is answered. [s]"""
        full = self.full
        with np.errstate(invalid="ignore"):  # nobody served in the full queue: inf * 0
            waited = self._scaled(full.mean_wait_answered() * (1.0 - full.p_abandon))
        served = 1.0 - self.p_abandon
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(served > 0.0, waited / served, np.inf)

    def _mean_share(self, below, whole):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self._p_below * below / whole + self.p_wait
        return np.where(self.idle, 0.0, np.where(whole > 0.0, np.minimum(out, 1.0), 1.0))

    def occupancy(self):
        """Share of the ``n k`` session slots in use: the load a ``max_occupancy`` target caps.

        Sessions in service over slots; with one session an agent, Erlang's occupancy. It falls
        with every agent added.
        """
        return self._mean_share(self._sessions, self.slots)

    def busy_agents(self):
        """Share of agents holding at least one session.

        Near 1 whenever agents hold several sessions, and, when patience is short against the
        handle time, it can rise as agents are added (sessions that would have been abandoned
        are served): a report, not a staffing target.
        """
        return self._mean_share(self._busy, self.agents)


def _log_waiting_mass(load, capacity, aht, patience):
    """``ln J``, the stationary mass of the full and waiting states relative to the full state.

    ``capacity`` is ``n R(k)``, the full service rate in sessions per ``aht``.
    """
    log_j = np.full(load.shape, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = load / capacity
    patient = np.isinf(patience)
    stable = patient & (rho < 1.0)
    log_j[stable] = -np.log1p(-rho[stable])
    impatient = ~patient & (load > 0.0)
    if impatient.any():
        ratio = patience[impatient] / aht[impatient]
        _, log_j[impatient] = log_gammainc_parts(
            capacity[impatient] * ratio, load[impatient] * ratio
        )
    return log_j
