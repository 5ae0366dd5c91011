"""Column generation for a Curtois & Qu instance: a set-partitioning master over whole
employee months, priced by the exact one-employee labelling.

Master (linear relaxation)::

    min  sum_{e,p} c_ep lam_ep + sum_q (wu_q under_q + wo_q over_q)
    s.t. sum_{e,p} a_epq lam_ep + under_q - over_q = req_q     (cover row q = (day, type))
         sum_p lam_ep = 1                                      (employee e)
         lam, under, over >= 0

where column ``p`` of employee ``e`` is a month keeping all of ``e``'s hard rules, ``c_ep`` its
request penalty and ``a_epq`` whether it works row ``q``. Its bound is at least the compact
model's (every hard rule is inside the columns, Dantzig-Wolfe 1960) and on these instances much
stronger. With duals ``y`` of the cover rows and ``m_e`` of the employee rows, the cheapest
column of ``e`` is the labelling at prices ``request_cost[e] - y`` (:mod:`.pricing`);
its reduced cost ``r_e`` gives the Lagrangian bound ``LP + sum_e min(r_e, 0)`` at every
iteration (Lübbecke and Desrosiers 2005), so the bound is valid even when time runs out before
the LP is solved to the end. Dual values are smoothed towards the best-bound duals (Wentges 1997)
to damp their oscillation.

Integer rosters come from diving (Joncour et al. 2010): the months the LP takes nearly whole
and one fractional month are fixed, the master re-solved and, where fixing raised the LP,
re-priced until no column prices out or the step's share of the time runs out. The
fractional month fixed is, among the largest few of distinct employees, the one whose fixing
raises the LP least (strong diving). Each time half of the free employees are held, the
master is rebuilt over the free ones alone, their cover moved into the right-hand sides and
only their columns cheapest at the last duals carried over: the same LP at a fraction of
the size, each re-solve with half the simplex iterations. The employees a deadline leaves
unfixed take their best response. A dive may start from a master in which every employee's
total time, and which capped types it works to the cap, are already fixed
(:meth:`Master.counted`, branching on aggregates first, Vanderbeck 2011).

References
----------
.. [1] G. B. Dantzig and P. Wolfe, "Decomposition principle for linear programs", Oper. Res.
   8 (1960), pp. 101-111.
.. [2] M. E. Lübbecke and J. Desrosiers, "Selected topics in column generation", Oper. Res. 53
   (2005), pp. 1007-1023.
.. [3] P. Wentges, "Weighted Dantzig-Wolfe decomposition for linear mixed-integer
   programming", Int. Trans. Oper. Res. 4 (1997), pp. 151-162.
.. [4] C. Joncour, S. Michel, R. Sadykov, D. Sverdlov and F. Vanderbeck, "Column generation
   based primal heuristics", Electron. Notes Discrete Math. 36 (2010), pp. 695-702.
.. [5] F. Vanderbeck, "Branching in branch-and-price: a generic scheme", Math. Program. 130
   (2011), pp. 249-294.
.. [6] T. Curtois and R. Qu, "Computational results on new staff scheduling benchmark
   instances", Technical report, ASAP group, University of Nottingham, 2014.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import highspy
import numpy as np

from benchmarks.curtois.moves import WORK_PER_S, cover_arrays, head_counts, work_until
from benchmarks.curtois.pricing import EmployeeRules, schedule_cost
from roster.highs import run

_INF = highspy.kHighsInf
#: An employee's exact pricing that spent more than this work (label extensions and
#: dominance tests, some 0.03 s) gives way to the heuristic while the heuristic still finds
#: columns. Work, not seconds, so that the same run prices the same way on any machine.
_SLOW_WORK = int(0.03 * WORK_PER_S)
#: A rise of the master LP on fixing a column below this is round-off, not worth re-pricing.
_RISE = 1e-6
#: A month the master LP takes to within this of 1 is fixed with no further thought.
_WHOLE = 0.01
#: The dive paces itself to fix every employee in this fraction of its time.
_SPARE = 1.5
#: Columns per free employee a restricted master carries over (the cheapest at the last
#: duals): on Instance 12 they halve the simplex iterations of each re-solve.
_CARRY = 15


@dataclass
class ColumnPool:
    """Columns of the master: owner employee and month (type codes, -1 off) of each."""

    owner: list
    months: list
    cost: list


def _units(rules: EmployeeRules, months: np.ndarray) -> np.ndarray:
    """Time worked (in ``rules.unit``) by each month (rows of type codes, -1 off)."""
    return np.where(months >= 0, rules.units[np.maximum(months, 0)], 0).sum(1)


def _type_counts(months: np.ndarray, types: int) -> np.ndarray:
    """Shifts of each type (columns) worked by each month (rows of type codes, -1 off)."""
    return (months[:, :, None] == np.arange(types)).sum(1)


def _draw_totals(options, target: int, rng=None) -> np.ndarray:
    """One value per entry of ``options`` (pairs of values and their weights, summing to
    1): the heaviest, or drawn by weight with ``rng``; then, while the values miss
    ``target`` in sum, the heaviest (or a drawn) step of one entry to another of its values
    that brings the sum nearer without passing it.

    Every entry must hold at least one value; weights that do not sum to a positive number
    count as equal."""
    for i, (v, _) in enumerate(options):
        if not len(v):
            raise ValueError(f"options[{i}] holds no value to choose")
    options = [
        (np.asarray(v), np.asarray(w, float) if np.sum(w) > 0 else np.ones(len(v)))
        for v, w in options
    ]
    pick = np.array(
        [v[np.argmax(w)] if rng is None else rng.choice(v, p=w / w.sum()) for v, w in options],
        dtype=np.int64,
    )
    gap = target - int(pick.sum())
    while gap:
        steps = [
            (i, value, weight)
            for i, (v, w) in enumerate(options)
            for value, weight in zip(v, w, strict=True)
            if 0 < (value - pick[i]) * np.sign(gap) <= abs(gap)
        ]
        if not steps:
            break
        weights = np.array([weight for _, _, weight in steps])
        k = (
            np.argmax(weights)
            if rng is None or not weights.sum() > 0
            else rng.choice(len(steps), p=weights / weights.sum())
        )
        i, value, _ = steps[k]
        gap -= int(value - pick[i])
        pick[i] = value
    return pick


def _month_costs(prices: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Cost at ``prices`` (days x types) of each month (rows of type codes, -1 off)."""
    days = np.broadcast_to(np.arange(months.shape[1]), months.shape)
    return np.where(months >= 0, prices[days, np.maximum(months, 0)], 0.0).sum(1)


class Master:
    """The restricted master LP in HiGHS, grown column by column.

    Parameters
    ----------
    instance : CurtoisInstance
    rules : EmployeeRules
    fixed : ndarray of bool, shape (E,), optional
        Employees held to the months ``codes``: their cover moves into the cover rows'
        right-hand sides and their rows ask for no column, so the LP holds only the others
        (its value leaves out the held months' request costs).
    codes : ndarray of int, shape (E, H), optional
        Type codes (-1 off) of the held employees.
    """

    def __init__(self, instance, rules: EmployeeRules, fixed=None, codes=None):
        self.instance = instance
        self.rules = rules
        E, H, T = rules.request_cost.shape
        self.E, self.H, self.T = E, H, T
        req, wu, wo = cover_arrays(instance)
        self.req, self.wu, self.wo = req, wu, wo
        self.free = np.ones(E, dtype=bool) if fixed is None else ~np.asarray(fixed)
        # the held months (-1 rows for the free employees)
        self.held = np.full((E, H), -1, dtype=np.int64)
        if fixed is not None:
            self.held[~self.free] = np.asarray(codes)[~self.free]
        # what the free employees are to cover, and the request constants their columns pay
        self.rhs = req - head_counts(self.held, T)
        self.constant = float(rules.request_constant[self.free].sum())
        # the held months' cost, so that LP values compare with the full master's
        self.offset = sum(
            schedule_cost(rules.request_cost[e], self.held[e]) + rules.request_constant[e]
            for e in np.flatnonzero(~self.free)
        )
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        # the restricted master grows by columns: dual-feasible bases carry over, so the
        # primal simplex restarts where it stopped (presolve would discard the basis)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)
        # rows: H * T cover rows (row (d, t) at d * T + t), then one per employee
        n_cover = H * T
        lo = np.concatenate([self.rhs.ravel(), self.free.astype(float)])
        h.addRows(
            n_cover + E,
            lo,
            lo,
            0,
            np.array([], dtype=np.int32),
            np.array([], np.int32),
            np.array([]),
        )
        # cover slacks: under (+1) and over (-1) per cover row
        idx = np.arange(n_cover, dtype=np.int32)
        for sign, w in ((1.0, wu), (-1.0, wo)):
            h.addCols(
                n_cover,
                w.ravel(),
                np.zeros(n_cover),
                np.full(n_cover, _INF),
                n_cover,
                np.arange(n_cover, dtype=np.int32),
                idx,
                np.full(n_cover, sign),
            )
        h.changeObjectiveOffset(float(self.offset))
        self.h = h
        self.n_slack = 2 * n_cover
        self.pool = ColumnPool([], [], [])
        self.seen = set()
        # per employee: its columns as (n, H) type codes, to price them at new duals
        self.by_employee = [np.zeros((0, H), dtype=np.int64) for _ in range(E)]
        # work of each employee's last exact pricing: the heuristic only stands in where
        # the exact labelling is slow (many capped types), elsewhere it would only cost
        # iterations; kept across calls so that every dive step does not relearn it
        self.slow = np.zeros(E)
        # (E, T), added on every day to the prices the labelling sees (not to the columns'
        # costs): a type a counted master keeps at its cap is made so cheap that every month
        # priced works it to the cap; no Lagrangian bound then
        self.bias = None

    def restrict(self, fixed: np.ndarray, codes: np.ndarray, per_employee=None) -> Master:
        """A master over the employees not ``fixed``, the others held to ``codes`` (or to
        this master's held months), with the free employees' columns: its LP is this LP with
        the held months fixed, at a fraction of the size once most employees are held.

        With ``per_employee``, each free employee brings only that many of its columns, the
        cheapest at this master's last cover duals. Columns far from pricing out only slow
        every simplex iteration down (and, being many, add degenerate pivots); the labelling
        finds any of them again should they price out later."""
        codes = np.where(self.free[:, None], codes, self.held)
        sub = Master(self.instance, self.rules, fixed=fixed, codes=codes)
        sub.slow = self.slow
        sub.bias = self.bias
        y = np.asarray(self.h.getSolution().row_dual)[: self.H * self.T].reshape(self.H, self.T)
        for e in np.flatnonzero(sub.free):
            months = self.by_employee[e]
            if per_employee is not None and len(months) > per_employee:
                cost = _month_costs(self.rules.request_cost[e] - y, months)
                months = months[np.argsort(cost, kind="stable")[:per_employee]]
            sub.add(e, months, record=False)
        # shared, so that the months the sub-master prices are known here too
        sub.by_employee = self.by_employee
        return sub

    def counted(self, rng=None) -> Master:
        """A master in which each free employee works one total of time, one of the totals
        (in ``rules.unit``) of its months in this master's LP solution, and works each
        capped type up to its cap if the LP's months mostly do. Without ``rng`` each
        employee takes the heaviest total and the caps the LP's months hold with most of
        their weight; with a generator both are drawn in proportion to the weights, the
        totals then moved among the LP's values until they add up to the LP's total again
        (:func:`_draw_totals`). The master carries the known months that do both, and the
        labelling prices only such months.

        Branching on such aggregates before the months (Vanderbeck 2011) keeps a dive from
        spending, month by month, the hours and the capped shifts the cover needs: on
        Instance 8 the LP works every hour and every night there is, and failed dives end
        one shift or one night short.
        """
        x = np.asarray(self.h.getSolution().col_value)[self.n_slack :]
        # the employees' known months go in too (weight 0): every free employee has some
        owner = np.concatenate(
            [self.pool.owner, *[np.full(len(self.by_employee[e]), e) for e in self.free_list]]
        ).astype(np.int64)
        months = np.concatenate(
            [
                np.reshape(self.pool.months, (-1, self.H)),
                *[self.by_employee[e] for e in self.free_list],
            ]
        ).astype(np.int64)
        if len(x) != len(self.pool.owner):
            x = np.zeros(len(self.pool.owner))  # no LP solution to read
        x = np.concatenate([x, np.zeros(len(owner) - len(x))])
        total = _units(self.rules, months)
        caps = self.rules.caps
        capped = (caps > 0) & (caps < self.H)
        free = np.flatnonzero(self.free)
        full = np.zeros((self.E, self.T), dtype=bool)
        options = []
        for e in free:
            mine = (owner == e) & (x > _RISE)
            if not mine.any():
                # no LP solution to read (the LP stopped short): each known month alike
                mine = owner == e
                share = np.full(mine.sum(), 1.0 / mine.sum())
            else:
                share = x[mine] / x[mine].sum()
            at_cap = share @ (_type_counts(months[mine], self.T) == caps[e])
            draw = 0.5 if rng is None else rng.random(self.T)
            full[e] = capped[e] & (at_cap > draw)
            values, which = np.unique(total[mine], return_inverse=True)
            options.append((values, np.bincount(which, weights=share)))
        low, high = self.rules.min_units.copy(), self.rules.max_units.copy()
        low[free] = high[free] = _draw_totals(options, round(float(x @ total)), rng)
        rules = replace(self.rules, min_units=low, max_units=high)
        sub = Master(self.instance, rules, fixed=~self.free, codes=self.held)
        for e in free:
            known = self.by_employee[e]
            keep = _units(self.rules, known) == low[e]
            fits = keep & ((_type_counts(known, self.T) == caps[e]) | ~full[e]).all(1)
            if not fits.any():
                full[e], fits = False, keep  # no known month does both: the total first
            sub.add(e, known[fits])
        if full.any():
            # one more shift of a full type must outweigh any price a month can gather
            worst = np.abs(self.rules.request_cost).max() + max(self.wu.max(), self.wo.max())
            sub.bias = np.where(full, -(self.H * worst + 1.0), 0.0)
        return sub

    @property
    def free_list(self) -> np.ndarray:
        """The free employees' positions."""
        return np.flatnonzero(self.free)

    def cheapest_known(self, e: int, prices: np.ndarray) -> float:
        """Cost at ``prices`` of the cheapest column of ``e`` in the pool (a feasible month,
        hence an upper bound for the labelling)."""
        months = self.by_employee[e]
        return float(_month_costs(prices, months).min()) if len(months) else np.inf

    def add(self, e: int, months: np.ndarray, record: bool = True) -> int:
        """Add the months (rows of type codes) of employee ``e`` not yet in the pool; with
        ``record`` they join the employee's known months (``by_employee``) too."""
        r = self.rules
        T, H = self.T, self.H
        added = 0
        starts, index, value, costs = [], [], [], []
        for month in np.atleast_2d(months):
            key = (e, month.tobytes())
            if key in self.seen:
                continue
            self.seen.add(key)
            days = np.flatnonzero(month >= 0)
            rows = np.concatenate([days * T + month[days], [H * T + e]]).astype(np.int32)
            c = schedule_cost(r.request_cost[e], month) + r.request_constant[e]
            starts.append(len(index))
            index.extend(rows)
            value.extend([1.0] * len(rows))
            costs.append(c)
            self.pool.owner.append(e)
            self.pool.months.append(month.copy())
            self.pool.cost.append(c)
            if record:
                self.by_employee[e] = np.vstack([self.by_employee[e], month[None, :]])
            added += 1
        if added:
            self.h.addCols(
                added,
                np.asarray(costs),
                np.zeros(added),
                np.full(added, _INF),
                len(index),
                np.asarray(starts, dtype=np.int32),
                np.asarray(index, dtype=np.int32),
                np.asarray(value),
            )
        return added

    def solve_lp(self):
        """Solve the restricted LP: ``(objective, cover duals (H, T), employee duals (E,))``."""
        run(self.h)
        sol = self.h.getSolution()
        y = np.asarray(sol.row_dual)
        return (
            float(self.h.getInfo().objective_function_value),
            y[: self.H * self.T].reshape(self.H, self.T),
            y[self.H * self.T :],
        )


def _lagrangian(master, y, e_costs):
    """``L(y) = y . rhs + sum_e min_p (c_p - y . a_p)`` over the master's free employees,
    given each one's cheapest ``min_p`` at prices ``request_cost - y`` (``e_costs``, request
    constants excluded, 0 for held employees)."""
    return float((y * master.rhs).sum() + np.sum(e_costs) + master.constant)


def generate(
    instance,
    rules: EmployeeRules,
    start: np.ndarray,
    *,
    deadline: float,
    per_employee: int = 3,
    smoothing: float = 0.5,
    max_iterations: int | None = None,
    pool=None,
):
    """Column generation from the months of roster ``start`` (type codes, every hard rule
    kept) until no column prices out, the deadline, or ``max_iterations``.

    Returns
    -------
    master : Master
        With its pool of columns and HiGHS model (LP at the last duals).
    bound : float
        Best Lagrangian bound.
    lp : float
        Last restricted master value.
    converged : bool
    iterations : int
    """
    master = Master(instance, rules)
    for e in range(master.E):
        master.add(e, start[e])
    return (
        master,
        *price_until(
            master,
            deadline=deadline,
            per_employee=per_employee,
            smoothing=smoothing,
            max_iterations=max_iterations,
            pool=pool,
        ),
    )


def price_until(
    master: Master,
    *,
    deadline: float,
    active=None,
    per_employee: int = 3,
    smoothing: float = 0.5,
    max_iterations: int | None = None,
    pool=None,
    hard_deadline: float | None = None,
):
    """Column generation on ``master`` for the ``active`` employees (the master's free
    employees by default; with fewer, the others are fixed by column bounds, and no
    Lagrangian bound is computed).

    No round starts after ``deadline``; a round started prices every employee unless
    ``hard_deadline`` (default ``deadline``) passes, and sizes each exact labelling to the
    time left before it. ``pool`` is an optional thread pool for the pricing. Returns
    ``(bound, lp, converged, iterations)``."""
    hard_deadline = deadline if hard_deadline is None else hard_deadline
    rules = master.rules
    E = master.E
    active = master.free.copy() if active is None else np.asarray(active)
    whole = bool(active[master.free].all())
    wu, wo = master.wu, master.wo
    best_bound, best_y, lp = -np.inf, None, np.inf
    converged = False
    it = 0
    slow = master.slow
    while time.perf_counter() < deadline and (max_iterations is None or it < max_iterations):
        lp, y, m = master.solve_lp()
        it += 1
        # the cover duals lie in [-wo, wu] (the slacks' reduced costs); clipping only guards
        # round-off so that every Lagrangian value below stays a valid bound
        y = np.clip(y, -wo, wu)
        # slow employees are priced heuristically while that finds columns; a round where
        # every employee was priced exactly gives a Lagrangian bound, and its duals become
        # the stability centre the next duals are smoothed towards
        force = it % 10 == 0  # now and then every employee exactly, for the bound
        alpha = smoothing if best_y is not None and whole else 0.0
        while True:
            y_price = alpha * best_y + (1 - alpha) * y if alpha > 0 else y
            e_costs = np.zeros(E)
            added = 0

            def price(e, y_price=y_price, force=force):
                prices = rules.request_cost[e] - y_price
                if master.bias is not None:
                    prices = prices + master.bias[e]
                upper = master.cheapest_known(e, prices)
                if time.perf_counter() > hard_deadline:
                    # out of time: no column, and no bound from this round
                    return upper, np.zeros(0), np.zeros((0, master.H), np.int64), False
                exact_e = force or slow[e] < _SLOW_WORK
                costs, months, exact_e, work = rules.cheapest(
                    e,
                    prices,
                    k=per_employee,
                    upper=upper,
                    exact=exact_e,
                    max_work=work_until(hard_deadline),
                    report=True,
                    fallback_work=work_until(hard_deadline, 2),
                )
                if exact_e:
                    slow[e] = work
                return upper, costs, months, exact_e

            who = np.flatnonzero(active)
            # the labelling releases the GIL: employees are priced side by side
            priced = pool.map(price, who) if pool is not None else map(price, who)
            exact = True
            for e, (upper, costs, months, exact_e) in zip(who, priced, strict=True):
                exact &= exact_e
                # only round-off can leave nothing below a known column's cost
                e_costs[e] = costs[0] if len(costs) else upper
                # a column enters if it prices out at the master's own duals
                rc = (
                    np.array(
                        [
                            schedule_cost(rules.request_cost[e] - y, mo)
                            + rules.request_constant[e]
                            for mo in months
                        ]
                    )
                    - m[e]
                )
                added += master.add(e, months[rc < -1e-6])
            if exact and whole and master.bias is None:
                bound = _lagrangian(master, y_price, e_costs)
                if bound > best_bound:
                    best_bound, best_y = bound, y_price.copy()
            if added or time.perf_counter() > deadline:
                break
            if alpha > 0:
                alpha = 0.0  # mispricing: nothing entered at the smoothed duals
            elif not exact:
                force = True
            else:
                break
        if (not added and exact and alpha == 0.0) or lp - best_bound < 1e-6:
            converged = True
            break
    return best_bound, lp, converged, it


def _hold(h, n_slack: int, owner: np.ndarray, j: int) -> np.ndarray:
    """Fix column ``j`` of the pool at 1 and its owner's other columns at 0 (as the convexity
    row does anyway, which keeps them out of the dual simplex's ratio tests); returns the
    HiGHS indices of the owner's columns."""
    siblings = (n_slack + np.flatnonzero(owner == owner[j])).astype(np.int32)
    h.changeColsBounds(len(siblings), siblings, np.zeros(len(siblings)), np.zeros(len(siblings)))
    h.changeColBounds(int(n_slack + j), 1.0, 1.0)
    return siblings


def _lookahead(h, n_slack: int, owner: np.ndarray, take: np.ndarray, look: int, rng=None):
    """``take`` (pool indices, best first) with the one of its first ``look`` months of
    distinct employees whose fixing raises the LP least moved to the front (strong diving:
    the LP value after each trial fixing, before any re-pricing). With a generator ``rng``
    the one moved is drawn among those raising the LP by at most twice the least rise."""
    base = h.getInfo().objective_function_value
    trials, seen = [], set()
    for j in take:
        if owner[j] not in seen:
            seen.add(owner[j])
            trials.append(j)
        if len(trials) == look:
            break
    values = []
    for j in trials:
        siblings = _hold(h, n_slack, owner, j)
        run(h)
        ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        values.append(h.getInfo().objective_function_value if ok else np.inf)
        h.changeColsBounds(
            len(siblings), siblings, np.zeros(len(siblings)), np.full(len(siblings), _INF)
        )
    values = np.asarray(values)
    pick = int(np.argmin(values))
    if rng is not None and np.isfinite(values[pick]):
        rise = values - min(base, values[pick])
        near = np.flatnonzero(rise <= 2 * rise[pick] + _RISE)
        pick = int(rng.choice(near))
    best = trials[pick]
    return np.concatenate([[best], take[take != best]])


def dive(
    master: Master,
    *,
    deadline: float,
    price: bool = True,
    iterations: int = 50,
    bulk: bool = False,
    look: int = 4,
    carry: int | None = _CARRY,
    rng=None,
    pool=None,
) -> tuple[np.ndarray, np.ndarray]:
    """A roster by diving on the master LP: fix every month the LP takes (nearly) whole and
    the largest fractional one, re-price the employees still free where that raised the LP
    (at most ``iterations`` rounds, when ``price``), repeat (Joncour et al. 2010, pure
    diving). A single fractional month is fixed per step unless the pace of the dive would
    not fix every employee by the deadline with time to spare; at the deadline the dive
    stops. ``bulk`` saves the many cheap first steps of a large instance by fixing every
    month the LP holds at least half of at once (on small instances that raises the LP more
    than it saves). Each time the free employees halve, the master is rebuilt over them
    with at most ``carry`` columns each (:meth:`Master.restrict`).

    Returns
    -------
    codes : ndarray of int, shape (E, H)
        Type codes; a fixed employee's month is a column, so it keeps every hard rule; the
        others are off every day.
    fixed : ndarray of bool, shape (E,)
        Employees the dive fixed before the deadline.
    """
    origin = master
    n_slack = master.n_slack
    fixed = ~master.free
    lowered = []
    began, steps = time.perf_counter(), 0
    codes = np.full((master.E, master.H), -1, dtype=np.int64)
    # the first step prices whatever column generation left open
    before = -np.inf
    try:
        while not fixed.all():
            if time.perf_counter() > deadline:
                break
            if (~fixed).sum() <= master.free.sum() // 2:
                # the held employees' columns only slow every simplex iteration down: the
                # same LP over the free employees alone is a fraction of the size
                master = master.restrict(fixed, codes, per_employee=carry)
                before = -np.inf
            h = master.h
            # bound changes leave the basis dual feasible: the dual simplex restarts from it
            h.setOptionValue("simplex_strategy", 1)
            run(h)
            h.setOptionValue("simplex_strategy", 4)
            value = h.getInfo().objective_function_value
            # re-price only where fixing raised the LP: columns can only bring it back down
            if price and value > before + _RISE:
                # each step may spend its share of the time left on re-pricing; steps that
                # converge early leave more to the last ones, which need the most rounds
                now = time.perf_counter()
                share = (deadline - now) / (_SPARE * (~fixed).sum())
                price_until(
                    master,
                    deadline=min(deadline, now + share),
                    hard_deadline=deadline,
                    active=~fixed,
                    max_iterations=iterations,
                    pool=pool,
                )
                run(h)
                value = h.getInfo().objective_function_value
            before = value
            owner = np.asarray(master.pool.owner)
            x = np.asarray(h.getSolution().col_value)[n_slack : n_slack + len(owner)]
            free = np.flatnonzero(~fixed[owner])
            # with ``bulk`` the first step takes every month the LP holds at least half of:
            # they belong to distinct employees, and re-pricing mends the LP once for all
            whole = free[x[free] > (0.5 - 1e-9 if bulk and steps == 0 else 1 - _WHOLE)]
            take = free[np.argsort(-x[free], kind="stable")]
            # one fractional month per step while the time allows; more when the steps so
            # far, at their pace, would not fix every employee with time to spare
            steps += 1
            pace = (time.perf_counter() - began) / steps
            room = max((deadline - time.perf_counter()) / (_SPARE * pace), 1.0)
            n_more = max(1, int(np.ceil((~fixed).sum() / room)))
            if look > 1 and n_more == 1 and not len(whole):
                take = _lookahead(h, n_slack, owner, take, look, rng)
            for j in np.concatenate([whole, take]):
                e = owner[j]
                if fixed[e]:
                    continue
                if j not in whole:
                    if n_more == 0:
                        continue
                    n_more -= 1
                fixed[e] = True
                codes[e] = master.pool.months[j]
                siblings = _hold(h, n_slack, owner, j)
                if master is origin:
                    lowered.extend(siblings.tolist())
        return codes, fixed
    finally:
        if lowered:
            origin.h.changeColsBounds(
                len(lowered),
                np.asarray(lowered, dtype=np.int32),
                np.zeros(len(lowered)),
                np.full(len(lowered), _INF),
            )
