"""Redials, exactly: the stationary law of the queue with an orbit of callers waiting to redial.

The fixed point of :mod:`erlang.redials` takes the redials as a Poisson stream that sees the
queue as a fresh call does. They are not: a redial follows a loss, which happens when the
queue is long, and comes back while it may still be long. This module solves the Markov chain
that keeps that memory, chosen by ``erlang.Redials(..., method="chain")``.

The state is ``(i, j)``: ``i`` callers in the system (in service and waiting, at most the
trunks ``K``) and ``j`` callers in the orbit, between a lost attempt and their redial. With
``λ`` the fresh callers per second, ``n`` agents, ``μ = 1/aht``, ``θ = 1/patience`` and
``ν = 1/delay`` (exponential delays), the moves out of ``(i, j)`` are

==============================  =========================  ===============================
event                           rate                       to
==============================  =========================  ===============================
fresh call, ``i < K``           ``λ``                      ``(i + 1, j)``
fresh call, busy tone           ``λ p_bl``                 ``(K, j + 1)``
redial, ``i < K``               ``j ν``                    ``(i + 1, j - 1)``
redial, busy tone, gives up     ``j ν (1 - p_bl)``         ``(K, j - 1)``
service                         ``min(i, n) μ``            ``(i - 1, j)``
hang-up, redials later          ``(i - n)⁺ θ p_ab``        ``(i - 1, j + 1)``
hang-up for good                ``(i - n)⁺ θ (1 - p_ab)``  ``(i - 1, j)``
==============================  =========================  ===============================

(a redial that hears busy tone again stays in the orbit with ``p_bl``: no move). The
generator is a level-dependent quasi-birth-and-death process in the orbit levels ``j``, each
level tridiagonal in ``i`` (Artalejo and Gómez-Corral 2008); it is built for all
states at once and solved by a sparse LU factorisation (SuperLU), one equation replaced by
``π(i*, j*) = 1`` at a state near the mode and the result normalised.

What an attempt meets follows from the state it arrives in. Fresh calls see the time average
(PASTA); redials arrive at rate ``j ν`` in ``(i, j)``, so an attempt finds ``i`` in the system
with probability ``q(i) ∝ Σ_j π(i, j) (λ + j ν)``. Once in the queue, its fate depends only on
the callers ahead of it (later arrivals and the orbit do not overtake it, FCFS), as in the
M/M/n+M queue: with ``k = i - n`` ahead, its virtual wait ``V`` is a sum of exponential
stages of rates ``θ(a + m)``, ``m = 0..k``, ``a = nμ/θ``, so with ``p = e^(-θt)`` and ``I``
the regularised incomplete beta function

    P(V > t | k) = I_p(a, k + 1),         P(served | k) = E[e^(-θV)] = a / (a + k + 1),
    P(served, V > t | k) = a / (a + k + 1) · I_p(a + 1, k + 1),
    E[V; served | k] = a / (a + k + 1) · Σ_{m=0..k} 1 / (nμ + (m + 1) θ),

(under exponential tilting by ``e^(-θV)`` each stage gains rate ``θ``), and without patience
``P(V > t | k)`` is the Poisson sum ``Q(k + 1, nμt)``. Every metric of
:func:`erlang.kpis` is the sum of those over ``q``; the caller view follows from the attempts
as for the fixed point (:class:`erlang.redials.CallerView`).

Truncation. The chain is infinite in ``j`` (and in ``i`` without trunks); it is solved on a
box ``[i0, i1] × [j0, j1]`` whose moves out of the box are turned back to its edge. The box is
first sized from the fixed point (the orbit holds ``redials per second × delay`` callers on
average, Little's law; the queue as Erlang A at the attempts), then checked: on each side that
cuts the chain (not the empty orbit, nobody in the system or the trunks), the marginal mass of
the edge level ``e`` and its decay ``r`` towards the edge give the mass at and beyond the edge
as ``e / (1 - r)`` (the tails fall at least geometrically there); a side above ``1e-10`` is
widened until the sum over the sides is below it, and the sum is reported as
``truncation`` per interval. A box beyond ``max_states`` states is refused with the size
named (the fixed point then remains). Neuts and Rao (1990) truncate the orbit of the
multiserver retrial queue in the same spirit (holding the redial rate fixed beyond a level);
here the cut is plain and measured.

Cost. One sparse factorisation per interval and count of agents (two or three when the first
box is widened), the box growing with the load and with the orbit's tail, which lengthens with
the delay. Measured on one core (``benchmarks.erlang_redials``; AHT 300 s, half hours,
patience 120 s, 80% in 20 s, ``p`` 0.5 to 0.7, delays of 60 to 1500 s), per interval:

=======  ===============  =================
load     KPIs             exact staffing
=======  ===============  =================
4 Erl    4 ms             5 to 7 ms
20 Erl   5 to 11 ms       13 to 20 ms
80 Erl   10 to 60 ms      35 to 160 ms
200 Erl  25 to 270 ms     0.1 to 0.75 s
=======  ===============  =================

(the upper ends at ``p = 0.7`` and a 25-minute delay, where the orbit reaches hundreds of
callers in congested spells). The fixed point staffs in 10 to 40 µs per interval: the chain
is the choice for a day's plan or a check, the fixed point for bulk runs, and where the two
agree (long delays, low ``p``, large queues) the fixed point suffices. The fixed point is
optimistic on service, so the chain staffs as many agents or more wherever a service target
binds; under an occupancy cap it may staff fewer (the fixed point counts more callers served,
so more work).

References
----------
J. R. Artalejo, A. Gómez-Corral, "Retrial Queueing Systems: A Computational Approach",
Springer, 2008 (the multiserver retrial queue as a level-dependent QBD, solved numerically).
M. F. Neuts, B. M. Rao, "Numerical investigation of a multiserver retrial model", Queueing
Systems 7, 1990, 169-190 (truncating the orbit).
B. S. Greenberg, R. W. Wolff, "An upper bound on the performance of queues with returning
customers", Journal of Applied Probability 24(2), 1987, 466-475 (the fixed point, returning
customers who see time averages, bounds the performance from above).
"""

import numpy as np
from scipy import sparse, special
from scipy.sparse.linalg import splu

from .queue import Shares

#: Largest chain solved per interval and count of agents [states].
MAX_STATES = 400_000
# Mass at and beyond the edges of the box that is accepted.
_LEFT_OUT = 1e-10
_MAX_WIDENINGS = 12
# Relative error in the balance of callers above which a solution is refused.
_BALANCE = 1e-7


class ChainTooBig(ValueError):
    """The retrial chain of some interval needs more states than :data:`MAX_STATES`."""


def _moves(i, j, rate, mu, n, theta, p_ab, p_bl, nu, trunks):
    """The moves out of the states ``(i, j)``, as ``(di, dj, rate)`` (service and a hang-up for
    good share one)."""
    open_ = i < trunks
    hang_up = np.maximum(i - n, 0.0) * theta
    return (
        (1, 0, np.where(open_, rate, 0.0)),
        (0, 1, np.where(open_, 0.0, rate * p_bl)),
        (1, -1, np.where(open_, j * nu, 0.0)),
        (0, -1, np.where(open_, 0.0, j * nu * (1.0 - p_bl))),
        (-1, 0, np.minimum(i, n) * mu + hang_up * (1.0 - p_ab)),
        (-1, 1, hang_up * p_ab),
    )


def stationary(rate, mu, n, theta, p_ab, p_bl, nu, trunks, box, anchor, pivot=False):
    """Stationary law of the chain on ``box = (i0, i1, j0, j1)``, as an array
    ``[i - i0, j - j0]`` summing to 1.

    Moves that leave the box end on its edge (a move that would stay put is dropped).
    ``anchor`` is a state ``(i, j)`` inside the box whose balance equation gives way to
    ``π(anchor) = 1``; near the mode it keeps the solution far from under- and overflow.
    The LU goes without pivoting (each column of the matrix is diagonally dominant) unless
    ``pivot``.
    """
    i0, i1, j0, j1 = box
    ni, nj = i1 - i0 + 1, j1 - j0 + 1
    i = np.repeat(np.arange(i0, i1 + 1, dtype=float), nj)
    j = np.tile(np.arange(j0, j1 + 1, dtype=float), ni)
    source = np.arange(ni * nj)
    rows, cols, vals = [], [], []
    out = np.zeros(ni * nj)
    for di, dj, r in _moves(i, j, rate, mu, n, theta, p_ab, p_bl, nu, trunks):
        ti = np.clip(i + di, i0, i1)
        tj = np.clip(j + dj, j0, j1)
        target = ((ti - i0) * nj + (tj - j0)).astype(np.int64)
        keep = (r > 0.0) & (target != source)
        rows.append(target[keep])  # the transpose: balance equations by row
        cols.append(source[keep])
        vals.append(r[keep])
        out[keep] += r[keep]
    rows.append(source)
    cols.append(source)
    vals.append(-out)
    rows, cols, vals = (np.concatenate(x) for x in (rows, cols, vals))
    a = (int(anchor[0]) - i0) * nj + (int(anchor[1]) - j0)
    fixed = rows == a
    rows = np.append(rows[~fixed], a)
    cols = np.append(cols[~fixed], a)
    # π(anchor) = 1, scaled by the anchor's rate out: every column of the matrix then keeps
    # its diagonal at least the sum of the rest, so the LU needs no pivoting.
    scale = out[a] if out[a] > 0.0 else 1.0
    vals = np.append(vals[~fixed], scale)
    matrix = sparse.csc_matrix((vals, (rows, cols)), shape=(ni * nj, ni * nj))
    b = np.zeros(ni * nj)
    b[a] = scale
    pi = splu(matrix, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=float(pivot)).solve(b)
    pi = np.maximum(pi, 0.0)  # round-off below the smallest masses
    return (pi / pi.sum()).reshape(ni, nj)


def _edge_mass(marginal, at_end):
    """Mass at and beyond one edge of a marginal, ``e / (1 - r)``: ``e`` the edge level and
    ``r`` the decay one level further in (the edge itself gathers the moves turned back, so
    its own ratio overstates the tail); ``inf`` where the mass does not fall there."""
    m = marginal[::-1] if at_end else marginal
    e = m[0]
    if m.size < 3 or e == 0.0:
        return e
    r = m[1] / m[2] if m[2] > 0.0 else np.inf
    return e / (1.0 - r) if r < 1.0 else np.inf


def _levels_to_add(marginal, at_end, span):
    """Levels to add on one side so that its tail falls below a quarter of the tolerance:
    ``ln`` of the marginal fitted by a parabola over the last levels (the tails of both
    dimensions are close to Gaussian or Poisson, whose logs bend down) and followed outwards;
    without a fall to follow, the span doubles."""
    m = marginal[::-1] if at_end else marginal
    inner = m[2 : min(m.size, 40)]  # the edge's two levels gather the moves turned back
    keep = inner > 0.0
    doubling = max(span, 8)
    if keep.sum() < 4:
        return doubling
    d = -np.arange(2.0, 2.0 + inner.size)[keep]  # distance outwards from the edge
    y = np.log(inner[keep])
    target = np.log(_LEFT_OUT / 4.0)
    c2, c1, c0 = np.polyfit(d, y, 2)
    if c2 > 0.0:  # no bend: the line through the same levels
        c2 = 0.0
        c1, c0 = np.polyfit(d, y, 1)
    if c1 >= 0.0 and c2 == 0.0:
        return doubling
    ahead = np.arange(1.0, 4.0 * span + 200.0)
    below = np.flatnonzero(c0 + c1 * ahead + c2 * ahead**2 < target)
    if not below.size:
        return doubling
    return int(np.ceil(1.15 * below[0])) + 3


def _first_box(rate, attempts, aht, n, theta, nu, trunks, p):
    """A box from the fixed point: ``attempts`` per second there (a little low: it is
    optimistic), the orbit mean ``(attempts - rate) / ν`` by Little's law. The orbit's tail is
    long: in a congested spell most callers are lost, and the orbit climbs towards
    ``p λ / ν``, a share of which the box takes in at once (a box too small costs a second
    solve; one too large, states)."""
    orbit = max(attempts - rate, 0.0) / nu
    spell = p * rate / nu
    j1 = int(np.ceil(orbit + 0.2 * spell + 8.0 * np.sqrt(orbit + 0.25 * spell + 1.0) + 12.0))
    j0 = int(max(0.0, np.floor(0.7 * orbit - 6.0 * np.sqrt(2.0 * orbit + 1.0))))
    fresh_load = rate * aht
    i0 = int(np.clip(np.floor(fresh_load - 6.0 * np.sqrt(fresh_load) - 2.0), 0, max(n - 1, 0)))
    if theta > 0.0:
        busy = max(1.3 * attempts, (1.0 + p) * rate)
        ahead = max(busy - n / aht, 0.0) / theta  # where hang-ups catch up with the excess
        i1 = n + int(np.ceil(ahead + 6.0 * np.sqrt(busy / theta + 1.0) + 6.0))
    else:
        i1 = trunks
    return [i0, int(min(i1, trunks)), j0, j1]


def solve_box(rate, aht, n, patience, p_ab, p_bl, delay, trunks, attempts, max_states):
    """Stationary law on a box wide enough that at most ``1e-10`` is at or beyond its edges.

    Returns ``(pi, box, left_out)``. Raises :class:`ChainTooBig` when the box needed exceeds
    ``max_states``.
    """
    mu, nu = 1.0 / aht, 1.0 / delay
    theta = 0.0 if np.isinf(patience) else 1.0 / patience
    box = _first_box(rate, attempts, aht, n, theta, nu, trunks, max(p_ab, p_bl))
    orbit = max(attempts - rate, 0.0) / nu
    for _ in range(_MAX_WIDENINGS):
        size = (box[1] - box[0] + 1) * (box[3] - box[2] + 1)
        if size > max_states:
            raise ChainTooBig(
                f"the retrial chain needs {size} states ({box[1] - box[0] + 1} in the system x "
                f"{box[3] - box[2] + 1} in the orbit), more than max_states={max_states}: "
                "use the fixed point (Redials method='fixed_point')"
            )
        pi = _solve_at(rate, mu, n, theta, p_ab, p_bl, nu, trunks, box, orbit)
        by_i, by_j = pi.sum(axis=1), pi.sum(axis=0)
        sides = (
            (by_i, False, box[0] > 0),
            (by_i, True, box[1] < trunks),
            (by_j, False, box[2] > 0),
            (by_j, True, True),
        )
        masses = [_edge_mass(m, end) if cut else 0.0 for m, end, cut in sides]
        left_out = sum(masses)
        if left_out <= _LEFT_OUT:
            args = (rate, mu, n, theta, p_ab, p_bl, nu, trunks, box)
            if _balance_gap(pi, *args) > _BALANCE:  # a solution gone wrong: once more, pivoting
                pi = _again_at_mode(pi, *args)
                gap = _balance_gap(pi, *args)
                if gap > _BALANCE:
                    raise RuntimeError(
                        f"the retrial chain's solution misses the balance of callers by "
                        f"{gap:.1e} of the fresh callers (box {box}): use the fixed point "
                        "(method='fixed_point')"
                    )
            return pi, box, left_out
        for side, e in enumerate(masses):
            if e <= _LEFT_OUT / 4.0:
                continue
            span = box[1] - box[0] if side < 2 else box[3] - box[2]
            more = _levels_to_add(sides[side][0], sides[side][1], span)
            if side == 0:
                box[0] = max(box[0] - more, 0)
            elif side == 1:
                box[1] = int(min(box[1] + more, trunks))
            elif side == 2:
                box[2] = max(box[2] - more, 0)
            else:
                box[3] += more
    raise ChainTooBig(
        f"the retrial chain did not fit a box after {_MAX_WIDENINGS} widenings (last "
        f"{box}, {left_out:.1e} at its edges): use the fixed point (Redials method='fixed_point')"
    )


def _solve_at(rate, mu, n, theta, p_ab, p_bl, nu, trunks, box, orbit):
    """:func:`stationary` anchored near the mode: the agents the fresh load keeps busy and the
    orbit's mean by the fixed point; where that state holds little of the mass (the solution
    then loses digits in proportion), again at the mode found."""
    attempts = rate + orbit * nu
    # Fluid estimate of the callers in the system: the busy agents, and the queue where the
    # hang-ups take up the excess of the attempts over the agents.
    if theta > 0.0:
        fluid = min(attempts / mu, n) + max(attempts - n * mu, 0.0) / theta
    else:
        fluid = attempts / mu
    anchor = (int(np.clip(round(fluid), box[0], box[1])),
              int(np.clip(round(orbit), box[2], box[3])))  # fmt: skip
    pi = stationary(rate, mu, n, theta, p_ab, p_bl, nu, trunks, box, anchor)
    if pi[anchor[0] - box[0], anchor[1] - box[2]] < 1e-3 * pi.max():
        return _again_at_mode(pi, rate, mu, n, theta, p_ab, p_bl, nu, trunks, box)
    return pi


def _again_at_mode(pi, rate, mu, n, theta, p_ab, p_bl, nu, trunks, box):
    mode = np.unravel_index(np.argmax(pi), pi.shape)
    anchor = (int(mode[0]) + box[0], int(mode[1]) + box[2])
    return stationary(rate, mu, n, theta, p_ab, p_bl, nu, trunks, box, anchor, pivot=True)


def _balance_gap(pi, rate, mu, n, theta, p_ab, p_bl, nu, trunks, box):
    """``|fresh - served - lost for good| / fresh``: every caller leaves served or lost, an
    identity of the chain that a wrong solution breaks."""
    i = np.arange(box[0], box[1] + 1, dtype=float)
    j = np.arange(box[2], box[3] + 1, dtype=float)
    by_i = pi.sum(axis=1)
    served = mu * float(np.minimum(i, n) @ by_i)
    gone = theta * (1.0 - p_ab) * float(np.maximum(i - n, 0.0) @ by_i)
    full = i == trunks
    if full.any():
        gone += (1.0 - p_bl) * float(pi[full].sum(axis=0) @ (rate + nu * j))
    return abs(rate - served - gone) / rate


def _seen(pi, box, rate, nu):
    """What attempts meet: the attempts per second and the law ``q(i)`` of the callers in
    the system an attempt finds, over ``i = i0..i1``."""
    j = np.arange(box[2], box[3] + 1, dtype=float)
    fresh = rate * pi.sum(axis=1)
    redials = nu * (pi @ j)
    attempts = float(fresh.sum() + redials.sum())
    return attempts, (fresh + redials) / attempts


class ChainQueue(Shares):
    """The retrial chain's metrics per attempt, one interval per entry, with the methods of
    :class:`erlang.queue.Queue` that :func:`erlang.kpis`, :class:`erlang.Targets` and
    :class:`erlang.redials.CallerView` read.

    Built by :func:`chain_state`. The waiting states are held as a padded array
    ``wait[entry, k]``: the share of attempts that find ``k`` callers ahead of them in the
    queue (all agents busy, a trunk free).
    """

    def __init__(self, load, agents, aht, patience, volume, at_once, blocking, wait, busy,
                 truncation):  # fmt: skip
        self.load, self.agents, self.aht = load, agents, aht
        self.patience, self.volume = patience, volume
        self.idle = load == 0.0
        self.blocking = blocking
        self.truncation = truncation
        self._at_once = at_once  # answered at once: an agent free on arrival
        self._wait = wait
        self._busy = busy  # mean agents busy
        self.p_wait = wait.sum(axis=1)
        k = np.arange(wait.shape[1], dtype=float)[None, :]
        n_mu = (agents / aht)[:, None]
        theta = np.where(np.isfinite(patience), 1.0 / patience, 0.0)[:, None]
        self._k, self._n_mu, self._theta = k, n_mu, theta
        with np.errstate(divide="ignore", invalid="ignore"):
            # P(served | k ahead) = nμ / (nμ + (k + 1)θ): 1 without patience, 0 without agents.
            self._served = np.where(n_mu > 0.0, n_mu / (n_mu + (k + 1.0) * theta), 0.0)
        self.p_abandon = np.clip((wait * (1.0 - self._served)).sum(axis=1), 0.0, 1.0)
        self._cache = {}

    def _terms(self, t, which):
        """Per waiting state: ``which = 0`` ``P(V > t | k)``, ``1`` ``P(served, V > t | k)``."""
        key = (float(t), which) if not np.ndim(t) else None
        if key is not None and key in self._cache:
            return self._cache[key]
        t = np.broadcast_to(np.asarray(t, dtype=float), self.load.shape)[:, None]
        n_mu, theta, k = self._n_mu, self._theta, self._k
        out = np.ones(self._wait.shape)  # no agents: nobody is ever served
        patient = np.broadcast_to(theta == 0.0, out.shape)
        staffed = np.broadcast_to(n_mu > 0.0, out.shape)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # Patient callers: k + 1 completions at rate nμ, a Poisson sum.
            erlang = special.gammaincc(k + 1.0, n_mu * t)
            a = n_mu / theta
            p = np.exp(-theta * t)
            shape = a + which
            beta = special.betainc(shape, k + 1.0, p)
            if which:
                beta = beta * a / (a + k + 1.0)
        out = np.where(staffed & patient, erlang, out)
        out = np.where(staffed & ~patient, beta, out)
        if which:
            out = np.where(staffed, out, 0.0)
        if key is not None:
            self._cache[key] = out
        return out

    def _sum(self, terms):
        return (self._wait * terms).sum(axis=1)

    def wait_tail(self, t):
        """P(admitted and virtual wait longer than ``t`` seconds), over attempts."""
        return self._sum(self._terms(t, 0))

    def served_after(self, t):
        """P(admitted, served, and waited longer than ``t`` seconds), over attempts."""
        return self._sum(self._terms(t, 1))

    def answered_within(self, t):
        """P(served within ``t`` seconds of arrival), over attempts."""
        within = self._at_once + self._sum(self._served - self._terms(t, 1))
        return np.clip(within, 0.0, 1.0)

    def short_abandon(self, s):
        """P(hang up while waiting, within ``s`` seconds), over attempts:
        ``1 - P(V > s) e^(-θs) - P(served, V <= s)`` per state."""
        s_ = np.broadcast_to(np.asarray(s, dtype=float), self.load.shape)[:, None]
        decay = np.exp(-self._theta * s_)
        early = 1.0 - decay * self._terms(s, 0) - (self._served - self._terms(s, 1))
        return np.clip(self._sum(np.where(self._theta > 0.0, early, 0.0)), 0.0, 1.0)

    def mean_wait_answered(self):
        """Mean wait of the answered attempts [s]: ``E[V; served | k] = P(served | k)
        Σ_{m<=k} 1 / (nμ + (m + 1)θ)``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            stages = np.cumsum(1.0 / (self._n_mu + (self._k + 1.0) * self._theta), axis=1)
            waited = self._sum(np.where(self._served > 0.0, self._served * stages, 0.0))
            served = self._at_once + self._sum(self._served)
            return np.where(served > 0.0, waited / served, np.inf)

    def mean_wait_all(self):
        """Mean time in queue of the admitted attempts, abandoning ones included [s]:
        ``E[min(V, τ) | k] = (1 - P(served | k)) / θ``, ``(k + 1) / nμ`` without patience."""
        with np.errstate(divide="ignore", invalid="ignore"):
            impatient = (1.0 - self._served) / self._theta
            patient = (self._k + 1.0) / self._n_mu
            per_state = np.where(self._theta > 0.0, impatient, patient)
            total = self._sum(np.where(self._wait > 0.0, per_state, 0.0))
            admitted = 1.0 - self.blocking
            return np.where(admitted > 0.0, total / admitted, 0.0)

    def occupancy(self):
        """Mean agents busy over agents."""
        with np.errstate(divide="ignore", invalid="ignore"):
            occ = np.minimum(self._busy / self.agents, 1.0)
        return np.where(self.agents > 0.0, occ, np.where(self.idle, 0.0, 1.0))


def chain_state(fresh, aht, agents, interval, patience, trunks, redials, attempts, max_states):
    """Solve the chain per entry (flat arrays; ``trunks`` None or an array with ``inf`` for
    no cap; ``attempts`` per interval from the fixed point, to size the box).

    Returns the attempts per interval and the :class:`ChainQueue`.
    """
    size = fresh.size
    cap = np.full(size, np.inf) if trunks is None else trunks
    rate = fresh / interval
    x = np.zeros(size)
    at_once, blocking, busy, truncation = (np.zeros(size) for _ in range(4))
    rows = []
    for e in range(size):
        n = int(agents[e])
        if rate[e] <= 0.0:
            rows.append(np.zeros(0))
            at_once[e] = 1.0
            continue
        try:
            pi, box, left = solve_box(
                rate[e], aht[e], n, patience[e], redials.abandoned, redials.blocked,
                redials.delay, cap[e], attempts[e] / interval[e], max_states,
            )  # fmt: skip
        except ChainTooBig as err:
            raise ChainTooBig(f"{fresh[e]:g} fresh callers with {n} agents: {err}") from None
        x[e], q = _seen(pi, box, rate[e], 1.0 / redials.delay)
        i = np.arange(box[0], box[1] + 1)
        at_once[e] = q[i < n].sum()
        blocking[e] = q[i == cap[e]].sum()
        rows.append(q[(i >= n) & (i < cap[e])])
        busy[e] = float(np.minimum(i, n) @ pi.sum(axis=1))
        truncation[e] = left
    wait = np.zeros((size, max((r.size for r in rows), default=0)))
    for e, r in enumerate(rows):
        wait[e, : r.size] = r  # k = i - n ahead: the box starts at or below n
    queue = ChainQueue(x * aht, agents, aht, patience, fresh, at_once, blocking, wait, busy,
                       truncation)  # fmt: skip
    return x * interval, queue


def chain_queue(fresh, aht, agents, interval, patience, trunks, redials, attempts, queue):
    """The chain in place of the fixed point ``(attempts, queue)`` (flat arrays), where an
    orbit can form: callers are lost (finite patience, or a trunk cap) and some redial.
    Elsewhere nobody redials and the fixed point is the plain queue, exact.
    """
    whole = agents == np.floor(agents)
    if not whole.all():
        value = float(agents[~whole][0])
        raise ValueError(f"agents must be whole numbers with the retrial chain, got {value!r}")
    cap = np.full(fresh.shape, np.inf) if trunks is None else trunks
    lossy = (np.isfinite(patience) & (redials.abandoned > 0.0)) | (
        np.isfinite(cap) & (redials.blocked > 0.0)
    )
    rows = np.flatnonzero(lossy & (fresh > 0.0))
    pick = (a[rows] for a in (fresh, aht, np.minimum(agents, cap), interval, patience))
    x, chain = chain_state(*pick, cap[rows], redials, attempts[rows], MAX_STATES)
    attempts = attempts.copy()
    attempts[rows] = x
    return attempts, Spliced(queue, chain, rows)


class Spliced:
    """A queue whose entries ``rows`` are taken from ``chain``, the others from ``base``."""

    _ARRAYS = ("load", "agents", "aht", "volume", "idle", "blocking", "p_abandon", "p_wait")

    def __init__(self, base, chain, rows):
        self._base, self._chain, self._rows = base, chain, rows
        shape = np.shape(np.ravel(base.load))
        for name in self._ARRAYS:
            value = getattr(base, name)
            value = np.zeros(shape) if value is None else np.array(np.ravel(value), copy=True)
            value[rows] = getattr(chain, name)
            setattr(self, name, value)
        self.truncation = np.zeros(self.load.shape)
        self.truncation[rows] = chain.truncation

    def _both(self, name, *args, **kwargs):
        out = np.array(np.ravel(getattr(self._base, name)(*args, **kwargs)), dtype=float)
        if self._rows.size:
            pick = [a[self._rows] if np.ndim(a) else a for a in args]
            picked = {k: v[self._rows] if np.ndim(v) else v for k, v in kwargs.items()}
            out[self._rows] = getattr(self._chain, name)(*pick, **picked)
        return out

    def wait_tail(self, t):
        return self._both("wait_tail", t)

    def served_after(self, t):
        return self._both("served_after", t)

    def answered_within(self, t):
        return self._both("answered_within", t)

    def short_abandon(self, s):
        return self._both("short_abandon", s)

    def service_level(self, threshold, short_abandon=None, over="offered"):
        return self._both("service_level", threshold, short_abandon, over)

    def abandon_rate(self, short_abandon=None, over="offered"):
        return self._both("abandon_rate", short_abandon, over)

    def mean_wait_answered(self):
        return self._both("mean_wait_answered")

    def mean_wait_all(self):
        return self._both("mean_wait_all")

    def occupancy(self):
        return self._both("occupancy")
