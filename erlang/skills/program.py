"""The linear (and integer) program of multi-skill staffing: agents of each group per interval at
least cost under a fluid model, a pooled Erlang floor and the cuts a simulation adds.

Agents enter either per interval (``y``, one variable per group and interval) or through shifts
(``x``, agents of each group on each shift, ``y = A x`` with ``A`` the share of each interval
each shift spends on the phones), as in the scheduling problem of Cezik & L'Ecuyer (2008):
staffing by shifts gives each group a requirement that shifts can cover without waste.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from ..staffing import required_agents
from ..targets import Targets

__all__ = ["Program"]


class Program:
    """The integer program of every interval: agents per group at least cost, under the fluid
    model, the pooled Erlang bound and the cuts found so far."""

    def __init__(self, volume, centre, price, interval, smooth=0.0, shifts=None, shift_cost=None):
        delay, _, factor, _ = centre.routing()
        self.can = np.isfinite(delay)  # (G, Q): groups that answer a queue, at once or later
        self.factor = np.where(self.can, factor, 0.0)
        aht = np.array([q.aht for q in centre.queues])
        self.load = volume.to_numpy(float) * aht / interval  # (T, Q) erlangs at the base AHT
        self.G, self.Q = delay.shape
        skills = np.array([len(g.skills) for g in centre.groups])
        # between equal costs, agents with fewer skills
        self.objective = price + 1e-6 * skills
        self.pooled = _pooled_bound(volume, centre, factor, interval)
        self.price = price
        self.smooth = float(smooth)
        if isinstance(volume.index, pd.DatetimeIndex) and len(volume) > 1:
            self.adjacent = np.asarray(
                (volume.index[1:] - volume.index[:-1]) == pd.Timedelta(seconds=interval)
            )
        else:
            self.adjacent = np.ones(max(len(volume) - 1, 0), bool)
        # (T, shifts): share of each interval an agent of each shift is on the phones
        self.shifts = None if shifts is None else sparse.csr_array(np.asarray(shifts, float))
        self.shift_cost = None if shift_cost is None else np.asarray(shift_cost, float)
        self.x = None  # agents per group and shift of the last solve, (G, shifts)
        # agents per group and shift the program may not go below (G, shifts)
        self.x_floor = None if shifts is None else np.zeros((self.G, self.shifts.shape[1]))
        self.reach = 3.0
        self.cut_t: list[np.ndarray] = []
        self.cut_d: list[np.ndarray] = []
        self.cut_rhs: list[np.ndarray] = []

    @property
    def cut_count(self) -> int:
        return int(sum(len(t) for t in self.cut_t))

    def add_cuts(self, y, room, missed, gain, where):
        """A cut ``sum_g gain_g * (y'_g - y_g) >= -room`` for every missed (queue, interval,
        metric) of the intervals ``where``; where no group's agent helps (all gains 0), one
        agent more among the groups that answer the queue."""
        q, j, m = np.nonzero(missed)
        t = where[j]
        d = gain[:, q, j, m].T  # (cuts, G)
        flat = d.sum(axis=1) <= 1e-12
        d[flat] = self.can[:, q[flat]].T.astype(float)
        # far below a target the metric is convex in the agents (few agents, long queues):
        # its tangent there asks for far more than needed, so a cut asks at most what
        # ``reach`` agents of the most useful group would give, and later rounds go on
        need = np.minimum(-room[q, j, m], self.reach * d.max(axis=1))
        rhs = (d * y[t]).sum(axis=1) + np.where(flat, 1.0, need)
        self.cut_t.append(t)
        self.cut_d.append(d)
        self.cut_rhs.append(rhs)

    def solve(self, where, y=None, integer=False) -> np.ndarray:
        """Agents (len(where), G) of the intervals ``where``, solved as one program, the other
        intervals' agents fixed at ``y``: the linear program's answer, or with ``integer`` the
        integer program's (to within 1% of its optimum: the intervals' programs are solved as
        one, and proving the last fraction of a percent costs far more than it saves)."""
        where = np.asarray(where, np.int64)
        G, Q, S = self.G, self.Q, len(where)
        ny = S * G
        pos = np.full(len(self.load), -1)
        pos[where] = np.arange(S)
        # consecutive intervals of which at least one is solved here: each group's change
        # between them costs ``smooth``, so that the mix of groups does not jump about
        first = np.flatnonzero(self.adjacent & ((pos[:-1] >= 0) | (pos[1:] >= 0)))
        P = first.size if self.smooth > 0 else 0
        first = first[:P]
        n = ny + S * G * Q + P * G
        rows, cols, vals, lo, hi = [], [], [], [], []
        r = 0

        def add(row, col, val, low, high):
            nonlocal r
            rows.append(row + r)
            cols.append(col)
            vals.append(val)
            r = int(row.max()) + 1 + r if row.size else r
            lo.append(low)
            hi.append(high)

        s_idx = ny + np.arange(S * G * Q).reshape(S, G, Q)
        y_idx = np.arange(ny).reshape(S, G)
        load = self.load[where]  # (S, Q)
        # each queue's load shared out in full among the groups that answer it
        sq = np.broadcast_to(np.arange(S * Q).reshape(S, 1, Q), (S, G, Q))
        keep = np.broadcast_to(self.can[None], (S, G, Q))
        add(sq[keep], s_idx[keep], np.ones(keep.sum()), np.ones(S * Q), np.ones(S * Q))
        # no group loaded beyond its agents: sum_q share * load * factor - y_g <= 0
        sg = np.broadcast_to(np.arange(S * G).reshape(S, G, 1), (S, G, Q))
        work = load[:, None, :] * self.factor[None]
        rows_g = np.concatenate([sg[keep], np.arange(S * G)])
        cols_g = np.concatenate([s_idx[keep], y_idx.ravel()])
        vals_g = np.concatenate([work[keep], -np.ones(S * G)])
        add(rows_g, cols_g, vals_g, np.full(S * G, -np.inf), np.zeros(S * G))
        # the whole team at least the pooled Erlang bound
        add(
            np.repeat(np.arange(S), G), y_idx.ravel(), np.ones(ny), self.pooled[where],
            np.full(S, np.inf),
        )  # fmt: skip
        if self.cut_t:
            t = np.concatenate(self.cut_t)
            d = np.concatenate(self.cut_d)
            rhs = np.concatenate(self.cut_rhs)
            pos = np.full(len(self.load), -1)
            pos[where] = np.arange(S)
            mine = pos[t] >= 0
            t, d, rhs = pos[t[mine]], d[mine], rhs[mine]
            k = len(t)
            if k:
                add(
                    np.repeat(np.arange(k), G), y_idx[t].ravel(), d.ravel(), rhs,
                    np.full(k, np.inf),
                )  # fmt: skip
        if P:
            # u >= |y_b - y_a| per group, y of an interval not solved here a constant
            u_idx = ny + S * G * Q + np.arange(P * G).reshape(P, G)
            a, b = pos[first], pos[first + 1]
            fixed = np.zeros((P, G))
            if y is not None:
                fixed += np.where((a < 0)[:, None], y[first], 0.0)
                fixed -= np.where((b < 0)[:, None], y[first + 1], 0.0)
            for sign in (1.0, -1.0):  # u - sign * (y_b - y_a) >= 0
                rr, cc, vv = [np.arange(P * G)], [u_idx.ravel()], [np.ones(P * G)]
                for end, coef in ((b, -sign), (a, sign)):
                    free = np.broadcast_to((end >= 0)[:, None], (P, G))
                    rr.append(np.arange(P * G).reshape(P, G)[free])
                    cc.append(y_idx[np.maximum(end, 0)][free])
                    vv.append(np.full(int(free.sum()), coef))
                add(
                    np.concatenate(rr), np.concatenate(cc), np.concatenate(vv),
                    (-sign * fixed).ravel(), np.full(P * G, np.inf),
                )  # fmt: skip
        A = sparse.csr_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, n)
        )
        if self.shifts is not None:
            return self._solve_shifts(A, np.concatenate(lo), np.concatenate(hi), ny, integer)
        c = np.concatenate(
            [np.tile(self.objective, S), np.zeros(S * G * Q), np.tile(self.smooth * self.price, P)]
        )
        upper = np.concatenate([np.full(ny, np.inf), np.ones(S * G * Q), np.full(P * G, np.inf)])
        result = milp(
            c,
            integrality=np.concatenate([np.full(ny, int(integer)), np.zeros(n - ny)]),
            options={"mip_rel_gap": 0.01},
            constraints=LinearConstraint(A, np.concatenate(lo), np.concatenate(hi)),
            bounds=Bounds(np.zeros(n), upper),
        )
        if result.x is None:
            raise RuntimeError(f"staffing program failed: {result.message}")
        return result.x[:ny].reshape(S, G)

    def _solve_shifts(self, A, lo, hi, ny, integer):
        """The program over every interval with agents on shifts: ``y = (shifts ⊗ I_G) x``
        substituted into the rows built over ``y``; the agents per group and interval."""
        G = self.G
        T, H = self.shifts.shape
        if ny != T * G:
            raise ValueError("a program over shifts is solved over every interval at once")
        # y[t * G + g] = sum_h shifts[t, h] * x[h * G + g]
        to_y = sparse.kron(self.shifts, sparse.eye_array(G), format="csr")
        rest = A.shape[1] - ny
        M = sparse.hstack([A[:, :ny] @ to_y, A[:, ny:]], format="csr")
        cost = np.kron(self.shift_cost, self.objective)
        c = np.concatenate([cost, np.zeros(rest)])
        upper = np.concatenate([np.full(H * G, np.inf), np.ones(rest)])
        if self.x is not None:
            # a small cost on moving away from the last answer (a proximal term): the program
            # has many equal optima, and jumping between them would make every interval look
            # new to the simulation, which then judges them all again
            near = self.x.T.ravel()  # in the order h * G + g
            k = H * G
            moved = sparse.hstack([sparse.eye_array(k), sparse.csr_array((k, rest))])
            M = sparse.vstack(
                [
                    sparse.hstack([M, sparse.csr_array((M.shape[0], k))]),
                    sparse.hstack([moved, sparse.eye_array(k)]),  # x + v >= near
                    sparse.hstack([-moved, sparse.eye_array(k)]),  # v - x >= -near
                ],
                format="csr",
            )
            lo = np.concatenate([lo, near, -near])
            hi = np.concatenate([hi, np.full(2 * k, np.inf)])
            c = np.concatenate([c, 1e-3 * cost])
            upper = np.concatenate([upper, np.full(k, np.inf)])
            rest += k
        lower = np.concatenate([self.x_floor.T.ravel(), np.zeros(rest)])
        result = milp(
            c,
            integrality=np.concatenate([np.full(H * G, int(integer)), np.zeros(rest)]),
            options={"mip_rel_gap": 0.01},
            constraints=LinearConstraint(M, lo, hi),
            bounds=Bounds(lower, upper),
        )
        if result.x is None:
            raise RuntimeError(f"staffing program failed: {result.message}")
        self.x = result.x[: H * G].reshape(H, G).T
        return (to_y @ result.x[: H * G]).reshape(T, G)

    def on_phones(self, x) -> np.ndarray:
        """Whole agents of each group per interval (T, G) on the phones from ``x`` (G, shifts)
        agents per shift, to the nearest."""
        return np.floor(self.shifts @ np.asarray(x, float).T + 0.5).astype(np.int64)


def _pooled_bound(volume, centre, factor, interval) -> np.ndarray:
    """Per interval: Erlang staffing of every call in one pool of the fastest agents under the
    loosest service-level target, a floor under the whole team (no queue does better than
    with every agent able to take it at once)."""
    sl = [q.targets for q in centre.queues if q.targets.service_level is not None]
    if not sl:
        return np.zeros(len(volume))
    total = volume.to_numpy(float).sum(axis=1)
    fastest = np.where(np.isfinite(centre.routing()[0]), factor, np.inf).min(axis=0)
    work = volume.to_numpy(float) @ (np.array([q.aht for q in centre.queues]) * fastest)
    aht = np.divide(work, total, out=np.ones_like(total), where=total > 0)
    loosest = Targets(
        service_level=min(float(np.min(t.service_level)) for t in sl),
        threshold=max(float(np.max(t.threshold)) for t in sl),
    )
    n = required_agents(total, aht, interval=interval, targets=loosest)
    return np.asarray(n, float)
