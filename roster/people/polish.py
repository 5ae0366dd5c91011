"""Agent-by-agent best response: each agent's month re-priced exactly against the rest of the
roster.

With every other agent fixed, the objective changes by the agent's own cost plus the change of
the coverage penalty its shifts cause. Shifts of one agent never overlap (rest between shifts
is non-negative), so that change is a sum over the shifts worked, and the agent's best month
is a pricing problem: working shift ``s`` on day ``d`` is worth the penalty it removes. The
exact pricer (:mod:`roster.people.pricing`) returns the best month among *all* that meet the
rules, not only the generated patterns, and the current month is one of them, so no move
makes the roster worse. Sweeps repeat until no agent improves: the result is a local optimum
for single-agent changes (a large neighbourhood: a whole month per move).

Most agents of a late sweep cannot improve, and an agent need not be priced again where a
bound proves it. Its previous pricing proved a lower bound ``L`` on the cost of every month
under the costs ``c`` of then; under the costs ``c'`` of now every month costs at least
``L - sum_d max_s (c - c')^+[d, s]`` (a month works at most one shift a day), so where the
current month costs no more than that plus the acceptance tolerance, the agent would keep it
and is skipped. The skip is exact: the sweep moves the same agents to the same months as
one that prices everyone. Where the bound falls short, the pricing still skips its larger
programme (rest days lost to nights) when the relaxed one proves that no month beats the
current one (:meth:`roster.people.pricing.PatternPricer.best`).

References
----------
.. [1] P. Shaw, "Using constraint programming and local search methods to solve vehicle
   routing problems", CP 1998 (large neighbourhood search).
.. [2] E. K. Burke, P. De Causmaecker, G. Vanden Berghe and H. Van Landeghem, "The state of
   the art of nurse rostering", Journal of Scheduling 7(6), 2004.
"""

from __future__ import annotations

import time

import numpy as np


class CoverageLedger:
    """Coverage of a roster and the penalty change of adding or removing shifts.

    Parameters
    ----------
    shift_cov : list of (rows, values)
        Coverage of shift ``s`` worked on day ``d`` at index ``d * S + s``.
    required : ndarray (R,)
    under, over : float
        Penalty per unit of coverage below / above the requirement.
    """

    def __init__(self, shift_cov, required, under, over):
        self.n = len(shift_cov)
        lens = np.array([len(r) for r, _ in shift_cov], dtype=np.int64)
        self.ptr = np.concatenate([[0], np.cumsum(lens)])
        self.idx = np.concatenate([np.asarray(r, np.int64) for r, _ in shift_cov])
        self.val = np.concatenate([np.asarray(v, float) for _, v in shift_cov])
        self.col = np.repeat(np.arange(self.n), lens)
        self.required = np.asarray(required, dtype=float)
        self.under, self.over = float(under), float(over)
        self.cover = np.zeros(len(self.required))

    def penalty(self, cover=None) -> float:
        gap = self.required - (self.cover if cover is None else cover)
        return float(
            self.under * np.clip(gap, 0, None).sum() + self.over * np.clip(-gap, 0, None).sum()
        )

    def _f(self, x, r):
        return self.under * np.maximum(r - x, 0.0) + self.over * np.maximum(x - r, 0.0)

    def delta(self) -> np.ndarray:
        """Penalty change of adding each shift alone to the current coverage (n,)."""
        c = self.cover[self.idx]
        r = self.required[self.idx]
        d = self._f(c + self.val, r) - self._f(c, r)
        return np.bincount(self.col, weights=d, minlength=self.n)

    def add_grid(self, grid, S, keep=None):
        """Add every shift of roster ``grid`` (agents x days, -1 off), or only the cells
        where ``keep`` is True."""
        worked = grid >= 0 if keep is None else (grid >= 0) & keep
        agents, days = np.nonzero(worked)
        self.apply(days * S + grid[agents, days], 1.0)

    def apply(self, cells, sign):
        """Add (``sign`` 1) or remove (-1) the shifts at flat indices ``cells``."""
        cells = np.asarray(cells, dtype=np.int64)
        if not cells.size:
            return
        lens = self.ptr[cells + 1] - self.ptr[cells]
        at = np.repeat(self.ptr[cells] - np.cumsum(lens) + lens, lens) + np.arange(lens.sum())
        self.cover += sign * np.bincount(
            self.idx[at], weights=self.val[at], minlength=len(self.cover)
        )


def best_response(
    grid, group_of, groups, ledger, S, *, movable, deadline, max_sweeps=8, tally=None
):
    """Improve a roster agent by agent with exact pricing until no agent improves; an
    agent without a month takes its best month even where that raises the objective.

    Parameters
    ----------
    grid : ndarray of int (A, D)
        Patterns (-1 off); changed in place.
    group_of : ndarray of int (A,)
        Each agent's group (its pricer, pay, requests and leave).
    groups : sequence
        Per group (:class:`roster.people.groups.Group`): ``best(value, cutoff) -> (value,
        pattern or None)`` with the constant cost included, ``column(pattern) -> (cost,
        rows, vals)``, ``allowed`` (S,) and ``forced`` (days,).
    ledger : CoverageLedger
        Empty on entry; holds the roster's coverage on return.
    S : int
        Shifts per day.
    movable : ndarray of bool (A,)
        Agents that may be re-priced (the others keep their pattern: no month meets their
        rules).
    deadline : float
        ``time.perf_counter()`` value after which only agents without a month are priced
        (safety; the work is bounded by ``max_sweeps``).
    max_sweeps : int
    tally : dict, optional
        Counts ``priced`` and ``skipped`` (agents whose bound proved they keep their month)
        are added to it.

    Returns
    -------
    (objective, moves, sweeps)
    """
    A, D = grid.shape

    def cells(pat):
        work = np.flatnonzero(pat >= 0)
        return work * S + pat[work]

    ledger.add_grid(grid, S)
    moves = sweeps = priced = skipped = 0
    # per agent: the costs of its last pricing (coverage part) and the lower bound it proved
    seen = [None] * A
    floor = np.full(A, -np.inf)
    workable = {}
    relaxed = {}  # per group: relaxed programmes solved and those that settled the call
    improved = True
    while (
        improved
        and sweeps < max_sweeps
        and (time.perf_counter() < deadline or not (grid[movable] >= 0).any(axis=1).all())
    ):
        improved = False
        sweeps += 1
        for i in range(A):
            # past the deadline only agents without a month yet are priced
            if not movable[i] or (time.perf_counter() > deadline and (grid[i] >= 0).any()):
                continue
            g = group_of[i]
            grp = groups[g]
            mine = cells(grid[i])
            ledger.apply(mine, -1.0)
            delta = ledger.delta()
            now = grp.column(grid[i])[0] + float(delta[mine].sum())
            tol = 1e-7 * max(1.0, abs(now))
            has_month = mine.size > 0
            if has_month and seen[i] is not None:
                if g not in workable:
                    workable[g] = (
                        np.asarray(grp.allowed, bool)[None, :]
                        & ~np.asarray(grp.forced, bool)[:, None]
                    )
                # the most any month's cost can have fallen since it was priced
                fall = np.where(workable[g], (seen[i] - delta).reshape(D, S), 0.0)
                slack = float(np.maximum(fall.max(axis=1), 0.0).sum())
                # half the tolerance: rounding in the bound cannot turn a move into a skip
                if now - floor[i] + slack <= 0.5 * tol:
                    skipped += 1
                    ledger.apply(mine, 1.0)
                    continue
            # an agent without a month takes its best one even where that costs more: an
            # empty month breaks the paid band, so it is no roster to keep
            # the relaxed programme first while it settled at least one in four of the
            # recent calls (counts halved as they grow), and on every eighth call to notice
            # when it settles more again (late sweeps, where few agents can improve)
            st = relaxed.setdefault(g, {"calls": 0, "relaxed": 0, "proved": 0})
            st["calls"] += 1
            first = st["relaxed"] < 8 or 4 * st["proved"] >= st["relaxed"] or st["calls"] % 8 == 0
            value, pat = grp.best(
                -delta.reshape(D, S),
                now - tol if has_month else np.inf,
                relaxed_first=first,
                tally=st,
            )
            if st["relaxed"] >= 32:
                st["relaxed"], st["proved"] = st["relaxed"] // 2, st["proved"] // 2
            priced += 1
            seen[i], floor[i] = delta, value
            if pat is None:
                ledger.apply(mine, 1.0)
                continue
            empty = not has_month and (pat >= 0).any()
            if value < now - tol or empty:
                grid[i] = pat
                mine = cells(pat)
                moves += 1
                improved = True
            ledger.apply(mine, 1.0)
    if tally is not None:
        tally["priced"] = tally.get("priced", 0) + priced
        tally["skipped"] = tally.get("skipped", 0) + skipped
    total = ledger.penalty()
    for i in range(A):
        total += groups[group_of[i]].column(grid[i])[0]
    return total, moves, sweeps
