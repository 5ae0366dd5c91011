"""The restricted master of the roster decomposition and its stabilised column generation.

Each group of interchangeable agents chooses patterns (one per agent); coverage rows are
equalities with priced under- and over-coverage slacks. For coverage duals ``y`` that the
slacks admit (``-over <= y <= under``) the Lagrangian function

    L(y) = y . required + sum_g n_g min_p (c_p - a_p . y)

is a lower bound on every roster (Lagrangian relaxation of the coverage rows; the inner
minimum is the exact pricing problem). Column generation evaluates it at every pricing point,
so a proven bound is available at every round, not only at convergence (Farley's bound).
Pricing happens at a smoothed dual point between the best-bound duals and the master's duals
(Wentges' smoothing, its weight adjusted each round by the subgradient there); a mis-price
(no column at the smoothed point prices out at the master's duals) falls back to the
master's duals, so the method stays exact.

References
----------
.. [1] A. A. Farley, "A note on bounding a class of linear programming problems, including
   cutting stock problems", Operations Research 38(5), 1990.
.. [2] P. Wentges, "Weighted Dantzig–Wolfe decomposition for linear mixed-integer
   programming", International Transactions in Operational Research 4(2), 1997.
.. [3] A. Pessoa, R. Sadykov, E. Uchoa and F. Vanderbeck, "Automation and combination of
   linear-programming based stabilization techniques in column generation", INFORMS Journal
   on Computing 30(2), 2018.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from roster.highs import run

_INF = np.inf
# the smoothing weight of the stability centre stays below one so that the master's duals
# always move the pricing point
_MAX_ALPHA = 0.99


class Master:
    """LP / MIP over patterns with highspy.

    Rows: one equality per group (patterns used = group size); one linking row per day and
    shift (patterns working it = ``x[d, s]``, the agents on that shift); one equality per
    covered period, ``sum cov[d, s] x[d, s] + under - over = required``. Routing coverage
    through ``x`` keeps a pattern's column to its working days (about 20 entries rather than
    every interval it covers), which makes the LP an order of magnitude sparser.
    """

    def __init__(self, sizes, required, under_pen, over_pen, shift_cov, ceiling=None):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", 0)
        # new columns leave the basis primal feasible: primal simplex resumes from it
        h.setOptionValue("simplex_strategy", 4)
        self.h = h
        self.G = len(sizes)
        self.R = len(required)
        self.L = len(shift_cov)
        self.sizes = np.asarray(sizes, dtype=float)
        req = np.asarray(required, dtype=float)
        h.addRows(self.G, self.sizes, self.sizes, 0, [], [], [])
        h.addRows(self.L, np.zeros(self.L), np.zeros(self.L), 0, [], [], [])
        h.addRows(self.R, req, req, 0, [], [], [])
        self.cov0 = self.G + self.L  # first coverage row
        rows = (self.cov0 + np.arange(self.R)).astype(np.int32)
        starts = np.arange(self.R, dtype=np.int32)
        for pen, sign in ((under_pen, 1.0), (over_pen, -1.0)):
            h.addCols(
                self.R,
                np.full(self.R, float(pen)),
                np.zeros(self.R),
                np.full(self.R, _INF),
                self.R,
                starts,
                rows,
                np.full(self.R, sign),
            )
        # x[d, s]: -1 in its linking row, its coverage in the coverage rows
        idx, val, ptr = [], [], [0]
        for j, (r, v) in enumerate(shift_cov):
            idx += [np.array([self.G + j]), self.cov0 + np.asarray(r, np.int64)]
            val += [np.array([-1.0]), np.asarray(v, float)]
            ptr.append(ptr[-1] + 1 + len(r))
        idx = np.concatenate(idx).astype(np.int32)
        val = np.concatenate(val)
        h.addCols(
            self.L,
            np.zeros(self.L),
            np.zeros(self.L),
            np.full(self.L, _INF),
            len(idx),
            np.asarray(ptr[:-1], dtype=np.int32),
            idx,
            val,
        )
        self.n_slack = 2 * self.R + self.L  # columns before the patterns
        self.group = []  # group of each column
        self.patterns = []
        self.cost = []
        self.cov = []  # (rows, values) of each column
        self.seen = set()
        self.lp_time = 0.0
        self.lp_solves = 0
        self.lp_iterations = 0
        self.required = req
        self.pen = (float(under_pen), float(over_pen))
        # the build's time ceiling (roster.people.groups.Ceiling) or None; ``stopped``
        # tells that a solve ended at it, so its solution is not optimal
        self.ceiling = ceiling
        self.stopped = False

    def __len__(self):
        return len(self.patterns)

    def add(self, group, pattern, cost, cov_rows, cov_vals) -> bool:
        """Add a column unless the group already has the pattern; whether it was added."""
        key = (group, pattern.tobytes())
        if key in self.seen:
            return False
        self.seen.add(key)
        work = np.flatnonzero(pattern >= 0)
        links = self.G + work * (self.L // len(pattern)) + pattern[work]
        rows = np.concatenate([[group], links]).astype(np.int64)
        vals = np.ones(len(rows))
        self.h.addCols(
            1,
            np.array([cost]),
            np.zeros(1),
            np.array([self.sizes[group]]),
            len(rows),
            np.array([0], dtype=np.int32),
            rows.astype(np.int32),
            vals,
        )
        self.group.append(group)
        self.patterns.append(pattern)
        self.cost.append(float(cost))
        self.cov.append((np.asarray(cov_rows, dtype=np.int64), np.asarray(cov_vals, float)))
        return True

    def set_lower(self, lower):
        """Lower bounds of the pattern columns (dive fixings)."""
        n = len(lower)
        idx = np.arange(self.n_slack, self.n_slack + n, dtype=np.int32)
        upper = self.sizes[np.asarray(self.group, dtype=np.int64)]
        self.h.changeColsBounds(n, idx, np.asarray(lower, dtype=float), upper)

    def values(self):
        x = np.asarray(self.h.getSolution().col_value)
        return x[self.n_slack :]

    def solve_lp(self, solver="simplex"):
        """(objective, group duals, coverage duals); ``solver`` "ipm" for a solve from
        scratch (barrier and crossover), "simplex" to resume from the last basis. A solve
        stopped by the time ceiling sets ``stopped``."""
        t = time.perf_counter()
        self.h.setOptionValue("solver", solver)
        if self.ceiling is not None:
            self.ceiling.limit(self.h)
        status = run(self.h)
        if self.ceiling is not None and self.ceiling.check(self.h, "master LP"):
            self.stopped = True
        self.h.setOptionValue("solver", "simplex")
        self.lp_time += time.perf_counter() - t
        if status == highspy.HighsStatus.kError:
            model_status = self.h.modelStatusToString(self.h.getModelStatus())
            raise RuntimeError(f"HiGHS did not solve the master LP ({model_status})")
        self.lp_solves += 1
        self.lp_iterations += self.h.getInfo().simplex_iteration_count
        duals = np.asarray(self.h.getSolution().row_dual)
        return self.h.getInfo().objective_function_value, duals[: self.G], duals[self.cov0 :]

    def objective(self, counts) -> float:
        """Objective of integer pattern counts (slacks at their best)."""
        cover = np.zeros(self.R)
        for k in np.flatnonzero(counts):
            r, v = self.cov[k]
            cover[r] += counts[k] * v
        under, over = self.pen
        gap = self.required - cover
        return float(
            np.dot(counts, self.cost)
            + under * np.clip(gap, 0, None).sum()
            + over * np.clip(-gap, 0, None).sum()
        )

    def solve_mip(self, start, max_nodes):
        """Integer pattern counts from the MIP over all columns, started at ``start``, within
        ``max_nodes`` branch-and-bound nodes (and the time ceiling)."""
        h = self.h
        n = len(self.patterns)
        idx = np.arange(self.n_slack, self.n_slack + n, dtype=np.int32)
        self.set_lower(np.zeros(n))
        h.changeColsIntegrality(n, idx, np.full(n, highspy.HighsVarType.kInteger))
        h.setOptionValue("mip_max_nodes", int(max_nodes))
        h.setOptionValue("mip_rel_gap", 1e-4)
        h.setOptionValue("mip_allow_restart", False)
        cover = np.zeros(self.R)
        for k in np.flatnonzero(start):
            r, v = self.cov[k]
            cover[r] += start[k] * v
        gap = self.required - cover
        x = np.zeros(self.L)
        S = self.L // len(self.patterns[0])
        for k in np.flatnonzero(start):
            pat = self.patterns[k]
            work = np.flatnonzero(pat >= 0)
            x[work * S + pat[work]] += start[k]
        sol = np.concatenate([np.clip(gap, 0, None), np.clip(-gap, 0, None), x, start])
        h.setSolution(highspy.HighsSolution())
        s = highspy.HighsSolution()
        s.col_value = list(sol.astype(float))
        s.value_valid = True
        h.setSolution(s)
        if self.ceiling is not None:
            self.ceiling.limit(h)
        run(h)
        if self.ceiling is not None:
            self.ceiling.check(h, "pattern MIP")
        x = np.asarray(h.getSolution().col_value)
        h.changeColsIntegrality(n, idx, np.full(n, highspy.HighsVarType.kContinuous))
        h.setOptionValue("mip_max_nodes", highspy.kHighsIInf)
        if len(x) < self.n_slack + n:
            return start
        return np.round(x[self.n_slack :]).astype(np.int64)


def _price(group, value):
    return group.price(value, k=group.k)


@dataclass
class GenerationResult:
    lp: float
    bound: float
    rounds: int
    converged: bool  # the LP proven optimal over all patterns
    pricing_calls: int
    history: list  # (round, restricted LP, best bound)
    # the LP fell to the ``bound`` given by a stronger relaxation, which no round can raise
    met_given_bound: bool = False
    lagrangian: float = -_INF  # the best Lagrangian bound this run proved itself


def column_generation(
    master: Master,
    groups,
    shift_value,
    *,
    max_rounds: int,
    ceiling=None,
    alpha: float = 0.7,
    tol: float = 2e-4,
    bound: float = -_INF,
    center=None,
    pool=None,
) -> GenerationResult:
    """Stabilised column generation until its Lagrangian bound proves the LP optimal
    (within ``tol``) or no pattern prices out, within ``max_rounds`` rounds.

    Parameters
    ----------
    master : Master
    groups : sequence
        Per group: ``size``, ``price(dual_value (days, S), k) -> [(value, pattern)]`` (least
        reduced-cost patterns, the constant part included) and ``column(pattern) ->
        (cost, rows, vals)``.
    shift_value : callable
        Coverage duals -> value of working each shift on each day (days, S).
    max_rounds : int
        Pricing rounds at most (the work budget: the same input gives the same result).
    ceiling : roster.people.groups.Ceiling, optional
        Time ceiling: no new round starts once it is reached.
    alpha : float
        First Wentges smoothing weight of the stability centre, then adjusted every round
        by the direction of the subgradient at the smoothed point (Pessoa et al. [3]).
    tol : float
        Relative gap between LP and bound at which to stop.
    bound : float
        A bound already proven for the same objective. When it comes from a stronger
        relaxation than the LP (such as one with whole agents), the LP can fall below it
        (``met_given_bound``); column generation goes on to its own proof or its rounds,
        since its later rounds give the integer phase a better LP and more patterns (on
        the 150-agent month of the benchmarks, stopping there left the roster 1.31% above
        the bound, and going on to 60 rounds 1.20%, in less time).
    center : ndarray, optional
        A first stability centre (coverage duals within the slack bounds), such as the duals
        of the aggregate relaxation; its Lagrangian value is evaluated first (one pricing
        call per group) so that only a better point replaces it.
    pool : concurrent.futures.Executor, optional
        Threads pricing the groups side by side (the labelling releases the GIL).
    """
    rounds = calls = 0
    lp = _INF
    converged = met_given = False
    # the best Lagrangian value of this relaxation: only it proves the LP optimal
    own = -_INF
    history = []
    under, over = master.pen
    required = master.required

    def lagrangian(y_price, y):
        """Columns priced at ``y_price`` with negative reduced cost at the master's duals
        ``y`` added; the Lagrangian value at ``y_price``, its subgradient and the count."""
        nonlocal calls
        value = shift_value(y_price)
        lagr = float(y_price @ required)
        grad = required.copy()
        added = 0
        values = [value] * len(groups)
        priced = (map if pool is None else pool.map)(_price, groups, values)
        for g, (grp, found) in enumerate(zip(groups, priced, strict=True)):
            calls += 1
            if not found:
                continue
            lagr += grp.size * found[0][0]
            for j, (_, pat) in enumerate(found):
                cost, rows, vals = grp.column(pat)
                if j == 0:
                    grad[rows] -= grp.size * vals
                if y is None:
                    continue
                rc = cost - float(vals @ y[rows]) - pi[g]
                if rc < -1e-6 and master.add(g, pat, cost, rows, vals):
                    added += 1
        return lagr, grad, added

    # the stability centre is the best Lagrangian point found here; ``bound`` may come from
    # another relaxation whose duals are not a Lagrangian point of this one, so a given
    # centre is first evaluated (else the first smoothed point, however poor, replaces it)
    center_value = -_INF
    pi = None
    if center is not None and max_rounds > 0:
        center = np.clip(np.asarray(center, dtype=float), -over, under)
        center_value, _, _ = lagrangian(center, None)
        bound, own = max(bound, center_value), center_value
    a = alpha
    while rounds < max_rounds and not (
        ceiling is not None and ceiling.reached("column generation")
    ):
        rounds += 1
        lp, pi, y = master.solve_lp()
        if master.stopped:
            break
        y = np.clip(y, -over, under)
        if lp - own <= tol * max(abs(lp), 1.0):
            converged = True
            break
        if lp - bound <= tol * max(abs(lp), 1.0):
            # the LP meets a bound of a stronger relaxation, which no round can raise; the
            # rounds left still lower the LP and add the patterns the integer phase rounds
            met_given = True
        a_round = a if center is not None else 0.0
        while True:
            y_price = y if a_round == 0.0 else a_round * center + (1.0 - a_round) * y
            lagr, grad, added = lagrangian(y_price, y)
            bound, own = max(bound, lagr), max(own, lagr)
            if a_round > 0.0:
                # automatic smoothing (Pessoa et al. 2018): a subgradient at the smoothed
                # point leaning towards the master's duals means the centre holds the
                # search back, so smooth less; leaning away, the master's duals overshoot
                # (a degenerate master's are often extreme), so smooth more
                if float(grad @ (y - y_price)) > 0.0:
                    a = max(a - 0.1, 0.0)
                else:
                    a = min(a + 0.1 * (1.0 - a), _MAX_ALPHA)
            if lagr > center_value or center is None:
                center_value, center = lagr, y_price.copy()
            if added or a_round == 0.0:
                history.append((rounds, lp, bound))
                break
            a_round = 0.0  # mis-price: price again at the master's duals
        if added == 0:
            lp, _, _ = master.solve_lp()
            if not master.stopped:
                converged = True
                # no column prices out at the master's duals: the LP is optimal over all
                # patterns
                bound, own = max(bound, lp), max(own, lp)
            break
    else:
        if ceiling is None or not ceiling.reached("column generation"):
            lp, _, _ = master.solve_lp()
    if master.stopped:
        lp = np.nan  # the last LP stopped at the ceiling: no LP value
    return GenerationResult(lp, bound, rounds, converged, calls, history, met_given, own)
